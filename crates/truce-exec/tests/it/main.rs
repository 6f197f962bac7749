//! truce-exec's tests: plans executed exactly keep every term; each kind of
//! deviation gives its finding; declarations the terms forbid are refused;
//! free text naming a person is caught.

mod exact;
mod scenarios;
mod support;
mod text;
