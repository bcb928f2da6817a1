//! Facts about a field's type that can be read from its syntax (the macro cannot resolve
//! types; everything else is left to the compiler, with errors spanned on the user's tokens).

use syn::{GenericArgument, PathArguments, Type};

/// The `T` of `Option<T>` (also `std::option::Option<T>`), if the type is written that way.
pub fn option_inner(ty: &Type) -> Option<&Type> {
    generic_arg_of(ty, "Option")
}

pub fn generic_arg_of<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// The kinds of option type the macro knows by name, to check literal defaults and ranges with
/// pointed messages; anything else (an alias, a type of the user's) is left to the compiler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    Unsigned { max: u128 },
    Signed { min: i128, max: i128 },
    Float,
    Bool,
    String,
    Char,
    Duration,
    Path,
    Other,
}

impl Known {
    pub fn of(ty: &Type) -> Known {
        let Type::Path(path) = ty else {
            return Known::Other;
        };
        let Some(last) = path.path.segments.last() else {
            return Known::Other;
        };
        if !last.arguments.is_empty() {
            return Known::Other;
        }
        match last.ident.to_string().as_str() {
            "u8" => Known::Unsigned {
                max: u8::MAX.into(),
            },
            "u16" => Known::Unsigned {
                max: u16::MAX.into(),
            },
            "u32" => Known::Unsigned {
                max: u32::MAX.into(),
            },
            "u64" | "usize" => Known::Unsigned {
                max: u64::MAX.into(),
            },
            "i8" => Known::Signed {
                min: i8::MIN.into(),
                max: i8::MAX.into(),
            },
            "i16" => Known::Signed {
                min: i16::MIN.into(),
                max: i16::MAX.into(),
            },
            "i32" => Known::Signed {
                min: i32::MIN.into(),
                max: i32::MAX.into(),
            },
            "i64" | "isize" => Known::Signed {
                min: i64::MIN.into(),
                max: i64::MAX.into(),
            },
            "f32" | "f64" => Known::Float,
            "bool" => Known::Bool,
            "String" => Known::String,
            "char" => Known::Char,
            "Duration" => Known::Duration,
            "PathBuf" => Known::Path,
            _ => Known::Other,
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Known::Unsigned { .. } | Known::Signed { .. } | Known::Float
        )
    }
}

/// Whether a row field type is, by its spelling, one the SDK maps to Spark (`i64`,
/// `Option<String>`, `Vec<NaiveDate>`...). The derive only adds `where` bounds for the other
/// field types (such as a nested row), to keep the impls it documents readable.
pub fn is_builtin_spark_type(ty: &Type) -> bool {
    let Type::Path(path) = ty else { return false };
    if path.qself.is_some() {
        return false;
    }
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    let types: Vec<&Type> = match &last.arguments {
        PathArguments::None => Vec::new(),
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|arg| match arg {
                GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect(),
        PathArguments::Parenthesized(_) => return false,
    };
    let arity = match &last.arguments {
        PathArguments::AngleBracketed(args) => args.args.len(),
        _ => 0,
    };
    match (last.ident.to_string().as_str(), arity) {
        (
            "bool" | "i8" | "i16" | "i32" | "i64" | "f32" | "f64" | "String" | "Binary"
            | "NaiveDate" | "NaiveDateTime",
            0,
        ) => true,
        ("DateTime", 1) => matches!(
            types.first(),
            Some(Type::Path(tz)) if tz.path.segments.last().is_some_and(|s| s.ident == "Utc")
        ),
        ("Decimal", 2) => types.is_empty(),
        ("Option" | "Vec", 1) | ("BTreeMap" | "HashMap", 2) => {
            types.len() == arity && types.into_iter().all(is_builtin_spark_type)
        }
        _ => false,
    }
}

/// A type as the user wrote it, compactly (`Option<Secret<String>>`), for docs and messages.
pub fn display(ty: &Type) -> String {
    compact(&quote::quote!(#ty).to_string())
}

/// Tokens printed by `quote` (`Duration :: from_secs (30)`), with the spaces a person would
/// leave out removed (`Duration::from_secs(30)`).
pub fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for token in text.split(' ') {
        let glue = matches!(token, "<" | ">" | "::" | "," | "&" | "." | "!")
            || token.starts_with(['(', '[', ')', ']'])
            || out.ends_with('<')
            || out.ends_with('(')
            || out.ends_with('[')
            || out.ends_with('.')
            || out.ends_with('!')
            || out.ends_with("::")
            || out.ends_with('&')
            || out.is_empty();
        if !glue {
            out.push(' ');
        }
        out.push_str(token);
        if token == "," {
            out.push(' ');
        }
    }
    out.replace(",  ", ", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn reads_wrappers_and_known_types() {
        let ty: Type = parse_quote!(Option<u32>);
        assert_eq!(option_inner(&ty), Some(&parse_quote!(u32)));
        let ty: Type = parse_quote!(std::option::Option<String>);
        assert!(option_inner(&ty).is_some());
        assert_eq!(Known::of(&parse_quote!(u8)), Known::Unsigned { max: 255 });
        assert_eq!(
            Known::of(&parse_quote!(std::time::Duration)),
            Known::Duration
        );
        assert_eq!(Known::of(&parse_quote!(Vec<u8>)), Known::Other);
    }

    #[test]
    fn knows_builtin_spark_types_by_spelling() {
        for ty in [
            parse_quote!(i64),
            parse_quote!(Option<String>),
            parse_quote!(Vec<Option<chrono::NaiveDate>>),
            parse_quote!(DateTime<Utc>),
            parse_quote!(Decimal<12, 2>),
            parse_quote!(std::collections::HashMap<String, Vec<f64>>),
        ] {
            assert!(is_builtin_spark_type(&ty), "{}", display(&ty));
        }
        for ty in [
            parse_quote!(u32),
            parse_quote!(Address),
            parse_quote!(Option<Address>),
            parse_quote!(Vec<u16>),
            parse_quote!(DateTime<Local>),
            parse_quote!(HashMap<String, i64, MyHasher>),
            parse_quote!(Decimal<P, S>),
        ] {
            assert!(!is_builtin_spark_type(&ty), "{}", display(&ty));
        }
    }

    #[test]
    fn displays_types_compactly() {
        assert_eq!(
            display(&parse_quote!(Option<Secret<String>>)),
            "Option<Secret<String>>"
        );
        assert_eq!(
            display(&parse_quote!(std::time::Duration)),
            "std::time::Duration"
        );
        assert_eq!(
            display(&parse_quote!(HashMap<String, u32>)),
            "HashMap<String, u32>"
        );
        let expr: syn::Expr = parse_quote!(Duration::from_secs(30));
        assert_eq!(
            compact(&quote::quote!(#expr).to_string()),
            "Duration::from_secs(30)"
        );
        let expr: syn::Expr = parse_quote!(vec![1, 2]);
        assert_eq!(compact(&quote::quote!(#expr).to_string()), "vec![1, 2]");
    }
}
