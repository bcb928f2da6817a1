"""What the connectors log reaches Python's logging (and so a Spark process's stderr), and no
secret ever shows: one Spark application of its own, so that everything its Python workers
print (the driver's planning and commit processes, the executors) is captured."""

import os
import re
import subprocess
import sys
import textwrap

from servers import ApiServer, PostgresServer

TOKEN = "tok-Logged-5150"

APP = textwrap.dedent(
    """
    import sys
    from pyspark.sql import SparkSession, functions as F
    pg_url, pg_user, pg_password, api_url, token = sys.argv[1:6]
    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")

    @F.udf("bigint")
    def fail(i):
        if i == 90:
            raise ValueError("failed on purpose")
        return i

    df = spark.range(0, 100, numPartitions=2).select(fail("id").alias("id"))
    try:
        (df.write.format("sqldb").mode("append").option("url", pg_url).option("user", pg_user)
         .option("password", pg_password).option("table", "logged").save())
    except Exception as error:
        print("WRITE FAILED:", str(error).splitlines()[0][:200])
    try:
        (spark.read.format("sqldb").option("url", pg_url).option("user", pg_user)
         .option("password", pg_password + "-wrong").option("table", "logged").load())
    except Exception as error:
        print("READ FAILED:", str(error))

    rest = (spark.read.format("rest").schema("id BIGINT")
            .option("url", api_url + "?access_token=" + token)
            .option("pagination", "page").option("bearerToken", token)
            .option("retryWait", "10ms").option("failOnError", "false"))
    print("REST ROWS:", rest.load().count())
    try:
        rest.option("bearerToken", token + "-wrong").option("failOnError", "true").load().count()
    except Exception as error:
        print("REST FAILED:", str(error))
    spark.stop()
    """
)


def test_logs_reach_stderr_and_never_show_a_secret(tmp_path):
    pg = PostgresServer()
    api = ApiServer(records=300, auth=("bearer", TOKEN))
    api.inject("/items", 2, 500)
    api.inject("/items", 3, "malformed")
    try:
        app = tmp_path / "app.py"
        app.write_text(APP)
        # Every Python process of the application (driver and workers) logs at the lowest
        # level, to stderr: dependencies' wire dumps must still stay out.
        (tmp_path / "sitecustomize.py").write_text(textwrap.dedent("""
            import logging
            logging.basicConfig(level=1)
            logging.getLogger("py4j").setLevel(logging.WARNING)
        """))
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPARK_CONNECT")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
        ran = subprocess.run(
            [sys.executable, str(app), pg.url, pg.USER, pg.password, api.url + "/items", TOKEN],
            env=env, capture_output=True, text=True, timeout=300,
        )
    finally:
        api.stop()
        pg.stop()
    output = ran.stdout + ran.stderr
    assert ran.returncode == 0, output[-5000:]
    # The sink's abort, on the driver.
    assert re.search(r'sqldb: a write into "logged" failed; \d+ staging tables dropped', output), \
        output[-5000:]
    assert "READ FAILED:" in output and "password authentication failed" in output
    # The retry, on an executor, through the SDK's retry helper.
    assert re.search(r"GET http://127\.0\.0\.1:\d+/items\?access_token=\*\*\*&page=2&per_page=100 "
                     r"failed "
                     r"\(try 1 of 6\), retrying in", output), output[-5000:]
    # The skipped page and the task's count of them.
    assert "rest: skipped a page (failOnError is false)" in output
    assert re.search(r"rest: task 0 skipped 1 pages", output), output[-5000:]
    assert "REST ROWS: 200" in output
    assert "REST FAILED:" in output and "HTTP 401" in output
    for secret in (pg.password, TOKEN):
        assert secret not in output
        assert secret.encode().hex() not in output.replace(" ", "")
    # The workers logged at the lowest level (the SDK's own records show), but no dependency's
    # wire dumps came through.
    assert re.search(r"DEBUG:pyspark_rest\.pages:rest: GET .*access_token=\*\*\*.*: 100 records",
                     output), output[-3000:]
    assert not re.search(r"^\w+:(ureq|rustls|tokio_postgres)", output, re.M), \
        re.findall(r"^\w+:(?:ureq|rustls|tokio_postgres).*", output, re.M)[:5]
