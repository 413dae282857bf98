//! A lead and a customer are one record: converting a lead keeps its ID and turns it into a customer.

use crate::{CampaignId, FieldError, LocationId, PartnerId, RecordId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Lead,
    Customer,
}

/// The pipeline every lead moves through, one step at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    New,
    Contacted,
    Qualified,
    Unqualified,
    Converted,
}

impl Stage {
    pub const ALL: [Stage; 5] = [Stage::New, Stage::Contacted, Stage::Qualified, Stage::Unqualified, Stage::Converted];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Contacted => "contacted",
            Stage::Qualified => "qualified",
            Stage::Unqualified => "unqualified",
            Stage::Converted => "converted",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Stage::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| FieldError::new("stage", "invalid", "stage must be one of new, contacted, qualified, unqualified, converted"))
    }

    /// Where a lead may go from here by hand. Converted is reached only by converting the lead.
    pub fn next(self) -> &'static [Stage] {
        match self {
            Stage::New => &[Stage::Contacted],
            Stage::Contacted => &[Stage::Qualified, Stage::Unqualified],
            Stage::Unqualified => &[Stage::New],
            Stage::Qualified | Stage::Converted => &[],
        }
    }
}

/// The profile item of a lead or customer: what lists, headers and the seed need. Later features add fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: RecordId,
    pub kind: Kind,
    pub stage: Stage,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub business_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    pub primary_phone: String,
    #[serde(default)]
    pub address1: Option<String>,
    pub city: String,
    pub state: String,
    #[serde(default)]
    pub zip: Option<String>,
    #[serde(default)]
    pub office_location_id: Option<LocationId>,
    #[serde(default)]
    pub source_id: Option<PartnerId>,
    #[serde(default)]
    pub campaign_id: Option<CampaignId>,
    #[serde(default)]
    pub disposition: Option<String>,
    #[serde(default)]
    pub rating: u8,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub lead_rep_id: Option<UserId>,
    #[serde(default)]
    pub account_number: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub next_followup: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub created_by: UserId,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub version: u64,
}

impl Record {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_move_one_step_at_a_time() {
        assert_eq!(Stage::New.next(), &[Stage::Contacted]);
        assert_eq!(Stage::Contacted.next(), &[Stage::Qualified, Stage::Unqualified]);
        assert_eq!(Stage::Unqualified.next(), &[Stage::New]);
        assert!(Stage::Qualified.next().is_empty());
        assert!(!Stage::New.next().contains(&Stage::Converted));
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()).unwrap(), s);
        }
        assert!(Stage::parse("won").is_err());
    }
}
