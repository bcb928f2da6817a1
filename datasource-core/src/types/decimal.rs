//! Spark `DECIMAL(P, S)`.

use arrow_array::types::Decimal128Type;
use arrow_schema::DataType;

use super::SparkType;
use super::scalar::{PrimitiveColumn, PrimitiveSparkType, PrimitiveValues};

/// Spark `DECIMAL(P, S)`: an unscaled 128-bit integer; the value is `unscaled * 10^-S`.
///
/// ```
/// use datasource_core::Decimal;
/// let price: Decimal<10, 2> = "12.34".parse().unwrap();
/// assert_eq!(price.unscaled(), 1234);
/// assert_eq!(price.to_string(), "12.34");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Decimal<const P: u8, const S: i8>(i128);

/// A value that does not fit a `DECIMAL(P, S)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` does not fit DECIMAL({precision}, {scale})")]
pub struct DecimalError {
    value: String,
    precision: u8,
    scale: i8,
}

impl<const P: u8, const S: i8> Decimal<P, S> {
    const VALID: () = assert!(
        P >= 1 && P <= 38 && S >= 0 && (S as u8) <= P,
        "Spark decimals need 1 <= P <= 38 and 0 <= S <= P"
    );
    /// 10^P: every unscaled value is below it in magnitude.
    const LIMIT: u128 = 10u128.pow(P as u32);

    /// The decimal whose unscaled value is `unscaled`, if it has at most `P` digits.
    #[inline]
    pub fn from_unscaled(unscaled: i128) -> Result<Self, DecimalError> {
        let () = Self::VALID;
        if unscaled.unsigned_abs() < Self::LIMIT {
            Ok(Decimal(unscaled))
        } else {
            Err(DecimalError {
                value: format!("{unscaled}e-{S}"),
                precision: P,
                scale: S,
            })
        }
    }

    /// The unscaled integer value.
    pub fn unscaled(self) -> i128 {
        self.0
    }
}

impl<const P: u8, const S: i8> std::str::FromStr for Decimal<P, S> {
    type Err = DecimalError;

    /// Parses `-123.45`-style text; more than `S` fractional digits is an error, not a rounding.
    fn from_str(text: &str) -> Result<Self, DecimalError> {
        let error = || DecimalError {
            value: text.to_owned(),
            precision: P,
            scale: S,
        };
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let scale = S as usize;
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || fraction.len() > scale
        {
            return Err(error());
        }
        let padded = format!("{whole}{fraction:0<scale$}");
        let magnitude: i128 = padded.parse().map_err(|_| error())?;
        Self::from_unscaled(if negative { -magnitude } else { magnitude }).map_err(|_| error())
    }
}

impl<const P: u8, const S: i8> std::fmt::Display for Decimal<P, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scale = S as usize;
        let digits = format!("{:0>width$}", self.0.unsigned_abs(), width = scale + 1);
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        let sign = if self.0 < 0 { "-" } else { "" };
        if scale == 0 {
            write!(f, "{sign}{whole}")
        } else {
            write!(f, "{sign}{whole}.{fraction}")
        }
    }
}

impl<const P: u8, const S: i8> SparkType for Decimal<P, S> {
    type Builder = PrimitiveColumn<Self>;
    type Reader = PrimitiveValues<Self>;
    fn data_type() -> DataType {
        let () = Self::VALID;
        DataType::Decimal128(P, S)
    }
    #[inline]
    fn append_to(&self, builder: &mut Self::Builder) {
        builder.append(*self);
    }
}

impl<const P: u8, const S: i8> PrimitiveSparkType for Decimal<P, S> {
    type Arrow = Decimal128Type;
    #[inline]
    fn to_native(self) -> i128 {
        self.0
    }
    /// Arrow's value as is: a column of `DECIMAL(P, S)` holds at most `P` digits.
    #[inline]
    fn from_native(unscaled: i128) -> Self {
        Decimal(unscaled)
    }
}
