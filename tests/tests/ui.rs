//! The `.stderr` snapshots were written by rustc 1.95; another compiler may word its own
//! diagnostics differently. Regenerate with `TRYBUILD=overwrite cargo test -p datasource-tests`
//! and review every changed message.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    // Only failures: trybuild then checks (`cargo check`) instead of building. The sources that
    // must compile and run are test binaries of their own (`pass/`, in Cargo.toml).
    cases.compile_fail("ui/**/*.rs");
}
