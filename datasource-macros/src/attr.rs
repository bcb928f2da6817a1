//! Reading `key = value` attribute lists: every key is read with a message that says how to
//! write it, and one bad key never hides the keys after it.

use proc_macro2::{Span, TokenTree};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{LitStr, Path, Token};

use crate::ctxt::Ctxt;

/// Wraps a reader of one key: an error it returns is recorded, the rest of that key (up to the
/// next `,`) is skipped, and reading goes on with the next key.
pub fn each_key<'c>(
    cx: &'c mut Ctxt,
    mut read: impl FnMut(&ParseNestedMeta) -> syn::Result<()> + 'c,
) -> impl FnMut(ParseNestedMeta) -> syn::Result<()> + 'c {
    move |meta| {
        if let Err(error) = read(&meta) {
            cx.syn_error(error);
            skip_to_comma(meta.input)?;
        }
        Ok(())
    }
}

fn skip_to_comma(input: ParseStream) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// The key as written (`name`, `a::b`).
pub fn key(meta: &ParseNestedMeta) -> String {
    path_text(&meta.path)
}

pub fn path_text(path: &Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

/// The stream after `key =`; without the `=`, an error on the key showing `usage`.
pub fn value<'a>(meta: &'a ParseNestedMeta, usage: &str) -> syn::Result<ParseStream<'a>> {
    if meta.input.peek(Token![=]) {
        meta.value()
    } else {
        Err(meta.error(format_args!(
            "`{}` needs a value: write `{usage}`",
            key(meta)
        )))
    }
}

/// A string value, such as `name = "numbers"`.
pub fn string(meta: &ParseNestedMeta, usage: &str) -> syn::Result<LitStr> {
    let input = value(meta, usage)?;
    if input.peek(LitStr) {
        input.parse()
    } else {
        Err(input.error(format_args!(
            "`{}` takes a string literal: write `{usage}`",
            key(meta)
        )))
    }
}

/// A key that takes no value, such as `required`; its span.
pub fn flag(meta: &ParseNestedMeta) -> syn::Result<Span> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        Ok(meta.path.span())
    } else {
        let key = key(meta);
        Err(meta.error(format_args!("`{key}` takes no value: write `{key}` alone")))
    }
}

/// Sets `slot` unless a value was already given.
/// `crate = "path"`: the path generated code reaches the SDK through.
pub fn crate_path(meta: &ParseNestedMeta) -> syn::Result<Path> {
    let value = string(meta, "crate = \"::datasource_py\"")?;
    value.parse::<Path>().map_err(|_| {
        syn::Error::new_spanned(
            &value,
            "`crate` takes the path of the SDK crate, such as `crate = \"::datasource_py\"`",
        )
    })
}

pub fn set_once<T>(meta: &ParseNestedMeta, slot: &mut Option<T>, value: T) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error(format_args!("`{}` may only be specified once", key(meta))));
    }
    *slot = Some(value);
    Ok(())
}

/// An unknown key: names it, suggests a close known key or lists them all. `what` is the kind
/// of attribute (`` `option` attribute ``), `place` where it was (` on a row field`, or empty).
pub fn unknown(meta: &ParseNestedMeta, what: &str, place: &str, known: &[&str]) -> syn::Error {
    let key = format!("`{}`{place}", key(meta));
    let listed = match known {
        [only] => format!("`{only}`"),
        _ => {
            let quoted: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            format!("one of {}", quoted.join(", "))
        }
    };
    match closest(&self::key(meta), known) {
        Some(close) => meta.error(format_args!(
            "unknown {what} {key}; did you mean `{close}`? expected {listed}"
        )),
        None => meta.error(format_args!("unknown {what} {key}; expected {listed}")),
    }
}

/// The known key at most one or two edits (a swap of neighbours counts as one) from `key`.
pub fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let limit = if key.chars().count() <= 4 { 1 } else { 2 };
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let known = ["name", "default", "required"];
        assert_eq!(closest("nmae", &known), Some("name"));
        assert_eq!(closest("defualt", &known), Some("default"));
        assert_eq!(closest("requird", &known), Some("required"));
        assert_eq!(closest("colour", &known), None);
        assert_eq!(closest("crate", &["name", "crate"]), Some("crate"));
        assert_eq!(edit_distance("abc", ""), 3);
    }
}
