"""The `rest` connector (examples/rest) through real PySpark, against a real HTTP server on
127.0.0.1 (servers.ApiServer): every pagination style to the end, partitions, each kind of
authentication, and every injected fault retried or failed as configured."""


import base64

import pytest

from servers import ApiServer, api_record

SCHEMA = "id BIGINT, name STRING, score DOUBLE, tags ARRAY<STRING>, group STRING"
TOKEN = "tok-Rest-7781"


def expected(ids):
    return sorted(
        (r["id"], r["name"], r["score"], r["tags"], r["group"]) for r in map(api_record, ids)
    )


def rows(df):
    return sorted((r.id, r.name, r.score, list(r.tags), r.group) for r in df.collect())


def read(spark, url, **options):
    reader = spark.read.format("rest").schema(SCHEMA).option("url", url)
    # Quick retries unless a test says otherwise.
    options.setdefault("retryWait", "10ms")
    for key, value in options.items():
        reader = reader.option(key, str(value))
    return reader.load()


@pytest.fixture(scope="module")
def api():
    server = ApiServer(records=1000)
    yield server
    server.stop()


@pytest.fixture
def fresh(api):
    api.clear()
    return api


STYLES = {
    "page": ("/items", {"pagination": "page"}),
    "offset": ("/offset/items", {"pagination": "offset", "recordsPath": "/data"}),
    "cursor": ("/cursor/items", {"pagination": "cursor", "recordsPath": "/data"}),
}


@pytest.mark.parametrize("style", STYLES)
def test_every_pagination_style_reads_to_the_end(spark, fresh, style):
    path, options = STYLES[style]
    df = read(spark, fresh.url + path, pageSize=64, **options)
    assert rows(df) == expected(range(1, 1001))
    # 1000 records in pages of 64: 15 full pages and a short one end the series.
    assert fresh.seen(path) == [200] * 16


def test_pages_split_by_stride_are_each_read_once(spark, fresh):
    df = read(spark, fresh.url + "/items", pagination="page", pageSize=100, numPartitions=3)
    assert df.rdd.getNumPartitions() == 3
    assert rows(df) == expected(range(1, 1001))
    pages = sorted(int(page) for _, path, page, _ in fresh.requests)
    # Pages 1..10 once each; each task stops at its first short (here empty) page.
    assert pages[:10] == list(range(1, 11)) and len(pages) == len(set(pages)) <= 13


def test_keys_are_series_of_their_own_split_among_tasks(spark, fresh):
    df = read(spark, fresh.url + "/keys/{key}/items", pagination="page", pageSize=50,
              keys="g0,g1,g2,g3", numPartitions=2)
    assert df.rdd.getNumPartitions() == 2
    assert rows(df) == expected(range(1, 1001))
    assert fresh.seen("/keys/g3/items") == [200] * 6  # 250 records: 5 full pages, 1 empty


def test_pages_are_fetched_only_as_batches_are_pulled(spark):
    """The reader as a Python worker drives it: each batch pulled from the task's stream costs
    the requests of its pages, and no more."""
    import pyspark_rest
    from pyspark.sql.types import StructType

    big = ApiServer(records=100_000)
    try:
        source = pyspark_rest.Rest({"url": big.url + "/items", "pagination": "page",
                                    "pageSize": "10"})
        reader = source.reader(StructType.fromDDL(SCHEMA))
        stream = iter(reader.read(reader.partitions()[0]))
        assert big.requests == []
        for pulled in range(1, 4):
            assert next(stream).num_rows == 10
            assert big.seen("/items") == [200] * pulled  # a batch is a page
    finally:
        big.stop()


AUTHS = {
    "bearer": (("bearer", TOKEN), {"bearerToken": TOKEN}, {"bearerToken": "wrong-" + TOKEN}),
    "apikey": (("apikey", "X-Custom-Key", TOKEN),
               {"apiKey": TOKEN, "apiKeyHeader": "X-Custom-Key"},
               {"apiKey": "wrong-" + TOKEN, "apiKeyHeader": "X-Custom-Key"}),
    "basic": (("basic", "reader", TOKEN), {"user": "reader", "password": TOKEN},
              {"user": "reader", "password": "wrong-" + TOKEN}),
}


@pytest.mark.parametrize("kind", AUTHS)
def test_each_kind_of_authentication(spark, kind):
    auth, right, wrong = AUTHS[kind]
    server = ApiServer(records=120, auth=auth)
    try:
        df = read(spark, server.url + "/items", pagination="page", **right)
        assert rows(df) == expected(range(1, 121))
        for options in (wrong, {}):
            with pytest.raises(Exception) as raised:
                read(spark, server.url + "/items", pagination="page", **options).collect()
            text = str(raised.value)
            assert "HTTP 401" in text and "refused the credentials" in text, text
            assert TOKEN not in text
        # Refused credentials are not retried.
        assert server.seen("/items").count(401) == 2
    finally:
        server.stop()


def test_injected_faults_are_retried(spark, fresh):
    fresh.slow_seconds = 3.0
    fresh.inject("/items", 2, 500, 503)
    fresh.inject("/items", 4, (429, 1))
    fresh.inject("/items", 6, "slow")
    fresh.inject("/items", 8, "drop")
    df = read(spark, fresh.url + "/items", pagination="page", pageSize=100, timeout="1s")
    assert rows(df) == expected(range(1, 1001))
    assert fresh.seen("/items", 2) == [500, 503, 200]
    assert fresh.seen("/items", 4) == [429, 200]
    waited = [t for t, path, page, _ in fresh.requests if path == "/items" and page == "4"]
    assert waited[1] - waited[0] >= 1.0, "Retry-After: 1 was honoured"
    assert fresh.seen("/items", 6) == ["slow", 200]  # answered after the 1 s timeout
    assert fresh.seen("/items", 8) == ["drop", 200]


def test_retries_run_out_with_a_clear_error(spark, fresh):
    fresh.inject("/items", 3, *([503] * 10))
    with pytest.raises(Exception) as raised:
        read(spark, fresh.url + "/items", pagination="page", maxRetries=2).collect()
    text = str(raised.value)
    assert "GET http://127.0.0.1" in text and "page=3" in text, text
    assert "failed 3 times: HTTP 503" in text, text
    assert fresh.seen("/items", 3) == [503] * 3


def test_a_malformed_page_fails_the_query_or_is_skipped(spark, fresh):
    fresh.inject("/items", 5, "malformed")
    with pytest.raises(Exception) as raised:
        read(spark, fresh.url + "/items", pagination="page").collect()
    text = str(raised.value)
    assert "page=5" in text and "the response is not JSON" in text, text

    fresh.clear()
    fresh.inject("/items", 5, "malformed")
    df = read(spark, fresh.url + "/items", pagination="page", failOnError="false")
    assert rows(df) == expected([i for i in range(1, 1001) if not 401 <= i <= 500])


def test_a_record_that_does_not_fit_names_the_field(spark, fresh):
    with pytest.raises(Exception) as raised:
        read(spark, fresh.url + "/bad/items").collect()
    text = str(raised.value)
    assert "GET http://127.0.0.1" in text and "its records do not fit the columns" in text, text
    assert 'column `id`: got `"abc"`, expected an integer of BIGINT' in text, text


def test_options_that_do_not_go_together_fail_before_any_request(spark, fresh):
    with pytest.raises(Exception) as raised:
        read(spark, fresh.url + "/cursor/items", pagination="cursor", numPartitions=2).collect()
    assert "cannot be split" in str(raised.value)
    assert fresh.requests == []
    with pytest.raises(Exception) as raised:
        spark.read.format("rest").option("url", fresh.url + "/items").load()
    assert ".schema(" in str(raised.value)


def credential_of(kind, headers):
    """The credential a request carried, by the header each kind of authentication uses."""
    return headers.get("x-custom-key" if kind == "apikey" else "authorization")


REDIRECTS = [(kind, status) for kind in AUTHS for status in (302, 308)] + [
    ("apikey", status) for status in (301, 303, 307)]


@pytest.mark.parametrize("kind,status", REDIRECTS)
def test_credentials_never_follow_a_redirect_to_another_origin(spark, kind, status):
    auth, right, _ = AUTHS[kind]
    home = ApiServer(records=10, auth=auth)
    other = ApiServer(records=10)  # another origin: another port of 127.0.0.1
    try:
        home.redirect("/moved", status, "/items")  # the same origin: credentials go along
        home.redirect("/away", status, other.url + "/items")
        assert rows(read(spark, home.url + "/moved", **right)) == expected(range(1, 11))
        assert [credential_of(kind, h) is not None for h in home.headers_of("/items")] == [True]
        assert rows(read(spark, home.url + "/away", **right)) == expected(range(1, 11))
        seen = other.headers_of("/items")
        assert len(seen) == 1 and credential_of(kind, seen[0]) is None, seen
        assert TOKEN not in str(seen)
    finally:
        home.stop()
        other.stop()


HOSTILE_KEYS = ["a b", "a/b", "a?x=1", "a#b", "a&b=c", "%2e%2e", "ü", "a+b", "..x", "a\\b"]


def test_keys_are_each_one_encoded_path_segment(spark, fresh):
    from urllib.parse import quote

    df = read(spark, fresh.url + "/keys/{key}/items", keys=",".join(HOSTILE_KEYS))
    assert df.count() == 0  # no group has these names
    paths = sorted(path for _, path, _, _ in fresh.requests)
    assert paths == sorted(f"/keys/{quote(k, safe='-._~')}/items" for k in HOSTILE_KEYS)
    for dots in ("..", ".", "a,,b"):
        with pytest.raises(Exception) as raised:
            read(spark, fresh.url + "/keys/{key}/items", keys=dots).collect()
        assert "cannot be a key: in a URL's path it names another path" in str(raised.value)
    assert len(fresh.requests) == len(HOSTILE_KEYS), "nothing requested for refused keys"


def test_no_secret_shows_in_urls_echoed_headers_or_their_encodings(spark, fresh):
    import base64

    # A token in the URL's query, in the error of a page that keeps failing.
    fresh.inject("/items", 1, 500, 500)
    with pytest.raises(Exception) as raised:
        read(spark, f"{fresh.url}/items?access_token={TOKEN}&x=1", pagination="page",
             maxRetries=1).collect()
    text = str(raised.value)
    assert "failed 2 times: HTTP 500" in text and "access_token=***&x=1" in text, text
    assert TOKEN not in text
    # A parameter of the user's own naming.
    fresh.inject("/items", 1, 500, 500)
    with pytest.raises(Exception) as raised:
        read(spark, f"{fresh.url}/items?sessionid={TOKEN}", pagination="page", maxRetries=1,
             secretParameters="sessionId").collect()
    assert TOKEN not in str(raised.value) and "sessionid=***" in str(raised.value)
    # Credentials a server echoes back in its error, as sent and encoded.
    pair = base64.b64encode(f"reader:{TOKEN}".encode()).decode()
    for kind in AUTHS:
        with pytest.raises(Exception) as raised:
            read(spark, fresh.url + "/echo", **AUTHS[kind][1]).collect()
        text = str(raised.value)
        assert "HTTP 400" in text and "headers" in text, text
        assert TOKEN not in text and pair not in text, text


def test_dependencies_debug_records_are_forwarded_only_when_asked_for(fresh):
    """In-process, as an executor's Python worker runs a read: with every Python logger at the
    lowest level, the HTTP client's wire-level records (credentials in hex) stay out: they come
    only when the client's own logger is given a level (`logging.getLogger("ureq")`)."""
    import logging

    import pyspark_rest
    from pyspark.sql.types import StructType

    class Keep(logging.Handler):
        def __init__(self):
            super().__init__(level=1)
            self.records = []

        def emit(self, record):
            self.records.append((record.name, record.getMessage()))

    keep = Keep()
    root = logging.getLogger()
    saved = root.level
    root.addHandler(keep)
    root.setLevel(1)
    try:
        def read_all():
            source = pyspark_rest.Rest({"url": fresh.url + "/items", "pagination": "page",
                                        "bearerToken": TOKEN})
            reader = source.reader(StructType.fromDDL(SCHEMA))
            return sum(b.num_rows for b in reader.read(reader.partitions()[0]))

        assert read_all() == 1000
        foreign = [name for name, _ in keep.records if name.startswith(("ureq", "rustls"))]
        assert foreign == [], foreign[:5]
        assert not any(TOKEN in message for _, message in keep.records)
    finally:
        root.removeHandler(keep)
        root.setLevel(saved)


# -- OAuth2 client credentials ----------------------------------------------------------------

OAUTH_CLIENT = ("spark-client-17", "cl1ent-S3cret-Value-17")


def oauth(server, **more):
    return {"tokenUrl": server.url + "/oauth/token", "clientId": OAUTH_CLIENT[0],
            "clientSecret": OAUTH_CLIENT[1], **more}


def assert_shows_no_credentials(server, text):
    basic = base64.b64encode(":".join(OAUTH_CLIENT).encode()).decode()
    for secret in [*server.tokens_issued, OAUTH_CLIENT[1], basic]:
        assert secret not in text, (secret, text)


def test_oauth2_tokens_are_shared_by_the_pages_and_replaced_before_they_expire(spark):
    # 30 pages at 0.1 s each: the read outlives a token's 2 s.
    server = ApiServer(records=300, auth=("oauth", *OAUTH_CLIENT, 2), delay=0.1)
    try:
        df = read(spark, server.url + "/items", pagination="page", pageSize=10, **oauth(server))
        assert rows(df) == expected(range(1, 301))
        # Each token replaced ahead of its expiry (at half its life): no request was refused,
        # and the 31 requests took a few tokens, not one each.
        assert server.seen("/items") == [200] * 31
        assert 2 <= len(server.tokens_issued) <= 6, server.tokens_issued
    finally:
        server.stop()


def test_a_refused_token_is_replaced_once_and_no_credential_is_ever_shown(spark):
    server = ApiServer(records=50, auth=("oauth", *OAUTH_CLIENT, 3600))
    try:
        # The API refuses a token it issued (revoked): a new one, and the page again at once.
        server.inject("/items", 1, 401)
        df = read(spark, server.url + "/items", pagination="page", pageSize=100, **oauth(server))
        assert rows(df) == expected(range(1, 51))
        assert server.seen("/items") == [401, 200]
        assert len(server.tokens_issued) == 2
        # Refused with the new token too: the query fails, naming what to check.
        server.clear()
        server.inject("/items", 1, 401, 401)
        with pytest.raises(Exception) as raised:
            read(spark, server.url + "/items", pagination="page", **oauth(server)).collect()
        text = str(raised.value)
        assert "HTTP 401" in text and "`clientSecret`" in text, text
        assert server.seen("/items") == [401, 401]
        assert_shows_no_credentials(server, text)
        # The token endpoint failing now and then is retried; refusing the client is not.
        server.clear()
        server.inject("/oauth/token", "", 503)
        server.inject("/items", 1, 401)
        df = read(spark, server.url + "/items", pagination="page", pageSize=100, **oauth(server))
        assert df.count() == 50
        # (A worker that had no token yet asks for one more.)
        assert server.seen("/oauth/token")[:2] == [503, 200], server.seen("/oauth/token")
        with pytest.raises(Exception) as raised:
            read(spark, server.url + "/items", pagination="page",
                 **oauth(server, clientSecret="wrong-" + OAUTH_CLIENT[1])).collect()
        text = str(raised.value)
        assert "the token endpoint refused the client credentials" in text, text
        assert "wrong-" + OAUTH_CLIENT[1] not in text
        assert_shows_no_credentials(server, text)
    finally:
        server.stop()


def test_no_token_reaches_a_log_record(tmp_path):
    """In-process, as an executor's Python worker runs a read, every record at every level:
    the retried token request (whose error body echoes the client's credentials) and the
    refused token are logged, none of the credentials."""
    import logging

    import pyspark_rest
    from pyspark.sql.types import StructType

    server = ApiServer(records=20, auth=("oauth", *OAUTH_CLIENT, 3600))
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    keep = Keep(level=1)
    root = logging.getLogger()
    saved = root.level
    root.addHandler(keep)
    root.setLevel(1)
    try:
        server.inject("/oauth/token", "", 503)
        server.inject("/items", 1, 401)
        source = pyspark_rest.Rest({"url": server.url + "/items", "pagination": "page",
                                    "retryWait": "10ms", **oauth(server)})
        reader = source.reader(StructType.fromDDL(SCHEMA))
        assert sum(b.num_rows for b in reader.read(reader.partitions()[0])) == 20
        text = "\n".join(records)
        assert "retrying" in text and "refused its OAuth2 token" in text, text
        assert len(server.tokens_issued) == 2
        assert_shows_no_credentials(server, text)
    finally:
        root.removeHandler(keep)
        root.setLevel(saved)
        server.stop()
