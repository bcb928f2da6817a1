//! The `.stderr` snapshots were written by rustc 1.95; another compiler may word its own
//! diagnostics differently. Regenerate with `TRYBUILD=overwrite cargo test -p datasource-tests`
//! and review every changed message.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/**/*.rs");
    cases.pass("pass/*.rs");
}
