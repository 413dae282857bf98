//! Everything a change to a lead or customer must also write so the lists stay fast and their totals exact: the
//! lookup items of its access paths and the maintained counters. Create, edit, stage, tag, convert and delete
//! operations add these to their transaction, so an index never disagrees with its record.
//!
//! The index items (keys in `vigil_store::keys`, section "Lead/customer list access paths") live under the record's
//! own partition and carry its list columns ([`ListEntry`]), so a list page reads one item per candidate row whatever
//! access path it takes. Each item fills up to four GSI slots, so a lead has about five index items in all.
//!
//! The one- and two-character prefix partitions (`IX#SHORT`, the shorter email-word prefixes) and the `FN`/`LN`/`EW`
//! prefix counters came later. Every create, edit, import and the demo seed write them; records stored before them
//! lack both, so a table with such records needs a backfill (index items put again, prefix counters recounted) before
//! short searches find those records and their totals are right. `crate::reindex` is that backfill
//! (`POST /api/v1/maintenance/reindex`): it walks a company's records and brings each older one up to date in one
//! transaction, guarded so that no record is ever counted twice.

use crate::items::item_of;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use vigil_domain::record::{Kind, Record, Stage};
use vigil_domain::{CampaignId, CompanyId, LocationId, PartnerId, RecordId, UserId};
use vigil_store::{keys, Condition, Index, Item, Key, TxOp, Update};

/// What a list needs of a record: its columns and every attribute a filter or a permission check reads. Stored on
/// each index item (and read from profile items too: the field names are the record's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListEntry {
    pub id: RecordId,
    pub kind: Kind,
    pub stage: Stage,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub primary_phone: String,
    #[serde(default)]
    pub address1: Option<String>,
    pub city: String,
    pub state: String,
    #[serde(default)]
    pub office_location_id: Option<LocationId>,
    #[serde(default)]
    pub source_id: Option<PartnerId>,
    #[serde(default)]
    pub campaign_id: Option<CampaignId>,
    #[serde(default)]
    pub disposition: Option<String>,
    #[serde(default)]
    pub rating: u8,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub lead_rep_id: Option<UserId>,
    #[serde(default)]
    pub account_number: Option<String>,
    #[serde(default)]
    pub next_followup: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub archived: bool,
    /// The lead's queue location as stored (`Record::location` defaults it when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<vigil_domain::record::LeadLocation>,
}

impl From<&Record> for ListEntry {
    fn from(r: &Record) -> Self {
        ListEntry {
            id: r.id,
            kind: r.kind,
            stage: r.stage,
            first_name: r.first_name.clone(),
            last_name: r.last_name.clone(),
            email: r.email.clone(),
            primary_phone: r.primary_phone.clone(),
            address1: r.address1.clone(),
            city: r.city.clone(),
            state: r.state.clone(),
            office_location_id: r.office_location_id,
            source_id: r.source_id,
            campaign_id: r.campaign_id,
            disposition: r.disposition.clone(),
            rating: r.rating,
            tags: r.tags.clone(),
            lead_rep_id: r.lead_rep_id.clone(),
            account_number: r.account_number.clone(),
            next_followup: r.next_followup.clone(),
            created_at: r.created_at.clone(),
            archived: r.archived,
            location: r.lead.location,
        }
    }
}

impl ListEntry {
    /// The queue location, defaulted as `Record::location` does.
    pub fn location(&self) -> vigil_domain::record::LeadLocation {
        self.location.unwrap_or_else(|| vigil_domain::record::LeadLocation::default_for(self.lead_rep_id.as_ref()))
    }
}

/// The folded words of a name (letters and digits; punctuation splits words).
pub fn name_words(name: &str) -> Vec<String> {
    keys::fold(name).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// Digits only (phone and account-number lookups match on digits).
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The first three characters of a folded word or name: the partition of the three-prefix lookups.
pub fn prefix3(s: &str) -> String {
    keys::fold(s).chars().take(3).collect()
}

/// The folded prefixes of one to three characters of a word or name, shortest first: the partitions and counters
/// of the prefix searches (a search of any length reads the partition of its first three characters at most).
pub fn prefixes(s: &str) -> Vec<String> {
    let folded: Vec<char> = keys::fold(s).chars().take(3).collect();
    (1..=folded.len()).map(|n| folded.iter().take(n).collect()).collect()
}

/// The GSI a name-prefix partition lives in (`field` `FN` or `LN`, by prefix length): the three-character ones on
/// `IX#LOOKUP`, the one- and two-character ones on `IX#SHORT`. Email-word prefixes take [`slot_of`].
pub fn name_prefix_index(field: &str, len: usize) -> Index {
    match (field, len) {
        ("FN", 1) => Index::Gsi1,
        ("LN", 1) => Index::Gsi2,
        ("FN", 2) => Index::Gsi3,
        ("LN", 2) => Index::Gsi4,
        ("FN", _) => Index::Gsi1,
        _ => Index::Gsi2,
    }
}

/// Every one- to three-character prefix of the words of an email address (what `email=` of that length matches).
pub fn email_prefixes(email: Option<&str>) -> BTreeSet<String> {
    email.map(email_words).unwrap_or_default().iter().flat_map(|w| prefixes(w)).collect()
}

/// The folded words of an email address (split at anything not a letter or digit), as the email filter matches them.
pub fn email_words(email: &str) -> Vec<String> {
    let mut words: Vec<String> =
        keys::fold(email).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect();
    words.dedup();
    words
}

/// A tag as keys and filters compare it (tag IDs as strings; older records hold names, folded alike).
pub fn tag_key(tag: &str) -> String {
    keys::fold(tag)
}

/// The sort-key parts of the address and email orders (shared with the list so in-memory sorting agrees).
pub fn address_parts(e: &ListEntry) -> [String; 3] {
    [e.city.clone(), e.state.clone(), e.address1.clone().unwrap_or_default()]
}

/// The SSN blind index of a record, once the record carries one (`ssn_last4_index`, written by the SSN feature with
/// `crate::ssn::ssn_last4_blind_index`; read by name so records stored before it existed index alike).
fn ssn_blind_index(r: &Record) -> Option<String> {
    match serde_json::to_value(r).ok()?.get("ssn_last4_index")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn slot(item: &mut Item, index: Index, pk: String, sk: String) {
    item.insert(index.pk_attr().into(), Value::String(pk));
    item.insert(index.sk_attr().into(), Value::String(sk));
}

/// The GSI slot (0..4) a packed value always takes, so a list queries one index per tag or email-word prefix.
pub fn slot_of(value: &str) -> usize {
    // FNV-1a: stable across builds and platforms.
    let h = value.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (h % 4) as usize
}

/// Packs partition keys into items of four GSI slots each (`IX#<name>#n`), each value in its own [`slot_of`].
fn packed(
    co: &CompanyId,
    r: &Record,
    entry: &Item,
    name: &str,
    values: &BTreeSet<String>,
    pk: impl Fn(&str) -> String,
) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut used = [0usize; 4];
    for v in values {
        let s = slot_of(v);
        let n = used[s];
        used[s] += 1;
        if items.len() <= n {
            let mut item = entry.clone();
            item.extend(keys::list_index_item(co, r.id, &format!("{name}#{n}")).to_item());
            items.push(item);
        }
        slot(&mut items[n], Index::GSIS[s], pk(v), keys::id_sk(r.id));
    }
    items
}

/// Every index item of a record.
pub fn index_items(co: &CompanyId, r: &Record) -> Vec<Item> {
    let e = ListEntry::from(r);
    let entry = item_of(&keys::list_index_item(co, r.id, "ENTRY"), &e, &[]);
    let (kind, id) = (r.kind, r.id);
    let id_sk = keys::id_sk(id);
    let mut items = Vec::new();

    let mut facet = entry.clone();
    facet.extend(keys::list_index_item(co, id, "FACET").to_item());
    if let Some(c) = r.campaign_id {
        slot(&mut facet, Index::Gsi1, keys::list_facet_pk(co, kind, "CAMPAIGN", &c.0.to_string()), id_sk.clone());
    }
    slot(&mut facet, Index::Gsi2, keys::list_facet_pk(co, kind, "STAGE", r.stage.as_str()), id_sk.clone());
    if let Some(d) = r.disposition.as_deref().filter(|d| !d.is_empty()) {
        slot(&mut facet, Index::Gsi3, keys::list_facet_pk(co, kind, "DISPO", d), id_sk.clone());
    }
    if let Some(s) = r.source_id {
        slot(&mut facet, Index::Gsi4, keys::list_facet_pk(co, kind, "SOURCE", &s.0.to_string()), id_sk.clone());
    }
    items.push(facet);

    let mut sort = entry.clone();
    sort.extend(keys::list_index_item(co, id, "SORT").to_item());
    let addr = address_parts(&e);
    slot(
        &mut sort,
        Index::Gsi1,
        keys::list_sorted_pk(co, kind, "ADDR"),
        keys::list_sorted_sk(&[&addr[0], &addr[1], &addr[2]], id),
    );
    slot(
        &mut sort,
        Index::Gsi2,
        keys::list_sorted_pk(co, kind, "EMAIL"),
        keys::list_sorted_sk(&[r.email.as_deref().unwrap_or("")], id),
    );
    slot(
        &mut sort,
        Index::Gsi3,
        keys::list_sorted_pk(co, kind, "FIRST"),
        keys::list_sorted_sk(&[&r.first_name, &r.last_name], id),
    );
    let phone = digits(&r.primary_phone);
    if !phone.is_empty() {
        slot(&mut sort, Index::Gsi4, keys::list_number_pk(co, kind, &phone), id_sk.clone());
    }
    items.push(sort);

    let mut lookup = entry.clone();
    lookup.extend(keys::list_index_item(co, id, "LOOKUP").to_item());
    let (fp, lp) = (prefix3(&r.first_name), prefix3(&r.last_name));
    if !fp.is_empty() {
        slot(&mut lookup, Index::Gsi1, keys::list_prefix_pk(co, kind, "FN", &fp), id_sk.clone());
    }
    if !lp.is_empty() {
        slot(&mut lookup, Index::Gsi2, keys::list_prefix_pk(co, kind, "LN", &lp), id_sk.clone());
    }
    if let Some(acct) = r.account_number.as_deref().map(digits).filter(|d| !d.is_empty()) {
        slot(&mut lookup, Index::Gsi3, keys::list_number_pk(co, kind, &acct), id_sk.clone());
    }
    if let Some(bi) = ssn_blind_index(r) {
        slot(&mut lookup, Index::Gsi4, keys::list_ssn_pk(co, kind, &bi), id_sk.clone());
    }
    items.push(lookup);

    // One- and two-character name prefixes: a two-letter search reads its own partition in ID order instead of
    // scanning the company for the few percent that match.
    let mut short = entry.clone();
    short.extend(keys::list_index_item(co, id, "SHORT").to_item());
    let mut any_short = false;
    for (field, name) in [("FN", &r.first_name), ("LN", &r.last_name)] {
        for p in prefixes(name).into_iter().filter(|p| p.chars().count() < 3) {
            let index = name_prefix_index(field, p.chars().count());
            slot(&mut short, index, keys::list_prefix_pk(co, kind, field, &p), id_sk.clone());
            any_short = true;
        }
    }
    if any_short {
        items.push(short);
    }

    let word_prefixes = email_prefixes(r.email.as_deref());
    items.extend(packed(co, r, &entry, "EMAIL", &word_prefixes, |p| keys::list_prefix_pk(co, kind, "EW", p)));

    // Archived customers have their own partition (and counter), so "Archived only" reads in proportion to the page.
    if r.archived {
        let mut archived = entry.clone();
        archived.extend(keys::list_index_item(co, id, "ARCHIVED").to_item());
        slot(&mut archived, Index::Gsi1, keys::list_facet_pk(co, kind, "ARCHIVED", "true"), id_sk.clone());
        items.push(archived);
    }

    // Customers' business names by word prefix: the parent picker finds "Acme Property Management" from "prop".
    if kind == Kind::Customer {
        let words: BTreeSet<String> =
            r.business_name.as_deref().map(name_words).unwrap_or_default().iter().map(|w| prefix3(w)).collect();
        items.extend(packed(co, r, &entry, "BIZ", &words, |p| keys::list_prefix_pk(co, kind, "BW", p)));
    }

    let tags: BTreeSet<String> = r.tags.iter().map(|t| tag_key(t)).filter(|t| !t.is_empty()).collect();
    items.extend(packed(co, r, &entry, "TAGS", &tags, |t| keys::list_facet_pk(co, kind, "TAG", t)));
    items
}

/// The counters a record adds one to: its kind's total and each countable partition it sits in.
pub fn counters_of(co: &CompanyId, r: &Record) -> BTreeSet<Key> {
    let kind = r.kind;
    let mut set =
        BTreeSet::from([keys::record_total(co, kind), keys::list_counter(co, kind, "STAGE", r.stage.as_str())]);
    if let Some(d) = r.disposition.as_deref().filter(|d| !d.is_empty()) {
        set.insert(keys::list_counter(co, kind, "DISPO", d));
    }
    if let Some(s) = r.source_id {
        set.insert(keys::list_counter(co, kind, "SOURCE", &s.0.to_string()));
    }
    if let Some(c) = r.campaign_id {
        set.insert(keys::list_counter(co, kind, "CAMPAIGN", &c.0.to_string()));
    }
    if let Some(rep) = &r.lead_rep_id {
        set.insert(keys::list_counter(co, kind, "REP", rep.as_str()));
    }
    if let Some(d) = &r.next_followup {
        set.insert(keys::list_counter(co, kind, "FOLLOWUP", d));
    }
    for t in r.tags.iter().map(|t| tag_key(t)).filter(|t| !t.is_empty()) {
        set.insert(keys::list_counter(co, kind, "TAG", &t));
    }
    if r.archived {
        set.insert(keys::list_counter(co, kind, "ARCHIVED", "true"));
    }
    // Each lead counts in its queue location (stored or defaulted), so the Pending, Returned and Invalid views and the
    // nav's Pending count read exact totals.
    if kind == Kind::Lead {
        set.insert(keys::list_counter(co, kind, "LOCATION", r.location().as_str()));
    }
    set.extend(prefix_counters(co, r));
    set
}

/// The name and email prefix counters of a record (`FN`, `LN`, `EW`; part of [`counters_of`]): exact totals for
/// name and email searches of up to three characters (longer ones are estimated from the three-character partition
/// they read). They came with the short-prefix items, so `crate::reindex` counts exactly these for older records.
pub fn prefix_counters(co: &CompanyId, r: &Record) -> BTreeSet<Key> {
    let kind = r.kind;
    let mut set = BTreeSet::new();
    for (field, name) in [("FN", &r.first_name), ("LN", &r.last_name)] {
        set.extend(prefixes(name).iter().map(|p| keys::list_counter(co, kind, field, p)));
    }
    set.extend(email_prefixes(r.email.as_deref()).iter().map(|p| keys::list_counter(co, kind, "EW", p)));
    set
}

fn keyed(items: Vec<Item>) -> BTreeMap<Key, Item> {
    items.into_iter().filter_map(|i| Some((Key::of(&i)?, i))).collect()
}

/// The extra transaction operations for a record going from `old` to `new` (`None` = does not exist), beyond the
/// profile item itself (written with [`crate::records::record_item`]): index items put where they changed and
/// deleted where they no longer apply, and counters moved. No two operations share a key. A lead with three tags
/// and four email words takes 10 index items and 28 counters (18 of them name and email prefixes); changing every
/// list field at once stays under 70 ops.
pub fn index_writes(co: &CompanyId, old: Option<&Record>, new: Option<&Record>) -> Vec<TxOp> {
    let old_items = keyed(old.map(|r| index_items(co, r)).unwrap_or_default());
    let new_items = keyed(new.map(|r| index_items(co, r)).unwrap_or_default());
    let mut ops = Vec::new();
    for key in old_items.keys().filter(|k| !new_items.contains_key(k)) {
        ops.push(TxOp::Delete { key: key.clone(), cond: None });
    }
    for (key, item) in &new_items {
        if old_items.get(key) != Some(item) {
            ops.push(TxOp::Put { item: item.clone(), cond: None });
        }
    }
    let old_counts = old.map(|r| counters_of(co, r)).unwrap_or_default();
    let new_counts = new.map(|r| counters_of(co, r)).unwrap_or_default();
    let mut count = |key: &Key, by: i64| {
        ops.push(TxOp::Update { key: key.clone(), update: Update::default().add("value", by), cond: None })
    };
    for k in old_counts.difference(&new_counts) {
        count(k, -1);
    }
    for k in new_counts.difference(&old_counts) {
        count(k, 1);
    }
    // A record newly attributed to a source checks, in its own transaction, that the partner company still exists: a
    // partner's delete checks the source's counters in its transaction, so whichever commits second sees the other.
    if let Some(source) = new.and_then(|r| r.source_id).filter(|s| old.and_then(|r| r.source_id) != Some(*s)) {
        ops.push(TxOp::Check { key: keys::partner(co, source), cond: Condition::Exists });
    }
    ops
}

/// Several records' writes in one transaction (a family archived together): the counter updates on one key become
/// one update of their sum, since a transaction may touch an item only once.
pub fn merge_counter_updates(ops: Vec<TxOp>) -> Vec<TxOp> {
    let mut out: Vec<TxOp> = Vec::with_capacity(ops.len());
    let mut seen: BTreeMap<Key, usize> = BTreeMap::new();
    for op in ops {
        match op {
            TxOp::Update { key, update, cond: None }
                if update.set.is_empty() && update.remove.is_empty() && update.add.len() == 1 =>
            {
                match seen.get(&key).and_then(|i| out.get_mut(*i)) {
                    Some(TxOp::Update { update: first, .. }) if first.add[0].0 == update.add[0].0 => {
                        first.add[0].1 += update.add[0].1
                    }
                    _ => {
                        seen.insert(key.clone(), out.len());
                        out.push(TxOp::Update { key, update, cond: None });
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The index items and counters for records written in bulk (the demo seed and benchmarks), equal to what
/// [`index_writes`] would have written creating them one by one. Counter items carry absolute values, so callers
/// seeding in chunks sum them (see [`is_counter`]).
pub fn seed_items(co: &CompanyId, records: &[Record]) -> Vec<Item> {
    let mut counters: BTreeMap<Key, i64> = BTreeMap::new();
    let mut items = Vec::new();
    for r in records {
        for k in counters_of(co, r) {
            *counters.entry(k).or_default() += 1;
        }
        items.extend(index_items(co, r));
    }
    items.extend(counters.into_iter().map(|(key, value)| {
        let mut item = key.to_item();
        item.insert("value".into(), json!(value));
        item
    }));
    items
}

/// Whether a seed item is a counter (its `value` is a count to add when seeding in chunks).
pub fn is_counter(item: &Item) -> bool {
    item.get(vigil_store::SK).and_then(Value::as_str).is_some_and(|sk| sk.starts_with("COUNTER#"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A lead with every list field set (built from JSON, so fields added to `Record` later keep their defaults).
    pub(crate) fn lead(id: u64) -> Record {
        serde_json::from_value(json!({
            "id": id, "kind": "lead", "stage": "new", "first_name": "Mary", "last_name": "O'Brien",
            "email": "mary.obrien42@gmail.com", "primary_phone": "(801) 555-1234", "address1": "12 Main St",
            "city": "Provo", "state": "UT", "office_location_id": 1, "source_id": 3, "campaign_id": 7,
            "disposition": "Hot", "rating": 4, "tags": ["1", "2", "3"], "lead_rep_id": "acme-lead-rep",
            "next_followup": "2025-01-02", "created_at": "2025-01-01T00:00:00Z", "created_by": "acme-admin", "version": 1
        }))
        .expect("a valid record")
    }

    fn co() -> CompanyId {
        CompanyId::parse("acme").unwrap()
    }

    #[test]
    fn create_then_delete_cancel_out_and_stay_small() {
        let r = lead(42);
        let create = index_writes(&co(), None, Some(&r));
        let puts = create.iter().filter(|o| matches!(o, TxOp::Put { .. })).count();
        // Facet, sort, lookup, short prefixes, and the email-word and tag items (four prefixes or tags an item).
        assert!((6..=12).contains(&puts), "{puts}");
        assert!(create.len() < 50, "{}", create.len());
        let delete = index_writes(&co(), Some(&r), None);
        assert_eq!(delete.iter().filter(|o| matches!(o, TxOp::Delete { .. })).count(), puts);
        assert_eq!(index_writes(&co(), Some(&r), Some(&r)), vec![]);
    }

    /// What the short-search items cost a write, measured on the sample lead (two name prefixes of one and two
    /// letters, four email words): one `IX#SHORT` item, the email words' one- and two-letter prefixes packed beside
    /// the three-letter ones, and a counter per prefix.
    #[test]
    fn short_prefixes_cost_one_item_and_a_counter_per_prefix() {
        let r = lead(42);
        let items = index_items(&co(), &r);
        let short = items.iter().find(|i| i["SK"] == "IX#SHORT").expect("the short-prefix item");
        for (attr, pk) in [("GSI1PK", "FN#m"), ("GSI2PK", "LN#o"), ("GSI3PK", "FN#ma"), ("GSI4PK", "LN#o'")] {
            assert!(short[attr].as_str().unwrap().ends_with(pk), "{attr}: {}", short[attr]);
        }
        // mary, obrien42, gmail, com: twelve prefixes in four slots.
        let words = email_prefixes(r.email.as_deref());
        assert_eq!(words.len(), 12);
        let email_items = items.iter().filter(|i| i["SK"].as_str().unwrap().starts_with("IX#EMAIL#")).count();
        assert!((3..=12).contains(&email_items), "{email_items}");
        let counters = counters_of(&co(), &r);
        let prefix_counters = counters.iter().filter(|k| ["#FN#", "#LN#", "#EW#"].iter().any(|f| k.sk.contains(f)));
        assert_eq!(prefix_counters.count(), 3 + 3 + 12);
        // A whole create stays far inside a transaction's 100 operations.
        let create = index_writes(&co(), None, Some(&r));
        assert!(create.len() + 3 <= 50, "{}", create.len());
        // Renaming the last name moves only its prefixes' counters and rewrites the items carrying the name.
        let mut renamed = r.clone();
        renamed.last_name = "Smith".into();
        let edit = index_writes(&co(), Some(&r), Some(&renamed));
        let moved = edit.iter().filter(|o| matches!(o, TxOp::Update { .. })).count();
        assert_eq!(moved, 6, "three prefixes off, three on");
    }

    #[test]
    fn a_record_newly_attributed_to_a_source_checks_the_partner_exists() {
        let partner_check = |ops: &[TxOp]| {
            ops.iter().any(|o| matches!(o, TxOp::Check { key, cond: Condition::Exists } if *key == keys::partner(&co(), PartnerId(3))))
        };
        let r = lead(42);
        assert!(partner_check(&index_writes(&co(), None, Some(&r))), "a new record");
        let mut other = r.clone();
        other.source_id = Some(PartnerId(9));
        assert!(partner_check(&index_writes(&co(), Some(&other), Some(&r))), "a changed source");
        let mut renamed = r.clone();
        renamed.first_name = "Other".into();
        assert!(!partner_check(&index_writes(&co(), Some(&r), Some(&renamed))), "the same source");
        assert!(!partner_check(&index_writes(&co(), Some(&r), None)), "a delete");
    }

    #[test]
    fn a_change_moves_counters_and_keeps_keys_unique() {
        let old = lead(42);
        let mut new = old.clone();
        new.stage = Stage::Contacted;
        new.tags = (1..=10).map(|t| t.to_string()).collect();
        new.email = Some("x.y.z.w.v@other.org".into());
        let ops = index_writes(&co(), Some(&old), Some(&new));
        assert!(ops.len() < 70, "{}", ops.len());
        let mut seen = BTreeSet::new();
        for op in &ops {
            let key = match op {
                TxOp::Put { item, .. } => Key::of(item).unwrap(),
                TxOp::Update { key, .. } | TxOp::Delete { key, .. } | TxOp::Check { key, .. } => key.clone(),
            };
            assert!(seen.insert(key.clone()), "two ops on {key:?}");
        }
        let stage_new = keys::list_counter(&co(), Kind::Lead, "STAGE", "new");
        assert!(ops.iter().any(|o| matches!(o, TxOp::Update { key, update, .. } if *key == stage_new && update.add == vec![("value".to_string(), -1)])));
    }

    #[test]
    fn a_family_written_together_touches_each_counter_once() {
        let co = co();
        let (mut a, mut b) = (lead(1), lead(2));
        let (a0, b0) = (a.clone(), b.clone());
        a.archived = true;
        b.archived = true;
        let mut ops = index_writes(&co, Some(&a0), Some(&a));
        ops.extend(index_writes(&co, Some(&b0), Some(&b)));
        let merged = merge_counter_updates(ops);
        let archived = keys::list_counter(&co, Kind::Lead, "ARCHIVED", "true");
        let updates: Vec<&Update> = merged
            .iter()
            .filter_map(|o| match o {
                TxOp::Update { key, update, .. } if *key == archived => Some(update),
                _ => None,
            })
            .collect();
        assert_eq!(updates.len(), 1);
        assert_eq!(updates[0].add, vec![("value".to_owned(), 2)]);
    }

    #[test]
    fn seed_items_match_one_by_one_creation() {
        let records = [lead(1), lead(2)];
        let items = seed_items(&co(), &records);
        let total = items.iter().find(|i| Key::of(i).unwrap() == keys::record_total(&co(), Kind::Lead)).unwrap();
        assert_eq!(total["value"], 2);
        assert_eq!(items.iter().filter(|i| !is_counter(i)).count(), 2 * index_items(&co(), &records[0]).len());
        let tag1 = keys::list_counter(&co(), Kind::Lead, "TAG", "1");
        assert_eq!(items.iter().find(|i| Key::of(i).unwrap() == tag1).unwrap()["value"], 2);
    }
}
