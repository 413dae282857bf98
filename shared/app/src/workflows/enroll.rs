//! The Workflows tab: a customer's enrollments, and starting one (New Workflow › Manage Workflows › Start).

use super::stored::{
    counters_op, customer, customer_state, definition, history_op, may_create, target, Enrollment, StoredDefinition,
};
use crate::clock::rfc3339;
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::{json, Value};
use vigil_api::workflows::{CustomerWorkflows, EnrollmentSummary, NewEnrollment};
use vigil_domain::record::Record;
use vigil_domain::workflow::{EnrollmentStatus, Lang, StepState};
use vigil_domain::{Action, CompanyId, FieldError, RecordId, Resource, UserId};
use vigil_store::{keys, Condition, StoreError, TxOp};

/// `GET /api/v1/customers/{id}/workflows`: ordered by status (pending, in progress, completed, failed), then ID.
pub async fn list_enrollments(svc: &Services, actor: &Actor, id: RecordId) -> Result<CustomerWorkflows, AppError> {
    let r = customer(svc, actor, id).await?;
    let mut all = customer_state(svc, actor.company(), id).await?.enrollments;
    all.sort_by_key(|e| (e.status, e.id));
    Ok(CustomerWorkflows {
        items: all.iter().map(Enrollment::summary).collect(),
        can_start: may_create(actor, &r) && !r.archived,
    })
}

/// `POST /api/v1/customers/{id}/workflows {workflow_id, language}`: needs Customer Workflows Create on the
/// customer's location; an open enrollment in the same workflow is a 409 carrying it.
pub async fn start(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    body: &NewEnrollment,
) -> Result<EnrollmentSummary, AppError> {
    let r = customer(svc, actor, id).await?;
    actor.require(Resource::CustomerWorkflows, Action::Create, target(&r))?;
    crate::customers::writable(&r)?;
    let co = actor.company();
    let def = match definition(svc, co, body.workflow_id).await {
        Ok(d) if d.def.active => d,
        Ok(_) | Err(AppError::NotFound(_)) => {
            return Err(AppError::from_field(FieldError::new(
                "workflow_id",
                "not_found",
                "choose one of the active workflows",
            )))
        }
        Err(e) => return Err(e),
    };
    let language = match &body.language {
        None => def
            .def
            .languages
            .first()
            .cloned()
            .ok_or_else(|| AppError::Internal("a workflow without languages".into()))?,
        Some(l) if def.def.languages.contains(l) => l.clone(),
        Some(_) => {
            return Err(AppError::from_field(FieldError::new(
                "language",
                "invalid",
                "choose one of the workflow's languages",
            )))
        }
    };
    let e = new_enrollment(svc, co, id, &def, language, actor.id()).await?;
    let mut ops = vec![TxOp::Check {
        key: keys::record(co, id),
        cond: Condition::AttrEquals("archived".into(), Value::Bool(false)),
    }];
    ops.extend(enroll_ops(co, &e)?);
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { op: Some(n), .. }) if n == 1 + OPEN_OP => {
            let existing = match svc.table.get(&keys::open_enrollment(co, id, def.id)).await? {
                Some(item) => item.get("enrollment_id").and_then(Value::as_u64),
                None => None,
            };
            let current = match existing {
                Some(x) => {
                    svc.table.get(&keys::enrollment(co, id, x)).await?.map(from_item::<Enrollment>).transpose()?
                }
                None => None,
            };
            return Err(AppError::Conflict {
                message: "this customer is already enrolled in this workflow; open the existing enrollment".into(),
                current: current.and_then(|c| serde_json::to_value(c.summary()).ok()),
            });
        }
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(AppError::Conflict { message: crate::customers::ARCHIVED.into(), current: None })
        }
        Err(err) => return Err(err.into()),
    }
    tracing::info!(company = %co, customer = %id, enrollment = e.id, workflow = def.id, "workflow started");
    super::recheck(svc, co, id, actor.id()).await;
    let stored = svc.table.get(&e.key(co)).await?.map(from_item::<Enrollment>).transpose()?.unwrap_or(e);
    Ok(stored.summary())
}

/// A pending enrollment of `customer` in the current version of `def`, numbered from the company's sequence (a
/// transaction that then fails leaves that number unused).
async fn new_enrollment(
    svc: &Services,
    co: &CompanyId,
    customer: RecordId,
    def: &StoredDefinition,
    language: Lang,
    by: &UserId,
) -> Result<Enrollment, AppError> {
    let eid = svc.table.increment(&keys::enrollment_sequence(co), 1).await?.max(0) as u64;
    Ok(Enrollment {
        id: eid,
        customer_id: customer,
        workflow_id: def.id,
        workflow_version: def.version,
        name: def.def.name.clone(),
        language,
        status: EnrollmentStatus::Pending,
        warning: false,
        steps: (1..=def.def.steps.len() as u32).map(StepState::fresh).collect(),
        started_at: rfc3339(svc.clock.now()),
        started_by: by.clone(),
        version: 1,
    })
}

/// Index of the open-enrollment item in [`enroll_ops`]: its condition failing means the customer is already enrolled.
pub(crate) const OPEN_OP: usize = 0;

/// What enrolling writes, for the caller's transaction: the open-enrollment item (its condition refuses a second
/// open enrollment in the same workflow), the enrollment, its company lookup, the tab counters, a history line and
/// the outbox job that re-checks automatic steps. It names no item of the record itself, so a caller that writes the
/// record in the same transaction (the creation wizard's Finish) can append it.
pub(crate) fn enroll_ops(co: &CompanyId, e: &Enrollment) -> Result<Vec<TxOp>, AppError> {
    let id = e.customer_id;
    Ok(vec![
        TxOp::Put {
            item: item_of(&keys::open_enrollment(co, id, e.workflow_id), &json!({"enrollment_id": e.id}), &[]),
            cond: Some(Condition::NotExists),
        },
        TxOp::Put { item: e.item(co), cond: Some(Condition::NotExists) },
        TxOp::Put {
            item: item_of(&keys::enrollment_lookup(co, e.id), &json!({"customer_id": id}), &[]),
            cond: Some(Condition::NotExists),
        },
        counters_op(co, id, 1, 0),
        history_op(co, e, &e.started_at, &e.started_by, "started".into()),
        // Automatic steps whose requirement already holds complete: right after the commit, and by this job should
        // the process end first.
        crate::jobs::pending(
            co,
            format!("workflow-recheck:{id}:enroll{}", e.id),
            crate::jobs::Job::RecheckWorkflows { company: co.clone(), customer: id, by: e.started_by.clone() },
        )?,
    ])
}

/// The enrollment a creation workflow's Finish adds to its own transaction, decided before that transaction is
/// built: `None` when the caller may not enroll `r` (Customer Workflows Create on its location), the workflow is gone
/// or inactive, or `r` already has an open enrollment in it. `r` may be a customer not yet stored (a one-step wizard
/// finishes with its create).
pub(crate) async fn finish_enrollment(
    svc: &Services,
    actor: &Actor,
    r: &Record,
    workflow_id: u32,
) -> Result<Option<Enrollment>, AppError> {
    let co = actor.company();
    if !may_create(actor, r) || r.archived {
        return Ok(None);
    }
    let def = match definition(svc, co, workflow_id).await {
        Ok(d) if d.def.active => d,
        Ok(_) | Err(AppError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    if svc.table.get(&keys::open_enrollment(co, r.id, workflow_id)).await?.is_some() {
        return Ok(None);
    }
    let Some(language) = def.def.languages.first().cloned() else { return Ok(None) };
    new_enrollment(svc, co, r.id, &def, language, actor.id()).await.map(Some)
}
