//! `#[data_source(name = "...")]`: a struct whose fields are options becomes a `DataSource`.
//! Parse the struct into a model, check it, then generate code from the model.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{LitStr, Path};

use crate::attr;
use crate::ctxt::Ctxt;
use crate::doc::doc_text;
use crate::options::{self, Member};

const SOURCE_KEYS: &[&str] = &["name", "crate", "validate"];

/// A data source struct, as the macro understands it.
pub struct Source {
    pub item: syn::ItemStruct,
    pub name: Option<LitStr>,
    /// Whether a `name` key was written, even a malformed one (then only that is reported).
    pub name_written: bool,
    pub krate: Path,
    /// `validate = path`: a `fn(&Self) -> Result<()>` run once the options parse.
    pub validate: Option<Path>,
    pub doc: String,
    pub members: Vec<Member>,
}

/// Runs the whole pipeline: parse, check, expand. On errors, the struct is still emitted (with
/// its helper attributes removed) with placeholder impls, so the rest of the crate keeps
/// type-checking and only the macro's own errors are reported.
pub fn data_source(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut item: syn::ItemStruct = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(error) => return not_a_struct(input, error),
    };
    let mut cx = Ctxt::new();
    let source = parse(args, &item, &mut cx);
    check(&source, &mut cx);
    options::strip_option_attributes(&mut item.fields);
    match cx.check() {
        Ok(()) => {
            let impls = expand(&source);
            quote! { #item #impls }
        }
        Err(errors) => {
            let errors = errors.to_compile_error();
            let placeholder = placeholder(&source);
            quote! { #item #placeholder #errors }
        }
    }
}

pub fn parse(args: TokenStream, item: &syn::ItemStruct, cx: &mut Ctxt) -> Source {
    cx.set_section(0);
    let mut name = None;
    // Whether a `name` key was written at all: a malformed one is reported as such, not missing.
    let mut name_written = false;
    let mut krate = None;
    let mut validate = None;
    let parser = syn::meta::parser(attr::each_key(cx, |meta| {
        if meta.path.is_ident("name") {
            name_written = true;
            let value = attr::string(meta, "name = \"myformat\"")?;
            attr::set_once(meta, &mut name, value)
        } else if meta.path.is_ident("crate") {
            let path = attr::crate_path(meta)?;
            attr::set_once(meta, &mut krate, path)
        } else if meta.path.is_ident("validate") {
            let path: Path = meta.value()?.parse().map_err(|error| {
                syn::Error::new(
                    error.span(),
                    "expected a function: write `validate = Self::check`, with \
                     `fn check(&self) -> Result<()>`",
                )
            })?;
            attr::set_once(meta, &mut validate, path)
        } else {
            // `nmae = "..."` is reported as a misspelling of `name`, not also as a missing name.
            name_written |= attr::closest(&attr::key(meta), SOURCE_KEYS) == Some("name");
            Err(attr::unknown(
                meta,
                "`data_source` attribute",
                "",
                SOURCE_KEYS,
            ))
        }
    }));
    if let Err(error) = syn::parse::Parser::parse2(parser, args) {
        cx.syn_error(error);
        name_written = true;
    }

    let members = match &item.fields {
        syn::Fields::Named(fields) => options::parse_members(&fields.named, cx),
        _ => {
            cx.error_spanned_by(
                &item.ident,
                "`#[data_source]` needs a struct with named fields, one per option",
            );
            Vec::new()
        }
    };

    Source {
        item: item.clone(),
        name,
        name_written,
        krate: krate.unwrap_or_else(|| syn::parse_quote!(::datasource_py)),
        validate,
        doc: doc_text(&item.attrs),
        members,
    }
}

pub fn check(source: &Source, cx: &mut Ctxt) {
    check_name(source, cx);
    if !source.item.generics.params.is_empty() {
        cx.error_spanned_by(
            &source.item.generics,
            "a `#[data_source]` struct cannot be generic: Spark instantiates it from options alone",
        );
    }
    options::check(&source.members, cx);
}

fn check_name(source: &Source, cx: &mut Ctxt) {
    let Some(name) = &source.name else {
        if source.name_written {
            return;
        }
        cx.error_at(
            Span::call_site(),
            "missing `name`: write `#[data_source(name = \"myformat\")]`, the format users pass \
             to `spark.read.format(...)`",
        );
        return;
    };
    let text = name.value();
    let valid = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        cx.error_spanned_by(
            name,
            "a data source `name` is a non-empty format name of letters, digits, `_`, `-` and `.`",
        );
    }
}

fn expand(source: &Source) -> TokenStream {
    let krate = &source.krate;
    let ident = &source.item.ident;
    let name = source.name.as_ref().map(|n| n.value()).unwrap_or_default();
    let description = &source.doc;
    let class_name = ident.to_string();
    let options = options::options_impl(ident, &source.members);
    // Spanned on the path: a function of the wrong shape is reported there.
    let validate = source.validate.as_ref().map(|path| {
        quote_spanned! {path.span()=>
            fn validate(&self) -> ::core::result::Result<(), __ds::Error> {
                #path(self)
            }
        }
    });
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, clippy::all)]
        const _: () = {
            use #krate::__private as __ds;

            #options

            #[automatically_derived]
            impl __ds::DataSource for #ident {
                const NAME: &'static str = #name;
                const DESCRIPTION: &'static str = #description;
                const CLASS_NAME: &'static str = #class_name;
                #validate
            }

            // Two fields reading one option (through flattened groups) fail to compile.
            const _: () = __ds::assert_distinct_options(
                #name,
                &<#ident as __ds::Options>::NAMES,
            );
        };
    }
}

/// The impls emitted when the macro reported errors: they never run (the crate does not
/// compile), they only keep uses of the struct (`impl BatchReader`, `export!`) from adding
/// errors of their own.
fn placeholder(source: &Source) -> TokenStream {
    if !source.item.generics.params.is_empty() {
        return TokenStream::new();
    }
    let krate = &source.krate;
    let ident = &source.item.ident;
    let options = options::placeholder_options_impl(ident);
    quote! {
        #[doc(hidden)]
        const _: () = {
            use #krate::__private as __ds;

            #options

            impl __ds::DataSource for #ident {
                const NAME: &'static str = "";
                const DESCRIPTION: &'static str = "";
                const CLASS_NAME: &'static str = "";
            }
        };
    }
}

/// `#[data_source]` on an enum, a function...: one error on the keyword, the item left as is.
fn not_a_struct(input: TokenStream, error: syn::Error) -> TokenStream {
    const MESSAGE: &str = "`#[data_source]` goes on a struct with named fields, one per option";
    let error = match syn::parse2::<syn::Item>(input.clone()) {
        Ok(syn::Item::Enum(item)) => syn::Error::new_spanned(item.enum_token, MESSAGE),
        Ok(syn::Item::Union(item)) => syn::Error::new_spanned(item.union_token, MESSAGE),
        Ok(_) => syn::Error::new(Span::call_site(), MESSAGE),
        Err(_) => return error.to_compile_error(),
    };
    let error = error.to_compile_error();
    quote! { #input #error }
}
