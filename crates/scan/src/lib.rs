//! Ties the parsers together into one report per app; the only serde layer.
