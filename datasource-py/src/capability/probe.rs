//! How `bind_source!` finds which capabilities a type implements, where `export!` names it.
//!
//! Rust has no specialization, but at a call site with a concrete type, method resolution
//! prefers an impl that applies to the receiver as written over one that needs another `&`
//! (autoref specialization): each capability's `Via` probe applies to `Probe<T>` when `T`
//! implements its trait and gives [`Found`] (the constructor of its glue), its `No` probe to
//! `&Probe<T>` for any `T` and gives [`Missing`]. The types found also prove, when the crate
//! compiles, that a type has at least one capability Spark can use, and not both stream readers.

use std::marker::PhantomData;

use datasource_core::{SimpleStreamReader, StreamReader};

/// The receiver of the probes: one per exported type.
#[derive(Debug)]
pub struct Probe<T>(PhantomData<T>);

impl<T> Probe<T> {
    /// The probe of `T`: `export!`'s expansion calls each capability's probe on it (or on a
    /// reference to it).
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Probe(PhantomData)
    }
}

/// A capability the type implements: the constructor of its glue.
#[derive(Debug)]
pub struct Found<G>(pub G);

impl<G> Found<G> {
    /// The glue's constructor, for the source's binding.
    pub fn glue(self) -> Option<G> {
        Some(self.0)
    }
}

/// A capability `T` does not implement; also what the search for any capability starts from.
#[derive(Debug)]
pub struct Missing<T>(PhantomData<T>);

impl<T> Missing<T> {
    /// No capability found yet: the start of the search, `.or`-ed with each probe's result.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Missing(PhantomData)
    }

    /// No glue: the source's binding has no such capability.
    pub fn glue<G>(self) -> Option<G> {
        None
    }
}

/// At least one capability was found.
#[derive(Debug)]
pub struct Capable;

/// Whether any of the capabilities probed so far was found, as a type.
pub trait Or<X> {
    /// [`Capable`] once a capability was found, else `Missing<T>`.
    type Out;
    /// Adds the result of one more probe.
    fn or(self, probed: X) -> Self::Out;
}

impl<T, G> Or<Found<G>> for Missing<T> {
    type Out = Capable;
    fn or(self, _: Found<G>) -> Capable {
        Capable
    }
}

impl<T, U> Or<Missing<U>> for Missing<T> {
    type Out = Missing<T>;
    fn or(self, _: Missing<U>) -> Missing<T> {
        self
    }
}

impl<X> Or<X> for Capable {
    type Out = Capable;
    fn or(self, _: X) -> Capable {
        Capable
    }
}

#[doc(hidden)]
pub trait CapabilityProof {}

impl CapabilityProof for Capable {}

impl<T: HasCapability> CapabilityProof for Missing<T> {}

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

/// Fails to compile for a type with no capability.
pub fn require_capability<P: CapabilityProof>(_: P) {}

/// What the stream-reader probe finds: `Both` when `T` implements both stream readers.
pub trait StreamReaders {
    /// [`Both`] or [`AtMostOne`].
    type Found;
    /// Probes the type's stream readers; resolved at compile time, it does nothing.
    fn stream_readers(&self) -> Self::Found;
}

/// `T` implements `StreamReader` and `SimpleStreamReader`.
#[derive(Debug)]
pub struct Both<T>(PhantomData<T>);

/// `T` implements at most one stream reader.
#[derive(Debug)]
pub struct AtMostOne;

impl<T: StreamReader + SimpleStreamReader> StreamReaders for &Probe<T> {
    type Found = Both<T>;
    fn stream_readers(&self) -> Both<T> {
        Both(PhantomData)
    }
}

impl<T> StreamReaders for Probe<T> {
    type Found = AtMostOne;
    fn stream_readers(&self) -> AtMostOne {
        AtMostOne
    }
}

#[doc(hidden)]
pub trait OneStreamReader {}

impl OneStreamReader for AtMostOne {}

impl<T: NotBothStreamReaders> OneStreamReader for Both<T> {}

/// Never implemented: the bound that fails, with this message, for a type that implements both
/// stream readers (PySpark asks for `streamReader` first, so the simple one would never run).
#[diagnostic::on_unimplemented(
    message = "`{Self}` implements both `StreamReader` and `SimpleStreamReader`: Spark would only \
               ever use its `StreamReader`",
    label = "implements two stream readers",
    note = "keep one: `StreamReader` to plan partitions read in parallel on executors, \
            `SimpleStreamReader` to read each micro-batch on the driver"
)]
pub trait NotBothStreamReaders {}

/// Fails to compile for a type that implements both stream readers.
pub fn require_one_stream_reader<P: OneStreamReader>(_: P) {}
