//! Monitoring companies (admin) and a customer's ADT PreCheck.

use crate::operation::PathParams;
use serde::{Deserialize, Serialize};
use vigil_json::{FromJson, ToJson};

/// `adt` companies offer ADT PreCheck; `other` ones do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MonitoringKind {
    Adt,
    #[default]
    Other,
}

/// A monitoring company of the dealer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MonitoringCompany {
    pub id: u32,
    pub name: String,
    pub kind: MonitoringKind,
    pub active: bool,
    /// ADT PreCheck asks for a dealer number when this is on.
    pub dealer_number_required: bool,
    /// A customer created with Run ADT PreCheck gets the PreCheck run in the background.
    pub precheck_order_enabled: bool,
    pub version: u64,
}

/// `POST /api/v1/settings/monitoring-companies`, and `PATCH` (with `version`, fields left out stay).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MonitoringCompanyForm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MonitoringKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealer_number_required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precheck_order_enabled: Option<bool>,
    /// Required on PATCH: the version read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

/// The `{id}` of a monitoring company route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitoringCompanyPath {
    pub id: u32,
}

impl PathParams for MonitoringCompanyPath {
    fn fill(&self, template: &str) -> String {
        template.replace("{id}", &self.id.to_string())
    }
}

/// Where a customer's ADT PreCheck stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PrecheckStatus {
    /// Never run for this customer.
    None,
    /// Waiting for ADT (the call runs as a job).
    Pending,
    Approved,
    NeedsReview,
    Declined,
    /// ADT's service did not answer; Refresh to try again.
    Unavailable,
}

/// What ADT answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PrecheckResult {
    pub reference: Option<String>,
    pub message: String,
    pub checked_at: String,
    /// `Sandbox ADT PreCheck` for the deterministic sandbox.
    pub provider: String,
}

/// `GET /api/v1/customers/{id}/adt-precheck` (and what `POST` answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PrecheckView {
    pub status: PrecheckStatus,
    pub result: Option<PrecheckResult>,
    pub monitoring_company_id: Option<u32>,
    pub requested_at: Option<String>,
    /// Runs so far (each Refresh is one more).
    pub attempt: u32,
}

/// `POST /api/v1/customers/{id}/adt-precheck`: refresh (run it again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RefreshPrecheck {}
