//! Checks on the parsed model. Each mistake is reported on the narrowest token and says how to
//! fix it; all of them are collected before anything is generated. What only the compiler can
//! judge (a type behind an alias, a default written as an expression) is left to checks the
//! expansion emits on the user's tokens.

use std::collections::HashMap;

use syn::Lit;

use super::{FlattenField, Member, Number, OptionField, PrefixedField, RangeValue};
use crate::ctxt::Ctxt;
use crate::naming::camel_case;
use crate::ty::{Known, display};

/// Checks every member, each under its own error section (`i + 1`).
pub fn check(members: &[Member], cx: &mut Ctxt) {
    let mut seen: HashMap<String, &OptionField> = HashMap::new();
    for (index, member) in members.iter().enumerate() {
        cx.set_section(index + 1);
        let option = match member {
            Member::Option(option) => option,
            Member::Flatten(group) => {
                check_flatten(group, cx);
                continue;
            }
            Member::Prefixed(prefixed) => {
                check_prefixed(prefixed, cx);
                continue;
            }
            Member::Skip(skipped) => {
                for span in &skipped.stray_keys {
                    cx.error_at(
                        *span,
                        "`skip` takes no other keys: a skipped field is no option (it starts \
                         as `Default::default()`)",
                    );
                }
                continue;
            }
        };
        check_option(option, cx);
        match seen.get(&option.name.to_lowercase()) {
            Some(first) => cx.error_at(
                option.name_span,
                format_args!(
                    "option name `{}` collides with `{}` (field `{}`): Spark matches option names \
                     ignoring case; rename one with `#[option(name = \"...\")]`",
                    option.name, first.name, first.ident
                ),
            ),
            None => {
                seen.insert(option.name.to_lowercase(), option);
            }
        }
    }
    cx.set_section(0);
}

fn check_flatten(group: &FlattenField, cx: &mut Ctxt) {
    for span in &group.stray_keys {
        cx.error_at(
            *span,
            "`flatten` takes no other keys: the group's own fields declare its options",
        );
    }
}

fn check_prefixed(field: &PrefixedField, cx: &mut Ctxt) {
    for span in &field.stray_keys {
        cx.error_at(
            *span,
            "`prefix` takes no other keys: its options are whatever keys start with the prefix \
             (make the values `Secret<String>` to keep them secret)",
        );
    }
    if let Some(why) = bad_option_name(&field.prefix.value()) {
        cx.error_at(field.prefix.span(), format_args!("a prefix {why}"));
    } else if field.prefix.value().to_lowercase().starts_with("option.") {
        cx.error_at(
            field.prefix.span(),
            "`option.` is Spark's own prefix (a catalog table's copies of its options): choose \
             another",
        );
    }
    if field.value_ty.is_none() {
        cx.error_spanned_by(
            &field.ty,
            format_args!(
                "a `prefix` field is a map from the rest of each key to its value: \
                 `BTreeMap<String, V>` or `HashMap<String, V>` with `V` an option type, not `{}`",
                display(&field.ty)
            ),
        );
    }
}

/// Why `name` cannot be an option's name, if it cannot: Spark users type it as a key.
pub fn bad_option_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("cannot be empty")
    } else if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("cannot hold spaces or control characters")
    } else {
        None
    }
}

fn check_option(option: &OptionField, cx: &mut Ctxt) {
    if let Some(why) = bad_option_name(&option.name) {
        cx.error_at(
            option.name_span,
            format_args!(
                "an option name {why}; remove `name` to call it `{}`",
                camel_case(&option.ident.to_string())
            ),
        );
    }
    if let Some(required) = option.required {
        if option.default.is_some() {
            cx.error_at(
                required,
                "`required` and `default` contradict each other: an option with a default is \
                 never missing; remove one of them",
            );
        }
        if option.optional {
            cx.error_at(
                required,
                format_args!(
                    "`required` on an `Option<...>` field: a required option always has a value; \
                     write the type `{}` instead, or remove `required`",
                    display(&option.value_ty)
                ),
            );
        }
    }
    if let (Some(default), true) = (&option.default, option.optional) {
        cx.error_spanned_by(
            &default.expr,
            format_args!(
                "an `Option<...>` field has no default (it is `None` when not given); write the \
                 type `{}` instead to give it a default",
                display(&option.value_ty)
            ),
        );
    }
    if let Some(span) = option.secret_attr {
        cx.error_at(
            span,
            "`secret` is not needed: an option whose type is `Secret<...>` is secret (never \
             printed), and one of any other type is not; remove `secret`",
        );
    }
    let known = Known::of(&option.value_ty);
    let range_valid = check_range(option, known, cx);
    check_choices(option, cx);
    check_default(option, known, range_valid, cx);
}

/// Checks the range; whether it is one a default can be checked against.
fn check_range(option: &OptionField, known: Known, cx: &mut Ctxt) -> bool {
    let Some(range) = &option.range else {
        return true;
    };
    // A type the macro cannot name (an alias, a type of the user's) is judged by the compiler.
    if known != Known::Other && !known.is_numeric() {
        cx.error_spanned_by(
            &range.expr,
            format_args!(
                "`range` needs a numeric option, but `{}` is `{}`; {}",
                option.ident,
                display(&option.value_ty),
                if known == Known::String {
                    "to allow only some values, list them with `choices = [...]`"
                } else {
                    "remove `range`"
                }
            ),
        );
        return false;
    }
    let mut valid = true;
    let whole = matches!(known, Known::Unsigned { .. } | Known::Signed { .. });
    if whole
        && [range.start, range.end]
            .iter()
            .flatten()
            .any(|b| matches!(b, Number::Float(_)))
    {
        cx.error_spanned_by(
            &range.expr,
            format_args!(
                "range `{}` has a fractional bound, but `{}` is a whole number ({}); write whole \
                 bounds, such as `1..=10`",
                range.display(),
                option.ident,
                display(&option.value_ty)
            ),
        );
        valid = false;
    }
    if let Some(holds) = beyond_type(range, known) {
        cx.error_spanned_by(
            &range.expr,
            format_args!(
                "range `{}` goes beyond what `{}` holds ({holds}): keep the range inside it, or \
                 widen the type of `{}`",
                range.display(),
                display(&option.value_ty),
                option.ident
            ),
        );
        valid = false;
    }
    if let (Some(start), Some(end)) = (range.start, range.end) {
        let (start, end) = (start.as_f64(), end.as_f64());
        if start > end {
            cx.error_spanned_by(
                &range.expr,
                format_args!(
                    "range `{}` is inverted: its start is above its end; write `{}`",
                    range.display(),
                    RangeValue {
                        start: range.end,
                        end: range.start,
                        ..range.clone()
                    }
                    .display()
                ),
            );
            valid = false;
        } else if start == end && !range.inclusive {
            cx.error_spanned_by(
                &range.expr,
                format_args!(
                    "range `{}` is empty: no value is at least {} and below {}; write `{}..={}` \
                     for exactly that value",
                    range.display(),
                    start,
                    end,
                    start,
                    end
                ),
            );
            valid = false;
        }
    }
    if option.choices.is_some() {
        cx.error_spanned_by(
            &range.expr,
            "use either `range` or `choices` on one option, not both",
        );
    }
    valid
}

/// What a whole-number type holds (`0..=255`), when `range` has a bound outside it.
fn beyond_type(range: &RangeValue, known: Known) -> Option<String> {
    let (min, max) = match known {
        Known::Unsigned { max } => (0, i128::try_from(max).unwrap_or(i128::MAX)),
        Known::Signed { min, max } => (min, max),
        _ => return None,
    };
    let below = matches!(range.start, Some(Number::Int(start)) if start < min);
    // The last value an exclusive end allows is one below it.
    let last = match range.end {
        Some(Number::Int(end)) if !range.inclusive => Some(end - 1),
        Some(Number::Int(end)) => Some(end),
        _ => None,
    };
    let above = matches!(last, Some(last) if last > max);
    (below || above).then(|| format!("{min}..={max}"))
}

fn check_choices(option: &OptionField, cx: &mut Ctxt) {
    let Some((choices, span)) = &option.choices else {
        return;
    };
    if crate::ty::generic_arg_of(&option.value_ty, "Vec").is_some() {
        cx.error_at(
            *span,
            format_args!(
                "`choices` would be checked against the whole comma-separated value of `{}`, \
                 not each item: make the items a `#[derive(OptionValue)]` enum instead",
                option.ident
            ),
        );
    }
    if choices.is_empty() {
        cx.error_at(
            *span,
            "`choices` cannot be empty: list the allowed values, or remove `choices`",
        );
    }
    let mut seen = HashMap::new();
    for choice in choices {
        if let Some(first) = seen.insert(choice.value().to_lowercase(), choice.value()) {
            cx.error_spanned_by(
                choice,
                format_args!(
                    "choice `{}` repeats `{first}`: choices are matched ignoring case",
                    choice.value()
                ),
            );
        }
    }
}

fn check_default(option: &OptionField, known: Known, range_valid: bool, cx: &mut Ctxt) {
    let Some(default) = &option.default else {
        return;
    };
    // An expression default is typed by the compiler; only literals are judged here.
    let Some((lit, _)) = &default.lit else {
        return;
    };
    let ty = display(&option.value_ty);
    let shown = default.display();
    let mut wrong = |hint: &str| {
        cx.error_spanned_by(
            &default.expr,
            format_args!("default `{shown}` is not a `{ty}`: {hint}"),
        );
    };
    match (known, lit, default.number) {
        (Known::Unsigned { max }, Lit::Int(_), Some(Number::Int(value))) => {
            if value < 0 || value as u128 > max {
                wrong(&format!("it must be in 0..={max}"));
            }
        }
        (Known::Signed { min, max }, Lit::Int(_), Some(Number::Int(value))) => {
            if value < min || value > max {
                wrong(&format!("it must be in {min}..={max}"));
            }
        }
        (Known::Unsigned { .. } | Known::Signed { .. }, _, _) => {
            wrong("write a whole number, such as `default = 4`");
        }
        (Known::Float, Lit::Int(_) | Lit::Float(_), _) => {}
        (Known::Float, _, _) => wrong("write a number, such as `default = 0.5`"),
        (Known::Bool, Lit::Bool(_), _) => {}
        (Known::Bool, _, _) => wrong("write `default = true` or `default = false`"),
        (Known::String, Lit::Str(_), _) => {}
        (Known::String, _, _) => wrong("write a string literal, such as `default = \"text\"`"),
        (Known::Char, Lit::Char(_), _) => {}
        (Known::Char, Lit::Str(s), _) if s.value().chars().count() == 1 => {}
        (Known::Char, _, _) => wrong("write one character, such as `default = ';'`"),
        (Known::Duration, Lit::Str(s), _) => {
            if let Err(error) = humantime::parse_duration(&s.value()) {
                let why = match error {
                    humantime::DurationError::UnknownUnit { unit, .. } => {
                        format!("`{unit}` is not a time unit; ")
                    }
                    humantime::DurationError::NumberOverflow => "it is too long; ".to_owned(),
                    _ => String::new(),
                };
                wrong(&format!(
                    "{why}write a duration such as `default = \"30s\"` or `default = \"1h 30m\"`"
                ));
            }
        }
        (Known::Duration, _, _) => wrong("write a duration string, such as `default = \"30s\"`"),
        (Known::Path, Lit::Str(s), _) if !s.value().is_empty() => {}
        (Known::Path, _, _) => wrong("write a non-empty path, such as `default = \"/tmp\"`"),
        (Known::Other, _, _) => {}
    }
    // A broken range was reported already; the default is not also measured against it.
    if let (Some(range), Some(number), true) = (&option.range, default.number, range_valid)
        && !range.contains(number)
    {
        cx.error_spanned_by(
            &default.expr,
            format_args!(
                "default `{}` is outside the option's range `{}`",
                default.display(),
                range.display()
            ),
        );
    }
    if let Some((choices, _)) = &option.choices {
        let value = default.display();
        if !choices
            .iter()
            .any(|c| c.value().eq_ignore_ascii_case(&value))
        {
            let listed: Vec<String> = choices.iter().map(|c| format!("`{}`", c.value())).collect();
            cx.error_spanned_by(
                &default.expr,
                format_args!(
                    "default `{value}` is not one of the choices {}",
                    listed.join(", ")
                ),
            );
        }
    }
}
