//! Reads a parsed JSON tree into the contract's types.
//!
//! serde_json's own `Value` deserializer is written for any data: it reads a struct from an array as well as from an
//! object, an identifier from bytes, and so on. Every one of those paths is compiled once per type the portal reads,
//! although the server only ever sends structs as objects. This one offers each type only the shape the server
//! writes, so the unused visitor paths are never instantiated, and what does not depend on the type (the type checks
//! and the error messages) is in plain functions compiled once. For what the server sends it gives the same values
//! as `serde_json::from_value` (the unit tests compare the two).

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, Expected, IntoDeserializer, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Number, Value};

pub type Error = serde_json::Error;

/// `value` as a `T`: the portal's `serde_json::from_value`.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    T::deserialize(Tree(value))
}

/// One node of the tree, deserialised by value.
struct Tree(Value);

fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => number_unexpected(n),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

fn number_unexpected(n: &Number) -> Unexpected<'static> {
    if let Some(u) = n.as_u64() {
        Unexpected::Unsigned(u)
    } else if let Some(i) = n.as_i64() {
        Unexpected::Signed(i)
    } else {
        Unexpected::Float(n.as_f64().unwrap_or(f64::NAN))
    }
}

/// Not generic: one copy serves every visitor (`&dyn Expected` names what the visitor wanted).
fn invalid(v: &Value, expected: &dyn Expected) -> Error {
    de::Error::invalid_type(unexpected(v), expected)
}

fn leftover(len: usize, what: &'static str) -> Error {
    de::Error::invalid_length(len, &what)
}

fn visit_number<'de, V: Visitor<'de>>(n: Number, visitor: V) -> Result<V::Value, Error> {
    if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else {
        visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
    }
}

fn visit_array<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, Error> {
    let len = items.len();
    let mut seq = Seq(items.into_iter());
    let out = visitor.visit_seq(&mut seq)?;
    match seq.0.len() {
        0 => Ok(out),
        _ => Err(leftover(len, "fewer elements in array")),
    }
}

fn visit_object<'de, V: Visitor<'de>>(map: Map<String, Value>, visitor: V) -> Result<V::Value, Error> {
    let len = map.len();
    let mut access = Obj { iter: map.into_iter(), value: None };
    let out = visitor.visit_map(&mut access)?;
    match access.iter.len() {
        0 => Ok(out),
        _ => Err(leftover(len, "fewer elements in map")),
    }
}

impl<'de> de::Deserializer<'de> for Tree {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(a) => visit_array(a, visitor),
            Value::Object(m) => visit_object(m, visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(b),
            other => Err(invalid(&other, &visitor)),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Number(n) => visit_number(n, visitor),
            other => Err(invalid(&other, &visitor)),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_string(s),
            other => Err(invalid(&other, &visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Tree(other)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            other => Err(invalid(&other, &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(a) => visit_array(a, visitor),
            other => Err(invalid(&other, &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(m) => visit_object(m, visitor),
            other => Err(invalid(&other, &visitor)),
        }
    }

    /// Objects only: the server never writes a struct as an array, so the derive's array path is left out.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    /// A unit variant as its name (`"lead"`), any other as an object of one entry (`{"name": value}`).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (variant, value) = match self.0 {
            Value::String(s) => (s, None),
            Value::Object(m) => one_entry(m)?,
            other => return Err(invalid(&other, &"string or map")),
        };
        visitor.visit_enum(Variant { variant, value })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! { bytes byte_buf }
}

fn one_entry(map: Map<String, Value>) -> Result<(String, Option<Value>), Error> {
    let mut entries = map.into_iter();
    match (entries.next(), entries.next()) {
        (Some((k, v)), None) => Ok((k, Some(v))),
        _ => Err(de::Error::invalid_value(Unexpected::Map, &"map with a single key")),
    }
}

struct Seq(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Seq {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|v| seed.deserialize(Tree(v))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Obj {
    iter: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl<'de> MapAccess<'de> for Obj {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(k.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(Tree(v)),
            None => Err(de::Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Variant {
    variant: String,
    value: Option<Value>,
}

impl<'de> EnumAccess<'de> for Variant {
    type Error = Error;
    type Variant = Payload;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Payload), Error> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, Payload(self.value)))
    }
}

struct Payload(Option<Value>);

impl<'de> VariantAccess<'de> for Payload {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.0 {
            None | Some(Value::Null) => Ok(()),
            Some(other) => Err(invalid(&other, &"unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        match self.0 {
            Some(v) => seed.deserialize(Tree(v)),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"newtype variant")),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Some(Value::Array(a)) => visit_array(a, visitor),
            Some(other) => Err(invalid(&other, &"tuple variant")),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Some(Value::Object(m)) => visit_object(m, visitor),
            Some(other) => Err(invalid(&other, &"struct variant")),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"struct variant")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{CustomerFormOptions, CustomerHome, LeadListPage, LeadView, MmrSettings};
    use serde::Deserialize;
    use serde_json::json;
    use std::fmt::Debug;
    use vigil_domain::custom_field::CardField;
    use vigil_domain::lead::ScoringWeights;
    use vigil_domain::record::{Kind, Stage};

    /// Both readers agree: the same value, or both refuse.
    fn same<T: DeserializeOwned + PartialEq + Debug>(v: Value) -> Option<T> {
        let ours = from_value::<T>(v.clone());
        let theirs = serde_json::from_value::<T>(v.clone());
        match (ours, theirs) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "{v}");
                Some(a)
            }
            (Err(_), Err(_)) => None,
            (a, b) => panic!("readers disagree on {v}: ours {a:?}, serde_json {b:?}"),
        }
    }

    fn record() -> Value {
        json!({
            "id": 7, "kind": "customer", "stage": "converted", "first_name": "Ann", "last_name": "Lee",
            "business_name": null, "email": "ann@acme.example", "primary_phone": "8015550101", "city": "Provo",
            "state": "UT", "zip": "84601", "rating": 4, "tags": ["3", "7"], "created_at": "2026-01-01T00:00:00Z",
            "created_by": "u-1", "version": 5, "archived": false, "score": 40, "employees": 250, "hot": true,
            "score_factors": [{"factor": "engagement", "weight": 10, "points": 5}], "credit_score": 710,
            "services": ["aarp"], "custom_fields": {"1": "#1", "4": 2, "5": true}, "account_type": "commercial",
            "unknown_field": {"ignored": [1, 2]}
        })
    }

    #[test]
    fn reads_the_contracts_records_as_serde_json_does() {
        let mut lead = record();
        lead["ssn"] = json!("***");
        lead["custom_fields_card"] = json!([{"id": 1, "name": "Gate", "field_type": "text", "value": "#1"}]);
        let view = same::<LeadView>(lead.clone()).expect("a lead reads");
        assert_eq!((view.record.kind, view.record.stage, view.record.version), (Kind::Customer, Stage::Converted, 5));
        assert_eq!(view.record.lead.customer.custom_fields.get("4"), Some(&json!(2)));
        // Inside the flattened record a `null` reads as absent, with either reader.
        lead["custom_fields_card"] = Value::Null;
        assert_eq!(same::<LeadView>(lead.clone()).map(|v| v.custom_fields_card), Some(None));
        lead.as_object_mut().map(|m| m.remove("custom_fields_card"));
        assert_eq!(same::<LeadView>(lead).map(|v| v.custom_fields_card), Some(None));
        same::<Vec<CardField>>(json!([{"id": 1, "name": "A", "field_type": "select", "options": ["x"], "value": 1}]));
    }

    #[test]
    fn reads_lists_homes_and_settings_as_serde_json_does() {
        let row = json!({"id": 1, "kind": "lead", "created_at": "t", "first_name": "A", "last_name": "B", "city": "C",
            "state": "UT", "address1": null, "primary_phone": "1", "email": null, "stage": "new", "disposition": "Hot",
            "source": {"id": 2, "name": "Web"}, "campaign": null, "next_followup": null, "tags": [], "rating": 0,
            "lead_rep_id": null, "archived": false});
        let page = json!({"items": [row], "next_cursor": "abc",
            "meta": {"items_read": 3, "access_path": "stage", "total": 9, "total_exact": true}});
        assert_eq!(same::<LeadListPage>(page).map(|p| p.items.len()), Some(1));
        same::<ScoringWeights>(
            json!({"company_size": 30, "industry_fit": 20, "title_seniority": 20, "engagement": 30, "version": 2}),
        );
        for bad in [json!([1, 2]), json!("x"), json!(null), json!({"items": "no"})] {
            assert_eq!(same::<LeadListPage>(bad), None);
        }
        let _ = same::<Option<CustomerHome>>(Value::Null);
        let _ = same::<Option<CustomerFormOptions>>(Value::Null);
        let _ = same::<Option<MmrSettings>>(Value::Null);
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Shape {
        Unit,
        Newtype(u32),
        Tuple(u8, String),
        Struct { a: Option<i64> },
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(f64),
        Text(String),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Pair(u8, String);

    #[test]
    fn agrees_on_scalars_enums_and_wrong_shapes() {
        for v in [json!("unit"), json!({"newtype": 3}), json!({"tuple": [1, "a"]}), json!({"struct": {"a": -2}})] {
            assert!(same::<Shape>(v).is_some());
        }
        for v in [
            json!("nope"),
            json!({"unit": 1}),
            json!({"newtype": 1, "tuple": [1, "a"]}),
            json!(3),
            json!({"tuple": [1]}),
        ] {
            assert_eq!(same::<Shape>(v), None);
        }
        assert_eq!(same::<Either>(json!(1.5)), Some(Either::Number(1.5)));
        assert_eq!(same::<Either>(json!("x")), Some(Either::Text("x".into())));
        assert!(same::<Pair>(json!([1, "a"])).is_some());
        assert_eq!(same::<Pair>(json!([1, "a", 3])), None, "leftover elements are refused");
        assert_eq!(same::<u8>(json!(300)), None);
        assert_eq!(same::<i32>(json!(-5)), Some(-5));
        assert_eq!(same::<f64>(json!(2)), Some(2.0));
        assert_eq!(same::<u64>(json!(2.5)), None);
        assert_eq!(same::<String>(json!(1)), None);
        assert_eq!(same::<bool>(json!("true")), None);
        assert_eq!(same::<char>(json!("c")), Some('c'));
        assert_eq!(same::<()>(json!(null)), Some(()));
        assert_eq!(same::<Option<u32>>(json!(null)), Some(None));
        assert_eq!(same::<Value>(record()), Some(record()));
        assert_eq!(same::<Map<String, Value>>(json!({"b": [1, {"c": null}], "a": 1.5})).map(|m| m.len()), Some(2));
        assert_eq!(same::<std::collections::BTreeMap<String, u64>>(json!({"notes": 2})).map(|m| m["notes"]), Some(2));
    }

    #[test]
    fn errors_name_what_was_expected() {
        let e = from_value::<u32>(json!("12")).unwrap_err().to_string();
        assert!(e.contains("invalid type: string \"12\", expected u32"), "{e}");
        let e = from_value::<LeadListPage>(json!({"items": []})).unwrap_err().to_string();
        assert!(e.contains("missing field"), "{e}");
    }
}
