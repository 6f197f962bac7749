//! `truce`: the command-line tool.
fn main() {}
