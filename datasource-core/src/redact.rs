//! Keeping secrets out of text that leaves the process: log records, error messages.
//!
//! Every secret option value this process parsed (an option of type [`Secret`](crate::Secret))
//! is remembered here, and [`redact`] replaces each occurrence with `***`, as does the password
//! of any URL written `scheme://user:password@host`. The glue passes every log record and every
//! error message that reaches Python through it, so a secret that a source or a library puts
//! into a message (a URL with a token, a connection string) is not shown.

use std::borrow::Cow;
use std::sync::RwLock;

/// What a secret becomes.
pub const MASK: &str = "***";

/// The secret values this process has seen, longest first (so a secret that contains another
/// is masked whole).
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Remembers a secret value: from now on [`redact`] masks it. Empty values are ignored; a
/// comma-separated value (a list of secrets) is also remembered item by item.
pub fn register_secret(value: &str) {
    let mut items: Vec<&str> = vec![value];
    if value.contains(',') {
        items.extend(value.split(',').map(str::trim));
    }
    let mut secrets = SECRETS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for item in items {
        if !item.is_empty() && !secrets.iter().any(|known| known == item) {
            secrets.push(item.to_owned());
        }
    }
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
}

/// `text` with every registered secret, and the password of every URL in it, masked.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(text);
    {
        let secrets = SECRETS
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for secret in secrets.iter() {
            if text.contains(secret.as_str()) {
                text = Cow::Owned(text.replace(secret.as_str(), MASK));
            }
        }
    }
    match mask_url_passwords(&text) {
        Some(masked) => Cow::Owned(masked),
        None => text,
    }
}

/// `text` with the password of each `scheme://user:password@` masked; `None` when it has none.
fn mask_url_passwords(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    let mut changed = false;
    while let Some(start) = rest.find("://") {
        let (before, after) = rest.split_at(start + 3);
        out.push_str(before);
        // The authority ends at the first '/', '?', '#' or whitespace; its userinfo at the
        // last '@' in it.
        let end = after
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@').and_then(|at| {
            let colon = authority[..at].find(':')?;
            Some((colon, at))
        }) {
            Some((colon, at)) => {
                out.push_str(&authority[..=colon]);
                out.push_str(MASK);
                out.push_str(&authority[at..]);
                changed = true;
            }
            _ => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_are_masked_wherever_they_appear() {
        register_secret("tok-3141-redact-test");
        register_secret("tok-3141");
        let text = "GET https://api.example/items?token=tok-3141-redact-test failed; tok-3141";
        assert_eq!(
            redact(text),
            "GET https://api.example/items?token=*** failed; ***"
        );
        assert!(matches!(redact("nothing secret"), Cow::Borrowed(_)));
    }

    #[test]
    fn list_secrets_are_masked_item_by_item() {
        register_secret("key-a-2718, key-b-2718");
        assert_eq!(redact("used key-b-2718"), "used ***");
    }

    #[test]
    fn url_passwords_are_masked() {
        assert_eq!(
            redact("connect postgresql://spark:hunter2@127.0.0.1:5432/db failed"),
            "connect postgresql://spark:***@127.0.0.1:5432/db failed"
        );
        assert_eq!(
            redact("a http://u:p@a@h/x and ftp://anon@h/"),
            "a http://u:***@h/x and ftp://anon@h/"
        );
        assert_eq!(redact("http://host:8080/path"), "http://host:8080/path");
        assert_eq!(redact("sqlite:///tmp/db"), "sqlite:///tmp/db");
    }
}
