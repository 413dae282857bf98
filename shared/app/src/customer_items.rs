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
        update: vigil_store::Update::default().set("status", "cancelled"),
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
    let data = validate(c, body)?;
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
    };
    // The record must still exist and be unarchived when the item lands.
    let ops = vec![
        TxOp::Check { key: keys::record(co, id), cond: Condition::AttrEquals("archived".into(), Value::Bool(false)) },
        TxOp::Put { item: item_of(&sub.key(co), &sub, &[]), cond: Some(Condition::NotExists) },
    ];
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
