"""`schema()`, for every source Spark reads: computed once, in Rust, on the driver."""


def assemble(Source, native_type):
    def schema(self):
        return self._glue("source_schema").schema()

    Source.schema = schema
    return []
