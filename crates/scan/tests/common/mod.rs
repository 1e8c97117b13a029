//! Helpers shared by the scan crate's integration tests.

use trackscan_scan::report::Finding;
use trackscan_scan::Report;

/// The tracker finding with this id, or a panic listing the ones found.
pub fn tracker<'r>(r: &'r Report, id: &str) -> &'r Finding {
    r.trackers.iter().find(|t| t.id == id).unwrap_or_else(|| {
        panic!(
            "tracker {id} not found; have {:?}",
            r.trackers.iter().map(|t| &t.id).collect::<Vec<_>>()
        )
    })
}
