//! Creating a customer: plain create from the wizard, and duplicating an existing one.

use super::edit::apply_body;
use super::load::{load_customer, target};
use super::view::get;
use crate::clock::rfc3339;
use crate::leads::{self, history_ops};
use crate::record_index::index_writes;
use crate::records::record_item;
use crate::{custom_fields, Actor, AppError, Services};
use serde_json::{json, Map, Value};
use vigil_api::customers::CustomerHome;
use vigil_domain::customer::section_of;
use vigil_domain::lead::FieldChange;
use vigil_domain::record::{Kind, LeadFields, Record, Stage};
use vigil_domain::{Action, CompanyId, FieldError, Invalid, RecordId, Resource, SectionAccess};
use vigil_store::{keys, Condition, StoreError, TxOp};

fn blank(kind: Kind, actor: &Actor, now: &str) -> Record {
    Record {
        id: RecordId(0),
        kind,
        stage: Stage::Converted,
        first_name: String::new(),
        last_name: String::new(),
        business_name: None,
        email: None,
        primary_phone: String::new(),
        address1: None,
        city: String::new(),
        state: String::new(),
        zip: None,
        office_location_id: None,
        source_id: None,
        campaign_id: None,
        disposition: None,
        rating: 0,
        tags: vec![],
        lead_rep_id: None,
        account_number: None,
        next_followup: None,
        created_at: now.to_owned(),
        created_by: actor.id().clone(),
        archived: false,
        version: 1,
        lead: LeadFields::default(),
    }
}

async fn next_id(svc: &Services, co: &CompanyId) -> Result<RecordId, AppError> {
    let id = svc.table.increment(&keys::record_sequence(co), 1).await?;
    Ok(RecordId(u64::try_from(id).map_err(|_| AppError::Internal("record sequence is negative".into()))?))
}

async fn insert(
    svc: &Services,
    actor: &Actor,
    mut record: Record,
    history: &str,
    extra: Vec<TxOp>,
) -> Result<RecordId, AppError> {
    let co = actor.company();
    if record.id.0 == 0 {
        record.id = next_id(svc, co).await?;
    }
    let mut ops = vec![TxOp::Put { item: record_item(co, &record), cond: Some(Condition::NotExists) }];
    ops.extend(extra);
    ops.extend(index_writes(co, None, Some(&record)));
    ops.extend(leads::dup_ops(co, None, Some(&record)));
    let created = FieldChange { field: "created".into(), before: Value::Null, after: json!(history) };
    ops.extend(history_ops(co, record.id, &record.created_at, actor.id().as_str(), &[created]));
    match svc.table.transact(ops).await {
        Ok(()) => Ok(record.id),
        Err(StoreError::ConditionFailed { .. }) => {
            Err(AppError::Conflict { message: "the new customer's ID was taken; try again".into(), current: None })
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/v1/customers`: the required Personal Information fields (first and last name, primary phone, city,
/// state, account type) and an office location; anything else the cards hold may come along. Unless
/// `allow_duplicates`, a customer with the same name, phone and address is a 409 listing it (the leads' rule).
pub async fn create(
    svc: &Services,
    actor: &Actor,
    body: &Map<String, Value>,
    allow_duplicates: bool,
) -> Result<CustomerHome, AppError> {
    actor.require_somewhere(Resource::Customers, Action::Create)?;
    let now = rfc3339(svc.clock.now());
    let base = blank(Kind::Customer, actor, &now);
    let mut errors = Vec::new();
    // Run ADT PreCheck: its fields are named with the form's, in the same 422.
    let mut body = body.clone();
    // A creation workflow's Information step is this create; its wizard starts in the same transaction.
    let workflow = match body.remove("creation_workflow_id").filter(|v| !v.is_null()) {
        Some(raw) => Some(
            crate::creation_workflows::startable(
                svc,
                actor,
                &raw,
                vigil_api::creation_workflows::CreationKind::CustomerCreate,
            )
            .await?,
        ),
        None => None,
    };
    let precheck = crate::monitoring::precheck::on_create(svc, actor.company(), &mut body, &mut errors).await?;
    let body = &body;
    for f in ["first_name", "last_name", "primary_phone", "city", "state", "account_type", "office_location_id"] {
        if body.get(f).is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty())) {
            errors.push(FieldError::required(f));
        }
    }
    leads::finish(errors)?;
    let denied: Vec<String> = body
        .keys()
        .filter(|k| section_of(k).is_some_and(|s| actor.user.permissions.section(s) < SectionAccess::Modify))
        .cloned()
        .collect();
    if !denied.is_empty() {
        return Err(AppError::Forbidden(format!("you do not have permission to set: {}", denied.join(", "))));
    }
    let (record, _, _) = apply_body(svc, actor, &base, body).await?;
    custom_fields::require_on_create(svc, actor.company(), &record).await?;
    actor.require(Resource::Customers, Action::Create, target(&record))?;
    if record.lead.customer.parent_id.is_some() {
        return Err(Invalid::one("parent_id", "invalid", "link a parent after the customer is created").into());
    }
    if !allow_duplicates {
        leads::refuse_duplicates(svc, actor, &record).await?;
    }
    // The ID comes first: the SSN is encrypted under it.
    let mut record = record;
    record.id = next_id(svc, actor.company()).await?;
    if body.get("ssn").and_then(Value::as_str).is_some() {
        let (again, _, _) = apply_body(svc, actor, &Record { id: record.id, ..base.clone() }, body).await?;
        record = again;
    }
    // With PreCheck Order Enabled, the PreCheck's job commits with the customer (the transactional outbox).
    let extra = match precheck.filter(|m| m.precheck_order_enabled) {
        Some(m) => crate::monitoring::precheck::start_ops(actor.company(), record.id, m.id, &now, None)?,
        None => Vec::new(),
    };
    let mut extra = extra;
    if let Some(w) = &workflow {
        extra.extend(crate::creation_workflows::start_ops(svc, actor, &record, w).await?);
    }
    let id = insert(svc, actor, record.clone(), &record.display_name(), extra).await?;
    tracing::info!(company = %actor.company(), customer = id.0, "customer created");
    if let Some(w) = &workflow {
        crate::creation_workflows::after_create(svc, actor, id, w).await?;
    }
    get(svc, actor, id).await
}

/// `POST /api/v1/customers/{id}/duplicate`: a new customer that starts as a copy, without SSN, history, children,
/// parent, account number, tags or sub-records.
pub async fn duplicate(svc: &Services, actor: &Actor, id: RecordId) -> Result<CustomerHome, AppError> {
    let src = load_customer(svc, actor, id).await?;
    actor.require(Resource::Customers, Action::Create, target(&src))?;
    let now = rfc3339(svc.clock.now());
    let mut copy = src.clone();
    copy.id = RecordId(0);
    copy.created_at = now.clone();
    copy.created_by = actor.id().clone();
    copy.version = 1;
    copy.archived = false;
    copy.tags = vec![];
    copy.account_number = None;
    copy.lead.ssn_encrypted = None;
    copy.lead.ssn_last4_index = None;
    copy.lead.updated_at = None;
    copy.lead.updated_by = None;
    let c = &mut copy.lead.customer;
    c.parent_id = None;
    c.archived_at = None;
    c.converted_at = None;
    c.converted_by = None;
    crate::mmr::for_duplicate(svc, actor.company(), c).await?;
    let new_id = insert(svc, actor, copy, &format!("duplicated from #{id}"), Vec::new()).await?;
    get(svc, actor, new_id).await
}
