//! Editing an existing lead, and the field-by-field diff the history records.

use super::form::{
    boolean, industry, key_part, language, optional_id, optional_number, optional_text, required_id, required_text,
    text_value, NAME_MAX, TEXT_MAX,
};
use super::values::{date, AccountType, Ssn, StateCode, Zip};
use crate::error::Errors;
use crate::record::Record;
use crate::{text, AccountClassId, CampaignId, DispositionId, FieldError, Invalid, PartnerId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_json::{FromJson, ToJson};

/// Fields `PATCH /api/v1/leads/{id}` accepts (besides `version`): the registry's lead-editor fields.
pub fn editable_fields() -> impl Iterator<Item = &'static str> {
    crate::fields::lead_editable().map(|s| s.name)
}

/// One field's change, as the history records it. SSN changes carry no values at all.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// What an edit asks for beyond the profile fields themselves.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Edit {
    pub record: Option<Record>,
    pub changes: Vec<FieldChange>,
    /// `Some(None)` clears the SSN, `Some(Some(_))` sets it; the app encrypts.
    pub ssn: Option<Option<Ssn>>,
    /// References the app must check exist for the company.
    pub check_disposition: bool,
    pub check_source: bool,
    pub check_account_class: bool,
    /// The rating went to 5 with this edit: the owner gets an email.
    pub rated_five: bool,
}

/// Applies the fields sent to `current` (every problem reported at once) and lists what changed. `today` is
/// `YYYY-MM-DD`: a rating of 4 or 5 marks the lead hot and sets the next follow-up to today.
pub fn edit_lead(current: &Record, body: &Map<String, Value>, today: &str) -> Result<Edit, Invalid> {
    let mut e = Errors::new();
    let mut r = current.clone();
    let mut ssn = None;
    for (k, v) in body {
        let k = k.as_str();
        let some = Some(v);
        match k {
            "version" => {}
            "first_name" => e.take(required_text(k, some, NAME_MAX)).map(|s| r.first_name = s).unwrap_or(()),
            "last_name" => e.take(required_text(k, some, NAME_MAX)).map(|s| r.last_name = s).unwrap_or(()),
            "city" => {
                e.take(required_text(k, some, TEXT_MAX).and_then(|s| key_part(k, s))).map(|s| r.city = s).unwrap_or(())
            }
            "primary_phone" => e
                .take(required_text(k, some, 32).and_then(|p| text::phone_digits(k, &p)))
                .map(|s| r.primary_phone = s)
                .unwrap_or(()),
            "state" => e
                .take(required_text(k, some, 8).and_then(|s| StateCode::parse(k, &s)))
                .map(|s| r.state = s.as_str().into())
                .unwrap_or(()),
            "zip" => e.take(optional_text(k, some, 16)).map(|s| r.zip = s).unwrap_or(()),
            "business_name" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.business_name = s).unwrap_or(()),
            "address1" => e
                .take(optional_text(k, some, TEXT_MAX).and_then(|a| a.map(|s| key_part(k, s)).transpose()))
                .map(|s| r.address1 = s)
                .unwrap_or(()),
            "address2" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.lead.address2 = s).unwrap_or(()),
            "county" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.lead.county = s).unwrap_or(()),
            "cross_street" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.lead.cross_street = s).unwrap_or(()),
            "job_title" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.lead.job_title = s).unwrap_or(()),
            "website" => e
                .take(optional_text(k, some, TEXT_MAX).and_then(|w| w.map(|w| text::website(k, &w)).transpose()))
                .map(|s| r.lead.website = s)
                .unwrap_or(()),
            "timeline" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.lead.timeline = s).unwrap_or(()),
            "email" => e
                .take(optional_text(k, some, 254).and_then(|m| m.map(|m| text::email(k, &m)).transpose()))
                .map(|s| r.email = s)
                .unwrap_or(()),
            "language" => e.take(language(k, some)).map(|s| r.lead.language = s).unwrap_or(()),
            "industry" => e.take(industry(k, some)).map(|s| r.lead.industry = s).unwrap_or(()),
            "account_type" => e
                .take(required_text(k, some, 16).and_then(|t| AccountType::parse(k, &t)))
                .map(|t| r.lead.account_type = t)
                .unwrap_or(()),
            "account_class_id" => {
                e.take(optional_id(k, some)).map(|id| r.lead.account_class_id = id.map(AccountClassId)).unwrap_or(())
            }
            "disposition_id" => {
                e.take(required_id(k, some)).map(|id| r.lead.disposition_id = Some(DispositionId(id))).unwrap_or(())
            }
            "source_id" => e.take(required_id(k, some)).map(|id| r.source_id = Some(PartnerId(id))).unwrap_or(()),
            "campaign_id" => e.take(optional_id(k, some)).map(|id| r.campaign_id = id.map(CampaignId)).unwrap_or(()),
            "annual_revenue" => {
                e.take(optional_number(k, some, 1_000_000_000_000)).map(|n| r.lead.annual_revenue = n).unwrap_or(())
            }
            "budget" => e.take(optional_number(k, some, 1_000_000_000_000)).map(|n| r.lead.budget = n).unwrap_or(()),
            "employees" => e
                .take(optional_number(k, some, 10_000_000))
                .map(|n| r.lead.employees = n.map(|n| n as u32))
                .unwrap_or(()),
            "web_visits" => e
                .take(optional_number(k, some, 1_000_000))
                .map(|n| r.lead.web_visits = n.unwrap_or(0) as u32)
                .unwrap_or(()),
            "webinars_attended" => e
                .take(optional_number(k, some, 10_000))
                .map(|n| r.lead.webinars_attended = n.unwrap_or(0) as u32)
                .unwrap_or(()),
            "next_followup" => e
                .take(optional_text(k, some, 10).and_then(|d| d.map(|d| date(k, &d)).transpose()))
                .map(|d| r.next_followup = d)
                .unwrap_or(()),
            "email_opt_out" => e.take(boolean(k, v)).map(|b| r.lead.email_opt_out = b).unwrap_or(()),
            "do_not_call" => e.take(boolean(k, v)).map(|b| r.lead.do_not_call = b).unwrap_or(()),
            "rating" => e
                .take(match v.as_u64() {
                    Some(n) if n <= 5 => Ok(n as u8),
                    _ => Err(FieldError::new(k, "invalid", "rating must be a whole number from 0 to 5")),
                })
                .map(|n| r.rating = n)
                .unwrap_or(()),
            "ssn" => match text_value(k, v).and_then(|s| s.map(|s| Ssn::parse(k, s)).transpose()) {
                Ok(s) => ssn = Some(s),
                Err(err) => e.push(err),
            },
            "id" | "kind" | "stage" | "tags" | "score" | "score_factors" | "created_at" | "created_by" | "archived" => {
                e.push(FieldError::new(k, "read_only", "cannot be changed here"))
            }
            other => e.push(FieldError::new(other, "unknown", "is not a field of a lead")),
        }
    }
    // The ZIP must fit the state as it will be.
    if body.contains_key("zip") || body.contains_key("state") {
        let state = StateCode::parse("state", &r.state).ok();
        if let Some(z) = r.zip.clone() {
            match Zip::parse("zip", &z, state.as_ref()) {
                Ok(z) => r.zip = Some(z.as_str().to_owned()),
                Err(err) => e.push(err),
            }
        }
    }
    if body.contains_key("campaign_id")
        && !body.contains_key("source_id")
        && r.campaign_id.is_some()
        && r.source_id.is_none()
    {
        e.push(FieldError::new("campaign_id", "invalid", "choose a source before a campaign"));
    }
    e.finish()?;
    if r.rating >= 4 && r.rating != current.rating {
        r.lead.hot = true;
        r.next_followup = Some(today.to_owned());
    } else if r.rating < 4 {
        r.lead.hot = false;
    }
    let changes = diff(current, &r);
    let mut edit = Edit {
        check_disposition: body.contains_key("disposition_id") && r.lead.disposition_id != current.lead.disposition_id,
        check_source: (body.contains_key("source_id") || body.contains_key("campaign_id"))
            && (r.source_id != current.source_id || r.campaign_id != current.campaign_id),
        check_account_class: body.contains_key("account_class_id")
            && r.lead.account_class_id.is_some()
            && r.lead.account_class_id != current.lead.account_class_id,
        rated_five: r.rating == 5 && current.rating != 5,
        changes,
        ssn: None,
        record: None,
    };
    if let Some(s) = ssn {
        let had = current.lead.ssn_encrypted.is_some();
        if had || s.is_some() {
            let marker = |present: bool| if present { Value::String("***".into()) } else { Value::Null };
            edit.changes.push(FieldChange {
                field: "ssn".into(),
                before: marker(had),
                after: Value::String("changed".into()),
            });
            edit.ssn = Some(s);
        }
    }
    edit.record = Some(r);
    Ok(edit)
}

/// The fields that differ between two versions of a record, as history entries. SSN ciphertext, the blind index,
/// the score and bookkeeping fields are left out (the score follows from the others).
pub fn diff(before: &Record, after: &Record) -> Vec<FieldChange> {
    let (Value::Object(a), Value::Object(b)) = (before.to_json(), after.to_json()) else {
        return vec![];
    };
    const SKIP: &[&str] = &[
        "version",
        "score",
        "score_factors",
        "ssn_encrypted",
        "ssn_last4_index",
        "ssn_last4",
        "updated_at",
        "updated_by",
    ];
    let mut keys: Vec<&String> = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))).collect();
    crate::small_sort::sort_by(&mut keys, |x, y| x.cmp(y));
    keys.into_iter()
        .filter(|k| !SKIP.contains(&k.as_str()))
        .filter_map(|k| {
            let x = a.get(k).cloned().unwrap_or(Value::Null);
            let y = b.get(k).cloned().unwrap_or(Value::Null);
            (x != y).then(|| FieldChange { field: k.clone(), before: x, after: y })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn edits_validate_zip_against_the_new_state_and_rating_marks_hot() {
        let r = crate::record::tests::sample();
        let body = json!({"version": 1, "state": "ON"});
        let err = edit_lead(&r, body.as_object().unwrap(), "2026-01-02").unwrap_err();
        assert_eq!(err.errors[0].field, "zip");
        let body = json!({"version": 1, "rating": 5, "job_title": "CEO", "ssn": "123-45-6789"});
        let edit = edit_lead(&r, body.as_object().unwrap(), "2026-01-02").unwrap();
        let after = edit.record.unwrap();
        assert!(after.lead.hot);
        assert_eq!(after.next_followup.as_deref(), Some("2026-01-02"));
        assert!(edit.rated_five);
        let ssn_change = edit.changes.iter().find(|c| c.field == "ssn").unwrap();
        assert!(!ssn_change.after.to_string().contains("6789"));
        assert!(edit.changes.iter().any(|c| c.field == "job_title"));
        let bad = json!({"version": 1, "rating": 9, "first_name": "", "id": 4});
        assert_eq!(edit_lead(&r, bad.as_object().unwrap(), "2026-01-02").unwrap_err().errors.len(), 3);
    }

    #[test]
    fn the_editor_knows_every_editable_field_of_the_registry() {
        let r = crate::record::tests::sample();
        for f in editable_fields() {
            let body = json!({ f: null });
            if let Err(inv) = edit_lead(&r, body.as_object().unwrap(), "2026-01-02") {
                assert!(inv.errors.iter().all(|e| e.code != "unknown"), "{f}: {:?}", inv.errors);
            }
        }
    }
}
