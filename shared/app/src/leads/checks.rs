//! Reference checks shared by create and edit (source and campaign, disposition, account class).

use crate::directory::Campaign;
use crate::items::from_item;
use crate::lead_options::{AccountClass, Disposition};
use crate::{AppError, Services};
use vigil_domain::{CampaignId, CompanyId, DispositionId, FieldError, Invalid, PartnerId};
use vigil_store::keys;

pub(crate) async fn check_source(
    svc: &Services,
    co: &CompanyId,
    source: Option<PartnerId>,
    campaign: Option<CampaignId>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    if let Some(p) = source {
        if svc.table.get(&keys::partner(co, p)).await?.is_none() {
            errors.push(FieldError::new("source_id", "not_found", "choose one of the company's sources"));
        }
    }
    if let Some(c) = campaign {
        match svc.table.get(&keys::campaign(co, c)).await? {
            None => errors.push(FieldError::new("campaign_id", "not_found", "choose one of the source's campaigns")),
            Some(item) => {
                let campaign: Campaign = from_item(item)?;
                if Some(campaign.partner_id) != source {
                    errors.push(FieldError::new(
                        "campaign_id",
                        "wrong_source",
                        "this campaign belongs to another source",
                    ));
                }
            }
        }
    }
    Ok(())
}

pub(crate) async fn check_disposition(
    svc: &Services,
    co: &CompanyId,
    id: DispositionId,
    errors: &mut Vec<FieldError>,
) -> Result<Option<Disposition>, AppError> {
    match svc.table.get(&keys::disposition(co, id)).await? {
        Some(item) => {
            let d: Disposition = from_item(item)?;
            if d.active {
                return Ok(Some(d));
            }
            errors.push(FieldError::new("disposition_id", "inactive", "this status is no longer in use"));
        }
        None => {
            errors.push(FieldError::new("disposition_id", "not_found", "choose one of the company's lead statuses"))
        }
    }
    Ok(None)
}

pub(crate) async fn check_account_class(
    svc: &Services,
    co: &CompanyId,
    id: vigil_domain::AccountClassId,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    match svc.table.get(&keys::account_class(co, id)).await? {
        Some(item) if from_item::<AccountClass>(item.clone())?.active => {}
        _ => errors.push(FieldError::new("account_class_id", "not_found", "choose one of the active account classes")),
    }
    Ok(())
}

pub(crate) fn finish(errors: Vec<FieldError>) -> Result<(), AppError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Invalid { errors }.into())
    }
}
