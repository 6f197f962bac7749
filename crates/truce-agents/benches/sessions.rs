//! Session throughput (filled in with the benchmark commit).

fn main() {
    divan::main();
}
