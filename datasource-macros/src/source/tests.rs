use proc_macro2::TokenStream;
use quote::quote;
use syn::parse_quote;

use super::{Source, check, parse};
use crate::ctxt::Ctxt;

fn model(args: TokenStream, item: syn::ItemStruct) -> (Source, Vec<String>) {
    let mut cx = Ctxt::new();
    let source = parse::parse(args, &item, &mut cx);
    check::check(&source, &mut cx);
    let errors = match cx.check() {
        Ok(()) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
    };
    (source, errors)
}

#[test]
fn reads_names_defaults_and_docs() {
    let (source, errors) = model(
        quote!(name = "fakepeople"),
        parse_quote! {
            /// Synthetic people.
            struct FakePeople {
                /// Rows to produce.
                #[option(default = 1000, range = 0..)]
                num_rows: u64,
                #[option(name = "parts", default = 4, range = 1..=1024)]
                num_partitions: u32,
                #[option(choices = ["json", "csv"], default = "json")]
                format: String,
                token: Option<Secret<String>>,
                url: String,
            }
        },
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(source.name.unwrap().value(), "fakepeople");
    assert_eq!(source.doc, "Synthetic people.");
    let names: Vec<_> = source.options.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["numRows", "parts", "format", "token", "url"]);
    let first = &source.options[0];
    assert_eq!(first.doc, "Rows to produce.");
    assert_eq!(first.default.as_ref().unwrap().display(), "1000");
    assert_eq!(first.range.as_ref().unwrap().display(), "0..");
    assert!(!first.is_required());
    assert_eq!(
        source.options[1].range.as_ref().unwrap().display(),
        "1..=1024"
    );
    assert!(source.options[3].optional && source.options[3].is_secret());
    assert!(!source.options[3].is_required());
    assert!(
        source.options[4].is_required(),
        "no default, not Option: required"
    );
}

#[test]
fn reports_every_mistake_at_once() {
    let (_, errors) = model(
        quote!(),
        parse_quote! {
            struct Bad {
                #[option(default = "abc")]
                a: u64,
                #[option(required, default = 1)]
                b: u32,
                #[option(range = 5..5)]
                c: u32,
                #[option(range = 10..=1)]
                d: u32,
                #[option(range = 0..10)]
                e: String,
                #[option(colour = "red")]
                f: u32,
                g_h: u32,
                #[option(name = "GH")]
                gh: u32,
                #[option(secret)]
                password: String,
                #[option(default = 0, range = 1..)]
                i: u32,
                #[option(default = -1)]
                j: u8,
                #[option(default = "xml", choices = ["json"])]
                k: String,
                #[option(default = 1)]
                l: Option<u32>,
                #[option(default = "soon")]
                m: Duration,
            }
        },
    );
    let expected = [
        "missing `name`",
        "unknown `option` attribute `colour`",
        "default `abc` is not a `u64`: write a whole number",
        "`required` and `default` contradict each other",
        "range `5..5` is empty",
        "range `10..=1` is inverted",
        "`range` needs a numeric option, but `e` is `String`",
        "option name `GH` collides with `gH` (field `g_h`)",
        "`secret` needs the field type `Secret<...>`",
        "default `0` is outside the option's range `1..`",
        "default `-1` is not a `u8`: it must be in 0..=255",
        "default `xml` is not one of the choices `json`",
        "an `Option<...>` field has no default",
        "default `soon` is not a `Duration`",
    ];
    for want in expected {
        assert!(
            errors.iter().any(|e| e.contains(want)),
            "missing {want:?} in {errors:#?}"
        );
    }
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
}

#[test]
fn duplicate_keys_are_refused() {
    let (_, errors) = model(
        quote!(name = "x", name = "y"),
        parse_quote! {
            struct S {
                #[option(default = 1, default = 2)]
                a: u32,
            }
        },
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| e.contains("may only be specified once"))
    );
}

#[test]
fn generic_and_tuple_structs_are_refused() {
    let (_, errors) = model(
        quote!(name = "x"),
        parse_quote!(
            struct S<T>(T);
        ),
    );
    assert!(
        errors.iter().any(|e| e.contains("named fields")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("cannot be generic")),
        "{errors:?}"
    );
}

#[test]
fn a_bad_key_does_not_hide_the_keys_after_it() {
    let (source, errors) = model(
        quote!(version = "1", name = "x"),
        parse_quote! {
            struct S {
                #[option(colour = "red", name = "other", defualt = 1, required)]
                a: u32,
            }
        },
    );
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[0].contains("unknown `data_source` attribute `version`"));
    assert!(errors[1].contains("unknown `option` attribute `colour`"));
    assert!(errors[2].contains("`defualt`; did you mean `default`?"));
    assert_eq!(source.name.unwrap().value(), "x");
    assert_eq!(source.options[0].name, "other");
    assert!(source.options[0].required.is_some());
}

#[test]
fn a_misspelt_or_malformed_name_is_not_also_missing() {
    for args in [quote!(nmae = "x"), quote!(name = x), quote!(name)] {
        let (_, errors) = model(
            args,
            parse_quote!(
                struct S {}
            ),
        );
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(!errors[0].contains("missing"), "{errors:#?}");
    }
}

#[test]
fn errors_come_in_source_order() {
    let (_, errors) = model(
        quote!(),
        parse_quote! {
            struct S {
                #[option(default = "x")]
                a: u32,
                #[option(colour)]
                b: u32,
            }
        },
    );
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[0].contains("missing `name`"));
    assert!(errors[1].contains("default `x`"));
    assert!(errors[2].contains("`colour`"));
}
