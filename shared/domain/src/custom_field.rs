//! User-defined fields (UDFs): the definitions an admin makes (name, type, required, options) and the values a
//! record holds for them. Pure parsing: a definition body becomes a [`CustomField`], a sent value becomes a
//! [`FieldValue`] of the definition's [`FieldType`], and every problem is a [`FieldError`] naming the field
//! (`name`, `options`, … for definitions; `custom_fields.<id>` for values) with a message naming the field's label.
//!
//! Values live on the record (`CustomerFields::custom_fields`): a map from the definition ID (decimal string) to
//! the value as JSON. A checkbox is always answered — unchecked reads as `false` — so `required` never blocks a
//! checkbox; for every other type a required field must hold a value.

use crate::error::Errors;
use crate::lead::FieldChange;
use crate::sorted::SortedMap;
use crate::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_json::{FromJson, ToJson};

pub const NAME_MAX: usize = 60;
pub const TEXT_MAX: usize = 500;
pub const OPTIONS_MAX: usize = 50;
pub const OPTION_MAX: usize = 100;
pub const POSITION_MAX: u32 = 10_000;

/// What kind of input a field is, fixed at creation (stored values would not fit another type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    Date,
    Checkbox,
    Select,
}

impl FieldType {
    pub const ALL: [FieldType; 5] =
        [FieldType::Text, FieldType::Number, FieldType::Date, FieldType::Checkbox, FieldType::Select];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::Checkbox => "checkbox",
            FieldType::Select => "select",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FieldType::Text => "Text",
            FieldType::Number => "Number",
            FieldType::Date => "Date",
            FieldType::Checkbox => "Checkbox",
            FieldType::Select => "Select (list of options)",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        FieldType::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            FieldError::new("field_type", "invalid", "field_type must be one of text, number, date, checkbox, select")
        })
    }
}

/// One definition, as stored and as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomField {
    pub id: u32,
    pub name: String,
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    /// The choices of a select field; empty for every other type.
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
    /// Display order (ties by ID).
    #[serde(default)]
    pub position: u32,
    #[serde(default)]
    pub version: u64,
}

fn yes() -> bool {
    true
}

/// One row of the Home page's Custom Fields card (`cards.custom_fields`): an active definition and the record's value.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CardField {
    pub id: u32,
    pub name: String,
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub value: Value,
}

impl CardField {
    /// The card's row for a definition and the record's value of it.
    pub fn new(field: CustomField, value: Value) -> Self {
        Self {
            id: field.id,
            name: field.name,
            field_type: field.field_type,
            required: field.required,
            options: field.options,
            value,
        }
    }
}

/// A definition body (`POST`) parsed; the ID, position and version come from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewField {
    pub name: String,
    pub field_type: FieldType,
    pub required: bool,
    pub options: Vec<String>,
}

/// `name`: trimmed, 1–60 characters.
pub fn parse_name(v: &Value) -> Result<String, FieldError> {
    match v {
        Value::String(s) if s.trim().is_empty() => Err(FieldError::required("name")),
        Value::String(s) if s.trim().chars().count() > NAME_MAX => {
            Err(FieldError::new("name", "too_long", format!("a field name is at most {NAME_MAX} characters")))
        }
        Value::String(s) => Ok(s.trim().to_owned()),
        Value::Null => Err(FieldError::required("name")),
        _ => Err(FieldError::new("name", "invalid", "name must be text")),
    }
}

fn bool_attr(field: &str, v: &Value) -> Result<bool, FieldError> {
    v.as_bool().ok_or_else(|| FieldError::new(field, "invalid", format!("{field} must be true or false")))
}

/// `options` of a field of type `t`: a select needs 1–50 distinct (ignoring case), non-empty options of at most 100
/// characters; other types take none.
pub fn parse_options(t: FieldType, v: Option<&Value>) -> Result<Vec<String>, FieldError> {
    let list = match v {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err(FieldError::new("options", "invalid", "options must be a list of text")),
    };
    if t != FieldType::Select {
        return if list.is_empty() {
            Ok(vec![])
        } else {
            Err(FieldError::new(
                "options",
                "not_allowed",
                format!("only select fields have options; a {} field takes none", t.as_str()),
            ))
        };
    }
    if list.is_empty() {
        return Err(FieldError::new("options", "required", "a select field needs at least one option"));
    }
    if list.len() > OPTIONS_MAX {
        return Err(FieldError::new(
            "options",
            "too_many",
            format!("a select field has at most {OPTIONS_MAX} options"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for o in &list {
        let s = o
            .as_str()
            .map(str::trim)
            .ok_or_else(|| FieldError::new("options", "invalid", "options must be a list of text"))?;
        if s.is_empty() {
            return Err(FieldError::new("options", "empty", "options cannot be blank"));
        }
        if s.chars().count() > OPTION_MAX {
            return Err(FieldError::new(
                "options",
                "too_long",
                format!("an option is at most {OPTION_MAX} characters"),
            ));
        }
        if out.iter().any(|x| x.to_lowercase() == s.to_lowercase()) {
            return Err(FieldError::new("options", "duplicate", format!("the option \"{s}\" is listed twice")));
        }
        out.push(s.to_owned());
    }
    Ok(out)
}

fn position_of(v: &Value) -> Result<u32, FieldError> {
    v.as_u64().filter(|n| *n <= POSITION_MAX as u64).map(|n| n as u32).ok_or_else(|| {
        FieldError::new("position", "invalid", format!("position must be a whole number from 0 to {POSITION_MAX}"))
    })
}

/// Parses a `POST /api/v1/settings/custom-fields` body, reporting every field's problem at once.
pub fn parse_new(body: &Map<String, Value>) -> Result<NewField, Invalid> {
    let mut errors = Errors::new();
    for k in body.keys() {
        if !["name", "field_type", "required", "options"].contains(&k.as_str()) {
            errors.push(FieldError::new(
                k.as_str(),
                "unknown",
                format!("{k} is not an attribute of a new custom field"),
            ));
        }
    }
    let name = errors.take(parse_name(body.get("name").unwrap_or(&Value::Null)));
    let field_type = errors.take(match body.get("field_type") {
        None | Some(Value::Null) => Err(FieldError::required("field_type")),
        Some(Value::String(s)) => FieldType::parse(s.trim()),
        Some(_) => Err(FieldError::new(
            "field_type",
            "invalid",
            "field_type must be one of text, number, date, checkbox, select",
        )),
    });
    let required =
        errors.take(body.get("required").map(|v| bool_attr("required", v)).transpose().map(|r| r.unwrap_or(false)));
    let options = field_type.and_then(|t| errors.take(parse_options(t, body.get("options"))));
    errors.finish()?;
    match (name, field_type, required, options) {
        (Some(name), Some(field_type), Some(required), Some(options)) => {
            Ok(NewField { name, field_type, required, options })
        }
        _ => Err(Invalid::one("body", "invalid", "the custom field could not be read")),
    }
}

/// Applies a `PATCH` body (without its `version`, which the caller checks) to `current`. The type cannot change.
pub fn apply_patch(current: &CustomField, body: &Map<String, Value>) -> Result<CustomField, Invalid> {
    let mut next = current.clone();
    let mut errors = Errors::new();
    for (k, v) in body {
        match k.as_str() {
            "version" | "id" => {}
            "field_type" => {
                if v.as_str() != Some(current.field_type.as_str()) {
                    errors.push(FieldError::new(
                        "field_type",
                        "read_only",
                        "the type of a custom field cannot change after it is created",
                    ));
                }
            }
            "name" => {
                if let Some(n) = errors.take(parse_name(v)) {
                    next.name = n;
                }
            }
            "required" => {
                if let Some(b) = errors.take(bool_attr("required", v)) {
                    next.required = b;
                }
            }
            "active" => {
                if let Some(b) = errors.take(bool_attr("active", v)) {
                    next.active = b;
                }
            }
            "options" => {
                if let Some(o) = errors.take(parse_options(current.field_type, Some(v))) {
                    next.options = o;
                }
            }
            "position" => {
                if let Some(p) = errors.take(position_of(v)) {
                    next.position = p;
                }
            }
            other => {
                errors.push(FieldError::new(other, "unknown", format!("{other} is not an attribute of a custom field")))
            }
        }
    }
    errors.finish()?;
    Ok(next)
}

/// Display order: position, then ID.
pub fn sort(fields: &mut [CustomField]) {
    fields.sort_by_key(|f| (f.position, f.id));
}

// ---------------------------------------------------------------------------------------------------------------
// Values.

/// A value parsed for its field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Number(f64),
    /// `YYYY-MM-DD`, a real date.
    Date(String),
    Checkbox(bool),
    /// One of the field's options.
    Select(String),
}

impl FieldValue {
    pub fn to_json(&self) -> Value {
        match self {
            FieldValue::Text(s) | FieldValue::Date(s) | FieldValue::Select(s) => Value::String(s.clone()),
            // Whole numbers stay integers in JSON (`2`, not `2.0`), as they were typed.
            FieldValue::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Value::from(*n as i64),
            FieldValue::Number(n) => serde_json::Number::from_f64(*n).map(Value::Number).unwrap_or(Value::Null),
            FieldValue::Checkbox(b) => Value::Bool(*b),
        }
    }
}

impl CustomField {
    /// The key of this field in a record's values, and the `field` of its errors and history entries.
    pub fn key(&self) -> String {
        self.id.to_string()
    }

    pub fn error_field(&self) -> String {
        format!("custom_fields.{}", self.id)
    }

    fn error(&self, code: &str, message: String) -> FieldError {
        FieldError::new(self.error_field(), code, message)
    }

    /// Parses a sent value; `Ok(None)` clears it (null, or blank text).
    pub fn parse_value(&self, v: &Value) -> Result<Option<FieldValue>, FieldError> {
        let name = &self.name;
        let text = |v: &Value| -> Result<Option<String>, FieldError> {
            match v {
                Value::Null => Ok(None),
                Value::String(s) if s.trim().is_empty() => Ok(None),
                Value::String(s) => Ok(Some(s.trim().to_owned())),
                _ => Err(self.error("invalid", format!("{name} must be text"))),
            }
        };
        Ok(match self.field_type {
            FieldType::Text => match text(v)? {
                Some(s) if s.chars().count() > TEXT_MAX => {
                    return Err(self.error("too_long", format!("{name} is at most {TEXT_MAX} characters")))
                }
                s => s.map(FieldValue::Text),
            },
            FieldType::Number => match v {
                Value::Null => None,
                Value::Number(n) => match n.as_f64().filter(|f| f.is_finite()) {
                    Some(f) => Some(FieldValue::Number(f)),
                    None => return Err(self.error("invalid", format!("{name} must be a number"))),
                },
                _ => return Err(self.error("invalid", format!("{name} must be a number"))),
            },
            FieldType::Date => {
                match text(v).map_err(|_| self.error("invalid", format!("{name} must be a date (YYYY-MM-DD)")))? {
                    None => None,
                    Some(s) => Some(FieldValue::Date(
                        crate::lead::date("date", &s)
                            .map_err(|_| self.error("invalid", format!("{name} must be a real date as YYYY-MM-DD")))?,
                    )),
                }
            }
            FieldType::Checkbox => match v {
                Value::Null => None,
                Value::Bool(b) => Some(FieldValue::Checkbox(*b)),
                _ => return Err(self.error("invalid", format!("{name} must be true or false"))),
            },
            FieldType::Select => match text(v)
                .map_err(|_| self.error("invalid", format!("{name} must be one of its options")))?
            {
                None => None,
                Some(s) => match self.options.iter().find(|o| **o == s) {
                    Some(o) => Some(FieldValue::Select(o.clone())),
                    None => {
                        return Err(self.error("invalid", format!("{name} must be one of: {}", self.options.join(", "))))
                    }
                },
            },
        })
    }

    /// Whether a record holding `value` for this field satisfies `required`. An unchecked checkbox is an answer.
    pub fn satisfied(&self, value: Option<&Value>) -> bool {
        !self.required || self.field_type == FieldType::Checkbox || value.is_some_and(|v| !v.is_null())
    }

    fn required_error(&self) -> FieldError {
        self.error("required", format!("{} is required", self.name))
    }
}

/// Applies the sent `custom_fields` object to a record's `values`: only the keys sent change, null (or blank)
/// clears. Unknown or inactive field IDs are errors, and so is clearing a required field.
pub fn apply_values(
    defs: &[CustomField],
    values: &SortedMap<String, Value>,
    sent: &Value,
) -> Result<SortedMap<String, Value>, Vec<FieldError>> {
    let Value::Object(sent) = sent else {
        return Err(vec![FieldError::new(
            "custom_fields",
            "invalid",
            "custom_fields must be an object of field ID to value",
        )]);
    };
    let mut next = values.clone();
    let mut errors = Vec::new();
    for (k, v) in sent {
        let Some(def) = defs.iter().find(|d| d.active && d.key() == *k) else {
            errors.push(FieldError::new(
                format!("custom_fields.{k}"),
                "unknown",
                format!("there is no active custom field with ID {k}"),
            ));
            continue;
        };
        match def.parse_value(v) {
            Ok(Some(val)) => {
                next.insert(k.clone(), val.to_json());
            }
            Ok(None) if !def.satisfied(None) => errors.push(def.required_error()),
            Ok(None) => {
                next.remove(k);
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(next)
    } else {
        Err(errors)
    }
}

/// The required active fields `values` leaves empty (a new record must fill them).
pub fn missing_required(defs: &[CustomField], values: &SortedMap<String, Value>) -> Vec<FieldError> {
    defs.iter().filter(|d| d.active && !d.satisfied(values.get(&d.key()))).map(CustomField::required_error).collect()
}

/// Replaces the one `custom_fields` change a record diff yields (the whole map) by one change per field ID that
/// changed, named `custom_fields.<id>`, so history reads like every other field's.
pub fn expand_changes(changes: &mut Vec<FieldChange>) {
    let Some(i) = changes.iter().position(|c| c.field == "custom_fields") else { return };
    let c = changes.remove(i);
    let empty = Map::new();
    let before = c.before.as_object().unwrap_or(&empty);
    let after = c.after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = before.keys().chain(after.keys().filter(|k| !before.contains_key(*k))).collect();
    keys.sort_by_key(|k| (k.parse::<u64>().unwrap_or(u64::MAX), k.to_string()));
    for k in keys {
        let b = before.get(k).cloned().unwrap_or(Value::Null);
        let a = after.get(k).cloned().unwrap_or(Value::Null);
        if a != b {
            changes.push(FieldChange { field: format!("custom_fields.{k}"), before: b, after: a });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(id: u32, t: FieldType, required: bool) -> CustomField {
        let options = if t == FieldType::Select { vec!["Garage".into(), "Basement".into()] } else { vec![] };
        CustomField {
            id,
            name: format!("Field {id}"),
            field_type: t,
            required,
            options,
            active: true,
            position: id,
            version: 1,
        }
    }

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn new_definitions_parse_and_name_their_problems() {
        let f = parse_new(&body(json!({"name": " Gate code ", "field_type": "text"}))).unwrap();
        assert_eq!(
            (f.name.as_str(), f.field_type, f.required, f.options.len()),
            ("Gate code", FieldType::Text, false, 0)
        );
        let f = parse_new(&body(
            json!({"name": "Panel", "field_type": "select", "required": true, "options": ["A", " B "]}),
        ))
        .unwrap();
        assert_eq!(f.options, ["A", "B"]);

        let fields =
            |v: Value| parse_new(&body(v)).unwrap_err().errors.into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(json!({"field_type": "text"})), ["name"]);
        assert_eq!(fields(json!({"name": "x".repeat(61), "field_type": "text"})), ["name"]);
        assert_eq!(fields(json!({"name": "A", "field_type": "colour"})), ["field_type"]);
        assert_eq!(fields(json!({"name": "A", "field_type": "select"})), ["options"]);
        assert_eq!(fields(json!({"name": "A", "field_type": "select", "options": ["a", "A"]})), ["options"]);
        assert_eq!(fields(json!({"name": "A", "field_type": "select", "options": ["a", ""]})), ["options"]);
        assert_eq!(fields(json!({"name": "A", "field_type": "text", "options": ["a"]})), ["options"]);
        assert_eq!(
            fields(
                json!({"name": "A", "field_type": "select", "options": (0..51).map(|i| i.to_string()).collect::<Vec<_>>()})
            ),
            ["options"]
        );
        assert_eq!(
            fields(json!({"name": "", "field_type": "text", "required": "yes", "colour": 1})),
            ["colour", "name", "required"]
        );
    }

    #[test]
    fn patches_keep_the_type() {
        let d = def(3, FieldType::Select, false);
        let p = apply_patch(
            &d,
            &body(json!({"version": 1, "name": "Where", "options": ["Attic"], "active": false, "position": 9})),
        )
        .unwrap();
        assert_eq!(
            (p.name.as_str(), p.options.len(), p.active, p.position, p.field_type),
            ("Where", 1, false, 9, FieldType::Select)
        );
        assert!(apply_patch(&d, &body(json!({"field_type": "select"}))).is_ok());
        let e = apply_patch(&d, &body(json!({"field_type": "text"}))).unwrap_err();
        assert_eq!(e.errors[0].field, "field_type");
        assert_eq!(apply_patch(&d, &body(json!({"options": []}))).unwrap_err().errors[0].field, "options");
        assert_eq!(
            apply_patch(&def(1, FieldType::Text, false), &body(json!({"options": ["a"]}))).unwrap_err().errors[0].field,
            "options"
        );
        assert_eq!(apply_patch(&d, &body(json!({"position": -1}))).unwrap_err().errors[0].field, "position");
    }

    #[test]
    fn values_parse_per_type() {
        let ok = |t: FieldType, v: Value| def(1, t, false).parse_value(&v).unwrap().map(|x| x.to_json());
        let bad = |t: FieldType, v: Value| def(1, t, false).parse_value(&v).unwrap_err();
        assert_eq!(ok(FieldType::Text, json!(" 1234# ")), Some(json!("1234#")));
        assert_eq!(ok(FieldType::Text, json!("  ")), None);
        assert_eq!(bad(FieldType::Text, json!("x".repeat(501))).code, "too_long");
        assert_eq!(ok(FieldType::Number, json!(2)), Some(json!(2)));
        assert_eq!(ok(FieldType::Number, json!(2.0)), Some(json!(2)));
        assert_eq!(ok(FieldType::Number, json!(-1.5)), Some(json!(-1.5)));
        assert_eq!(bad(FieldType::Number, json!("2")).field, "custom_fields.1");
        assert_eq!(ok(FieldType::Date, json!("2024-02-29")), Some(json!("2024-02-29")));
        assert!(bad(FieldType::Date, json!("2023-02-29")).message.contains("Field 1"));
        assert_eq!(bad(FieldType::Date, json!("02/01/2024")).code, "invalid");
        assert_eq!(ok(FieldType::Checkbox, json!(false)), Some(json!(false)));
        assert_eq!(bad(FieldType::Checkbox, json!("yes")).code, "invalid");
        assert_eq!(ok(FieldType::Select, json!("Garage")), Some(json!("Garage")));
        assert!(bad(FieldType::Select, json!("Attic")).message.contains("Garage, Basement"));
        assert_eq!(bad(FieldType::Select, json!(3)).code, "invalid");
    }

    #[test]
    fn values_apply_partially_and_required_ones_stay() {
        let defs = vec![
            def(1, FieldType::Text, true),
            def(2, FieldType::Number, false),
            def(3, FieldType::Checkbox, true),
            CustomField { active: false, ..def(4, FieldType::Text, false) },
        ];
        let mut values = SortedMap::new();
        values.insert("1".to_owned(), json!("A"));
        values.insert("2".to_owned(), json!(4.0));
        let next = apply_values(&defs, &values, &json!({"2": null, "3": false})).unwrap();
        assert_eq!(next.get("1"), Some(&json!("A")));
        assert_eq!(next.get("2"), None);
        assert_eq!(next.get("3"), Some(&json!(false)));
        let e = apply_values(&defs, &values, &json!({"1": "", "3": null, "4": "x", "9": 1})).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["custom_fields.1", "custom_fields.4", "custom_fields.9"]);
        assert_eq!(e[0].code, "required");
        assert_eq!(apply_values(&defs, &values, &json!(["1"])).unwrap_err()[0].field, "custom_fields");
        let missing = missing_required(&defs, &SortedMap::new());
        assert_eq!(missing.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["custom_fields.1"]);
        assert!(missing_required(&defs, &values).is_empty());
    }

    #[test]
    fn history_gets_one_change_per_field() {
        let mut changes = vec![
            FieldChange { field: "city".into(), before: json!("A"), after: json!("B") },
            FieldChange {
                field: "custom_fields".into(),
                before: json!({"2": 1.0, "10": "x", "3": true}),
                after: json!({"2": 2.0, "3": true, "11": "new"}),
            },
        ];
        expand_changes(&mut changes);
        let got: Vec<(&str, Value, Value)> =
            changes.iter().map(|c| (c.field.as_str(), c.before.clone(), c.after.clone())).collect();
        assert_eq!(
            got,
            [
                ("city", json!("A"), json!("B")),
                ("custom_fields.2", json!(1.0), json!(2.0)),
                ("custom_fields.10", json!("x"), Value::Null),
                ("custom_fields.11", Value::Null, json!("new")),
            ]
        );
        let mut first =
            vec![FieldChange { field: "custom_fields".into(), before: Value::Null, after: json!({"1": "a"}) }];
        expand_changes(&mut first);
        assert_eq!(first[0].field, "custom_fields.1");
    }

    #[test]
    fn stored_definitions_read_with_defaults() {
        let d: CustomField = serde_json::from_value(json!({"id": 1, "name": "A", "field_type": "date"})).unwrap();
        assert!(d.active && !d.required && d.options.is_empty());
        assert_eq!(serde_json::to_value(FieldType::Checkbox).unwrap(), json!("checkbox"));
    }
}
