//! `export!(pyspark_name => Source, ...)`: the Python module of a wheel. Each source is bound
//! with the capabilities it implements (found by `bind_source!` in the glue crate); the first
//! becomes `DefaultSource`, so Spark registers it when the module is on the path.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Ident, Path, Token, Type};

use crate::ty::display;

pub struct Export {
    pub module: Ident,
    pub krate: Path,
    pub sources: Vec<Type>,
}

impl Parse for Export {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut krate = syn::parse_quote!(::datasource_py);
        if input.peek(Token![crate]) {
            input.parse::<Token![crate]>()?;
            input.parse::<Token![=]>()?;
            krate = input.parse()?;
            input.parse::<Token![;]>()?;
        }
        let module: Ident = input.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected the Python module name: write `export!(pyspark_mysource => MySource)`",
            )
        })?;
        let arrow = input.parse::<Token![=>]>().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected `=>` after the module name: write `export!(pyspark_mysource => MySource)`",
            )
        })?;
        let sources = Punctuated::<Type, Token![,]>::parse_terminated(input)?;
        if sources.is_empty() {
            return Err(syn::Error::new_spanned(
                arrow,
                "name at least one `#[data_source]` type after `=>`",
            ));
        }
        Ok(Export {
            module,
            krate,
            sources: sources.into_iter().collect(),
        })
    }
}

pub fn expand(input: TokenStream) -> TokenStream {
    let export: Export = match syn::parse2(input) {
        Ok(export) => export,
        Err(error) => return error.to_compile_error(),
    };
    let Export {
        module,
        krate,
        sources,
    } = export;
    if let Some(error) = module_name_error(&module) {
        return error.to_compile_error();
    }
    let pyo3_path = format!(
        "{}::__private::pyo3",
        quote!(#krate).to_string().replace(' ', "")
    );
    let bindings = sources.iter().map(|source| {
        quote_spanned! {source.span()=> #krate::__private::bind_source!(#source) }
    });
    let distinct = distinct_names(&krate, &sources);
    let wheel_files = library_name().map(|_| wheel_files_test(&krate, &module, &sources));
    quote! {
        #[#krate::__private::pyo3::pymodule]
        #[pyo3(crate = #pyo3_path)]
        fn #module(
            module: &#krate::__private::pyo3::Bound<'_, #krate::__private::pyo3::types::PyModule>,
        ) -> #krate::__private::pyo3::PyResult<()> {
            #krate::__private::init_module(module, ::std::vec![#(#bindings),*])
        }

        #distinct
        #wheel_files
    }
}

/// The test that keeps the crate's Python files (one `pyspark_*` module per further source,
/// and the wheel module's loader) and `pyproject.toml` in step with the export list; emitted
/// only in a crate that builds an extension module.
fn wheel_files_test(krate: &Path, module: &Ident, sources: &[Type]) -> TokenStream {
    let module = module.to_string();
    quote! {
        #[cfg(test)]
        mod __datasource_py {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn wheel_python_files_match_export() {
                use #krate::__private::{DataSource, ExportedSource};
                #krate::__private::check_wheel_files(
                    ::core::env!("CARGO_MANIFEST_DIR"),
                    #module,
                    &[#(ExportedSource {
                        name: <#sources as DataSource>::NAME,
                        class_name: <#sources as DataSource>::CLASS_NAME,
                    }),*],
                );
            }
        }
    }
}

/// Python imports the wheel's module by the crate's library name and Spark registers a module's
/// `DefaultSource` by itself only if its name starts with `pyspark_`: a module named otherwise
/// fails at import or is never found, so it is refused while the crate compiles.
fn module_name_error(module: &Ident) -> Option<syn::Error> {
    let name = module.to_string();
    if !name.starts_with("pyspark_") {
        return Some(syn::Error::new_spanned(
            module,
            format_args!(
                "the module name must start with `pyspark_` (Spark registers the sources of \
                 `pyspark_*` modules by itself): write `pyspark_{name}`, and name the crate's \
                 library the same (`[lib] name`)"
            ),
        ));
    }
    let library = library_name()?;
    (library != name).then(|| {
        syn::Error::new_spanned(
            module,
            format_args!(
                "the module must be named after the crate's library, `{library}`: Python imports \
                 the wheel's module by that name (or change `[lib] name` in Cargo.toml to \
                 `{name}`)"
            ),
        )
    })
}

/// The name of the library being compiled, when it is a Python extension module (its manifest
/// builds a `cdylib`); `None` elsewhere (a test, a doctest, a binary).
fn library_name() -> Option<String> {
    if std::env::var_os("CARGO_BIN_NAME").is_some() {
        return None;
    }
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")?;
    let text = std::fs::read_to_string(std::path::Path::new(&manifest).join("Cargo.toml")).ok()?;
    if !text.contains("cdylib") {
        return None;
    }
    std::env::var("CARGO_CRATE_NAME").ok()
}

/// Checks, when the crate compiles, that no two sources share a format name (Spark would find
/// only one) or a struct name (both would be the same Python class).
fn distinct_names(krate: &Path, sources: &[Type]) -> TokenStream {
    let mut checks = TokenStream::new();
    for (index, first) in sources.iter().enumerate() {
        for second in &sources[index + 1..] {
            let (a, b) = (display(first), display(second));
            let same_format = format!(
                "`{a}` and `{b}` have the same format name (ignoring case): give each its own \
                 `#[data_source(name = \"...\")]`"
            );
            let same_class = format!(
                "`{a}` and `{b}` are both named `{}`: each source becomes a Python class named \
                 after its struct, so rename one",
                short_name(second)
            );
            checks.extend(quote_spanned! {second.span()=>
                const _: () = {
                    use #krate::__private::{DataSource, same_name, same_text};
                    ::core::assert!(
                        !same_name(<#first as DataSource>::NAME, <#second as DataSource>::NAME),
                        #same_format
                    );
                    ::core::assert!(
                        !same_text(
                            <#first as DataSource>::CLASS_NAME,
                            <#second as DataSource>::CLASS_NAME,
                        ),
                        #same_class
                    );
                };
            });
        }
    }
    checks
}

fn short_name(ty: &Type) -> String {
    let text = display(ty);
    text.rsplit("::").next().unwrap_or(&text).to_owned()
}
