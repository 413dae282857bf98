//! Convert to Customer, on the lead page: a dialog choosing the office location and who sold it, and whether to
//! also open an opportunity (name and amount). The same record becomes a customer with the same ID, and the page
//! lands on it.

use crate::api::{ApiError, CustomFieldValue, CustomerFormOptions};
use crate::app::Route;
use crate::components::modal::Modal;
use crate::h::Adapt;
use crate::hooks::{use_state, UseStateHandle};
use crate::html;
use crate::session::use_session;
use crate::toast::use_toasts;
use vigil_api::common::{NoQuery, RecordPath};
use vigil_api::customers::Convert;
use vigil_api::opportunities::NewOpportunity;
use vigil_api::ops;
use vigil_domain::RecordId;
use vigil_json::ToJson;
use yew::prelude::*;
// Converting through a lead-conversion workflow: its custom fields, then the same convert.
use crate::components::custom_fields_card::CustomFieldsCard;
use crate::pages::wizard::CreationSplit;
use crate::router::use_navigator;
use serde_json::Value;
use vigil_api::creation_workflows::{CreationKind, CreationWorkflow};

#[derive(Properties, PartialEq)]
pub struct ConvertLeadProps {
    pub id: RecordId,
    pub version: u64,
}

/// The lead page's Convert to Customer: a dialog choosing the office location and who sold it; lands on the
/// customer (same ID).
#[component]
pub fn ConvertLead(props: &ConvertLeadProps) -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let toasts = use_toasts();
    let open = use_state(|| false);
    let opts = use_state(|| None::<CustomerFormOptions>);
    let location = use_state(String::new);
    let sold_by = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    let with_opportunity = use_state(|| false);
    let opp_name = use_state(String::new);
    let opp_amount = use_state(String::new);
    let busy = use_state(|| false);
    let workflow = use_state(|| None::<CreationWorkflow>);
    let udf_rows = use_state(|| None::<Value>);
    let udf_values = use_state(serde_json::Map::<String, Value>::new);
    let pick = {
        let (workflow, udf_rows, udf_values, client) =
            (workflow.clone(), udf_rows.clone(), udf_values.clone(), session.client());
        crate::h::cb(move |w: Option<CreationWorkflow>| {
            udf_values.set(Default::default());
            udf_rows.set(None);
            if let (Some(w), Some(client)) = (w.clone(), client.clone()) {
                let udf_rows = udf_rows.clone();
                crate::spawn(async move {
                    if let Ok(defs) = client.custom_fields().await {
                        let rows: Vec<Value> = w
                            .custom_field_ids
                            .iter()
                            .filter_map(|id| defs.iter().find(|d| d.id == *id && d.active))
                            .map(|d| {
                                let required = !w.optional_custom_field_ids.contains(&d.id);
                                CustomFieldValue { required, ..CustomFieldValue::new(d.clone(), Value::Null) }.to_json()
                            })
                            .collect();
                        udf_rows.set((!rows.is_empty()).then_some(Value::Array(rows)));
                    }
                });
            }
            workflow.set(w);
        })
    };
    let set_udf = {
        let udf_values = udf_values.clone();
        crate::h::cb(move |(_, v): (String, Value)| {
            if let Value::Object(m) = v {
                let mut next = (*udf_values).clone();
                next.extend(m);
                udf_values.set(next);
            }
        })
    };
    let open_it = {
        let (open, opts, client) = (open.clone(), opts.clone(), session.client());
        crate::h::cb(move |_: ()| {
            open.set(true);
            if opts.is_none() {
                if let Some(client) = client.clone() {
                    let opts = opts.clone();
                    crate::spawn(
                        async move { opts.set(Some(client.customer_form_options().await.unwrap_or_default())) },
                    );
                }
            }
        })
    };
    let close = {
        let open = open.clone();
        crate::h::cb(move |_| open.set(false))
    };
    let submit = {
        let (with_opportunity, opp_name, opp_amount) = (with_opportunity.clone(), opp_name.clone(), opp_amount.clone());
        let (workflow, udf_values) = (workflow.clone(), udf_values.clone());
        let (client, id, version, location, sold_by, error, busy, navigator, toasts) = (
            session.client(),
            props.id,
            props.version,
            location.clone(),
            sold_by.clone(),
            error.clone(),
            busy.clone(),
            navigator.clone(),
            toasts.clone(),
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let loc = location.parse::<u32>().unwrap_or(0);
            let who = (*sold_by).clone();
            let opportunity = with_opportunity.then(|| NewOpportunity {
                name: Some((*opp_name).clone()),
                // Dollars typed, cents sent; what does not read as dollars goes as typed, and the server names it.
                amount: Some(
                    dollars_to_cents(&opp_amount).map_or_else(|| opp_amount.trim().to_json(), |c| c.to_json()),
                ),
            });
            let body = Convert {
                office_location_id: Some(loc.to_json()),
                sold_by_id: Some(who),
                version: Some(version),
                opportunity,
                creation_workflow_id: workflow.as_ref().map(|w| w.id),
                custom_fields: workflow.as_ref().map(|_| Value::Object((*udf_values).clone())),
            };
            let (error, busy, navigator, toasts) = (error.clone(), busy.clone(), navigator.clone(), toasts.clone());
            busy.set(true);
            crate::spawn(async move {
                match client.call::<ops::ConvertLead>(&RecordPath { id }, &NoQuery {}, &body).await {
                    Ok(c) => {
                        toasts.info(&format!("Lead #{} is now a customer", c.id));
                        if let Some(nav) = navigator {
                            nav.push(&Route::Customer { id: c.id.to_string() });
                        }
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        })
    };
    let select = |label: &'static str,
                  field: &'static str,
                  state: &UseStateHandle<String>,
                  choices: Vec<(String, String)>| {
        let s = state.clone();
        let onchange =
            crate::h::cb(move |e: Event| s.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()));
        let message = error.as_ref().and_then(|e| e.field_message(field));
        html! {
            <div class={classes!("form-field", message.is_some().then_some("invalid"))}>
                <label for={format!("convert-{field}")}>{ label }<span class="required">{ " *" }</span></label>
                <select class="input" id={format!("convert-{field}")} data-testid={format!("convert-{field}")} {onchange}>
                    <option value="" selected={state.is_empty()}>{ "Choose…" }</option>
                    { for choices.into_iter().map(|(v, l)| { let sel = v == **state; html! { <option selected={sel} value={v}>{ l }</option> } }) }
                </select>
                { for message.map(|m| html! { <span class="field-error">{ m }</span> }) }
            </div>
        }
    };
    html! {
        <>
            <CreationSplit kind={CreationKind::LeadConversion} label="Convert to Customer" testid="convert-lead"
                on_main={{ let (pick, open_it) = (pick.clone(), open_it.clone()); crate::h::cb(move |_| { pick.emit(None); open_it.emit(()) }) }}
                on_pick={{ let (pick, open_it) = (pick.clone(), open_it.clone()); crate::h::cb(move |w| { pick.emit(Some(w)); open_it.emit(()) }) }} />
            if *open {
                <Modal title={workflow.as_ref().map_or_else(|| "Convert to customer".to_owned(), |w| format!("Convert to customer · {}", w.name))} testid="convert-dialog" on_close={close.clone()}>
                    { match &*opts {
                        None => html! { <p class="loading">{ "Loading options…" }</p> },
                        Some(o) => html! {
                            <form onsubmit={submit}>
                                if workflow.is_some() {
                                    <CustomFieldsCard card={(*udf_rows).clone()} edited={(!udf_values.is_empty()).then(|| Value::Object((*udf_values).clone()))}
                                        editable={!*busy} error={(*error).clone()} on_set={set_udf.clone()} in_form=true />
                                }
                                { select("Office location", "office_location_id", &location, o.office_locations.iter().map(|l| (l.id.0.to_string(), l.name.clone())).collect()) }
                                { select("Sold by", "sold_by_id", &sold_by, o.sold_by.iter().map(|u| (u.id.to_string(), u.name.clone())).collect()) }
                                <div class="form-field">
                                    <label>
                                        <input type="checkbox" checked={*with_opportunity} data-testid="convert-with-opportunity"
                                            onchange={{ let w = with_opportunity.clone(); crate::h::cb(move |_| w.set(!*w)) }} />
                                        { " Also create an opportunity" }
                                    </label>
                                </div>
                                if *with_opportunity {
                                    { text_input("Opportunity name", "opportunity.name", "convert-opportunity-name", &opp_name, error.as_ref()) }
                                    { text_input("Amount ($)", "opportunity.amount", "convert-opportunity-amount", &opp_amount, error.as_ref()) }
                                }
                                { for error.as_ref().filter(|e| e.errors.is_empty()).map(|e| html! { <p class="error-box" role="alert" data-testid="dialog-error">{ e.message() }</p> }) }
                                <div class="actions">
                                    <button type="submit" class="button" disabled={*busy} data-testid="convert-confirm">{ "Convert" }</button>
                                    <button type="button" class="button secondary" onclick={close.adapt(|_| ())}>{ "Cancel" }</button>
                                </div>
                            </form>
                        },
                    } }
                </Modal>
            }
        </>
    }
}

/// `1234.5` or `$1,234.50` as cents; `None` for anything else (negative, more than two decimals, not a number).
fn dollars_to_cents(s: &str) -> Option<u64> {
    let s = s.trim().trim_start_matches('$').replace(',', "");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: u64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    whole.checked_mul(100)?.checked_add(frac)
}

fn text_input(
    label: &'static str,
    field: &'static str,
    testid: &'static str,
    state: &UseStateHandle<String>,
    error: Option<&ApiError>,
) -> Html {
    let s = state.clone();
    let oninput =
        crate::h::cb(move |e: InputEvent| s.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()));
    let message = error.and_then(|e| e.field_message(field));
    html! {
        <div class={classes!("form-field", message.is_some().then_some("invalid"))}>
            <label for={testid}>{ label }<span class="required">{ " *" }</span></label>
            <input type="text" class="input" id={testid} data-testid={testid} value={(**state).clone()} {oninput} />
            { for message.map(|m| html! { <span class="field-error" data-testid={format!("{testid}-error")}>{ m }</span> }) }
        </div>
    }
}
