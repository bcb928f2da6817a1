//! The options of a struct, as `#[data_source]` and `#[derive(Options)]` read them: parsed once
//! into a model, checked, then expanded into an `Options` impl.

mod check;
mod expand;
mod parse;

use proc_macro2::Span;
use syn::{ExprRange, Ident, LitStr, Type};

pub use check::{bad_option_name, check};
pub use expand::{options_impl, placeholder_options_impl, specs_fn};
pub use parse::{parse_members, strip_option_attributes};

/// One field of an options struct.
// Built once per field while a crate compiles: the sizes of the variants do not matter.
#[allow(clippy::large_enum_variant)]
pub enum Member {
    /// A field that is one option.
    Option(OptionField),
    /// `#[option(flatten)]`: a field that is a group of options.
    Flatten(FlattenField),
    /// `#[option(skip)]`: a field that is not an option (state of the source: a cache, a
    /// client), made with `Default::default()`.
    Skip(SkipField),
    /// `#[option(prefix = "conn.")]`: a map of every option whose key starts with the prefix.
    Prefixed(PrefixedField),
}

/// `#[option(prefix = "conn.")] field: BTreeMap<String, V>` (or `HashMap`).
pub struct PrefixedField {
    pub ident: Ident,
    /// The field's type as written.
    pub ty: Type,
    /// `V`, what each value parses as; `None` when the type is no map of `String` keys.
    pub value_ty: Option<Type>,
    pub doc: String,
    pub prefix: LitStr,
    /// Other keys written beside `prefix` (they do not apply to a map of options).
    pub stray_keys: Vec<Span>,
}

/// `#[option(skip)] field: T`.
pub struct SkipField {
    pub ident: Ident,
    pub ty: Type,
    /// Other keys written beside `skip` (they do not apply to a field that is no option).
    pub stray_keys: Vec<Span>,
}

/// `#[option(flatten)] field: Group` (or `Option<Group>`).
pub struct FlattenField {
    pub ident: Ident,
    /// The group's type: `Group` for a field of type `Option<Group>`.
    pub group: Type,
    pub optional: bool,
    /// Other keys written beside `flatten` (they do not apply to a group).
    pub stray_keys: Vec<Span>,
}

/// One field: one option.
pub struct OptionField {
    pub ident: Ident,
    /// The field's type as written.
    pub ty: Type,
    /// What the option's value parses as: `T` for a field of type `Option<T>`, else `ty`.
    pub value_ty: Type,
    pub optional: bool,
    pub doc: String,
    /// The Spark-facing name and where it came from (the `name = ".."` literal or the field).
    pub name: String,
    pub name_span: Span,
    pub default: Option<DefaultValue>,
    pub required: Option<Span>,
    pub secret_attr: Option<Span>,
    pub range: Option<RangeValue>,
    pub choices: Option<(Vec<LitStr>, Span)>,
}

impl OptionField {
    /// Whether the option must be given.
    pub fn is_required(&self) -> bool {
        self.required.is_some() || (!self.optional && self.default.is_none())
    }
}

/// A number written in an attribute, read at compile time to check ranges and defaults.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// `default = ...`: an expression of the option's type, or a literal the macro converts.
pub struct DefaultValue {
    pub expr: syn::Expr,
    /// The literal (possibly negated), when the default is one.
    pub lit: Option<(syn::Lit, bool)>,
    /// Its value, when it is a number.
    pub number: Option<Number>,
}

impl DefaultValue {
    /// The default as users see it in docs (`4`, `-1.5`, `json`), when it is a literal.
    pub fn literal_text(&self) -> Option<String> {
        let (lit, negative) = self.lit.as_ref()?;
        let text = match lit {
            syn::Lit::Str(s) => s.value(),
            syn::Lit::Bool(b) => b.value.to_string(),
            syn::Lit::Int(i) => i.base10_digits().to_owned(),
            syn::Lit::Float(f) => f.base10_digits().to_owned(),
            syn::Lit::Char(c) => c.value().to_string(),
            other => quote::quote!(#other).to_string(),
        };
        Some(if *negative { format!("-{text}") } else { text })
    }

    /// The default as written, for messages.
    pub fn display(&self) -> String {
        self.literal_text().unwrap_or_else(|| {
            let expr = &self.expr;
            crate::ty::compact(&quote::quote!(#expr).to_string())
        })
    }
}

/// `range = a..b`, with its bounds read when they are number literals.
#[derive(Clone)]
pub struct RangeValue {
    pub expr: ExprRange,
    pub start: Option<Number>,
    pub end: Option<Number>,
    pub inclusive: bool,
}

impl RangeValue {
    pub fn contains(&self, value: Number) -> bool {
        let value = value.as_f64();
        let above = self.start.is_none_or(|s| value >= s.as_f64());
        let below = match (self.end, self.inclusive) {
            (None, _) => true,
            (Some(e), true) => value <= e.as_f64(),
            (Some(e), false) => value < e.as_f64(),
        };
        above && below
    }

    pub fn display(&self) -> String {
        let show = |n: Option<Number>| match n {
            None => String::new(),
            Some(Number::Int(i)) => i.to_string(),
            Some(Number::Float(f)) => format!("{f:?}"),
        };
        let dots = if self.inclusive { "..=" } else { ".." };
        format!("{}{dots}{}", show(self.start), show(self.end))
    }
}

#[cfg(test)]
mod tests;
