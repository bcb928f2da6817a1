//! The capabilities of a source, each declared once, in the table of [`with_capabilities!`]:
//! everything that lists them (the probes that find which a type implements, [`Capabilities`],
//! the glue of an opened source, the Python object each hands its classes, the embedded Python
//! files, the names Python assembles classes from) is generated from its rows.
//!
//! # A capability, side by side
//!
//! | Row | Core trait (`datasource-core/src/capability/`) | Glue (here) | Python (`python/datasource_py/`) |
//! |---|---|---|---|
//! | `source_schema` | `SourceSchema` (`source.rs`) | `source_schema.rs` | `source_schema.py`: `schema()` |
//! | `batch_read` | `BatchReader` | `batch_read.rs` | `batch_read.py`: `reader()`, the reader |
//! | `filter_pushdown` | `FilterPushdown` | `filter_pushdown.rs` | `filter_pushdown.py`: `pushFilters` |
//! | `limit_pushdown` | `LimitPushdown` | `limit_pushdown.rs` | `limit_pushdown.py`: `pushLimit` (where PySpark has it) |
//! | `stream_read` | `StreamReader` | `stream_read.rs` | `stream_read.py`: `streamReader()`, the reader |
//! | `simple_stream_read` | `SimpleStreamReader` | `simple_stream_read.rs` | `simple_stream_read.py` |
//! | `batch_write` | `BatchWriter` | `batch_write.rs` | `batch_write.py`: `writer()`, the writer |
//! | `stream_write` | `StreamWriter` | `stream_write.rs` | `stream_write.py`: `streamWriter()`, the writer |
//!
//! # Adding a capability
//!
//! 1. Its trait, in `datasource-core/src/capability/<name>.rs`, re-exported at core's root and
//!    in the facade's prelude; a harness for it in `datasource-core/src/testing/`.
//! 2. Its glue, in `datasource-py/src/capability/<name>.rs`: `Role` (the trait with its types
//!    erased), `glue::<T>` (a type's role) and `native` (the Python object of the role that
//!    its classes call, given the opened source).
//! 3. Its Python part, `datasource-py/python/datasource_py/<name>.py`:
//!    `assemble(Source, native_type)` adds its hooks to the `DataSource` subclass and returns
//!    the classes it made; they reach the glue with `source._glue("<name>")`.
//! 4. One row in [`with_capabilities!`]: under `serving` if Spark can use a type that has
//!    only it, under `supporting` otherwise.
//!
//! Nothing outside this folder names a capability (`tests/tests/architecture.rs` checks):
//! what the three readers share is `reading.rs`, what the two writers share `writing.rs`.

pub(crate) mod batch_read;
pub(crate) mod batch_write;
pub(crate) mod filter_pushdown;
pub(crate) mod limit_pushdown;
pub mod probe;
pub(crate) mod reading;
pub(crate) mod simple_stream_read;
pub(crate) mod source_schema;
pub(crate) mod stream_read;
pub(crate) mod stream_write;
pub(crate) mod writing;

use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::source::OpenSource;

/// The table of capabilities: one row each, `name: CoreTrait`. Calls `callback!` with `args`
/// and the rows (`[args] serving [rows] supporting [rows]`), so that every list of
/// capabilities is generated from here.
#[doc(hidden)]
#[macro_export]
macro_rules! with_capabilities {
    ([$($callback:tt)*] $($args:tt)*) => {
        $($callback)*! {
            [$($args)*]
            serving [
                batch_read: BatchReader,
                filter_pushdown: FilterPushdown,
                limit_pushdown: LimitPushdown,
                stream_read: StreamReader,
                simple_stream_read: SimpleStreamReader,
                batch_write: BatchWriter,
                stream_write: StreamWriter,
            ]
            supporting [
                source_schema: SourceSchema,
            ]
        }
    };
}

/// The constructor of a capability's glue (`R`, its role) around an opened source `T`.
pub type GlueFn<T, R> = fn(Arc<T>) -> Arc<R>;

/// What the table generates inside this crate.
macro_rules! define_capabilities {
    ([] serving [$($serving:ident: $serving_trait:ident,)*]
        supporting [$($supporting:ident: $supporting_trait:ident,)*]) => {
        define_capabilities!(@all $($serving: $serving_trait,)* $($supporting: $supporting_trait,)*);
    };
    (@all $($name:ident: $core_trait:ident,)*) => {
        /// What a source type can do: for each capability it implements, the constructor of
        /// the glue that serves it from an opened source.
        pub struct Capabilities<T> {
            $(
                #[doc = concat!("`", stringify!($core_trait), "`.")]
                pub $name: Option<GlueFn<T, dyn $name::Role>>,
            )*
        }

        impl<T> std::fmt::Debug for Capabilities<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_list().entries(self.names()).finish()
            }
        }

        impl<T> Capabilities<T> {
            /// The capabilities' names: the Python modules that assemble their classes.
            pub fn names(&self) -> Vec<&'static str> {
                let mut names = Vec::new();
                $(
                    if self.$name.is_some() {
                        names.push(stringify!($name));
                    }
                )*
                names
            }

            /// The glue of each capability, around `source`.
            pub(crate) fn open(&self, source: Arc<T>) -> Roles {
                Roles {
                    $($name: self.$name.map(|glue| glue(source.clone())),)*
                }
            }
        }

        /// The glue of each capability an opened source has.
        pub(crate) struct Roles {
            $(pub(crate) $name: Option<Arc<dyn $name::Role>>,)*
        }

        /// The Python object of capability `name`'s glue, for its Python classes.
        pub(crate) fn native(py: Python<'_>, name: &str, open: &Arc<OpenSource>) -> PyResult<Py<PyAny>> {
            match name {
                $(stringify!($name) => match &open.roles.$name {
                    Some(role) => $name::native(py, role.clone(), open),
                    None => Err(PyValueError::new_err(format!(
                        "{}: this source has no `{}` capability",
                        open.name,
                        stringify!($name)
                    ))),
                },)*
                other => Err(PyValueError::new_err(format!("no capability is named `{other}`"))),
            }
        }

        /// Each capability's Python module (name, path shown in tracebacks, text).
        pub(crate) const PYTHON_FILES: &[(&str, &str, &str)] = &[
            $((
                stringify!($name),
                concat!("datasource_py/", stringify!($name), ".py"),
                include_str!(concat!("../../python/datasource_py/", stringify!($name), ".py")),
            ),)*
        ];

        /// The probes `bind_source!` runs, one module per capability.
        pub mod probes {
            $(
                #[allow(missing_docs)]
                pub mod $name {
                    use std::sync::Arc;

                    use $crate::capability::probe::{Found, Missing, Probe};
                    use $crate::capability::GlueFn;

                    /// Found when `T` implements the capability's trait.
                    pub trait Via<T> {
                        fn $name(&self) -> Found<GlueFn<T, dyn $crate::capability::$name::Role>>;
                    }

                    impl<T: datasource_core::$core_trait> Via<T> for Probe<T> {
                        fn $name(&self) -> Found<GlueFn<T, dyn $crate::capability::$name::Role>> {
                            Found(|source: Arc<T>| $crate::capability::$name::glue(source))
                        }
                    }

                    /// Missing for any `T` (one `&` further than `Via`).
                    pub trait No<T> {
                        fn $name(&self) -> Missing<T> {
                            Missing::new()
                        }
                    }

                    impl<T> No<T> for &Probe<T> {}
                }
            )*
        }
    };
}

with_capabilities!([define_capabilities]);

/// The [`SourceBinding`](crate::binding::SourceBinding) of a `#[data_source]` type, with every
/// capability it implements; a compile error if it implements none, or both stream readers.
/// `export!` expands to one call per source.
#[doc(hidden)]
#[macro_export]
macro_rules! bind_source {
    ($source:ty) => {
        $crate::with_capabilities!([$crate::__private::bind_rows] $source)
    };
}

/// `bind_source!` with the table's rows.
#[doc(hidden)]
#[macro_export]
macro_rules! bind_rows {
    ([$source:ty] serving [$($serving:ident: $serving_trait:ident,)*]
        supporting [$($supporting:ident: $supporting_trait:ident,)*]) => {{
        #[allow(unused_imports)]
        use $crate::__private::capability::probe::{Or as _, StreamReaders as _};
        $(
            #[allow(unused_imports)]
            use $crate::__private::capability::probes::$serving::{No as _, Via as _};
        )*
        $(
            #[allow(unused_imports)]
            use $crate::__private::capability::probes::$supporting::{No as _, Via as _};
        )*
        let probe = $crate::__private::capability::probe::Probe::<$source>::new();
        $crate::__private::capability::probe::require_capability(
            $crate::__private::capability::probe::Missing::<$source>::new()
                $(.or((&probe).$serving()))*,
        );
        $crate::__private::capability::probe::require_one_stream_reader((&&probe).stream_readers());
        $crate::__private::SourceBinding::new::<$source>($crate::__private::capability::Capabilities {
            $($serving: (&probe).$serving().glue(),)*
            $($supporting: (&probe).$supporting().glue(),)*
        })
    }};
}
