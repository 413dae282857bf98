//! Problems shown beside form inputs, by field name. One map type for every form, so the portal carries one copy
//! of the map's code.

use std::collections::BTreeMap;
use vigil_domain::FieldError;

pub type FieldErrors = BTreeMap<String, String>;

/// The first message for each field: the server and the domain's validators list the most important one first.
pub fn by_field(errors: &[FieldError]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in errors {
        out.entry(e.field.clone()).or_insert_with(|| e.message.clone());
    }
    out
}
