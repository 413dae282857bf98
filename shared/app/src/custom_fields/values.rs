//! Values on records: applying the sent values, the required check on create, and the Custom Fields card.

use super::definitions::all;
use crate::{AppError, Services};
use serde_json::Value;
use vigil_domain::custom_field::{self as udf, CardField};
use vigil_domain::record::Record;
use vigil_domain::sorted::SortedMap;
use vigil_domain::{CompanyId, FieldError, Invalid};

/// The record values after applying the sent `custom_fields` object, or the field errors (`custom_fields.<id>`).
pub async fn apply(
    svc: &Services,
    co: &CompanyId,
    values: &SortedMap<String, Value>,
    sent: &Value,
) -> Result<Result<SortedMap<String, Value>, Vec<FieldError>>, AppError> {
    let defs = all(svc, co).await?;
    Ok(udf::apply_values(&defs, values, sent))
}

/// A new record must fill every required active field.
pub async fn require_on_create(svc: &Services, co: &CompanyId, r: &Record) -> Result<(), AppError> {
    let missing = udf::missing_required(&all(svc, co).await?, &r.lead.customer.custom_fields);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Invalid { errors: missing }.into())
    }
}

/// The Custom Fields card: the active definitions in order with the record's values; `None` when the company has
/// no active definition (the card is not shown).
pub async fn card(svc: &Services, co: &CompanyId, r: &Record) -> Result<Option<Vec<CardField>>, AppError> {
    let values = &r.lead.customer.custom_fields;
    let rows: Vec<CardField> = all(svc, co)
        .await?
        .into_iter()
        .filter(|f| f.active)
        .map(|f| {
            let value = values.get(&f.key()).cloned().unwrap_or(Value::Null);
            CardField::new(f, value)
        })
        .collect();
    Ok((!rows.is_empty()).then_some(rows))
}
