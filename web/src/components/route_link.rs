use crate::app::Route;
use crate::html;
use crate::router::use_navigator;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RouteLinkProps {
    pub to: Route,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub current: bool,
    #[prop_or_default]
    pub onnavigate: Option<Callback<()>>,
    #[prop_or_default]
    pub children: Html,
}

/// A real `<a href>` (so it can be opened in a new tab, focused and followed by keyboard) that navigates inside the
/// portal without reloading it.
#[component]
pub fn RouteLink(props: &RouteLinkProps) -> Html {
    let navigator = use_navigator();
    let onclick = {
        let to = props.to.clone();
        let onnavigate = props.onnavigate.clone();
        crate::h::cb(move |e: MouseEvent| {
            // Leave modified clicks (new tab, new window) and non-primary buttons to the browser.
            if e.button() != 0 || e.meta_key() || e.ctrl_key() || e.shift_key() || e.alt_key() {
                return;
            }
            if let Some(nav) = &navigator {
                e.prevent_default();
                nav.push(&to);
                if let Some(cb) = &onnavigate {
                    cb.emit(());
                }
            }
        })
    };
    let aria_current = props.current.then_some("page");
    html! {
        <a href={props.to.to_path()} class={props.class.clone()} data-testid={props.testid.clone()}
            aria-current={aria_current} {onclick}>
            { props.children.clone() }
        </a>
    }
}
