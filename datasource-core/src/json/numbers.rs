//! Decimals and base64 as Spark's JSON reader reads them: a decimal from its exact text,
//! rounded half-up to its scale (Java's `BigDecimal.setScale(s, HALF_UP)`); base64 as Jackson
//! decodes it (`MIME_NO_LINEFEEDS`: padding required, whitespace only between quanta).

/// The unscaled value of the decimal written `text` (a JSON number, or Java `BigDecimal`
/// text: `[+-]`, digits with at most one `.`, an optional exponent) at `scale`, rounded half
/// up; `None` when it is not such text or needs more than `precision` digits.
pub(crate) fn decimal(text: &[u8], precision: u8, scale: i8) -> Option<i128> {
    let (negative, rest) = match text.first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.iter().position(|b| matches!(b, b'e' | b'E')) {
        Some(at) => (&rest[..at], parse_exponent(&rest[at + 1..])?),
        None => (rest, 0),
    };
    let (whole, fraction) = match mantissa.iter().position(|&b| b == b'.') {
        Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
        None => (mantissa, &[][..]),
    };
    if whole.is_empty() && fraction.is_empty()
        || !whole.iter().chain(fraction).all(u8::is_ascii_digit)
    {
        return None;
    }
    // value = digits * 10^(exponent - fraction digits); at `scale`, the unscaled value is
    // digits * 10^shift.
    let shift = exponent - fraction.len() as i64 + i64::from(scale);
    let digits: Vec<u8> = whole.iter().chain(fraction).map(|d| d - b'0').collect();
    let digits = trim_leading_zeros(&digits);
    let mut kept: Vec<u8>;
    if shift >= 0 {
        if digits.is_empty() {
            return Some(0);
        }
        if digits.len() as i64 + shift > i64::from(precision) {
            return None;
        }
        kept = digits.to_vec();
        kept.extend(std::iter::repeat_n(0, shift as usize));
    } else {
        let dropped = (-shift) as usize;
        if dropped > digits.len() {
            // Every digit is dropped, and the first dropped one is a (leading) zero.
            return Some(0);
        }
        let (head, tail) = digits.split_at(digits.len() - dropped);
        kept = head.to_vec();
        if tail.first().is_some_and(|&d| d >= 5) {
            round_up(&mut kept);
        }
    }
    let kept = trim_leading_zeros(&kept);
    if kept.len() > usize::from(precision) || kept.len() > 38 {
        return None;
    }
    let magnitude = kept
        .iter()
        .fold(0i128, |value, &d| value * 10 + i128::from(d));
    Some(if negative { -magnitude } else { magnitude })
}

fn parse_exponent(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Beyond this, the value is 0 or too large for any decimal Spark has.
    let value = std::str::from_utf8(digits)
        .ok()?
        .parse::<i64>()
        .unwrap_or(i64::MAX)
        .min(1_000_000);
    Some(if negative { -value } else { value })
}

fn trim_leading_zeros(digits: &[u8]) -> &[u8] {
    let first = digits.iter().position(|&d| d != 0).unwrap_or(digits.len());
    &digits[first..]
}

/// Adds one to the decimal digits (most significant first).
fn round_up(digits: &mut Vec<u8>) {
    for digit in digits.iter_mut().rev() {
        if *digit == 9 {
            *digit = 0;
        } else {
            *digit += 1;
            return;
        }
    }
    digits.insert(0, 1);
}

/// How base64 text failed: the value alone, or (where Jackson loses its place in the text) the
/// whole record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base64Error {
    Value,
    Record,
}

/// Bytes of base64 text as Jackson's `MIME_NO_LINEFEEDS` decodes them: the standard alphabet,
/// every quantum of four characters (padding required), whitespace (any character up to a space)
/// only between quanta; `""` is empty. Where the text ends after one character of a quantum or
/// after `xx=`, Jackson reads on into the text that follows and the whole record fails.
pub(crate) fn base64(text: &[u8], out: &mut Vec<u8>) -> Result<(), Base64Error> {
    let mut at = 0;
    loop {
        while at < text.len() && text[at] <= b' ' {
            at += 1;
        }
        if at == text.len() {
            return Ok(());
        }
        let mut quantum = [0u8; 4];
        let mut filled = 0;
        while filled < 4 {
            let Some(&c) = text.get(at) else {
                return Err(if filled == 1 || (filled == 3 && quantum[2] == PAD) {
                    Base64Error::Record
                } else {
                    Base64Error::Value
                });
            };
            quantum[filled] = if c == b'=' && filled >= 2 {
                PAD
            } else {
                sextet(c).ok_or(Base64Error::Value)?
            };
            filled += 1;
            at += 1;
        }
        match quantum {
            [a, b, PAD, PAD] if a != PAD && b != PAD => out.push((a << 2) | (b >> 4)),
            [a, b, c, PAD] if a != PAD && b != PAD && c != PAD => {
                out.push((a << 2) | (b >> 4));
                out.push((b << 4) | (c >> 2));
            }
            [a, b, c, d] if [a, b, c, d].iter().all(|&s| s != PAD) => {
                out.push((a << 2) | (b >> 4));
                out.push((b << 4) | (c >> 2));
                out.push((c << 6) | d);
            }
            _ => return Err(Base64Error::Value),
        }
    }
}

/// A padding character within a quantum.
const PAD: u8 = 0xFF;

fn sextet(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_half_up_and_refuse_overflow() {
        let cases: &[(&str, u8, i8, Option<i128>)] = &[
            ("1.005", 5, 2, Some(101)),
            ("1.015", 5, 2, Some(102)),
            ("2.675", 5, 2, Some(268)),
            ("-1.005", 5, 2, Some(-101)),
            ("0.005", 5, 2, Some(1)),
            ("-0.005", 5, 2, Some(-1)),
            ("0.5", 10, 0, Some(1)),
            ("2.5", 10, 0, Some(3)),
            ("-2.5", 10, 0, Some(-3)),
            ("0.49", 10, 0, Some(0)),
            ("999.994", 5, 2, Some(99999)),
            ("999.995", 5, 2, None),
            ("1000", 5, 2, None),
            ("1e3", 5, 2, None),
            (
                "1e19",
                38,
                18,
                Some(10_000_000_000_000_000_000_000_000_000_000_000_000),
            ),
            ("1e20", 38, 18, None),
            ("5e-19", 38, 18, Some(1)),
            ("4.9e-19", 38, 18, Some(0)),
            ("1e-1000000", 38, 18, Some(0)),
            ("+1.5", 5, 2, Some(150)),
            (".5", 5, 2, Some(50)),
            ("5.", 5, 2, Some(500)),
            ("1E+1", 5, 2, Some(1000)),
            ("-0", 5, 2, Some(0)),
            (
                "12345678901234567890.123456789012345678901",
                38,
                18,
                Some(12_345_678_901_234_567_890_123_456_789_012_345_679),
            ),
            (" 1.5", 5, 2, None),
            ("1e", 5, 2, None),
            ("0x1", 5, 2, None),
            ("NaN", 5, 2, None),
            ("", 5, 2, None),
            (".", 5, 2, None),
        ];
        for (text, precision, scale, expected) in cases {
            assert_eq!(
                decimal(text.as_bytes(), *precision, *scale),
                *expected,
                "{text} as DECIMAL({precision},{scale})"
            );
        }
        assert_eq!(decimal(&[b'9'; 38], 38, 0), Some(10i128.pow(38) - 1));
        assert_eq!(decimal(&[b'9'; 39], 38, 0), None);
    }

    #[test]
    fn base64_as_jackson_decodes_it() {
        let decode = |text: &str| {
            let mut out = Vec::new();
            base64(text.as_bytes(), &mut out).map(|()| out)
        };
        let cases: &[(&str, Result<&[u8], Base64Error>)] = &[
            ("aGVsbG8=", Ok(b"hello")),
            ("YQ==", Ok(b"a")),
            ("aGVsbA==", Ok(b"hell")),
            ("", Ok(b"")),
            (" ", Ok(b"")),
            ("aGVs bG8=", Ok(b"hello")),
            ("aGVs\nbG8=", Ok(b"hello")),
            (" aGVsbG8= ", Ok(b"hello")),
            ("YQ==YQ==", Ok(b"aa")),
            ("+/8=", Ok(&[0xfb, 0xff])),
            ("aGVsbG8", Err(Base64Error::Value)),
            ("YQ", Err(Base64Error::Value)),
            ("aGVsbA", Err(Base64Error::Value)),
            ("-_8=", Err(Base64Error::Value)),
            ("!!!!", Err(Base64Error::Value)),
            ("Y Q==", Err(Base64Error::Value)),
            ("YQ =", Err(Base64Error::Value)),
            ("aGVsbG8==", Err(Base64Error::Value)),
            ("Y", Err(Base64Error::Record)),
            ("YQ==x", Err(Base64Error::Record)),
            ("YQ=", Err(Base64Error::Record)),
        ];
        for (text, expected) in cases {
            assert_eq!(decode(text), (*expected).map(<[u8]>::to_vec), "{text:?}");
        }
    }
}
