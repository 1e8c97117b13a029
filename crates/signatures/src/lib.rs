//! Tracker and library rules (from εxodus and others) and the one-pass matcher.
