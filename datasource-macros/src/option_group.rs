//! `#[derive(Options)]`: a group of options that sources share with `#[option(flatten)]`.
//!
//! On a struct, each field is an option, exactly as in `#[data_source]`. On an enum whose
//! variants each hold one value, each variant is an option and exactly one of them must be
//! given (`Target::Table(String)` or `Target::Query(String)`: "exactly one of `table`,
//! `query`").

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Fields, LitStr, Path};

use crate::attr;
use crate::ctxt::Ctxt;
use crate::doc::doc_text;
use crate::naming::lower_camel_case;
use crate::options::{self, Member};
use crate::ty::display;

pub fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut cx = Ctxt::new();
    let krate = container_crate(&input, "Options", &mut cx);
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "a group of options cannot be generic: Spark's options are fixed strings",
        );
    }
    let ident = &input.ident;
    let body = match &input.data {
        syn::Data::Struct(data) => {
            let members = match &data.fields {
                Fields::Named(fields) => options::parse_members(&fields.named, &mut cx),
                _ => {
                    cx.error_spanned_by(
                        ident,
                        "`#[derive(Options)]` needs a struct with named fields (one per option) \
                         or an enum whose variants each hold one value",
                    );
                    Vec::new()
                }
            };
            options::check(&members, &mut cx);
            GroupBody::Struct(members)
        }
        syn::Data::Enum(data) => GroupBody::OneOf(parse_one_of(data, &mut cx)),
        syn::Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                "`#[derive(Options)]` goes on a struct or an enum",
            );
            GroupBody::Struct(Vec::new())
        }
    };
    let generated = match cx.check() {
        Ok(()) => match &body {
            GroupBody::Struct(members) => options::options_impl(ident, members),
            GroupBody::OneOf(variants) => one_of_impl(ident, variants),
        },
        Err(errors) => {
            let errors = errors.to_compile_error();
            let placeholder = input
                .generics
                .params
                .is_empty()
                .then(|| options::placeholder_options_impl(ident));
            quote! { #placeholder #errors }
        }
    };
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, clippy::all)]
        const _: () = {
            use #krate::__private as __ds;
            #generated
        };
    }
}

enum GroupBody {
    Struct(Vec<Member>),
    OneOf(Vec<OneOfVariant>),
}

/// One variant of a one-of group: one option.
struct OneOfVariant {
    ident: syn::Ident,
    ty: syn::Type,
    name: String,
    doc: String,
}

/// `#[option(crate = "...")]` on the type: the path generated code reaches the SDK through.
pub fn container_crate(input: &DeriveInput, derive: &str, cx: &mut Ctxt) -> Path {
    let mut krate = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("option")) {
        let result = attr.parse_nested_meta(attr::each_key(cx, |meta| {
            if meta.path.is_ident("crate") {
                let path = attr::crate_path(meta)?;
                attr::set_once(meta, &mut krate, path)
            } else {
                let place = format!(" on a `#[derive({derive})]` type");
                Err(attr::unknown(
                    meta,
                    "`option` attribute",
                    &place,
                    &["crate"],
                ))
            }
        }));
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    krate.unwrap_or_else(|| syn::parse_quote!(::datasource_py))
}

/// `#[option(name = "...")]` on a variant, the only key a variant takes.
pub fn variant_name(
    variant: &syn::Variant,
    what: &str,
    cx: &mut Ctxt,
) -> (String, proc_macro2::Span) {
    let mut name: Option<LitStr> = None;
    for attr in variant.attrs.iter().filter(|a| a.path().is_ident("option")) {
        let result = attr.parse_nested_meta(attr::each_key(cx, |meta| {
            if meta.path.is_ident("name") {
                let value = attr::string(meta, "name = \"optionName\"")?;
                if value.value().is_empty() {
                    return Err(syn::Error::new_spanned(
                        &value,
                        "a name cannot be empty; remove `name` to use the variant's",
                    ));
                }
                attr::set_once(meta, &mut name, value)
            } else {
                Err(attr::unknown(meta, "`option` attribute", what, &["name"]))
            }
        }));
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    let (name, span) = match name {
        Some(name) => (name.value(), name.span()),
        None => (
            lower_camel_case(&variant.ident.to_string()),
            variant.ident.span(),
        ),
    };
    if let Some(why) = crate::options::bad_option_name(&name) {
        cx.error_at(span, format_args!("a name {why}"));
    }
    (name, span)
}

fn parse_one_of(data: &syn::DataEnum, cx: &mut Ctxt) -> Vec<OneOfVariant> {
    if data.variants.len() < 2 {
        cx.error_spanned_by(
            data.enum_token,
            "a one-of group needs at least two variants, one option each; a single option \
             belongs in the struct itself",
        );
    }
    let mut variants: Vec<OneOfVariant> = Vec::new();
    for (index, variant) in data.variants.iter().enumerate() {
        cx.set_section(index + 1);
        let (name, name_span) = variant_name(variant, " on a one-of variant", cx);
        let ty = match &variant.fields {
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => fields.unnamed[0].ty.clone(),
            _ => {
                cx.error_spanned_by(
                    &variant.ident,
                    format_args!(
                        "each variant of a one-of group holds the option's value: write `{}(String)`",
                        variant.ident
                    ),
                );
                continue;
            }
        };
        if let Some(first) = variants.iter().find(|v| v.name.eq_ignore_ascii_case(&name)) {
            cx.error_at(
                name_span,
                format_args!(
                    "option name `{name}` collides with `{}` (variant `{}`): Spark matches option \
                     names ignoring case; rename one with `#[option(name = \"...\")]`",
                    first.name, first.ident
                ),
            );
        }
        variants.push(OneOfVariant {
            ident: variant.ident.clone(),
            ty,
            name,
            doc: doc_text(&variant.attrs),
        });
    }
    cx.set_section(0);
    variants
}

fn one_of_impl(ident: &syn::Ident, variants: &[OneOfVariant]) -> TokenStream {
    let specs = variants.iter().map(|variant| {
        let (name, help, ty) = (&variant.name, &variant.doc, &variant.ty);
        let field = variant.ident.to_string();
        let rust_type = display(ty);
        let others = variants
            .iter()
            .filter(|other| other.name != variant.name)
            .map(|other| &other.name);
        quote! {
            __ds::OptionSpec {
                name: #name,
                field: #field,
                help: #help,
                rust_type: #rust_type,
                default: ::core::option::Option::None,
                required: true,
                secret: false,
                range: ::core::option::Option::None,
                choices: &[],
                exclusive_with: &[#(#others),*],
                prefix: false,
            }
        }
    });
    let checks = variants.iter().map(|variant| {
        let ty = &variant.ty;
        quote_spanned! {ty.span()=> __ds::assert_option_value::<#ty>(); }
    });
    let reads = variants.iter().enumerate().map(|(index, variant)| {
        let (variant_ident, ty) = (&variant.ident, &variant.ty);
        quote! {
            if __parser.is_describing() || __chosen == ::core::option::Option::Some(#index) {
                __value = __value.or(__parser
                    .option::<#ty>(__specs[#index].clone(), ::core::option::Option::None, |_| true)
                    .map(Self::#variant_ident));
            }
        }
    });
    let specs_fn = options::specs_fn();
    let names = variants.iter().map(|variant| {
        let (name, field) = (&variant.name, variant.ident.to_string());
        quote! { (#name, #field) }
    });
    quote! {
        #[automatically_derived]
        impl __ds::Options for #ident {
            const NAMES: __ds::OptionNames = __ds::OptionNames {
                own: &[#(#names),*],
                groups: &[],
            };
            #specs_fn

            fn parse(
                __parser: &mut __ds::OptionsParser<'_>,
            ) -> ::core::option::Option<Self> {
                #(#checks)*
                let __specs = [#(#specs),*];
                let __chosen = __parser.choose_one(&__specs);
                let mut __value = ::core::option::Option::None;
                #(#reads)*
                __value
            }
        }
    }
}
