//! The browser's local storage, each value kept as JSON text, as the storage crate used before wrote it, so what
//! earlier builds stored still reads. Values go through `vigil_json`: reading a typed value with serde_json would
//! bring serde's error messages, and with them Rust's float printing, into the wasm for these few keys.

use vigil_json::{FromJson, ToJson};

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The value under `key`, if there is one and it reads as a `T`.
pub fn get<T: FromJson>(key: &str) -> Option<T> {
    let text = local()?.get_item(key).ok()??;
    vigil_json::from_str(&text).ok()
}

/// Keeps `value` under `key`. A full or refused storage only loses the convenience, so it is not an error.
pub fn set<T: ToJson + ?Sized>(key: &str, value: &T) {
    if let Some(storage) = local() {
        let _ = storage.set_item(key, &vigil_json::to_text(&value.to_json()));
    }
}

pub fn delete(key: &str) {
    if let Some(storage) = local() {
        let _ = storage.remove_item(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The format the storage crate used before wrote: JSON text.
    #[test]
    fn the_stored_format_is_json_text() {
        assert_eq!("tok.en".to_json().to_string(), "\"tok.en\"");
        assert_eq!(25u32.to_json().to_string(), "25");
        assert_eq!(vigil_json::from_str::<String>("\"tok.en\"").ok().as_deref(), Some("tok.en"));
        assert_eq!(vigil_json::from_str::<u32>("25").ok(), Some(25));
    }
}
