//! Integration tests of truce-ledger: one binary, one module per feature.

mod canon;
mod checkpoint;
mod fixture;
mod keys;
mod lifecycle;
mod pem;
mod person;
mod props;
mod verify;
