//! Delete lead, at the bottom of the lead page.

use crate::app::Route;
use crate::hooks::use_state;
use crate::html;
use crate::router::use_navigator;
use crate::session::use_session;
use crate::toast::use_toasts;
use vigil_domain::{Action, Resource};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DeleteLeadProps {
    pub id: vigil_domain::RecordId,
    pub name: AttrValue,
}

/// Delete lead, for users with Leads Delete (the server checks the lead's office too): asks first, then removes the
/// lead and everything under it and goes back to the list.
#[component]
pub fn DeleteLead(props: &DeleteLeadProps) -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let navigator = use_navigator();
    let asking = use_state(|| false);
    let busy = use_state(|| false);
    let problem = use_state(|| None::<String>);
    let may = session.me.as_ref().is_some_and(|m| m.permissions.allows_somewhere(Resource::Leads, Action::Delete));
    if !may {
        return html! {};
    }
    let ask = {
        let (asking, problem) = (asking.clone(), problem.clone());
        crate::h::cb(move |_| {
            problem.set(None);
            asking.set(true);
        })
    };
    let cancel = {
        let asking = asking.clone();
        crate::h::cb(move |_| asking.set(false))
    };
    let confirm = {
        let (busy, problem, asking, client, id) =
            (busy.clone(), problem.clone(), asking.clone(), session.client(), props.id);
        crate::h::cb(move |_| {
            let Some(client) = client.clone() else { return };
            busy.set(true);
            let (busy, problem, asking, toasts, navigator) =
                (busy.clone(), problem.clone(), asking.clone(), toasts.clone(), navigator.clone());
            crate::spawn(async move {
                match client.delete_lead(id).await {
                    Ok(()) => {
                        toasts.info(&format!("Lead {id} deleted"));
                        if let Some(nav) = navigator {
                            nav.push(&Route::Leads);
                        }
                    }
                    Err(e) => {
                        busy.set(false);
                        asking.set(false);
                        problem.set(Some(if e.is_forbidden() {
                            "You do not have permission to delete this lead.".to_owned()
                        } else {
                            format!("Could not delete the lead: {}", e.message())
                        }));
                    }
                }
            });
        })
    };
    html! {
        <section class="card danger-zone" aria-labelledby="card-delete" data-testid="delete-lead-card">
            <h2 id="card-delete">{ "Delete lead" }</h2>
            if let Some(msg) = &*problem {
                <p class="error-box" role="alert" data-testid="delete-error">{ msg.clone() }</p>
            }
            if *asking {
                <div role="alertdialog" aria-labelledby="delete-question" class="confirm" data-testid="delete-confirm">
                    <p id="delete-question"><strong>{ format!("Delete lead {} ({})?", props.id, props.name) }</strong></p>
                    <p>{ "Its history, notes and tags go with it. This cannot be undone." }</p>
                    <div class="actions">
                        <button type="button" class="button danger" disabled={*busy} data-testid="delete-confirm-yes" onclick={confirm}>
                            { if *busy { "Deleting…" } else { "Yes, delete it" } }
                        </button>
                        <button type="button" class="button secondary" disabled={*busy} data-testid="delete-cancel" onclick={cancel}>{ "Cancel" }</button>
                    </div>
                </div>
            } else {
                <p class="muted">{ "Removes the lead and everything under it." }</p>
                <button type="button" class="button danger" data-testid="delete-lead" onclick={ask}>{ "Delete lead…" }</button>
            }
        </section>
    }
}
