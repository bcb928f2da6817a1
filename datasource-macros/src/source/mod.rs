//! `#[data_source]`: parse the struct into a model, check it, then generate code from the model.

mod check;
mod expand;
mod parse;

use proc_macro2::{Span, TokenStream};
use syn::{ExprRange, Ident, LitStr, Path, Type};

use crate::ctxt::Ctxt;

/// A data source struct, as the macro understands it.
pub struct Source {
    pub item: syn::ItemStruct,
    pub name: Option<LitStr>,
    /// Whether a `name` key was written, even a malformed one (then only that is reported).
    pub name_written: bool,
    pub krate: Path,
    pub doc: String,
    pub options: Vec<OptionField>,
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
    /// Whether the value is a secret: written `Secret<T>` (a `secret` attribute must agree).
    pub fn is_secret(&self) -> bool {
        crate::ty::secret_inner(&self.value_ty).is_some()
    }

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

/// `default = ...`: the literal (possibly negated) and its value when it is a number.
pub struct DefaultValue {
    pub expr: syn::Expr,
    pub lit: syn::Lit,
    pub negative: bool,
    pub number: Option<Number>,
}

impl DefaultValue {
    /// The default as users see it in docs (`4`, `-1.5`, `json`).
    pub fn display(&self) -> String {
        let text = match &self.lit {
            syn::Lit::Str(s) => s.value(),
            syn::Lit::Bool(b) => b.value.to_string(),
            syn::Lit::Int(i) => i.base10_digits().to_owned(),
            syn::Lit::Float(f) => f.base10_digits().to_owned(),
            other => quote::quote!(#other).to_string(),
        };
        if self.negative {
            format!("-{text}")
        } else {
            text
        }
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

/// Runs the whole pipeline: parse, check, expand. On errors, the struct is still emitted (with
/// its helper attributes removed) with a placeholder `DataSource` impl, so the rest of the crate
/// keeps type-checking and only the macro's own errors are reported.
pub fn data_source(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut item: syn::ItemStruct = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(error) => return not_a_struct(input, error),
    };
    let mut cx = Ctxt::new();
    let source = parse::parse(args, &item, &mut cx);
    check::check(&source, &mut cx);
    parse::strip_option_attributes(&mut item);
    match cx.check() {
        Ok(()) => expand::expand(&source, &item),
        Err(errors) => {
            let errors = errors.to_compile_error();
            let placeholder = expand::placeholder(&source, &item);
            quote::quote! { #item #placeholder #errors }
        }
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
    quote::quote! { #input #error }
}

#[cfg(test)]
mod tests;
