//! The typed results of trackscan that more than one crate reads or writes: one Rust type per
//! piece of a document, shared by the crate that produces it and the crates that consume it.
//!
//! - [`label`]: the Data safety label check (`trackscan-label` produces it; the `data_safety`
//!   key of batch rows; `trackscan-batch`'s score, tables and HTML read it).
//! - [`score`]: the privacy scorecard (the `score` key of every document).
//! - [`readable`]: the one rule that says an app could not be read, for typed reports and for
//!   JSON rows alike.
//!
//! Every type serializes as the documents have always been written and deserializes
//! leniently: a missing field takes its default, and an enum value this version does not know
//! reads as that enum's `Unknown` (or `Other`) variant, so rows of older and newer versions
//! read as far as they go.

#![warn(missing_docs)]

pub mod label;
pub mod readable;
pub mod score;

pub use readable::ReadFacts;
pub use score::{Grade, Reason, Score};
