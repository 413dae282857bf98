//! The New Lead form, and the key under which two leads are duplicates.

use super::form::{key_part, language, optional_id, optional_text, required_id, required_text, NAME_MAX, TEXT_MAX};
use super::values::{AccountType, StateCode, Zip};
use crate::error::Errors;
use crate::{text, AccountClassId, CampaignId, DispositionId, FieldError, Invalid, PartnerId};
use serde_json::{Map, Value};

/// The fields of the New Lead form.
pub const NEW_LEAD_FIELDS: &[&str] = &[
    "source_id",
    "campaign_id",
    "first_name",
    "last_name",
    "language",
    "primary_phone",
    "account_type",
    "account_class_id",
    "disposition_id",
    "city",
    "state",
    "zip",
    "address1",
    "address2",
    "county",
    "cross_street",
    "email",
];

/// A New Lead form that passed every rule the form itself can check. Whether the source, campaign, status and
/// account class exist for the company is the app's to check.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLead {
    pub source_id: PartnerId,
    pub campaign_id: Option<CampaignId>,
    pub first_name: String,
    pub last_name: String,
    pub language: Option<String>,
    pub primary_phone: String,
    pub account_type: AccountType,
    pub account_class_id: Option<AccountClassId>,
    pub disposition_id: DispositionId,
    pub city: String,
    pub state: StateCode,
    pub zip: Option<Zip>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub county: Option<String>,
    pub cross_street: Option<String>,
    pub email: Option<String>,
}

impl NewLead {
    /// Reads the form (a JSON object); every bad field is reported, not only the first.
    pub fn parse(form: &Map<String, Value>) -> Result<Self, Invalid> {
        let mut e = Errors::new();
        for k in form.keys() {
            if !NEW_LEAD_FIELDS.contains(&k.as_str()) {
                e.push(FieldError::new(k.as_str(), "unknown", "is not a field of the New Lead form"));
            }
        }
        let f = |k: &str| form.get(k);
        let source_id = e.take(required_id("source_id", f("source_id")));
        let campaign_id = e.take(optional_id("campaign_id", f("campaign_id")));
        let first_name = e.take(required_text("first_name", f("first_name"), NAME_MAX));
        let last_name = e.take(required_text("last_name", f("last_name"), NAME_MAX));
        let language = e.take(language("language", f("language")));
        let primary_phone = e.take(
            required_text("primary_phone", f("primary_phone"), 32)
                .and_then(|p| text::phone_digits("primary_phone", &p)),
        );
        let account_type = e.take(
            optional_text("account_type", f("account_type"), 16)
                .and_then(|t| t.map(|t| AccountType::parse("account_type", &t)).transpose()),
        );
        let account_class_id = e.take(optional_id("account_class_id", f("account_class_id")));
        let disposition_id = e.take(required_id("disposition_id", f("disposition_id")));
        let city = e.take(required_text("city", f("city"), TEXT_MAX).and_then(|s| key_part("city", s)));
        let state = e.take(required_text("state", f("state"), 8).and_then(|s| StateCode::parse("state", &s)));
        // With a bad state the ZIP is checked as if no state was given.
        let zip = e.take(
            optional_text("zip", f("zip"), 16)
                .and_then(|z| z.map(|z| Zip::parse("zip", &z, state.as_ref())).transpose()),
        );
        let address1 = e.take(
            optional_text("address1", f("address1"), TEXT_MAX)
                .and_then(|a| a.map(|s| key_part("address1", s)).transpose()),
        );
        let address2 = e.take(optional_text("address2", f("address2"), TEXT_MAX));
        let county = e.take(optional_text("county", f("county"), TEXT_MAX));
        let cross_street = e.take(optional_text("cross_street", f("cross_street"), TEXT_MAX));
        let email = e.take(
            optional_text("email", f("email"), 254).and_then(|m| m.map(|m| text::email("email", &m)).transpose()),
        );
        e.finish()?;
        let missing = || Invalid::one("form", "invalid", "form could not be read");
        Ok(NewLead {
            source_id: PartnerId(source_id.ok_or_else(missing)?),
            campaign_id: campaign_id.ok_or_else(missing)?.map(CampaignId),
            first_name: first_name.ok_or_else(missing)?,
            last_name: last_name.ok_or_else(missing)?,
            language: language.ok_or_else(missing)?,
            primary_phone: primary_phone.ok_or_else(missing)?,
            account_type: account_type.ok_or_else(missing)?.unwrap_or_default(),
            account_class_id: account_class_id.ok_or_else(missing)?.map(AccountClassId),
            disposition_id: DispositionId(disposition_id.ok_or_else(missing)?),
            city: city.ok_or_else(missing)?,
            state: state.ok_or_else(missing)?,
            zip: zip.ok_or_else(missing)?,
            address1: address1.ok_or_else(missing)?,
            address2: address2.ok_or_else(missing)?,
            county: county.ok_or_else(missing)?,
            cross_street: cross_street.ok_or_else(missing)?,
            email: email.ok_or_else(missing)?,
        })
    }
}

/// The key under which leads count as duplicates of each other: same name, same phone, same street address (case,
/// spacing and punctuation ignored). The app stores a lookup item per key, so the check is one query, never a scan.
pub fn duplicate_key(first: &str, last: &str, phone_digits: &str, address1: Option<&str>) -> String {
    let norm = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    format!("{}|{}|{}|{}", norm(last), norm(first), phone_digits, norm(address1.unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn good_form() -> Map<String, Value> {
        json!({"source_id": 1, "first_name": "Ann", "last_name": "Lee", "primary_phone": "(801) 555-0101",
               "disposition_id": 2, "city": "Provo", "state": "UT", "zip": "84601"})
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn new_lead_parses_and_defaults_to_residential() {
        let lead = NewLead::parse(&good_form()).unwrap();
        assert_eq!(lead.primary_phone, "8015550101");
        assert_eq!(lead.account_type, AccountType::Residential);
        assert_eq!(lead.state.as_str(), "UT");
    }

    #[test]
    fn new_lead_reports_every_bad_field() {
        let form = json!({"zip": "22", "email": "nope", "city": "x".repeat(256), "state": "UT", "account_type": "castle", "bogus": 1});
        let err = NewLead::parse(form.as_object().unwrap()).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "source_id",
            "first_name",
            "last_name",
            "primary_phone",
            "disposition_id",
            "city",
            "zip",
            "email",
            "account_type",
            "bogus",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        assert!(!fields.contains(&"state"));
    }

    #[test]
    fn duplicate_keys_ignore_case_and_punctuation() {
        assert_eq!(
            duplicate_key("Ann", "O'Brien", "8015550101", Some("12 Main St.")),
            duplicate_key("ann", "obrien", "8015550101", Some("12 main st"))
        );
        assert_ne!(duplicate_key("Ann", "Lee", "8015550101", None), duplicate_key("Ann", "Lee", "8015550102", None));
    }
}
