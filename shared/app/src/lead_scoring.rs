//! The lead-score weights an admin can change (`GET/PUT /api/v1/settings/lead-scoring`). The score itself is the
//! pure `vigil_domain::lead::score`, recomputed on every create and update of a lead.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use vigil_domain::lead::ScoringWeights;
use vigil_domain::{Action, CompanyId, Resource};
use vigil_store::keys;

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

/// Admins (Company Settings Modify) set new weights; leads pick them up on their next create or update.
pub async fn put(svc: &Services, actor: &Actor, w: ScoringWeights) -> Result<ScoringWeights, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    w.validate()?;
    svc.table.put(item_of(&keys::setting(actor.company(), SETTING), &w, &[]), None).await?;
    Ok(w)
}
