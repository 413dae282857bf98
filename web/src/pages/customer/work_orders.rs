//! The customer's Work Orders tab: the list with each work order's status (changed in place, with its version), and
//! a form to create one from the customer's equipment.

use crate::api::{ApiError, SubRecord};
use crate::components::format;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use crate::toast::use_toasts;
use vigil_api::common::{NoQuery, RecordPath};
use vigil_api::ops;
use vigil_api::orders::{WorkOrder, WorkOrderSave, WORK_ORDER_STATUSES, WORK_ORDER_TYPES};
use vigil_domain::RecordId;
use yew::prelude::*;

pub const SEGMENT: &str = "work-orders";

#[derive(Properties, PartialEq)]
pub struct WorkOrdersTabProps {
    pub id: RecordId,
    pub can_create: bool,
    pub on_changed: Callback<()>,
}

#[component]
pub fn WorkOrdersTab(props: &WorkOrdersTabProps) -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let id = props.id;
    let list = use_state(|| None::<Result<Vec<WorkOrder>, ApiError>>);
    let equipment = use_state(Vec::<SubRecord>::new);
    let attempt = use_state(|| 0u32);
    let kind = use_state(|| WORK_ORDER_TYPES.first().copied().unwrap_or_default().to_owned());
    let picked = use_state(Vec::<u64>::new);
    let notes = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    {
        let (list, equipment, client) = (list.clone(), equipment.clone(), session.client());
        use_effect_with((id, *attempt), move |(id, _)| {
            let id = *id;
            if let Some(client) = client {
                crate::spawn(async move {
                    let got = client.call::<ops::ListWorkOrders>(&RecordPath { id }, &NoQuery {}, &()).await;
                    list.set(Some(got.map(|l| l.items)));
                    if let Ok(items) = client.customer_items(id, "equipment").await {
                        equipment.set(items);
                    }
                });
            }
        });
    }
    let reload = {
        let (attempt, on_changed) = (attempt.clone(), props.on_changed.clone());
        crate::h::cb(move |_: ()| {
            attempt.set(*attempt + 1);
            on_changed.emit(());
        })
    };
    let create = {
        let (client, kind, picked, notes, error, reload, toasts) = (
            session.client(),
            kind.clone(),
            picked.clone(),
            notes.clone(),
            error.clone(),
            reload.clone(),
            toasts.clone(),
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let body = WorkOrderSave {
                kind: Some((*kind).clone()),
                equipment_item_ids: Some((*picked).clone()),
                notes: Some((*notes).clone()),
                ..Default::default()
            };
            let (error, reload, toasts, picked, notes) =
                (error.clone(), reload.clone(), toasts.clone(), picked.clone(), notes.clone());
            crate::spawn(async move {
                match client.call::<ops::CreateWorkOrder>(&RecordPath { id }, &NoQuery {}, &body).await {
                    Ok(w) => {
                        toasts.info(&format!("Work order #{} created", w.id));
                        error.set(None);
                        picked.set(vec![]);
                        notes.set(String::new());
                        reload.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let set_status = |w: &WorkOrder| {
        let (client, reload, toasts, wid, version) =
            (session.client(), reload.clone(), toasts.clone(), w.id, w.version);
        crate::h::cb(move |e: Event| {
            let status = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            let Some(client) = client.clone() else { return };
            let (reload, toasts) = (reload.clone(), toasts.clone());
            let body =
                WorkOrderSave { id: Some(wid), version: Some(version), status: Some(status), ..Default::default() };
            crate::spawn(async move {
                match client.call::<ops::UpdateWorkOrder>(&RecordPath { id }, &NoQuery {}, &body).await {
                    Ok(_) => reload.emit(()),
                    Err(e) => {
                        toasts.error("Could not change the work order", Some(e.message()));
                        reload.emit(());
                    }
                }
            });
        })
    };
    let rows = match &*list {
        None => html! { <p class="loading">{ "Loading work orders…" }</p> },
        Some(Err(e)) => html! { <p class="error-box" role="alert">{ e.message() }</p> },
        Some(Ok(items)) if items.is_empty() => {
            html! { <p class="muted" data-testid="work-orders-empty">{ "No work orders." }</p> }
        }
        Some(Ok(items)) => html! {
            <div class="table-wrap">
                <table class="simple-table" data-testid="work-orders">
                    <thead><tr><th scope="col">{ "#" }</th><th scope="col">{ "Type" }</th><th scope="col">{ "Items" }</th>
                        <th scope="col">{ "Notes" }</th><th scope="col">{ "Status" }</th></tr></thead>
                    <tbody>
                        { for items.iter().map(|w| html! {
                            <tr data-testid="work-order" data-id={w.id.to_string()}>
                                <td>{ format!("#{}", w.id) }</td>
                                <td>{ format::key_label(&w.kind) }</td>
                                <td>{ w.items.iter().map(|i| format!("{} × {}", i.quantity, i.name)).collect::<Vec<_>>().join(", ") }</td>
                                <td>{ w.notes.clone() }</td>
                                <td><select aria-label="Status" data-testid="work-order-status" disabled={!props.can_create} onchange={set_status(w)}>
                                    { for WORK_ORDER_STATUSES.iter().map(|s| html! { <option value={*s} selected={w.status == *s}>{ format::key_label(s) }</option> }) }
                                </select></td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    html! {
        <section class="card work-orders" data-testid="work-orders-tab">
            <h2>{ "Work Orders" }</h2>
            { rows }
            { for props.can_create.then(|| html! {
                <form class="inline-form" data-testid="work-order-form" onsubmit={create}>
                    <h3>{ "New work order" }</h3>
                    <label>{ "Type" }
                        <select data-testid="work-order-type" onchange={{ let k = kind.clone(); crate::h::cb(move |e: Event| k.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value())) }}>
                            { for WORK_ORDER_TYPES.iter().map(|t| html! { <option value={*t} selected={*kind == *t}>{ format::key_label(t) }</option> }) }
                        </select>
                    </label>
                    <fieldset><legend>{ "Equipment" }</legend>
                        if equipment.is_empty() { <p class="muted">{ "The customer has no equipment yet." }</p> }
                        { for equipment.iter().map(|e| {
                            let eid = e.id;
                            let toggle = { let picked = picked.clone(); crate::h::cb(move |ev: Event| {
                                let on = ev.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
                                let mut next: Vec<u64> = (*picked).iter().copied().filter(|x| *x != eid).collect();
                                if on { next.push(eid); }
                                picked.set(next);
                            }) };
                            html! { <label class="check"><input type="checkbox" checked={picked.contains(&eid)} onchange={toggle} data-testid="work-order-item" />
                                { format!(" {} × {}", e.data.get("quantity").and_then(|q| q.as_u64()).unwrap_or(1), e.data.get("name").and_then(|n| n.as_str()).unwrap_or_default()) }</label> }
                        }) }
                    </fieldset>
                    <label>{ "Notes" }<textarea value={(*notes).clone()} onchange={{ let n = notes.clone(); crate::h::cb(move |e: Event| n.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value())) }} data-testid="work-order-notes" /></label>
                    { for error.as_ref().map(|e| html! { <div class="error-box" role="alert">{ for e.errors.iter().map(|f| html! { <p>{ format!("{}: {}", f.field, f.message) }</p> }) }<p>{ e.message() }</p></div> }) }
                    <button type="submit" class="button" data-testid="work-order-save">{ "Create work order" }</button>
                </form>
            }) }
        </section>
    }
}
