//! A lead and a customer are one record: converting a lead keeps its ID and turns it into a customer.

use crate::lead::AccountType;
use crate::{AccountClassId, CampaignId, DispositionId, FieldError, LocationId, PartnerId, RecordId, TagId, UserId};
use serde::{Deserialize, Serialize};
use vigil_json::{FromJson, ToJson};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    Lead,
    Customer,
}

/// The pipeline every lead moves through, one step at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
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
        Stage::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| {
            FieldError::new(
                "stage",
                "invalid",
                "stage must be one of new, contacted, qualified, unqualified, converted",
            )
        })
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

    /// A move by hand from this stage to `to`: allowed only to one of [`Stage::next`]; the error names those.
    pub fn move_to(self, to: Stage) -> Result<Stage, FieldError> {
        if self.next().contains(&to) {
            return Ok(to);
        }
        let allowed: Vec<&str> = self.next().iter().map(|s| s.as_str()).collect();
        let message = if to == Stage::Converted {
            "a lead becomes converted only by converting it to a customer".to_owned()
        } else if allowed.is_empty() {
            format!("a {} lead cannot move to another stage", self.as_str())
        } else {
            format!("a {} lead can move only to {}", self.as_str(), allowed.join(" or "))
        };
        Err(FieldError::new("to", "invalid_transition", message))
    }
}

/// One factor's share of a lead's score.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ScoreFactor {
    /// `company_size`, `industry_fit`, `title_seniority` or `engagement`.
    pub factor: String,
    /// The most this factor can add (the admin's weight).
    pub weight: u8,
    /// What it adds for this lead.
    pub points: u8,
}

/// The New Lead form's extra fields, the qualification fields of the second product, the score and the encrypted
/// SSN. Flattened into [`Record`], so the stored item and the JSON stay flat and old items (without these
/// attributes) still read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct LeadFields {
    pub address2: Option<String>,
    pub county: Option<String>,
    pub cross_street: Option<String>,
    /// A code of [`crate::lead::LANGUAGES`].
    pub language: Option<String>,
    pub account_type: AccountType,
    pub account_class_id: Option<AccountClassId>,
    /// The company lead status; `Record::disposition` keeps its name for lists.
    pub disposition_id: Option<DispositionId>,
    pub job_title: Option<String>,
    /// One of [`crate::lead::INDUSTRIES`].
    pub industry: Option<String>,
    /// US dollars a year.
    pub annual_revenue: Option<u64>,
    pub employees: Option<u32>,
    pub website: Option<String>,
    /// US dollars.
    pub budget: Option<u64>,
    pub timeline: Option<String>,
    pub email_opt_out: bool,
    pub do_not_call: bool,
    /// Engagement events counted so far.
    pub web_visits: u32,
    pub webinars_attended: u32,
    /// Rated 4 stars or more.
    pub hot: bool,
    /// 0–100, recomputed on every create and update.
    pub score: u8,
    pub score_factors: Vec<ScoreFactor>,
    /// AES-GCM ciphertext of the SSN (base64 of nonce + ciphertext). Never sent to clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(skip))]
    pub ssn_encrypted: Option<String>,
    /// Keyed hash of the SSN's last four digits (`vigil_app::ssn::ssn_last4_blind_index`): numeric search matches on
    /// it without decrypting anything. Never sent to clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(skip))]
    pub ssn_last4_index: Option<String>,
    /// RFC 3339, UTC, and who, of the last change.
    pub updated_at: Option<String>,
    pub updated_by: Option<UserId>,
    /// Where the lead sits in the lead queue; absent on leads stored before the queue existed and on leads typed in
    /// by hand, which read as [`LeadLocation::default_for`] says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<LeadLocation>,
    /// The sort key of the lead's queue index item while it waits in the queue (so leaving the queue deletes exactly
    /// that item). Never sent to clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(skip))]
    pub queue_sk: Option<String>,
    /// The customer cards' fields (sale, installation, more personal information, parent link, lifecycle).
    #[serde(flatten)]
    pub customer: crate::customer::CustomerFields,
}

/// The profile item of a lead or customer: what lists, headers and the seed need. Later features add fields.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
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
    /// The company tag IDs on this record, as decimal strings (`"3"`), sorted numerically, no repeats; names come
    /// from `GET /api/v1/tags`. Set through `PUT /api/v1/leads/{id}/tags`; the list's tag filters (`tags=3,7`) and
    /// per-tag counters read this. [`Record::tag_ids`] gives them typed.
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
    #[serde(flatten)]
    pub lead: LeadFields,
}

impl Record {
    pub fn tag_ids(&self) -> Vec<TagId> {
        self.tags.iter().filter_map(|t| TagId::parse(t).ok()).collect()
    }

    /// Stores tag IDs the way [`Record::tags`] holds them.
    pub fn set_tag_ids(&mut self, ids: &[TagId]) {
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        self.tags = ids.into_iter().map(|t| t.to_string()).collect();
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// Where a lead is in the lead queue (the manual's Pending and Queue, and what becomes of a queued lead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeadLocation {
    /// Needs action before anyone works it; seen only with the Pending permission.
    Pending,
    /// Waiting for a lead rep to request it.
    Queue,
    /// Held by a lead rep.
    Assigned,
    /// Pushed back to the partner that sold it.
    Returned,
    Invalid,
}

impl LeadLocation {
    pub const ALL: [LeadLocation; 5] = [
        LeadLocation::Pending,
        LeadLocation::Queue,
        LeadLocation::Assigned,
        LeadLocation::Returned,
        LeadLocation::Invalid,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            LeadLocation::Pending => "pending",
            LeadLocation::Queue => "queue",
            LeadLocation::Assigned => "assigned",
            LeadLocation::Returned => "returned",
            LeadLocation::Invalid => "invalid",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|l| l.as_str() == s.trim()).ok_or_else(|| {
            FieldError::new(field, "invalid", "must be one of pending, queue, assigned, returned, invalid")
        })
    }

    /// The location of a lead that has none stored (typed in by hand, or older than the queue): a lead someone
    /// already holds is theirs, any other waits in the queue. Pending is never a default, since it hides the lead
    /// from everyone without the Pending permission.
    pub fn default_for(lead_rep: Option<&UserId>) -> Self {
        if lead_rep.is_some() {
            LeadLocation::Assigned
        } else {
            LeadLocation::Queue
        }
    }
}

impl Record {
    /// The lead's queue location, stored or defaulted.
    pub fn location(&self) -> LeadLocation {
        self.lead.location.unwrap_or_else(|| LeadLocation::default_for(self.lead_rep_id.as_ref()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> Record {
        Record {
            id: RecordId(7),
            kind: Kind::Lead,
            stage: Stage::New,
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            business_name: None,
            email: None,
            primary_phone: "8015550101".into(),
            address1: None,
            city: "Provo".into(),
            state: "UT".into(),
            zip: Some("84601".into()),
            office_location_id: Some(LocationId(1)),
            source_id: Some(PartnerId(1)),
            campaign_id: None,
            disposition: None,
            rating: 0,
            tags: vec![],
            lead_rep_id: None,
            account_number: None,
            next_followup: None,
            created_at: "2026-01-01T00:00:00.000Z".into(),
            created_by: UserId::parse("u").unwrap(),
            archived: false,
            version: 1,
            lead: LeadFields::default(),
        }
    }

    #[test]
    fn moves_outside_next_name_the_allowed_stages() {
        assert_eq!(Stage::New.move_to(Stage::Contacted).unwrap(), Stage::Contacted);
        let e = Stage::New.move_to(Stage::Qualified).unwrap_err();
        assert!(e.message.contains("contacted"), "{}", e.message);
        let e = Stage::Contacted.move_to(Stage::New).unwrap_err();
        assert!(e.message.contains("qualified or unqualified"), "{}", e.message);
        assert!(Stage::Qualified.move_to(Stage::Converted).is_err());
        assert_eq!(Stage::Unqualified.move_to(Stage::New).unwrap(), Stage::New);
        assert!(Stage::Qualified.move_to(Stage::New).is_err());
    }

    #[test]
    fn old_items_without_lead_fields_still_read() {
        let mut v = serde_json::to_value(sample()).unwrap();
        for k in ["address2", "score", "score_factors", "hot", "account_type", "web_visits"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v["PK"] = serde_json::json!("C#acme#R#1");
        let r: Record = serde_json::from_value(v).unwrap();
        assert_eq!(r.lead, LeadFields::default());
    }

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
