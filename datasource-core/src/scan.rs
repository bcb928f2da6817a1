//! [`Scan`]: what one scan reads, settled on the driver (the schemas, the filters the source
//! took, its plan) and handed to every task as is; and the steps that settle it, shared by the
//! glue and the test harnesses.

use std::sync::Arc;

use arrow_schema::{Schema, SchemaRef};

use crate::Result;
use crate::adapter::{ReadAdapter, spark_arrow_schema};
use crate::filter::Filter;
use crate::schema::SchemaError;
use crate::source::{SourceSchema, UserSchema};

/// What one scan reads: planned on the driver, handed to every task of the scan as is.
#[derive(Debug, Clone)]
pub struct Scan<P = ()> {
    schema: SchemaRef,
    requested: SchemaRef,
    /// Whether `requested` is a schema the user gave.
    user: bool,
    filters: Vec<Filter>,
    inexact_filters: Vec<Filter>,
    limit: Option<u64>,
    plan: P,
}

impl Scan {
    /// A scan of batches of `schema`, all of which Spark reads, with no filters and no plan.
    pub fn new(schema: SchemaRef) -> Self {
        Scan {
            requested: schema.clone(),
            schema,
            user: false,
            filters: Vec::new(),
            inexact_filters: Vec::new(),
            limit: None,
            plan: (),
        }
    }
}

impl<P> Scan<P> {
    /// The schema every batch of the source must have: [`SourceSchema::schema`] as the driver
    /// computed it, or the user's under [`UserSchema::Exact`].
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// What Spark reads, as Arrow: the user's schema when they gave one (under
    /// [`UserSchema::Subset`], the columns of [`schema`](Scan::schema) Spark keeps), else
    /// Spark's form of `schema`.
    pub fn requested_schema(&self) -> &SchemaRef {
        &self.requested
    }

    /// The schema the user gave (`spark.read.schema(...)`, a catalog table's), as Arrow with
    /// Spark's types; `None` when Spark reads the source's own.
    pub fn user_schema(&self) -> Option<&SchemaRef> {
        self.user.then_some(&self.requested)
    }

    /// The filters the source accepted as [`Pushdown::Exact`](crate::Pushdown::Exact): it must drop every row they
    /// reject.
    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }

    /// The filters the source accepted as [`Pushdown::Inexact`](crate::Pushdown::Inexact): hints to skip data, which
    /// Spark applies again.
    pub fn inexact_filters(&self) -> &[Filter] {
        &self.inexact_filters
    }

    /// The most rows the query needs, where the source took Spark's LIMIT
    /// ([`LimitPushdown`](crate::LimitPushdown)): a hint, Spark applies the LIMIT again.
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// The adapter that fits this scan's batches to what Spark reads (the source named
    /// `source`'s errors name it).
    pub fn adapter(&self, source: &'static str) -> Result<ReadAdapter, SchemaError> {
        ReadAdapter::new(source, &self.schema, &self.requested)
    }

    /// What [`BatchReader::plan`](crate::BatchReader::plan) made on the driver.
    pub fn plan(&self) -> &P {
        &self.plan
    }

    /// This scan, reading `requested` of the batches' schema.
    pub fn with_requested_schema(mut self, requested: SchemaRef) -> Self {
        self.requested = requested;
        self
    }

    /// This scan, reading `user`, a schema the user gave, of the batches' schema.
    pub fn with_user_schema(mut self, user: SchemaRef) -> Self {
        self.requested = user;
        self.user = true;
        self
    }

    /// This scan, with the filters a source accepted.
    pub fn with_filters(mut self, exact: Vec<Filter>, inexact: Vec<Filter>) -> Self {
        self.filters = exact;
        self.inexact_filters = inexact;
        self
    }

    /// This scan, with the LIMIT the source took.
    pub fn with_limit(mut self, limit: Option<u64>) -> Self {
        self.limit = limit;
        self
    }

    /// This scan, with its plan.
    pub fn with_plan<Q>(self, plan: Q) -> Scan<Q> {
        Scan {
            schema: self.schema,
            requested: self.requested,
            user: self.user,
            filters: self.filters,
            inexact_filters: self.inexact_filters,
            limit: self.limit,
            plan,
        }
    }
}

/// Settles what a scan reads, on the driver, as Spark does: `user` is a schema given with
/// `.schema(...)` (as Arrow, Spark's types), `None` for the source's own. The scan has the
/// schema the source's batches must have and the schema Spark reads.
pub fn scan_schemas<T: SourceSchema>(source: &T, user: Option<SchemaRef>) -> Result<Scan> {
    match user {
        None => {
            let schema = source.schema()?;
            let requested = Arc::new(spark_arrow_schema(&schema)?);
            Ok(Scan::new(schema).with_requested_schema(requested))
        }
        Some(user) => {
            let schema = match source.user_schema(&user)? {
                UserSchema::Exact => user.clone(),
                UserSchema::Project => {
                    let own = source.schema()?;
                    // Checked against the whole schema, so a refusal shows all of it.
                    ReadAdapter::new(T::NAME, &own, &user)?;
                    Arc::new(spark_arrow_schema(&projection(&own, &user))?)
                }
                _ => source.schema()?,
            };
            // A user's schema that does not fit fails where the scan's adapter is built (the
            // glue's reader, the harnesses), on the driver, every column named.
            Ok(Scan::new(schema).with_user_schema(user))
        }
    }
}

/// The user's columns of `own`, in the user's order, matched by name as Spark matches them
/// (exactly, else ignoring case); a column `own` lacks is left to the adapter to name.
fn projection(own: &Schema, user: &Schema) -> Schema {
    let fields = user.fields().iter().filter_map(|wanted| {
        let name = wanted.name();
        own.field_with_name(name)
            .ok()
            .or_else(|| {
                own.fields()
                    .iter()
                    .map(AsRef::as_ref)
                    .find(|field| field.name().eq_ignore_ascii_case(name))
            })
            .cloned()
    });
    Schema::new_with_metadata(fields.collect::<Vec<_>>(), own.metadata().clone())
}
