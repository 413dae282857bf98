//! The Leads list and the Customer List (one engine; the filter names the kind): filters parsed from the query string, a small planner that picks the most selective access path
//! (using the maintained counters) and filters the rest, and the execution that reads a page in proportion to the
//! page, never to the company's table.
//!
//! Every access path yields items that carry the list columns (profiles, or the index items of
//! [`crate::record_index`]), in one of four orders: by ID (the company, rep, follow-up, facet, tag, prefix and
//! number partitions, merged by ID when a filter has several values), by name (GSI1), by address or by email (the
//! sorted index partitions). A cursor holds the sort key of the last item examined, so it means the same on every
//! path of the same order: the plan may change between pages (counters move) without skipping or repeating rows.

use crate::clock::date;
use crate::directory::Company;
use crate::items::from_item;
use crate::record_index::{self, address_parts, email_words, prefix3, tag_key, ListEntry};
use crate::records::{resource_of, ArchiveFilter, PerPage};
use crate::{Actor, AppError, Services};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use vigil_domain::identity::Target;
use vigil_domain::record::{Kind, Stage};
use vigil_domain::{Action, CampaignId, CompanyId, FieldError, Invalid, LocationScope, PartnerId, RecordId, UserId};
use vigil_store::{keys, Index, Item, Key, Query, SortCond};

// ----------------------------------------------------------------------------------------------------- the filter

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TagsOp {
    Any,
    All,
    None,
    NotAll,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    MyOpen,
    Hot,
    TodaysFollowups,
    Recent,
    MyAssigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortField {
    Id,
    Name,
    Address,
    Email,
    Created,
}

/// The orders an access path can yield. ID and created date are the same order (IDs grow with creation time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Order {
    Id,
    Name,
    Address,
    Email,
    FirstName,
}

impl SortField {
    pub fn order(self) -> Order {
        match self {
            SortField::Id | SortField::Created => Order::Id,
            SortField::Name => Order::Name,
            SortField::Address => Order::Address,
            SortField::Email => Order::Email,
        }
    }
}

/// A Leads (or Customer) list request as the user sent it (validated; nothing resolved against the user yet).
#[derive(Debug, Clone, PartialEq)]
pub struct LeadFilter {
    /// Leads or customers (by the route, not a parameter).
    pub kind: Kind,
    /// The Customer List's Archive Status (`archived=all|archived_only|active_only`).
    pub archived: ArchiveFilter,
    /// Digits only.
    pub number: Option<String>,
    /// Folded prefixes.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub sources: Vec<PartnerId>,
    pub campaigns: Vec<CampaignId>,
    /// Folded tag IDs.
    pub tags: Vec<String>,
    pub tags_op: TagsOp,
    pub stages: Vec<Stage>,
    /// Folded.
    pub dispositions: Vec<String>,
    pub rep: Option<UserId>,
    pub view: Option<View>,
    pub sort: SortField,
    pub descending: bool,
    pub per_page: PerPage,
    pub submitted: bool,
    pub cursor: Option<String>,
}

fn bad(field: &str, message: &str) -> FieldError {
    FieldError::new(field, "invalid", message)
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|v| !v.is_empty())
}

fn ids<T>(field: &str, s: Option<&str>, make: impl Fn(u32) -> T) -> Result<Vec<T>, FieldError> {
    let mut out: Vec<u32> = Vec::new();
    for v in split_list(s.unwrap_or("")) {
        out.push(v.parse().map_err(|_| bad(field, &format!("{field} must be comma-separated numeric IDs")))?);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out.into_iter().map(make).collect())
}

fn text(s: Option<&str>) -> Option<String> {
    s.map(keys::fold).filter(|v| !v.is_empty())
}

impl LeadFilter {
    /// The query parameters the list reads.
    pub const PARAMS: [&'static str; 18] = [
        "number",
        "first_name",
        "last_name",
        "email",
        "source",
        "campaign",
        "tags",
        "tags_op",
        "stage",
        "disposition",
        "rep",
        "view",
        "sort",
        "dir",
        "per_page",
        "cursor",
        "submitted",
        "archived",
    ];

    /// Parses a Leads list query string; every bad parameter is named in the 422.
    pub fn parse(q: &BTreeMap<String, String>) -> Result<Self, Invalid> {
        Self::parse_for(Kind::Lead, q)
    }

    /// Parses the query string of the `kind`'s list.
    pub fn parse_for(kind: Kind, q: &BTreeMap<String, String>) -> Result<Self, Invalid> {
        let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.trim().is_empty());
        let mut errors = Vec::new();
        let mut take = |r: Result<(), FieldError>| {
            if let Err(e) = r {
                errors.push(e);
            }
        };
        let mut f = LeadFilter {
            kind,
            archived: ArchiveFilter::All,
            number: None,
            first_name: text(get("first_name")),
            last_name: text(get("last_name")),
            email: text(get("email")),
            sources: vec![],
            campaigns: vec![],
            tags: {
                let mut t: Vec<String> = split_list(get("tags").unwrap_or("")).map(tag_key).collect();
                t.sort();
                t.dedup();
                t
            },
            tags_op: TagsOp::Any,
            stages: vec![],
            dispositions: {
                let mut d: Vec<String> = split_list(get("disposition").unwrap_or("")).map(keys::fold).collect();
                d.sort();
                d.dedup();
                d
            },
            rep: None,
            view: None,
            sort: SortField::Id,
            descending: true,
            per_page: PerPage::parse(None).expect("default"),
            submitted: get("submitted") == Some("true"),
            cursor: get("cursor").map(str::to_owned),
        };
        if let Some(n) = get("number") {
            let d: String = n.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.' | '+')).collect();
            if d.is_empty() || d.len() > 20 || !d.bytes().all(|b| b.is_ascii_digit()) {
                take(Err(bad("number", "number must be digits only (an ID, account number, phone or SSN last 4)")));
            } else {
                f.number = Some(d);
            }
        }
        take(ids("source", get("source"), PartnerId).map(|v| f.sources = v));
        take(ids("campaign", get("campaign"), CampaignId).map(|v| f.campaigns = v));
        take(match get("tags_op") {
            None | Some("any") => Ok(()),
            Some("all") => {
                f.tags_op = TagsOp::All;
                Ok(())
            }
            Some("none") => {
                f.tags_op = TagsOp::None;
                Ok(())
            }
            Some("not_all") => {
                f.tags_op = TagsOp::NotAll;
                Ok(())
            }
            Some(_) => Err(bad("tags_op", "tags_op must be any, all, none or not_all")),
        });
        for s in split_list(get("stage").unwrap_or("")) {
            take(Stage::parse(s).map(|st| f.stages.push(st)));
        }
        f.stages.sort_by_key(|s| s.as_str());
        f.stages.dedup();
        if let Some(r) = get("rep") {
            take(UserId::parse(r).map(|u| f.rep = Some(u)).map_err(|_| bad("rep", "rep must be a user ID")));
        }
        take(match get("view") {
            None => Ok(()),
            Some(v) => [
                ("my_open", View::MyOpen),
                ("hot", View::Hot),
                ("todays_followups", View::TodaysFollowups),
                ("recent", View::Recent),
                ("my_assigned", View::MyAssigned),
            ]
            .into_iter()
            .find(|(n, _)| *n == v)
            .map(|(_, view)| f.view = Some(view))
            .ok_or_else(|| bad("view", "view must be my_open, hot, todays_followups, recent or my_assigned")),
        });
        take(match get("sort") {
            None => {
                if f.view == Some(View::Recent) {
                    f.sort = SortField::Created;
                }
                Ok(())
            }
            Some(s) => [
                ("id", SortField::Id),
                ("name", SortField::Name),
                ("address", SortField::Address),
                ("email", SortField::Email),
                ("created", SortField::Created),
            ]
            .into_iter()
            .find(|(n, _)| *n == s)
            .map(|(_, sort)| f.sort = sort)
            .ok_or_else(|| bad("sort", "sort must be id, name, address, email or created")),
        });
        f.descending = matches!(f.sort, SortField::Id | SortField::Created);
        take(match get("dir") {
            None => Ok(()),
            Some("asc") => {
                f.descending = false;
                Ok(())
            }
            Some("desc") => {
                f.descending = true;
                Ok(())
            }
            Some(_) => Err(bad("dir", "dir must be asc or desc")),
        });
        take(PerPage::parse(get("per_page")).map(|p| f.per_page = p));
        take(ArchiveFilter::parse(get("archived")).map(|a| f.archived = a));
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(Invalid { errors })
        }
    }

    /// Whether any search criterion is given (search mode shows rows only then, or after an explicit submit).
    pub fn has_criteria(&self) -> bool {
        self.number.is_some()
            || self.first_name.is_some()
            || self.last_name.is_some()
            || self.email.is_some()
            || !self.sources.is_empty()
            || !self.campaigns.is_empty()
            || !self.tags.is_empty()
            || !self.stages.is_empty()
            || !self.dispositions.is_empty()
            || self.rep.is_some()
            || self.view.is_some()
            || self.archived != ArchiveFilter::All
    }

    /// Everything that identifies the query, for the cursor's fingerprint.
    fn canonical(&self) -> String {
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}",
            self.kind,
            self.archived,
            self.number,
            self.first_name,
            self.last_name,
            self.email,
            self.sources,
            self.campaigns,
            self.tags,
            self.tags_op,
            self.stages,
            self.dispositions,
            self.rep,
            self.view,
            self.sort,
            self.descending,
            self.per_page.get()
        )
    }
}

// ----------------------------------------------------------------------------------------- resolved conditions

/// The filter resolved against the user and today: what a row must satisfy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conds {
    pub kind: Kind,
    pub archived: ArchiveFilter,
    pub number: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub sources: Vec<u32>,
    pub campaigns: Vec<u32>,
    pub tags: Vec<String>,
    pub tags_op: Option<TagsOp>,
    pub stages: Vec<Stage>,
    pub dispositions: Vec<String>,
    pub rep: Option<UserId>,
    pub followup: Option<String>,
    pub min_rating: Option<u8>,
}

impl Conds {
    pub fn resolve(f: &LeadFilter, me: &UserId, own_only: bool, today: &str) -> Self {
        let mut c = Conds {
            kind: f.kind,
            archived: f.archived,
            number: f.number.clone(),
            first_name: f.first_name.clone(),
            last_name: f.last_name.clone(),
            email: f.email.clone(),
            sources: f.sources.iter().map(|s| s.0).collect(),
            campaigns: f.campaigns.iter().map(|s| s.0).collect(),
            tags: f.tags.clone(),
            tags_op: (!f.tags.is_empty()).then_some(f.tags_op),
            stages: f.stages.clone(),
            dispositions: f.dispositions.clone(),
            rep: f.rep.clone(),
            followup: None,
            min_rating: None,
        };
        match f.view {
            Some(View::MyOpen) => {
                c.rep = Some(me.clone());
                let open = [Stage::New, Stage::Contacted, Stage::Qualified];
                c.stages = if c.stages.is_empty() {
                    open.to_vec()
                } else {
                    c.stages.iter().copied().filter(|s| open.contains(s)).collect()
                };
                if c.stages.is_empty() {
                    c.stages = vec![Stage::Converted]; // no open stage was asked for: nothing matches
                    c.rep = Some(UserId::parse("-").expect("valid"));
                }
            }
            Some(View::MyAssigned) => c.rep = Some(me.clone()),
            Some(View::Hot) => c.min_rating = Some(4),
            Some(View::TodaysFollowups) => c.followup = Some(today.to_owned()),
            Some(View::Recent) | None => {}
        }
        if own_only {
            // A rep restricted to own leads asking for someone else's gets nothing.
            if c.rep.as_ref().is_some_and(|r| r != me) {
                c.stages = vec![Stage::Converted];
            }
            c.rep = Some(me.clone());
        }
        c
    }

    /// Whether the entry satisfies every condition (the number condition is enforced by its access path).
    pub fn matches(&self, e: &ListEntry) -> bool {
        let starts = |v: &str, q: &Option<String>| q.as_ref().is_none_or(|q| keys::fold(v).starts_with(q.as_str()));
        if e.kind != self.kind
            || !self.archived.keeps(e.archived)
            || !starts(&e.first_name, &self.first_name)
            || !starts(&e.last_name, &self.last_name)
        {
            return false;
        }
        if let Some(q) = &self.email {
            let email = e.email.as_deref().unwrap_or("");
            if !(keys::fold(email).starts_with(q.as_str())
                || email_words(email).iter().any(|w| w.starts_with(q.as_str())))
            {
                return false;
            }
        }
        if !self.sources.is_empty() && !e.source_id.is_some_and(|s| self.sources.contains(&s.0)) {
            return false;
        }
        if !self.campaigns.is_empty() && !e.campaign_id.is_some_and(|s| self.campaigns.contains(&s.0)) {
            return false;
        }
        if !self.stages.is_empty() && !self.stages.contains(&e.stage) {
            return false;
        }
        if !self.dispositions.is_empty()
            && !e.disposition.as_deref().is_some_and(|d| self.dispositions.contains(&keys::fold(d)))
        {
            return false;
        }
        if self.rep.is_some() && e.lead_rep_id != self.rep {
            return false;
        }
        if self.followup.is_some() && e.next_followup != self.followup {
            return false;
        }
        if self.min_rating.is_some_and(|m| e.rating < m) {
            return false;
        }
        if let Some(op) = self.tags_op {
            let have: BTreeSet<String> = e.tags.iter().map(|t| tag_key(t)).collect();
            let n = self.tags.iter().filter(|t| have.contains(*t)).count();
            let ok = match op {
                TagsOp::Any => n > 0,
                TagsOp::All => n == self.tags.len(),
                TagsOp::None => n == 0,
                TagsOp::NotAll => n < self.tags.len(),
            };
            if !ok {
                return false;
            }
        }
        true
    }
}

// --------------------------------------------------------------------------------------------------- the planner

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
pub fn plan(
    co: &CompanyId,
    c: &Conds,
    counts: &Counts,
    sort: SortField,
    per_page: u32,
    restricted: bool,
    ssn_index: Option<&str>,
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
    cands.push(Candidate {
        path: "gsi1_by_name",
        order: Order::Name,
        streams: vec![Stream { index: Index::Gsi1, pk: name_pk.clone(), prefix: c.last_name.clone() }],
        get: None,
        size: total * prefix_share(c.last_name.as_ref().map_or(0, |p| p.chars().count())),
        exact: c.last_name.is_none(),
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
        let single = (c.tags.len() == 1).then(|| counts.get("TAG", &c.tags[0]));
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
                let (i, n) = c
                    .tags
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (i, counts.get("TAG", t)))
                    .min_by_key(|(_, n)| *n)
                    .expect("tags given");
                cands.push(Candidate {
                    path: "tags",
                    order: Order::Id,
                    streams: vec![tag_stream(&c.tags[i])],
                    get: None,
                    size: n as f64,
                    exact: true,
                });
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
    let mut prefix =
        |path: &'static str, field: &str, index: Index, q: &Option<String>, dims: &mut Vec<(f64, Option<u64>)>| {
            let Some(q) = q else { return };
            let s = prefix_share(q.chars().count());
            dims.push((s, None));
            let p3 = prefix3(q);
            if p3.chars().count() == 3 && p3.chars().all(char::is_alphanumeric) {
                let size = total * prefix_share(3);
                cands.push(Candidate {
                    path,
                    order: Order::Id,
                    streams: vec![id_stream(index, keys::list_prefix_pk(co, kind, field, &p3))],
                    get: None,
                    size,
                    exact: false,
                });
            }
        };
    prefix("first_name_prefix", "FN", Index::Gsi1, &c.first_name, &mut dims);
    prefix("last_name_prefix", "LN", Index::Gsi2, &c.last_name, &mut dims);
    if let Some(q) = &c.email {
        let p3 = prefix3(q);
        dims.push((prefix_share(q.chars().count()) * 3.0, None));
        if p3.chars().count() == 3 && p3.chars().all(char::is_alphanumeric) {
            let stream = id_stream(Index::GSIS[slot_of(&p3)], keys::list_prefix_pk(co, kind, "EW", &p3));
            cands.push(Candidate {
                path: "email_word_prefix",
                order: Order::Id,
                streams: vec![stream],
                get: None,
                size: total * prefix_share(3) * 3.0,
                exact: false,
            });
        }
    }
    if let Some(q) = &c.first_name {
        let stream =
            Stream { index: Index::Gsi3, pk: keys::list_sorted_pk(co, kind, "FIRST"), prefix: Some(q.clone()) };
        cands.push(Candidate {
            path: "first_name_order",
            order: Order::FirstName,
            streams: vec![stream],
            get: None,
            size: total * prefix_share(q.chars().count()),
            exact: false,
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

    let want = sort.order();
    let small = (2 * per_page + 30) as f64;
    let chosen = cands
        .iter()
        .filter(|k| k.exact && k.size <= small)
        .min_by(|a, b| a.size.total_cmp(&b.size))
        .or_else(|| cands.iter().filter(|k| k.order == want).min_by(|a, b| a.size.total_cmp(&b.size)))
        .expect("every order has a path");
    let in_memory = chosen.order != want || chosen.get.is_some();
    let selectivity: f64 = dims.iter().map(|d| d.0).product();
    let estimate = (total * selectivity).round() as u64;
    let (total_out, total_exact) = match dims.as_slice() {
        [] => (counts.total, !restricted),
        [(_, Some(n))] => (*n, !restricted),
        _ => (estimate, false),
    };
    let pass_rate = if chosen.size > 0.0 { (total * selectivity / chosen.size).clamp(0.01, 1.0) } else { 1.0 };
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

// ---------------------------------------------------------------------------------------------------- execution

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Named {
    pub id: u32,
    pub name: Option<String>,
}

/// A row of the Leads list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LeadRow {
    pub id: RecordId,
    pub kind: Kind,
    pub created_at: String,
    pub first_name: String,
    pub last_name: String,
    pub city: String,
    pub state: String,
    pub address1: Option<String>,
    pub primary_phone: String,
    pub email: Option<String>,
    pub stage: Stage,
    /// The lead's status (disposition), e.g. Hot.
    pub disposition: Option<String>,
    pub source: Option<Named>,
    pub campaign: Option<Named>,
    /// Callback: the next follow-up date.
    pub next_followup: Option<String>,
    pub tags: Vec<String>,
    pub rating: u8,
    pub lead_rep_id: Option<UserId>,
    /// Customers only: archived records show in the list unless filtered out.
    pub archived: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeadListMeta {
    pub items_read: u32,
    pub access_path: String,
    pub total: u64,
    pub total_exact: bool,
    /// Search mode: the company shows no rows until a search is submitted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub search_required: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeadListPage {
    pub items: Vec<LeadRow>,
    pub next_cursor: Option<String>,
    pub meta: LeadListMeta,
}

struct Reader<'a> {
    svc: &'a Services,
    read: u32,
}

impl Reader<'_> {
    async fn query(&mut self, q: &Query) -> Result<vigil_store::Page, AppError> {
        let page = self.svc.table.query(q).await?;
        self.read += page.items.len() as u32;
        Ok(page)
    }

    async fn batch_get(&mut self, keys: &[Key]) -> Result<Vec<Item>, AppError> {
        if keys.is_empty() {
            return Ok(vec![]);
        }
        let items = self.svc.table.batch_get(keys).await?;
        self.read += items.len() as u32;
        Ok(items)
    }
}

struct Open {
    spec: Stream,
    cond: Option<SortCond>,
    start: Option<Item>,
    buf: VecDeque<(String, Item)>,
    done: bool,
}

/// Reads at most this many items scanning for rows: `SCAN_BASE` plus two per row found, so a page never reads more
/// than about three items per row returned (with the names of its sources and campaigns) plus fifty.
const SCAN_BASE: u32 = 40;

/// The Leads list, a page at a time.
pub async fn list(svc: &Services, actor: &Actor, filter: &LeadFilter) -> Result<LeadListPage, AppError> {
    let kind = filter.kind;
    let resource = resource_of(kind);
    actor.require_somewhere(resource, Action::View)?;
    let co = actor.company().clone();
    let perms = &actor.user.permissions;
    let own_only = perms.own_only(resource, Action::View);
    let all_locations = perms
        .grants
        .iter()
        .any(|g| g.resource == resource && g.actions.contains(&Action::View) && g.locations == LocationScope::All);
    let fingerprint = format!("list|{co}|{}|{}", actor.id(), filter.canonical());
    let after: Option<String> = match filter.cursor.as_deref() {
        Some(c) => {
            let item = svc.cursors.open(&fingerprint, c)?;
            Some(
                item.get("after")
                    .and_then(Value::as_str)
                    .ok_or(AppError::BadRequest {
                        field: "cursor",
                        code: "invalid_cursor",
                        message: "cursor is malformed".into(),
                    })?
                    .to_owned(),
            )
        }
        None => None,
    };
    let mut rd = Reader { svc, read: 0 };

    if after.is_none() && !filter.submitted && !filter.has_criteria() {
        let company: Option<Company> = match rd.batch_get(&[keys::company(&co)]).await?.pop() {
            Some(item) => Some(from_item(item)?),
            None => None,
        };
        if company.is_some_and(|c| c.settings.do_not_show_customer_list) {
            let total = rd
                .batch_get(&[keys::record_total(&co, kind)])
                .await?
                .first()
                .and_then(|i| i.get("value")?.as_u64())
                .unwrap_or(0);
            return Ok(LeadListPage {
                items: vec![],
                next_cursor: None,
                meta: LeadListMeta {
                    items_read: rd.read,
                    access_path: "none".into(),
                    total,
                    total_exact: !own_only && all_locations,
                    search_required: true,
                },
            });
        }
    }

    let today = date(svc.clock.now());
    let conds = Conds::resolve(filter, actor.id(), own_only, &today);
    let mut counter_keys = vec![keys::record_total(&co, kind)];
    let needed = Counts::needed(&conds);
    counter_keys.extend(needed.iter().map(|(f, v)| keys::list_counter(&co, kind, f, v)));
    let counter_items = rd.batch_get(&counter_keys).await?;
    let mut counts = Counts::default();
    for item in counter_items {
        let (Some(k), Some(v)) = (Key::of(&item), item.get("value").and_then(Value::as_i64)) else { continue };
        let v = v.max(0) as u64;
        if k == keys::record_total(&co, kind) {
            counts.total = v;
        }
        for (f, val) in &needed {
            if k == keys::list_counter(&co, kind, f, val) {
                counts.by.insert((f.clone(), keys::fold(val)), v);
            }
        }
    }
    let ssn_index = conds.number.as_deref().filter(|n| n.len() == 4).and_then(|n| ssn_lookup_value(svc, &co, n));
    // A rep limited to own leads is already a rep condition (with its own counter); only a location limit makes a
    // counted total an upper bound.
    let plan = plan(&co, &conds, &counts, filter.sort, filter.per_page.get(), !all_locations, ssn_index.as_deref());
    let want = filter.per_page.get() as usize;
    let desc = filter.descending;
    let order = filter.sort.order();
    let allowed = |e: &ListEntry| {
        perms.allows(
            actor.id(),
            resource,
            Action::View,
            Target { location: e.office_location_id, owner: e.lead_rep_id.as_ref() },
        )
    };

    let mut rows: Vec<(String, ListEntry)> = Vec::new();
    let mut next_after: Option<String> = None;
    let mut exhausted = false;
    if plan.in_memory {
        // A small, counted candidate set: read it whole, filter, sort, and page by the cursor's sort key.
        let mut found: BTreeMap<String, ListEntry> = BTreeMap::new();
        let mut consider = |item: Item| -> Result<(), AppError> {
            let e: ListEntry = from_item(item)?;
            if conds.matches(&e) && allowed(&e) {
                found.insert(sort_key(&co, order, &e), e);
            }
            Ok(())
        };
        if let Some(id) = plan.get {
            for item in rd.batch_get(&[keys::record(&co, id)]).await? {
                if item.get("kind").and_then(Value::as_str) == Some(kind_name(kind)) {
                    consider(item)?;
                }
            }
        }
        for s in &plan.streams {
            let mut start = None;
            loop {
                let page = rd
                    .query(
                        &Query::new(s.index, s.pk.clone())
                            .sort_opt(s.prefix.clone().map(SortCond::BeginsWith))
                            .start(start.take()),
                    )
                    .await?;
                for item in page.items {
                    consider(item)?;
                }
                match page.last_key {
                    Some(k) => start = Some(k),
                    None => break,
                }
            }
        }
        let mut keys_sorted: Vec<(String, ListEntry)> = found.into_iter().collect();
        if desc {
            keys_sorted.reverse();
        }
        let rest: Vec<(String, ListEntry)> = keys_sorted
            .into_iter()
            .filter(|(k, _)| after.as_ref().is_none_or(|a| if desc { k < a } else { k > a }))
            .collect();
        let more = rest.len() > want;
        rows = rest.into_iter().take(want).collect();
        if more {
            next_after = rows.last().map(|(k, _)| k.clone());
        }
        exhausted = true;
    } else {
        let mut open: Vec<Open> = plan
            .streams
            .iter()
            .map(|s| Open {
                spec: s.clone(),
                cond: resume_cond(s.prefix.as_deref(), after.as_deref(), desc),
                start: None,
                buf: VecDeque::new(),
                done: false,
            })
            .collect();
        let scan_start = rd.read;
        let mut last_examined: Option<String> = None;
        let mut out_of_budget = false;
        'scan: loop {
            let budget = SCAN_BASE + 2 * rows.len() as u32;
            for o in open.iter_mut().filter(|o| o.buf.is_empty() && !o.done) {
                let used = rd.read - scan_start;
                if used >= budget {
                    out_of_budget = true;
                    break 'scan;
                }
                let need = (want - rows.len()) as f64 + 1.0;
                let chunk = ((need / plan.pass_rate / open_len(&plan)).ceil() as u32 + 1).clamp(2, budget - used);
                let mut q = Query::new(o.spec.index, o.spec.pk.clone()).limit(chunk).start(o.start.take());
                q.sort = o.cond.clone();
                q.forward = !desc;
                let page = rd.query(&q).await?;
                let sk_attr = o.spec.index.sk_attr();
                for item in page.items {
                    let sk = item.get(sk_attr).and_then(Value::as_str).unwrap_or_default().to_owned();
                    o.buf.push_back((sk, item));
                }
                o.done = page.last_key.is_none();
                o.start = page.last_key;
            }
            // The next item in order across the streams.
            let next = open
                .iter()
                .enumerate()
                .filter_map(|(i, o)| o.buf.front().map(|(k, _)| (i, k.clone())))
                .reduce(|a, b| if (b.1 < a.1) != desc && b.1 != a.1 { b } else { a });
            let Some((i, key)) = next else {
                exhausted = true;
                break;
            };
            let (_, item) = open[i].buf.pop_front().expect("front exists");
            if last_examined.as_ref() == Some(&key) || after.as_ref() == Some(&key) {
                continue; // the same record through another stream, or the cursor's own item
            }
            last_examined = Some(key.clone());
            let e: ListEntry = from_item(item)?;
            if conds.matches(&e) && allowed(&e) {
                rows.push((key, e));
                if rows.len() == want {
                    break;
                }
            }
        }
        if !exhausted {
            let more = out_of_budget || open.iter().any(|o| !o.buf.is_empty() || !o.done);
            if more {
                next_after = last_examined.clone();
            }
        }
    }

    // Source and campaign names for the page.
    let sources: BTreeSet<PartnerId> = rows.iter().filter_map(|(_, e)| e.source_id).collect();
    let campaigns: BTreeSet<CampaignId> = rows.iter().filter_map(|(_, e)| e.campaign_id).collect();
    let mut name_keys: Vec<Key> = sources.iter().map(|s| keys::partner(&co, *s)).collect();
    name_keys.extend(campaigns.iter().map(|c| keys::campaign(&co, *c)));
    let names: HashMap<Key, String> = rd
        .batch_get(&name_keys)
        .await?
        .into_iter()
        .filter_map(|i| Some((Key::of(&i)?, i.get("name")?.as_str()?.to_owned())))
        .collect();

    let first_page_complete = after.is_none() && next_after.is_none();
    let (total, total_exact) = if first_page_complete && (plan.in_memory || exhausted) {
        (rows.len() as u64, true)
    } else if after.is_none() {
        // An estimate never says fewer than the first page shows.
        (plan.total.max(rows.len() as u64), plan.total_exact)
    } else {
        (plan.total, plan.total_exact)
    };
    let items = rows
        .into_iter()
        .map(|(_, e)| LeadRow {
            source: e.source_id.map(|s| Named { id: s.0, name: names.get(&keys::partner(&co, s)).cloned() }),
            campaign: e.campaign_id.map(|c| Named { id: c.0, name: names.get(&keys::campaign(&co, c)).cloned() }),
            id: e.id,
            kind: e.kind,
            created_at: e.created_at,
            first_name: e.first_name,
            last_name: e.last_name,
            city: e.city,
            state: e.state,
            address1: e.address1,
            primary_phone: e.primary_phone,
            email: e.email,
            stage: e.stage,
            disposition: e.disposition,
            next_followup: e.next_followup,
            tags: e.tags,
            rating: e.rating,
            lead_rep_id: e.lead_rep_id,
            archived: e.archived,
        })
        .collect();
    let next_cursor = next_after.map(|a| {
        let mut item = Item::new();
        item.insert("after".into(), json!(a));
        svc.cursors.seal(&fingerprint, &item)
    });
    Ok(LeadListPage {
        items,
        next_cursor,
        meta: LeadListMeta { items_read: rd.read, access_path: plan.path, total, total_exact, search_required: false },
    })
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Lead => "lead",
        Kind::Customer => "customer",
    }
}

/// The blind index of SSN last-4 digits typed into the number search (the same keyed hash the SSN write stores);
/// without a configured key there is no SSN path, and the other numeric paths still answer.
fn ssn_lookup_value(svc: &Services, co: &CompanyId, last4: &str) -> Option<String> {
    let key = svc.data_keys.blind_index_key().ok()?;
    Some(crate::ssn::ssn_last4_blind_index(&key, co, last4))
}

fn open_len(plan: &Plan) -> f64 {
    plan.streams.len().max(1) as f64
}

trait SortOpt {
    fn sort_opt(self, cond: Option<SortCond>) -> Self;
}

impl SortOpt for Query {
    fn sort_opt(mut self, cond: Option<SortCond>) -> Self {
        self.sort = cond;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn q(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn co() -> CompanyId {
        CompanyId::parse("acme").unwrap()
    }

    fn me() -> UserId {
        UserId::parse("acme-lead-rep").unwrap()
    }

    #[test]
    fn parse_names_every_bad_field() {
        let err = LeadFilter::parse(&q(&[
            ("per_page", "7"),
            ("source", "x"),
            ("tags_op", "some"),
            ("stage", "won"),
            ("sort", "zip"),
            ("number", "12ab"),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        for f in ["per_page", "source", "tags_op", "stage", "sort", "number"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        let f = LeadFilter::parse(&q(&[
            ("source", "3, 1,3"),
            ("tags", "B,a"),
            ("number", "(801) 555-1234"),
            ("sort", "name"),
        ]))
        .unwrap();
        assert_eq!(f.sources, vec![PartnerId(1), PartnerId(3)]);
        assert_eq!(f.tags, vec!["a", "b"]);
        assert_eq!(f.number.as_deref(), Some("8015551234"));
        assert!(!f.descending, "names sort ascending by default");
        assert_eq!(LeadFilter::parse(&q(&[])).unwrap().per_page.get(), 25);
        assert!(!LeadFilter::parse(&q(&[])).unwrap().has_criteria());
    }

    fn counts(total: u64, by: &[(&str, &str, u64)]) -> Counts {
        Counts { total, by: by.iter().map(|(f, v, n)| (((*f).to_owned(), (*v).to_owned()), *n)).collect() }
    }

    #[test]
    fn the_planner_takes_the_most_selective_path_in_the_order_asked() {
        let c = Conds { sources: vec![1], tags: vec!["7".into()], tags_op: Some(TagsOp::Any), ..Conds::default() };
        let n = counts(1_000_000, &[("SOURCE", "1", 100_000), ("TAG", "7", 5_000)]);
        let p = plan(&co(), &c, &n, SortField::Id, 25, false, None);
        assert_eq!(p.path, "tags");
        assert!(!p.total_exact, "two conditions: estimated");
        assert_eq!(p.total, 500);
        // Sorting by name takes the name index and filters.
        let p = plan(&co(), &c, &n, SortField::Name, 25, false, None);
        assert_eq!(p.path, "gsi1_by_name");
        // A small counted set is read whole and sorted in memory, whatever the order.
        let n = counts(1_000_000, &[("SOURCE", "1", 100_000), ("TAG", "7", 40)]);
        let p = plan(&co(), &c, &n, SortField::Name, 25, false, None);
        assert_eq!(p.path, "tags+memory_sort");
        assert!(p.in_memory);
        // One counted condition alone is exact.
        let c = Conds { sources: vec![1, 2], ..Conds::default() };
        let n = counts(1000, &[("SOURCE", "1", 100), ("SOURCE", "2", 50)]);
        let p = plan(&co(), &c, &n, SortField::Id, 25, false, None);
        assert_eq!((p.path.as_str(), p.total, p.total_exact, p.streams.len()), ("source", 150, true, 2));
        assert!(
            !plan(&co(), &c, &n, SortField::Id, 25, true, None).total_exact,
            "a location-restricted user's total is estimated"
        );
        // Nothing given: the company index, exact.
        let p = plan(&co(), &Conds::default(), &n, SortField::Created, 25, false, None);
        assert_eq!((p.path.as_str(), p.total, p.total_exact), ("gsi2_by_id", 1000, true));
    }

    #[test]
    fn a_rep_restricted_to_own_leads_gets_only_theirs() {
        let f = LeadFilter::parse(&q(&[("rep", "someone-else")])).unwrap();
        let c = Conds::resolve(&f, &me(), true, "2025-01-01");
        assert_eq!(c.rep, Some(me()));
        assert_eq!(c.stages, vec![Stage::Converted], "asking for another rep's leads matches nothing");
        let f = LeadFilter::parse(&q(&[("view", "my_open")])).unwrap();
        let c = Conds::resolve(&f, &me(), false, "2025-01-01");
        assert_eq!(c.stages, vec![Stage::New, Stage::Contacted, Stage::Qualified]);
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
            let p = plan(&co(), &c, &n, sort, per_page, false, None);
            assert!(!p.streams.is_empty() || p.get.is_some());
            if p.in_memory {
                assert!(p.candidates <= (2 * per_page + 30) as f64, "{p:?}");
            } else {
                assert_eq!(p.order, sort.order(), "{p:?}");
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
    fn entries_match_like_the_manual_says() {
        let r = crate::record_index::tests::lead(5);
        let e = ListEntry::from(&r);
        let f =
            |pairs: &[(&str, &str)]| Conds::resolve(&LeadFilter::parse(&q(pairs)).unwrap(), &me(), false, "2025-01-02");
        assert!(f(&[("email", "OBR")]).matches(&e), "prefix of any word, any case");
        assert!(f(&[("email", "gmail")]).matches(&e));
        assert!(!f(&[("email", "ail")]).matches(&e));
        assert!(f(&[("last_name", "o'b")]).matches(&e));
        assert!(f(&[("tags", "1,9"), ("tags_op", "any")]).matches(&e));
        assert!(!f(&[("tags", "1,9"), ("tags_op", "all")]).matches(&e));
        assert!(f(&[("tags", "9"), ("tags_op", "none")]).matches(&e));
        assert!(f(&[("tags", "1,9"), ("tags_op", "not_all")]).matches(&e));
        assert!(!f(&[("tags", "1,2"), ("tags_op", "not_all")]).matches(&e));
        assert!(f(&[("view", "hot")]).matches(&e));
        assert!(f(&[("view", "todays_followups")]).matches(&e));
        assert!(f(&[("view", "my_open")]).matches(&e));
        assert!(
            f(&[("disposition", "hot"), ("stage", "new,contacted"), ("source", "3"), ("campaign", "7")]).matches(&e)
        );
        assert!(!f(&[("source", "4")]).matches(&e));
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
