//! The customer record's confirmations: archive (with what it cancels), unarchive and delete.

use crate::api::{ApiError, ArchivePreview, CustomerHome};
use crate::app::Route;
use crate::components::modal::Modal;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::router::use_navigator;
use crate::session::use_session;
use crate::toast::use_toasts;
use vigil_domain::RecordId;
use yew::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Dialog {
    Archive,
    Unarchive,
    Delete,
    ApplyTemplate,
    /// Sell the customer to a buying partner (`super::sell`).
    Sell,
}

#[derive(Properties, PartialEq)]
pub(super) struct RecordDialogProps {
    pub id: RecordId,
    pub on_close: Callback<()>,
    pub on_done: Callback<CustomerHome>,
}

#[component]
pub(super) fn ArchiveDialog(props: &RecordDialogProps) -> Html {
    let session = use_session();
    let preview = use_state(|| None::<Result<ArchivePreview, ApiError>>);
    let confirmed = use_state(|| false);
    let error = use_state(|| None::<String>);
    {
        let (preview, client, id) = (preview.clone(), session.client(), props.id);
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move { preview.set(Some(client.archive_preview(id).await)) });
            }
        });
    }
    let onchange = {
        let confirmed = confirmed.clone();
        crate::h::cb(move |e: Event| confirmed.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()))
    };
    let archive = {
        let (client, id, on_done, on_close, error) =
            (session.client(), props.id, props.on_done.clone(), props.on_close.clone(), error.clone());
        crate::h::cb(move |_| {
            let Some(client) = client.clone() else { return };
            let (on_done, on_close, error) = (on_done.clone(), on_close.clone(), error.clone());
            crate::spawn(async move {
                match client.archive_customer(id).await {
                    Ok(r) => {
                        on_close.emit(());
                        on_done.emit(r);
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };
    let affected = |a: &crate::api::ArchiveAffected| {
        let n = (a.recurring_invoices.len(), a.appointments.len(), a.scheduled_payments.len());
        format!(
            "#{} {}: cancels {} recurring invoice(s), {} appointment(s), {} scheduled payment(s)",
            a.id, a.name, n.0, n.1, n.2
        )
    };
    html! {
        <Modal title="Archive customer" testid="archive-dialog" on_close={props.on_close.clone()}>
            { match &*preview {
                None => html! { <p class="loading">{ "Checking what archiving affects…" }</p> },
                Some(Err(e)) => html! { <p class="error-box" role="alert">{ e.message() }</p> },
                Some(Ok(p)) => html! {
                    <>
                        if p.nothing_affected {
                            <p>{ "Nothing else will be cancelled." }</p>
                        } else {
                            <ul data-testid="archive-affected">
                                <li>{ affected(&p.customer) }</li>
                                { for p.sub_customers.iter().map(|s| html! { <li>{ format!("Sub-customer (archived too) {}", affected(s)) }</li> }) }
                            </ul>
                        }
                        { for (!p.sub_customers.is_empty()).then(|| html! {
                            <p data-testid="archive-children">{ format!("{} sub-customer(s) will be archived with it.", p.sub_customers.len()) }</p>
                        }) }
                    </>
                },
            } }
            <label class="check">
                <input type="checkbox" data-testid="archive-confirm-check" checked={*confirmed} {onchange} />
                { " I understand the customer becomes read-only and the items above are cancelled." }
            </label>
            { for error.as_ref().map(|m| html! { <p class="error-box" role="alert" data-testid="dialog-error">{ m.clone() }</p> }) }
            <div class="actions">
                <button type="button" class="button danger" disabled={!*confirmed} data-testid="archive-confirm" onclick={archive}>{ "Archive" }</button>
                <button type="button" class="button secondary" onclick={props.on_close.adapt(|_| ())}>{ "Cancel" }</button>
            </div>
        </Modal>
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct UnarchiveProps {
    pub id: RecordId,
    pub has_children: bool,
    pub on_close: Callback<()>,
    pub on_done: Callback<CustomerHome>,
}

#[component]
pub(super) fn UnarchiveDialog(props: &UnarchiveProps) -> Html {
    let session = use_session();
    let confirmed = use_state(|| false);
    let with_children = use_state(|| false);
    let error = use_state(|| None::<String>);
    let onchange = {
        let confirmed = confirmed.clone();
        crate::h::cb(move |e: Event| confirmed.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()))
    };
    let go = {
        let (client, id, on_done, on_close, error, with_children) = (
            session.client(),
            props.id,
            props.on_done.clone(),
            props.on_close.clone(),
            error.clone(),
            with_children.clone(),
        );
        crate::h::cb(move |_| {
            let Some(client) = client.clone() else { return };
            let (on_done, on_close, error, include) =
                (on_done.clone(), on_close.clone(), error.clone(), *with_children);
            crate::spawn(async move {
                match client.unarchive_customer(id, include).await {
                    Ok(r) => {
                        on_close.emit(());
                        on_done.emit(r);
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };
    let pick = |v: bool| {
        let with_children = with_children.clone();
        crate::h::cb(move |_: Event| with_children.set(v))
    };
    html! {
        <Modal title="Unarchive customer" testid="unarchive-dialog" on_close={props.on_close.clone()}>
            <p>{ "Cancelled invoices, appointments and payments stay cancelled." }</p>
            if props.has_children {
                <fieldset class="choice">
                    <legend>{ "What to unarchive" }</legend>
                    <label><input type="radio" name="unarchive-scope" data-testid="unarchive-parent-only" checked={!*with_children} onchange={pick(false)} />{ " This customer only" }</label>
                    <label><input type="radio" name="unarchive-scope" data-testid="unarchive-with-children" checked={*with_children} onchange={pick(true)} />{ " This customer and its sub-customers" }</label>
                </fieldset>
            }
            <label class="check">
                <input type="checkbox" data-testid="unarchive-confirm-check" checked={*confirmed} {onchange} />
                { " I want to restore this customer." }
            </label>
            { for error.as_ref().map(|m| html! { <p class="error-box" role="alert" data-testid="dialog-error">{ m.clone() }</p> }) }
            <div class="actions">
                <button type="button" class="button" disabled={!*confirmed} data-testid="unarchive-confirm" onclick={go}>{ "Unarchive" }</button>
                <button type="button" class="button secondary" onclick={props.on_close.adapt(|_| ())}>{ "Cancel" }</button>
            </div>
        </Modal>
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct DeleteProps {
    pub id: RecordId,
    pub name: String,
    pub on_close: Callback<()>,
}

#[component]
pub(super) fn DeleteDialog(props: &DeleteProps) -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let toasts = use_toasts();
    let error = use_state(|| None::<String>);
    let go = {
        let (client, id, error, navigator, toasts) =
            (session.client(), props.id, error.clone(), navigator.clone(), toasts.clone());
        crate::h::cb(move |_| {
            let Some(client) = client.clone() else { return };
            let (error, navigator, toasts) = (error.clone(), navigator.clone(), toasts.clone());
            crate::spawn(async move {
                match client.delete_customer(id).await {
                    Ok(()) => {
                        toasts.info(&format!("Customer #{id} deleted"));
                        if let Some(nav) = navigator {
                            nav.push(&Route::Customers);
                        }
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };
    html! {
        <Modal title="Delete customer" testid="delete-dialog" on_close={props.on_close.clone()}>
            <p>{ format!("Delete #{} {} and everything under it (notes, contacts, equipment, history)? This cannot be undone.", props.id, props.name) }</p>
            { for error.as_ref().map(|m| html! { <p class="error-box" role="alert" data-testid="dialog-error">{ m.clone() }</p> }) }
            <div class="actions">
                <button type="button" class="button secondary" onclick={props.on_close.adapt(|_| ())}>{ "Cancel" }</button>
                <button type="button" class="button danger" data-testid="delete-confirm" onclick={go}>{ "Delete" }</button>
            </div>
        </Modal>
    }
}
