//! User-defined fields (UDFs): the definitions admins manage under Settings (`/api/v1/settings/custom-fields`),
//! the values saved with a customer or a lead (`custom_fields` on `PATCH`/`POST /api/v1/customers` and
//! `/api/v1/leads`), and the Custom Fields card of the Home page and the lead page. Parsing and validation are the
//! pure `vigil_domain::custom_field`.
//!
//! Who may do what: anyone who may view customers or leads lists the definitions (the Home page renders the card
//! from them); only Company Settings Modify (admins) changes them. Values are not under a section grant: whoever may
//! view the record sees them, and whoever may modify it (Customers Modify, or Leads Modify for a lead) changes them
//! — the card is its own section, kept simple on purpose.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use vigil_domain::custom_field::{self as udf, CardField, CustomField, FieldType};
use vigil_domain::record::Record;
use vigil_domain::{Action, CompanyId, FieldError, Invalid, Resource};
use vigil_store::{keys, Condition, Index, Item, Query, SortCond, StoreError};

pub const STALE: &str = "another admin changed this custom field; review their change and try again";

pub fn field_item(co: &CompanyId, f: &CustomField) -> Item {
    item_of(&keys::custom_field(co, f.id), f, &[])
}

/// Every definition of the company, active or not, in display order (a company has tens, not thousands).
pub async fn all(svc: &Services, co: &CompanyId) -> Result<Vec<CustomField>, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(keys::CUSTOM_FIELD_PREFIX.into()));
    let mut out = svc.table.query_all(&q).await?.into_iter().map(from_item).collect::<Result<Vec<_>, _>>()?;
    udf::sort(&mut out);
    Ok(out)
}

/// `GET /api/v1/settings/custom-fields`.
pub async fn list(svc: &Services, actor: &Actor) -> Result<Vec<CustomField>, AppError> {
    let perms = &actor.user.permissions;
    if !perms.allows_somewhere(Resource::Customers, Action::View)
        && !perms.allows_somewhere(Resource::Leads, Action::View)
    {
        return Err(AppError::Forbidden("you do not have the View Customers or View Leads permission".into()));
    }
    all(svc, actor.company()).await
}

fn name_taken(fields: &[CustomField], name: &str, except: Option<u32>) -> Result<(), AppError> {
    let folded = name.to_lowercase();
    if fields.iter().any(|f| Some(f.id) != except && f.name.to_lowercase() == folded) {
        return Err(Invalid::one("name", "taken", format!("a custom field named \"{name}\" exists already")).into());
    }
    Ok(())
}

/// `POST /api/v1/settings/custom-fields`: a new definition, active, placed last.
pub async fn create(svc: &Services, actor: &Actor, body: &Map<String, Value>) -> Result<CustomField, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let new = udf::parse_new(body)?;
    let co = actor.company();
    let existing = all(svc, co).await?;
    name_taken(&existing, &new.name, None)?;
    let seq = svc.table.increment(&keys::custom_field_sequence(co), 1).await?;
    let id = u32::try_from(seq).map_err(|_| AppError::Internal("custom field sequence overflow".into()))?;
    let position = existing.iter().map(|f| f.position + 1).max().unwrap_or(1).min(udf::POSITION_MAX);
    let field = CustomField {
        id,
        name: new.name,
        field_type: new.field_type,
        required: new.required,
        options: new.options,
        active: true,
        position,
        version: 1,
    };
    match svc.table.put(field_item(co, &field), Some(Condition::NotExists)).await {
        Ok(()) => {
            tracing::info!(company = %co, custom_field = id, "custom field created");
            Ok(field)
        }
        Err(StoreError::ConditionFailed { .. }) => {
            Err(AppError::Conflict { message: "the custom field's ID was taken; try again".into(), current: None })
        }
        Err(e) => Err(e.into()),
    }
}

async fn load(svc: &Services, co: &CompanyId, id: u32) -> Result<CustomField, AppError> {
    let item = svc.table.get(&keys::custom_field(co, id)).await?.ok_or(AppError::NotFound("custom field"))?;
    from_item(item)
}

fn stale(current: &CustomField) -> AppError {
    AppError::Conflict { message: STALE.into(), current: serde_json::to_value(current).ok() }
}

/// `PATCH /api/v1/settings/custom-fields/{id}` with the definition's `version`.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: u32,
    body: &Map<String, Value>,
) -> Result<CustomField, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let version = match body.get("version") {
        None | Some(Value::Null) => return Err(Invalid::from(FieldError::required("version")).into()),
        Some(v) => v.as_u64().ok_or_else(|| {
            AppError::from(Invalid::one("version", "invalid", "version must be the field's version number"))
        })?,
    };
    let co = actor.company();
    let current = load(svc, co, id).await?;
    if version != current.version {
        return Err(stale(&current));
    }
    let mut next = udf::apply_patch(&current, body)?;
    if next.name != current.name {
        name_taken(&all(svc, co).await?, &next.name, Some(id))?;
    }
    if next == current {
        return Ok(current);
    }
    next.version = current.version + 1;
    match svc.table.put(field_item(co, &next), Some(Condition::VersionIs(current.version))).await {
        Ok(()) => Ok(next),
        Err(StoreError::ConditionFailed { .. }) => Err(stale(&load(svc, co, id).await?)),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /api/v1/settings/custom-fields/{id}`. Values already saved stay on the records but are no longer shown
/// (deactivating keeps the definition; deleting is for mistakes).
pub async fn delete(svc: &Services, actor: &Actor, id: u32) -> Result<(), AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let co = actor.company();
    load(svc, co, id).await?;
    svc.table.delete(&keys::custom_field(co, id), None).await?;
    tracing::info!(company = %co, custom_field = id, "custom field deleted");
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Values on records.

/// The record values after applying the sent `custom_fields` object, or the field errors (`custom_fields.<id>`).
pub async fn apply(
    svc: &Services,
    co: &CompanyId,
    values: &BTreeMap<String, Value>,
    sent: &Value,
) -> Result<Result<BTreeMap<String, Value>, Vec<FieldError>>, AppError> {
    let defs = all(svc, co).await?;
    Ok(udf::apply_values(&defs, values, sent))
}

/// A new record must fill every required active field.
pub async fn require_on_create(svc: &Services, co: &CompanyId, r: &Record) -> Result<(), AppError> {
    let missing = udf::missing_required(&all(svc, co).await?, &r.lead.customer.custom_fields);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Invalid { errors: missing }.into())
    }
}

/// The Custom Fields card: the active definitions in order with the record's values; `None` when the company has
/// no active definition (the card is not shown).
pub async fn card(svc: &Services, co: &CompanyId, r: &Record) -> Result<Option<Vec<CardField>>, AppError> {
    let values = &r.lead.customer.custom_fields;
    let rows: Vec<CardField> = all(svc, co)
        .await?
        .into_iter()
        .filter(|f| f.active)
        .map(|f| CardField {
            value: values.get(&f.key()).cloned().unwrap_or(Value::Null),
            id: f.id,
            name: f.name,
            field_type: f.field_type,
            required: f.required,
            options: f.options,
        })
        .collect();
    Ok((!rows.is_empty()).then_some(rows))
}

/// The demo definitions of the first demo company (the seed writes them with the other company items).
pub fn demo_items(co: &CompanyId) -> Vec<Item> {
    let def = |id: u32, name: &str, field_type: FieldType, required: bool, options: &[&str]| CustomField {
        id,
        name: name.into(),
        field_type,
        required,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        active: true,
        position: id,
        version: 1,
    };
    let fields = [
        def(1, "Gate code", FieldType::Text, false, &[]),
        // Required, and a checkbox is always answered (unchecked is "no"), so creating a customer without UDFs
        // still works while the card shows the required marker.
        def(2, "Pets on site", FieldType::Checkbox, true, &[]),
        def(
            3,
            "Panel location",
            FieldType::Select,
            false,
            &["Garage", "Basement", "Utility closet", "Master closet", "Other"],
        ),
        def(4, "Dog count", FieldType::Number, false, &[]),
        def(5, "Warranty start", FieldType::Date, false, &[]),
    ];
    let mut items: Vec<Item> = fields.iter().map(|f| field_item(co, f)).collect();
    let mut seq = keys::custom_field_sequence(co).to_item();
    seq.insert("value".into(), json!(fields.len()));
    items.push(seq);
    items
}
