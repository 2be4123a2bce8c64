//! The module's tests, against the in-process fakes of `tests/fakes.rs`: no broker and no
//! database needed.

mod consumer;
mod fakes;
mod relay;
