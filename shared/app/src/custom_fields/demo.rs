//! The demo companies' custom field definitions.

use super::definitions::{field_item, name_item};
use serde_json::json;
use vigil_domain::custom_field::{CustomField, FieldType};
use vigil_domain::CompanyId;
use vigil_store::{keys, Item};

/// The demo definitions of the first demo company (the seed writes them with the other company items).
pub fn demo_items(co: &CompanyId) -> Vec<Item> {
    let def = |id: u32, name: &str, field_type: FieldType, required: bool, options: &[&str]| CustomField {
        id,
        name: name.into(),
        field_type,
        required,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        active: true,
        position: id,
        version: 1,
    };
    let fields = [
        def(1, "Gate code", FieldType::Text, false, &[]),
        // Required, and a checkbox is always answered (unchecked is "no"), so creating a customer without UDFs
        // still works while the card shows the required marker.
        def(2, "Pets on site", FieldType::Checkbox, true, &[]),
        def(
            3,
            "Panel location",
            FieldType::Select,
            false,
            &["Garage", "Basement", "Utility closet", "Master closet", "Other"],
        ),
        def(4, "Dog count", FieldType::Number, false, &[]),
        def(5, "Warranty start", FieldType::Date, false, &[]),
    ];
    let mut items: Vec<Item> = fields.iter().flat_map(|f| [field_item(co, f), name_item(co, f)]).collect();
    let mut seq = keys::custom_field_sequence(co).to_item();
    seq.insert("value".into(), json!(fields.len()));
    items.push(seq);
    items
}
