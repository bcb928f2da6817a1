//! Code generation from the checked model: the `Options` impl with its option table and
//! parser. The generated code is small; the work happens in `datasource_core::options`. Every
//! expansion runs inside a `const _: () = { use <facade>::__private as __ds; ... }` block.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Lit, LitFloat};

use super::{Member, Number, OptionField};
use crate::ty::{Known, display};

/// `impl Options for #ident`, plus one function per default (so a default written as an
/// expression is type-checked once, on the user's tokens). Every option type is named in
/// `parse` only (`specs` runs `parse` in describe mode), so a type that is not an option is
/// reported once.
pub fn options_impl(ident: &Ident, members: &[Member]) -> TokenStream {
    let specs_fn = specs_fn();
    let defaults = members.iter().filter_map(|member| match member {
        Member::Option(option) => default_fn(option),
        Member::Flatten(_) | Member::Skip(_) | Member::Prefixed(_) => None,
    });
    // One check per field, spanned on the user's tokens, in the same body as the parsing: the
    // compiler then reports a type that is not an option once, with the trait's own message.
    let type_checks = members.iter().map(type_checks);
    let parsed = members.iter().map(parse_member);
    let assigned = members.iter().map(|member| match member {
        Member::Option(option) if option.optional => {
            let field = &option.ident;
            quote! { #field }
        }
        Member::Option(option) => {
            let field = &option.ident;
            quote! { #field: #field? }
        }
        Member::Flatten(group) => {
            let field = &group.ident;
            quote! { #field: #field? }
        }
        Member::Prefixed(prefixed) => {
            let field = &prefixed.ident;
            quote! { #field: #field?.into_iter().collect() }
        }
        Member::Skip(skipped) => {
            let field = &skipped.ident;
            quote! { #field: ::core::default::Default::default() }
        }
    });

    let names = names_const(members);

    quote! {
        #(#defaults)*

        #[automatically_derived]
        impl __ds::Options for #ident {
            #names
            #specs_fn

            fn parse(
                __parser: &mut __ds::OptionsParser<'_>,
            ) -> ::core::option::Option<Self> {
                #(#type_checks)*
                #(#parsed)*
                ::core::option::Option::Some(Self { #(#assigned),* })
            }
        }
    }
}

/// `Options::NAMES`: the option names of the fields, and each flattened group's (checked for
/// collisions where a `#[data_source]` compiles).
fn names_const(members: &[Member]) -> TokenStream {
    let own = members.iter().filter_map(|member| match member {
        Member::Option(option) => {
            let (name, field) = (&option.name, option.ident.to_string());
            Some(quote! { (#name, #field) })
        }
        Member::Prefixed(prefixed) => {
            let (name, field) = (prefixed.prefix.value(), prefixed.ident.to_string());
            Some(quote! { (#name, #field) })
        }
        Member::Flatten(_) | Member::Skip(_) => None,
    });
    let groups = members.iter().filter_map(|member| match member {
        Member::Flatten(group) => {
            let (field, ty) = (group.ident.to_string(), &group.group);
            Some(quote_spanned! {ty.span()=> (#field, __ds::group_names::<#ty>()) })
        }
        Member::Option(_) | Member::Skip(_) | Member::Prefixed(_) => None,
    });
    quote! {
        const NAMES: __ds::OptionNames = __ds::OptionNames {
            own: &[#(#own),*],
            groups: &[#(#groups),*],
        };
    }
}

/// `Options::specs`: `parse` run once in describe mode, kept for the life of the process.
pub fn specs_fn() -> TokenStream {
    quote! {
        fn specs() -> &'static [__ds::OptionSpec] {
            static SPECS: ::std::sync::OnceLock<::std::vec::Vec<__ds::OptionSpec>> =
                ::std::sync::OnceLock::new();
            SPECS.get_or_init(__ds::describe::<Self>)
        }
    }
}

/// The `Options` impl emitted when the macro reported errors: it never runs (the crate does
/// not compile), it only keeps uses of the type from adding errors of their own.
pub fn placeholder_options_impl(ident: &Ident) -> TokenStream {
    quote! {
        impl __ds::Options for #ident {
            fn specs() -> &'static [__ds::OptionSpec] {
                &[]
            }
            fn parse(_: &mut __ds::OptionsParser<'_>) -> ::core::option::Option<Self> {
                ::core::unreachable!("the options macro reported errors at compile time")
            }
        }
    }
}

fn type_checks(member: &Member) -> TokenStream {
    match member {
        Member::Option(option) => {
            let ty = &option.value_ty;
            quote_spanned! {ty.span()=> __ds::assert_option_value::<#ty>(); }
        }
        Member::Flatten(group) => {
            let ty = &group.group;
            quote_spanned! {ty.span()=> __ds::group_names::<#ty>(); }
        }
        Member::Prefixed(prefixed) => match &prefixed.value_ty {
            Some(ty) => quote_spanned! {ty.span()=> __ds::assert_option_value::<#ty>(); },
            None => TokenStream::new(),
        },
        // Spanned on the type: one that has no default is reported there.
        Member::Skip(skipped) => {
            let ty = &skipped.ty;
            quote_spanned! {ty.span()=> let _ = <#ty as ::core::default::Default>::default; }
        }
    }
}

fn parse_member(member: &Member) -> TokenStream {
    match member {
        Member::Option(option) => {
            let field = &option.ident;
            let ty = &option.value_ty;
            let in_range = match &option.range {
                Some(range) => {
                    let bound = |bound: Option<Number>| match bound {
                        Some(Number::Int(int)) => {
                            quote! { ::core::option::Option::Some(__ds::Number::Int(#int)) }
                        }
                        Some(Number::Float(float)) => {
                            quote! { ::core::option::Option::Some(__ds::Number::Float(#float)) }
                        }
                        None => quote! { ::core::option::Option::None },
                    };
                    let (start, end, inclusive) =
                        (bound(range.start), bound(range.end), range.inclusive);
                    // Spanned on the range: a type that is not a number is reported there.
                    quote_spanned! {range.expr.span()=>
                        |__value: &#ty| __ds::NumberRange {
                            start: #start,
                            end: #end,
                            inclusive: #inclusive,
                        }
                        .contains(__value)
                    }
                }
                None => quote! { |_: &#ty| true },
            };
            let default = match &option.default {
                Some(default) => {
                    let function = default_fn_name(option);
                    let literal = match default.literal_text() {
                        Some(text) => quote! { ::core::option::Option::Some(#text) },
                        None => quote! { ::core::option::Option::None },
                    };
                    let written = default.display();
                    quote! {
                        ::core::option::Option::Some(__ds::DefaultValue {
                            value: #function,
                            literal: #literal,
                            written: #written,
                        })
                    }
                }
                None => quote! { ::core::option::Option::None },
            };
            let spec = spec(option);
            quote! {
                let #field = __parser.option::<#ty>(#spec, #default, #in_range);
            }
        }
        Member::Flatten(group) => {
            let field = &group.ident;
            let ty = &group.group;
            if group.optional {
                quote! { let #field = <#ty as __ds::Options>::parse_if_given(__parser); }
            } else {
                quote! { let #field = <#ty as __ds::Options>::parse(__parser); }
            }
        }
        Member::Prefixed(prefixed) => {
            let field = &prefixed.ident;
            let ty = &prefixed.value_ty;
            let name = prefixed.prefix.value();
            let field_name = field.to_string();
            let help = &prefixed.doc;
            let rust_type = display(&prefixed.ty);
            quote! {
                let #field = __parser.prefixed::<#ty>(__ds::OptionSpec {
                    field: #field_name,
                    help: #help,
                    rust_type: #rust_type,
                    ..__ds::OptionSpec::named(#name)
                });
            }
        }
        Member::Skip(_) => TokenStream::new(),
    }
}

fn default_fn_name(option: &OptionField) -> Ident {
    format_ident!(
        "__default_{}",
        option.ident.to_string().trim_start_matches("r#")
    )
}

/// `fn __default_<field>() -> T { ... }`: the default as a value of the option's type, spanned
/// on the user's tokens so a mismatch points at them. Literals the macro knows how to convert
/// (numbers, strings for strings and paths, durations) are converted; a string for any other
/// type goes through `StrDefault`, checked against the type's choices when the crate compiles.
fn default_fn(option: &OptionField) -> Option<TokenStream> {
    let default = option.default.as_ref()?;
    let name = default_fn_name(option);
    let ty = &option.value_ty;
    let expr = &default.expr;
    let span = expr.span();
    let body = match (Known::of(ty), default.lit.as_ref()) {
        (Known::Float, Some((Lit::Int(int), negative))) => {
            let float = LitFloat::new(&format!("{}.0", int.base10_digits()), int.span());
            let sign = negative.then(|| quote!(-));
            quote_spanned! {span=> #sign #float }
        }
        (Known::String, Some((Lit::Str(text), _))) => {
            quote_spanned! {span=> ::std::string::String::from(#text) }
        }
        (Known::Char, Some((Lit::Str(text), _))) => {
            let c = syn::LitChar::new(text.value().chars().next().unwrap_or(' '), text.span());
            quote_spanned! {span=> #c }
        }
        (Known::Duration, Some((Lit::Str(text), _))) => {
            // Checked when the model was; a failure here was already reported.
            let duration = humantime::parse_duration(&text.value()).unwrap_or_default();
            let (secs, nanos) = (duration.as_secs(), duration.subsec_nanos());
            quote_spanned! {span=> ::core::time::Duration::new(#secs, #nanos) }
        }
        (Known::Path, Some((Lit::Str(text), _))) => {
            quote_spanned! {span=> ::std::path::PathBuf::from(#text) }
        }
        (_, Some((Lit::Str(text), _))) => {
            let message = format!(
                "default `{}` is not one of the choices of `{}`",
                text.value(),
                display(ty)
            );
            quote_spanned! {span=>
                const _: () = ::core::assert!(__ds::is_choice_or_free::<#ty>(#text), #message);
                <#ty as __ds::StrDefault>::from_default(#text)
            }
        }
        _ => quote_spanned! {span=> #expr },
    };
    Some(quote_spanned! {span=>
        #[allow(non_snake_case)]
        fn #name() -> #ty {
            #body
        }
    })
}

/// The option's description; `option` completes it with what its type says (secret, choices)
/// and its default.
fn spec(option: &OptionField) -> TokenStream {
    let name = &option.name;
    let field = option.ident.to_string();
    let help = &option.doc;
    let rust_type = display(&option.ty);
    let required = option.is_required();
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
            default: ::core::option::Option::None,
            required: #required,
            secret: false,
            range: #range,
            choices: &[#(__ds::Choice { name: #choices, help: "" }),*],
            exclusive_with: &[],
            prefix: false,
        }
    }
}
