//! Facts about a field's type that can be read from its syntax (the macro cannot resolve
//! types; everything else is left to the compiler, with errors spanned on the user's tokens).

use syn::{GenericArgument, PathArguments, Type};

/// The `T` of `Option<T>` (also `std::option::Option<T>`), if the type is written that way.
pub fn option_inner(ty: &Type) -> Option<&Type> {
    generic_arg_of(ty, "Option")
}

/// The `T` of `Secret<T>`, if the type is written that way.
pub fn secret_inner(ty: &Type) -> Option<&Type> {
    generic_arg_of(ty, "Secret")
}

fn generic_arg_of<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
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

/// The kinds of option type the macro knows by name, to check defaults and ranges early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    Unsigned { max: u128 },
    Signed { min: i128, max: i128 },
    Float,
    Bool,
    String,
    Char,
    Duration,
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
            "u8" => Known::Unsigned { max: u8::MAX.into() },
            "u16" => Known::Unsigned { max: u16::MAX.into() },
            "u32" => Known::Unsigned { max: u32::MAX.into() },
            "u64" | "usize" => Known::Unsigned { max: u64::MAX.into() },
            "i8" => Known::Signed { min: i8::MIN.into(), max: i8::MAX.into() },
            "i16" => Known::Signed { min: i16::MIN.into(), max: i16::MAX.into() },
            "i32" => Known::Signed { min: i32::MIN.into(), max: i32::MAX.into() },
            "i64" | "isize" => Known::Signed { min: i64::MIN.into(), max: i64::MAX.into() },
            "f32" | "f64" => Known::Float,
            "bool" => Known::Bool,
            "String" => Known::String,
            "char" => Known::Char,
            "Duration" => Known::Duration,
            _ => Known::Other,
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Known::Unsigned { .. } | Known::Signed { .. } | Known::Float)
    }
}

/// A type as the user wrote it, compactly (`Option<Secret<String>>`), for docs and messages.
pub fn display(ty: &Type) -> String {
    let text = quote::quote!(#ty).to_string();
    let mut out = String::with_capacity(text.len());
    for token in text.split(' ') {
        let glue = matches!(token, "<" | ">" | "::" | "," | "&")
            || out.ends_with('<')
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
        let ty: Type = parse_quote!(Secret<String>);
        assert!(secret_inner(&ty).is_some());
        assert_eq!(Known::of(&parse_quote!(u8)), Known::Unsigned { max: 255 });
        assert_eq!(Known::of(&parse_quote!(std::time::Duration)), Known::Duration);
        assert_eq!(Known::of(&parse_quote!(Vec<u8>)), Known::Other);
    }

    #[test]
    fn displays_types_compactly() {
        assert_eq!(display(&parse_quote!(Option<Secret<String>>)), "Option<Secret<String>>");
        assert_eq!(display(&parse_quote!(std::time::Duration)), "std::time::Duration");
        assert_eq!(display(&parse_quote!(HashMap<String, u32>)), "HashMap<String, u32>");
    }
}
