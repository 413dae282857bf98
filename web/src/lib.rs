//! The Vigil portal: a Yew app rendered in the browser, talking to `/api/v1` with the signed-in user's token.

pub mod api;
pub mod app;
pub mod components;
pub mod json;
pub mod lead_filter;
pub mod pages;
pub mod session;
pub mod toast;
pub mod zip_table;

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    // index.html shows "Loading Vigil…" until the app is ready to draw.
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
    yew::Renderer::<app::App>::new().render();
}
