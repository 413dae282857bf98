//! Credit checks: the company's Credit Checks settings, a customer's checks, and applying one to the customer.

use crate::operation::PathParams;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_domain::RecordId;
use vigil_json::{FromJson, ToJson};

/// The bureau every demo company offers: deterministic by the SSN's last digit, named as such in the portal.
pub const SANDBOX: &str = "sandbox";

/// `PUT /api/v1/settings/credit` (and the stored settings): the Credit Checks add-on and the bureaus it offers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreditSettings {
    pub enabled: bool,
    /// Bureau IDs (`sandbox`); at least one while enabled.
    #[serde(default)]
    pub bureaus: Vec<String>,
    /// The version read (0 before the first save); a stale one is 409.
    #[serde(default)]
    pub version: u64,
}

/// A bureau the system can pull from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BureauOption {
    pub id: String,
    /// What the portal shows (`Sandbox bureau`).
    pub name: String,
    /// The extra `bureau_fields` it takes (none for the sandbox).
    pub fields: Vec<String>,
}

/// `GET /api/v1/settings/credit`: the settings and every bureau there is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreditSettingsView {
    #[serde(flatten)]
    pub settings: CreditSettings,
    pub available: Vec<BureauOption>,
}

/// A prior address sent along with a pull.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PreviousAddress {
    pub address1: String,
    pub city: String,
    pub state: String,
    pub zip: String,
}

/// `POST /api/v1/customers/{id}/credit-checks`: one pull. Send an `Idempotency-Key` header per click: a repeat
/// with the same key answers the check the first made.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RunCredit {
    /// One of the bureaus the company's settings offer.
    #[cfg_attr(feature = "openapi", schemars(extend("example" = "sandbox")))]
    pub bureau: String,
    /// The bureau's extra fields (see `available[].fields` of the settings); never stored.
    #[serde(default)]
    pub bureau_fields: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<PreviousAddress>,
}

/// Where a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CreditStatus {
    /// Waiting for the bureau (the pull runs as a job).
    Pending,
    /// Scored: `score`, `grade`, `transaction_id`, `run_at`.
    Completed,
    Declined,
    /// The bureau found no file for the person.
    NoHit,
    /// The bureau failed or did not answer in time; `reason` says which. Run credit again to retry.
    Error,
}

/// One credit check of a customer. It keeps no SSN.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreditCheck {
    pub id: u64,
    pub customer_id: RecordId,
    pub bureau: String,
    /// The bureau's name as the portal shows it (`Sandbox bureau`, `Manual entry`).
    pub bureau_name: String,
    pub status: CreditStatus,
    pub score: Option<u32>,
    /// The score's letter grade (A, B, C, D, F).
    pub grade: Option<String>,
    pub transaction_id: Option<String>,
    /// When the bureau answered.
    pub run_at: Option<String>,
    pub reason: Option<String>,
    /// This is the customer's active check (its score and tracking number are on the customer).
    pub applied: bool,
    pub requested_at: String,
    pub requested_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<PreviousAddress>,
    pub version: u64,
}

/// `POST /api/v1/credit-checks/{id}/apply`: the customer's version the apply is based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ApplyCredit {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(with = "u64", required))]
    pub version: Option<u64>,
}

/// `POST /api/v1/customers/{id}/credit-checks/manual`: a score entered by hand, applied at once.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ManualCredit {
    #[cfg_attr(feature = "openapi", schemars(with = "u32", required, range(min = 300, max = 900)))]
    pub score: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// The customer's version.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(with = "u64", required))]
    pub version: Option<u64>,
}

/// The `{id}` of a credit check route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditCheckPath {
    pub id: u64,
}

impl PathParams for CreditCheckPath {
    fn fill(&self, template: &str) -> String {
        template.replace("{id}", &self.id.to_string())
    }
}
