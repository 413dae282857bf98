//! What the workflow items hold, and the reads and writes the jobs share.

use crate::clock::{date, rfc3339};
use crate::customer_items::{Collection, CollectionRules, SubRecord, SubRecordRules};
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use vigil_api::workflows::{EnrollmentSummary, Progress, WorkflowDefinition, WorkflowStep};
use vigil_domain::identity::Target;
use vigil_domain::record::{Kind, Record};
use vigil_domain::workflow::{Definition, EnrollmentStatus, Facts, Generates, Lang, StepState, StepStatus};
use vigil_domain::{Action, CompanyId, RecordId, Resource, UserId};
use vigil_store::{keys, Condition, Item, TxOp, Update};

/// A definition version as stored (the current one and each immutable version alike).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredDefinition {
    pub id: u32,
    pub version: u64,
    #[serde(flatten)]
    pub def: Definition,
    pub updated_at: String,
    pub updated_by: UserId,
}

impl StoredDefinition {
    pub fn view(&self) -> WorkflowDefinition {
        WorkflowDefinition {
            id: self.id,
            name: self.def.name.clone(),
            active: self.def.active,
            layout: self.def.layout,
            languages: self.def.languages.clone(),
            steps: self.def.steps.iter().map(WorkflowStep::from).collect(),
            version: self.version,
        }
    }
}

/// One customer's enrollment in one version of a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Enrollment {
    pub id: u64,
    pub customer_id: RecordId,
    pub workflow_id: u32,
    pub workflow_version: u64,
    pub name: String,
    pub language: Lang,
    pub status: EnrollmentStatus,
    pub warning: bool,
    pub steps: Vec<StepState>,
    pub started_at: String,
    pub started_by: UserId,
    pub version: u64,
}

impl Enrollment {
    pub fn key(&self, co: &CompanyId) -> vigil_store::Key {
        keys::enrollment(co, self.customer_id, self.id)
    }

    pub fn item(&self, co: &CompanyId) -> Item {
        item_of(&self.key(co), self, &[])
    }

    pub fn progress(&self) -> Progress {
        let done = self.steps.iter().filter(|s| s.status != StepStatus::Pending).count();
        Progress { done: done as u32, total: self.steps.len() as u32 }
    }

    pub fn summary(&self) -> EnrollmentSummary {
        EnrollmentSummary {
            id: self.id,
            customer_id: self.customer_id,
            workflow_id: self.workflow_id,
            workflow_version: self.workflow_version,
            name: self.name.clone(),
            status: self.status,
            language: self.language.clone(),
            progress: self.progress(),
            warning: self.warning,
            started_at: self.started_at.clone(),
            version: self.version,
        }
    }
}

/// The Workflows tab's numbers, as the counters item holds them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabCounts {
    #[serde(default)]
    pub enrolled: u64,
    /// Enrollments with a warning (the tab's red dot).
    #[serde(default)]
    pub warnings: u64,
}

impl TabCounts {
    /// The counters item's numbers (negative or missing ones read as 0).
    pub fn of_item(item: &Item) -> Self {
        let n = |k: &str| item.get(k).and_then(Value::as_i64).unwrap_or(0).max(0) as u64;
        TabCounts { enrolled: n("enrolled"), warnings: n("warnings") }
    }
}

/// The counters' change, in the transaction that changes the enrollments.
pub(crate) fn counters_op(co: &CompanyId, customer: RecordId, enrolled: i64, warnings: i64) -> TxOp {
    TxOp::Update {
        key: keys::workflow_counters(co, customer),
        update: Update::default().add("enrolled", enrolled).add("warnings", warnings),
        cond: None,
    }
}

/// How a warning flag going from `before` to `after` moves the warnings counter.
pub(crate) fn warning_delta(before: bool, after: bool) -> i64 {
    i64::from(after) - i64::from(before)
}

pub(crate) fn target(r: &Record) -> Target<'_> {
    Target::of(r)
}

/// The customer, if the actor may see its workflows (Customers View and Customer Workflows View on its location).
pub(crate) async fn customer(svc: &Services, actor: &Actor, id: RecordId) -> Result<Record, AppError> {
    let r = crate::customers::load(svc, actor, id).await?;
    if r.kind != Kind::Customer {
        return Err(AppError::NotFound("customer"));
    }
    actor.require(Resource::CustomerWorkflows, Action::View, target(&r))?;
    Ok(r)
}

pub(crate) fn may_create(actor: &Actor, r: &Record) -> bool {
    actor.user.permissions.allows(actor.id(), Resource::CustomerWorkflows, Action::Create, target(r))
}

pub(crate) async fn definition(svc: &Services, co: &CompanyId, id: u32) -> Result<StoredDefinition, AppError> {
    from_item(svc.table.get(&keys::workflow(co, id)).await?.ok_or(AppError::NotFound("workflow"))?)
}

pub(crate) async fn definition_version(
    svc: &Services,
    co: &CompanyId,
    id: u32,
    version: u64,
) -> Result<StoredDefinition, AppError> {
    from_item(svc.table.get(&keys::workflow_version(co, id, version)).await?.ok_or(AppError::NotFound("workflow"))?)
}

/// An enrollment by its ID, with its customer (which the actor may see the workflows of).
pub(crate) async fn enrollment(svc: &Services, actor: &Actor, id: u64) -> Result<(Enrollment, Record), AppError> {
    let co = actor.company();
    let lookup = svc.table.get(&keys::enrollment_lookup(co, id)).await?.ok_or(AppError::NotFound("enrollment"))?;
    let customer_id = lookup
        .get("customer_id")
        .and_then(Value::as_u64)
        .map(RecordId)
        .ok_or_else(|| AppError::Internal("an enrollment lookup item names no customer".into()))?;
    let r = customer(svc, actor, customer_id).await?;
    let e = from_item(
        svc.table.get(&keys::enrollment(co, customer_id, id)).await?.ok_or(AppError::NotFound("enrollment"))?,
    )?;
    Ok((e, r))
}

/// What the automatic requirements see of a customer: one Query of its partition.
pub(crate) struct CustomerState {
    pub record: Option<Record>,
    pub facts: Facts,
    pub enrollments: Vec<Enrollment>,
}

pub(crate) async fn customer_state(svc: &Services, co: &CompanyId, id: RecordId) -> Result<CustomerState, AppError> {
    let items =
        svc.table.query_all(&vigil_store::Query::new(vigil_store::Index::Base, keys::record_pk(co, id))).await?;
    let mut out = CustomerState { record: None, facts: Facts::default(), enrollments: vec![] };
    for item in items {
        let sk = item.get(vigil_store::SK).and_then(Value::as_str).unwrap_or_default().to_owned();
        if sk == keys::record(co, id).sk {
            out.record = Some(from_item(item)?);
        } else if sk.starts_with(keys::ENROLLMENT_PREFIX) {
            out.enrollments.push(from_item(item)?);
        } else if let Some(c) = Collection::of_sk(&sk) {
            let s: SubRecord = from_item(item)?;
            match c {
                Collection::Contacts if s.counts() => out.facts.contacts += 1,
                Collection::Equipment if s.counts() => out.facts.equipment += 1,
                Collection::Appointments if s.status == "scheduled" => out.facts.appointments += 1,
                _ => {}
            }
        }
    }
    if let Some(r) = &out.record {
        let flat = match serde_json::to_value(r) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        out.facts.filled = Facts::filled_from(|name| match flat.get(name) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        });
    }
    Ok(out)
}

/// The ticket or appointment a completed step creates, with its line of the customer's history, for the completion's
/// transaction. Its number comes from the customer's sub-record sequence first; a completion that then loses its
/// race leaves that number unused.
pub(crate) async fn generated_op(
    svc: &Services,
    co: &CompanyId,
    e: &Enrollment,
    step_id: u32,
    what: &Generates,
    by: &UserId,
) -> Result<Vec<TxOp>, AppError> {
    let seq = svc.table.increment(&keys::record_child_sequence(co, e.customer_id), 1).await?;
    let now = svc.clock.now();
    let origin = json!({"enrollment_id": e.id, "step_id": step_id});
    let (collection, data) = match what {
        Generates::Ticket { subject, assignee_id } => {
            let mut d = Map::new();
            d.insert("text".into(), json!(subject));
            d.insert("ticket".into(), json!(true));
            if let Some(a) = assignee_id {
                d.insert("assignee_id".into(), json!(a));
            }
            d.insert("workflow".into(), origin);
            (Collection::Notes, d)
        }
        Generates::Appointment { kind } => {
            let mut d = Map::new();
            d.insert("date".into(), json!(date(now)));
            d.insert("kind".into(), json!(kind.as_str()));
            d.insert("note".into(), json!(format!("From workflow {}", e.name)));
            d.insert("workflow".into(), origin);
            (Collection::Appointments, d)
        }
    };
    let sub = SubRecord {
        id: seq.max(0) as u64,
        record_id: e.customer_id,
        collection,
        status: collection.initial_status().into(),
        created_at: rfc3339(now),
        created_by: by.clone(),
        data,
        version: 1,
    };
    Ok(vec![
        TxOp::Put { item: item_of(&sub.key(co), &sub, &[]), cond: Some(Condition::NotExists) },
        crate::customer_items::history_op(co, None, &sub, &sub.created_at, by),
    ])
}

/// A line of the customer's history for an enrollment event, in the event's transaction. Its sequence number sits
/// above those a field save uses (one per changed field), and the put is conditional, so an event never replaces
/// another entry written in the same millisecond.
pub(crate) fn history_op(co: &CompanyId, e: &Enrollment, at: &str, by: &UserId, event: String) -> TxOp {
    let entry = vigil_api::leads::HistoryEntry {
        at: at.to_owned(),
        by: by.to_string(),
        field: "workflow".into(),
        before: Value::Null,
        after: json!(format!("{} #{}: {event}", e.name, e.id)),
    };
    let seq = 9000 + (e.id.wrapping_mul(7).wrapping_add(e.version) % 1000) as u32;
    TxOp::Put {
        item: item_of(&keys::history(co, e.customer_id, at, seq), &entry, &[]),
        cond: Some(Condition::NotExists),
    }
}

/// An enum's JSON spelling (`in_progress`, `passed`), for history lines.
pub(crate) fn key_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
