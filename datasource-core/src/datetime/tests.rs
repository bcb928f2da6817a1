//! Spark's answers (PySpark 4.3.0 and 4.0.5 agree), as tables: each row was read by Spark's own
//! JSON reader in a UTC and an America/New_York session.

use chrono::{DateTime, NaiveTime};

use super::*;

fn utc() -> SessionZone {
    zone_id("UTC").unwrap()
}

fn new_york() -> SessionZone {
    zone_id("America/New_York").unwrap()
}

/// Text of an instant for a table: `2020-01-01T05:00:00Z` style (microseconds when not 0).
fn shown(micros: i64) -> String {
    let at = DateTime::<Utc>::from_timestamp_micros(micros).unwrap();
    if micros % 1_000_000 == 0 {
        at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

fn date(days: i32) -> String {
    format_date(days).unwrap()
}

#[test]
fn dates_as_spark_reads_them() {
    let cases = [
        ("2020-01-01", Some("2020-01-01")),
        ("2020-1-1", Some("2020-01-01")),
        ("2020", Some("2020-01-01")),
        ("2020-01", Some("2020-01-01")),
        ("2020-01-01T23:59:59-12:00", Some("2020-01-01")),
        ("2020-01-01 garbage", Some("2020-01-01")),
        ("2020-01-01T", Some("2020-01-01")),
        (" \t2020-01-01\n", Some("2020-01-01")),
        ("18262", Some("+18262-01-01")),
        ("-1000", Some("-1000-01-01")),
        ("0000-01-01", Some("0000-01-01")),
        ("2020-01-01Z", None),
        ("2020-01-01+01:00", None),
        ("2020-01-01x", None),
        ("2020/01/01", None),
        ("01/02/2020", None),
        ("2020-001", None),
        ("99-01-01", None),
        ("12345678-01-01", None),
        ("2020-02-30", None),
        ("2020-13-01", None),
        ("2020-00-01", None),
        ("", None),
        ("\u{a0}2020-01-01", None),
        ("now", None),
    ];
    for (text, expected) in cases {
        assert_eq!(
            string_to_date(text).map(date).as_deref(),
            expected,
            "{text:?}"
        );
    }
}

#[test]
fn timestamps_as_spark_reads_them_in_two_sessions() {
    // (text, in a UTC session, in a New York session)
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        (
            "2020-01-01T00:00:00",
            Some("2020-01-01T00:00:00Z"),
            Some("2020-01-01T05:00:00Z"),
        ),
        (
            "2020-01-01",
            Some("2020-01-01T00:00:00Z"),
            Some("2020-01-01T05:00:00Z"),
        ),
        (
            "2020-01-01 00:00:00",
            Some("2020-01-01T00:00:00Z"),
            Some("2020-01-01T05:00:00Z"),
        ),
        (
            "2020-01-01T00",
            Some("2020-01-01T00:00:00Z"),
            Some("2020-01-01T05:00:00Z"),
        ),
        (
            "2020-01-01T00:00:00Z",
            Some("2020-01-01T00:00:00Z"),
            Some("2020-01-01T00:00:00Z"),
        ),
        (
            "2020-01-01T00:00:00+01:00",
            Some("2019-12-31T23:00:00Z"),
            Some("2019-12-31T23:00:00Z"),
        ),
        (
            "2020-01-01T00:00:00 UTC",
            Some("2020-01-01T00:00:00Z"),
            Some("2020-01-01T00:00:00Z"),
        ),
        (
            "2020-01-01T00:00:00GMT+1",
            Some("2019-12-31T23:00:00Z"),
            Some("2019-12-31T23:00:00Z"),
        ),
        (
            "2020-01-01T00:00:00America/New_York",
            Some("2020-01-01T05:00:00Z"),
            Some("2020-01-01T05:00:00Z"),
        ),
        (
            "2020-01-01T00:00:00 +1:00",
            Some("2019-12-31T23:00:00Z"),
            Some("2019-12-31T23:00:00Z"),
        ),
        (
            "2020-01-01T00:00:00+01:0",
            Some("2019-12-31T23:00:00Z"),
            Some("2019-12-31T23:00:00Z"),
        ),
        (
            "2020-01-01T00:00:00+0100",
            Some("2019-12-31T23:00:00Z"),
            Some("2019-12-31T23:00:00Z"),
        ),
        (
            "2020-01-01T00:00:00+01:00:30",
            Some("2019-12-31T22:59:30Z"),
            Some("2019-12-31T22:59:30Z"),
        ),
        (
            "2020-01-01T00:00:00EST",
            Some("2020-01-01T05:00:00Z"),
            Some("2020-01-01T05:00:00Z"),
        ),
        (
            "2020-01-01T00:00:00PST",
            Some("2020-01-01T08:00:00Z"),
            Some("2020-01-01T08:00:00Z"),
        ),
        (
            "2020-01-01T00:00:00.1234567",
            Some("2020-01-01T00:00:00.123456Z"),
            Some("2020-01-01T05:00:00.123456Z"),
        ),
        (
            "2020-01-01T00:00:00.",
            Some("2020-01-01T00:00:00Z"),
            Some("2020-01-01T05:00:00Z"),
        ),
        // Daylight saving: a gap moves forward, an overlap takes the earlier offset.
        (
            "2020-03-08T02:30:00",
            Some("2020-03-08T02:30:00Z"),
            Some("2020-03-08T07:30:00Z"),
        ),
        (
            "2020-11-01T01:30:00",
            Some("2020-11-01T01:30:00Z"),
            Some("2020-11-01T05:30:00Z"),
        ),
        // A zone needs the seconds; zone names are case-sensitive.
        ("2020-01-01T00:00Z", None, None),
        ("2020-01-01T00Z", None, None),
        ("2020-01-01Z", None, None),
        ("2020-01-01T00:00:00utc", None, None),
        ("2020-01-01T00:00:00+19:00", None, None),
        ("2020-01-01T00:00:00[America/New_York]", None, None),
        ("2020-01-01T00:00:00 garbage", None, None),
        ("2020-01-01t00:00:00", None, None),
        ("2020-01-01T", None, None),
        ("2020-01-01T24:00:00", None, None),
        ("1000000-01-01T00:00:00Z", None, None),
        ("1577836800", None, None),
        ("", None, None),
    ];
    for (text, in_utc, in_new_york) in cases {
        for (zone, expected) in [(utc(), in_utc), (new_york(), in_new_york)] {
            assert_eq!(
                string_to_timestamp(text, &zone).map(shown).as_deref(),
                *expected,
                "{text:?} in {zone:?}"
            );
        }
    }
}

#[test]
fn a_time_of_day_alone_is_today_and_ntz_refuses_it() {
    let today = Utc::now().date_naive();
    let micros = string_to_timestamp("12:34:56", &utc()).unwrap();
    let at = DateTime::<Utc>::from_timestamp_micros(micros).unwrap();
    assert!(at.date_naive() == today || at.date_naive() == today.succ_opt().unwrap());
    assert_eq!(at.time(), NaiveTime::from_hms_opt(12, 34, 56).unwrap());
    assert!(string_to_timestamp("T12:34:56", &utc()).is_some());
    assert_eq!(string_to_timestamp_ntz("12:34:56"), None);
}

#[test]
fn wall_clock_timestamps_refuse_any_zone() {
    let cases = [
        ("2020-01-01T00:00:00", Some("2020-01-01T00:00:00Z")),
        ("2020-03-08T02:30:00", Some("2020-03-08T02:30:00Z")),
        ("+10000-01-01T00:00:00", Some("+10000-01-01T00:00:00Z")),
        (
            "2020-01-01T00:00:00.9999999",
            Some("2020-01-01T00:00:00.999999Z"),
        ),
        ("2020-01-01T00:00:00Z", None),
        ("2020-01-01T00:00:00+01:00", None),
        ("2020-01-01T00:00:00 UTC", None),
        ("2020-01-01T00:00:00GMT", None),
        ("2020-01-01Z", None),
        ("1577836800", None),
    ];
    for (text, expected) in cases {
        let got = string_to_timestamp_ntz(text).map(|micros| {
            let at = DateTime::<Utc>::from_timestamp_micros(micros).unwrap();
            if micros % 1_000_000 == 0 {
                at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            } else {
                at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
            }
        });
        assert_eq!(got.as_deref(), expected, "{text:?}");
    }
}

#[test]
fn zone_ids_as_java_reads_them() {
    let offset = |id| match zone_id(id) {
        Some(SessionZone::Fixed(offset)) => Some(offset.local_minus_utc()),
        Some(SessionZone::Region(_)) => Some(i32::MIN),
        _ => None,
    };
    let cases = [
        ("Z", Some(0)),
        ("+1", Some(3600)),
        ("+01", Some(3600)),
        ("-0130", Some(-5400)),
        ("+01:00:30", Some(3630)),
        ("+18:00", Some(64800)),
        ("GMT-5", Some(-18000)),
        ("UT+1", Some(3600)),
        ("UTC", Some(0)),
        ("EST", Some(-18000)),
        ("America/New_York", Some(i32::MIN)),
        ("CET", Some(i32::MIN)),
        ("PST", Some(i32::MIN)),
        ("+19:00", None),
        ("+18:01", None),
        ("utc", None),
        ("z", None),
        ("Mars/Base", None),
        ("[UTC]", None),
        ("", None),
    ];
    for (id, expected) in cases {
        assert_eq!(offset(id), expected, "{id:?}");
    }
    assert!(SessionZone::of_session(Some("Not/AZone")).is_err());
    assert_eq!(SessionZone::of_session(None), Ok(SessionZone::Local));
}

#[test]
fn day_numbers_of_the_hybrid_calendar_are_rebased_before_1582() {
    let cases = [
        (0, "1970-01-01"),
        (-1, "1969-12-31"),
        (7, "1970-01-08"),
        (20_200_101, "+57275-12-31"),
        (-10_000_000, "-25409-06-17"),
        (-141_427, "1582-10-15"),
        (-141_428, "1582-10-04"),
    ];
    for (days, expected) in cases {
        let rebased = rebase_julian_to_gregorian_days(days).unwrap();
        assert_eq!(date(rebased), expected, "{days}");
    }
}

#[test]
fn written_dates_and_times_read_back() {
    for days in [-800_000, -719_529, -1, 0, 18_262, 2_932_897, 3_000_000] {
        let text = format_date(days).unwrap();
        assert_eq!(string_to_date(&text), Some(days), "{text}");
    }
    for micros in [
        i64::MIN / 2,
        -62_135_596_800_000_000,
        -1,
        0,
        1_577_836_800_123_456,
        253_402_300_800_000_000,
    ] {
        let text = format_timestamp_utc(micros).unwrap();
        assert_eq!(
            string_to_timestamp(&text, &new_york()),
            Some(micros),
            "{text}"
        );
        let text = format_timestamp_ntz(micros).unwrap();
        assert_eq!(string_to_timestamp_ntz(&text), Some(micros), "{text}");
    }
    assert_eq!(
        format_timestamp_utc(1_577_836_800_000_100).unwrap(),
        "2020-01-01T00:00:00.000100Z"
    );
    assert_eq!(format_date(-726_077).unwrap(), "-0018-01-26");
}
