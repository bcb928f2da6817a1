"""A Python port of the fakepeople generator (examples/fakepeople/src/{rng,people}.rs): the
values Spark returns must be exactly these."""

import struct
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15

FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]
STREETS = ["Main St", "Oak Ave", "Pine Rd", "Elm St"]
TAGS = ["admin", "beta", "vip", "new", "mobile"]
CITIES = {
    "de": ["Berlin", "Hamburg", "Munich"],
    "fr": ["Paris", "Lyon", "Marseille"],
    "us": ["Boston", "Denver", "Austin"],
}


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + GOLDEN) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def unit(self):
        return (self.next() >> 11) / float(1 << 53)

    def pick(self, items):
        return items[self.below(len(items))]


def as_f32(value):
    return struct.unpack("f", struct.pack("f", value))[0]


def as_i32(value):
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def person(id, seed=42, null_email_rate=0.1, country="us"):
    """The row `id` as the tuple of Python values Spark's collect() gives."""
    rng = SplitMix64(seed ^ SplitMix64(id).next())
    first, last = rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES)
    email = None
    if rng.unit() >= null_email_rate:
        email = f"{first.lower()}.{last.lower()}{id}@example.com"
    born = date(1950, 1, 1) + timedelta(days=rng.below(20_000))
    signed_up = datetime(2015, 1, 1) + timedelta(microseconds=rng.below(315_360_000_000_000))
    login = rng.next()
    last_login = signed_up + timedelta(seconds=login % 10_000_000) if login % 5 != 0 else None
    score = rng.unit() * 100.0
    rating = as_f32(rng.below(50) / 10.0)
    balance = Decimal(rng.below(10_000_000_000)).scaleb(-2)
    bits = rng.next()
    street = f"{1 + bits % 999} {rng.pick(STREETS)}"
    city = rng.pick(CITIES[country])
    zip_code = f"{bits % 100_000:05}" if bits % 7 != 0 else None
    tags = [rng.pick(TAGS) for _ in range(rng.below(4))]
    counters = {"logins": rng.below(1000), "purchases": rng.below(100)}
    return (
        id,
        f"{first} {last}",
        email,
        born,
        signed_up,
        last_login,
        score,
        rating,
        balance,
        bits & 1 == 1,
        bits % 10,
        bits % 300 - 100,
        as_i32(bits >> 32),
        bytearray(bits.to_bytes(8, "little")[:4]),
        (street, city, zip_code),
        tags,
        counters,
    )


UTC = timezone.utc
