//! Integration tests of truce-spec.
