//! `SortedMap` and `SortedSet`: the parts of `BTreeMap`'s and `BTreeSet`'s API the shared types and the portal use,
//! over one sorted `Vec`. A B-tree compiles its node code (search, insert and split, remove and merge, steal, clone)
//! once per key and value type: 16 KiB of the portal's gzipped download for its handful of maps, and 9 KiB less
//! once these stood in for them (with JSON objects as `IndexMap`s in the portal). A sorted `Vec` is a binary search
//! and a shift. Inserting is linear, so only for the small maps a record or a form holds (a record's custom fields,
//! a form's errors, an import's column mapping).

use std::borrow::Borrow;
use std::fmt;

use vigil_json::{Error, FromJson, FromJsonKey, Map, ToJson, ToJsonKey, Value};

/// A map kept sorted by key, one entry per key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> SortedMap<K, V> {
    pub const fn new() -> Self {
        Self { entries: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.entries.iter())
    }

    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys(self.entries.iter())
    }

    pub fn values(&self) -> Values<'_, K, V> {
        Values(self.entries.iter())
    }

    /// Keeps the entries for which `keep` says true.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// Where `key` is (`Ok`) or would go (`Err`).
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        self.entries.get(at).map(|(_, v)| v)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        self.entries.get_mut(at).map(|(_, v)| v)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`; the value it had, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(at) => self.entries.get_mut(at).map(|(_, v)| std::mem::replace(v, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// Sets `key` to `value` unless it has one already (the first one wins, as `entry(key).or_insert(value)`).
    pub fn insert_if_absent(&mut self, key: K, value: impl FnOnce() -> V) {
        if let Err(at) = self.find(&key) {
            self.entries.insert(at, (key, value()));
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        Some(self.entries.remove(at).1)
    }
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries.iter().map(|(k, v)| (k, v))).finish()
    }
}

// Built by inserting one by one: collecting first and sorting would compile a sort per map type, and the maps are
// small.
impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut map = Self::new();
        map.extend(entries);
        map
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, entries: I) {
        for (k, v) in entries {
            self.insert(k, v);
        }
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

/// The keys of a [`SortedMap`] in order, borrowed. Types of their own rather than `impl Iterator`, so that a key
/// borrowed from one does not keep the map borrowed after its last use.
pub struct Keys<'a, K, V>(std::slice::Iter<'a, (K, V)>);

impl<'a, K, V> Iterator for Keys<'a, K, V> {
    type Item = &'a K;

    fn next(&mut self) -> Option<&'a K> {
        self.0.next().map(|(k, _)| k)
    }
}

/// The values of a [`SortedMap`] in their keys' order, borrowed.
pub struct Values<'a, K, V>(std::slice::Iter<'a, (K, V)>);

impl<'a, K, V> Iterator for Values<'a, K, V> {
    type Item = &'a V;

    fn next(&mut self) -> Option<&'a V> {
        self.0.next().map(|(_, v)| v)
    }
}

/// The entries of a [`SortedMap`] in key order, borrowed.
pub struct Iter<'a, K, V>(std::slice::Iter<'a, (K, V)>);

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

/// A set kept sorted, each value once.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SortedSet<T> {
    items: Vec<T>,
}

impl<T> SortedSet<T> {
    pub const fn new() -> Self {
        Self { items: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The values in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
}

impl<T: Ord> SortedSet<T> {
    /// Adds `value`; false if it was there already.
    pub fn insert(&mut self, value: T) -> bool {
        match self.items.binary_search(&value) {
            Ok(_) => false,
            Err(at) => {
                self.items.insert(at, value);
                true
            }
        }
    }

    pub fn contains(&self, value: &T) -> bool {
        self.items.binary_search(value).is_ok()
    }
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for SortedSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(&self.items).finish()
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(values: I) -> Self {
        let mut set = Self::new();
        for v in values {
            set.insert(v);
        }
        set
    }
}

impl<T> IntoIterator for SortedSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<K: FromJsonKey + Ord, V: FromJson> FromJson for SortedMap<K, V> {
    fn from_json(value: Value) -> Result<Self, Error> {
        match value {
            Value::Object(object) => {
                let mut out = Self::new();
                for (k, v) in object {
                    out.insert(K::from_key(k)?, V::from_json(v)?);
                }
                Ok(out)
            }
            other => Err(Error::kind(&other, "an object")),
        }
    }

    fn placeholder() -> Self {
        Self::new()
    }
}

impl<K: ToJsonKey, V: ToJson> ToJson for SortedMap<K, V> {
    fn to_json(&self) -> Value {
        let mut o = Map::new();
        for (k, v) in &self.entries {
            o.insert(k.to_key(), v.to_json());
        }
        Value::Object(o)
    }
}

impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for SortedMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.entries.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de, K: serde::Deserialize<'de> + Ord, V: serde::Deserialize<'de>> serde::Deserialize<'de> for SortedMap<K, V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<K, V>(std::marker::PhantomData<(K, V)>);

        impl<'de, K: serde::Deserialize<'de> + Ord, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visit<K, V> {
            type Value = SortedMap<K, V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = SortedMap::new();
                while let Some((k, v)) = access.next_entry()? {
                    map.insert(k, v);
                }
                Ok(map)
            }
        }

        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// The schema of the `BTreeMap` this stands in for: an object of `V`s.
#[cfg(feature = "openapi")]
impl<K: schemars::JsonSchema, V: schemars::JsonSchema> schemars::JsonSchema for SortedMap<K, V> {
    fn inline_schema() -> bool {
        <std::collections::BTreeMap<K, V>>::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<K, V>>::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<K, V>>::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <std::collections::BTreeMap<K, V>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// A small pseudo-random sequence of operations applied to both, compared after each.
    #[test]
    fn behaves_as_the_standard_btree_map_and_set() {
        let mut seed = 11_u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            seed >> 33
        };
        let mut ours = SortedMap::new();
        let mut std = BTreeMap::new();
        let mut our_set = SortedSet::new();
        let mut std_set = BTreeSet::new();
        for step in 0..3_000 {
            let key = format!("k{}", next() % 40);
            let value = next();
            match next() % 5 {
                0 | 1 => assert_eq!(ours.insert(key.clone(), value), std.insert(key, value), "step {step}"),
                2 => assert_eq!(ours.remove(key.as_str()), std.remove(key.as_str()), "step {step}"),
                3 => {
                    ours.insert_if_absent(key.clone(), || value);
                    std.entry(key).or_insert(value);
                }
                _ => {
                    ours.retain(|_, v| *v % 7 != 0);
                    std.retain(|_, v| *v % 7 != 0);
                }
            }
            let n = next() % 50;
            assert_eq!(our_set.insert(n), std_set.insert(n), "step {step}");
            assert_eq!(our_set.contains(&(n + 1)), std_set.contains(&(n + 1)));
            assert!(ours.iter().eq(std.iter()), "step {step}");
            assert!(our_set.iter().eq(std_set.iter()), "step {step}");
            assert_eq!(ours.get("k3"), std.get("k3"));
            assert_eq!(ours.contains_key("k5"), std.contains_key("k5"));
            assert_eq!(ours.len(), std.len());
        }
        assert_eq!(format!("{ours:?}"), format!("{std:?}"));
        assert_eq!(format!("{our_set:?}"), format!("{std_set:?}"));
    }

    #[test]
    fn reads_and_writes_json_as_an_object() {
        let map: SortedMap<String, u64> = [("b".to_owned(), 2), ("a".to_owned(), 1)].into_iter().collect();
        let json = r#"{"a":1,"b":2}"#;
        assert_eq!(vigil_json::to_text(&map.to_json()), json);
        assert_eq!(vigil_json::from_str::<SortedMap<String, u64>>(json), Ok(map.clone()));
        assert_eq!(serde_json::to_string(&map).ok().as_deref(), Some(json));
        assert_eq!(serde_json::from_str::<SortedMap<String, u64>>(r#"{"b":2,"a":1}"#).ok(), Some(map));
        assert!(vigil_json::from_str::<SortedMap<String, u64>>("[1]").is_err());
    }
}
