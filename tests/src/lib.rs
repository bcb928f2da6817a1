//! Holds the trybuild suite in `tests/ui.rs` (`ui/` must fail to compile with the recorded
//! messages), the sources that must compile and run (`pass/`, each a test binary whose `main` is
//! the test), the house's rules (`tests/architecture.rs`), and the
//! guide's pages: each page's Rust snippets are doctests of a module below, so
//! `cargo test --doc -p datasource-tests` compiles and runs them.

macro_rules! guide_pages {
    ($($module:ident => $page:literal),* $(,)?) => {
        $(
            #[doc = include_str!(concat!("../../docs/", $page))]
            pub mod $module {}
        )*
    };
}

/// The README's example.
#[doc = include_str!("../../README.md")]
pub mod readme {}

guide_pages! {
    options => "options.md",
    schema_and_types => "schema-and-types.md",
    reading => "reading.md",
    pushdown => "pushdown.md",
    streaming => "streaming.md",
    writing => "writing.md",
    testing => "testing.md",
    errors_and_secrets => "errors-and-secrets.md",
    deploy => "deploy.md",
    production => "production.md",
    hooks => "hooks.md",
}
