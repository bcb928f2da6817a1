//! An error sink: every mistake in an input is collected, then reported in one compile.

use std::fmt::Display;

use quote::ToTokens;

/// Collects spanned errors; [`Ctxt::check`] turns them into one `syn::Error`.
///
/// Errors are reported in source order as far as the macro knows it: each one is filed under
/// the current section (0 for the struct, `i + 1` for its `i`-th field), so the struct-level
/// checks that run last still come out first.
#[derive(Default)]
pub struct Ctxt {
    errors: Vec<(usize, syn::Error)>,
    section: usize,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt::default()
    }

    /// Files the errors recorded from now on under `section` (0: the struct; `i + 1`: field `i`).
    pub fn set_section(&mut self, section: usize) {
        self.section = section;
    }

    /// Records an error spanning `tokens`.
    pub fn error_spanned_by<T: ToTokens, M: Display>(&mut self, tokens: T, message: M) {
        self.syn_error(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error at `span`.
    pub fn error_at<M: Display>(&mut self, span: proc_macro2::Span, message: M) {
        self.syn_error(syn::Error::new(span, message));
    }

    /// Records a `syn` error as is.
    pub fn syn_error(&mut self, error: syn::Error) {
        self.errors.push((self.section, error));
    }

    /// All errors recorded, combined in section order; `Ok` if there were none.
    pub fn check(mut self) -> syn::Result<()> {
        self.errors.sort_by_key(|(section, _)| *section);
        let mut errors = self.errors.into_iter().map(|(_, error)| error);
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined)
    }
}
