//! Creation workflows (admin: Catalogs): the guided paths behind **+ New Customer**, **+ New Lead** and **Convert to
//! Customer** (`/api/v1/settings/creation-workflows`), the list the split buttons offer the caller, and what a
//! workflow adds to the plain create, lead create and convert. The customer wizard's stored progress is [`wizard`].
//!
//! A workflow is one company item with a `version`. Its steps are not stored: they follow from its type, fixed as
//! the manual's table has them, so a stored workflow can never disagree with the wizard the portal runs.

pub mod wizard;

use crate::items::{from_item, item_of};
use crate::{custom_fields, monitoring, Actor, AppError, Services};
use serde_json::{Map, Value};
use vigil_api::creation_workflows::{CreationKind, CreationType, CreationWorkflow, CreationWorkflowForm, WizardStep};
use vigil_api::customers::Convert;
use vigil_domain::custom_field::CustomField;
use vigil_domain::record::Record;
use vigil_domain::sorted::SortedMap;
use vigil_domain::{Action, CompanyId, FieldError, Invalid, Resource, Role};
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError};

pub use wizard::{advance, after_create, get_wizard, start_ops, state};

const STALE: &str = "another admin changed this creation workflow; review it and try again";
const NAME_MAX: usize = 100;
/// More than a first step can sensibly pull to its top.
const FIELDS_MAX: usize = 20;

fn workflow_item(co: &CompanyId, w: &CreationWorkflow) -> vigil_store::Item {
    item_of(&keys::creation_workflow(co, w.id), w, &[])
}

/// The steps of a workflow: its type's for customer-create, the one Information step for the lead ones.
pub fn steps_of(kind: CreationKind, t: Option<CreationType>) -> Vec<WizardStep> {
    match (kind, t) {
        (CreationKind::CustomerCreate, Some(t)) => t.steps().to_vec(),
        _ => vec![WizardStep::Information],
    }
}

/// Every creation workflow of the company, by ID.
pub async fn all(svc: &Services, co: &CompanyId) -> Result<Vec<CreationWorkflow>, AppError> {
    let q =
        Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(keys::CREATION_WORKFLOW_PREFIX.into()));
    svc.table.query_all(&q).await?.into_iter().map(from_item).collect()
}

pub(crate) async fn load(svc: &Services, co: &CompanyId, id: u32) -> Result<Option<CreationWorkflow>, AppError> {
    match svc.table.get(&keys::creation_workflow(co, id)).await? {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}

/// `GET /api/v1/settings/creation-workflows`.
pub async fn list(svc: &Services, actor: &Actor) -> Result<Vec<CreationWorkflow>, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::View)?;
    all(svc, actor.company()).await
}

/// `GET /api/v1/settings/creation-workflows/{id}`.
pub async fn get(svc: &Services, actor: &Actor, id: u32) -> Result<CreationWorkflow, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::View)?;
    load(svc, actor.company(), id).await?.ok_or(AppError::NotFound("creation workflow"))
}

/// Whether `actor` may start `w` now: active, a role it names (or every role), the permission its kind needs, an
/// active ADT monitoring company for `adt`, and for lead-create an active custom field to show.
fn may_start(actor: &Actor, w: &CreationWorkflow, fields: &[CustomField], adt: bool) -> bool {
    let perms = &actor.user.permissions;
    let role = w.roles.is_empty() || w.roles.contains(&actor.user.role);
    let allowed = match w.kind {
        CreationKind::CustomerCreate => perms.allows_somewhere(Resource::Customers, Action::Create),
        CreationKind::LeadCreate => {
            perms.allows_somewhere(Resource::Leads, Action::Create)
                && w.custom_field_ids.iter().any(|id| fields.iter().any(|f| f.id == *id && f.active))
        }
        CreationKind::LeadConversion => {
            perms.allows_somewhere(Resource::Leads, Action::Modify)
                && perms.allows_somewhere(Resource::Customers, Action::Create)
        }
    };
    w.active && role && allowed && (w.creation_type != Some(CreationType::Adt) || adt)
}

/// `GET /api/v1/creation-workflows`: what the split buttons list for the caller.
pub async fn available(svc: &Services, actor: &Actor) -> Result<Vec<CreationWorkflow>, AppError> {
    let co = actor.company();
    let fields = custom_fields::all(svc, co).await?;
    let adt = !monitoring::active_adt(svc, co).await?.is_empty();
    Ok(all(svc, co).await?.into_iter().filter(|w| may_start(actor, w, &fields, adt)).collect())
}

fn name_of(raw: Option<&String>) -> Result<Option<String>, FieldError> {
    match raw.map(|s| s.trim()) {
        None => Ok(None),
        Some("") => Err(FieldError::required("name")),
        Some(s) if s.chars().count() > NAME_MAX => Err(FieldError::new("name", "too_long", "at most 100 characters")),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

/// The roles named in a form; an unknown name is a problem naming `roles`.
fn roles_of(raw: &[String], errors: &mut Vec<FieldError>) -> Vec<Role> {
    let mut out = Vec::with_capacity(raw.len());
    for name in raw {
        match Role::ALL.into_iter().find(|r| r.as_str() == name.trim()) {
            Some(r) if !out.contains(&r) => out.push(r),
            Some(_) => {}
            None => errors.push(FieldError::new("roles", "unknown", "choose roles of the company's users")),
        }
    }
    out
}

/// The checks a saved workflow must pass, create and update alike. A newly chosen enrollment target must be active
/// (one deactivated later stays named: the Finish then enrolls no one).
async fn check(
    svc: &Services,
    co: &CompanyId,
    w: &CreationWorkflow,
    enroll_changed: bool,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    match (w.kind, w.creation_type) {
        (CreationKind::CustomerCreate, None) => errors.push(FieldError::required("type")),
        (CreationKind::CustomerCreate, Some(CreationType::Adt)) => {
            if monitoring::active_adt(svc, co).await?.is_empty() {
                errors.push(FieldError::new(
                    "type",
                    "no_adt",
                    "an ADT workflow needs an active ADT monitoring company",
                ));
            }
        }
        (CreationKind::CustomerCreate, Some(_)) => {}
        (_, Some(_)) => errors.push(FieldError::new("type", "invalid", "only customer-create workflows have a type")),
        (_, None) => {}
    }
    let fields = custom_fields::all(svc, co).await?;
    if w.custom_field_ids.len() > FIELDS_MAX {
        errors.push(FieldError::new("custom_field_ids", "too_many", "at most 20 custom fields"));
    }
    for id in &w.custom_field_ids {
        if !fields.iter().any(|f| f.id == *id && f.active) {
            errors.push(FieldError::new(
                "custom_field_ids",
                "unknown",
                format!("there is no active custom field {id}"),
            ));
        }
    }
    if w.optional_custom_field_ids.iter().any(|id| !w.custom_field_ids.contains(id)) {
        errors.push(FieldError::new(
            "optional_custom_field_ids",
            "not_listed",
            "only fields the workflow shows can be optional",
        ));
    }
    if w.kind == CreationKind::LeadCreate && w.custom_field_ids.is_empty() {
        errors.push(FieldError::new(
            "custom_field_ids",
            "required",
            "a lead-create workflow shows at least one custom field",
        ));
    }
    if let Some(id) = w.enroll_workflow_id {
        if w.kind != CreationKind::CustomerCreate {
            errors.push(FieldError::new(
                "enroll_workflow_id",
                "invalid",
                "only a customer-create workflow enrolls the new customer",
            ));
        } else {
            match svc.table.get(&keys::workflow(co, id)).await? {
                None => errors.push(FieldError::new(
                    "enroll_workflow_id",
                    "not_found",
                    "choose one of the customer workflows",
                )),
                Some(item) if enroll_changed && item.get("active").and_then(Value::as_bool) != Some(true) => errors
                    .push(FieldError::new(
                        "enroll_workflow_id",
                        "inactive",
                        "choose one of the active customer workflows",
                    )),
                Some(_) => {}
            }
        }
    }
    Ok(())
}

fn dedup(ids: Vec<u32>) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// `POST /api/v1/settings/creation-workflows`.
pub async fn create(svc: &Services, actor: &Actor, form: CreationWorkflowForm) -> Result<CreationWorkflow, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Create)?;
    let co = actor.company();
    let mut errors = Vec::new();
    let name = match name_of(form.name.as_ref()) {
        Ok(Some(n)) => n,
        Ok(None) => {
            errors.push(FieldError::required("name"));
            String::new()
        }
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    let Some(kind) = form.kind else {
        errors.push(FieldError::required("kind"));
        return Err(Invalid { errors }.into());
    };
    let mut w = CreationWorkflow {
        id: 0,
        name,
        active: form.active.unwrap_or(true),
        kind,
        creation_type: form.creation_type,
        steps: steps_of(kind, form.creation_type),
        custom_field_ids: dedup(form.custom_field_ids.unwrap_or_default()),
        optional_custom_field_ids: dedup(form.optional_custom_field_ids.unwrap_or_default()),
        roles: roles_of(form.roles.as_deref().unwrap_or_default(), &mut errors),
        enroll_workflow_id: form.enroll_workflow_id.filter(|i| *i > 0),
        version: 1,
    };
    check(svc, co, &w, w.enroll_workflow_id.is_some(), &mut errors).await?;
    if !errors.is_empty() {
        return Err(Invalid { errors }.into());
    }
    let seq = svc.table.increment(&keys::creation_workflow_sequence(co), 1).await?;
    w.id = u32::try_from(seq).map_err(|_| AppError::Internal("creation workflow sequence overflow".into()))?;
    svc.table.put(workflow_item(co, &w), Some(Condition::NotExists)).await?;
    tracing::info!(company = %co, creation_workflow = w.id, "creation workflow created");
    Ok(w)
}

/// `PATCH /api/v1/settings/creation-workflows/{id}`: `kind` and `type` stay as created.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: u32,
    form: CreationWorkflowForm,
) -> Result<CreationWorkflow, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let co = actor.company();
    let version = form.version.ok_or_else(|| AppError::from_field(FieldError::required("version")))?;
    let current = load(svc, co, id).await?.ok_or(AppError::NotFound("creation workflow"))?;
    if version != current.version {
        return Err(AppError::Conflict { message: STALE.into(), current: serde_json::to_value(&current).ok() });
    }
    let mut errors = Vec::new();
    if form.kind.is_some_and(|k| k != current.kind) {
        errors.push(FieldError::new("kind", "fixed", "a workflow's kind is fixed when it is created"));
    }
    if form.creation_type.is_some() && form.creation_type != current.creation_type {
        errors.push(FieldError::new("type", "fixed", "a workflow's type is fixed when it is created"));
    }
    let mut next = current.clone();
    match name_of(form.name.as_ref()) {
        Ok(Some(n)) => next.name = n,
        Ok(None) => {}
        Err(e) => errors.push(e),
    }
    next.active = form.active.unwrap_or(next.active);
    if let Some(ids) = form.custom_field_ids {
        next.custom_field_ids = dedup(ids);
    }
    if let Some(ids) = form.optional_custom_field_ids {
        next.optional_custom_field_ids = dedup(ids);
    }
    if let Some(roles) = &form.roles {
        next.roles = roles_of(roles, &mut errors);
    }
    if let Some(e) = form.enroll_workflow_id {
        next.enroll_workflow_id = (e > 0).then_some(e);
    }
    next.steps = steps_of(next.kind, next.creation_type);
    // Retiring a workflow needs no checks: an ADT one must stay retirable after the ADT company is gone.
    let enroll_changed = next.enroll_workflow_id.is_some() && next.enroll_workflow_id != current.enroll_workflow_id;
    if next.active || next.custom_field_ids != current.custom_field_ids || enroll_changed {
        check(svc, co, &next, enroll_changed, &mut errors).await?;
    }
    if !errors.is_empty() {
        return Err(Invalid { errors }.into());
    }
    next.version = current.version + 1;
    match svc.table.put(workflow_item(co, &next), Some(Condition::VersionIs(current.version))).await {
        Ok(()) => Ok(next),
        Err(StoreError::ConditionFailed { .. }) => Err(AppError::Conflict { message: STALE.into(), current: None }),
        Err(e) => Err(e.into()),
    }
}

/// The workflow a create or convert names, if it is one the caller may start of `kind`; otherwise a 422 naming
/// `creation_workflow_id`.
pub(crate) async fn startable(
    svc: &Services,
    actor: &Actor,
    raw: &Value,
    kind: CreationKind,
) -> Result<CreationWorkflow, AppError> {
    let bad = || {
        AppError::from_field(FieldError::new("creation_workflow_id", "invalid", "choose one of the workflows offered"))
    };
    let id = raw.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0).ok_or_else(bad)?;
    let co = actor.company();
    let w = load(svc, co, id).await?.ok_or_else(bad)?;
    let fields = custom_fields::all(svc, co).await?;
    let adt = !monitoring::active_adt(svc, co).await?.is_empty();
    if w.kind != kind || !may_start(actor, &w, &fields, adt) {
        return Err(bad());
    }
    Ok(w)
}

/// The workflow's custom fields it requires (a lead workflow captures each of them but the optional ones).
fn required_fields(w: &CreationWorkflow, fields: &[CustomField]) -> Vec<CustomField> {
    w.custom_field_ids
        .iter()
        .filter(|id| !w.optional_custom_field_ids.contains(id))
        .filter_map(|id| fields.iter().find(|f| f.id == *id && f.active))
        .map(|f| CustomField { required: true, ..f.clone() })
        .collect()
}

/// `POST /api/v1/leads` with `creation_workflow_id`: the form without it, once each of the workflow's custom fields
/// has a value in `custom_fields` (the plain form's own rules still apply after this).
pub async fn lead_create_form(
    svc: &Services,
    actor: &Actor,
    form: &Map<String, Value>,
) -> Result<Map<String, Value>, AppError> {
    let mut form = form.clone();
    let Some(raw) = form.remove("creation_workflow_id") else { return Ok(form) };
    if raw.is_null() {
        return Ok(form);
    }
    let w = startable(svc, actor, &raw, CreationKind::LeadCreate).await?;
    let fields = custom_fields::all(svc, actor.company()).await?;
    let values = match form.get("custom_fields") {
        Some(sent) => match custom_fields::apply(svc, actor.company(), &SortedMap::new(), sent).await? {
            Ok(v) => v,
            // The plain create reports these with the form's own problems.
            Err(_) => return Ok(form),
        },
        None => SortedMap::new(),
    };
    let missing = vigil_domain::custom_field::missing_required(&required_fields(&w, &fields), &values);
    if !missing.is_empty() {
        return Err(Invalid { errors: missing }.into());
    }
    Ok(form)
}

/// Converting through a lead-conversion workflow: the lead's custom field values with the sent ones applied, once
/// every field the workflow captures has one; `None` for a plain convert. Problems are added to `errors`.
pub(crate) async fn conversion_fields(
    svc: &Services,
    actor: &Actor,
    lead: &Record,
    input: &Convert,
    errors: &mut Vec<FieldError>,
) -> Result<Option<SortedMap<String, Value>>, AppError> {
    let Some(id) = input.creation_workflow_id else { return Ok(None) };
    let w = startable(svc, actor, &Value::from(id), CreationKind::LeadConversion).await?;
    let co = actor.company();
    let current = &lead.lead.customer.custom_fields;
    let values = match &input.custom_fields {
        Some(sent) => match custom_fields::apply(svc, co, current, sent).await? {
            Ok(v) => v,
            Err(e) => {
                errors.extend(e);
                return Ok(None);
            }
        },
        None => current.clone(),
    };
    let fields = custom_fields::all(svc, co).await?;
    errors.extend(vigil_domain::custom_field::missing_required(&required_fields(&w, &fields), &values));
    Ok(Some(values))
}

/// The first demo company's creation workflows: one of each customer-create type, a lead-create one asking for the
/// gate code and a lead-conversion one asking for the panel location (the demo custom fields 1 and 3).
pub fn demo_items(co: &CompanyId) -> Vec<vigil_store::Item> {
    let customer = |id: u32, name: &str, t: CreationType| CreationWorkflow {
        id,
        name: name.into(),
        active: true,
        kind: CreationKind::CustomerCreate,
        creation_type: Some(t),
        steps: steps_of(CreationKind::CustomerCreate, Some(t)),
        custom_field_ids: vec![],
        optional_custom_field_ids: vec![],
        roles: vec![],
        enroll_workflow_id: None,
        version: 1,
    };
    let lead = |id: u32, name: &str, kind: CreationKind, field: u32| CreationWorkflow {
        id,
        name: name.into(),
        active: true,
        kind,
        creation_type: None,
        steps: steps_of(kind, None),
        custom_field_ids: vec![field],
        optional_custom_field_ids: vec![],
        roles: vec![],
        enroll_workflow_id: None,
        version: 1,
    };
    let flows = [
        customer(1, "Standard", CreationType::Standard),
        customer(2, "Single Page", CreationType::SinglePage),
        customer(3, "Simple Sales", CreationType::SimpleSales),
        customer(4, "Smart Sales", CreationType::SmartSales),
        customer(5, "ADT Sale", CreationType::Adt),
        lead(6, "Trade Show Capture", CreationKind::LeadCreate, 1),
        lead(7, "Install-Ready Conversion", CreationKind::LeadConversion, 3),
    ];
    let mut items: Vec<vigil_store::Item> = flows.iter().map(|w| workflow_item(co, w)).collect();
    let mut seq = keys::creation_workflow_sequence(co).to_item();
    seq.insert("value".into(), serde_json::json!(flows.len()));
    items.push(seq);
    items
}
