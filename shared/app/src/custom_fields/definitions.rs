//! The definitions admins manage under Settings (`/api/v1/settings/custom-fields`).

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::{Map, Value};
use vigil_domain::custom_field::{self as udf, CustomField};
use vigil_domain::{Action, CompanyId, FieldError, Invalid, Resource};
use vigil_store::{keys, Condition, Index, Item, Query, SortCond, StoreError, TxOp};

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

fn taken(name: &str) -> AppError {
    Invalid::one("name", "taken", format!("a custom field named \"{name}\" exists already")).into()
}

/// Read first for a clear answer in the common case; the name item's condition decides under a race (and for names
/// saved before name items existed, this read is what catches them).
fn name_taken(fields: &[CustomField], name: &str, except: Option<u32>) -> Result<(), AppError> {
    let folded = keys::fold(name);
    if fields.iter().any(|f| Some(f.id) != except && keys::fold(&f.name) == folded) {
        return Err(taken(name));
    }
    Ok(())
}

pub(super) fn name_item(co: &CompanyId, f: &CustomField) -> Item {
    let mut item = keys::custom_field_name(co, &f.name).to_item();
    item.insert("field_id".into(), f.id.into());
    item
}

/// Whether a definition's transaction failed on its name item (operation `name_op`): the name is taken.
fn name_op_failed(e: &StoreError, name_op: usize) -> bool {
    matches!(e, StoreError::ConditionFailed { op: Some(i), .. } if *i == name_op)
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
    let ops = vec![
        TxOp::Put { item: field_item(co, &field), cond: Some(Condition::NotExists) },
        TxOp::Put { item: name_item(co, &field), cond: Some(Condition::NotExists) },
    ];
    match svc.table.transact(ops).await {
        Ok(()) => {
            tracing::info!(company = %co, custom_field = id, "custom field created");
            Ok(field)
        }
        Err(e) if name_op_failed(&e, 1) => Err(taken(&field.name)),
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
    let mut ops = vec![TxOp::Put { item: field_item(co, &next), cond: Some(Condition::VersionIs(current.version)) }];
    if keys::fold(&next.name) != keys::fold(&current.name) {
        ops.push(TxOp::Delete { key: keys::custom_field_name(co, &current.name), cond: None });
        ops.push(TxOp::Put { item: name_item(co, &next), cond: Some(Condition::NotExists) });
    }
    match svc.table.transact(ops).await {
        Ok(()) => Ok(next),
        Err(e) if name_op_failed(&e, 2) => Err(taken(&next.name)),
        Err(StoreError::ConditionFailed { .. }) => Err(stale(&load(svc, co, id).await?)),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /api/v1/settings/custom-fields/{id}?version=N`. Values already saved stay on the records but are no longer
/// shown (deactivating keeps the definition; deleting is for mistakes).
pub async fn delete(svc: &Services, actor: &Actor, id: u32, version: u64) -> Result<(), AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let co = actor.company();
    let current = load(svc, co, id).await?;
    if version != current.version {
        return Err(stale(&current));
    }
    let ops = vec![
        TxOp::Delete { key: keys::custom_field(co, id), cond: Some(Condition::VersionIs(version)) },
        TxOp::Delete { key: keys::custom_field_name(co, &current.name), cond: None },
    ];
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(match svc.table.get(&keys::custom_field(co, id)).await? {
                Some(item) => stale(&from_item(item)?),
                None => AppError::NotFound("custom field"),
            })
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, custom_field = id, "custom field deleted");
    Ok(())
}
