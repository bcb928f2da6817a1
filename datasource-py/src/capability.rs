//! Which capabilities a `#[data_source]` type implements, found where `export!` names it.
//!
//! Rust has no specialization, but at a call site with a concrete type, method resolution
//! prefers an impl that applies to the receiver as written over one that needs another `&`
//! (autoref specialization). [`bind_source!`](crate::bind_source) probes each capability trait
//! that way and collects a constructor of the capability's glue for each one implemented;
//! a type implementing none is a compile error.
//!
//! Adding a capability: its trait in `datasource-core`, a `probe!` and a field of
//! [`Capabilities`] here, a `capable!` link (one more `&` on every link before it, and on
//! `bind_source!`'s receiver) unless the trait extends one that has a link already, its role in
//! the glue, and the matching function in `shim.py`.

use std::marker::PhantomData;
use std::sync::Arc;

use datasource_core::{
    BatchReader, BatchWriter, FilterPushdown, SimpleStreamReader, StreamReader, StreamWriter,
};

use crate::read::{BatchReadRole, FilterRole, TypedRead};
use crate::stream_read::{SimpleStreamReadRole, StreamReadRole};
use crate::write::{TypedBatchWrite, TypedStreamWrite, WriteRole};

/// The constructor of a capability's glue (`R`, a role trait) around an opened source `T`.
pub type GlueFn<T, R> = fn(Arc<T>) -> Arc<R>;

/// What a source type can do: for each capability it implements, the constructor of the glue
/// that serves it from an opened source.
pub struct Capabilities<T> {
    /// `BatchReader`: `spark.read`.
    pub batch_read: Option<GlueFn<T, dyn BatchReadRole>>,
    /// `FilterPushdown`: `spark.read` with filters applied by the source.
    pub filter_pushdown: Option<GlueFn<T, dyn FilterRole>>,
    /// `StreamReader`: `spark.readStream`.
    pub stream_read: Option<GlueFn<T, dyn StreamReadRole>>,
    /// `SimpleStreamReader`: `spark.readStream`, read on the driver.
    pub simple_stream_read: Option<GlueFn<T, dyn SimpleStreamReadRole>>,
    /// `BatchWriter`: `df.write`.
    pub batch_write: Option<GlueFn<T, dyn WriteRole>>,
    /// `StreamWriter`: `df.writeStream`.
    pub stream_write: Option<GlueFn<T, dyn WriteRole>>,
}

impl<T> std::fmt::Debug for Capabilities<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl<T> Capabilities<T> {
    /// The capabilities' names, as `shim.py` knows them.
    pub fn names(&self) -> Vec<&'static str> {
        let Capabilities {
            batch_read,
            filter_pushdown,
            stream_read,
            simple_stream_read,
            batch_write,
            stream_write,
        } = self;
        [
            batch_read.is_some().then_some("batch_read"),
            filter_pushdown.is_some().then_some("filter_pushdown"),
            stream_read.is_some().then_some("stream_read"),
            simple_stream_read.is_some().then_some("simple_stream_read"),
            batch_write.is_some().then_some("batch_write"),
            stream_write.is_some().then_some("stream_write"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// The receiver of the probes: one per exported type.
#[derive(Debug)]
pub struct Probe<T>(PhantomData<T>);

impl<T> Probe<T> {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Probe(PhantomData)
    }
}

/// A probe pair for one capability: `$via` applies to `Probe<T>` when `T` implements `$trait`
/// (and builds its glue with `$glue`), `$no` to `&Probe<T>` for any `T` (and finds nothing).
macro_rules! probe {
    ($via:ident, $no:ident, $method:ident, $trait:ident, $role:ident, $glue:ident) => {
        pub trait $via<T> {
            fn $method(&self) -> Option<GlueFn<T, dyn $role>>;
        }

        impl<T: $trait> $via<T> for Probe<T> {
            fn $method(&self) -> Option<GlueFn<T, dyn $role>> {
                Some(|source| Arc::new($glue(source)))
            }
        }

        pub trait $no<T> {
            fn $method(&self) -> Option<GlueFn<T, dyn $role>> {
                None
            }
        }

        impl<T> $no<T> for &Probe<T> {}
    };
}

probe!(
    ViaBatchReader,
    NoBatchReader,
    batch_read,
    BatchReader,
    BatchReadRole,
    TypedRead
);
probe!(
    ViaFilterPushdown,
    NoFilterPushdown,
    filter_pushdown,
    FilterPushdown,
    FilterRole,
    TypedRead
);
probe!(
    ViaStreamReader,
    NoStreamReader,
    stream_read,
    StreamReader,
    StreamReadRole,
    TypedRead
);
probe!(
    ViaSimpleStreamReader,
    NoSimpleStreamReader,
    simple_stream_read,
    SimpleStreamReader,
    SimpleStreamReadRole,
    TypedRead
);
probe!(
    ViaBatchWriter,
    NoBatchWriter,
    batch_write,
    BatchWriter,
    WriteRole,
    TypedBatchWrite
);
probe!(
    ViaStreamWriter,
    NoStreamWriter,
    stream_write,
    StreamWriter,
    WriteRole,
    TypedStreamWrite
);

/// Proof that a type has at least one capability, or the compile error saying it has none.
#[derive(Debug)]
pub struct Capable;

/// What the probe finds for a type with no capability.
#[derive(Debug)]
pub struct Incapable<T>(PhantomData<T>);

#[doc(hidden)]
pub trait CapabilityProof {}

impl CapabilityProof for Capable {}

impl<T: HasCapability> CapabilityProof for Incapable<T> {}

/// Never implemented: the bound that fails, with this message, for a type exported with no
/// capability.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is exported as a data source, but Spark can neither read nor write it",
    label = "implements no data source capability",
    note = "implement at least one of `BatchReader` (`spark.read`), `StreamReader` or \
            `SimpleStreamReader` (`spark.readStream`), `BatchWriter` (`df.write`) and \
            `StreamWriter` (`df.writeStream`) for it"
)]
pub trait HasCapability {}

/// One link per capability, the first that applies wins (`&&&Probe` before `&&Probe`); the
/// last, for any type, finds nothing.
pub trait AnyCapability {
    type Found;
    fn any_capability(&self) -> Self::Found;
}

/// One link of the chain: `$trait` found at `$receiver`.
macro_rules! capable {
    ($trait:ident, $receiver:ty) => {
        impl<T: $trait> AnyCapability for $receiver {
            type Found = Capable;
            fn any_capability(&self) -> Capable {
                Capable
            }
        }
    };
}

capable!(BatchReader, &&&&&Probe<T>);
capable!(StreamReader, &&&&Probe<T>);
capable!(SimpleStreamReader, &&&Probe<T>);
capable!(BatchWriter, &&Probe<T>);
capable!(StreamWriter, &Probe<T>);

impl<T> AnyCapability for Probe<T> {
    type Found = Incapable<T>;
    fn any_capability(&self) -> Incapable<T> {
        Incapable(PhantomData)
    }
}

/// Fails to compile for a type with no capability.
pub fn require_capability<P: CapabilityProof>(_: P) {}

/// The [`SourceBinding`](crate::binding::SourceBinding) of a `#[data_source]` type, with every
/// capability it implements; a compile error if it implements none. `export!` expands to one
/// call per source.
#[doc(hidden)]
#[macro_export]
macro_rules! bind_source {
    ($source:ty) => {{
        #[allow(unused_imports)]
        use $crate::__private::capability::{
            AnyCapability as _, NoBatchReader as _, NoBatchWriter as _, NoFilterPushdown as _,
            NoSimpleStreamReader as _, NoStreamReader as _, NoStreamWriter as _,
            ViaBatchReader as _, ViaBatchWriter as _, ViaFilterPushdown as _,
            ViaSimpleStreamReader as _, ViaStreamReader as _, ViaStreamWriter as _,
        };
        let probe = $crate::__private::capability::Probe::<$source>::new();
        $crate::__private::capability::require_capability((&&&&&&probe).any_capability());
        $crate::__private::SourceBinding::new::<$source>(
            $crate::__private::capability::Capabilities {
                batch_read: (&probe).batch_read(),
                filter_pushdown: (&probe).filter_pushdown(),
                stream_read: (&probe).stream_read(),
                simple_stream_read: (&probe).simple_stream_read(),
                batch_write: (&probe).batch_write(),
                stream_write: (&probe).stream_write(),
            },
        )
    }};
}
