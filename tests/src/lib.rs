//! Holds the trybuild suites in `tests/ui.rs`: `ui/` must fail to compile with the recorded
//! messages, `pass/` must compile and run.
