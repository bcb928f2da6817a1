//! Dates and times in text, as Spark reads and writes them: the grammar of Spark's
//! `stringToDate` and `stringToTimestamp` (what its JSON and CSV readers fall back to, and what
//! `CAST('...' AS TIMESTAMP)` accepts), its time-zone ids (`Z`, `+01:00`, `UTC+1`, region ids,
//! Java's short ids such as `PST`), and the session time zone that zone-less text is read in.
//!
//! Spark is the reference: `SparkDateTimeUtils.stringToDate`, `parseTimestampString`,
//! `stringToTimestamp` and `getZoneId` (Spark 4.0 to 4.3 agree), with java.time's rules for a
//! local time in a time-zone transition (a time in a gap moves forward by the gap, a time in an
//! overlap takes the earlier offset).

use std::str::FromStr;

use chrono::{FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Days since 1970-01-01 of a date of the proleptic Gregorian calendar (any year, as Spark's
/// `LocalDate` takes years far beyond chrono's); `None` for a month or day that does not exist.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Howard Hinnant's `days_from_civil`.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// The (year, month, day) of a number of days since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A time zone as Spark resolves one: a fixed offset, a region of the time-zone database, or
/// (the session's zone when none was set) the machine's own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SessionZone {
    /// `Z`, `+01:00`, `UTC`, `GMT-5`, `EST`.
    Fixed(FixedOffset),
    /// `America/New_York`, `Europe/Paris`, `PST`.
    Region(Tz),
    /// The machine's own zone (the JVM's default, where Spark runs on the same machine).
    Local,
}

impl SessionZone {
    /// The session time zone of a task: `spark.sql.session.timeZone` where it was set, else the
    /// machine's zone (Spark's default is the JVM's, which is the machine's unless configured).
    /// An id Spark would not accept is an error naming it.
    pub fn of_session(id: Option<&str>) -> Result<SessionZone, String> {
        match id {
            None => Ok(SessionZone::Local),
            Some(id) => zone_id(id).ok_or_else(|| {
                format!("`{id}` (spark.sql.session.timeZone) is not a time zone this SDK knows")
            }),
        }
    }

    /// The instant (microseconds since the epoch, UTC) of a wall-clock time in this zone (`days`
    /// since 1970-01-01 and `micros` into that day), as java.time's `ZonedDateTime.of` makes
    /// it: in a gap, the time moves forward by the gap; in an overlap, the earlier offset wins.
    /// `None` when it does not fit 64 bits.
    pub fn local_to_micros(&self, days: i64, micros: i64) -> Option<i64> {
        let offset_seconds = match self {
            SessionZone::Fixed(offset) => offset.local_minus_utc(),
            SessionZone::Region(tz) => resolve_offset(tz, days, micros)?,
            SessionZone::Local => resolve_offset(&chrono::Local, days, micros)?,
        };
        let local = i128::from(days) * i128::from(MICROS_PER_DAY) + i128::from(micros);
        i64::try_from(local - i128::from(offset_seconds) * 1_000_000).ok()
    }

    /// Today's date in this zone (for text that holds only a time of day), as days since
    /// 1970-01-01.
    fn today(&self) -> i64 {
        let now = Utc::now();
        let date = match self {
            SessionZone::Fixed(offset) => now.with_timezone(offset).date_naive(),
            SessionZone::Region(tz) => now.with_timezone(tz).date_naive(),
            SessionZone::Local => now.with_timezone(&chrono::Local).date_naive(),
        };
        (date - NaiveDate::default()).num_days()
    }
}

/// The offset (seconds east of UTC) of a wall-clock time in `zone`, resolved as java.time does.
/// Past the calendar the database covers (chrono's ±262,143 years), the offset of the same day
/// of year 2400 (the rules then are the last ones, repeating).
fn resolve_offset<Z: TimeZone>(zone: &Z, days: i64, micros: i64) -> Option<i32> {
    let local = naive(days, micros).or_else(|| {
        let (_, month, day) = civil_from_days(days);
        naive(days_from_civil(2400, month, day.min(28))?, micros)
    })?;
    match zone.offset_from_local_datetime(&local) {
        LocalResult::Single(offset) => Some(offset.fix().local_minus_utc()),
        // The earlier offset: the one before the clocks went back.
        LocalResult::Ambiguous(earlier, later) => {
            let (a, b) = (
                earlier.fix().local_minus_utc(),
                later.fix().local_minus_utc(),
            );
            Some(a.max(b))
        }
        // In a gap: the offset before the gap, which puts the time after it.
        LocalResult::None => {
            let before = local.checked_sub_signed(chrono::TimeDelta::hours(6))?;
            zone.offset_from_local_datetime(&before)
                .earliest()
                .map(|offset| offset.fix().local_minus_utc())
        }
    }
}

/// A chrono date-time of `days` and `micros` into the day, where chrono's calendar reaches.
fn naive(days: i64, micros: i64) -> Option<NaiveDateTime> {
    let date = NaiveDate::default().checked_add_signed(chrono::TimeDelta::try_days(days)?)?;
    let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
        u32::try_from(micros / 1_000_000).ok()?,
        u32::try_from(micros % 1_000_000 * 1000).ok()?,
    )?;
    Some(NaiveDateTime::new(date, time))
}

/// Java's `ZoneId.SHORT_IDS`, which Spark passes to `ZoneId.of`.
const SHORT_IDS: &[(&str, &str)] = &[
    ("ACT", "Australia/Darwin"),
    ("AET", "Australia/Sydney"),
    ("AGT", "America/Argentina/Buenos_Aires"),
    ("ART", "Africa/Cairo"),
    ("AST", "America/Anchorage"),
    ("BET", "America/Sao_Paulo"),
    ("BST", "Asia/Dhaka"),
    ("CAT", "Africa/Harare"),
    ("CNT", "America/St_Johns"),
    ("CST", "America/Chicago"),
    ("CTT", "Asia/Shanghai"),
    ("EAT", "Africa/Addis_Ababa"),
    ("ECT", "Europe/Paris"),
    ("IET", "America/Indiana/Indianapolis"),
    ("IST", "Asia/Kolkata"),
    ("JST", "Asia/Tokyo"),
    ("MIT", "Pacific/Apia"),
    ("NET", "Asia/Yerevan"),
    ("NST", "Pacific/Auckland"),
    ("PLT", "Asia/Karachi"),
    ("PNT", "America/Phoenix"),
    ("PRT", "America/Puerto_Rico"),
    ("PST", "America/Los_Angeles"),
    ("SST", "Pacific/Guadalcanal"),
    ("VST", "Asia/Ho_Chi_Minh"),
    ("EST", "-05:00"),
    ("MST", "-07:00"),
    ("HST", "-10:00"),
];

/// A time-zone id as Spark's `getZoneId` reads it (`ZoneId.of(id, SHORT_IDS)` after writing
/// `+h:mm` as `+0h:mm` and `+hh:m` as `+hh:0m`); `None` for one Spark refuses. Case matters,
/// as in Java (`utc` is no zone).
pub fn zone_id(id: &str) -> Option<SessionZone> {
    let id = normalise_offset_digits(id);
    let id = SHORT_IDS
        .iter()
        .find(|(short, _)| *short == id)
        .map_or(id.as_str(), |(_, long)| long);
    if id == "Z" {
        return Some(SessionZone::Fixed(FixedOffset::east_opt(0)?));
    }
    if id.starts_with(['+', '-']) {
        return offset_of(id).map(SessionZone::Fixed);
    }
    for prefix in ["UTC", "GMT", "UT"] {
        if let Some(rest) = id.strip_prefix(prefix) {
            if rest.is_empty() {
                return Some(SessionZone::Fixed(FixedOffset::east_opt(0)?));
            }
            if rest.starts_with(['+', '-']) {
                return offset_of(rest).map(SessionZone::Fixed);
            }
        }
    }
    // A region: `ZoneId.of` takes `[A-Za-z][A-Za-z0-9~/._+-]+`, exactly as the database
    // spells it.
    let well_formed = id.len() >= 2
        && id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "~/._+-".contains(c));
    if !well_formed {
        return None;
    }
    Tz::from_str(id).ok().map(SessionZone::Region)
}

/// `+h:` as `+0h:` (the first such), and `+hh:m` at the end as `+hh:0m`: what `getZoneId`
/// rewrites before `ZoneId.of`.
fn normalise_offset_digits(id: &str) -> String {
    let bytes = id.as_bytes();
    let mut text = id.to_owned();
    if let Some(at) = (0..bytes.len().saturating_sub(2)).find(|&i| {
        matches!(bytes[i], b'+' | b'-') && bytes[i + 1].is_ascii_digit() && bytes[i + 2] == b':'
    }) {
        text.insert(at + 1, '0');
    }
    let bytes = text.as_bytes();
    let n = bytes.len();
    if n >= 5
        && matches!(bytes[n - 5], b'+' | b'-')
        && bytes[n - 4].is_ascii_digit()
        && bytes[n - 3].is_ascii_digit()
        && bytes[n - 2] == b':'
        && bytes[n - 1].is_ascii_digit()
    {
        text.insert(n - 1, '0');
    }
    text
}

/// `ZoneOffset.of`: `+h`, `+hh`, `+hh:mm`, `+hhmm`, `+hh:mm:ss`, `+hhmmss` (or `-`), at most
/// 18 hours.
fn offset_of(text: &str) -> Option<FixedOffset> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let number = |s: &str| -> Option<i32> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (hours, minutes, seconds) = match digits.len() {
        1 if digits.as_bytes()[0].is_ascii_digit() => (digits.parse().ok()?, 0, 0),
        2 => (number(digits)?, 0, 0),
        4 => (number(&digits[..2])?, number(&digits[2..])?, 0),
        5 if &digits[2..3] == ":" => (number(&digits[..2])?, number(&digits[3..])?, 0),
        6 => (
            number(&digits[..2])?,
            number(&digits[2..4])?,
            number(&digits[4..])?,
        ),
        8 if &digits[2..3] == ":" && &digits[5..6] == ":" => (
            number(&digits[..2])?,
            number(&digits[3..5])?,
            number(&digits[6..])?,
        ),
        _ => return None,
    };
    if hours > 18 || minutes > 59 || seconds > 59 || (hours == 18 && (minutes, seconds) != (0, 0)) {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60 + seconds))
}

/// `UTF8String.trimAll`: leading and trailing spaces and ISO control characters removed.
fn trim_all(text: &str) -> &str {
    text.trim_matches(|c: char| c == ' ' || c.is_ascii_control())
}

/// Days since 1970-01-01 of a date as Spark's `stringToDate` reads it: `[+-]yyyy[y..]`,
/// `yyyy-[m]m`, `yyyy-[m]m-[d]d`, the last followed by anything after a space or `T`
/// (`2020-01-01T12:00:00` is that day). Years of 4 to 7 digits.
pub fn string_to_date(text: &str) -> Option<i32> {
    let bytes = trim_all(text).as_bytes();
    let mut segments = [1i32, 1, 1];
    let (mut i, mut value, mut digits) = (0usize, 0i32, 0usize);
    let valid = |segment: usize, digits: usize| {
        if segment == 0 {
            (4..=7).contains(&digits)
        } else {
            (1..=2).contains(&digits)
        }
    };
    let mut sign = 1;
    let mut j = 0;
    if let Some(&first) = bytes.first()
        && matches!(first, b'+' | b'-')
    {
        sign = if first == b'-' { -1 } else { 1 };
        j = 1;
    }
    while j < bytes.len() && i < 3 && !matches!(bytes[j], b' ' | b'T') {
        let b = bytes[j];
        if i < 2 && b == b'-' {
            if !valid(i, digits) {
                return None;
            }
            segments[i] = value;
            (value, digits) = (0, 0);
            i += 1;
        } else if b.is_ascii_digit() {
            value = value.checked_mul(10)?.checked_add(i32::from(b - b'0'))?;
            digits += 1;
        } else {
            return None;
        }
        j += 1;
    }
    if !valid(i, digits) || (i < 2 && j < bytes.len()) {
        return None;
    }
    segments[i] = value;
    let days = days_from_civil(
        i64::from(sign * segments[0]),
        u32::try_from(segments[1]).ok()?,
        u32::try_from(segments[2]).ok()?,
    )?;
    i32::try_from(days).ok()
}

/// A timestamp's text cut into its parts by Spark's `parseTimestampString`.
struct TimestampParts<'a> {
    /// Days since 1970-01-01; `None` for a time of day alone.
    date: Option<i64>,
    /// Microseconds into the day.
    time: i64,
    /// The zone written after the seconds, if any (trimmed).
    zone: Option<&'a str>,
}

/// Spark's `parseTimestampString`: `[+-]yyyy[-[m]m[-[d]d]]`, then `' '` or `T` and
/// `h[h][:m[m][:s[s][.fraction]]]`, then (after the seconds only) a zone; or a time of day
/// alone. The fraction is cut to microseconds.
fn timestamp_parts(text: &str) -> Option<TimestampParts<'_>> {
    let trimmed = trim_all(text);
    let bytes = trimmed.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    // year, month, day, hour, minute, second, microsecond
    let mut segments = [1i64, 1, 1, 0, 0, 0, 0];
    let valid = |segment: usize, digits: usize| match segment {
        0 => (4..=6).contains(&digits),
        6 => true,
        _ => (1..=2).contains(&digits),
    };
    let (mut i, mut value, mut digits, mut fraction_digits) = (0usize, 0i64, 0usize, 0usize);
    let mut just_time = false;
    let mut zone = None;
    let mut year_sign = None;
    let mut j = 0;
    if matches!(bytes[0], b'-' | b'+') {
        year_sign = Some(if bytes[0] == b'-' { -1 } else { 1 });
        j = 1;
    }
    while j < bytes.len() {
        let b = bytes[j];
        if b.is_ascii_digit() {
            if i == 6 {
                fraction_digits += 1;
            }
            if i != 6 || digits < 6 {
                value = value * 10 + i64::from(b - b'0');
            }
            digits += 1;
            if value > i64::from(i32::MAX) {
                return None;
            }
            j += 1;
            continue;
        }
        if j == 0 && b == b'T' {
            just_time = true;
            i += 3;
        } else if i < 2 {
            if b == b'-' {
                if !valid(i, digits) {
                    return None;
                }
                segments[i] = value;
                (value, digits) = (0, 0);
                i += 1;
            } else if i == 0 && b == b':' && year_sign.is_none() {
                just_time = true;
                if !valid(3, digits) {
                    return None;
                }
                segments[3] = value;
                (value, digits) = (0, 0);
                i = 4;
            } else {
                return None;
            }
        } else if i == 2 {
            if b != b' ' && b != b'T' {
                return None;
            }
            if !valid(i, digits) {
                return None;
            }
            segments[i] = value;
            (value, digits) = (0, 0);
            i += 1;
        } else if i == 3 || i == 4 {
            if b != b':' || !valid(i, digits) {
                return None;
            }
            segments[i] = value;
            (value, digits) = (0, 0);
            i += 1;
        } else if i == 5 || i == 6 {
            if b == b'.' && i == 5 {
                if !valid(i, digits) {
                    return None;
                }
                segments[i] = value;
                (value, digits) = (0, 0);
                i += 1;
            } else {
                if !valid(i, digits) {
                    return None;
                }
                segments[i] = value;
                (value, digits) = (0, 0);
                i += 1;
                // The rest is the zone.
                zone = Some(trimmed[j..].trim());
                j = bytes.len();
                continue;
            }
        } else {
            return None;
        }
        j += 1;
    }
    if zone.is_none() {
        if !valid(i, digits) || i > 6 {
            return None;
        }
        segments[i] = value;
    }
    // `.1` is 100000 microseconds; digits past the sixth were dropped.
    let micros = segments[6] * 10i64.pow(6 - fraction_digits.min(6) as u32);
    let (hour, minute, second) = (segments[3], segments[4], segments[5]);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let time = ((hour * 60 + minute) * 60 + second) * 1_000_000 + micros;
    let date = if just_time {
        None
    } else {
        Some(days_from_civil(
            segments[0] * year_sign.unwrap_or(1),
            u32::try_from(segments[1]).ok()?,
            u32::try_from(segments[2]).ok()?,
        )?)
    };
    Some(TimestampParts { date, time, zone })
}

/// Microseconds since the epoch of a timestamp as Spark's `stringToTimestamp` reads it: a zone
/// in the text wins, else the text is a wall-clock time of `session`; a time of day alone is
/// today's. `None` for text Spark refuses.
pub fn string_to_timestamp(text: &str, session: &SessionZone) -> Option<i64> {
    let parts = timestamp_parts(text)?;
    let zone = match parts.zone {
        Some(id) => zone_id(id)?,
        None => *session,
    };
    let date = match parts.date {
        Some(date) => date,
        None => zone.today(),
    };
    zone.local_to_micros(date, parts.time)
}

/// Microseconds since the epoch of a wall-clock timestamp (`TIMESTAMP_NTZ`) as Spark's
/// `stringToTimestampWithoutTimeZone` reads it: as [`string_to_timestamp`], but text with a
/// zone, or with a time of day alone, is refused.
pub fn string_to_timestamp_ntz(text: &str) -> Option<i64> {
    let parts = timestamp_parts(text)?;
    if parts.zone.is_some() {
        return None;
    }
    let micros = i128::from(parts.date?) * i128::from(MICROS_PER_DAY) + i128::from(parts.time);
    i64::try_from(micros).ok()
}

/// Days since 1970-01-01 of a day number of Spark's old hybrid calendar (Julian before
/// 1582-10-15), in today's proleptic Gregorian calendar: Spark's
/// `rebaseJulianToGregorianDays`.
pub fn rebase_julian_to_gregorian_days(days: i32) -> Option<i32> {
    /// 1582-10-15, the first Gregorian day of the hybrid calendar.
    const SWITCH: i32 = -141_427;
    if days >= SWITCH {
        return Some(days);
    }
    // The Julian calendar's date of that day (Richards' algorithm on the Julian day number).
    let julian_day_number = i64::from(days) + 2_440_588;
    let c = julian_day_number + 32_082;
    let d = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * d).div_euclid(4);
    let m = (5 * e + 2).div_euclid(153);
    let day = e - (153 * m + 2).div_euclid(5) + 1;
    let month = m + 3 - 12 * m.div_euclid(10);
    let year = d - 4800 + m.div_euclid(10);
    let days = days_from_civil(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)?;
    i32::try_from(days).ok()
}

/// A day as Spark writes a `DATE`: `yyyy-MM-dd`, years past 9999 with `+`, before year 1 with
/// `-` (`+10000-01-01`, `-0044-03-15`).
pub fn format_date(days: i32) -> Option<String> {
    let (year, month, day) = civil_from_days(i64::from(days));
    Some(format!("{}-{month:02}-{day:02}", year_text(year)))
}

fn year_text(year: i64) -> String {
    if year > 9999 {
        format!("+{year}")
    } else if year < 0 {
        format!("-{:04}", -year)
    } else {
        format!("{year:04}")
    }
}

/// An instant as ISO-8601 text in UTC with microseconds (`2020-01-01T00:00:00.123456Z`), which
/// Spark's readers read back exactly (Spark's own JSON writer keeps milliseconds only).
pub fn format_timestamp_utc(micros: i64) -> Option<String> {
    Some(format!("{}Z", format_timestamp_ntz(micros)?))
}

/// A wall-clock time as ISO-8601 text without a zone, with microseconds.
pub fn format_timestamp_ntz(micros: i64) -> Option<String> {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let of_day = micros.rem_euclid(MICROS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let seconds = of_day / 1_000_000;
    Some(format!(
        "{}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}",
        year_text(year),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        of_day % 1_000_000
    ))
}

#[cfg(test)]
mod tests;
