//! A split button: the main button keeps the plain path, ▼ lists the creation workflows of one kind the caller may
//! start. Without such workflows it is the plain button alone.

use crate::app::Route;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use vigil_api::common::NoQuery;
use vigil_api::creation_workflows::{CreationKind, CreationWorkflow};
use vigil_api::ops;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CreationSplitProps {
    pub kind: CreationKind,
    pub label: AttrValue,
    pub testid: AttrValue,
    #[prop_or_default]
    pub class: Classes,
    pub on_main: Callback<()>,
    pub on_pick: Callback<CreationWorkflow>,
    /// Nothing at all while no workflow is offered (the restart button of a create page).
    #[prop_or_default]
    pub only_with_workflows: bool,
}

#[component]
pub fn CreationSplit(props: &CreationSplitProps) -> Html {
    let session = use_session();
    let flows = use_state(Vec::<CreationWorkflow>::new);
    let open = use_state(|| false);
    {
        let (flows, client, kind) = (flows.clone(), session.client(), props.kind);
        use_effect_with(kind, move |kind| {
            let kind = *kind;
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(list) = client.call::<ops::AvailableCreationWorkflows>(&(), &NoQuery {}, &()).await {
                        flows.set(list.items.into_iter().filter(|w| w.kind == kind).collect());
                    }
                });
            }
        });
    }
    let main = {
        let on_main = props.on_main.clone();
        crate::h::cb(move |_: MouseEvent| on_main.emit(()))
    };
    let testid = props.testid.clone();
    if flows.is_empty() && props.only_with_workflows {
        return html! {};
    }
    let toggle = {
        let open = open.clone();
        crate::h::cb(move |_: MouseEvent| open.set(!*open))
    };
    // The main button keeps its place when the workflows arrive and ▼ joins it: were it re-created, a click landing
    // as the answer comes in would be lost (the press on the old button, the release on the new one).
    let offered = !flows.is_empty();
    html! {
        <div class="split-button" data-testid={offered.then(|| AttrValue::from(format!("{testid}-split")))}>
            <button type="button" class={classes!("button", props.class.clone())} data-testid={testid.clone()} onclick={main}>{ props.label.clone() }</button>
            if offered {
                <button type="button" class={classes!("button", "split-toggle", props.class.clone())} aria-haspopup="menu"
                    aria-expanded={open.to_string()} aria-label="New from workflow" data-testid={format!("{testid}-menu")} onclick={toggle}>{ "▼" }</button>
            }
            if offered && *open {
                <ul class="split-menu" role="menu" data-testid={format!("{testid}-workflows")}>
                    <li class="split-menu-title muted small">{ "New from workflow" }</li>
                    { for flows.iter().map(|w| {
                        let (pick, open, w2) = (props.on_pick.clone(), open.clone(), w.clone());
                        let onclick = crate::h::cb(move |_: MouseEvent| { open.set(false); pick.emit(w2.clone()); });
                        html! {
                            <li role="none"><button type="button" role="menuitem" class="split-item" data-testid={format!("workflow-{}", w.id)} {onclick}>{ w.name.clone() }</button></li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}

/// **+ New Customer** of the Customer List: the plain form, or ▼ a customer-create workflow's wizard.
#[component]
pub fn NewCustomerButton() -> Html {
    let navigator = crate::router::use_navigator();
    let (plain, pick) = (navigator.clone(), navigator);
    html! {
        <CreationSplit kind={CreationKind::CustomerCreate} label="+ New Customer" testid="new-customer"
            on_main={crate::h::cb(move |_| { if let Some(n) = &plain { n.push(&Route::NewCustomer) } })}
            on_pick={crate::h::cb(move |w: CreationWorkflow| {
                if let Some(n) = &pick { n.push(&Route::NewCustomerWizard { workflow: w.id.to_string() }) }
            })} />
    }
}

/// **+ New Lead** of the Leads list: the plain form, or ▼ a lead-create workflow's form.
#[component]
pub fn NewLeadButton() -> Html {
    let navigator = crate::router::use_navigator();
    let (plain, pick) = (navigator.clone(), navigator);
    html! {
        <CreationSplit kind={CreationKind::LeadCreate} label="+ New Lead" testid="new-lead"
            on_main={crate::h::cb(move |_| { if let Some(n) = &plain { n.push(&Route::NewLead) } })}
            on_pick={crate::h::cb(move |w: CreationWorkflow| {
                if let Some(n) = &pick { n.push(&Route::NewLeadWizard { workflow: w.id.to_string() }) }
            })} />
    }
}
