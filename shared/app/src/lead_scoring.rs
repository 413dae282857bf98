//! The lead-score weights an admin can change (`GET/PUT /api/v1/settings/lead-scoring`). The score itself is the
//! pure `vigil_domain::lead::score`, recomputed on every create and update of a lead.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use vigil_domain::lead::ScoringWeights;
use vigil_domain::{Action, CompanyId, Resource};
use vigil_store::{keys, Condition, StoreError};

const SETTING: &str = "LEAD_SCORING";

/// The company's weights, or the defaults when an admin never changed them.
pub async fn weights(svc: &Services, co: &CompanyId) -> Result<ScoringWeights, AppError> {
    match svc.table.get(&keys::setting(co, SETTING)).await? {
        Some(item) => from_item(item),
        None => Ok(ScoringWeights::default()),
    }
}

pub async fn get(svc: &Services, actor: &Actor) -> Result<ScoringWeights, AppError> {
    actor.require_somewhere(Resource::Leads, Action::View)?;
    weights(svc, actor.company()).await
}

/// Admins (Company Settings Modify) set new weights; leads pick them up on their next create or update. `w.version` is
/// the version the admin read: another one means someone saved in between (409 with what is stored now).
pub async fn put(svc: &Services, actor: &Actor, w: ScoringWeights) -> Result<ScoringWeights, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    w.validate()?;
    let co = actor.company();
    let read = w.version;
    let next = ScoringWeights { version: read + 1, ..w };
    let cond = if read == 0 { Condition::NotExists } else { Condition::VersionIs(read) };
    match svc.table.put(item_of(&keys::setting(co, SETTING), &next, &[]), Some(cond)).await {
        Ok(()) => Ok(next),
        Err(StoreError::ConditionFailed { .. }) => Err(AppError::Conflict {
            message: "another admin changed the lead-score weights; review their change and save again".into(),
            current: serde_json::to_value(weights(svc, co).await?).ok(),
        }),
        Err(e) => Err(e.into()),
    }
}
