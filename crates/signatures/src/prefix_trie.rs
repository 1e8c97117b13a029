//! Class-prefix matching at package boundaries with one byte trie walked only from the
//! boundaries of a name.
//!
//! A code prefix (`com/appsflyer`) matches a slash-form class name when it occurs starting
//! at the start of the name or just after a `/`, and is followed by the end of the name,
//! a `/` or a `$`. Since a match can only start at a boundary, a trie of all prefixes
//! walked from each boundary (4–6 per class name) finds exactly the matches an
//! Aho-Corasick automaton run over the whole name finds and then filters.
//!
//! Why our own structure rather than the `aho-corasick` crate (which we still use for
//! strings): the full DFA that made the crate's search fast cost ~36 M instructions to
//! build per class-prefix list (~550 patterns; 72 M of the 96.5 M of `Matcher::new`), paid
//! by every single `trackscan scan`; its contiguous NFA builds faster but searches ~3×
//! slower per byte. This trie holds both lists (~1,130 patterns) and builds in ~3.4 M
//! instructions; one walk per class name serves both lists. Measured with callgrind on
//! achat.apk (6,820 classes): `Matcher::new` 96.5 M -> 8.3 M, and the whole per-scan
//! match (classes, strings, hosts, both lists) 38.1 M -> 23.2 M.

/// No node.
const NONE: u32 = u32::MAX;

/// A frozen trie node: its edges and outputs are ranges of the shared arrays.
#[derive(Debug, Clone, Copy)]
struct Node {
    edges: u32,
    n_edges: u32,
    /// Index into [`PrefixTrie::dense`] for nodes with many edges, else [`NONE`].
    dense: u32,
    outs: u32,
    n_outs: u32,
}

/// Byte trie of patterns, matched at package boundaries (see the module doc).
#[derive(Debug)]
pub(crate) struct PrefixTrie {
    /// First step from a boundary: node for each first byte, or [`NONE`].
    root: Box<[u32; 256]>,
    nodes: Vec<Node>,
    /// Edge labels, each node's edges contiguous (in byte order).
    edge_bytes: Vec<u8>,
    /// Edge targets, parallel to `edge_bytes`.
    edge_next: Vec<u32>,
    /// Pattern ids ending at a node, each node's contiguous.
    outs: Vec<u32>,
    /// Child per byte for the nodes with at least [`DENSE_MIN_EDGES`] edges (`com/`,
    /// `com/g`, …), where a linear scan of the edges cost the most.
    dense: Vec<[u32; 256]>,
}

/// Nodes with this many edges or more get a 256-entry table.
const DENSE_MIN_EDGES: u32 = 6;

/// Too many patterns or pattern bytes for 32-bit node ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLarge;

impl PrefixTrie {
    /// Builds the trie; pattern `i` of the iterator reports id `i`. Empty patterns never
    /// match (as with the automaton, which the caller never gives one).
    ///
    /// Built from the sorted patterns breadth-first, straight into the flat arrays: the
    /// patterns under a node are one contiguous run of the sorted list, its children the
    /// sub-runs sharing the next byte. No allocation per node (a first version with a
    /// growable child list per node cost 8.6 M instructions for the built-in rules).
    pub(crate) fn new<'p>(patterns: impl IntoIterator<Item = &'p str>) -> Result<Self, TooLarge> {
        let mut pats: Vec<(&[u8], u32)> = Vec::new();
        for (id, p) in patterns.into_iter().enumerate() {
            pats.push((p.as_bytes(), u32::try_from(id).map_err(|_| TooLarge)?));
        }
        // Stable: equal patterns keep their id order.
        pats.sort_by(|a, b| a.0.cmp(b.0));
        let byte_at = |k: usize, d: usize| pats.get(k).and_then(|(p, _)| p.get(d)).copied();
        let mut t = PrefixTrie {
            root: Box::new([NONE; 256]),
            nodes: Vec::new(),
            edge_bytes: Vec::new(),
            edge_next: Vec::new(),
            outs: Vec::new(),
            dense: Vec::new(),
        };
        // Node i covers the patterns pending[i].0 .. pending[i].1, which share their first
        // pending[i].2 bytes. Nodes are numbered in breadth-first order, so each node's
        // children get consecutive edges.
        let mut pending: Vec<(usize, usize, usize)> = vec![(0, pats.len(), 0)];
        let mut i = 0usize;
        while let Some(&(lo, hi, d)) = pending.get(i) {
            let count = |v: usize| u32::try_from(v).map_err(|_| TooLarge);
            let (edges, outs) = (count(t.edge_bytes.len())?, count(t.outs.len())?);
            // Patterns that end here sort first in the run.
            let mut k = lo;
            while k < hi && byte_at(k, d).is_none() {
                if let Some(&(_, id)) = pats.get(k).filter(|_| d > 0) {
                    t.outs.push(id);
                }
                k = k.saturating_add(1);
            }
            while let Some(b) = byte_at(k, d).filter(|_| k < hi) {
                let mut e = k.saturating_add(1);
                while e < hi && byte_at(e, d) == Some(b) {
                    e = e.saturating_add(1);
                }
                let child = count(pending.len()).ok().filter(|&n| n != NONE);
                t.edge_bytes.push(b);
                t.edge_next.push(child.ok_or(TooLarge)?);
                pending.push((k, e, d.saturating_add(1)));
                k = e;
            }
            let n_edges = count(t.edge_bytes.len())?.saturating_sub(edges);
            let mut dense = NONE;
            if n_edges >= DENSE_MIN_EDGES {
                let mut table = [NONE; 256];
                let from = edges as usize;
                let to = from.saturating_add(n_edges as usize);
                let labels = t.edge_bytes.get(from..to).unwrap_or(&[]);
                let next = t.edge_next.get(from..to).unwrap_or(&[]);
                for (&b, &n) in labels.iter().zip(next) {
                    if let Some(slot) = table.get_mut(usize::from(b)) {
                        *slot = n;
                    }
                }
                dense = count(t.dense.len())?;
                t.dense.push(table);
            }
            t.nodes.push(Node {
                edges,
                n_edges,
                dense,
                outs,
                n_outs: count(t.outs.len())?.saturating_sub(outs),
            });
            i = i.saturating_add(1);
        }
        if let Some(root) = t.nodes.first().copied() {
            let from = root.edges as usize;
            let to = from.saturating_add(root.n_edges as usize);
            let labels = t.edge_bytes.get(from..to).unwrap_or(&[]);
            let next = t.edge_next.get(from..to).unwrap_or(&[]);
            for (&b, &n) in labels.iter().zip(next) {
                if let Some(slot) = t.root.get_mut(usize::from(b)) {
                    *slot = n;
                }
            }
        }
        Ok(t)
    }

    fn child(&self, n: &Node, b: u8) -> u32 {
        if let Some(table) = self.dense.get(n.dense as usize) {
            return table.get(usize::from(b)).copied().unwrap_or(NONE);
        }
        let start = n.edges as usize;
        let end = start.saturating_add(n.n_edges as usize);
        let Some(labels) = self.edge_bytes.get(start..end) else {
            return NONE;
        };
        match labels.iter().position(|&x| x == b) {
            Some(i) => self
                .edge_next
                .get(start.saturating_add(i))
                .copied()
                .unwrap_or(NONE),
            None => NONE,
        }
    }

    /// Calls `f` with the id of every pattern that occurs in `name` starting at the start
    /// or after a `/` and followed by the end, `/` or `$`, once per occurrence, in order of
    /// start position, then length.
    pub(crate) fn for_each_match(&self, name: &[u8], mut f: impl FnMut(u32)) {
        let mut start = 0usize;
        // One walk per boundary; each walk is at most one step per byte of the name.
        while let Some(&first) = name.get(start) {
            let mut node = self.root.get(usize::from(first)).copied().unwrap_or(NONE);
            let mut j = start.saturating_add(1);
            while let Some(n) = self.nodes.get(node as usize) {
                let next = name.get(j).copied();
                if n.n_outs > 0 && matches!(next, None | Some(b'/' | b'$')) {
                    let from = n.outs as usize;
                    let to = from.saturating_add(n.n_outs as usize);
                    for &id in self.outs.get(from..to).unwrap_or(&[]) {
                        f(id);
                    }
                }
                let Some(b) = next else {
                    break;
                };
                node = self.child(n, b);
                j = j.saturating_add(1);
            }
            match name
                .get(start..)
                .and_then(|rest| rest.iter().position(|&b| b == b'/'))
            {
                Some(p) => start = start.saturating_add(p).saturating_add(1),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};

    /// The previous matcher: an overlapping Aho-Corasick search filtered to package
    /// boundaries. Pattern ids as given (empty patterns are left out of the automaton).
    fn by_automaton(pats: &[String], name: &str) -> Vec<u32> {
        let kept: Vec<(u32, &String)> = (0u32..).zip(pats).filter(|(_, p)| !p.is_empty()).collect();
        if kept.is_empty() {
            return Vec::new();
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(kept.iter().map(|(_, p)| p))
            .unwrap();
        let b = name.as_bytes();
        ac.find_overlapping_iter(name)
            .filter(|m| {
                let start_ok = m.start() == 0 || b.get(m.start() - 1) == Some(&b'/');
                let end_ok = matches!(b.get(m.end()), None | Some(b'/') | Some(b'$'));
                start_ok && end_ok
            })
            .map(|m| kept[m.pattern().as_usize()].0)
            .collect()
    }

    fn by_trie(pats: &[String], name: &str) -> Vec<u32> {
        let t = PrefixTrie::new(pats.iter().map(String::as_str)).unwrap();
        let mut got = Vec::new();
        t.for_each_match(name.as_bytes(), |id| got.push(id));
        got
    }

    #[test]
    fn boundaries() {
        let pats: Vec<String> = ["com/dv", "com/facebook/ads", "a/B", "com/dv"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let ids = |n: &str| by_trie(&pats, n);
        assert_eq!(ids("com/dv/X"), [0, 3]);
        assert_eq!(ids("com/dvx/X"), Vec::<u32>::new());
        assert_eq!(ids("xcom/dv/X"), Vec::<u32>::new());
        assert_eq!(ids("shadow/com/dv"), [0, 3]);
        assert_eq!(ids("com/facebook/ads$1"), [1]);
        assert_eq!(ids("a/B/com/dv/a/B$c"), [2, 0, 3, 2]);
        assert_eq!(ids(""), Vec::<u32>::new());
        assert_eq!(ids("/"), Vec::<u32>::new());
        assert_eq!(ids("com/dv/"), [0, 3]);
    }

    #[test]
    fn dense_nodes_match_like_sparse_ones() {
        // 26 edges under `c/` (dense), one under `c/q` (sparse).
        let mut pats: Vec<String> = (b'a'..=b'z').map(|b| format!("c/{}", b as char)).collect();
        pats.push("c/q/r".into());
        let t = PrefixTrie::new(pats.iter().map(String::as_str)).unwrap();
        assert!(!t.dense.is_empty());
        for (i, p) in pats.iter().enumerate() {
            let mut got = Vec::new();
            t.for_each_match(format!("x/{p}$1").as_bytes(), |id| got.push(id));
            let want: Vec<u32> = if p == "c/q/r" {
                vec![16, 26]
            } else {
                vec![i as u32]
            };
            assert_eq!(got, want, "{p}");
        }
        let mut got = Vec::new();
        t.for_each_match(b"c/aa/c/", |id| got.push(id));
        assert!(got.is_empty());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Differential: the trie reports the same matches (the multiset of pattern ids,
        /// duplicates and overlaps included) as the boundary-filtered automaton it replaced,
        /// over an alphabet rich in boundaries, NULs and multi-byte characters.
        #[test]
        fn trie_equals_boundary_filtered_automaton(
            pats in proptest::collection::vec("[ab/$\\x00é]{0,5}", 0..12),
            names in proptest::collection::vec("[ab/$\\x00é]{0,12}", 0..8),
        ) {
            for name in &names {
                // The same pattern ids, as a multiset (the orders of matches ending at
                // the same place may differ).
                let mut want = by_automaton(&pats, name);
                let mut got = by_trie(&pats, name);
                want.sort_unstable();
                got.sort_unstable();
                proptest::prop_assert_eq!(got, want, "name {:?} pats {:?}", name, pats);
            }
        }
    }
}
