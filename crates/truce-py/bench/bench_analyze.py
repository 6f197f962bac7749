"""Python call overhead of truce.analyze: the same analysis timed from
Python (call, analysis, conversion to Python objects) and inside Rust
(analysis and its JSON value), in one process, interleaved.

    python crates/truce-py/bench/bench_analyze.py [DOMAIN_DIR ...]
"""

import pathlib
import statistics
import sys
import time

import truce

REPO = pathlib.Path(__file__).resolve().parents[3]
DEFAULT = ["Laptop", "ItexvsCypress", "anl2023-domain00", "Camera", "Energy"]


def per_call(fn, budget=1.0):
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= budget and n >= 5:
            return elapsed / n, n


def main(argv):
    dirs = [pathlib.Path(a) for a in argv] or [REPO / "testdata" / "negotiation-domains" / d for d in DEFAULT]
    print(f"{'domain':<20} {'outcomes':>9} {'python ms':>10} {'rust ms':>10} {'overhead ms':>12}")
    for d in dirs:
        dom = truce.load_domain(d)
        py, rs = [], []
        for _ in range(5):
            t, n = per_call(lambda: truce.analyze(dom), 0.4)
            py.append(t)
            rs.append(truce._truce._analyze_seconds_in_rust(dom, n))
        p, r = statistics.median(py) * 1e3, statistics.median(rs) * 1e3
        print(f"{dom.name[:20]:<20} {dom.outcomes:>9} {p:>10.4f} {r:>10.4f} {p - r:>12.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
