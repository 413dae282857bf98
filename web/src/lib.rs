//! The Vigil portal: a Yew app rendered in the browser, talking to `/api/v1` with the signed-in user's token.

pub mod api;
pub mod app;
pub mod components;
pub mod h;
pub mod hooks;
pub mod id_map;
pub mod lead_filter;
pub mod pages;
pub mod router;
pub mod session;
pub mod storage;
pub mod toast;
pub mod zip_table;

/// Yew's markup, built with less code per element (see `web/macros`).
pub use vigil_web_macros::html;

use std::future::Future;
use std::pin::Pin;

/// Runs `task` in the background; every request a page makes starts here. Boxed before it reaches the executor, so
/// the portal carries one copy of the executor's spawning code rather than one per future type.
pub fn spawn(task: impl Future<Output = ()> + 'static) {
    spawn_boxed(Box::pin(task))
}

fn spawn_boxed(task: Pin<Box<dyn Future<Output = ()>>>) {
    wasm_bindgen_futures::spawn_local(task)
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    // index.html shows "Loading Vigil…" until the app is ready to draw.
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
    yew::Renderer::<app::App>::new().render();
}

/// The portal's allocator, smaller in the wasm than Rust's default (dlmalloc).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
