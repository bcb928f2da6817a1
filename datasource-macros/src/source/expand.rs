//! Code generation from the checked model: the `DataSource` impl with its option table and
//! parser. The generated code is small; the work happens in `datasource_core::options`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Lit, LitFloat};

use super::{OptionField, Source};
use crate::ty::{Known, display};

pub fn expand(source: &Source, item: &syn::ItemStruct) -> TokenStream {
    let krate = &source.krate;
    let ident = &item.ident;
    let name = source.name.as_ref().map(|n| n.value()).unwrap_or_default();
    let description = &source.doc;

    let specs = source.options.iter().map(spec);
    // One check per field, spanned on its type, in the same body as the `parse::<T>` calls: the
    // compiler then reports a type that is not an option once, with `OptionValue`'s message,
    // instead of once more for every call that needs it.
    let type_checks = source.options.iter().map(|option| {
        let ty = &option.value_ty;
        quote_spanned! {ty.span()=> __ds::assert_option_value::<#ty>(); }
    });
    let parsed = source.options.iter().enumerate().map(|(index, option)| {
        let field = &option.ident;
        let ty = &option.value_ty;
        let in_range = match &option.range {
            Some(range) => {
                let expr = &range.expr;
                quote_spanned! {expr.span()=>
                    |__value: &#ty| ::core::ops::RangeBounds::contains(&(#expr), __value)
                }
            }
            None => quote! { |_: &#ty| true },
        };
        let fallback = option
            .default
            .as_ref()
            .map(|_| default_value(option, index));
        let fallback = fallback.map(|value| {
            quote! {
                let #field = match #field {
                    ::core::option::Option::Some(__given) => ::core::option::Option::Some(__given),
                    ::core::option::Option::None => #value,
                };
            }
        });
        quote! {
            let #field = __parser.parse::<#ty>(&Self::OPTIONS[#index], #in_range);
            #fallback
        }
    });
    let assigned = source.options.iter().map(|option| {
        let field = &option.ident;
        if option.optional {
            quote! { #field }
        } else {
            quote! { #field: __ds::present(#field) }
        }
    });

    quote! {
        #item

        #[doc(hidden)]
        #[allow(non_upper_case_globals, clippy::all)]
        const _: () = {
            use #krate::__private as __ds;

            #[automatically_derived]
            impl __ds::DataSource for #ident {
                const NAME: &'static str = #name;
                const DESCRIPTION: &'static str = #description;
                const OPTIONS: &'static [__ds::OptionSpec] = &[#(#specs),*];

                fn from_options(
                    __raw: &__ds::RawOptions,
                ) -> ::core::result::Result<Self, __ds::OptionsError> {
                    #(#type_checks)*
                    let mut __parser = __ds::OptionsParser::new(#name, Self::OPTIONS, __raw);
                    #(#parsed)*
                    __parser.finish()?;
                    ::core::result::Result::Ok(Self { #(#assigned),* })
                }
            }
        };
    }
}

/// The `DataSource` impl emitted when the macro reported errors: it never runs (the crate does
/// not compile), it only keeps uses of the struct (`impl BatchReader`, `export!`) from adding
/// errors of their own.
pub fn placeholder(source: &Source, item: &syn::ItemStruct) -> TokenStream {
    if !item.generics.params.is_empty() {
        return TokenStream::new();
    }
    let krate = &source.krate;
    let ident = &item.ident;
    quote! {
        #[doc(hidden)]
        const _: () = {
            use #krate::__private as __ds;

            impl __ds::DataSource for #ident {
                const NAME: &'static str = "";
                const DESCRIPTION: &'static str = "";
                const OPTIONS: &'static [__ds::OptionSpec] = &[];

                fn from_options(
                    _: &__ds::RawOptions,
                ) -> ::core::result::Result<Self, __ds::OptionsError> {
                    ::core::unreachable!("`#[data_source]` reported errors at compile time")
                }
            }
        };
    }
}

fn spec(option: &OptionField) -> TokenStream {
    let name = &option.name;
    let field = option.ident.to_string();
    let help = &option.doc;
    let rust_type = display(&option.ty);
    let default = match &option.default {
        Some(default) => {
            let shown = default.display();
            quote! { ::core::option::Option::Some(#shown) }
        }
        None => quote! { ::core::option::Option::None },
    };
    let required = option.is_required();
    let secret = option.is_secret();
    let range = match &option.range {
        Some(range) => {
            let shown = range.display();
            quote! { ::core::option::Option::Some(#shown) }
        }
        None => quote! { ::core::option::Option::None },
    };
    let choices = option
        .choices
        .iter()
        .flat_map(|(choices, _)| choices.iter());
    quote! {
        __ds::OptionSpec {
            name: #name,
            field: #field,
            help: #help,
            rust_type: #rust_type,
            default: #default,
            required: #required,
            secret: #secret,
            range: #range,
            choices: &[#(#choices),*],
        }
    }
}

/// The default as a typed `Option` expression, spanned on the user's literal so a type mismatch points
/// at it. Strings for types other than `String` and `char` are parsed at run time by the
/// option's own parser (a failure there is reported like any invalid option, never a panic).
fn default_value(option: &OptionField, index: usize) -> TokenStream {
    let default = option
        .default
        .as_ref()
        .expect("called for options with a default");
    let expr = &default.expr;
    let ty = &option.value_ty;
    let span = expr.span();
    match (Known::of(ty), &default.lit) {
        (Known::Float, Lit::Int(int)) => {
            let float = LitFloat::new(&format!("{}.0", int.base10_digits()), int.span());
            let sign = default.negative.then(|| quote!(-));
            quote_spanned! {span=> ::core::option::Option::Some::<#ty>(#sign #float) }
        }
        (Known::String, Lit::Str(text)) => {
            quote_spanned! {span=> ::core::option::Option::Some(::std::string::String::from(#text)) }
        }
        (Known::Char, Lit::Str(text)) => {
            let c = syn::LitChar::new(text.value().chars().next().unwrap_or(' '), text.span());
            quote_spanned! {span=> ::core::option::Option::Some(#c) }
        }
        (_, Lit::Str(text)) => {
            quote_spanned! {span=> __parser.parse_default::<#ty>(&Self::OPTIONS[#index], #text) }
        }
        _ => quote_spanned! {span=>
            ::core::option::Option::Some({
                let __default: #ty = #expr;
                __default
            })
        },
    }
}
