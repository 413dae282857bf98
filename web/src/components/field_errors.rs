//! Problems shown beside form inputs, by field name. One map type for every form, so the portal carries one copy
//! of the map's code.

use vigil_domain::sorted::SortedMap;
use vigil_domain::FieldError;

pub type FieldErrors = SortedMap<String, String>;

/// The first message for each field: the server and the domain's validators list the most important one first.
pub fn by_field(errors: &[FieldError]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in errors {
        out.insert_if_absent(e.field.clone(), || e.message.clone());
    }
    out
}
