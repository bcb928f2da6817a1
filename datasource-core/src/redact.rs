//! Keeping secrets out of text that leaves the process: log records, error messages.
//!
//! Every secret option value this process parsed (an option of type [`Secret`](crate::Secret))
//! is remembered here, with the forms it takes on the wire (percent-encoded in a URL, escaped in
//! JSON), and [`redact`] replaces each occurrence with `***`. Whatever the registry holds, it
//! also masks the password of any URL written `scheme://user:password@host` and the value of any
//! query parameter that carries a credential (`?access_token=...`, `&api_key=...`; see
//! [`register_secret_parameter`]). The glue passes every log record and every error message that
//! reaches Python through it, so a secret that a source or a library puts into a message (a URL
//! with a token, a connection string, a header a server echoes) is not shown.
//!
//! Masking never garbles unrelated text: a value of fewer than [`MIN_SECRET_CHARS`] characters
//! is too short to tell from other text (a secret `1` would turn `127.0.0.1` into
//! `***27.0.0.***`), so only its context masks it (a URL's password, a secret parameter); one
//! shorter than [`WHOLE_SECRET_CHARS`] is masked only where it stands alone, not inside a longer
//! word or number.
//!
//! And one source's short secret does not mask another's text: a secret option is registered
//! as its source's ([`register_source_secret`]), and text known to be a source's (its errors,
//! what it logs while the glue runs its hooks: [`in_scope`]) is masked of that source's
//! secrets, of every secret long enough to be unmistakable ([`WHOLE_SECRET_CHARS`] and more)
//! and of those registered for the whole process ([`register_secret`]). Text of no known
//! source is masked of every secret.

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::RwLock;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What a secret becomes.
pub const MASK: &str = "***";

/// Secrets shorter than this are not looked for in text: they would mask unrelated text.
pub const MIN_SECRET_CHARS: usize = 4;

/// Secrets shorter than this are masked only where they are not part of a longer word or
/// number; longer ones wherever they appear.
pub const WHOLE_SECRET_CHARS: usize = 8;

/// Query parameters whose values are credentials, matched ignoring case (OAuth, common API-key
/// conventions, pre-signed object-store URLs).
pub const SECRET_PARAMETERS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "auth",
    "authorization",
    "api_key",
    "apikey",
    "api-key",
    "key",
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "private_token",
    "session_token",
    "signature",
    "sig",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
];

/// What the process masks beyond the URL passwords.
struct Registry {
    /// Secret values and their encoded forms, longest first (so a secret that contains another
    /// is masked whole), each with the source it belongs to (`None`: the whole process's).
    secrets: Vec<(String, Option<&'static str>)>,
    /// Query parameters (lowercase) whose values are masked, besides [`SECRET_PARAMETERS`].
    parameters: Vec<String>,
}

static REGISTRY: RwLock<Registry> = RwLock::new(Registry {
    secrets: Vec::new(),
    parameters: Vec::new(),
});

/// Characters a URL's query or path carries as they are (RFC 3986's unreserved set).
const URL_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

thread_local! {
    /// The source whose code this thread runs now (see [`in_scope`]).
    static SCOPE: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// Remembers a secret value for the whole process (a token fetched at run time): from now on
/// [`redact`] masks it, and the forms it takes in URLs (percent-encoded, spaces as `+` or `%20`)
/// and in JSON (escaped), in every text. Values shorter than [`MIN_SECRET_CHARS`] are not looked
/// for (only their context masks them); a comma-separated value (a list of secrets) is also
/// remembered item by item.
pub fn register_secret(value: &str) {
    REGISTRY
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .add_secret(value, None);
}

/// Remembers a secret option value of `source` (what parsing a `Secret` option does): as
/// [`register_secret`], but a short one masks only text of `source` or of no known source.
pub fn register_source_secret(source: &'static str, value: &str) {
    REGISTRY
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .add_secret(value, Some(source));
}

/// Runs `f` with this thread's text (what it logs, the errors [`redact`] masks) known to be
/// `source`'s: the glue runs each hook of a source so.
pub fn in_scope<T>(source: &'static str, f: impl FnOnce() -> T) -> T {
    let outer = SCOPE.with(|scope| scope.replace(Some(source)));
    let restore = RestoreScope(outer);
    let value = f();
    drop(restore);
    value
}

/// Puts the scope back, also when the scoped code unwinds.
struct RestoreScope(Option<&'static str>);

impl Drop for RestoreScope {
    fn drop(&mut self) {
        SCOPE.with(|scope| scope.set(self.0));
    }
}

/// Adds a query parameter whose value [`redact`] masks in every URL (beyond
/// [`SECRET_PARAMETERS`]), matched ignoring case.
pub fn register_secret_parameter(name: &str) {
    REGISTRY
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .add_parameter(name);
}

/// `text` with every registered secret, the password of every URL in it and the value of every
/// secret query parameter masked; inside [`in_scope`], another source's short secrets are left
/// alone.
pub fn redact(text: &str) -> Cow<'_, str> {
    let scope = SCOPE.with(Cell::get);
    REGISTRY
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .redact(text, scope)
}

/// [`redact`] of text known to be `source`'s (its error).
pub fn redact_for<'t>(source: &'static str, text: &'t str) -> Cow<'t, str> {
    REGISTRY
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .redact(text, Some(source))
}

impl Registry {
    fn add_secret(&mut self, value: &str, owner: Option<&'static str>) {
        let mut items: Vec<&str> = vec![value];
        if value.contains(',') {
            items.extend(value.split(',').map(str::trim));
        }
        for item in items {
            if item.chars().count() < MIN_SECRET_CHARS {
                continue;
            }
            let encoded = utf8_percent_encode(item, URL_UNRESERVED).to_string();
            let json = serde_json::to_string(item).unwrap_or_default();
            let json = json[1..json.len().saturating_sub(1)].to_owned();
            for form in [item.to_owned(), encoded.replace("%20", "+"), encoded, json] {
                let entry = (form, owner);
                if !self.secrets.contains(&entry) {
                    self.secrets.push(entry);
                }
            }
        }
        self.secrets
            .sort_by_key(|(secret, _)| std::cmp::Reverse(secret.len()));
    }

    fn add_parameter(&mut self, name: &str) {
        let name = name.trim().to_ascii_lowercase();
        if !name.is_empty() && !self.parameters.contains(&name) {
            self.parameters.push(name);
        }
    }

    fn redact<'t>(&self, text: &'t str, scope: Option<&'static str>) -> Cow<'t, str> {
        let mut text = Cow::Borrowed(text);
        for (secret, owner) in &self.secrets {
            let applies = match (owner, scope) {
                (Some(owner), Some(scope)) => {
                    *owner == scope || secret.chars().count() >= WHOLE_SECRET_CHARS
                }
                _ => true,
            };
            if applies && let Some(masked) = mask_secret(&text, secret) {
                text = Cow::Owned(masked);
            }
        }
        if let Some(masked) = mask_url_passwords(&text) {
            text = Cow::Owned(masked);
        }
        if let Some(masked) = mask_parameters(&text, &self.parameters) {
            text = Cow::Owned(masked);
        }
        text
    }
}

/// `text` with each occurrence of `secret` masked (only those standing alone, for a short one);
/// `None` when there is none.
fn mask_secret(text: &str, secret: &str) -> Option<String> {
    if !text.contains(secret) {
        return None;
    }
    let whole_only = secret.chars().count() < WHOLE_SECRET_CHARS;
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find(secret) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + secret.len()..].chars().next();
        let first = secret.chars().next();
        let last = secret.chars().next_back();
        // Part of a longer word or number where the secret's own edge is a word character.
        let embedded = (word(first) && word(before)) || (word(last) && word(after));
        out.push_str(&rest[..at]);
        if whole_only && embedded {
            out.push_str(secret);
        } else {
            out.push_str(MASK);
            changed = true;
        }
        rest = &rest[at + secret.len()..];
    }
    out.push_str(rest);
    changed.then_some(out)
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

/// `text` with the value of each secret query parameter (`?name=value`, `&name=value`, `;`
/// too) masked; `None` when it has none.
fn mask_parameters(text: &str, extra: &[String]) -> Option<String> {
    let is_secret = |name: &str| {
        let name = name.to_ascii_lowercase();
        SECRET_PARAMETERS.contains(&name.as_str()) || extra.contains(&name)
    };
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    while let Some(at) = rest.find(['?', '&', ';']) {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(name_end);
        if !name.is_empty() && after.starts_with('=') && is_secret(name) {
            let value = &after[1..];
            let value_end = value
                .find(|c: char| {
                    matches!(c, '&' | ';' | '#' | '"' | '\'' | '`' | '<' | '>') || c.is_whitespace()
                })
                .unwrap_or(value.len());
            out.push_str(name);
            out.push('=');
            if value_end > 0 {
                out.push_str(MASK);
                changed = true;
            }
            rest = &value[value_end..];
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn registered_secrets_are_masked_wherever_they_appear() {
        register_secret("tok-3141-redact-test");
        register_secret("tok-3141");
        let text = "GET https://api.example/items?page=tok-3141-redact-test failed; tok-3141";
        assert_eq!(
            redact(text),
            "GET https://api.example/items?page=*** failed; ***"
        );
        assert!(matches!(redact("nothing secret"), Cow::Borrowed(_)));
    }

    #[test]
    fn list_secrets_are_masked_item_by_item() {
        register_secret("key-a-2718, key-b-2718");
        assert_eq!(redact("used key-b-2718"), "used ***");
    }

    #[test]
    fn encoded_forms_of_a_secret_are_masked() {
        register_secret("p@ss w/rd \"quoted\" 1618");
        assert_eq!(
            redact(
                "GET /x?q=p%40ss+w%2Frd+%22quoted%22+1618 and p%40ss%20w%2Frd%20%22quoted%22%201618"
            ),
            "GET /x?q=*** and ***"
        );
        assert_eq!(
            redact(r#"{"echo": "p@ss w/rd \"quoted\" 1618"}"#),
            r#"{"echo": "***"}"#
        );
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

    #[test]
    fn secret_query_parameters_are_masked() {
        assert_eq!(
            redact("GET http://h/x?access_token=abc.def&page=2 failed"),
            "GET http://h/x?access_token=***&page=2 failed"
        );
        assert_eq!(
            redact("GET /x?page=2&API_KEY=k1#frag and /y?sig=zz \"/z?token=t\""),
            "GET /x?page=2&API_KEY=***#frag and /y?sig=*** \"/z?token=***\""
        );
        assert_eq!(redact("a?b=c&keys=1&key"), "a?b=c&keys=1&key");
        register_secret_parameter("X-My-Token");
        assert_eq!(redact("/x?x-my-token=v&y=1"), "/x?x-my-token=***&y=1");
    }

    #[test]
    fn short_secrets_never_garble_other_text() {
        register_secret("1");
        register_secret("t");
        register_secret("9876");
        assert_eq!(
            redact("http://127.0.0.1:35941/items is octal"),
            "http://127.0.0.1:35941/items is octal"
        );
        assert_eq!(redact("port 98765, id 19876"), "port 98765, id 19876");
        assert_eq!(redact("token 9876 refused"), "token *** refused");
        // Its context still masks a short one.
        assert_eq!(redact("/x?token=1"), "/x?token=***");
    }

    #[test]
    fn a_source_s_short_secret_masks_only_its_own_text() {
        register_source_secret("alpha-source", "kiwi");
        register_source_secret("alpha-source", "long-secret-of-alpha");
        let text = "kiwi is in stock; long-secret-of-alpha leaked";
        assert_eq!(
            redact_for("alpha-source", text),
            "*** is in stock; *** leaked"
        );
        // Another source's text keeps the word, but never the unmistakable long secret.
        assert_eq!(
            redact_for("beta-source", text),
            "kiwi is in stock; *** leaked"
        );
        assert_eq!(
            in_scope("beta-source", || redact(text).into_owned()),
            "kiwi is in stock; *** leaked"
        );
        assert_eq!(
            in_scope("alpha-source", || redact(text).into_owned()),
            "*** is in stock; *** leaked"
        );
        // Text of no known source: every secret.
        assert_eq!(redact(text), "*** is in stock; *** leaked");
    }

    proptest! {
        /// Whatever the registered secrets, text that holds none of them (at least as whole
        /// words) and no credential context comes back unchanged.
        #[test]
        fn text_without_a_secret_is_left_alone(
            secret in "[a-z0-9]{1,12}",
            text in "[ a-z0-9.:/]{0,60}",
        ) {
            let mut registry = Registry { secrets: Vec::new(), parameters: Vec::new() };
            registry.add_secret(&secret, None);
            let standalone = text
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| word == secret);
            let long_inside = secret.len() >= WHOLE_SECRET_CHARS && text.contains(&secret);
            let registered = secret.len() >= MIN_SECRET_CHARS;
            if !(registered && (standalone || long_inside)) && !text.contains("://") {
                prop_assert_eq!(registry.redact(&text, None), text.as_str());
            }
        }

        /// A registered secret never survives as a whole word, whatever surrounds it.
        #[test]
        fn a_secret_never_survives_standing_alone(
            secret in "[A-Za-z0-9_$!-]{4,20}",
            before in "[ :=,\"'(/]{1,3}",
            after in "[ :=,\"')/&]{1,3}",
        ) {
            let mut registry = Registry { secrets: Vec::new(), parameters: Vec::new() };
            registry.add_secret(&secret, None);
            let text = format!("x{before}{secret}{after}y");
            let masked = registry.redact(&text, None);
            prop_assert!(!masked.contains(&secret), "{}", masked);
        }
    }
}
