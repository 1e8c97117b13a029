//! Matcher facts of an indexed app, shared by the `matcher` bench and the `match_cost`
//! example (which includes this file by path).

use std::borrow::Cow;

use trackscan_dex::CodeIndex;
use trackscan_signatures::{extract_hosts, ClassFact, HostFact, StringFact};

/// The classes, DEX strings and hosts of an app, as the matcher takes them.
pub struct Facts<'i> {
    /// Every class, located in its DEX file.
    pub classes: Vec<ClassFact<'i>>,
    /// Every DEX string.
    pub values: Vec<Cow<'i, str>>,
    /// The hosts found in those strings.
    pub hosts: Vec<String>,
}

impl<'i> Facts<'i> {
    /// Facts of `index`.
    pub fn of(index: &'i CodeIndex<'_>) -> Facts<'i> {
        let classes = index
            .classes()
            .map(|c| ClassFact {
                descriptor: c.descriptor(),
                location: c.dex_file(),
            })
            .collect();
        let values: Vec<Cow<'i, str>> = index.all_strings().map(|(s, _)| s).collect();
        let hosts = values.iter().flat_map(|s| extract_hosts(s)).collect();
        Facts {
            classes,
            values,
            hosts,
        }
    }

    /// The strings as string facts (all in `classes.dex`).
    pub fn strings(&self) -> Vec<StringFact<'_>> {
        self.values
            .iter()
            .map(|s| StringFact {
                value: s.as_ref(),
                location: "classes.dex",
            })
            .collect()
    }

    /// The hosts as host facts (all in `classes.dex`).
    pub fn host_facts(&self) -> Vec<HostFact<'_>> {
        self.hosts
            .iter()
            .map(|h| HostFact {
                host: h,
                location: "classes.dex",
            })
            .collect()
    }
}
