//! The Play Console Data safety CSV (export and import format): reading and writing.
