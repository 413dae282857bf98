//! Checking a new sub-record's fields against its collection.

use super::collection::Collection;
use serde_json::{Map, Value};
use vigil_domain::{FieldError, Invalid};

fn text(
    data: &Map<String, Value>,
    field: &str,
    required: bool,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match data.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            if s.chars().count() > max {
                errors.push(FieldError::new(field, "too_long", format!("at most {max} characters")));
                None
            } else {
                Some(s.trim().to_owned())
            }
        }
        None | Some(Value::Null) | Some(Value::String(_)) if required => {
            errors.push(FieldError::required(field));
            None
        }
        None | Some(Value::Null) | Some(Value::String(_)) => None,
        Some(_) => {
            errors.push(FieldError::new(field, "invalid", "must be text"));
            None
        }
    }
}

fn date(data: &Map<String, Value>, field: &str, required: bool, errors: &mut Vec<FieldError>) -> Option<String> {
    let d = text(data, field, required, 10, errors)?;
    match vigil_domain::lead::date(field, &d) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

fn cents(data: &Map<String, Value>, field: &str, errors: &mut Vec<FieldError>) -> Option<u64> {
    match data.get(field).and_then(Value::as_u64) {
        Some(n) if n > 0 && n <= 100_000_000 => Some(n),
        _ => {
            errors.push(FieldError::new(field, "invalid", "must be an amount in cents, more than 0"));
            None
        }
    }
}

/// Validates a create body and returns the stored `data`.
pub(super) fn validate(c: Collection, body: &Map<String, Value>) -> Result<Map<String, Value>, Invalid> {
    let mut e = Vec::new();
    let mut out = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            out.insert(k.into(), v);
        }
    };
    match c {
        Collection::Notes => {
            put("text", text(body, "text", true, 4000, &mut e).map(Value::from));
            let ticket = body.get("ticket").and_then(Value::as_bool).unwrap_or(false);
            put("ticket", Some(Value::Bool(ticket)));
            put("assignee_id", text(body, "assignee_id", false, 128, &mut e).map(Value::from));
            put("due_date", date(body, "due_date", false, &mut e).map(Value::from));
        }
        Collection::Contacts => {
            put("name", text(body, "name", true, 200, &mut e).map(Value::from));
            let phone = text(body, "phone", true, 32, &mut e)
                .and_then(|p| vigil_domain::text::phone_digits("phone", &p).map_err(|x| e.push(x)).ok());
            put("phone", phone.map(Value::from));
            put("relation", text(body, "relation", false, 100, &mut e).map(Value::from));
        }
        Collection::Equipment => {
            put("name", text(body, "name", true, 200, &mut e).map(Value::from));
            let q = body.get("quantity").map(|v| v.as_u64().filter(|n| (1..=10_000).contains(n))).unwrap_or(Some(1));
            if q.is_none() {
                e.push(FieldError::new("quantity", "invalid", "must be a whole number from 1"));
            }
            put("quantity", q.map(Value::from));
            put("zone", text(body, "zone", false, 100, &mut e).map(Value::from));
        }
        Collection::Appointments => {
            put("date", date(body, "date", true, &mut e).map(Value::from));
            let kind = text(body, "kind", false, 16, &mut e).unwrap_or_else(|| "tech".into());
            if kind != "tech" && kind != "sale" {
                e.push(FieldError::new("kind", "invalid", "kind must be tech or sale"));
            }
            put("kind", Some(Value::from(kind)));
            put("note", text(body, "note", false, 1000, &mut e).map(Value::from));
        }
        Collection::RecurringInvoices => {
            put("amount_cents", cents(body, "amount_cents", &mut e).map(Value::from));
            let f = text(body, "frequency", false, 16, &mut e).unwrap_or_else(|| "monthly".into());
            if !["monthly", "quarterly", "yearly"].contains(&f.as_str()) {
                e.push(FieldError::new("frequency", "invalid", "frequency must be monthly, quarterly or yearly"));
            }
            put("frequency", Some(Value::from(f)));
            put("start_date", date(body, "start_date", true, &mut e).map(Value::from));
            put("description", text(body, "description", false, 200, &mut e).map(Value::from));
        }
        Collection::ScheduledPayments => {
            put("amount_cents", cents(body, "amount_cents", &mut e).map(Value::from));
            put("date", date(body, "date", true, &mut e).map(Value::from));
        }
    }
    if e.is_empty() {
        Ok(out)
    } else {
        Err(Invalid { errors: e })
    }
}
