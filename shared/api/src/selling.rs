//! Selling leads and customers to a buying partner: the requests, the sale as listed, and its delivery status.

use serde::{Deserialize, Serialize};
use vigil_domain::{CampaignId, PartnerId, RecordId};
use vigil_json::{FromJson, ToJson};

/// `POST /api/v1/leads/sell`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SellLeads {
    /// The leads to sell (1 to 100).
    pub lead_ids: Vec<RecordId>,
    /// An active partner company that buys leads.
    pub partner_id: PartnerId,
    /// One of that partner's outbound campaigns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<CampaignId>,
}

/// `POST /api/v1/customers/{id}/sell`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SellCustomer {
    /// An active partner company that buys customers.
    pub partner_id: PartnerId,
    /// One of that partner's outbound campaigns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<CampaignId>,
}

/// The answer to a sale: it is accepted and its delivery queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SaleAccepted {
    pub sale_id: u32,
}

/// Where a sold record's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    #[default]
    Queued,
    Delivered,
    /// A try failed; the queue tries again with backoff.
    Retrying,
    /// Every try failed; `reason` says why.
    Failed,
}

/// Whether a sale sold leads or a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SoldKind {
    Lead,
    Customer,
}

/// One delivery of a sale: one record, as `GET /api/v1/sales-to-partners` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SaleToPartner {
    pub sale_id: u32,
    pub record_id: RecordId,
    pub kind: SoldKind,
    pub partner_id: PartnerId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<CampaignId>,
    /// RFC 3339.
    pub sold_at: String,
    /// The user who sold it.
    pub sold_by: String,
    pub status: DeliveryStatus,
    /// Why the last try failed (`retrying`, `failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The buyer's record ID, when it answered with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_record_id: Option<String>,
}

/// The query of `GET /api/v1/sales-to-partners`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SalesQuery {
    /// Only what was sold to this partner company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<u32>,
}

/// What a sale posts to a buyer's intake (`POST /api/v1/public/leads`): the New Lead fields a partner may see, and
/// the attribution the buyer reads (its source ID for us, the campaign's external pair).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PostedLead {
    pub first_name: String,
    pub last_name: String,
    pub primary_phone: String,
    pub city: String,
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The seller's ID as a source in the buyer's system.
    #[serde(default)]
    pub source_id: String,
    #[serde(default)]
    pub external_partner_id: String,
    #[serde(default)]
    pub external_campaign_id: String,
}
