//! [`IdMap`]: a page's few values kept by numeric ID (a reason typed per held lead, the leads ticked for a bulk
//! action), in place of a `BTreeMap`.
//!
//! A `BTreeMap` compiles its node code (insert, split, merge, steal) once per key and value type, about 1.3 KiB
//! gzipped each; these maps hold a handful of entries. Here the IDs sit in one sorted `Vec<u64>` searched by code
//! that does not depend on the value type, and the values in a `Vec` beside them.

/// Values by `u64` ID, in ID order.
#[derive(Clone, PartialEq)]
pub struct IdMap<V> {
    ids: Vec<u64>,
    values: Vec<V>,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> IdMap<V> {
    pub const fn new() -> Self {
        Self { ids: Vec::new(), values: Vec::new() }
    }

    pub fn get(&self, id: u64) -> Option<&V> {
        self.ids.binary_search(&id).ok().and_then(|i| self.values.get(i))
    }

    pub fn contains(&self, id: u64) -> bool {
        self.ids.binary_search(&id).is_ok()
    }

    /// Sets the value of `id`, replacing the one it had.
    pub fn insert(&mut self, id: u64, value: V) {
        match self.ids.binary_search(&id) {
            Ok(i) => {
                if let Some(slot) = self.values.get_mut(i) {
                    *slot = value;
                }
            }
            Err(i) => {
                self.ids.insert(i, id);
                self.values.insert(i, value);
            }
        }
    }

    /// Removes `id`; whether it was there.
    pub fn remove(&mut self, id: u64) -> bool {
        match self.ids.binary_search(&id) {
            Ok(i) => {
                self.ids.remove(i);
                self.values.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The IDs, in order.
    pub fn ids(&self) -> &[u64] {
        &self.ids
    }

    /// `(id, value)` pairs, in ID order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        self.ids.iter().copied().zip(&self.values)
    }
}

#[cfg(test)]
mod tests {
    use super::IdMap;

    #[test]
    fn keeps_one_value_per_id_in_id_order() {
        let mut m = IdMap::new();
        for (id, v) in [(30, "c"), (10, "a"), (20, "b"), (10, "A")] {
            m.insert(id, v);
        }
        assert_eq!(m.iter().collect::<Vec<_>>(), [(10, &"A"), (20, &"b"), (30, &"c")]);
        assert_eq!((m.get(20), m.get(25), m.contains(30)), (Some(&"b"), None, true));
        assert!(m.remove(20) && !m.remove(20));
        assert_eq!(m.ids(), [10, 30]);
        assert!(!m.is_empty() && m.remove(10) && m.remove(30) && m.is_empty());
    }
}
