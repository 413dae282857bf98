//! Opportunities: a deal on a customer, opened when a lead is converted with one (stage `prospecting`, closing 90
//! days out), listed on the customer.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_domain::RecordId;

/// The optional opportunity of a conversion. `amount` is in integer US cents (`250000` is $2,500.00), 0 or more.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
