//! Applying a check to its customer (the active credit check), and a score entered by hand.

use super::{bureau_name, run::stored_checks, StoredCheck, MANUAL};
use crate::clock::rfc3339;
use crate::customers::{bump, commit, conflict, get, load_customer, save_ops, target, writable, CustomerHome};
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::{json, Value};
use vigil_api::credit::{ApplyCredit, CreditCheck, CreditStatus, ManualCredit};
use vigil_domain::customer::credit_grade;
use vigil_domain::lead::FieldChange;
use vigil_domain::record::Record;
use vigil_domain::{Action, FieldError, Invalid, RecordId, Resource};
use vigil_store::{keys, Condition, TxOp};

/// The customer for an apply: loaded, the caller allowed to run credit and modify it, the version current.
async fn customer_for(
    svc: &Services,
    actor: &Actor,
    customer_id: RecordId,
    version: Option<u64>,
) -> Result<Record, AppError> {
    let version = version.ok_or_else(|| AppError::from(Invalid::from(FieldError::required("version"))))?;
    let customer = load_customer(svc, actor, customer_id).await?;
    actor.require(Resource::CreditReports, Action::Create, target(&customer))?;
    actor.require(Resource::Customers, Action::Modify, target(&customer))?;
    writable(&customer)?;
    if version != customer.version {
        return Err(conflict(svc, actor, customer_id).await);
    }
    Ok(customer)
}

/// The writes that make `check` the customer's active one: the customer's score and tracking number (with its
/// version, index and history), the check marked applied, and any previously applied check unmarked.
async fn apply_ops(
    svc: &Services,
    actor: &Actor,
    customer: &Record,
    check: &CreditCheck,
    check_cond: Option<Condition>,
) -> Result<Vec<TxOp>, AppError> {
    let co = actor.company();
    let now = rfc3339(svc.clock.now());
    let mut new = customer.clone();
    new.lead.customer.credit_score = check.score;
    new.lead.customer.credit_tracking_number = check.transaction_id.clone();
    let c = &customer.lead.customer;
    let mut changes = Vec::new();
    if c.credit_score != check.score {
        changes.push(FieldChange {
            field: "credit_score".into(),
            before: json!(c.credit_score),
            after: json!(check.score),
        });
    }
    if c.credit_tracking_number != check.transaction_id {
        changes.push(FieldChange {
            field: "credit_tracking_number".into(),
            before: json!(c.credit_tracking_number),
            after: json!(check.transaction_id),
        });
    }
    changes.push(FieldChange { field: "credit_check_applied".into(), before: Value::Null, after: json!(check.id) });
    bump(&mut new, customer, &now, actor.id());
    let mut ops = save_ops(co, customer, &new, &now, actor.id(), &changes);
    let mut applied = StoredCheck { view: check.clone(), pull_started_at: None, pulls: 0 };
    for other in stored_checks(svc, co, customer.id).await? {
        if other.view.id == check.id {
            applied = other;
        } else if other.view.applied {
            let mut off = other.clone();
            off.view.applied = false;
            off.view.version += 1;
            ops.push(TxOp::Put {
                item: item_of(&keys::credit_check(co, customer.id, off.view.id), &off, &[]),
                cond: Some(Condition::VersionIs(other.view.version)),
            });
        }
    }
    applied.view = check.clone();
    applied.view.applied = true;
    applied.view.version = check.version + 1;
    ops.push(TxOp::Put {
        item: item_of(&keys::credit_check(co, customer.id, check.id), &applied, &[]),
        cond: check_cond,
    });
    Ok(ops)
}

/// `POST /api/v1/credit-checks/{id}/apply`.
pub async fn apply(svc: &Services, actor: &Actor, check_id: u64, input: ApplyCredit) -> Result<CustomerHome, AppError> {
    let co = actor.company();
    let lookup =
        svc.table.get(&keys::credit_check_lookup(co, check_id)).await?.ok_or(AppError::NotFound("credit check"))?;
    let customer_id =
        RecordId(lookup.get("customer_id").and_then(Value::as_u64).ok_or(AppError::NotFound("credit check"))?);
    let customer = customer_for(svc, actor, customer_id, input.version).await?;
    let item = svc
        .table
        .get(&keys::credit_check(co, customer_id, check_id))
        .await?
        .ok_or(AppError::NotFound("credit check"))?;
    let check = from_item::<StoredCheck>(item)?.view;
    if check.status != CreditStatus::Completed {
        return Err(AppError::from_field(FieldError::new(
            "id",
            "not_completed",
            "only a completed credit check (with a score) can be applied",
        )));
    }
    if check.applied {
        return get(svc, actor, customer_id).await;
    }
    let cond = Some(Condition::VersionIs(check.version));
    let ops = apply_ops(svc, actor, &customer, &check, cond).await?;
    commit(svc, actor, customer_id, ops).await?;
    tracing::info!(company = %co, customer = customer_id.0, check = check_id, "credit check applied");
    get(svc, actor, customer_id).await
}

/// `POST /api/v1/customers/{id}/credit-checks/manual`: a completed `manual` check, applied in the same transaction.
pub async fn enter_manual(
    svc: &Services,
    actor: &Actor,
    customer_id: RecordId,
    input: ManualCredit,
) -> Result<CustomerHome, AppError> {
    let co = actor.company().clone();
    let mut errors = Vec::new();
    let score = match input.score {
        Some(s) if (300..=900).contains(&s) => Some(s),
        Some(_) => {
            errors.push(FieldError::new("score", "out_of_range", "a credit score is between 300 and 900"));
            None
        }
        None => {
            errors.push(FieldError::required("score"));
            None
        }
    };
    let tracking = input.transaction_id.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    if tracking.as_ref().is_some_and(|t| t.chars().count() > 64) {
        errors.push(FieldError::new("transaction_id", "too_long", "at most 64 characters"));
    }
    if !errors.is_empty() {
        return Err(Invalid { errors }.into());
    }
    let customer = customer_for(svc, actor, customer_id, input.version).await?;
    let seq = svc.table.increment(&keys::credit_check_sequence(&co), 1).await?;
    let id = u64::try_from(seq).map_err(|_| AppError::Internal("credit check sequence is negative".into()))?;
    let now = rfc3339(svc.clock.now());
    let check = CreditCheck {
        id,
        customer_id,
        bureau: MANUAL.into(),
        bureau_name: bureau_name(MANUAL),
        status: CreditStatus::Completed,
        score,
        grade: score.map(|s| credit_grade(s).to_owned()),
        transaction_id: tracking,
        run_at: Some(now.clone()),
        reason: None,
        applied: false,
        requested_at: now,
        requested_by: actor.id().to_string(),
        previous_address: None,
        version: 0,
    };
    let mut ops = apply_ops(svc, actor, &customer, &check, Some(Condition::NotExists)).await?;
    let mut lookup = keys::credit_check_lookup(&co, id).to_item();
    lookup.insert("customer_id".into(), json!(customer_id.0));
    ops.push(TxOp::Put { item: lookup, cond: Some(Condition::NotExists) });
    commit(svc, actor, customer_id, ops).await?;
    tracing::info!(company = %co, customer = customer_id.0, check = id, "credit score entered");
    get(svc, actor, customer_id).await
}
