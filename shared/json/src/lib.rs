//! Reads and writes the contract's types as JSON trees, for the portal.
//!
//! serde's derived `Deserialize` is a visitor state machine per type: a field-name matcher, a slot per field, a loop
//! over the map's entries, the missing-field checks, and a sequence path for structs sent as arrays. In the portal
//! that was a sixth of the wasm. `#[derive(FromJson)]` writes one short function per type instead: take each field
//! out of the object by name and read it. What does not depend on the type (finding a key, checking a node's
//! kind, building an error) lives here, compiled once.
//!
//! The derive follows the type's `#[serde(...)]` attributes (renames, defaults, flatten, tags, `try_from`), so a
//! type reads the same JSON as serde reads; it refuses attributes it does not know rather than guess.
//!
//! `#[derive(ToJson)]` is the other direction, for the requests the portal sends: the `Value` serde would write,
//! built field by field (serde's `Serialize` goes through a serializer state machine per type).
//!
//! The server keeps serde. The two are held together by tests: this crate's own (every attribute, both ways), the
//! server's `json-check` feature, which the tests turn on (every answer of every API test is also written and read
//! by this crate and compared with serde), and the tests' typed client (every request it sends, written both ways).

use std::collections::BTreeMap;
use std::fmt;

mod read;
mod text;

pub use read::parse;
pub use serde_json::{Map, Number, Value};
pub use text::to_text;
pub use vigil_json_derive::{FromJson, ToJson};

/// Why a tree did not fit the type. The message says where (`field: …`) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl Error {
    /// A message of the type's own validation (`try_from`).
    pub fn custom(message: &dyn fmt::Display) -> Self {
        Self(message.to_string())
    }

    pub fn missing(field: &str) -> Self {
        Self(format!("missing field `{field}`"))
    }

    /// `found` where `expected` was wanted.
    pub fn kind(found: &Value, expected: &str) -> Self {
        let found = match found {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        };
        Self(format!("invalid type: {found}, expected {expected}"))
    }

    fn unknown_variant(name: &str, expected: &str) -> Self {
        Self(format!("unknown variant `{name}` of {expected}"))
    }

    /// The same error, said to be under `field`.
    pub fn at(self, field: &str) -> Self {
        Self(format!("{field}: {}", self.0))
    }
}

/// A JSON object of these fields, as `json!({...})` builds it (a `Map` keeps its keys sorted, whatever order they
/// come in): how the portal writes a small object without `json!`, which sends each value through serde's serializer
/// and unwraps the result.
pub fn make_object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    let mut map = Map::new();
    for (name, value) in fields {
        map.insert(name.to_owned(), value);
    }
    Value::Object(map)
}

/// A type read from a JSON tree.
pub trait FromJson: Sized {
    fn from_json(value: Value) -> Result<Self, Error>;

    /// What an absent field reads as: an error, except for `Option` (`None`), as with serde.
    fn missing(field: &str) -> Result<Self, Error> {
        Err(Error::missing(field))
    }

    /// A value that stands in for a field that failed to read, so that a derived reader can finish its struct
    /// literal before it reports the error; never given to the caller. The derive makes it from the first variant or
    /// the fields' own placeholders.
    fn placeholder() -> Self;
}

/// A type read from an object's key (a JSON key is always a string; numbers are written as their digits).
pub trait FromJsonKey: Sized {
    fn from_key(key: String) -> Result<Self, Error>;
}

/// `value` as a `T`.
pub fn from_value<T: FromJson>(value: Value) -> Result<T, Error> {
    T::from_json(value)
}

/// `text` parsed, then read as a `T`.
pub fn from_str<T: FromJson>(text: &str) -> Result<T, Error> {
    T::from_json(parse(text)?)
}

/// An object whose fields are being taken out, one by one, by a derived reader.
///
/// A field that fails to read gives its type's [`FromJson::placeholder`] and keeps its error here, for
/// [`Object::finish`]: the derived reader is then one struct literal, each field read straight into its place,
/// with no check or clean-up per field (those were most of its code).
pub struct Object {
    map: Map<String, Value>,
    error: Option<Error>,
}

impl Object {
    /// `value` as an object; `expected` names the type for the error.
    pub fn new(value: Value, expected: &str) -> Result<Self, Error> {
        match value {
            Value::Object(map) => Ok(Self { map, error: None }),
            other => Err(Error::kind(&other, expected)),
        }
    }

    /// The value of `key`, taken out.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key)
    }

    /// The value, or its type's placeholder with the error kept, said to be under `key` if given (the first error
    /// wins).
    fn keep<T: FromJson>(&mut self, read: Result<T, Error>, key: Option<&str>) -> T {
        match read {
            Ok(v) => v,
            Err(e) => {
                self.fail(e, key);
                T::placeholder()
            }
        }
    }

    fn fail(&mut self, e: Error, key: Option<&str>) {
        if self.error.is_none() {
            self.error = Some(match key {
                Some(key) => e.at(key),
                None => e,
            });
        }
    }

    /// The field `key`, read (an absent field as `T::missing` says).
    pub fn field<T: FromJson>(&mut self, key: &str) -> T {
        let (read, at) = match self.take(key) {
            Some(v) => (T::from_json(v), Some(key)),
            None => (T::missing(key), None),
        };
        self.keep(read, at)
    }

    /// The field `key`, or `default()` when absent.
    pub fn field_or<T: FromJson>(&mut self, key: &str, default: fn() -> T) -> T {
        match self.take(key) {
            Some(v) => {
                let read = T::from_json(v);
                self.keep(read, Some(key))
            }
            None => default(),
        }
    }

    /// The fields not taken yet, read as a `T`: a `#[serde(flatten)]` field.
    pub fn flattened<T: FromJson>(&mut self) -> T {
        let read = T::from_json(self.rest());
        self.keep(read, None)
    }

    /// What the reader read, or the first error of a field (what was read is then dropped: it holds placeholders).
    pub fn finish<T>(self, read: T) -> Result<T, Error> {
        match self.error {
            None => Ok(read),
            Some(e) => Err(e),
        }
    }

    /// Fails when a field was not taken (`#[serde(deny_unknown_fields)]`).
    pub fn deny_unknown(&self) -> Result<(), Error> {
        match self.map.keys().next() {
            Some(k) => Err(Error(format!("unknown field `{k}`"))),
            None => Ok(()),
        }
    }

    /// The fields not taken yet, as an object (an internally tagged newtype variant's payload).
    pub fn rest(&self) -> Value {
        Value::Object(self.map.clone())
    }

    /// Takes the tag `key` and says which of `names` it is (an internally or adjacently tagged enum).
    pub fn tag(&mut self, key: &str, names: &[&str], expected: &str) -> Result<usize, Error> {
        match self.take(key) {
            Some(v) => variant(v, names, expected).map_err(|e| e.at(key)),
            None => Err(Error::missing(key)),
        }
    }
}

/// Which of `names` a string is (an enum's unit variants).
pub fn variant(value: Value, names: &[&str], expected: &str) -> Result<usize, Error> {
    match value {
        Value::String(s) => names.iter().position(|n| *n == s).ok_or_else(|| Error::unknown_variant(&s, expected)),
        other => Err(Error::kind(&other, expected)),
    }
}

/// An externally tagged enum: `"Name"` for a unit variant, `{"Name": payload}` otherwise. The variant's index and
/// its payload (`null` for the string form).
pub fn external(value: Value, names: &[&str], expected: &str) -> Result<(usize, Value), Error> {
    match value {
        Value::String(_) => Ok((variant(value, names, expected)?, Value::Null)),
        Value::Object(map) if map.len() == 1 => match map.into_iter().next() {
            Some((k, payload)) => Ok((variant(Value::String(k), names, expected)?, payload)),
            None => Err(Error::missing(expected)),
        },
        other => Err(Error::kind(&other, expected)),
    }
}

/// The elements of an array.
fn array(value: Value, expected: &str) -> Result<Vec<Value>, Error> {
    match value {
        Value::Array(items) => Ok(items),
        other => Err(Error::kind(&other, expected)),
    }
}

fn object(value: Value) -> Result<Map<String, Value>, Error> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(Error::kind(&other, "an object")),
    }
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self, Error> {
        Ok(value)
    }

    fn placeholder() -> Self {
        Value::Null
    }
}

impl FromJson for Map<String, Value> {
    fn from_json(value: Value) -> Result<Self, Error> {
        object(value)
    }

    fn placeholder() -> Self {
        Map::new()
    }
}

impl FromJson for () {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Null => Ok(()),
            other => Err(Error::kind(&other, "null")),
        }
    }

    fn placeholder() -> Self {}
}

impl FromJson for bool {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(Error::kind(&other, "a boolean")),
        }
    }

    fn placeholder() -> Self {
        false
    }
}

impl FromJson for String {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(Error::kind(&other, "a string")),
        }
    }

    fn placeholder() -> Self {
        String::new()
    }
}

impl FromJson for f64 {
    fn from_json(value: Value) -> Result<Self, Error> {
        match &value {
            Value::Number(n) => n.as_f64().ok_or_else(|| Error::kind(&value, "a number")),
            _ => Err(Error::kind(&value, "a number")),
        }
    }

    fn placeholder() -> Self {
        0.0
    }
}

/// An integer as `i128`, which holds every JSON integer serde_json parses (one copy for every integer type).
fn integer(value: &Value) -> Option<i128> {
    let n = value.as_number()?;
    n.as_u64().map(i128::from).or_else(|| n.as_i64().map(i128::from))
}

fn out_of_range(value: &Value, expected: &str) -> Error {
    Error(format!("invalid value: {}, expected {expected}", to_text(value)))
}

macro_rules! integers {
    ($($t:ty, $what:literal;)*) => {$(
        impl FromJson for $t {
            fn from_json(value: Value) -> Result<Self, Error> {
                match integer(&value) {
                    Some(n) => <$t>::try_from(n).map_err(|_| out_of_range(&value, $what)),
                    None => Err(Error::kind(&value, $what)),
                }
            }

            fn placeholder() -> Self {
                0
            }
        }

        impl FromJsonKey for $t {
            fn from_key(key: String) -> Result<Self, Error> {
                key.parse().map_err(|_| out_of_range(&Value::String(key), $what))
            }
        }
    )*};
}

integers! {
    u8, "an integer 0..=255";
    u16, "an integer 0..=65535";
    u32, "a u32";
    u64, "a u64";
    usize, "a usize";
    i32, "an i32";
    i64, "an i64";
}

impl FromJsonKey for String {
    fn from_key(key: String) -> Result<Self, Error> {
        Ok(key)
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Null => Ok(None),
            v => T::from_json(v).map(Some),
        }
    }

    fn placeholder() -> Self {
        None
    }

    fn missing(_field: &str) -> Result<Self, Error> {
        Ok(None)
    }
}

// Collections are filled by a plain loop rather than `collect`: collecting `Result`s adds an adapter per element
// type, and collecting into a `BTreeMap` sorts first (a sort per type), though an object's keys come sorted.
impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, Error> {
        let items = array(value, "an array")?;
        let mut out = Vec::with_capacity(items.len());
        for v in items {
            out.push(T::from_json(v)?);
        }
        Ok(out)
    }

    fn placeholder() -> Self {
        Vec::new()
    }
}

impl<A: FromJson, B: FromJson> FromJson for (A, B) {
    fn from_json(value: Value) -> Result<Self, Error> {
        let mut items = array(value, "an array of two")?.into_iter();
        match (items.next(), items.next(), items.next()) {
            (Some(a), Some(b), None) => Ok((A::from_json(a)?, B::from_json(b)?)),
            _ => Err(Error("invalid length, expected an array of two".into())),
        }
    }

    fn placeholder() -> Self {
        (A::placeholder(), B::placeholder())
    }
}

impl<K: FromJsonKey + Ord, V: FromJson> FromJson for BTreeMap<K, V> {
    fn from_json(value: Value) -> Result<Self, Error> {
        let mut out = BTreeMap::new();
        for (k, v) in object(value)? {
            out.insert(K::from_key(k)?, V::from_json(v)?);
        }
        Ok(out)
    }

    fn placeholder() -> Self {
        BTreeMap::new()
    }
}

/// A type written as a JSON tree.
pub trait ToJson {
    fn to_json(&self) -> Value;
}

/// A type written as an object's key.
pub trait ToJsonKey {
    fn to_key(&self) -> String;
}

/// Adds `key: value` to a derived writer's object.
pub fn insert(o: &mut Map<String, Value>, key: &str, value: Value) {
    o.insert(key.to_owned(), value);
}

/// Adds a `#[serde(flatten)]` field's entries (nothing for `null`, as for an absent `Option`).
pub fn merge(o: &mut Map<String, Value>, value: Value) {
    if let Value::Object(entries) = value {
        o.extend(entries);
    }
}

/// An externally tagged variant with a payload: `{"name": payload}`.
pub fn wrap(name: &str, payload: Value) -> Value {
    let mut o = Map::new();
    insert(&mut o, name, payload);
    Value::Object(o)
}

/// An internally tagged variant: the payload's object with the tag added (`{"tag": "name"}` for a unit variant).
pub fn with_tag(tag: &str, name: &str, payload: Value) -> Value {
    let mut o = match payload {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    insert(&mut o, tag, Value::String(name.to_owned()));
    Value::Object(o)
}

/// An adjacently tagged variant: `{"tag": "name", "content": payload}`.
pub fn adjacent(tag: &str, name: &str, content: &str, payload: Value) -> Value {
    let mut o = Map::new();
    insert(&mut o, tag, Value::String(name.to_owned()));
    insert(&mut o, content, payload);
    Value::Object(o)
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl ToJson for Map<String, Value> {
    fn to_json(&self) -> Value {
        Value::Object(self.clone())
    }
}

impl ToJson for () {
    fn to_json(&self) -> Value {
        Value::Null
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToJson for str {
    fn to_json(&self) -> Value {
        Value::String(self.to_owned())
    }
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToJsonKey for String {
    fn to_key(&self) -> String {
        self.clone()
    }
}

/// Not finite numbers are `null`, as serde_json writes them.
impl ToJson for f64 {
    fn to_json(&self) -> Value {
        Number::from_f64(*self).map_or(Value::Null, Value::Number)
    }
}

macro_rules! write_integers {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> Value {
                Value::Number(Number::from(*self))
            }
        }

        impl ToJsonKey for $t {
            fn to_key(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

write_integers!(u8, u16, u32, u64, usize, i32, i64);

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: ToJson + ?Sized> ToJson for std::rc::Rc<T> {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        match self {
            Some(v) => v.to_json(),
            None => Value::Null,
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Value {
        let mut out = Vec::with_capacity(self.len());
        for v in self {
            out.push(v.to_json());
        }
        Value::Array(out)
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        self.as_slice().to_json()
    }
}

impl<A: ToJson, B: ToJson> ToJson for (A, B) {
    fn to_json(&self) -> Value {
        Value::Array(vec![self.0.to_json(), self.1.to_json()])
    }
}

impl<A: ToJson, B: ToJson, C: ToJson> ToJson for (A, B, C) {
    fn to_json(&self) -> Value {
        Value::Array(vec![self.0.to_json(), self.1.to_json(), self.2.to_json()])
    }
}

impl<A: ToJson, B: ToJson, C: ToJson, D: ToJson> ToJson for (A, B, C, D) {
    fn to_json(&self) -> Value {
        Value::Array(vec![self.0.to_json(), self.1.to_json(), self.2.to_json(), self.3.to_json()])
    }
}

impl<K: ToJsonKey, V: ToJson> ToJson for BTreeMap<K, V> {
    fn to_json(&self) -> Value {
        let mut o = Map::new();
        for (k, v) in self {
            o.insert(k.to_key(), v.to_json());
        }
        Value::Object(o)
    }
}
