"""Writing through the `files` sink and reading back what Spark's Parquet reader sees: shared by
the sink's tests."""


def write_files(df, path, mode="append", **options):
    writer = df.write.format("files").mode(mode).option("path", str(path))
    for key, value in options.items():
        writer = writer.option(key, str(value))
    writer.save()


def ids(spark, path):
    """The `id` column of every row Spark's Parquet reader reads under `path`, sorted."""
    return sorted(row.id for row in spark.read.parquet(str(path)).select("id").collect())
