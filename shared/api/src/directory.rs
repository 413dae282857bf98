//! The signed-in user, office locations and partner companies.

use serde::{Deserialize, Serialize};
use vigil_domain::{CampaignId, LocationId, PartnerId, Permissions, Role};
use vigil_json::{FromJson, ToJson};

/// What the portal needs to know about the signed-in user (`GET /api/v1/me`).
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Me {
    pub id: String,
    pub email: String,
    pub name: String,
    pub company: String,
    pub company_name: String,
    pub role: Role,
    pub role_label: String,
    pub home_location_id: LocationId,
    pub partner_id: Option<PartnerId>,
    /// What the user may do where; the portal hides what the server would refuse (the server still decides).
    pub permissions: Permissions,
    pub nav: Nav,
}

/// Which sections the signed-in user may open; the server decides from their permissions.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Nav {
    pub leads: bool,
    pub customers: bool,
    pub admin: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OfficeLocation {
    pub id: LocationId,
    pub name: String,
    pub city: String,
    pub state: String,
}

/// A partner company (lead and customer source) with its campaigns.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    #[serde(default)]
    pub campaigns: Vec<Campaign>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Campaign {
    pub id: CampaignId,
    pub partner_id: PartnerId,
    pub name: String,
}
