//! Cursor paging: the server hands out an opaque cursor for the next page, so the way back is the trail of cursors
//! already used.

use crate::h::Adapt;
use crate::hooks::UseStateHandle;
use crate::html;
use yew::prelude::*;

/// The cursors of the pages visited so far; the last one is the page on screen (`None` is the first page).
#[derive(Debug, Clone, PartialEq)]
pub struct CursorTrail(Vec<Option<String>>);

/// Written as its cursors, for an effect that depends on the trail.
impl vigil_json::ToJson for CursorTrail {
    fn to_json(&self) -> serde_json::Value {
        self.0.to_json()
    }
}

impl Default for CursorTrail {
    fn default() -> Self {
        Self(vec![None])
    }
}

impl CursorTrail {
    pub fn current(&self) -> Option<String> {
        self.0.last().cloned().flatten()
    }

    /// 1-based number of the page on screen.
    pub fn page_number(&self) -> usize {
        self.0.len()
    }

    pub fn forward(&self, next: String) -> Self {
        let mut t = self.0.clone();
        t.push(Some(next));
        Self(t)
    }

    pub fn back(&self) -> Self {
        let mut t = self.0.clone();
        if t.len() > 1 {
            t.pop();
        }
        Self(t)
    }
}

/// The Pager's Next and Previous callbacks, moving `trail` on or back.
pub fn trail_callbacks(trail: &UseStateHandle<CursorTrail>) -> (Callback<String>, Callback<()>) {
    let next = trail.clone();
    let back = trail.clone();
    (crate::h::cb(move |c: String| next.set(next.forward(c))), crate::h::cb(move |()| back.set(back.back())))
}

#[derive(Properties, PartialEq)]
pub struct PagerProps {
    pub page_number: usize,
    pub next_cursor: Option<String>,
    pub busy: bool,
    pub on_next: Callback<String>,
    pub on_previous: Callback<()>,
}

#[component]
pub fn Pager(props: &PagerProps) -> Html {
    let next = {
        let cursor = props.next_cursor.clone();
        let on_next = props.on_next.clone();
        crate::h::cb(move |_| {
            if let Some(c) = &cursor {
                on_next.emit(c.clone());
            }
        })
    };
    let previous = props.on_previous.adapt(|_: MouseEvent| ());
    if props.page_number <= 1 && props.next_cursor.is_none() {
        return html! {};
    }
    html! {
        <nav class="pager" aria-label="Pages">
            <button type="button" class="button secondary" data-testid="previous-page"
                disabled={props.busy || props.page_number <= 1} onclick={previous}>{ "Previous page" }</button>
            <span class="pager-number" data-testid="page-number">{ format!("Page {}", props.page_number) }</span>
            <button type="button" class="button secondary" data-testid="next-page"
                disabled={props.busy || props.next_cursor.is_none()} onclick={next}>{ "Next page" }</button>
        </nav>
    }
}
