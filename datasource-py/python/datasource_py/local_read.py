"""`read(format, **options)`: a batch source read in this process, without Spark or a JVM, as a
`pyarrow.RecordBatchReader` (DuckDB, Polars and pandas take it through `__arrow_c_stream__`).
The source is opened, planned, partitioned and read through the same classes Spark uses;
filters are offered to a source that takes them (PySpark 4.1+ has the filter objects) and the
rest are applied here, as Spark would."""

import pyarrow as pa
from pyspark.sql import datasource as spark_datasource
from pyspark.sql.types import StructType

from .source import read_batches


# A filter as `(column, op, value)`: the op's PySpark filter class, and its pyarrow test.
def compute():
    """pyarrow.compute, imported when a read without Spark first needs it: the module is imported
    by every Spark Python worker that loads the wheel, where it would cost each one 40 ms."""
    import pyarrow.compute

    return pyarrow.compute


COMPARISONS = {
    "==": ("EqualTo", lambda field, value: field == value),
    "=": ("EqualTo", lambda field, value: field == value),
    "!=": (None, lambda field, value: field != value),
    "<": ("LessThan", lambda field, value: field < value),
    "<=": ("LessThanOrEqual", lambda field, value: field <= value),
    ">": ("GreaterThan", lambda field, value: field > value),
    ">=": ("GreaterThanOrEqual", lambda field, value: field >= value),
    "in": ("In", lambda field, values: field.isin(list(values))),
    "is_null": ("IsNull", lambda field, _: field.is_null()),
    "is_not_null": ("IsNotNull", lambda field, _: field.is_valid()),
    "starts_with": ("StringStartsWith", lambda field, value: compute().starts_with(field, value)),
    "ends_with": ("StringEndsWith", lambda field, value: compute().ends_with(field, value)),
    "contains": ("StringContains", lambda field, value: compute().match_substring(field, value)),
}


def define_read(sources, package):
    """The wheel's `read(format, ...)` over its sources."""
    by_name = {source.name().lower(): source for source in sources}

    def read(format, *, schema=None, partitions=None, filters=None, **options):
        """Reads the batch source `format` of this wheel here, without Spark: a
        `pyarrow.RecordBatchReader` over its rows, planned and read as Spark would.

        - `**options`: the source's options, as `.option(key, value)` takes them.
        - `schema`: the columns to read, a `StructType` or a `pyarrow.Schema` (Spark's
          `.schema(...)`); by default the source's own.
        - `partitions`: the indices of the planned partitions to read (by default all), in turn.
        - `filters`: `(column, op, value)` tuples, all of which a row must pass; `op` is one of
          `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `is_null`, `is_not_null`, `starts_with`,
          `ends_with`, `contains` (`column` may be dotted: `address.city`). A source that
          pushes filters takes those it can; the others are applied to its batches here.
        """
        Source = by_name.get(str(format).lower())
        if Source is None:
            raise ValueError(
                f"{package}: no source is named `{format}`; this wheel has "
                + ", ".join(f"`{name}`" for name in sorted(by_name))
            )
        name = Source.name()
        if "reader" not in vars(Source):
            raise ValueError(f"{name}: read() takes batch sources; `{name}` has no batch reader")
        source = Source({key: option_text(value) for key, value in options.items()})
        reader = source.reader(spark_schema(name, source, schema))
        tests = [filter_test(name, spec) for spec in filters or []]
        remaining = push(reader, tests)
        planned = reader.partitions()
        chosen = chosen_partitions(name, planned, partitions)
        arrow_schema = reader._native.arrow_schema()

        def batches():
            for index in chosen:
                value = planned[index].value if planned[index] is not None else None
                for batch in read_batches(reader._native.read(value, index)):
                    yield kept(batch, remaining)

        return pa.RecordBatchReader.from_batches(arrow_schema, batches())

    return read


def option_text(value):
    """An option's value as Spark's `.option(key, value)` makes it text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def spark_schema(name, source, schema):
    if schema is None:
        return source.schema()
    if isinstance(schema, StructType):
        return schema
    if isinstance(schema, pa.Schema):
        from pyspark.sql.pandas.types import from_arrow_schema

        return from_arrow_schema(schema)
    raise TypeError(
        f"{name}: `schema` is a StructType or a pyarrow.Schema (a DDL string needs Spark to "
        f"parse it), not {type(schema).__name__}"
    )


class FilterTest:
    """One of the user's filters: its PySpark filter object (where PySpark has one) and its
    pyarrow expression."""

    def __init__(self, spark_filter, expression):
        self.spark_filter = spark_filter
        self.expression = expression


def filter_test(name, spec):
    try:
        column, op, *rest = spec
    except (TypeError, ValueError):
        raise ValueError(f"{name}: a filter is a (column, op, value) tuple, not {spec!r}") from None
    if op not in COMPARISONS:
        raise ValueError(
            f"{name}: filter op {op!r} is not one of " + ", ".join(map(repr, COMPARISONS))
        )
    value = rest[0] if rest else None
    path = tuple(str(column).split("."))
    spark_class, test = COMPARISONS[op]
    expression = test(compute().field(*path), value)
    return FilterTest(spark_filter(spark_class, op, path, value), expression)


def spark_filter(spark_class, op, path, value):
    """The PySpark filter object for `op` (PySpark 4.1+), or None."""
    if op == "!=":
        equal = getattr(spark_datasource, "EqualTo", None)
        negate = getattr(spark_datasource, "Not", None)
        return negate(equal(path, value)) if equal and negate else None
    cls = getattr(spark_datasource, spark_class, None)
    if cls is None:
        return None
    if op in ("is_null", "is_not_null"):
        return cls(path)
    if op == "in":
        return cls(path, tuple(value))
    return cls(path, value)


def push(reader, tests):
    """Offers the filters to a reader that pushes them; the tests still to apply here."""
    offered = [test for test in tests if test.spark_filter is not None]
    if not offered or "pushFilters" not in type(reader).__dict__:
        return tests
    handed_back = {id(f) for f in reader.pushFilters([test.spark_filter for test in offered])}
    return [
        test for test in tests if test.spark_filter is None or id(test.spark_filter) in handed_back
    ]


def chosen_partitions(name, planned, partitions):
    if partitions is None:
        return range(len(planned))
    chosen = list(partitions)
    for index in chosen:
        if not isinstance(index, int) or not 0 <= index < len(planned):
            raise ValueError(
                f"{name}: partition {index!r} is not one of the {len(planned)} planned "
                f"(0 to {len(planned) - 1})"
            )
    return chosen


def kept(batch, tests):
    """`batch` without the rows a test rejects."""
    if not tests or batch.num_rows == 0:
        return batch
    expression = tests[0].expression
    for test in tests[1:]:
        expression = expression & test.expression
    table = pa.Table.from_batches([batch]).filter(expression)
    return table.combine_chunks().to_batches()[0] if table.num_rows else batch.slice(0, 0)
