//! `#[derive(OptionValue)]`: an enum of unit variants is an option with a closed set of
//! choices. Each variant is a choice named in camelCase (`ReadAll` is `readAll`, or
//! `#[option(name = "...")]`), matched ignoring case; its doc comment documents it.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, Fields};

use crate::ctxt::Ctxt;
use crate::doc::doc_text;
use crate::option_group::{container_crate, variant_name};

pub fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut cx = Ctxt::new();
    let krate = container_crate(&input, "OptionValue", &mut cx);
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "an option's choices cannot be generic: they are fixed names",
        );
    }
    let mut choices: Vec<(syn::Ident, String, String)> = Vec::new();
    match &input.data {
        syn::Data::Enum(data) => {
            if data.variants.is_empty() {
                cx.error_spanned_by(
                    data.enum_token,
                    "an option needs at least one choice: add a variant",
                );
            }
            for (index, variant) in data.variants.iter().enumerate() {
                cx.set_section(index + 1);
                let (name, span) = variant_name(variant, " on a choice", &mut cx);
                if !matches!(variant.fields, Fields::Unit) {
                    cx.error_spanned_by(
                        &variant.fields,
                        "each variant of a `#[derive(OptionValue)]` enum is one choice and holds \
                         no value; for options that each hold a value, use `#[derive(Options)]`",
                    );
                }
                if let Some((first, _, _)) = choices
                    .iter()
                    .find(|(_, other, _)| other.eq_ignore_ascii_case(&name))
                {
                    cx.error_at(
                        span,
                        format_args!(
                            "choice `{name}` collides with variant `{first}`: choices are matched \
                             ignoring case; rename one with `#[option(name = \"...\")]`"
                        ),
                    );
                }
                choices.push((variant.ident.clone(), name, doc_text(&variant.attrs)));
            }
            cx.set_section(0);
        }
        _ => cx.error_spanned_by(
            &input.ident,
            "`#[derive(OptionValue)]` goes on an enum of unit variants, one per choice",
        ),
    }
    if let Err(errors) = cx.check() {
        return errors.to_compile_error();
    }

    let ident = &input.ident;
    let listed = choices.iter().map(|(_, name, help)| {
        quote! { __ds::Choice { name: #name, help: #help } }
    });
    let parsed = choices.iter().map(|(variant, name, _)| {
        quote! { if __raw.eq_ignore_ascii_case(#name) { return ::core::result::Result::Ok(Self::#variant); } }
    });
    let named = choices.iter().map(|(variant, name, _)| {
        quote! { Self::#variant => #name, }
    });
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, clippy::all)]
        const _: () = {
            use #krate::__private as __ds;

            #[automatically_derived]
            impl __ds::OptionValue for #ident {
                const CHOICES: &'static [__ds::Choice] = &[#(#listed),*];

                fn expected() -> ::std::string::String {
                    __ds::expected_choice(Self::CHOICES)
                }

                fn parse_option(
                    __raw: &str,
                ) -> ::core::result::Result<Self, ::std::string::String> {
                    let __raw = __raw.trim();
                    #(#parsed)*
                    ::core::result::Result::Err(::std::string::String::new())
                }

                fn to_option_text(&self) -> ::core::option::Option<::std::string::String> {
                    let __name = match self {
                        #(#named)*
                    };
                    ::core::option::Option::Some(::std::string::String::from(__name))
                }
            }

            #[automatically_derived]
            impl __ds::StrDefault for #ident {
                fn from_default(__text: &'static str) -> Self {
                    match <Self as __ds::OptionValue>::parse_option(__text) {
                        ::core::result::Result::Ok(__value) => __value,
                        ::core::result::Result::Err(_) => ::core::unreachable!(
                            "string defaults are checked against the choices when the crate compiles"
                        ),
                    }
                }
            }
        };
    }
}
