//! The planner: picks the most selective access path from the maintained counters, and the sort keys and
//! resume conditions that let a cursor mean the same on every path of one order.

use super::filter::{Conds, Order, SortField, TagsOp};
use crate::record_index::{self, address_parts, ListEntry};
use crate::records::ArchiveFilter;
use std::collections::HashMap;
use vigil_domain::{CompanyId, RecordId};
use vigil_store::{keys, Index, SortCond};

/// The maintained counts the planner may use: `(facet, value)` → count, plus the kind's total.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub total: u64,
    pub by: HashMap<(String, String), u64>,
}

impl Counts {
    pub fn get(&self, facet: &str, value: &str) -> u64 {
        self.by.get(&(facet.to_owned(), keys::fold(value))).copied().unwrap_or(0)
    }

    /// The counter keys a query with these conditions reads.
    pub fn needed(c: &Conds) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = Vec::new();
        v.extend(c.sources.iter().map(|s| ("SOURCE".into(), s.to_string())));
        v.extend(c.campaigns.iter().map(|s| ("CAMPAIGN".into(), s.to_string())));
        v.extend(c.stages.iter().map(|s| ("STAGE".into(), s.as_str().into())));
        v.extend(c.dispositions.iter().map(|s| ("DISPO".into(), s.clone())));
        v.extend(c.tags.iter().map(|s| ("TAG".into(), s.clone())));
        v.extend(c.rep.iter().map(|s| ("REP".into(), s.to_string())));
        v.extend(c.followup.iter().map(|s| ("FOLLOWUP".into(), s.clone())));
        if c.archived != ArchiveFilter::All {
            v.push(("ARCHIVED".into(), "true".into()));
        }
        if let (vigil_domain::record::Kind::Lead, Some(l)) = (c.kind, c.location) {
            v.push(("LOCATION".into(), l.as_str().into()));
        }
        for (field, q) in [("FN", &c.first_name), ("LN", &c.last_name), ("EW", &c.email)] {
            v.extend(q.as_deref().and_then(served_prefix).map(|p| (field.into(), p)));
        }
        v
    }
}

/// One partition read in order (an ID-ordered one, or a sorted one restricted to a prefix).
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    pub index: Index,
    pub pk: String,
    pub prefix: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Names the access path (reported as `meta.access_path`).
    pub path: String,
    pub order: Order,
    /// Merged by sort key (all share `order`), duplicates dropped.
    pub streams: Vec<Stream>,
    /// A profile read by key (the number search's ID match).
    pub get: Option<RecordId>,
    /// Read every candidate, then sort in memory (only for small, exactly counted candidate sets).
    pub in_memory: bool,
    /// Items the path holds (counted or estimated).
    pub candidates: f64,
    /// The estimated share of candidates that pass the remaining filters (chunk sizing).
    pub pass_rate: f64,
    pub total: u64,
    pub total_exact: bool,
    /// The total is the size of the path read (exactly counted) scaled by the share of it that matched on the first
    /// page: a search longer than three characters, read through its three-character partition.
    pub sample_total: bool,
    /// For a long name search whose total is estimated: the name-sorted range that holds exactly its matches, read
    /// (up to a cap) to count them.
    pub count_stream: Option<Stream>,
}

/// The partition prefix a name or email search reads: its first three characters at most, when they are letters or
/// digits (anything else is matched by scanning). Searches of up to three characters are counted exactly.
pub fn served_prefix(q: &str) -> Option<String> {
    let p: String = q.chars().take(3).collect();
    (!p.is_empty() && p.chars().all(char::is_alphanumeric)).then_some(p)
}

/// The estimated share of leads whose folded name or email word starts with a prefix of this length.
fn prefix_share(len: usize) -> f64 {
    match len {
        0 => 1.0,
        1 => 0.08,
        2 => 0.015,
        3 => 0.004,
        n => 0.004 / 4f64.powi(n as i32 - 3),
    }
}

/// A stable slot (0..4) for a packed value: which GSI its partition lives in (see `record_index`).
pub use record_index::slot_of;

struct Candidate {
    path: &'static str,
    order: Order,
    streams: Vec<Stream>,
    get: Option<RecordId>,
    size: f64,
    exact: bool,
}

/// Picks the access path: a small, exactly counted candidate set is read whole (and sorted in memory if its order is
/// not the one asked for); otherwise the most selective path in the requested order. The rest is filtered.
///
/// `ssn_index` is the blind index of the number searched for when it has four digits (computed by the caller, who
/// holds the key).
///
/// `served` is the order an earlier page was served in (from its cursor; `None` on a first page): the plan keeps to
/// it, so a cursor's sort key always means the same on the next page even when counters moved in between.
///
/// A name or email search the order asked for cannot fill a page within the read budget (a two-letter last name in
/// ID order over a scan of the company, a first name in last-name order) is served in the order of a path that can:
/// name order where the search has one, else ID order. `Plan::order` tells the caller.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    co: &CompanyId,
    c: &Conds,
    counts: &Counts,
    sort: SortField,
    per_page: u32,
    restricted: bool,
    ssn_index: Option<&str>,
    served: Option<Order>,
) -> Plan {
    let total = counts.total as f64;
    let share = |n: u64| if total > 0.0 { (n as f64 / total).min(1.0) } else { 0.0 };
    let mut cands: Vec<Candidate> = Vec::new();
    let id_stream = |index, pk| Stream { index, pk, prefix: None };
    // Conditions as (selectivity, exact count if this is the only condition).
    let mut dims: Vec<(f64, Option<u64>)> = Vec::new();

    let kind = c.kind;
    let all_pk = keys::records_by_id_gsi2(co, kind, RecordId(0)).0;
    cands.push(Candidate {
        path: "gsi2_by_id",
        order: Order::Id,
        streams: vec![id_stream(Index::Gsi2, all_pk)],
        get: None,
        size: total,
        exact: true,
    });
    let name_pk = keys::records_by_name_gsi1(co, kind, "", "", RecordId(0)).0;
    let sorted = |order: &str, index| id_stream(index, keys::list_sorted_pk(co, kind, order));
    // A prefix's counter is exact up to three characters and bounds a longer one.
    let prefix_count = |field: &str, q: &str| -> (f64, bool) {
        match served_prefix(q) {
            Some(p) => (counts.get(field, &p) as f64, q.chars().count() <= 3),
            None => (total * prefix_share(q.chars().count()), false),
        }
    };
    let (name_size, name_exact) = c.last_name.as_deref().map_or((total, true), |q| prefix_count("LN", q));
    cands.push(Candidate {
        path: "gsi1_by_name",
        order: Order::Name,
        streams: vec![Stream { index: Index::Gsi1, pk: name_pk.clone(), prefix: c.last_name.clone() }],
        get: None,
        size: name_size,
        exact: name_exact,
    });
    cands.push(Candidate {
        path: "address_order",
        order: Order::Address,
        streams: vec![sorted("ADDR", Index::Gsi1)],
        get: None,
        size: total,
        exact: true,
    });
    cands.push(Candidate {
        path: "email_order",
        order: Order::Email,
        streams: vec![sorted("EMAIL", Index::Gsi2)],
        get: None,
        size: total,
        exact: true,
    });

    if let Some(n) = &c.number {
        let mut streams = vec![
            id_stream(Index::Gsi4, keys::list_number_pk(co, kind, n)),
            id_stream(Index::Gsi3, keys::list_number_pk(co, kind, n)),
        ];
        if let Some(bi) = ssn_index.filter(|_| n.len() == 4) {
            streams.push(id_stream(Index::Gsi4, keys::list_ssn_pk(co, kind, bi)));
        }
        let get = n.parse::<u64>().ok().filter(|v| *v > 0 && n.len() <= 14).map(RecordId);
        cands.push(Candidate { path: "number_lookup", order: Order::Id, streams, get, size: 3.0, exact: true });
        dims.push((3.0 / total.max(3.0), None));
    }
    let mut facet =
        |path: &'static str, facet: &str, index: Index, values: Vec<String>, dims: &mut Vec<(f64, Option<u64>)>| {
            if values.is_empty() {
                return;
            }
            let n: u64 = values.iter().map(|v| counts.get(facet, v)).sum();
            let streams = values.iter().map(|v| id_stream(index, keys::list_facet_pk(co, kind, facet, v))).collect();
            cands.push(Candidate { path, order: Order::Id, streams, get: None, size: n as f64, exact: true });
            dims.push((share(n), Some(n)));
        };
    facet("source", "SOURCE", Index::Gsi4, c.sources.iter().map(u32::to_string).collect(), &mut dims);
    facet("campaign", "CAMPAIGN", Index::Gsi1, c.campaigns.iter().map(u32::to_string).collect(), &mut dims);
    facet("stage", "STAGE", Index::Gsi2, c.stages.iter().map(|s| s.as_str().to_owned()).collect(), &mut dims);
    facet("disposition", "DISPO", Index::Gsi3, c.dispositions.clone(), &mut dims);
    if let Some(rep) = &c.rep {
        let n = counts.get("REP", rep.as_str());
        let pk = keys::records_by_rep_gsi3(co, kind, rep, RecordId(0)).0;
        cands.push(Candidate {
            path: "gsi3_rep_by_id",
            order: Order::Id,
            streams: vec![id_stream(Index::Gsi3, pk)],
            get: None,
            size: n as f64,
            exact: true,
        });
        dims.push((share(n), Some(n)));
    }
    if let Some(day) = &c.followup {
        let n = counts.get("FOLLOWUP", day);
        let pk = keys::followups_gsi4(co, day, RecordId(0)).0;
        cands.push(Candidate {
            path: "gsi4_followups",
            order: Order::Id,
            streams: vec![id_stream(Index::Gsi4, pk)],
            get: None,
            size: n as f64,
            exact: true,
        });
        dims.push((share(n), Some(n)));
    }
    if let Some(op) = c.tags_op {
        let p: Vec<f64> = c.tags.iter().map(|t| share(counts.get("TAG", t))).collect();
        let tag_stream = |t: &String| id_stream(Index::GSIS[slot_of(t)], keys::list_facet_pk(co, kind, "TAG", t));
        let single = match c.tags.as_slice() {
            [only] => Some(counts.get("TAG", only)),
            _ => None,
        };
        match op {
            TagsOp::Any => {
                let n: u64 = c.tags.iter().map(|t| counts.get("TAG", t)).sum();
                cands.push(Candidate {
                    path: "tags",
                    order: Order::Id,
                    streams: c.tags.iter().map(tag_stream).collect(),
                    get: None,
                    size: n as f64,
                    exact: true,
                });
                dims.push((1.0 - p.iter().map(|x| 1.0 - x).product::<f64>(), single));
            }
            TagsOp::All => {
                // The rarest tag's partition holds every row that has them all.
                if let Some((t, n)) = c.tags.iter().map(|t| (t, counts.get("TAG", t))).min_by_key(|(_, n)| *n) {
                    cands.push(Candidate {
                        path: "tags",
                        order: Order::Id,
                        streams: vec![tag_stream(t)],
                        get: None,
                        size: n as f64,
                        exact: true,
                    });
                }
                dims.push((p.iter().product(), single));
            }
            TagsOp::None => {
                dims.push((p.iter().map(|x| 1.0 - x).product(), single.map(|n| counts.total.saturating_sub(n))))
            }
            TagsOp::NotAll => {
                dims.push((1.0 - p.iter().product::<f64>(), single.map(|n| counts.total.saturating_sub(n))))
            }
        }
    }
    // Name and email prefixes: the partition of their first one to three characters, exactly counted. A search
    // longer than three characters reads its three-character partition and filters; its share is estimated.
    let mut has_prefix = false;
    for (path, field, q) in [
        ("first_name_prefix", "FN", &c.first_name),
        ("last_name_prefix", "LN", &c.last_name),
        ("email_word_prefix", "EW", &c.email),
    ] {
        let Some(q) = q else { continue };
        has_prefix = true;
        let len = q.chars().count();
        let Some(p) = served_prefix(q) else {
            dims.push((prefix_share(len) * if field == "EW" { 3.0 } else { 1.0 }, None));
            continue;
        };
        let n = counts.get(field, &p);
        let plen = p.chars().count();
        let index = if field == "EW" { Index::GSIS[slot_of(&p)] } else { record_index::name_prefix_index(field, plen) };
        cands.push(Candidate {
            path,
            order: Order::Id,
            streams: vec![id_stream(index, keys::list_prefix_pk(co, kind, field, &p))],
            get: None,
            size: n as f64,
            exact: true,
        });
        if len <= 3 {
            dims.push((share(n), Some(n)));
        } else {
            // Each further character keeps about a quarter of the three-character partition; the first page's reads
            // replace this guess with a measurement (`sample_total`).
            dims.push((share(n) / 4f64.powi(len.min(12) as i32 - 3), None));
        }
    }
    if let Some(q) = &c.first_name {
        let (size, exact) = prefix_count("FN", q);
        let stream =
            Stream { index: Index::Gsi3, pk: keys::list_sorted_pk(co, kind, "FIRST"), prefix: Some(q.clone()) };
        cands.push(Candidate {
            path: "first_name_order",
            order: Order::FirstName,
            streams: vec![stream],
            get: None,
            size,
            exact,
        });
    }
    if c.min_rating.is_some() {
        dims.push((2.0 / 6.0, None));
    }
    let archived = counts.get("ARCHIVED", "true");
    match c.archived {
        ArchiveFilter::All => {}
        ArchiveFilter::ArchivedOnly => {
            let pk = keys::list_facet_pk(co, kind, "ARCHIVED", "true");
            cands.push(Candidate {
                path: "archived",
                order: Order::Id,
                streams: vec![id_stream(Index::Gsi1, pk)],
                get: None,
                size: archived as f64,
                exact: true,
            });
            dims.push((share(archived), Some(archived)));
        }
        ArchiveFilter::ActiveOnly => dims.push((1.0 - share(archived), Some(counts.total.saturating_sub(archived)))),
    }

    // A location view (Pending, Returned, Invalid …) is counted: alone, its total is exact.
    if let (vigil_domain::record::Kind::Lead, Some(l)) = (c.kind, c.location) {
        let n = counts.get("LOCATION", l.as_str());
        dims.push((share(n), Some(n)));
    }

    let want = sort.order();
    let small = (2 * per_page + 30) as f64;
    let selectivity: f64 = dims.iter().map(|d| d.0).product();
    let matches = total * selectivity;
    // Whether reading `k` in its order fills the first page within the read budget (`exec::SCAN_BASE` plus two
    // reads per row): the rows wanted divided by the share of `k` expected to match.
    let servable = |k: &Candidate| {
        let rows = matches.min(f64::from(per_page)).max(1.0);
        let density = if k.size > 0.0 { (matches / k.size).min(1.0) } else { 1.0 };
        rows / density.max(1e-9) <= 40.0 + 2.0 * rows
    };
    let by_size = |a: &&Candidate, b: &&Candidate| a.size.total_cmp(&b.size);
    let in_order = |o: Order| cands.iter().filter(move |k| k.order == o).min_by(by_size);
    let fallback_rank = |o: Order| match o {
        Order::Name => 0,
        Order::FirstName => 1,
        _ => 2,
    };
    let small_set = cands.iter().filter(|k| k.exact && k.size <= small).min_by(by_size);
    let chosen = match served {
        // A later page keeps the order of the first; an in-memory page is always in the order asked.
        Some(o) if o != want => in_order(o),
        Some(_) => small_set.or_else(|| in_order(want)),
        None => small_set.or_else(|| {
            let best = in_order(want)?;
            if !has_prefix || servable(best) {
                return Some(best);
            }
            cands
                .iter()
                .filter(|k| k.order != want && k.get.is_none() && servable(k))
                .min_by(|a, b| fallback_rank(a.order).cmp(&fallback_rank(b.order)).then(a.size.total_cmp(&b.size)))
                .or(Some(best))
        }),
    }
    .or_else(|| in_order(want))
    .expect("every order has a path");
    let in_memory = (chosen.order != want && served.is_none_or(|o| o == want) && chosen.exact && chosen.size <= small)
        || chosen.get.is_some();
    let estimate = matches.round() as u64;
    let (total_out, total_exact) = match dims.as_slice() {
        [] => (counts.total, !restricted),
        [(_, Some(n))] => (*n, !restricted),
        _ => (estimate, false),
    };
    let pass_rate = if chosen.size > 0.0 { (total * selectivity / chosen.size).clamp(0.01, 1.0) } else { 1.0 };
    let long = |q: &Option<String>| q.as_deref().is_some_and(|q| q.chars().count() > 3);
    let sample_total = !total_exact
        && chosen.exact
        && chosen.order == Order::Id
        && [&c.first_name, &c.last_name, &c.email].into_iter().any(long);
    let count_stream = if !sample_total {
        None
    } else if long(&c.last_name) {
        Some(Stream { index: Index::Gsi1, pk: name_pk, prefix: c.last_name.clone() })
    } else if long(&c.first_name) {
        Some(Stream { index: Index::Gsi3, pk: keys::list_sorted_pk(co, kind, "FIRST"), prefix: c.first_name.clone() })
    } else {
        None
    };
    Plan {
        path: if in_memory && chosen.get.is_none() {
            format!("{}+memory_sort", chosen.path)
        } else {
            chosen.path.to_owned()
        },
        order: chosen.order,
        streams: chosen.streams.clone(),
        get: chosen.get,
        in_memory,
        candidates: chosen.size,
        pass_rate,
        total: total_out,
        total_exact,
        sample_total,
        count_stream,
    }
}

// -------------------------------------------------------------------------------------------------- sort keys

/// The key a row sorts by in `order`, equal to the sort key of that order's partition (so cursors work on both).
pub fn sort_key(co: &CompanyId, order: Order, e: &ListEntry) -> String {
    match order {
        Order::Id => keys::id_sk(e.id),
        Order::Name => keys::records_by_name_gsi1(co, e.kind, &e.last_name, &e.first_name, e.id).1,
        Order::Address => {
            let a = address_parts(e);
            keys::list_sorted_sk(&[&a[0], &a[1], &a[2]], e.id)
        }
        Order::Email => keys::list_sorted_sk(&[e.email.as_deref().unwrap_or("")], e.id),
        Order::FirstName => keys::list_sorted_sk(&[&e.first_name, &e.last_name], e.id),
    }
}

/// The sort condition that resumes a stream after (or before, descending) `after`, within its prefix.
pub fn resume_cond(prefix: Option<&str>, after: Option<&str>, descending: bool) -> Option<SortCond> {
    const TOP: char = char::MAX;
    match (prefix, after, descending) {
        (None, None, _) => None,
        (Some(p), None, _) => Some(SortCond::BeginsWith(p.to_owned())),
        (None, Some(a), false) => Some(SortCond::Gt(a.to_owned())),
        (None, Some(a), true) => Some(SortCond::Lt(a.to_owned())),
        (Some(p), Some(a), false) => {
            Some(SortCond::Between(format!("{a}\u{1}").max(p.to_owned()), format!("{p}{TOP}")))
        }
        // Inclusive upper bound: the item equal to `after` is read again and skipped.
        (Some(p), Some(a), true) => Some(SortCond::Between(p.to_owned(), a.to_owned().min(format!("{p}{TOP}")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use vigil_domain::record::Stage;

    fn co() -> CompanyId {
        CompanyId::parse("acme").unwrap()
    }

    fn counts(total: u64, by: &[(&str, &str, u64)]) -> Counts {
        Counts { total, by: by.iter().map(|(f, v, n)| (((*f).to_owned(), (*v).to_owned()), *n)).collect() }
    }

    #[test]
    fn the_planner_takes_the_most_selective_path_in_the_order_asked() {
        let c = Conds { sources: vec![1], tags: vec!["7".into()], tags_op: Some(TagsOp::Any), ..Conds::default() };
        let n = counts(1_000_000, &[("SOURCE", "1", 100_000), ("TAG", "7", 5_000)]);
        let p = plan(&co(), &c, &n, SortField::Id, 25, false, None, None);
        assert_eq!(p.path, "tags");
        assert!(!p.total_exact, "two conditions: estimated");
        assert_eq!(p.total, 500);
        // Sorting by name takes the name index and filters.
        let p = plan(&co(), &c, &n, SortField::Name, 25, false, None, None);
        assert_eq!(p.path, "gsi1_by_name");
        // A small counted set is read whole and sorted in memory, whatever the order.
        let n = counts(1_000_000, &[("SOURCE", "1", 100_000), ("TAG", "7", 40)]);
        let p = plan(&co(), &c, &n, SortField::Name, 25, false, None, None);
        assert_eq!(p.path, "tags+memory_sort");
        assert!(p.in_memory);
        // One counted condition alone is exact.
        let c = Conds { sources: vec![1, 2], ..Conds::default() };
        let n = counts(1000, &[("SOURCE", "1", 100), ("SOURCE", "2", 50)]);
        let p = plan(&co(), &c, &n, SortField::Id, 25, false, None, None);
        assert_eq!((p.path.as_str(), p.total, p.total_exact, p.streams.len()), ("source", 150, true, 2));
        assert!(
            !plan(&co(), &c, &n, SortField::Id, 25, true, None, None).total_exact,
            "a location-restricted user's total is estimated"
        );
        // Nothing given: the company index, exact.
        let p = plan(&co(), &Conds::default(), &n, SortField::Created, 25, false, None, None);
        assert_eq!((p.path.as_str(), p.total, p.total_exact), ("gsi2_by_id", 1000, true));
    }

    #[test]
    fn short_prefixes_read_their_own_partition_and_count_exactly() {
        let n = counts(100_000, &[("LN", "sm", 1_500), ("LN", "s", 9_000), ("FN", "jo", 2_000), ("EW", "a", 8_000)]);
        let q = |last: Option<&str>, first: Option<&str>, email: Option<&str>| Conds {
            last_name: last.map(str::to_owned),
            first_name: first.map(str::to_owned),
            email: email.map(str::to_owned),
            ..Conds::default()
        };
        for (c, path, total) in [
            (q(Some("sm"), None, None), "last_name_prefix", 1_500),
            (q(Some("s"), None, None), "last_name_prefix", 9_000),
            (q(None, Some("jo"), None), "first_name_prefix", 2_000),
            (q(None, None, Some("a")), "email_word_prefix", 8_000),
        ] {
            let p = plan(&co(), &c, &n, SortField::Id, 25, false, None, None);
            assert_eq!((p.path.as_str(), p.order, p.total, p.total_exact), (path, Order::Id, total, true), "{c:?}");
            assert!((p.pass_rate - 1.0).abs() < 1e-9, "every item read matches: {p:?}");
        }
        // The two-letter partitions are not the three-letter ones.
        let p = plan(&co(), &q(Some("sm"), None, None), &n, SortField::Id, 25, false, None, None);
        assert_eq!(p.streams[0].index, Index::Gsi4);
        assert!(p.streams[0].pk.ends_with("#LN#sm"), "{:?}", p.streams);
        // A first name in last-name order cannot fill a page by scanning names: it comes in first-name order.
        let p = plan(&co(), &q(None, Some("jo"), None), &n, SortField::Name, 25, false, None, None);
        assert_eq!((p.path.as_str(), p.order), ("first_name_order", Order::FirstName));
        // Held to the first page's order by the cursor, even where the counts would now choose another.
        let p = plan(&co(), &q(None, Some("jo"), None), &n, SortField::Name, 25, false, None, Some(Order::Name));
        assert_eq!(p.order, Order::Name);
        // A last name in email order comes in last-name order; in name order it is served as asked.
        let p = plan(&co(), &q(Some("sm"), None, None), &n, SortField::Email, 25, false, None, None);
        assert_eq!(p.order, Order::Name);
        let p = plan(&co(), &q(Some("sm"), None, None), &n, SortField::Name, 25, false, None, None);
        assert_eq!((p.path.as_str(), p.total, p.total_exact), ("gsi1_by_name", 1_500, true));
        // Longer than three characters: the three-letter partition is read and the total measured from it.
        let n = counts(100_000, &[("LN", "smi", 1_200)]);
        let p = plan(&co(), &q(Some("smith"), None, None), &n, SortField::Id, 25, false, None, None);
        assert_eq!((p.path.as_str(), p.total_exact, p.sample_total), ("last_name_prefix", false, true));
        assert!(p.streams[0].pk.ends_with("#LN#smi"));
    }

    #[test]
    fn resuming_after_a_key_stays_inside_the_prefix() {
        assert_eq!(resume_cond(None, Some("00000000000005"), true), Some(SortCond::Lt("00000000000005".into())));
        match resume_cond(Some("smi"), Some("smith#al#00000000000009"), false) {
            Some(SortCond::Between(lo, hi)) => {
                assert!(lo.as_str() > "smith#al#00000000000009" && lo.as_str() < "smith#al#00000000000010");
                assert!(hi.starts_with("smi") && hi.as_str() > "smizzz");
            }
            other => panic!("{other:?}"),
        }
        match resume_cond(Some("smi"), Some("abc"), false) {
            Some(SortCond::Between(lo, _)) => assert_eq!(lo, "smi"),
            other => panic!("{other:?}"),
        }
    }

    /// Property: whatever the conditions and counts, the plan reads a path of the requested order unless it reads a
    /// small exactly counted set whole; a single counted condition's total is its counter; the total never exceeds
    /// the company's.
    #[test]
    fn planner_properties_hold_for_random_queries() {
        let mut rng = StdRng::seed_from_u64(7);
        let sorts = [SortField::Id, SortField::Name, SortField::Address, SortField::Email, SortField::Created];
        for _ in 0..2000 {
            let total = rng.gen_range(0..2_000_000u64);
            let mut by = Vec::new();
            let mut c = Conds::default();
            let pick = |rng: &mut StdRng| rng.gen_range(0..=total.min(1_000_000));
            if rng.gen_bool(0.3) {
                c.sources = (1..=rng.gen_range(1..4)).collect();
                by.extend(c.sources.iter().map(|s| ("SOURCE".to_owned(), s.to_string(), 0)));
            }
            if rng.gen_bool(0.3) {
                c.tags = (1..=rng.gen_range(1..4)).map(|t: u32| t.to_string()).collect();
                c.tags_op = Some([TagsOp::Any, TagsOp::All, TagsOp::None, TagsOp::NotAll][rng.gen_range(0..4)]);
                by.extend(c.tags.iter().map(|t| ("TAG".to_owned(), t.clone(), 0)));
            }
            if rng.gen_bool(0.3) {
                c.stages = vec![Stage::New];
                by.push(("STAGE".to_owned(), "new".to_owned(), 0));
            }
            if rng.gen_bool(0.2) {
                c.last_name = Some("smi".chars().take(rng.gen_range(1..4)).collect());
            }
            if rng.gen_bool(0.2) {
                c.email = Some("gma".into());
            }
            let n = Counts { total, by: by.into_iter().map(|(f, v, _)| ((f, v), pick(&mut rng))).collect() };
            let sort = sorts[rng.gen_range(0..sorts.len())];
            let per_page = [10, 25, 50][rng.gen_range(0..3)];
            let p = plan(&co(), &c, &n, sort, per_page, false, None, None);
            assert!(!p.streams.is_empty() || p.get.is_some());
            if p.in_memory {
                assert!(p.candidates <= (2 * per_page + 30) as f64, "{p:?}");
            } else if c.last_name.is_none() && c.email.is_none() {
                assert_eq!(p.order, sort.order(), "only a name or email search is served in another order: {p:?}");
            }
            if p.total_exact {
                assert!(p.total <= total.max(n.by.values().sum()), "{p:?}");
            }
            let counted =
                [!c.sources.is_empty(), c.tags_op.is_some(), !c.stages.is_empty()].iter().filter(|x| **x).count();
            let other = c.last_name.is_some() || c.email.is_some();
            if counted == 1 && !other && c.tags.len() <= 1 && c.tags_op != Some(TagsOp::Any)
                || (counted == 1 && !other && c.tags_op.is_none())
            {
                assert!(p.total_exact, "{c:?} {p:?}");
            }
            if counted + usize::from(other) > 1 {
                assert!(!p.total_exact);
            }
        }
    }

    #[test]
    fn sort_keys_equal_the_index_sort_keys() {
        let r = crate::record_index::tests::lead(5);
        let e = ListEntry::from(&r);
        let items = crate::record_index::index_items(&co(), &r);
        let sort_item = items.iter().find(|i| i["SK"] == "IX#SORT").unwrap();
        assert_eq!(sort_item["GSI1SK"], sort_key(&co(), Order::Address, &e));
        assert_eq!(sort_item["GSI2SK"], sort_key(&co(), Order::Email, &e));
        assert_eq!(sort_item["GSI3SK"], sort_key(&co(), Order::FirstName, &e));
        let profile = crate::records::record_item(&co(), &r);
        assert_eq!(profile["GSI1SK"], sort_key(&co(), Order::Name, &e));
        assert_eq!(profile["GSI2SK"], sort_key(&co(), Order::Id, &e));
    }
}
