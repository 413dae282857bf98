//! Opportunities: a deal on a customer, opened when a lead is converted with one (stage `prospecting`, closing 90
//! days out), listed on the customer.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_domain::RecordId;
use vigil_json::{FromJson, ToJson};

/// The optional opportunity of a conversion. `amount` is in integer US cents (`250000` is $2,500.00), 0 or more.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewOpportunity {
    /// 1–200 characters.
    #[cfg_attr(feature = "openapi", schemars(with = "String", required, length(min = 1, max = 200)))]
    #[serde(default)]
    pub name: Option<String>,
    /// Integer US cents, 0 or more (at most 100,000,000,000).
    #[cfg_attr(feature = "openapi", schemars(with = "u64", required, extend("example" = 250000)))]
    #[serde(default)]
    pub amount: Option<Value>,
}

/// One opportunity of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Opportunity {
    /// Per customer, from 1.
    pub id: u64,
    pub customer_id: RecordId,
    pub name: String,
    /// Integer US cents.
    pub amount: u64,
    /// `prospecting` when opened.
    pub stage: String,
    /// `YYYY-MM-DD`.
    pub close_date: String,
    pub created_at: String,
    pub version: u64,
}

/// The stages an opportunity moves through.
pub const STAGES: &[&str] = &["prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"];

/// `PATCH /api/v1/customers/{id}/opportunities`: changes one opportunity of the customer (named by `id`), based on
/// its `version`; fields left out stay as they are.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OpportunityEdit {
    /// The opportunity's number on this customer.
    pub id: u64,
    /// The version read (required); a stale one answers 409.
    #[cfg_attr(feature = "openapi", schemars(with = "u64", required))]
    #[serde(default)]
    pub version: Option<u64>,
    /// 1–200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = 200)))]
    pub name: Option<String>,
    /// Integer US cents, 0 or more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u64>"))]
    pub amount: Option<Value>,
    /// One of `prospecting`, `qualification`, `proposal`, `negotiation`, `closed_won`, `closed_lost`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_date: Option<String>,
}
