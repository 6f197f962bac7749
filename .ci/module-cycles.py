"""No module imports another that imports it back (ARCHITECTURE.md).

Module cycles inside each crate: file-level modules, an edge X -> Y when X's
code (not its `#[cfg(test)] mod tests`) names a path into Y (`crate::y::…`,
`super::y`, `self::y`, or a child by a bare `y::` path). `mod y;` and
`pub use` lines and the crate root are not edges. Exits 1 on a cycle not in
KNOWN, and on a KNOWN cycle that is gone (so the list stays true).

Usage: python3 .ci/module-cycles.py [REPO]
"""
import os, re, sys
root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')

# Cycles left on purpose (a parent `mod.rs` whose children use its types),
# each as (crate, frozenset of modules). None is left: a new cycle fails.
KNOWN = set()
found = set()
status = 0
def modpath(crate_src, f):
    rel = os.path.relpath(f, crate_src)[:-3].split(os.sep)
    if rel[-1] in ('mod', 'lib', 'main'): rel = rel[:-1]
    return tuple(rel)
for crate in sorted(os.listdir(os.path.join(root, 'crates'))):
    src = os.path.join(root, 'crates', crate, 'src')
    if not os.path.isdir(src): continue
    files = {}
    for d, _, fs in os.walk(src):
        for f in fs:
            if f.endswith('.rs'): files[modpath(src, os.path.join(d, f))] = os.path.join(d, f)
    mods = set(files)
    def resolve(parts):
        best = None
        for i in range(1, len(parts) + 1):
            if tuple(parts[:i]) in mods: best = tuple(parts[:i])
        return best
    edges = {m: set() for m in mods}
    for m, f in files.items():
        text = open(f).read()
        # cut #[cfg(test)] mod tests { ... } at the end of files
        cut = re.search(r'#\[cfg\(test\)\]\s*mod \w+\s*\{', text)
        if cut: text = text[:cut.start()]
        is_dir_mod = os.path.basename(f) in ('mod.rs', 'lib.rs', 'main.rs')
        for line in text.splitlines():
            s = line.strip()
            if s.startswith('//') or re.match(r'(pub(\(crate\))?\s+)?mod \w+;', s) or s.startswith('pub use') or s.startswith('pub(crate) use'):
                continue
            for mt in re.finditer(r'\b(crate|super|self)((?:::\w+)+)', s):
                kind, rest = mt.group(1), mt.group(2).split('::')[1:]
                if kind == 'crate': base = []
                elif kind == 'super': base = list(m[:-1])
                else: base = list(m)
                # handle super::super
                while rest and rest[0] == 'super':
                    base = base[:-1]; rest = rest[1:]
                t = resolve(base + rest)
                if t and t != m and t != ():
                    edges[m].add(t)
            # a child named by a bare path (`child::item`)
            for mt in re.finditer(r'(?<![:\w])(\w+)::', s):
                t = m + (mt.group(1),)
                if t in mods and mt.group(1) not in ('crate', 'super', 'self'):
                    edges[m].add(t)
            # use crate::{a, b::c}
            for mt in re.finditer(r'\buse (crate|super)::\{([^}]*)\}', s):
                base = [] if mt.group(1) == 'crate' else list(m[:-1])
                for item in mt.group(2).split(','):
                    t = resolve(base + item.strip().split('::'))
                    if t and t != m and t != (): edges[m].add(t)
    # Tarjan SCC
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def strong(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in edges[v]:
            if w not in index: strong(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(comp)
    sys.setrecursionlimit(10000)
    for v in mods:
        if v not in index: strong(v)
    for comp in out:
        names = ['/'.join(c) or 'lib' for c in comp]
        found.add((crate, frozenset(names)))
        if (crate, frozenset(names)) in KNOWN:
            continue
        pairs = [('/'.join(a), '/'.join(b)) for a in comp for b in edges[a] if b in comp]
        print(f"{crate}: module cycle {sorted(names)}: {sorted(pairs)}")
        status = 1
for crate, names in sorted(KNOWN - found, key=str):
    print(f"{crate}: the known cycle {sorted(names)} is gone: remove it from KNOWN in {__file__}")
    status = 1
if status == 0:
    print(f"no module cycles beyond the {len(KNOWN)} known ones")
sys.exit(status)
