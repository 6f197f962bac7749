//! Integration tests of truce-ledger: one binary, one module per feature.

mod canon;
mod fixture;
mod keys;
mod lifecycle;
mod props;
mod verify;
