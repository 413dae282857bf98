//! `/api/v1/settings/customer-workflows`: admins define workflows; everyone who may view workflows reads the
//! active ones (New Workflow offers them). An edit is a new version: the current item moves on (conditional on the
//! version read) and the new version is written beside the old ones, which enrollments keep reading.

use super::stored::{definition, definition_version, StoredDefinition};
use crate::clock::rfc3339;
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::{Map, Value};
use vigil_api::workflows::WorkflowDefinition;
use vigil_domain::workflow::{parse_definition, Generates};
use vigil_domain::{Action, CompanyId, FieldError, Invalid, Resource, UserId};
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError, TxOp};

const STALE: &str = "another admin changed this workflow; reload it and make your change again";
/// A definition item must stay well under DynamoDB's 400 KB whatever its texts hold.
const MAX_DEFINITION_BYTES: usize = 300 * 1024;

fn admin(actor: &Actor) -> Result<(), AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)
}

fn is_admin(actor: &Actor) -> bool {
    actor.user.permissions.allows_somewhere(Resource::CompanySettings, Action::Modify)
}

fn reader(actor: &Actor) -> Result<(), AppError> {
    if is_admin(actor) {
        return Ok(());
    }
    actor.require_somewhere(Resource::CustomerWorkflows, Action::View)
}

async fn all(svc: &Services, co: &CompanyId) -> Result<Vec<StoredDefinition>, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(keys::WORKFLOW_PREFIX.into()));
    svc.table.query_all(&q).await?.into_iter().map(from_item).collect()
}

/// `GET /api/v1/settings/customer-workflows`: every definition for admins, the active ones for everyone else.
pub async fn list(svc: &Services, actor: &Actor) -> Result<Vec<WorkflowDefinition>, AppError> {
    reader(actor)?;
    let admin = is_admin(actor);
    Ok(all(svc, actor.company()).await?.iter().filter(|d| admin || d.def.active).map(StoredDefinition::view).collect())
}

/// `GET /api/v1/settings/customer-workflows/{id}?version=`.
pub async fn get(svc: &Services, actor: &Actor, id: u32, version: Option<u64>) -> Result<WorkflowDefinition, AppError> {
    reader(actor)?;
    let co = actor.company();
    let d = match version {
        Some(v) => definition_version(svc, co, id, v).await?,
        None => definition(svc, co, id).await?,
    };
    if !d.def.active && !is_admin(actor) {
        return Err(AppError::NotFound("workflow"));
    }
    Ok(d.view())
}

async fn checked(
    svc: &Services,
    co: &CompanyId,
    body: &Map<String, Value>,
) -> Result<vigil_domain::workflow::Definition, AppError> {
    let def = parse_definition(body)?;
    let size = serde_json::to_vec(&def).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_DEFINITION_BYTES {
        return Err(Invalid::one("steps", "too_large", "the steps' texts are too long together; shorten them").into());
    }
    // A generated ticket's assignee must be able to work it: a user of this company.
    let assignees: Vec<(usize, &UserId)> = def
        .steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match &s.generates {
            Some(Generates::Ticket { assignee_id: Some(u), .. }) => Some((i, u)),
            _ => None,
        })
        .collect();
    if !assignees.is_empty() {
        let users = crate::directory::users(svc, co).await?;
        let errors: Vec<FieldError> = assignees
            .into_iter()
            .filter(|(_, u)| !users.iter().any(|known| &known.id == *u))
            .map(|(i, _)| {
                FieldError::new(
                    format!("steps[{i}].generates.ticket.assignee_id"),
                    "not_found",
                    "choose a user of this company",
                )
            })
            .collect();
        if !errors.is_empty() {
            return Err(Invalid { errors }.into());
        }
    }
    Ok(def)
}

/// `POST /api/v1/settings/customer-workflows`.
pub async fn create(svc: &Services, actor: &Actor, body: &Map<String, Value>) -> Result<WorkflowDefinition, AppError> {
    admin(actor)?;
    let co = actor.company();
    let def = checked(svc, co, body).await?;
    let id = svc.table.increment(&keys::workflow_sequence(co), 1).await?;
    let id = u32::try_from(id).map_err(|_| AppError::Internal("workflow IDs ran out".into()))?;
    let stored =
        StoredDefinition { id, version: 1, def, updated_at: rfc3339(svc.clock.now()), updated_by: actor.id().clone() };
    let ops = vec![
        TxOp::Put { item: item_of(&keys::workflow(co, id), &stored, &[]), cond: Some(Condition::NotExists) },
        TxOp::Put { item: item_of(&keys::workflow_version(co, id, 1), &stored, &[]), cond: Some(Condition::NotExists) },
    ];
    svc.table.transact(ops).await?;
    tracing::info!(company = %co, workflow = id, "customer workflow created");
    Ok(stored.view())
}

/// `PATCH /api/v1/settings/customer-workflows/{id}`: the fields sent replace the stored ones; `version` is required.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: u32,
    body: &Map<String, Value>,
) -> Result<WorkflowDefinition, AppError> {
    admin(actor)?;
    let co = actor.company();
    let stored = definition(svc, co, id).await?;
    let stale = |current: &StoredDefinition| AppError::Conflict {
        message: STALE.into(),
        current: serde_json::to_value(current.view()).ok(),
    };
    match body.get("version").and_then(Value::as_u64) {
        None => return Err(AppError::from_field(FieldError::new("version", "required", "send the version you read"))),
        Some(v) if v != stored.version => return Err(stale(&stored)),
        Some(_) => {}
    }
    let mut merged = match serde_json::to_value(stored.view()) {
        Ok(Value::Object(m)) => m,
        _ => return Err(AppError::Internal("a workflow does not serialise as an object".into())),
    };
    for (k, v) in body {
        if k != "id" && k != "version" {
            merged.insert(k.clone(), v.clone());
        }
    }
    let def = checked(svc, co, &merged).await?;
    let next = StoredDefinition {
        id,
        version: stored.version + 1,
        def,
        updated_at: rfc3339(svc.clock.now()),
        updated_by: actor.id().clone(),
    };
    let ops = vec![
        TxOp::Put {
            item: item_of(&keys::workflow(co, id), &next, &[]),
            cond: Some(Condition::VersionIs(stored.version)),
        },
        TxOp::Put {
            item: item_of(&keys::workflow_version(co, id, next.version), &next, &[]),
            cond: Some(Condition::NotExists),
        },
    ];
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            let current = definition(svc, co, id).await?;
            return Err(stale(&current));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, workflow = id, version = next.version, "customer workflow saved");
    Ok(next.view())
}
