//! Which partners the lead and customer forms (and the lists' source filters) offer.

use super::stored::{all_campaigns, all_partners, as_campaign};
use crate::{AppError, Services};
use vigil_api::directory::Partner;
use vigil_domain::record::Kind;
use vigil_domain::CompanyId;

/// The active partners that sell leads (for `Kind::Lead`) or customers, with their campaigns, in ID order. A
/// deactivated partner is left out here only: records keep its ID and still read its name.
pub async fn sources_of(svc: &Services, co: &CompanyId, kind: Kind) -> Result<Vec<Partner>, AppError> {
    let campaigns = all_campaigns(svc, co).await?;
    Ok(all_partners(svc, co)
        .await?
        .into_iter()
        .filter(|p| {
            p.settings.active
                && match kind {
                    Kind::Lead => p.settings.sells_leads,
                    Kind::Customer => p.settings.sells_customers,
                }
        })
        .map(|p| Partner {
            id: p.id,
            name: p.settings.name,
            campaigns: campaigns.iter().filter(|c| c.partner_id == p.id).map(as_campaign).collect(),
        })
        .collect())
}
