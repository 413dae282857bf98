//! Selling leads and customers to a buying partner: the sale and its deliveries are saved with their jobs in one
//! transaction (the outbox), and the jobs worker delivers each record by the partner's method, by email or by a post
//! to the partner's own Vigil, recording the delivery's status on the sale.

mod deliver;
pub mod guard;

pub use deliver::{deliver, posted_lead};
pub use guard::PostPolicy;

use crate::items::{from_item, item_of};
use crate::jobs::{self, Job};
use crate::partners::{CampaignDirection, StoredPartner};
use crate::{Actor, AppError, Services};
use serde::{Deserialize, Serialize};
use vigil_api::selling::{DeliveryStatus, SaleAccepted, SaleToPartner, SellCustomer, SellLeads, SoldKind};
use vigil_domain::{Action, CampaignId, CompanyId, FieldError, PartnerId, RecordId, Resource};
use vigil_store::{keys, Condition, Index, Query, SortCond, TxOp};

/// Leads one sale may carry: each is two writes (its delivery and its job) in one transaction of at most 100.
pub const MAX_LEADS_PER_SALE: usize = 50;

/// One record's delivery of a sale, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDelivery {
    #[serde(flatten)]
    pub view: SaleToPartner,
    pub version: u64,
}

pub(crate) async fn partner_for(
    svc: &Services,
    co: &CompanyId,
    id: PartnerId,
    kind: SoldKind,
) -> Result<StoredPartner, AppError> {
    let refuse = |msg: &str| AppError::from_field(FieldError::new("partner_id", "not_a_buyer", msg));
    let p = match crate::partners::load(svc, co, id).await {
        Ok(p) => p,
        Err(AppError::NotFound(_)) => return Err(refuse("no such partner company")),
        Err(e) => return Err(e),
    };
    let (buys, method) = match kind {
        SoldKind::Lead => (p.settings.buys_leads, p.settings.lead_delivery_method),
        SoldKind::Customer => (p.settings.buys_customers, p.settings.customer_delivery_method),
    };
    if !p.settings.active {
        return Err(refuse("the partner company is not active"));
    }
    if !buys {
        return Err(refuse(match kind {
            SoldKind::Lead => "the partner company does not buy leads",
            SoldKind::Customer => "the partner company does not buy customers",
        }));
    }
    if method.is_none() {
        return Err(refuse("the partner company has no delivery method"));
    }
    Ok(p)
}

async fn check_campaign(
    svc: &Services,
    co: &CompanyId,
    partner: PartnerId,
    campaign: Option<CampaignId>,
) -> Result<(), AppError> {
    let Some(id) = campaign else { return Ok(()) };
    let campaigns = crate::partners::campaigns(svc, co, partner).await?;
    if campaigns.iter().any(|c| c.id == id && c.direction == CampaignDirection::Outbound) {
        Ok(())
    } else {
        Err(AppError::from_field(FieldError::new(
            "campaign_id",
            "invalid",
            "must be an outbound campaign of the partner company",
        )))
    }
}

/// The writes of one record's delivery and its job.
fn delivery_ops(co: &CompanyId, d: &SaleToPartner) -> Result<Vec<TxOp>, AppError> {
    let key = keys::sale_delivery(co, d.partner_id, d.sale_id, d.record_id);
    let item = item_of(&key, &StoredDelivery { view: d.clone(), version: 1 }, &[]);
    let job = Job::DeliverSale {
        company: co.clone(),
        partner_id: d.partner_id,
        sale_id: d.sale_id,
        record_id: d.record_id,
        kind: d.kind,
        campaign_id: d.campaign_id,
    };
    Ok(vec![
        TxOp::Put { item, cond: Some(Condition::NotExists) },
        jobs::pending(co, delivery_job_key(co, d.sale_id, d.record_id), job)?,
    ])
}

/// The idempotency key of a record's delivery (and of the post's `Idempotency-Key`: one sale of several leads is a
/// post per lead, so each carries the sale and the record).
pub fn delivery_job_key(co: &CompanyId, sale: u32, record: RecordId) -> String {
    format!("sale:{co}:{sale}:{}", record.0)
}

async fn sell(
    svc: &Services,
    actor: &Actor,
    kind: SoldKind,
    ids: &[RecordId],
    partner: PartnerId,
    campaign: Option<CampaignId>,
) -> Result<SaleAccepted, AppError> {
    let co = actor.company().clone();
    partner_for(svc, &co, partner, kind).await?;
    check_campaign(svc, &co, partner, campaign).await?;
    let sale_id = u32::try_from(svc.table.increment(&keys::sale_sequence(&co), 1).await?)
        .map_err(|_| AppError::Internal("sale sequence overflow".into()))?;
    let sold_at = crate::clock::rfc3339(svc.clock.now());
    let mut ops = Vec::new();
    for id in ids {
        let d = SaleToPartner {
            sale_id,
            record_id: *id,
            kind,
            partner_id: partner,
            campaign_id: campaign,
            sold_at: sold_at.clone(),
            sold_by: actor.id().to_string(),
            status: DeliveryStatus::Queued,
            reason: None,
            buyer_record_id: None,
        };
        ops.extend(delivery_ops(&co, &d)?);
    }
    svc.table.transact(ops).await?;
    tracing::info!(company = %co, sale_id, records = ids.len(), partner = partner.0, "sold to a partner");
    Ok(SaleAccepted { sale_id })
}

/// `POST /api/v1/leads/sell`.
pub async fn sell_leads(svc: &Services, actor: &Actor, input: SellLeads) -> Result<SaleAccepted, AppError> {
    actor.require_somewhere(Resource::Leads, Action::Modify)?;
    let mut ids = input.lead_ids.clone();
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_LEADS_PER_SALE {
        return Err(AppError::from_field(FieldError::new(
            "lead_ids",
            "invalid",
            format!("choose 1 to {MAX_LEADS_PER_SALE} leads"),
        )));
    }
    for id in &ids {
        // Loading each lead checks it exists, is a lead of this company and the caller may see it.
        crate::leads::load(svc, actor, *id).await?;
    }
    sell(svc, actor, SoldKind::Lead, &ids, input.partner_id, input.campaign_id).await
}

/// `POST /api/v1/customers/{id}/sell`.
pub async fn sell_customer(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    input: SellCustomer,
) -> Result<SaleAccepted, AppError> {
    actor.require_somewhere(Resource::Customers, Action::Modify)?;
    crate::customers::load(svc, actor, id).await?;
    sell(svc, actor, SoldKind::Customer, &[id], input.partner_id, input.campaign_id).await
}

/// `GET /api/v1/sales-to-partners`: newest sale first.
pub async fn list(svc: &Services, actor: &Actor, partner: Option<PartnerId>) -> Result<Vec<SaleToPartner>, AppError> {
    actor.require_somewhere(Resource::PartnerCompanies, Action::View)?;
    let mut q = Query::new(Index::Base, keys::sales_pk(actor.company()));
    if let Some(p) = partner {
        q = q.sort(SortCond::BeginsWith(keys::sales_of_partner_prefix(p)));
    }
    let mut out: Vec<SaleToPartner> = svc
        .table
        .query_all(&q)
        .await?
        .into_iter()
        .map(|i| from_item::<StoredDelivery>(i).map(|d| d.view))
        .collect::<Result<_, _>>()?;
    out.sort_by(|a, b| b.sale_id.cmp(&a.sale_id).then(a.record_id.cmp(&b.record_id)));
    Ok(out)
}
