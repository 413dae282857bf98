//! The sub-records a customer's tabs count and archiving touches: notes and tickets, emergency contacts, equipment,
//! appointments, recurring invoices and scheduled payments. Each is an item under the record's partition
//! (`keys::record_child_item`), listed and created through `/api/v1/customers/{id}/<collection>`.

use crate::clock::rfc3339;
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
pub use vigil_api::customers::{Collection, SubRecord};
use vigil_domain::identity::Target;
use vigil_domain::record::Record;
use vigil_domain::{Action, FieldError, Invalid, RecordId};
use vigil_store::{keys, Condition, Index, Query, SortCond, TxOp};

/// Where a collection's items live and how they start: storage and rules the contract does not carry.
pub trait CollectionRules: Sized {
    /// The SK prefix of its items.
    fn prefix(self) -> &'static str;
    fn of_sk(sk: &str) -> Option<Self>;
    fn initial_status(self) -> &'static str;
}

impl CollectionRules for Collection {
    fn prefix(self) -> &'static str {
        match self {
            Collection::Notes => "NOTE",
            Collection::Contacts => "CONTACT",
            Collection::Equipment => "EQUIP",
            Collection::Appointments => "APPT",
            Collection::RecurringInvoices => "RINV",
            Collection::ScheduledPayments => "SPAY",
        }
    }

    fn of_sk(sk: &str) -> Option<Self> {
        let prefix = sk.split('#').next()?;
        Self::ALL.into_iter().find(|c| c.prefix() == prefix)
    }

    fn initial_status(self) -> &'static str {
        match self {
            Collection::Notes => "open",
            Collection::Contacts | Collection::Equipment | Collection::RecurringInvoices => "active",
            Collection::Appointments | Collection::ScheduledPayments => "scheduled",
        }
    }
}

/// What archiving and the tab badges count of a sub-record, and where it is stored.
pub trait SubRecordRules {
    /// Counted by archiving: an active recurring invoice, a future appointment or a future scheduled payment.
    fn cancelled_by_archive(&self, today: &str) -> bool;
    /// Counted on the tab badge: open notes/tickets, everything else not cancelled.
    fn counts(&self) -> bool;
    fn key(&self, co: &vigil_domain::CompanyId) -> vigil_store::Key;
}

impl SubRecordRules for SubRecord {
    fn cancelled_by_archive(&self, today: &str) -> bool {
        let future = || self.data.get("date").and_then(Value::as_str).is_some_and(|d| d >= today);
        match self.collection {
            Collection::RecurringInvoices => self.status == "active",
            Collection::Appointments | Collection::ScheduledPayments => self.status == "scheduled" && future(),
            _ => false,
        }
    }

    fn counts(&self) -> bool {
        match self.collection {
            Collection::Notes => self.status == "open",
            _ => self.status != "cancelled",
        }
    }

    fn key(&self, co: &vigil_domain::CompanyId) -> vigil_store::Key {
        keys::record_child_item(co, self.record_id, self.collection.prefix(), self.id)
    }
}

/// The update that cancels a sub-record, if it is still as read.
pub fn cancel_op(co: &vigil_domain::CompanyId, s: &SubRecord) -> TxOp {
    TxOp::Update {
        key: s.key(co),
        update: vigil_store::Update::default().set("status", "cancelled").add("version", 1),
        cond: Some(Condition::AttrEquals("status".into(), Value::String(s.status.clone()))),
    }
}

fn text(
    data: &Map<String, Value>,
    field: &str,
    required: bool,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match data.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            if s.chars().count() > max {
                errors.push(FieldError::new(field, "too_long", format!("at most {max} characters")));
                None
            } else {
                Some(s.trim().to_owned())
            }
        }
        None | Some(Value::Null) | Some(Value::String(_)) if required => {
            errors.push(FieldError::required(field));
            None
        }
        None | Some(Value::Null) | Some(Value::String(_)) => None,
        Some(_) => {
            errors.push(FieldError::new(field, "invalid", "must be text"));
            None
        }
    }
}

fn date(data: &Map<String, Value>, field: &str, required: bool, errors: &mut Vec<FieldError>) -> Option<String> {
    let d = text(data, field, required, 10, errors)?;
    match vigil_domain::lead::date(field, &d) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

fn cents(data: &Map<String, Value>, field: &str, errors: &mut Vec<FieldError>) -> Option<u64> {
    match data.get(field).and_then(Value::as_u64) {
        Some(n) if n > 0 && n <= 100_000_000 => Some(n),
        _ => {
            errors.push(FieldError::new(field, "invalid", "must be an amount in cents, more than 0"));
            None
        }
    }
}

/// Validates a create body and returns the stored `data`.
fn validate(c: Collection, body: &Map<String, Value>) -> Result<Map<String, Value>, Invalid> {
    let mut e = Vec::new();
    let mut out = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            out.insert(k.into(), v);
        }
    };
    match c {
        Collection::Notes => {
            put("text", text(body, "text", true, 4000, &mut e).map(Value::from));
            let ticket = body.get("ticket").and_then(Value::as_bool).unwrap_or(false);
            put("ticket", Some(Value::Bool(ticket)));
            put("assignee_id", text(body, "assignee_id", false, 128, &mut e).map(Value::from));
            put("due_date", date(body, "due_date", false, &mut e).map(Value::from));
        }
        Collection::Contacts => {
            put("name", text(body, "name", true, 200, &mut e).map(Value::from));
            let phone = text(body, "phone", true, 32, &mut e)
                .and_then(|p| vigil_domain::text::phone_digits("phone", &p).map_err(|x| e.push(x)).ok());
            put("phone", phone.map(Value::from));
            put("relation", text(body, "relation", false, 100, &mut e).map(Value::from));
        }
        Collection::Equipment => {
            put("name", text(body, "name", true, 200, &mut e).map(Value::from));
            let q = body.get("quantity").map(|v| v.as_u64().filter(|n| (1..=10_000).contains(n))).unwrap_or(Some(1));
            if q.is_none() {
                e.push(FieldError::new("quantity", "invalid", "must be a whole number from 1"));
            }
            put("quantity", q.map(Value::from));
            put("zone", text(body, "zone", false, 100, &mut e).map(Value::from));
        }
        Collection::Appointments => {
            put("date", date(body, "date", true, &mut e).map(Value::from));
            let kind = text(body, "kind", false, 16, &mut e).unwrap_or_else(|| "tech".into());
            if kind != "tech" && kind != "sale" {
                e.push(FieldError::new("kind", "invalid", "kind must be tech or sale"));
            }
            put("kind", Some(Value::from(kind)));
            put("note", text(body, "note", false, 1000, &mut e).map(Value::from));
        }
        Collection::RecurringInvoices => {
            put("amount_cents", cents(body, "amount_cents", &mut e).map(Value::from));
            let f = text(body, "frequency", false, 16, &mut e).unwrap_or_else(|| "monthly".into());
            if !["monthly", "quarterly", "yearly"].contains(&f.as_str()) {
                e.push(FieldError::new("frequency", "invalid", "frequency must be monthly, quarterly or yearly"));
            }
            put("frequency", Some(Value::from(f)));
            put("start_date", date(body, "start_date", true, &mut e).map(Value::from));
            put("description", text(body, "description", false, 200, &mut e).map(Value::from));
        }
        Collection::ScheduledPayments => {
            put("amount_cents", cents(body, "amount_cents", &mut e).map(Value::from));
            put("date", date(body, "date", true, &mut e).map(Value::from));
        }
    }
    if e.is_empty() {
        Ok(out)
    } else {
        Err(Invalid { errors: e })
    }
}

/// What one Query of a record's partition holds besides the profile: its sub-records and, for a parent, the links
/// to its sub-customers.
#[derive(Debug, Clone, Default)]
pub struct Partition {
    pub items: Vec<SubRecord>,
    pub children: Vec<ChildLink>,
    /// The Workflows tab's counters.
    pub workflows: crate::workflows::TabCounts,
    /// Work orders not completed or cancelled, and open invoices (the Work Orders and Accounting tab counts).
    pub open_work_orders: u64,
    pub open_invoices: u64,
}

/// A parent's link item to one sub-customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildLink {
    pub id: RecordId,
    pub name: String,
}

/// Reads the record's partition in one Query (paged to the end).
pub async fn partition(svc: &Services, co: &vigil_domain::CompanyId, id: RecordId) -> Result<Partition, AppError> {
    let mut out = Partition::default();
    for item in svc.table.query_all(&Query::new(Index::Base, keys::record_pk(co, id))).await? {
        let sk = item.get(vigil_store::SK).and_then(Value::as_str).unwrap_or_default().to_owned();
        if sk.starts_with(keys::SUB_CUSTOMER_PREFIX) {
            out.children.push(from_item(item)?);
        } else if sk == keys::workflow_counters(co, id).sk {
            out.workflows = crate::workflows::TabCounts::of_item(&item);
        } else if let Some(doc) = sk
            .split('#')
            .next()
            .filter(|p| [crate::orders::WORK_ORDER_PREFIX, crate::accounting::INVOICE_PREFIX].contains(p))
        {
            let status = item.get("status").and_then(Value::as_str).unwrap_or_default();
            let invoice = item.get("kind").and_then(Value::as_str) == Some("invoice");
            if doc == crate::orders::WORK_ORDER_PREFIX && !["completed", "cancelled"].contains(&status) {
                out.open_work_orders += 1;
            } else if doc == crate::accounting::INVOICE_PREFIX && invoice && status == "open" {
                out.open_invoices += 1;
            }
        } else if Collection::of_sk(&sk).is_some() {
            out.items.push(from_item(item)?);
        }
    }
    Ok(out)
}

async fn of_collection(
    svc: &Services,
    co: &vigil_domain::CompanyId,
    id: RecordId,
    c: Collection,
) -> Result<Vec<SubRecord>, AppError> {
    let q = Query::new(Index::Base, keys::record_pk(co, id)).sort(SortCond::BeginsWith(format!("{}#", c.prefix())));
    svc.table.query_all(&q).await?.into_iter().map(from_item).collect()
}

fn target(r: &Record) -> Target<'_> {
    Target::of(r)
}

/// `GET /api/v1/customers/{id}/<collection>`: newest first.
pub async fn list(svc: &Services, actor: &Actor, id: RecordId, c: Collection) -> Result<Vec<SubRecord>, AppError> {
    crate::customers::load(svc, actor, id).await?;
    let mut items = of_collection(svc, actor.company(), id, c).await?;
    items.reverse();
    Ok(items)
}

/// `POST /api/v1/customers/{id}/<collection>`: needs Modify on the record; archived records take nothing new.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    c: Collection,
    body: &Map<String, Value>,
) -> Result<SubRecord, AppError> {
    let r = crate::customers::load(svc, actor, id).await?;
    actor.require(crate::records::resource_of(r.kind), Action::Modify, target(&r))?;
    crate::customers::writable(&r)?;
    let mut data = validate(c, body)?;
    // New recurring invoices on a sub-customer bill through its parent; existing ones keep what they were made with.
    if let (Collection::RecurringInvoices, Some(parent)) = (c, r.lead.customer.parent_id) {
        data.insert("bill_through".into(), Value::from(parent.0));
    }
    let co = actor.company();
    let seq = svc.table.increment(&keys::record_child_sequence(co, id), 1).await?;
    let sub = SubRecord {
        id: seq as u64,
        record_id: id,
        collection: c,
        status: c.initial_status().into(),
        created_at: rfc3339(svc.clock.now()),
        created_by: actor.id().clone(),
        data,
        version: 1,
    };
    // The record must still exist and be unarchived when the item lands.
    let mut ops = vec![
        TxOp::Check { key: keys::record(co, id), cond: Condition::AttrEquals("archived".into(), Value::Bool(false)) },
        TxOp::Put { item: item_of(&sub.key(co), &sub, &[]), cond: Some(Condition::NotExists) },
    ];
    ops.push(history_op(co, None, &sub, &sub.created_at, actor.id()));
    let change = format!("{}{}", c.prefix(), sub.id);
    ops.extend(crate::workflows::recheck_job(svc, co, id, actor.id(), &change).await?);
    match svc.table.transact(ops).await {
        Ok(()) => {
            crate::workflows::recheck(svc, co, id, actor.id()).await;
            Ok(sub)
        }
        Err(vigil_store::StoreError::ConditionFailed { .. }) => Err(AppError::Conflict {
            message: "this customer was archived or removed meanwhile; nothing was added".into(),
            current: None,
        }),
        Err(e) => Err(e.into()),
    }
}

/// `PATCH /api/v1/customers/{id}/<collection>/{item_id}`: the fields sent (a `null` clears an optional one) and
/// `status`, with the `version` read. Same permission and archive rules as adding one; the change and its history
/// line land in one transaction, and a change made meanwhile (another user's edit, archiving's cancellation) is 409.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    c: Collection,
    item_id: u64,
    body: &Map<String, Value>,
) -> Result<SubRecord, AppError> {
    let r = crate::customers::load(svc, actor, id).await?;
    actor.require(crate::records::resource_of(r.kind), Action::Modify, target(&r))?;
    crate::customers::writable(&r)?;
    let co = actor.company();
    let key = keys::record_child_item(co, id, c.prefix(), item_id);
    let before: SubRecord = match svc.table.get(&key).await? {
        Some(item) => from_item(item)?,
        None => return Err(AppError::NotFound("item")),
    };
    let after = changed(&before, body)?;
    if after.status == before.status && after.data == before.data {
        return Ok(before);
    }
    // Items written before versions existed have none: they match only while still without one.
    let unchanged = match before.version {
        0 => Condition::And(vec![Condition::Exists, Condition::AttrNotExists("version".into())]),
        v => Condition::VersionIs(v),
    };
    let cond =
        Condition::And(vec![unchanged, Condition::AttrEquals("status".into(), Value::String(before.status.clone()))]);
    let at = rfc3339(svc.clock.now());
    let mut ops = vec![
        TxOp::Check { key: keys::record(co, id), cond: Condition::AttrEquals("archived".into(), Value::Bool(false)) },
        TxOp::Put { item: item_of(&key, &after, &[]), cond: Some(cond) },
        history_op(co, Some(&before), &after, &at, actor.id()),
    ];
    let change = format!("{}{}v{}", c.prefix(), after.id, after.version);
    ops.extend(crate::workflows::recheck_job(svc, co, id, actor.id(), &change).await?);
    match svc.table.transact(ops).await {
        Ok(()) => {
            crate::workflows::recheck(svc, co, id, actor.id()).await;
            Ok(after)
        }
        Err(vigil_store::StoreError::ConditionFailed { .. }) => {
            let now: Option<SubRecord> = svc.table.get(&key).await?.map(from_item).transpose()?;
            Err(AppError::Conflict {
                message: "this item or its customer changed meanwhile (edited, archived or removed); nothing was saved"
                    .into(),
                current: now.and_then(|n| serde_json::to_value(n).ok()),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// The item as the body would leave it, validated as a new one is, or 409 when `version` is not the one stored.
/// Fields the server set (a sub-customer's `bill_through`, a generated ticket's links) are kept.
fn changed(before: &SubRecord, body: &Map<String, Value>) -> Result<SubRecord, AppError> {
    let c = before.collection;
    let mut errors = Vec::new();
    let version = match body.get("version") {
        Some(v) => v.as_u64(),
        None => {
            errors.push(FieldError::required("version"));
            None
        }
    };
    if body.contains_key("version") && version.is_none() {
        errors.push(FieldError::new("version", "invalid", "version must be a whole number"));
    }
    let mut status = before.status.clone();
    match body.get("status") {
        None => {}
        Some(Value::String(s)) if c.statuses().contains(&s.as_str()) => status = s.clone(),
        Some(_) => errors.push(FieldError::new(
            "status",
            "invalid",
            format!("status must be one of: {}", c.statuses().join(", ")),
        )),
    }
    let mut merged = before.data.clone();
    for (k, v) in body.iter().filter(|(k, _)| !["version", "status"].contains(&k.as_str())) {
        match v {
            Value::Null => merged.remove(k),
            v => merged.insert(k.clone(), v.clone()),
        };
    }
    let data = match validate(c, &merged) {
        Ok(valid) => {
            let mut data = merged;
            data.retain(|k, _| valid.contains_key(k) || !body.contains_key(k));
            data.extend(valid);
            data
        }
        Err(invalid) => {
            errors.extend(invalid.errors);
            Map::new()
        }
    };
    if !errors.is_empty() {
        return Err(Invalid { errors }.into());
    }
    if version != Some(before.version) {
        return Err(AppError::Conflict {
            message: "another user changed this item; review their change and try again".into(),
            current: serde_json::to_value(before).ok(),
        });
    }
    Ok(SubRecord { status, data, version: before.version + 1, ..before.clone() })
}

/// The customer's history line for a sub-record created (`before` is `None`) or changed, for the transaction that
/// writes it. The line says what the tab shows of it, clipped: the History tab is one line per change and the full
/// text stays on the sub-record. Sub-records hold only their collection's validated fields, never an SSN or a
/// birthdate, and their tabs show them to whoever may read the customer, as the history does; the field names
/// (`contact`, `ticket`, …) are no registry fields, so the history masking leaves them shown.
pub fn history_op(
    co: &vigil_domain::CompanyId,
    before: Option<&SubRecord>,
    after: &SubRecord,
    at: &str,
    by: &vigil_domain::UserId,
) -> TxOp {
    const MAX_CHARS: usize = 200;
    let summary = |s: &SubRecord| {
        let d = |k: &str| s.data.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let money = |k: &str| s.data.get(k).and_then(Value::as_u64).map(|c| format!("${}.{:02}", c / 100, c % 100));
        let mut parts = vec![format!("#{}", s.id)];
        match s.collection {
            Collection::Notes => parts.extend([d("text"), d("due_date")]),
            Collection::Contacts => parts.extend([d("name"), d("phone"), d("relation")]),
            Collection::Equipment => {
                let quantity = s.data.get("quantity").and_then(Value::as_u64).unwrap_or(1);
                parts.extend([d("name"), format!("x{quantity}"), d("zone")]);
            }
            Collection::Appointments => parts.extend([d("date"), d("kind"), d("note")]),
            Collection::RecurringInvoices => parts.extend([
                money("amount_cents").unwrap_or_default(),
                d("frequency"),
                d("start_date"),
                d("description"),
            ]),
            Collection::ScheduledPayments => parts.extend([money("amount_cents").unwrap_or_default(), d("date")]),
        }
        if s.status != s.collection.initial_status() {
            parts.push(s.status.clone());
        }
        let line = parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" · ");
        match line.char_indices().nth(MAX_CHARS) {
            Some((cut, _)) => Value::String(format!("{}…", line.get(..cut).unwrap_or_default())),
            None => Value::String(line),
        }
    };
    let field = match after.collection {
        Collection::Notes if after.data.get("ticket").and_then(Value::as_bool) == Some(true) => "ticket",
        Collection::Notes => "note",
        Collection::Contacts => "contact",
        Collection::Equipment => "equipment",
        Collection::Appointments => "appointment",
        Collection::RecurringInvoices => "recurring_invoice",
        Collection::ScheduledPayments => "scheduled_payment",
    };
    let entry = vigil_api::leads::HistoryEntry {
        at: at.to_owned(),
        by: by.to_string(),
        field: field.into(),
        before: before.map(summary).unwrap_or(Value::Null),
        after: summary(after),
    };
    // Above the sequence numbers a field save uses (one per changed field) and below the enrollment events' (9000
    // up); each sub-record has its own number, so two lines written in the same millisecond keep apart.
    let seq = 8000 + (after.id % 1000) as u32;
    TxOp::Put {
        item: item_of(&keys::history(co, after.record_id, at, seq), &entry, &[]),
        cond: Some(Condition::NotExists),
    }
}
