//! Field attribute grammar: `#[option(name = "...", default = ..., required, secret,
//! range = .., choices = [..])]` on an option, `#[option(flatten)]` on a group, `#[option(skip)]`
//! on a field that is no option, `#[option(prefix = "conn.")]` on a map of every option with a
//! prefix. Everything is read here, once; later stages only see the model.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, LitStr, UnOp};

use super::{
    DefaultValue, FlattenField, Member, Number, OptionField, PrefixedField, RangeValue, SkipField,
};
use crate::attr;
use crate::ctxt::Ctxt;
use crate::doc::doc_text;
use crate::naming::camel_case;
use crate::ty::option_inner;

const OPTION_KEYS: &[&str] = &[
    "name", "default", "required", "secret", "range", "choices", "flatten", "skip", "prefix",
];

/// The members of a struct's named fields, each filed under its own error section (`i + 1`).
pub fn parse_members<'a>(
    fields: impl IntoIterator<Item = &'a syn::Field>,
    cx: &mut Ctxt,
) -> Vec<Member> {
    let members = fields
        .into_iter()
        .enumerate()
        .filter_map(|(index, field)| {
            cx.set_section(index + 1);
            parse_field(field, cx)
        })
        .collect();
    cx.set_section(0);
    members
}

fn parse_field(field: &syn::Field, cx: &mut Ctxt) -> Option<Member> {
    let ident = field.ident.clone()?;
    let (value_ty, optional) = match option_inner(&field.ty) {
        Some(inner) => (inner.clone(), true),
        None => (field.ty.clone(), false),
    };
    let mut option = OptionField {
        name: camel_case(&ident.to_string()),
        name_span: ident.span(),
        ident,
        ty: field.ty.clone(),
        value_ty,
        optional,
        doc: doc_text(&field.attrs),
        default: None,
        required: None,
        secret_attr: None,
        range: None,
        choices: None,
    };
    let mut name: Option<LitStr> = None;
    let mut flatten: Option<Span> = None;
    let mut skip: Option<Span> = None;
    let mut prefix: Option<LitStr> = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("option")) {
        let result = attr.parse_nested_meta(attr::each_key(cx, |meta| {
            let key = &meta.path;
            if key.is_ident("name") {
                let value = attr::string(meta, "name = \"optionName\"")?;
                attr::set_once(meta, &mut name, value)
            } else if key.is_ident("default") {
                let expr: Expr = attr::value(meta, "default = <value>")?.parse()?;
                let value = default_value(expr)?;
                attr::set_once(meta, &mut option.default, value)
            } else if key.is_ident("required") {
                let span = attr::flag(meta)?;
                attr::set_once(meta, &mut option.required, span)
            } else if key.is_ident("secret") {
                let span = attr::flag(meta)?;
                attr::set_once(meta, &mut option.secret_attr, span)
            } else if key.is_ident("flatten") {
                let span = attr::flag(meta)?;
                attr::set_once(meta, &mut flatten, span)
            } else if key.is_ident("prefix") {
                let value = attr::string(meta, "prefix = \"conn.\"")?;
                attr::set_once(meta, &mut prefix, value)
            } else if key.is_ident("skip") {
                let span = attr::flag(meta)?;
                attr::set_once(meta, &mut skip, span)
            } else if key.is_ident("range") {
                let expr: Expr = attr::value(meta, "range = 1..=512")?.parse()?;
                let Expr::Range(range) = expr else {
                    return Err(syn::Error::new_spanned(
                        expr,
                        "`range` takes a range such as `1..=512`, `0..` or `..10`",
                    ));
                };
                let value = range_value(range)?;
                attr::set_once(meta, &mut option.range, value)
            } else if key.is_ident("choices") {
                let expr: Expr = attr::value(meta, "choices = [\"json\", \"csv\"]")?.parse()?;
                let span = expr.span();
                let choices = choice_list(expr)?;
                attr::set_once(meta, &mut option.choices, (choices, span))
            } else {
                Err(attr::unknown(meta, "`option` attribute", "", OPTION_KEYS))
            }
        }));
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    let stray_keys = || -> Vec<Span> {
        [
            name.as_ref().map(LitStr::span),
            option.default.as_ref().map(|d| d.expr.span()),
            option.required,
            option.secret_attr,
            option.range.as_ref().map(|r| r.expr.span()),
            option.choices.as_ref().map(|(_, span)| *span),
        ]
        .into_iter()
        .flatten()
        .collect()
    };
    if let Some(prefix) = prefix {
        let stray_keys = stray_keys()
            .into_iter()
            .chain(flatten)
            .chain(skip)
            .collect();
        return Some(Member::Prefixed(PrefixedField {
            value_ty: string_map_value(&option.ty).cloned(),
            ident: option.ident,
            ty: option.ty,
            doc: option.doc,
            prefix,
            stray_keys,
        }));
    }
    if skip.is_some() {
        let stray_keys = stray_keys().into_iter().chain(flatten).collect();
        return Some(Member::Skip(SkipField {
            ident: option.ident,
            ty: option.ty,
            stray_keys,
        }));
    }
    if flatten.is_some() {
        let stray_keys = stray_keys();
        return Some(Member::Flatten(FlattenField {
            ident: option.ident,
            group: option.value_ty,
            optional: option.optional,
            stray_keys,
        }));
    }
    if let Some(name) = name {
        option.name = name.value();
        option.name_span = name.span();
    }
    Some(Member::Option(option))
}

/// `V` of a `BTreeMap<String, V>` or `HashMap<String, V>`.
fn string_map_value(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "BTreeMap" && last.ident != "HashMap" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>()[..] {
        [
            syn::GenericArgument::Type(key),
            syn::GenericArgument::Type(value),
        ] if crate::ty::display(key) == "String" => Some(value),
        _ => None,
    }
}

fn number(lit: &Lit, negative: bool) -> syn::Result<Option<Number>> {
    let sign = if negative { -1 } else { 1 };
    Ok(match lit {
        Lit::Int(int) => Some(Number::Int(sign * int.base10_parse::<i128>()?)),
        Lit::Float(float) => Some(Number::Float(sign as f64 * float.base10_parse::<f64>()?)),
        _ => None,
    })
}

/// A literal, or a negated number literal.
fn literal(expr: &Expr) -> Option<(Lit, bool)> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => Some((lit.clone(), false)),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => match expr.as_ref() {
            Expr::Lit(ExprLit {
                lit: lit @ (Lit::Int(_) | Lit::Float(_)),
                ..
            }) => Some((lit.clone(), true)),
            _ => None,
        },
        Expr::Group(group) => literal(&group.expr),
        _ => None,
    }
}

fn default_value(expr: Expr) -> syn::Result<DefaultValue> {
    let lit = literal(&expr);
    let number = match &lit {
        Some((lit, negative)) => number(lit, *negative)?,
        None => None,
    };
    Ok(DefaultValue { expr, lit, number })
}

fn range_value(expr: syn::ExprRange) -> syn::Result<RangeValue> {
    let bound = |bound: &Option<Box<Expr>>| -> syn::Result<Option<Number>> {
        let Some(bound) = bound else { return Ok(None) };
        match literal(bound) {
            Some((lit, negative)) => match number(&lit, negative)? {
                Some(number) => Ok(Some(number)),
                None => Err(syn::Error::new_spanned(
                    bound,
                    "range bounds must be numbers, such as `1..=512`",
                )),
            },
            None => Err(syn::Error::new_spanned(
                bound,
                "range bounds must be number literals, such as `1..=512`: the macro checks the \
                 range when it compiles",
            )),
        }
    };
    Ok(RangeValue {
        start: bound(&expr.start)?,
        end: bound(&expr.end)?,
        inclusive: matches!(expr.limits, syn::RangeLimits::Closed(_)),
        expr,
    })
}

fn choice_list(expr: Expr) -> syn::Result<Vec<LitStr>> {
    let Expr::Array(array) = expr else {
        return Err(syn::Error::new_spanned(
            expr,
            "`choices` takes a list of strings such as `[\"json\", \"csv\"]`",
        ));
    };
    array
        .elems
        .iter()
        .map(|elem| match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Ok(s.clone()),
            other => Err(syn::Error::new_spanned(
                other,
                "each choice must be a string literal, such as `\"csv\"`",
            )),
        })
        .collect()
}

/// Removes `#[option]` attributes: they are ours, the compiler does not know them.
pub fn strip_option_attributes(fields: &mut syn::Fields) {
    for field in fields.iter_mut() {
        field.attrs.retain(|a| !a.path().is_ident("option"));
    }
}
