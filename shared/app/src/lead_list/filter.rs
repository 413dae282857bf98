//! The list filter: parsed from the query string, then resolved against the user and today into the
//! conditions a row must satisfy.

use crate::record_index::{email_words, tag_key, ListEntry};
use crate::records::{ArchiveFilter, PerPage};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use vigil_domain::record::{Kind, Stage};
use vigil_domain::{CampaignId, FieldError, Invalid, PartnerId, UserId};
use vigil_store::keys;

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
    /// Leads grouped by source with a count per group (no rows).
    BySource,
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
    /// The lead queue location (`location=`); `None` is every lead but the returned ones.
    pub location: Option<vigil_domain::record::LeadLocation>,
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

/// The most values one multi-value filter (`tags`, `source`, `campaign`, `disposition`, `stage`) takes: each value
/// is a counter read and a partition queried, so the count bounds what one request can make the list read.
pub const MAX_VALUES: usize = vigil_api::ops::ListQuery::MAX_VALUES;

/// The longest text filter, in characters. Text filters become parts of keys (a sort-key prefix, a facet partition, a
/// counter's sort key) and DynamoDB refuses a key value over 1024 bytes; at four UTF-8 bytes a character at most,
/// this leaves room for the key's own parts. Stored names are far shorter, so no real search is refused.
pub const MAX_TEXT_CHARS: usize = vigil_api::ops::ListQuery::MAX_TEXT_CHARS;

/// The longest text filter once folded, in UTF-8 bytes (lowercasing may lengthen a character), with room left in a
/// sort key for the parts the list adds around it.
const MAX_TEXT_BYTES: usize = vigil_store::table::MAX_SK_BYTES - 200;

fn bad(field: &str, message: &str) -> FieldError {
    FieldError::new(field, "invalid", message)
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|v| !v.is_empty())
}

/// The values of a multi-value filter, at most [`MAX_VALUES`] of them (counted as sent, before duplicates are
/// dropped, so a long list is refused before anything is done with it).
fn values<'a>(field: &str, s: Option<&'a str>) -> Result<Vec<&'a str>, FieldError> {
    let all: Vec<&str> = split_list(s.unwrap_or("")).take(MAX_VALUES + 1).collect();
    if all.len() > MAX_VALUES {
        return Err(FieldError::new(field, "too_many", format!("{field} takes at most {MAX_VALUES} values")));
    }
    Ok(all)
}

fn ids<T>(field: &str, s: Option<&str>, make: impl Fn(u32) -> T) -> Result<Vec<T>, FieldError> {
    let mut out: Vec<u32> = Vec::new();
    for v in values(field, s)? {
        out.push(v.parse().map_err(|_| bad(field, &format!("{field} must be comma-separated numeric IDs")))?);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out.into_iter().map(make).collect())
}

/// A text filter value, folded; `None` when blank. Too long for a key is a 422 naming the field, never a key the
/// store (or DynamoDB) refuses.
fn text(field: &str, s: &str) -> Result<Option<String>, FieldError> {
    let folded = keys::fold(s);
    if s.trim().chars().count() > MAX_TEXT_CHARS || folded.len() > MAX_TEXT_BYTES {
        return Err(FieldError::new(field, "too_long", format!("{field} must be at most {MAX_TEXT_CHARS} characters")));
    }
    Ok(Some(folded).filter(|v| !v.is_empty()))
}

/// The folded, distinct values of a multi-value text filter.
fn texts(field: &str, s: Option<&str>, fold: impl Fn(&str) -> String) -> Result<Vec<String>, FieldError> {
    let mut out = Vec::new();
    for v in values(field, s)? {
        out.extend(text(field, v)?.map(|_| fold(v)));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

impl LeadFilter {
    /// The query parameters the list reads: the contract's list query.
    pub const PARAMS: [&'static str; 19] = vigil_api::ops::ListQuery::PARAMS;

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
            location: None,
            number: None,
            first_name: None,
            last_name: None,
            email: None,
            sources: vec![],
            campaigns: vec![],
            tags: vec![],
            tags_op: TagsOp::Any,
            stages: vec![],
            dispositions: vec![],
            rep: None,
            view: None,
            sort: SortField::Id,
            descending: true,
            per_page: PerPage::parse(None).expect("the default page size"),
            submitted: get("submitted") == Some("true"),
            cursor: get("cursor").map(str::to_owned),
        };
        for (field, slot) in
            [("first_name", &mut f.first_name), ("last_name", &mut f.last_name), ("email", &mut f.email)]
        {
            if let Some(v) = get(field) {
                take(text(field, v).map(|t| *slot = t));
            }
        }
        take(texts("tags", get("tags"), tag_key).map(|t| f.tags = t));
        take(texts("disposition", get("disposition"), keys::fold).map(|d| f.dispositions = d));
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
        match values("stage", get("stage")) {
            Ok(stages) => {
                for s in stages {
                    take(Stage::parse(s).map(|st| f.stages.push(st)));
                }
            }
            Err(e) => take(Err(e)),
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
                ("by_source", View::BySource),
            ]
            .into_iter()
            .find(|(n, _)| *n == v)
            .map(|(_, view)| f.view = Some(view))
            .ok_or_else(|| {
                bad("view", "view must be my_open, hot, todays_followups, recent, my_assigned or by_source")
            }),
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
        if let Some(l) = get("location") {
            take(vigil_domain::record::LeadLocation::parse("location", l).map(|l| f.location = Some(l)));
        }
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
            || self.location.is_some()
    }

    /// Everything that identifies the query, for the cursor's fingerprint.
    pub(super) fn canonical(&self) -> String {
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}",
            self.kind,
            self.archived,
            self.location,
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

/// The filter resolved against the user and today: what a row must satisfy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conds {
    pub kind: Kind,
    pub archived: ArchiveFilter,
    pub location: Option<vigil_domain::record::LeadLocation>,
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
            location: f.location,
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
            Some(View::Recent | View::BySource) | None => {}
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
        // Returned leads leave the active list; the Returned filter (location=returned) finds them.
        let location_ok = match (self.kind, self.location) {
            (Kind::Customer, _) => true,
            (Kind::Lead, Some(l)) => e.location() == l,
            (Kind::Lead, None) => e.location() != vigil_domain::record::LeadLocation::Returned,
        };
        if e.kind != self.kind
            || !location_ok
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

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
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

    #[test]
    fn multi_value_filters_take_at_most_20_values_and_text_fits_a_key() {
        let list = |n: u32| (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let stages = ["new"; 21].join(",");
        for field in ["tags", "source", "campaign", "disposition", "stage"] {
            let many = if field == "stage" { stages.clone() } else { list(21) };
            let err = LeadFilter::parse(&q(&[(field, &many)])).unwrap_err();
            assert_eq!((err.errors[0].field.as_str(), err.errors[0].code.as_str()), (field, "too_many"));
            let twenty = if field == "stage" { ["new"; 20].join(",") } else { list(20) };
            assert!(LeadFilter::parse(&q(&[(field, &twenty)])).is_ok(), "{field}: 20 values are fine");
        }
        // Characters, not bytes, are what a person counts; the byte bound is what a key holds.
        let long = "Ж".repeat(MAX_TEXT_CHARS + 1);
        for field in ["first_name", "last_name", "email", "tags", "disposition"] {
            let err = LeadFilter::parse(&q(&[(field, &long)])).unwrap_err();
            assert_eq!((err.errors[0].field.as_str(), err.errors[0].code.as_str()), (field, "too_long"));
        }
        let fits = "Ж".repeat(MAX_TEXT_CHARS);
        let f = LeadFilter::parse(&q(&[("last_name", &fits)])).unwrap();
        assert!(f.last_name.unwrap().len() <= MAX_TEXT_BYTES);
        // Lowercasing may lengthen a value (İ is two characters folded); the characters counted are the ones sent.
        let f = LeadFilter::parse(&q(&[("last_name", &"İ".repeat(MAX_TEXT_CHARS))])).unwrap();
        assert!(f.last_name.unwrap().len() <= MAX_TEXT_BYTES);
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
}
