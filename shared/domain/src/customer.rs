//! The customer side of a record: the fields of the Sale, Installation & Equipment and extra Personal Information
//! cards and how a field sent in a `PATCH` is parsed. Which card (section grant) each field belongs to and which are
//! confidential is in [`crate::fields`]. Lead-only fields live in [`crate::record::LeadFields`]; these are flattened into it so the
//! stored profile stays one flat item.

use crate::fields::{self, Parse};
use crate::record::Record;
use crate::{text, ConfidentialField, FieldError, RecordId, Section, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_json::{FromJson, ToJson};

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct CustomerFields {
    // Personal Information (leads too).
    /// `YYYY-MM-DD`; confidential.
    pub birthdate: Option<String>,
    pub work_phone: Option<String>,
    pub cell_phone: Option<String>,
    pub other_phone: Option<String>,
    pub best_time_to_contact: Option<String>,
    pub spouse: Option<String>,
    pub credit_score: Option<u32>,
    pub credit_tracking_number: Option<String>,
    pub business_contact: Option<String>,
    // Sale Information.
    pub sale_date: Option<String>,
    pub sold_by_id: Option<UserId>,
    pub trainee_id: Option<UserId>,
    pub adt_number: Option<String>,
    pub adt_serial: Option<String>,
    /// One of the company's MMR rates (`GET /api/v1/customers/form-options` `mmr_rates`).
    pub mmr_id: Option<u32>,
    pub mmr_a_la_carte: bool,
    pub monitoring_plan: Option<String>,
    pub canceled: bool,
    pub cancel_date: Option<String>,
    pub cancel_reason: Option<String>,
    pub discount_affiliate: Option<String>,
    pub discount_affiliate_member_number: Option<String>,
    pub monitoring_company_id: Option<u32>,
    pub interactive_services_provider: Option<String>,
    pub adt_system_type: Option<String>,
    pub contract_term_months: Option<u32>,
    pub activation_fee_id: Option<u32>,
    pub warranty_term: Option<String>,
    pub dealer_number: Option<String>,
    pub collections_date: Option<String>,
    /// Who took the lead at the call center (set by conversion); read-only.
    pub call_center_rep_id: Option<UserId>,
    /// The customer's account at its central station; while set, Monitored By cannot change. Set by the central
    /// station link, never by a `PATCH`.
    pub central_station_account: Option<String>,
    /// Read-only here (set by funding).
    pub funding_status: Option<String>,
    pub funded_date: Option<String>,
    // Installation & Equipment.
    pub install_date: Option<String>,
    pub install_tech_id: Option<UserId>,
    pub confirmation_number: Option<String>,
    pub receiver_number: Option<String>,
    pub installed: bool,
    pub abort_code: Option<String>,
    /// Codes of [`SERVICES`].
    pub services: Vec<String>,
    /// The user the install technician reports to (Installation card).
    pub install_tech_reports_to_id: Option<UserId>,
    /// One of the customer's scheduled install (`tech`) appointments.
    pub install_appointment_id: Option<u32>,
    /// One of the company's ADC receiver phones; choosing one fills the receiver number.
    pub adc_receiver_phone: Option<String>,
    // Lead information (a customer's, kept from its lead or entered on the customer).
    /// `YYYY-MM-DD`.
    pub callback_date: Option<String>,
    /// One of the company's lead dispositions.
    pub lead_disposition_id: Option<u32>,
    /// A code of [`LEAD_STATUSES`].
    pub lead_status: Option<String>,
    pub callcenter_comments: Option<String>,
    pub lead_comments: Option<String>,
    // Family and lifecycle.
    /// The parent customer this sub-customer bills through.
    pub parent_id: Option<RecordId>,
    pub archived_at: Option<String>,
    pub converted_at: Option<String>,
    pub converted_by: Option<UserId>,
    /// Set first when a delete starts, so a crashed delete is resumed (and the record is gone for readers).
    pub deleting: bool,
    /// User-defined field values: definition ID (decimal string) → value as JSON, parsed by
    /// [`crate::custom_field`]. Left out of the item when empty, so older items read and write unchanged.
    #[serde(skip_serializing_if = "crate::sorted::SortedMap::is_empty")]
    pub custom_fields: crate::sorted::SortedMap<String, Value>,
}

/// The Services checkboxes of the installation card.
pub const SERVICES: &[(&str, &str)] = &[
    ("two_way_voice", "2-Way Voice"),
    ("cellular_backup", "Cellular Backup"),
    ("guard_response", "Guard Response"),
    ("maintenance", "Maintenance"),
    ("invoicing", "Invoicing"),
    ("aarp", "AARP"),
    ("tellular", "Tellular"),
    ("pulse", "Pulse"),
];

/// The Lead Status of a customer's lead information: where the lead stood in the lead queue.
pub const LEAD_STATUSES: &[(&str, &str)] = &[
    ("pending", "Pending"),
    ("queue", "Queue"),
    ("assigned", "Assigned"),
    ("returned", "Returned"),
    ("invalid", "Invalid"),
];

/// The Lead Status at which the lead information shows the lead rep (to lead admins).
pub const LEAD_STATUS_WITH_REP: &str = "assigned";

/// The service only an ADT monitoring company provides.
pub const ADT_ONLY_SERVICE: &str = "pulse";

/// Which card a field sits on; its section grant decides who may see and change it.
pub fn section_of(field: &str) -> Option<Section> {
    fields::spec(field).and_then(|s| s.section)
}

/// The confidential grant a field needs to be seen (and changed once set).
pub fn confidential(field: &str) -> Option<ConfidentialField> {
    fields::spec(field).and_then(|s| s.confidential)
}

/// The credit score's letter grade, shown beside the number.
pub fn credit_grade(score: u32) -> &'static str {
    match score {
        700.. => "A",
        650..=699 => "B",
        600..=649 => "C",
        550..=599 => "D",
        _ => "F",
    }
}

/// Whole months left on a contract of `term` months that started on `start` (`YYYY-MM-DD`), as of `today`.
pub fn months_remaining(start: &str, term: u32, today: &str) -> Option<u32> {
    let ym = |s: &str| -> Option<(i64, i64, i64)> {
        Some((s.get(0..4)?.parse().ok()?, s.get(5..7)?.parse().ok()?, s.get(8..10)?.parse().ok()?))
    };
    let (sy, sm, sd) = ym(start)?;
    let (ty, tm, td) = ym(today)?;
    let mut elapsed = (ty - sy) * 12 + (tm - sm);
    if td < sd {
        elapsed -= 1;
    }
    Some((term as i64 - elapsed.max(0)).clamp(0, term as i64) as u32)
}

fn text_of(field: &str, v: &Value, max: usize) -> Result<Option<String>, FieldError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) if s.trim().chars().count() > max => {
            Err(FieldError::new(field, "too_long", format!("at most {max} characters")))
        }
        Value::String(s) => Ok(Some(s.trim().to_owned())),
        _ => Err(FieldError::new(field, "invalid", "must be text")),
    }
}

fn date_of(field: &str, v: &Value) -> Result<Option<String>, FieldError> {
    text_of(field, v, 10)?.map(|d| crate::lead::date(field, &d)).transpose()
}

fn number_of(field: &str, v: &Value, max: u64) -> Result<Option<u64>, FieldError> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_u64()
            .filter(|n| *n <= max)
            .map(Some)
            .ok_or_else(|| FieldError::new(field, "invalid", format!("must be a whole number up to {max}"))),
        _ => Err(FieldError::new(field, "invalid", "must be a number")),
    }
}

fn id_of(field: &str, v: &Value) -> Result<Option<u32>, FieldError> {
    match number_of(field, v, u32::MAX as u64) {
        Ok(Some(0)) | Err(_) => Err(FieldError::new(field, "invalid", "must be an ID (a positive whole number)")),
        Ok(n) => Ok(n.map(|n| n as u32)),
    }
}

fn user_of(field: &str, v: &Value) -> Result<Option<UserId>, FieldError> {
    text_of(field, v, 128)?
        .map(|s| UserId::parse(&s).map_err(|_| FieldError::new(field, "invalid", "must be a user ID")))
        .transpose()
}

fn bool_of(field: &str, v: &Value) -> Result<bool, FieldError> {
    v.as_bool().ok_or_else(|| FieldError::new(field, "invalid", "must be true or false"))
}

fn phone_of(field: &str, v: &Value) -> Result<Option<String>, FieldError> {
    text_of(field, v, 32)?.map(|p| text::phone_digits(field, &p)).transpose()
}

/// Applies one customer-card field (not the personal fields the lead editor parses) to `r`, as its
/// [`fields::Parse`] rule says. `Ok(false)` when the field is not one of these.
pub fn apply_field(r: &mut Record, field: &str, v: &Value) -> Result<bool, FieldError> {
    let Some(spec) = fields::spec(field) else { return Ok(false) };
    match spec.parse {
        Parse::Lead | Parse::Location | Parse::ReadOnly | Parse::Computed => return Ok(false),
        Parse::Text(max, slot) => *slot(r) = text_of(field, v, max)?,
        Parse::Date(slot) => *slot(r) = date_of(field, v)?,
        Parse::Phone(slot) => *slot(r) = phone_of(field, v)?,
        Parse::Whole(max, slot) => *slot(r) = number_of(field, v, max)?.map(|n| n as u32),
        Parse::Id(slot) => *slot(r) = id_of(field, v)?,
        Parse::User(slot) => *slot(r) = user_of(field, v)?,
        Parse::Flag(slot) => *slot(r) = bool_of(field, v)?,
        Parse::Services(slot) => *slot(r) = services_of(field, v)?,
        Parse::OneOf(list, slot) => *slot(r) = one_of(field, v, list)?,
        Parse::Parent(slot) => *slot(r) = parent_of(field, v)?,
    }
    // Rules across fields (a cancel date needs Account Is Canceled) are the caller's, checked once the whole body is
    // applied: a body's fields arrive in no particular order.
    Ok(true)
}

fn one_of(field: &str, v: &Value, list: &[(&str, &str)]) -> Result<Option<String>, FieldError> {
    match text_of(field, v, 32)? {
        Some(code) if !list.iter().any(|(c, _)| *c == code) => {
            Err(FieldError::new(field, "invalid", "choose one of the listed values"))
        }
        code => Ok(code),
    }
}

fn services_of(field: &str, v: &Value) -> Result<Vec<String>, FieldError> {
    let list = v.as_array().ok_or_else(|| FieldError::new(field, "invalid", "must be a list of service codes"))?;
    let mut out = Vec::new();
    for s in list {
        match s.as_str().filter(|s| SERVICES.iter().any(|(code, _)| code == s)) {
            Some(s) if !out.iter().any(|o: &String| o == s) => out.push(s.to_owned()),
            Some(_) => {}
            None => return Err(FieldError::new(field, "invalid", "unknown service code")),
        }
    }
    out.sort();
    Ok(out)
}

fn parent_of(field: &str, v: &Value) -> Result<Option<RecordId>, FieldError> {
    match v {
        Value::Null => Ok(None),
        v => Ok(Some(RecordId(
            number_of(field, v, u64::MAX)?
                .filter(|n| *n > 0)
                .ok_or_else(|| FieldError::new(field, "invalid", "must be a customer ID"))?,
        ))),
    }
}

/// Lead-only fields that go away when a lead becomes a customer.
pub fn clear_lead_only(r: &mut Record) {
    r.disposition = None;
    r.rating = 0;
    r.next_followup = None;
    let l = &mut r.lead;
    l.disposition_id = None;
    l.job_title = None;
    l.industry = None;
    l.annual_revenue = None;
    l.employees = None;
    l.website = None;
    l.budget = None;
    l.timeline = None;
    l.web_visits = 0;
    l.webinars_attended = 0;
    l.hot = false;
    l.score = 0;
    l.score_factors = vec![];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_and_months_remaining() {
        assert_eq!(credit_grade(720), "A");
        assert_eq!(credit_grade(610), "C");
        assert_eq!(credit_grade(400), "F");
        assert_eq!(months_remaining("2025-01-15", 36, "2026-01-20"), Some(24));
        assert_eq!(months_remaining("2025-01-15", 36, "2026-01-10"), Some(25));
        assert_eq!(months_remaining("2020-01-01", 12, "2026-01-01"), Some(0));
    }

    #[test]
    fn fields_parse_and_sections_are_known() {
        let mut r = crate::record::tests::sample();
        assert!(apply_field(&mut r, "services", &serde_json::json!(["pulse", "aarp", "pulse"])).unwrap());
        assert_eq!(r.lead.customer.services, ["aarp", "pulse"]);
        assert!(apply_field(&mut r, "sale_date", &serde_json::json!("2026-02-30")).is_err());
        assert!(!apply_field(&mut r, "rating", &serde_json::json!(3)).unwrap());
        assert_eq!(section_of("abort_code"), Some(Section::InstallationEquipment));
        assert_eq!(section_of("parent_id"), Some(Section::SaleInformation));
        assert_eq!(confidential("birthdate"), Some(ConfidentialField::Birthdate));
    }
}
