//! Conversions between domain values and stored items.

use crate::AppError;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use vigil_store::{Item, Key};

/// The value's fields plus its key attributes (and any index attributes given).
pub fn item_of<T: Serialize>(key: &Key, value: &T, index_attrs: &[(&str, String)]) -> Item {
    let mut item = match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Item::new(),
    };
    item.extend(key.to_item());
    for (attr, v) in index_attrs {
        item.insert((*attr).to_owned(), Value::String(v.clone()));
    }
    item
}

/// Reads a stored item back into a domain value, ignoring key and index attributes.
pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, AppError> {
    serde_json::from_value(Value::Object(item))
        .map_err(|e| AppError::Internal(format!("stored item is unreadable: {}", crate::error::serde_problem(&e))))
}
