//! Does the privacy label tell the truth? Google Play's Data safety form, read from the Play
//! Console's CSV export ([`form`]), set against what trackscan observes in the app: the data
//! its tracker SDKs reach, what the app hands them, and what each vendor says its SDK
//! collects ([`observed`]).
//!
//! Works on the typed [`trackscan_scan::report::Report`], never on JSON looked up by key.

#![warn(missing_docs)]

pub mod check;
pub mod draft;
pub mod form;
pub mod observed;
pub mod render;
pub mod switches;
