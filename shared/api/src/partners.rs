//! Partner companies (the sources that sell leads and customers to the company, and the buyers it sells to), their
//! campaigns, and the message templates their emails are rendered from.
//!
//! Creates and patches are form bodies (`ops::Form`): the server reads each field by name, so a bad value is a 422
//! naming that field, and a patch changes only the fields it sends.

use crate::directory::Campaign;
use serde::{Deserialize, Serialize};
use vigil_domain::{CampaignId, LocationId, PartnerId, RecordId};
use vigil_json::{FromJson, ToJson};

/// `outside`: another company; `inside`: the dealer itself (e.g. "Self-Generated").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    #[default]
    Outside,
    Inside,
}

/// Where a lead bought from this partner lands: `pending` (nobody's until someone acts) or the lead `queue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeadLocation {
    #[default]
    Pending,
    Queue,
}

/// How high leads from this partner sit in the lead queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueuePriority {
    #[default]
    Normal,
    Medium,
    High,
}

/// How a buying partner receives what the company sells it: posted to its own Vigil, or by email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    Vigil,
    Email,
}

/// Whether a campaign brings records in from the partner or sends them out to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CampaignDirection {
    #[default]
    Inbound,
    Outbound,
}

fn yes() -> bool {
    true
}

/// Every setting of a partner company an admin edits, as stored and as read. The defaults are what a partner saved
/// before these settings existed reads as: an active outside source of leads and customers.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PartnerSettings {
    pub name: String,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address1: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub zip: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub kind: PartnerKind,
    #[serde(default = "yes")]
    pub active: bool,

    #[serde(default = "yes")]
    pub sells_leads: bool,
    #[serde(default)]
    pub default_lead_location: Option<LeadLocation>,
    #[serde(default)]
    pub force_default_lead_location: bool,
    #[serde(default)]
    pub lead_purchase_emails: Vec<String>,
    #[serde(default)]
    pub lead_return_emails: Vec<String>,
    #[serde(default)]
    pub include_call_center_comments_with_return: bool,
    #[serde(default)]
    pub lead_auto_response_template_id: Option<u32>,
    #[serde(default)]
    pub lead_queue_priority: QueuePriority,

    #[serde(default = "yes")]
    pub sells_customers: bool,
    #[serde(default)]
    pub default_office_location_id: Option<LocationId>,
    #[serde(default)]
    pub customer_purchase_emails: Vec<String>,
    #[serde(default)]
    pub customer_return_emails: Vec<String>,
    #[serde(default)]
    pub customer_auto_response_template_id: Option<u32>,

    #[serde(default)]
    pub buys_leads: bool,
    #[serde(default)]
    pub lead_delivery_method: Option<DeliveryMethod>,
    #[serde(default)]
    pub lead_sale_emails: Vec<String>,
    #[serde(default)]
    pub lead_post_url: String,
    #[serde(default)]
    pub lead_source_id: String,

    #[serde(default)]
    pub buys_customers: bool,
    #[serde(default)]
    pub customer_delivery_method: Option<DeliveryMethod>,
    #[serde(default)]
    pub customer_sale_emails: Vec<String>,
    #[serde(default)]
    pub customer_post_url: String,
    #[serde(default)]
    pub customer_source_id: String,

    #[serde(default)]
    pub allow_login: bool,
    #[serde(default)]
    pub login_username: String,
}

impl PartnerSettings {
    /// A new partner before the form's fields are applied: active, outside, selling and buying nothing.
    pub fn blank() -> Self {
        Self {
            name: String::new(),
            contact_person: String::new(),
            phone: String::new(),
            email: String::new(),
            address1: String::new(),
            city: String::new(),
            state: String::new(),
            zip: String::new(),
            notes: String::new(),
            kind: PartnerKind::Outside,
            active: true,
            sells_leads: false,
            default_lead_location: None,
            force_default_lead_location: false,
            lead_purchase_emails: vec![],
            lead_return_emails: vec![],
            include_call_center_comments_with_return: false,
            lead_auto_response_template_id: None,
            lead_queue_priority: QueuePriority::Normal,
            sells_customers: false,
            default_office_location_id: None,
            customer_purchase_emails: vec![],
            customer_return_emails: vec![],
            customer_auto_response_template_id: None,
            buys_leads: false,
            lead_delivery_method: None,
            lead_sale_emails: vec![],
            lead_post_url: String::new(),
            lead_source_id: String::new(),
            buys_customers: false,
            customer_delivery_method: None,
            customer_sale_emails: vec![],
            customer_post_url: String::new(),
            customer_source_id: String::new(),
            allow_login: false,
            login_username: String::new(),
        }
    }
}

/// A partner company as the API reads it. The post keys are write-only: a read says only whether one is set.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PartnerView {
    pub id: PartnerId,
    #[serde(flatten)]
    pub settings: PartnerSettings,
    pub lead_post_key_set: bool,
    pub customer_post_key_set: bool,
    pub version: u64,
    /// Its campaigns, in ID order (the lead and customer forms read them as the source's campaigns).
    #[serde(default)]
    pub campaigns: Vec<Campaign>,
}

impl PartnerView {
    /// As a lead or customer source.
    pub fn as_source(&self) -> crate::directory::Partner {
        crate::directory::Partner { id: self.id, name: self.settings.name.clone(), campaigns: self.campaigns.clone() }
    }
}

/// A campaign with every setting (`GET /api/v1/partners/{id}/campaigns`).
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CampaignView {
    pub id: CampaignId,
    pub partner_id: PartnerId,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub direction: CampaignDirection,
    /// The partner company's ID in the other company's system; with `external_campaign_id`, unique in this company.
    #[serde(default)]
    pub external_partner_id: String,
    #[serde(default)]
    pub external_campaign_id: String,
    #[serde(default = "one")]
    pub version: u64,
}

fn one() -> u64 {
    1
}

/// A message template (`/api/v1/message-templates`): partner emails and auto-responses are rendered from it.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MessageTemplate {
    pub id: u32,
    pub name: String,
    pub subject: String,
    /// Text with merge fields such as `{{first_name}}` (see [`MERGE_FIELDS`]).
    pub body: String,
    pub version: u64,
}

/// The merge fields a template may use; any other `{{name}}` is refused at save.
pub const MERGE_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "lead_id",
    "partner_name",
    "company_name",
    "return_reason",
    "call_center_comments",
    "email",
    "primary_phone",
    "address1",
    "city",
    "state",
    "zip",
    "campaign_name",
];

/// `POST /api/v1/message-templates/{id}/preview`.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PreviewRequest {
    /// A lead or customer the caller may read; its fields are merged as the caller may see them.
    pub record_id: RecordId,
}

/// A template rendered for one record.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RenderedMessage {
    pub subject: String,
    pub body: String,
}

/// One change of a partner company (or of one of its campaigns), newest last.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PartnerChange {
    pub at: String,
    pub by: String,
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// What a partner's returns report entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartnerReturnKind {
    /// A lead the partner sold was returned to it (`POST /api/v1/leads/return`).
    Returned,
    /// A lead the partner posted was refused as a duplicate of an existing lead.
    DuplicateRejected,
}

impl PartnerReturnKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            PartnerReturnKind::Returned => "returned",
            PartnerReturnKind::DuplicateRejected => "duplicate_rejected",
        }
    }
}

/// One entry of a partner's returns report. It names the lead by ID only: no personal data, and never the intake key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PartnerReturn {
    pub kind: PartnerReturnKind,
    /// When it happened (RFC 3339, UTC).
    pub at: String,
    /// The returned lead, or the existing lead the rejected post duplicated.
    pub lead_id: RecordId,
    /// The receipt of the rejected post (duplicates only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<String>,
    /// The return reason, or why the post was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Returns only: whether the call-center comments went to the partner with the notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments_sent: Option<bool>,
}

/// How many entries of each kind a partner's report holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PartnerReturnCounts {
    pub returned: u64,
    pub duplicate_rejected: u64,
}

/// `GET /api/v1/partners/{id}/returns`: newest first, signed cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PartnerReturnsPage {
    pub items: Vec<PartnerReturn>,
    pub next_cursor: Option<String>,
    pub counts: PartnerReturnCounts,
}
