//! A dialog over the page: labelled by its title, focus moves into it when it opens, Escape or Cancel closes it.
//! `class` on the backdrop styles a variant (the MMR picker is full screen); `head_actions` sit beside the title.

use crate::hooks::use_effect_with;
use crate::html;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    pub title: AttrValue,
    pub testid: AttrValue,
    pub on_close: Callback<()>,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub head_actions: Html,
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn Modal(props: &ModalProps) -> Html {
    let panel = use_node_ref();
    {
        let panel = panel.clone();
        use_effect_with((), move |_| {
            // The first control that takes focus, else the panel itself.
            if let Some(el) = panel.cast::<web_sys::Element>() {
                let target = el
                    .query_selector("input:not([disabled]), select:not([disabled]), button:not([disabled])")
                    .ok()
                    .flatten()
                    .unwrap_or(el);
                if let Ok(h) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(target) {
                    let _ = h.focus();
                }
            }
        });
    }
    let onkeydown = {
        let on_close = props.on_close.clone();
        crate::h::cb(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                on_close.emit(());
            }
        })
    };
    let title_id = format!("{}-title", props.testid);
    html! {
        <div class={classes!("modal-backdrop", props.class.clone())}>
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby={title_id.clone()} data-testid={props.testid.clone()}
                 tabindex="-1" ref={panel} {onkeydown}>
                <div class="modal-head">
                    <h2 id={title_id}>{ props.title.clone() }</h2>
                    { props.head_actions.clone() }
                </div>
                { props.children.clone() }
            </div>
        </div>
    }
}
