//! The page outside Yew's tree.

use wasm_bindgen::JsCast;

/// Moves the keyboard focus to the element with this ID, if there is one (after a failed submit, to the first field
/// with a problem).
pub fn focus(id: &str) {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}
