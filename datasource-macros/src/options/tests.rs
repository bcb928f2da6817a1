use proc_macro2::TokenStream;
use quote::quote;
use syn::parse_quote;

use super::{Member, OptionField};
use crate::ctxt::Ctxt;
use crate::source::{Source, check, parse};

fn model(args: TokenStream, item: syn::ItemStruct) -> (Source, Vec<String>) {
    let mut cx = Ctxt::new();
    let source = parse(args, &item, &mut cx);
    check(&source, &mut cx);
    let errors = match cx.check() {
        Ok(()) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
    };
    (source, errors)
}

fn options(source: &Source) -> Vec<&OptionField> {
    source
        .members
        .iter()
        .filter_map(|member| match member {
            Member::Option(option) => Some(option),
            Member::Flatten(_) | Member::Skip(_) | Member::Prefixed(_) => None,
        })
        .collect()
}

#[test]
fn a_prefix_field_is_a_map_of_the_options_it_starts() {
    let (source, errors) = model(
        quote!(name = "db"),
        parse_quote! {
            struct Db {
                url: String,
                /// Settings of the connection.
                #[option(prefix = "conn.")]
                settings: BTreeMap<String, String>,
                #[option(prefix = "auth.")]
                credentials: std::collections::HashMap<String, Secret<String>>,
            }
        },
    );
    assert!(errors.is_empty(), "{errors:?}");
    let Member::Prefixed(settings) = &source.members[1] else {
        panic!("a prefixed member")
    };
    assert_eq!(settings.prefix.value(), "conn.");
    assert_eq!(settings.doc, "Settings of the connection.");
    let Some(Member::Prefixed(credentials)) = source.members.last() else {
        panic!("a prefixed member")
    };
    let value = credentials.value_ty.as_ref().unwrap();
    assert_eq!(quote!(#value).to_string(), "Secret < String >");
}

#[test]
fn a_prefix_field_that_cannot_be_one_is_reported() {
    let (_, errors) = model(
        quote!(name = "db"),
        parse_quote! {
            struct Db {
                #[option(prefix = "conn.", default = 1)]
                a: BTreeMap<String, u32>,
                #[option(prefix = "x.")]
                b: Vec<String>,
                #[option(prefix = "Option.")]
                c: BTreeMap<String, String>,
                #[option(prefix = "")]
                d: BTreeMap<String, String>,
                #[option(prefix = "k.")]
                e: BTreeMap<u32, String>,
            }
        },
    );
    let expected = [
        "`prefix` takes no other keys",
        "a `prefix` field is a map from the rest of each key to its value: `BTreeMap<String, V>` or `HashMap<String, V>` with `V` an option type, not `Vec<String>`",
        "`option.` is Spark's own prefix",
        "a prefix cannot be empty",
        "not `BTreeMap<u32, String>`",
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
                #[option(flatten)]
                common: Option<Common>,
            }
        },
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(source.name.as_ref().unwrap().value(), "fakepeople");
    assert_eq!(source.doc, "Synthetic people.");
    let options = options(&source);
    let names: Vec<_> = options.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["numRows", "parts", "format", "token", "url"]);
    let Some(Member::Flatten(group)) = source.members.last() else {
        panic!("the last member is a group")
    };
    assert!(group.optional && group.stray_keys.is_empty());
    let first = &options[0];
    assert_eq!(first.doc, "Rows to produce.");
    assert_eq!(first.default.as_ref().unwrap().display(), "1000");
    assert_eq!(
        first.default.as_ref().unwrap().literal_text().as_deref(),
        Some("1000")
    );
    assert_eq!(first.range.as_ref().unwrap().display(), "0..");
    assert!(!first.is_required());
    assert_eq!(options[1].range.as_ref().unwrap().display(), "1..=1024");
    assert!(options[3].optional);
    assert!(!options[3].is_required());
    assert!(options[4].is_required(), "no default, not Option: required");
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
                #[option(flatten, default = 1)]
                group: Group,
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
        "`flatten` takes no other keys",
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
    assert_eq!(source.name.as_ref().unwrap().value(), "x");
    let options = options(&source);
    assert_eq!(options[0].name, "other");
    assert!(options[0].required.is_some());
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

#[test]
fn types_the_macro_cannot_name_are_left_to_the_compiler() {
    let (source, errors) = model(
        quote!(name = "x"),
        parse_quote! {
            struct S {
                #[option(default = 4, range = 1..=8)]
                count: Count,
                #[option(default = Mode::Fast)]
                mode: Mode,
                #[option(default = "fast")]
                other: Mode,
                #[option(default = Duration::from_secs(3))]
                timeout: Duration,
            }
        },
    );
    assert!(errors.is_empty(), "{errors:#?}");
    let options = options(&source);
    assert_eq!(options[1].default.as_ref().unwrap().display(), "Mode::Fast");
    assert!(
        options[1]
            .default
            .as_ref()
            .unwrap()
            .literal_text()
            .is_none()
    );
    assert_eq!(
        options[3].default.as_ref().unwrap().display(),
        "Duration::from_secs(3)"
    );
}

#[test]
fn a_skipped_field_is_no_option_and_takes_no_other_key() {
    let (source, errors) = model(
        quote!(name = "tail"),
        parse_quote! {
            struct Tail {
                path: String,
                #[option(skip)]
                committed: Mutex<Positions>,
                #[option(skip, default = 3)]
                cache: Vec<u8>,
            }
        },
    );
    let names: Vec<_> = options(&source).iter().map(|o| o.name.clone()).collect();
    assert_eq!(names, ["path"]);
    assert!(matches!(&source.members[1], Member::Skip(field) if field.ident == "committed"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("`skip` takes no other keys"),
        "{errors:?}"
    );
}
