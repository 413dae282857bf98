//! The breakout rate picker (`GET /api/v1/customers/mmr-rates`).

use super::settings::settings;
use crate::{customers, Actor, AppError, Services};
use serde::Serialize;
use vigil_domain::mmr::{filter_choices, FilterChoices, MmrRate, RateFilter, RateView};
use vigil_domain::{Action, RecordId, Resource};

/// The picker's answer: the matching rates and the values each filter can take.
#[derive(Debug, Clone, Serialize)]
pub struct RateList {
    pub items: Vec<RateView>,
    pub filters: FilterChoices,
}

/// `GET /api/v1/customers/mmr-rates?customer_id=&total=&items=`: the active rates plus the customer's own (even
/// inactive), narrowed by the filters. The filter choices come from all of them, so a choice never disappears
/// because of another filter.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    customer_id: Option<RecordId>,
    filter: &RateFilter,
) -> Result<RateList, AppError> {
    actor.require_somewhere(Resource::Customers, Action::View)?;
    let current = match customer_id {
        Some(id) => customers::load(svc, actor, id).await?.lead.customer.mmr_id,
        None => None,
    };
    let s = settings(svc, actor.company()).await?;
    let offered: Vec<&MmrRate> = s.rates.iter().filter(|r| r.active || Some(r.id) == current).collect();
    let filters = filter_choices(&s.items, offered.iter().copied());
    let items = offered.into_iter().filter(|r| filter.matches(r)).map(|r| s.view(r, current)).collect();
    Ok(RateList { items, filters })
}
