//! Company settings: monthly monitoring rates (MMR).

use serde::{Deserialize, Serialize};
use vigil_domain::mmr::{FilterChoices, MmrItem, MmrMode, RateView};
use vigil_json::{FromJson, ToJson};

/// `GET /api/v1/settings/mmr`: the configuration, each rate with its mismatch flag and whether it may be given out.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MmrSettingsView {
    pub mode: MmrMode,
    pub version: u64,
    pub items: Vec<MmrItem>,
    pub rates: Vec<RateView>,
}

/// `GET /api/v1/customers/mmr-rates`: the picker's matching rates and the values each filter can take.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RateList {
    pub items: Vec<RateView>,
    pub filters: FilterChoices,
}
