//! Integration tests of the truce binary.
