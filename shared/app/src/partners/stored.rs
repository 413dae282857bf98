//! Partner and campaign items as stored, and the items that keep their names unique.

use crate::items::{from_item, item_of};
use crate::{AppError, Services};
use serde::{Deserialize, Serialize};
use vigil_api::directory::Campaign;
use vigil_api::partners::{CampaignView, PartnerSettings, PartnerView};
use vigil_domain::{CampaignId, CompanyId, PartnerId};
use vigil_store::{keys, Condition, Index, Item, Query, SortCond};

fn one() -> u64 {
    1
}

/// A partner company's item: its settings, the post keys sealed (`secret`), and its version. Items written before
/// the settings existed (`{id, name}`) read with the settings' defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPartner {
    pub id: PartnerId,
    #[serde(flatten)]
    pub settings: PartnerSettings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_post_key_encrypted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_post_key_encrypted: Option<String>,
    #[serde(default = "one")]
    pub version: u64,
    /// False when the item was written before partners carried a version: its first write is conditioned on the
    /// attribute's absence instead.
    #[serde(skip)]
    pub versioned: bool,
}

impl StoredPartner {
    pub fn to_item(&self, co: &CompanyId) -> Item {
        item_of(&keys::partner(co, self.id), self, &[])
    }

    /// The condition a write of the next version is based on.
    pub fn is_current(&self) -> Condition {
        if self.versioned {
            Condition::VersionIs(self.version)
        } else {
            Condition::AttrNotExists("version".into())
        }
    }

    pub fn view(&self, campaigns: Vec<Campaign>) -> PartnerView {
        PartnerView {
            id: self.id,
            settings: self.settings.clone(),
            lead_post_key_set: self.lead_post_key_encrypted.is_some(),
            customer_post_key_set: self.customer_post_key_encrypted.is_some(),
            version: self.version,
            campaigns,
        }
    }
}

pub(crate) fn partner_from_item(item: Item) -> Result<StoredPartner, AppError> {
    let versioned = item.contains_key("version");
    let mut p: StoredPartner = from_item(item)?;
    p.versioned = versioned;
    Ok(p)
}

pub fn partner_name_item(co: &CompanyId, id: PartnerId, name: &str) -> Item {
    let mut item = keys::partner_name(co, name).to_item();
    item.insert("partner_id".into(), id.0.into());
    item
}

/// A campaign's item: the fields `directory::Campaign` reads (id, partner, name) and the rest of its settings, which
/// are exactly what the API shows; `versioned` says whether the stored item carries a version yet (items seeded
/// before campaigns had versions do not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCampaign {
    #[serde(flatten)]
    pub campaign: CampaignView,
    #[serde(skip)]
    pub versioned: bool,
}

impl std::ops::Deref for StoredCampaign {
    type Target = CampaignView;
    fn deref(&self) -> &CampaignView {
        &self.campaign
    }
}

impl std::ops::DerefMut for StoredCampaign {
    fn deref_mut(&mut self) -> &mut CampaignView {
        &mut self.campaign
    }
}

impl StoredCampaign {
    pub fn to_item(&self, co: &CompanyId) -> Item {
        item_of(
            &keys::campaign(co, self.id),
            self,
            &[("GSI1PK", keys::partner_campaigns_gsi1pk(co, self.partner_id)), ("GSI1SK", format!("{:08}", self.id.0))],
        )
    }

    pub fn is_current(&self) -> Condition {
        if self.versioned {
            Condition::VersionIs(self.version)
        } else {
            Condition::AttrNotExists("version".into())
        }
    }

    pub fn view(&self) -> CampaignView {
        self.campaign.clone()
    }

    /// Whether the campaign carries the external pair a partner's system sends (both parts set).
    pub fn external_pair(&self) -> Option<(&str, &str)> {
        (!self.external_partner_id.is_empty() && !self.external_campaign_id.is_empty())
            .then_some((self.external_partner_id.as_str(), self.external_campaign_id.as_str()))
    }
}

pub(crate) fn campaign_from_item(item: Item) -> Result<StoredCampaign, AppError> {
    let versioned = item.contains_key("version");
    let mut c: StoredCampaign = from_item(item)?;
    c.versioned = versioned;
    Ok(c)
}

pub fn campaign_name_item(co: &CompanyId, partner: PartnerId, id: CampaignId, name: &str) -> Item {
    let mut item = keys::campaign_name(co, partner, name).to_item();
    item.insert("campaign_id".into(), id.0.into());
    item
}

pub(crate) fn campaign_external_item(co: &CompanyId, c: &StoredCampaign) -> Option<Item> {
    let (p, x) = c.external_pair()?;
    let mut item = keys::campaign_external(co, p, x).to_item();
    item.insert("campaign_id".into(), c.id.0.into());
    Some(item)
}

pub(crate) async fn load_partner(svc: &Services, co: &CompanyId, id: PartnerId) -> Result<StoredPartner, AppError> {
    let item = svc.table.get(&keys::partner(co, id)).await?.ok_or(AppError::NotFound("partner company"))?;
    partner_from_item(item)
}

pub(crate) async fn all_partners(svc: &Services, co: &CompanyId) -> Result<Vec<StoredPartner>, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(keys::PARTNER_PREFIX.into()));
    svc.table.query_all(&q).await?.into_iter().map(partner_from_item).collect()
}

/// A partner's campaigns in ID order (one query on the partner's campaign index).
pub(crate) async fn campaigns_of(
    svc: &Services,
    co: &CompanyId,
    partner: PartnerId,
) -> Result<Vec<StoredCampaign>, AppError> {
    let q = Query::new(Index::Gsi1, keys::partner_campaigns_gsi1pk(co, partner));
    svc.table.query_all(&q).await?.into_iter().map(campaign_from_item).collect()
}

pub(crate) async fn all_campaigns(svc: &Services, co: &CompanyId) -> Result<Vec<StoredCampaign>, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(keys::CAMPAIGN_PREFIX.into()));
    svc.table.query_all(&q).await?.into_iter().map(campaign_from_item).collect()
}

pub(crate) fn as_campaign(c: &StoredCampaign) -> Campaign {
    Campaign { id: c.id, partner_id: c.partner_id, name: c.name.clone() }
}

/// The next ID from a company sequence, past every ID already stored: partners and campaigns written before their
/// sequence existed (seeded by earlier versions) have IDs the sequence never gave. The increments are atomic, so
/// two creates never get the same ID.
pub(crate) async fn next_id(svc: &Services, sequence: &vigil_store::Key, stored_max: u32) -> Result<u32, AppError> {
    let mut seq = svc.table.increment(sequence, 1).await?;
    let max = i64::from(stored_max);
    if seq <= max {
        seq = svc.table.increment(sequence, max - seq + 1).await?;
    }
    u32::try_from(seq).map_err(|_| AppError::Internal("sequence overflow".into()))
}
