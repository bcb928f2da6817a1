//! `fakepeople`: synthetic people, one row at a time through the derived row builder.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use datasource_py::chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use datasource_py::chrono::{Duration, TimeZone};
use datasource_py::prelude::*;
use datasource_py::{Binary, Decimal};

use crate::rng::{SplitMix64, row_seed};

/// Synthetic people, deterministic from a seed: names, emails, birthdays, sign-up times, an
/// address, tags and counters. The same seed gives the same rows however they are partitioned.
#[data_source(name = "fakepeople")]
#[derive(Debug)]
pub struct FakePeople {
    /// Rows to produce (ids are `BIGINT`s, so at most 2^63 - 1).
    #[option(default = 1000, range = 0..=9_223_372_036_854_775_807)]
    num_rows: u64,
    /// Spark partitions to split the rows into.
    #[option(default = 4, range = 1..=1024)]
    num_partitions: u32,
    #[option(flatten)]
    people: Population,
}

/// Who the people are: the options `fakepeople` and `fakestream` share.
#[derive(Options, Debug, Clone)]
pub struct Population {
    /// Seed of the generator.
    #[option(default = 42)]
    seed: u64,
    /// Share of people without an email.
    #[option(default = 0.1, range = 0.0..=1.0)]
    null_email_rate: f64,
    /// Country of the addresses.
    #[option(default = "us")]
    country: Country,
}

/// Where the people live.
#[derive(OptionValue, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Country {
    /// The United States (Boston, Denver, Austin).
    Us,
    /// Germany (Berlin, Hamburg, Munich).
    De,
    /// France (Paris, Lyon, Marseille).
    Fr,
}

/// A postal address.
#[derive(Row, Debug, Clone, PartialEq)]
pub struct Address {
    /// House number and street.
    pub street: String,
    /// A city of the `country` option's country.
    pub city: String,
    /// Missing for some people.
    pub zip: Option<String>,
}

/// One person.
#[derive(Row, Debug, Clone, PartialEq)]
pub struct Person {
    /// Unique row number.
    pub id: i64,
    /// First and last name.
    pub name: String,
    /// `first.last<id>@example.com`, or missing (`nullEmailRate`).
    pub email: Option<String>,
    /// Date of birth, from 1950 to 2004.
    pub born: NaiveDate,
    /// When the person signed up (an instant), from 2015 to 2024.
    pub signed_up: DateTime<Utc>,
    /// Local wall-clock time of the last login (no time zone).
    pub last_login: Option<NaiveDateTime>,
    /// A score from 0 to 100 (`DOUBLE`).
    pub score: f64,
    /// A rating from 0 to 4.9, in tenths (`FLOAT`).
    pub rating: f32,
    /// Account balance, to the cent (`DECIMAL(12,2)`).
    pub balance: Decimal<12, 2>,
    /// Whether the account is active.
    pub active: bool,
    /// Level from 0 to 9 (`TINYINT`).
    pub level: i8,
    /// The floor lived on, from -100 to 199 (`SMALLINT`).
    pub floor: i16,
    /// A visit count: any `INT`, negative ones too (random bits).
    pub visits: i32,
    /// Four bytes of picture (`BINARY`).
    pub avatar: Binary,
    /// Where the person lives (`STRUCT`).
    pub address: Address,
    /// Up to three tags, repeats possible (`ARRAY<STRING>`).
    pub tags: Vec<String>,
    /// Activity counts, `logins` and `purchases` (`MAP<STRING, BIGINT>`).
    pub counters: BTreeMap<String, i64>,
}

pub const FIRST_NAMES: [&str; 8] = [
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
];
pub const LAST_NAMES: [&str; 8] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
];
const STREETS: [&str; 4] = ["Main St", "Oak Ave", "Pine Rd", "Elm St"];
const TAGS: [&str; 5] = ["admin", "beta", "vip", "new", "mobile"];

fn cities(country: Country) -> &'static [&'static str] {
    match country {
        Country::De => &["Berlin", "Hamburg", "Munich"],
        Country::Fr => &["Paris", "Lyon", "Marseille"],
        Country::Us => &["Boston", "Denver", "Austin"],
    }
}

impl FakePeople {
    /// The person with row number `id`: a pure function of (options, id).
    pub fn person(&self, id: u64) -> Person {
        self.people.person(id)
    }
}

impl Population {
    /// The person with row number `id`: a pure function of (options, id).
    pub fn person(&self, id: u64) -> Person {
        let mut rng = SplitMix64::new(row_seed(self.seed, id));
        let first = rng.pick(&FIRST_NAMES);
        let last = rng.pick(&LAST_NAMES);
        let email = (rng.unit() >= self.null_email_rate).then(|| {
            format!(
                "{}.{}{id}@example.com",
                first.to_lowercase(),
                last.to_lowercase()
            )
        });
        let epoch = NaiveDate::from_ymd_opt(1950, 1, 1).expect("valid date");
        let born = epoch + Duration::days(rng.below(20_000) as i64);
        let signup_base = Utc
            .with_ymd_and_hms(2015, 1, 1, 0, 0, 0)
            .single()
            .expect("valid time");
        let signed_up = signup_base + Duration::microseconds(rng.below(315_360_000_000_000) as i64);
        let login = rng.next_u64();
        let last_login = (!login.is_multiple_of(5))
            .then(|| signed_up.naive_utc() + Duration::seconds((login % 10_000_000) as i64));
        let score = rng.unit() * 100.0;
        let rating = (rng.below(50) as f32) / 10.0;
        let balance = Decimal::from_unscaled(rng.below(10_000_000_000) as i128)
            .expect("fewer than 12 digits");
        let bits = rng.next_u64();
        let cities = cities(self.country);
        let address = Address {
            street: format!("{} {}", 1 + bits % 999, rng.pick(&STREETS)),
            city: rng.pick(cities).to_owned(),
            zip: (!bits.is_multiple_of(7)).then(|| format!("{:05}", bits % 100_000)),
        };
        let tags = (0..rng.below(4))
            .map(|_| rng.pick(&TAGS).to_owned())
            .collect();
        let counters = BTreeMap::from([
            ("logins".to_owned(), rng.below(1000) as i64),
            ("purchases".to_owned(), rng.below(100) as i64),
        ]);
        Person {
            id: id as i64,
            name: format!("{first} {last}"),
            email,
            born,
            signed_up,
            last_login,
            score,
            rating,
            balance,
            active: bits & 1 == 1,
            level: (bits % 10) as i8,
            floor: (bits % 300) as i16 - 100,
            visits: (bits >> 32) as i32,
            avatar: Binary(bits.to_le_bytes()[..4].to_vec()),
            address,
            tags,
            counters,
        }
    }
}

impl SourceSchema for FakePeople {
    fn schema(&self) -> Result<SchemaRef> {
        Ok(Person::schema())
    }
}

impl BatchReader for FakePeople {
    type Plan = ();
    type Partition = Range<u64>;

    fn partitions(&self, _scan: &Scan) -> Result<Vec<Range<u64>>> {
        Ok(split_range(0..self.num_rows, self.num_partitions.into()))
    }

    fn read(self: Arc<Self>, _scan: &Scan, _: &Task, rows: Range<u64>) -> Result<Batches> {
        Ok(Batches::from_rows(rows.map(move |id| self.person(id))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datasource_py::RawOptions;

    fn source(options: &[(&str, &str)]) -> FakePeople {
        let raw: RawOptions = options.iter().copied().collect();
        FakePeople::from_options(&raw).expect("valid options")
    }

    #[test]
    fn rows_do_not_depend_on_partitioning() {
        let two = source(&[("numRows", "10"), ("numPartitions", "2")]);
        let three = source(&[("numRows", "10"), ("numPartitions", "3")]);
        let scan = Scan::new(two.schema().unwrap());
        assert_eq!(two.partitions(&scan).unwrap(), vec![0..5, 5..10]);
        assert_eq!(three.person(7), two.person(7));
        assert_ne!(two.person(7), two.person(8));
    }

    #[test]
    fn batches_hold_every_row_once() {
        let people = source(&[("numRows", "20000")]);
        let batches = datasource_py::testing::read_all(people).unwrap();
        assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 20000);
    }

    #[test]
    fn options_are_validated_together() {
        let raw: RawOptions = [("numPartitions", "0"), ("country", "it"), ("nmRows", "5")]
            .into_iter()
            .collect();
        let error = FakePeople::from_options(&raw).unwrap_err().to_string();
        assert!(error.contains("3 invalid options"), "{error}");
        assert!(error.contains("did you mean `numRows`?"), "{error}");
    }
}
