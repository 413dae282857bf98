//! `GET /api/v1/partners` and `GET /api/v1/partners/{id}`.

use super::stored::{all_campaigns, all_partners, as_campaign, campaigns_of, load_partner};
use crate::{Actor, AppError, Services};
use vigil_api::partners::PartnerView;
use vigil_domain::{Action, PartnerId, Resource};

/// Every partner company, active or not, with its campaigns, in ID order.
pub async fn list(svc: &Services, actor: &Actor) -> Result<Vec<PartnerView>, AppError> {
    actor.require_somewhere(Resource::PartnerCompanies, Action::View)?;
    let co = actor.company();
    let campaigns = all_campaigns(svc, co).await?;
    Ok(all_partners(svc, co)
        .await?
        .iter()
        .map(|p| p.view(campaigns.iter().filter(|c| c.partner_id == p.id).map(as_campaign).collect()))
        .collect())
}

pub async fn get(svc: &Services, actor: &Actor, id: PartnerId) -> Result<PartnerView, AppError> {
    actor.require_somewhere(Resource::PartnerCompanies, Action::View)?;
    let co = actor.company();
    let p = load_partner(svc, co, id).await?;
    let campaigns = campaigns_of(svc, co, id).await?;
    Ok(p.view(campaigns.iter().map(as_campaign).collect()))
}
