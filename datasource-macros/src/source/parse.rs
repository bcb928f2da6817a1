//! Attribute grammar: `#[data_source(name = "...", crate = "...")]` on the struct and
//! `#[option(name = "...", default = ..., required, secret, range = .., choices = [..])]` on
//! fields. Everything is read here, once; later stages only see the model.

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Fields, Lit, LitStr, UnOp};

use super::{DefaultValue, Number, OptionField, RangeValue, Source};
use crate::attr;
use crate::ctxt::Ctxt;
use crate::doc::doc_text;
use crate::naming::camel_case;
use crate::ty::option_inner;

const SOURCE_KEYS: &[&str] = &["name", "crate"];
const OPTION_KEYS: &[&str] = &["name", "default", "required", "secret", "range", "choices"];

pub fn parse(args: TokenStream, item: &syn::ItemStruct, cx: &mut Ctxt) -> Source {
    cx.set_section(0);
    let mut name = None;
    // Whether a `name` key was written at all: a malformed one is reported as such, not missing.
    let mut name_written = false;
    let mut krate = None;
    let parser = syn::meta::parser(attr::each_key(cx, |meta| {
        if meta.path.is_ident("name") {
            name_written = true;
            let value = attr::string(meta, "name = \"myformat\"")?;
            attr::set_once(meta, &mut name, value)
        } else if meta.path.is_ident("crate") {
            let path = attr::crate_path(meta)?;
            attr::set_once(meta, &mut krate, path)
        } else {
            // `nmae = "..."` is reported as a misspelling of `name`, not also as a missing name.
            name_written |= attr::closest(&attr::key(meta), SOURCE_KEYS) == Some("name");
            Err(attr::unknown(
                meta,
                "`data_source` attribute",
                "",
                SOURCE_KEYS,
            ))
        }
    }));
    if let Err(error) = syn::parse::Parser::parse2(parser, args) {
        cx.syn_error(error);
        name_written = true;
    }

    let mut options = Vec::new();
    match &item.fields {
        Fields::Named(fields) => {
            for (index, field) in fields.named.iter().enumerate() {
                cx.set_section(index + 1);
                if let Some(option) = parse_field(field, cx) {
                    options.push(option);
                }
            }
            cx.set_section(0);
        }
        _ => cx.error_spanned_by(
            &item.ident,
            "`#[data_source]` needs a struct with named fields, one per option",
        ),
    }

    Source {
        item: item.clone(),
        name,
        name_written,
        krate: krate.unwrap_or_else(|| syn::parse_quote!(::datasource_py)),
        doc: doc_text(&item.attrs),
        options,
    }
}

fn parse_field(field: &syn::Field, cx: &mut Ctxt) -> Option<OptionField> {
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
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("option")) {
        let result = attr.parse_nested_meta(attr::each_key(cx, |meta| {
            let key = &meta.path;
            if key.is_ident("name") {
                let value = attr::string(meta, "name = \"optionName\"")?;
                attr::set_once(meta, &mut name, value)
            } else if key.is_ident("default") {
                let expr: Expr = attr::value(meta, "default = <literal>")?.parse()?;
                let value = default_value(expr)?;
                attr::set_once(meta, &mut option.default, value)
            } else if key.is_ident("required") {
                let span = attr::flag(meta)?;
                attr::set_once(meta, &mut option.required, span)
            } else if key.is_ident("secret") {
                let span = attr::flag(meta)?;
                attr::set_once(meta, &mut option.secret_attr, span)
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
    if let Some(name) = name {
        option.name = name.value();
        option.name_span = name.span();
    }
    Some(option)
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
    let Some((lit, negative)) = literal(&expr) else {
        return Err(syn::Error::new_spanned(
            expr,
            "`default` takes a literal: a number, `true`/`false` or a string",
        ));
    };
    Ok(DefaultValue {
        number: number(&lit, negative)?,
        expr,
        lit,
        negative,
    })
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
pub fn strip_option_attributes(item: &mut syn::ItemStruct) {
    for field in item.fields.iter_mut() {
        field.attrs.retain(|a| !a.path().is_ident("option"));
    }
}
