//! The server binary as a real process, one module per concern, linked
//! into one test binary.

mod crash;
mod signals;
mod support;
