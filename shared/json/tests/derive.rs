//! The derive reads what serde reads: each type here is read from the same JSON both ways, successes compared as
//! values, failures as failures.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt::Debug;
use vigil_json::{FromJson, ToJson};

/// Reads `v` with serde and with `vigil_json`; both must succeed with the same value, or both fail. A value read is
/// then written both ways, which must agree too.
fn same<T: for<'de> Deserialize<'de> + FromJson + Serialize + ToJson + PartialEq + Debug>(v: Value) -> Option<T> {
    let serde = serde_json::from_value::<T>(v.clone());
    let ours = vigil_json::from_value::<T>(v.clone());
    match (serde, ours) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "read differently: {v}");
            // Written back, both ways, the value is the same JSON.
            assert_eq!(serde_json::to_value(&a).ok(), Some(b.to_json()), "written differently: {v}");
            Some(a)
        }
        (Err(_), Err(_)) => None,
        (a, b) => panic!("only one reader accepted {v}: serde {a:?}, vigil_json {b:?}"),
    }
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
struct Plain {
    id: u64,
    name: String,
    note: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default = "seven")]
    seven: u32,
    #[serde(rename = "type")]
    kind: Kind,
    r#ref: Option<i64>,
}

fn seven() -> u32 {
    7
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Lead,
    NewCustomer,
    #[serde(rename = "other")]
    Else,
}

#[test]
fn structs_read_like_serde() {
    let full =
        json!({"id": 1, "name": "Ann", "note": "hi", "tags": ["a"], "seven": 8, "type": "new_customer", "ref": -3});
    assert_eq!(same::<Plain>(full).map(|p| p.kind), Some(Kind::NewCustomer));
    let least = json!({"id": 1, "name": "Ann", "type": "other", "extra": true});
    let p = same::<Plain>(least).expect("absent optional and default fields are fine");
    assert_eq!((p.note, p.tags.len(), p.seven, p.kind), (None, 0, 7, Kind::Else));
    same::<Plain>(json!({"id": 1, "name": "Ann", "type": "other", "note": null}));
    for bad in [
        json!({"name": "Ann", "type": "lead"}),
        json!({"id": -1, "name": "Ann", "type": "lead"}),
        json!({"id": 1.5, "name": "Ann", "type": "lead"}),
        json!({"id": 1, "name": null, "type": "lead"}),
        json!({"id": 1, "name": "Ann", "type": "Lead"}),
        json!({"id": 1, "name": "Ann", "type": "lead", "tags": null}),
        json!({"id": 1, "name": "Ann", "type": "lead", "seven": 4294967296u64}),
        json!("Ann"),
    ] {
        assert_eq!(same::<Plain>(bad), None);
    }
    // The one deliberate difference: serde also reads a struct from an array of its fields, which the server never
    // sends.
    assert!(vigil_json::from_value::<Plain>(json!([1, "Ann", null, [], 7, "lead", null])).is_err());
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
#[serde(rename_all = "UPPERCASE")]
enum Loud {
    Lead,
    NewCustomer,
}

#[derive(Debug, PartialEq, Default, Deserialize, FromJson, Serialize, ToJson)]
#[serde(default, deny_unknown_fields)]
struct Defaults {
    a: u32,
    b: String,
}

#[test]
fn container_attributes() {
    assert_eq!(same::<Loud>(json!("NEWCUSTOMER")), Some(Loud::NewCustomer));
    assert_eq!(same::<Loud>(json!("NEW_CUSTOMER")), None);
    assert_eq!(same::<Defaults>(json!({"b": "x"})), Some(Defaults { a: 0, b: "x".into() }));
    assert_eq!(same::<Defaults>(json!({"b": "x", "c": 1})), None);
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
struct Outer {
    id: u32,
    #[serde(flatten)]
    inner: Inner,
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
struct Inner {
    name: String,
    #[serde(default)]
    id: Option<u32>,
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
struct WithRest {
    archived: bool,
    #[serde(flatten)]
    record: Map<String, Value>,
}

#[test]
fn flattened_fields_read_what_the_others_left() {
    let o = same::<Outer>(json!({"id": 4, "name": "x"})).expect("reads");
    assert_eq!(o.inner, Inner { name: "x".into(), id: None });
    let r = same::<WithRest>(json!({"archived": true, "a": 1, "b": [2]})).expect("reads");
    assert_eq!(r.record.keys().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(same::<WithRest>(json!({"a": 1})), None);
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
#[serde(tag = "status", rename_all = "snake_case")]
enum Status {
    Accepted,
    Rejected { reason: String },
    Done(Done),
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
struct Done {
    lead_id: u64,
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
#[serde(rename_all = "snake_case", tag = "kind", content = "ids")]
enum Scope {
    All,
    Only(Vec<u32>),
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
enum External {
    Unit,
    One(String),
    Named { a: u8 },
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
struct Receipt {
    receipt_id: String,
    #[serde(flatten)]
    status: Status,
}

#[test]
fn tagged_enums() {
    assert_eq!(same::<Status>(json!({"status": "accepted"})), Some(Status::Accepted));
    assert_eq!(
        same::<Status>(json!({"status": "rejected", "reason": "dup"})),
        Some(Status::Rejected { reason: "dup".into() })
    );
    assert_eq!(same::<Status>(json!({"status": "done", "lead_id": 9})), Some(Status::Done(Done { lead_id: 9 })));
    assert_eq!(same::<Status>(json!({"status": "rejected"})), None);
    assert_eq!(same::<Status>(json!({"reason": "x"})), None);
    assert_eq!(same::<Status>(json!("accepted")), None);
    let r = same::<Receipt>(json!({"receipt_id": "r1", "status": "done", "lead_id": 3})).expect("reads");
    assert_eq!(r.status, Status::Done(Done { lead_id: 3 }));

    assert_eq!(same::<Scope>(json!({"kind": "all"})), Some(Scope::All));
    assert_eq!(same::<Scope>(json!({"kind": "only", "ids": [1, 2]})), Some(Scope::Only(vec![1, 2])));
    assert_eq!(same::<Scope>(json!({"kind": "only"})), None);

    assert_eq!(same::<External>(json!("Unit")), Some(External::Unit));
    assert_eq!(same::<External>(json!({"One": "x"})), Some(External::One("x".into())));
    assert_eq!(same::<External>(json!({"Named": {"a": 1}})), Some(External::Named { a: 1 }));
    assert_eq!(same::<External>(json!({"One": "x", "Unit": null})), None);
    assert_eq!(same::<External>(json!({"Two": 1})), None);
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, FromJson, Serialize, ToJson)]
#[serde(transparent)]
struct FieldId(u32);

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
struct Wrapped(String);

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
#[serde(try_from = "String")]
struct Zip(String);

impl TryFrom<String> for Zip {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()) {
            true => Ok(Self(s)),
            false => Err("enter a 5-digit ZIP".into()),
        }
    }
}

#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
struct Generic<T> {
    items: Vec<T>,
    by_id: BTreeMap<FieldId, T>,
    zips: BTreeMap<String, Zip>,
    pair: Option<(u8, bool)>,
    score: f64,
}

#[test]
fn newtypes_conversions_generics_and_keys() {
    assert_eq!(same::<FieldId>(json!(3)), Some(FieldId(3)));
    assert_eq!(same::<Wrapped>(json!("w")), Some(Wrapped("w".into())));
    assert_eq!(same::<Zip>(json!("84601")), Some(Zip("84601".into())));
    assert_eq!(same::<Zip>(json!("8460")), None);
    let err = vigil_json::from_value::<Zip>(json!("8460")).expect_err("refused");
    assert_eq!(err.to_string(), "enter a 5-digit ZIP");
    let g = json!({"items": ["a"], "by_id": {"2": "b"}, "zips": {"home": "84601"}, "pair": [1, true], "score": 2});
    let g = same::<Generic<String>>(g).expect("reads");
    assert_eq!(g.by_id.get(&FieldId(2)).map(String::as_str), Some("b"));
    assert_eq!(same::<Generic<String>>(json!({"items": [], "by_id": {"x": "b"}, "zips": {}, "score": 1})), None);
    assert_eq!(same::<Generic<String>>(json!({"items": [], "by_id": {}, "zips": {}, "pair": [1], "score": 1})), None);
}

#[test]
fn errors_name_the_field() {
    let err = vigil_json::from_value::<Outer>(json!({"id": "4", "name": "x"})).expect_err("refused");
    assert_eq!(err.to_string(), "id: invalid type: a string, expected a u32");
    let err = vigil_json::from_value::<Outer>(json!({"id": 4})).expect_err("refused");
    assert_eq!(err.to_string(), "missing field `name`");
}

/// Fields of every kind whose placeholder stands in when they fail: an enum, a type read through another, a struct.
#[derive(Debug, PartialEq, Deserialize, FromJson, Serialize, ToJson)]
struct Placeheld {
    scope: Scope,
    zip: Zip,
    done: Done,
    pair: (u8, bool),
    #[serde(flatten)]
    outer: Outer,
}

#[test]
fn the_first_failing_field_is_reported_whatever_fails_after_it() {
    let good = json!({"scope": {"kind": "all"}, "zip": "84601", "done": {"lead_id": 1}, "pair": [1, true], "id": 2, "name": "n"});
    let read = same::<Placeheld>(good.clone()).expect("reads");
    assert_eq!(read.outer.inner.name, "n");
    for (field, bad, said) in [
        ("scope", json!({"kind": "some"}), "scope: kind: unknown variant `some` of enum Scope"),
        ("zip", json!("8460"), "zip: enter a 5-digit ZIP"),
        ("done", json!({}), "done: missing field `lead_id`"),
        ("pair", json!([1]), "pair: invalid length, expected an array of two"),
        ("name", json!(3), "name: invalid type: a number, expected a string"),
    ] {
        let mut value = good.clone();
        value[field] = bad;
        // Every field after this one fails too: the first error is still the one reported.
        let mut later = false;
        for (other, broken) in [("scope", json!(1)), ("zip", json!(1)), ("done", json!(1)), ("pair", json!(1))] {
            if later {
                value[other] = broken;
            }
            later |= other == field;
        }
        assert_eq!(same::<Placeheld>(value.clone()), None, "{field}");
        let err = vigil_json::from_value::<Placeheld>(value).expect_err("refused");
        assert_eq!(err.to_string(), said);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToJson)]
#[serde(into = "String")]
struct Code(u8);

impl From<Code> for String {
    fn from(c: Code) -> String {
        format!("C{}", c.0)
    }
}

#[derive(Serialize, ToJson)]
struct Sparse {
    #[serde(skip_serializing_if = "Option::is_none")]
    a: Option<u8>,
    #[serde(skip_serializing)]
    hidden: u8,
    #[serde(flatten)]
    rest: Map<String, Value>,
    code: Code,
    by_code: BTreeMap<FieldId, Option<Code>>,
    ratio: f64,
}

#[test]
fn writes_like_serde() {
    let rest = json!({"x": 1, "y": [true]}).as_object().cloned().unwrap_or_default();
    for s in [
        Sparse { a: None, hidden: 1, rest: Map::new(), code: Code(2), by_code: BTreeMap::new(), ratio: 0.5 },
        Sparse {
            a: Some(3),
            hidden: 1,
            rest,
            code: Code(9),
            by_code: [(FieldId(4), Some(Code(1))), (FieldId(5), None)].into_iter().collect(),
            ratio: f64::NAN,
        },
    ] {
        let ours = s.to_json();
        assert_eq!(serde_json::to_value(&s).ok(), Some(ours.clone()));
        assert_eq!((s.hidden, ours.get("hidden")), (1, None), "a skipped field is not written");
    }
}
