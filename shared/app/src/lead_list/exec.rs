//! Executing a plan: reads a page of rows in proportion to the page, with the signed cursor.

use super::filter::{Conds, LeadFilter, Order, SortField, View};
use super::plan::{plan, resume_cond, sort_key, Counts, Plan, Stream};
use crate::clock::date;
use crate::directory::Company;
use crate::items::from_item;
use crate::record_index::ListEntry;
use crate::records::resource_of;
use crate::{Actor, AppError, Services};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
pub use vigil_api::leads::{LeadListMeta, LeadListPage, LeadRow, NamedOpt as Named, SourceGroup};
use vigil_domain::identity::Target;
use vigil_domain::record::Kind;
use vigil_domain::{Action, CampaignId, CompanyId, ConfidentialField, LocationScope, PartnerId};
use vigil_store::{keys, Item, Key, Query, SortCond};

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

    async fn query_all(&mut self, q: &Query) -> Result<Vec<Item>, AppError> {
        let items = self.svc.table.query_all(q).await?;
        self.read += items.len() as u32;
        Ok(items)
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
/// At most this many items are read past a page to measure a long search's total (about 1 MB of index items, one
/// DynamoDB page), in queries of `TOTAL_READ_CHUNK`.
const TOTAL_READ_CAP: u32 = 2_000;
const TOTAL_READ_CHUNK: u32 = 250;

impl Open {
    /// Reads the stream's next `limit` items into its buffer.
    async fn refill(&mut self, rd: &mut Reader<'_>, limit: u32, desc: bool) -> Result<(), AppError> {
        let mut q = Query::new(self.spec.index, self.spec.pk.clone()).limit(limit).start(self.start.take());
        q.sort = self.cond.clone();
        q.forward = !desc;
        let page = rd.query(&q).await?;
        let sk_attr = self.spec.index.sk_attr();
        for item in page.items {
            let sk = item.get(sk_attr).and_then(Value::as_str).unwrap_or_default().to_owned();
            self.buf.push_back((sk, item));
        }
        self.done = page.last_key.is_none();
        self.start = page.last_key;
        Ok(())
    }
}

/// The next item in order across the streams' buffers, with its sort key; `None` when every buffer is empty.
fn pop_next(open: &mut [Open], desc: bool) -> Option<(String, Item)> {
    let (i, _) = open
        .iter()
        .enumerate()
        .filter_map(|(i, o)| o.buf.front().map(|(k, _)| (i, k.clone())))
        .reduce(|a, b| if (b.1 < a.1) != desc && b.1 != a.1 { b } else { a })?;
    open.get_mut(i)?.buf.pop_front()
}

/// Whether `matched` of `examined` items read from a partition of `size` estimate its matching share within ±10% at
/// 95% confidence: the Wilson score interval (sound for a share of 0 or 1, unlike the plain normal one) narrowed
/// by the finite-population correction (reading most of a partition leaves little to guess) lies within a tenth
/// of the share measured. It treats the items read as a random sample of the partition, which holds while the
/// order of arrival says nothing of the name or email.
fn within_tenth(size: f64, matched: u64, examined: u64) -> bool {
    if matched == 0 || examined == 0 {
        return false;
    }
    let (m, n) = (matched as f64, examined as f64);
    let p = m / n;
    let z2 = 1.96f64 * 1.96;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let fpc = if size > 1.0 { ((size - n).max(0.0) / (size - 1.0)).sqrt() } else { 0.0 };
    let half = (z2 * (p * (1.0 - p) / n + z2 / (4.0 * n * n))).sqrt() / (1.0 + z2 / n);
    let (below, above) = ((p - (centre - half)) * fpc, (centre + half - p) * fpc);
    below <= 0.1 * p && above <= 0.1 * p
}

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
    let opened: Option<Item> = filter.cursor.as_deref().map(|c| svc.cursors.open(&fingerprint, c)).transpose()?;
    let after: Option<String> = match &opened {
        Some(item) => Some(
            item.get("after")
                .and_then(Value::as_str)
                .ok_or(AppError::BadRequest {
                    field: "cursor",
                    code: "invalid_cursor",
                    message: "cursor is malformed".into(),
                })?
                .to_owned(),
        ),
        None => None,
    };
    // What the first page decided, kept by its cursor: the order served and the total shown.
    let cursor_order = opened.as_ref().and_then(|i| order_named(i.get("order")?.as_str()?));
    let cursor_total =
        opened.as_ref().and_then(|i| Some((i.get("total")?.as_u64()?, i.get("total_exact")?.as_bool()?)));
    let mut rd = Reader { svc, read: 0 };

    // A partner login's list always has its source as a criterion (and must not read the company's total).
    let source_scope = perms.source_only(resource, Action::View);
    if filter.view == Some(View::BySource) {
        let exact = !own_only && all_locations;
        return by_source(&mut rd, &co, kind, source_scope, exact, sort_name(filter.sort)).await;
    }
    if after.is_none() && !filter.submitted && !filter.has_criteria() && source_scope.is_none() {
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
                    items_read_for_total: 0,
                    access_path: "none".into(),
                    total,
                    total_exact: !own_only && all_locations,
                    search_required: true,
                    order_served: sort_name(filter.sort).into(),
                    order_note: None,
                },
                groups: None,
            });
        }
    }

    let today = date(svc.clock.now());
    let mut conds = Conds::resolve(filter, actor.id(), own_only, &today);
    // A partner login lists only what is attributed to its partner company: that source is the filter (and its
    // counter the total) unless the caller asked for sources, whose rows the permission check below then drops.
    if let Some(p) = source_scope {
        if conds.sources.is_empty() {
            conds.sources = vec![p.0];
        }
    }
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
    // Only a caller who may see SSNs searches them: for anyone else, matching last-4 digits would be an oracle that
    // reveals them one guess at a time.
    let ssn_index = conds
        .number
        .as_deref()
        .filter(|n| n.len() == 4 && perms.sees_confidential(ConfidentialField::Ssn))
        .and_then(|n| ssn_lookup_value(svc, &co, n));
    // A rep limited to own leads is already a rep condition (with its own counter); only a location limit makes a
    // counted total an upper bound.
    let plan = plan(
        &co,
        &conds,
        &counts,
        filter.sort,
        filter.per_page.get(),
        !all_locations,
        ssn_index.as_deref(),
        cursor_order,
    );
    let want = filter.per_page.get() as usize;
    let order = filter.sort.order();
    // An in-memory page is sorted in the order asked; a stream yields its own.
    let served = if plan.in_memory { order } else { plan.order };
    // Another order than the one asked runs its natural way: names A to Z, IDs newest first.
    let desc = if served == order { filter.descending } else { served == Order::Id };
    // A pending lead is seen only with the Pending permission, on every path that lists leads (search included).
    let sees_pending = perms.allows_somewhere(vigil_domain::Resource::PendingLeads, Action::View);
    let allowed = |e: &ListEntry| {
        (sees_pending || e.kind != Kind::Lead || e.location() != vigil_domain::record::LeadLocation::Pending)
            && perms.allows(
                actor.id(),
                resource,
                Action::View,
                Target { location: e.office_location_id, owner: e.lead_rep_id.as_ref(), source: e.source_id },
            )
    };

    let mut rows: Vec<(String, ListEntry)> = Vec::new();
    let mut sample: Option<(u64, u64)> = None;
    let mut next_after: Option<String> = None;
    let mut exhausted = false;
    // Set when the whole counted partition was read to measure the total: the rows the caller may see in it.
    let mut measured: Option<u64> = None;
    let mut read_for_total = 0u32;
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
            let q = Query::new(s.index, s.pk.clone()).sort_opt(s.prefix.clone().map(SortCond::BeginsWith));
            for item in rd.query_all(&q).await? {
                consider(item)?;
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
        let (mut examined, mut matched) = (0u64, 0u64);
        let mut out_of_budget = false;
        'scan: loop {
            let budget = SCAN_BASE + 2 * rows.len() as u32;
            for o in open.iter_mut().filter(|o| o.buf.is_empty() && !o.done) {
                let used = rd.read - scan_start;
                if used >= budget {
                    out_of_budget = true;
                    break 'scan;
                }
                let need = want.saturating_sub(rows.len()) as f64 + 1.0;
                o.refill(&mut rd, chunk_size(need, plan.pass_rate, open_len(&plan), budget - used), desc).await?;
            }
            let Some((key, item)) = pop_next(&mut open, desc) else {
                exhausted = true;
                break;
            };
            if last_examined.as_ref() == Some(&key) || after.as_ref() == Some(&key) {
                continue; // the same record through another stream, or the cursor's own item
            }
            last_examined = Some(key.clone());
            let e: ListEntry = from_item(item)?;
            examined += 1;
            if conds.matches(&e) {
                matched += 1;
            }
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
        let count_start = rd.read;
        // A long search's total is estimated from the share of its counted partition that matched on the page,
        // when that sample is large enough to put the estimate within a tenth. When it is not, and the search is
        // on a name, its range of the name-sorted index holds exactly its matches: unless it may be large, reading
        // that gives the exact total. Otherwise the sample grows until the estimate is within a tenth.
        let measure =
            after.is_none() && plan.sample_total && !exhausted && !within_tenth(plan.candidates, matched, examined);
        if measure {
            // Only when the three-letter partition, which bounds the range, fits in what may be read: a range
            // that cannot be read whole would cost the reads and still leave an estimate.
            if let Some(spec) = plan.count_stream.as_ref().filter(|_| plan.candidates <= f64::from(TOTAL_READ_CAP)) {
                let mut range = Open {
                    spec: spec.clone(),
                    cond: resume_cond(spec.prefix.as_deref(), None, false),
                    start: None,
                    buf: VecDeque::new(),
                    done: false,
                };
                let mut in_range = 0u64;
                while !range.done && rd.read - count_start < TOTAL_READ_CAP {
                    let room = TOTAL_READ_CAP - (rd.read - count_start);
                    range.refill(&mut rd, room.min(TOTAL_READ_CHUNK), false).await?;
                    for (_, item) in range.buf.drain(..) {
                        let e: ListEntry = from_item(item)?;
                        in_range += u64::from(conds.matches(&e) && allowed(&e));
                    }
                }
                if range.done {
                    measured = Some(in_range);
                }
            }
        }
        if measure && measured.is_none() {
            // Otherwise the sample grows: the partition is read on, past the page, until the estimate is within
            // ±10% (95% confidence) or the partition is read whole.
            let mut visible = rows.len() as u64;
            loop {
                if within_tenth(plan.candidates, matched, examined) {
                    break;
                }
                for o in open.iter_mut().filter(|o| o.buf.is_empty() && !o.done) {
                    let room = (2 * TOTAL_READ_CAP).saturating_sub(rd.read - count_start);
                    if room == 0 {
                        break;
                    }
                    o.refill(&mut rd, room.min(TOTAL_READ_CHUNK), desc).await?;
                }
                if rd.read - count_start >= 2 * TOTAL_READ_CAP && open.iter().all(|o| o.buf.is_empty()) {
                    break;
                }
                let Some((key, item)) = pop_next(&mut open, desc) else {
                    measured = Some(visible);
                    break;
                };
                if last_examined.as_ref() == Some(&key) {
                    continue;
                }
                last_examined = Some(key);
                let e: ListEntry = from_item(item)?;
                examined += 1;
                if conds.matches(&e) {
                    matched += 1;
                    visible += u64::from(allowed(&e));
                }
            }
        }
        read_for_total = rd.read - count_start;
        sample = (examined > 0).then_some((matched, examined));
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
    } else if let Some(all) = measured {
        (all, true)
    } else if let Some(kept) = cursor_total {
        kept
    } else if after.is_none() {
        // A long search read through its exactly counted three-character partition: the share of what was read
        // that matched, times the partition's size, measures what the planner could only guess.
        let estimate = match sample {
            Some((m, n)) if plan.sample_total => (plan.candidates * m as f64 / n as f64).round() as u64,
            _ => plan.total,
        };
        // An estimate never says fewer than the first page shows.
        (estimate.max(rows.len() as u64), plan.total_exact)
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
        .map(|row| crate::records::mask_row(row, &actor.user.permissions))
        .collect::<Result<Vec<_>, AppError>>()?;
    let next_cursor = next_after.map(|a| {
        let mut item = Item::new();
        item.insert("after".into(), json!(a));
        item.insert("order".into(), json!(order_name(served)));
        item.insert("total".into(), json!(total));
        item.insert("total_exact".into(), json!(total_exact));
        svc.cursors.seal(&fingerprint, &item)
    });
    let order_note = (served != order).then(|| {
        format!(
            "Sorted by {} instead of {}: this search matches too few of the leads in that order to fill a page.",
            order_label(served),
            order_label(order)
        )
    });
    Ok(LeadListPage {
        items,
        next_cursor,
        meta: LeadListMeta {
            items_read: rd.read,
            items_read_for_total: read_for_total,
            access_path: plan.path,
            total,
            total_exact,
            search_required: false,
            order_served: if served == order { sort_name(filter.sort).into() } else { order_name(served).into() },
            order_note,
        },
        groups: None,
    })
}

fn sort_name(sort: SortField) -> &'static str {
    match sort {
        SortField::Id => "id",
        SortField::Name => "name",
        SortField::Address => "address",
        SortField::Email => "email",
        SortField::Created => "created",
    }
}

fn order_name(order: Order) -> &'static str {
    match order {
        Order::Id => "id",
        Order::Name => "name",
        Order::Address => "address",
        Order::Email => "email",
        Order::FirstName => "first_name",
    }
}

fn order_named(name: &str) -> Option<Order> {
    [Order::Id, Order::Name, Order::Address, Order::Email, Order::FirstName]
        .into_iter()
        .find(|o| order_name(*o) == name)
}

fn order_label(order: Order) -> &'static str {
    match order {
        Order::Id => "newest first",
        Order::Name => "last name",
        Order::Address => "address",
        Order::Email => "email",
        Order::FirstName => "first name",
    }
}

/// The By Source view: one group per source with its counter, and the leads without a source (the kind's total less
/// the sources' counters), largest first. Reads the company's partners and one counter each, never a lead. A partner
/// login sees only its own source's group.
async fn by_source(
    rd: &mut Reader<'_>,
    co: &CompanyId,
    kind: Kind,
    source_scope: Option<PartnerId>,
    exact: bool,
    sort: &str,
) -> Result<LeadListPage, AppError> {
    let q = Query::new(vigil_store::Index::Base, keys::company_pk(co))
        .sort_opt(Some(SortCond::BeginsWith(keys::PARTNER_PREFIX.into())));
    let partners: Vec<(PartnerId, String)> = rd
        .query_all(&q)
        .await?
        .into_iter()
        .filter_map(|i| {
            Some((PartnerId(u32::try_from(i.get("id")?.as_u64()?).ok()?), i.get("name")?.as_str()?.to_owned()))
        })
        .filter(|(id, _)| source_scope.is_none_or(|s| s == *id))
        .collect();
    let mut counter_keys: Vec<Key> =
        partners.iter().map(|(id, _)| keys::list_counter(co, kind, "SOURCE", &id.0.to_string())).collect();
    if source_scope.is_none() {
        counter_keys.push(keys::record_total(co, kind));
    }
    let mut counts: HashMap<Key, u64> = HashMap::new();
    for chunk in counter_keys.chunks(100) {
        for item in rd.batch_get(chunk).await? {
            if let (Some(k), Some(v)) = (Key::of(&item), item.get("value").and_then(Value::as_i64)) {
                counts.insert(k, v.max(0) as u64);
            }
        }
    }
    let count_of = |k: &Key| counts.get(k).copied().unwrap_or(0);
    let mut groups: Vec<SourceGroup> = partners
        .iter()
        .map(|(id, name)| SourceGroup {
            source: Some(Named { id: id.0, name: Some(name.clone()) }),
            count: count_of(&keys::list_counter(co, kind, "SOURCE", &id.0.to_string())),
        })
        .filter(|g| g.count > 0)
        .collect();
    let sourced: u64 = groups.iter().map(|g| g.count).sum();
    let total = if source_scope.is_some() { sourced } else { count_of(&keys::record_total(co, kind)).max(sourced) };
    if total > sourced {
        groups.push(SourceGroup { source: None, count: total - sourced });
    }
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.source.is_none().cmp(&b.source.is_none())));
    Ok(LeadListPage {
        items: vec![],
        next_cursor: None,
        meta: LeadListMeta {
            items_read: rd.read,
            items_read_for_total: 0,
            access_path: "source_counters".into(),
            total,
            total_exact: exact,
            search_required: false,
            order_served: sort.into(),
            order_note: None,
        },
        groups: Some(groups),
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

/// How many items to ask one stream for: enough for the rows still wanted at the expected pass rate (at least two, so
/// a stream that is done says so without another read), but never more than the budget has `room` for. The room
/// wins over the minimum: a page with one item of budget left reads one item, never past the budget.
fn chunk_size(need: f64, pass_rate: f64, streams: f64, room: u32) -> u32 {
    let wanted = (need / pass_rate / streams).ceil();
    // `as` saturates (and maps NaN to 0), so no estimate can overflow here.
    let wanted = (wanted as u32).saturating_add(1).max(2);
    wanted.min(room).max(1)
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
    use super::{chunk_size, within_tenth};

    #[test]
    fn an_estimate_is_promised_within_a_tenth_only_with_enough_sample() {
        // Nothing matched yet, or too little read: no promise.
        assert!(!within_tenth(100_000.0, 0, 500));
        assert!(!within_tenth(100_000.0, 25, 50));
        // Every item matching is no proof after 25 items (the share could be 0.87), but is after 40.
        assert!(!within_tenth(100_000.0, 25, 25));
        assert!(within_tenth(100_000.0, 40, 40));
        // Half matching: about 385 items are needed from a large partition, far fewer from a small one.
        assert!(!within_tenth(100_000.0, 150, 300));
        assert!(within_tenth(100_000.0, 200, 400));
        assert!(within_tenth(300.0, 100, 200));
        // The whole partition read: the share is known.
        assert!(within_tenth(300.0, 1, 300));
    }

    /// A page with one item of budget left used to ask for `clamp(2, 1)`, which panics.
    #[test]
    fn a_chunk_never_exceeds_the_room_left() {
        for room in 1..=5 {
            for need in [1.0, 11.0, 51.0] {
                for pass in [0.01, 0.5, 1.0, f64::NAN] {
                    for streams in [1.0, 4.0, 20.0] {
                        let c = chunk_size(need, pass, streams, room);
                        assert!((1..=room).contains(&c), "{need} {pass} {streams} {room}: {c}");
                    }
                }
            }
        }
        assert_eq!(chunk_size(9.0, 1.0, 1.0, 100), 10);
        assert_eq!(chunk_size(1.0, 1.0, 20.0, 100), 2, "a stream is asked for two at least");
        assert_eq!(chunk_size(51.0, 1e-300, 1.0, u32::MAX), u32::MAX, "saturates");
    }
}
