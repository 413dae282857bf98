//! The lead's reps on the lead page: the lead rep and the sales rep (the Sale card's "Sold by", which the customer
//! keeps after conversion), changed through the same reassignment the Leads list uses in bulk, with history.

use crate::api::UserOption;
use crate::hooks::{use_effect_with, use_state, use_state_with, UseStateHandle};
use crate::html;
use crate::session::{use_report_error, use_session};
use vigil_api::common::NoQuery;
use vigil_api::imports::Reassign;
use vigil_api::ops;
use vigil_domain::RecordId;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LeadRepsProps {
    pub id: RecordId,
    pub lead_rep_id: Option<String>,
    /// Called after a change was saved (the page reads the lead again).
    pub on_saved: Callback<()>,
}

fn select_value(e: Event) -> String {
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value()).unwrap_or_default()
}

#[component]
pub fn LeadReps(props: &LeadRepsProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let options = use_state(|| None::<(Vec<UserOption>, Vec<UserOption>)>);
    let lead_rep = use_state_with(|| props.lead_rep_id.clone().unwrap_or_default());
    let sales_rep = use_state(String::new);
    let message = use_state(|| None::<String>);
    let busy = use_state(|| false);
    {
        let (options, client) = (options.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    // Users who may not read the customer options cannot pick reps either: the card stays hidden.
                    if let Ok(o) = client.customer_form_options().await {
                        options.set(Some((o.lead_reps, o.sold_by)));
                    }
                });
            }
        });
    }
    let Some((lead_reps, sales_reps)) = (*options).clone() else { return html! {} };
    let on_save = {
        let (client, lead_rep, sales_rep, message, busy, report, on_saved, id) = (
            session.client(),
            lead_rep.clone(),
            sales_rep.clone(),
            message.clone(),
            busy.clone(),
            report.clone(),
            props.on_saved.clone(),
            props.id,
        );
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let body = Reassign {
                lead_ids: vec![id],
                lead_rep_id: Some((*lead_rep).clone()),
                sales_rep_id: (!sales_rep.is_empty()).then(|| (*sales_rep).clone()),
            };
            let (message, busy, report, on_saved) = (message.clone(), busy.clone(), report.clone(), on_saved.clone());
            busy.set(true);
            crate::spawn(async move {
                match client.call::<ops::ReassignLeads>(&(), &NoQuery {}, &body).await {
                    Ok(r) => match r.rows.first() {
                        Some(row) if row.ok => {
                            message.set(Some("Reps saved.".into()));
                            on_saved.emit(());
                        }
                        Some(row) => message.set(row.message.clone()),
                        None => message.set(None),
                    },
                    Err(e) if e.status == 422 => message.set(Some(e.message())),
                    Err(e) => report.emit(e),
                }
                busy.set(false);
            });
        })
    };
    let pick = |state: UseStateHandle<String>| crate::h::cb(move |e: Event| state.set(select_value(e)));
    html! {
        <section class="card" aria-labelledby="card-reps" data-testid="lead-reps">
            <h2 id="card-reps">{ "Reps" }</h2>
            <label class="field">{ "Lead rep " }
                <select class="input" data-testid="lead-rep-select" onchange={pick(lead_rep.clone())}>
                    <option value="" selected={lead_rep.is_empty()}>{ "(none)" }</option>
                    { for lead_reps.iter().map(|u| html! {
                        <option value={u.id.to_string()} selected={*lead_rep == u.id.as_str()}>{ u.name.clone() }</option>
                    }) }
                </select>
            </label>
            <label class="field">{ " Sales rep " }
                <select class="input" data-testid="sales-rep-select" onchange={pick(sales_rep.clone())}>
                    <option value="" selected={sales_rep.is_empty()}>{ "(unchanged)" }</option>
                    { for sales_reps.iter().map(|u| html! {
                        <option value={u.id.to_string()} selected={*sales_rep == u.id.as_str()}>{ u.name.clone() }</option>
                    }) }
                </select>
            </label>
            <button type="button" class="button secondary" data-testid="reps-save" disabled={*busy} onclick={on_save}>{ "Save reps" }</button>
            if let Some(m) = &*message { <p class="muted" role="status" data-testid="reps-message">{ m.clone() }</p> }
        </section>
    }
}
