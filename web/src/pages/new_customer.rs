//! New Customer in single-page mode: the customer cards (Personal Information with its required fields, Sale and
//! Installation) drawn from the same field registry as the Home page, one Save, the duplicate warning with "Save
//! anyway", and the new customer's Home page after the save. While the company has an active ADT monitoring company
//! the ADT PreCheck section sits above the cards, Run ADT PreCheck checked by default.

use crate::api::{ApiError, CustomFieldValue, CustomerFormOptions, DuplicateMatch};
use crate::app::Route;
use crate::components::custom_fields_card::{self, CustomFieldsCard};
use crate::components::format;
use crate::components::route_link::RouteLink;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::pages::customer::{card_fields, field_input, Card, Input};
use crate::session::use_session;
use serde_json::{Map, Value};
use vigil_api::monitoring::{MonitoringCompany, MonitoringKind};
use vigil_domain::small_sort;
use yew::prelude::*;
// Creation workflows: the Information step of a wizard is this page.
use crate::pages::wizard::{CreationSplit, ProgressBar};
use crate::router::use_navigator;
use vigil_api::common::NoQuery;
use vigil_api::creation_workflows::{CreationKind, CreationWorkflow, StepStatus, WizardStepView};
use vigil_api::ops;

/// What the server requires of a new customer (`vigil_app::customers::create`).
const REQUIRED: [&str; 7] =
    ["first_name", "last_name", "primary_phone", "city", "state", "account_type", "office_location_id"];

#[derive(Debug, Clone, PartialEq)]
enum Sending {
    Idle,
    Busy,
    Failed(ApiError),
    Duplicates(Vec<DuplicateMatch>, String),
}

#[derive(Properties, PartialEq)]
pub struct NewCustomerProps {
    /// The Information step of this creation workflow (`/customers/new/wizard/{id}`); the plain form without one.
    #[prop_or_default]
    pub workflow: Option<u32>,
}

#[component]
pub fn NewCustomerPage(props: &NewCustomerProps) -> Html {
    let session = use_session();
    let flow = use_state(|| None::<CreationWorkflow>);
    {
        let (flow, client, wanted) = (flow.clone(), session.client(), props.workflow);
        use_effect_with(wanted, move |wanted| {
            if let (Some(id), Some(client)) = (*wanted, client) {
                crate::spawn(async move {
                    if let Ok(list) = client.call::<ops::AvailableCreationWorkflows>(&(), &NoQuery {}, &()).await {
                        flow.set(list.items.into_iter().find(|w| w.id == id));
                    }
                });
            }
        });
    }
    let navigator = use_navigator();
    let opts = use_state(CustomerFormOptions::default);
    // Current even in a callback made before the last render (a change event fires on blur, right before Save).
    let form = use_mut_ref(Map::<String, Value>::new);
    let shown = use_state(Map::<String, Value>::new);
    let sending = use_state(|| Sending::Idle);
    let adt = use_state(Vec::<MonitoringCompany>::new);
    // The Custom Fields card's rows: the company's active fields, empty.
    let udfs = use_state(|| None::<Value>);
    let run_precheck = use_state(|| true);
    {
        let (opts, adt, udfs, client) = (opts.clone(), adt.clone(), udfs.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(o) = client.customer_form_options().await {
                        opts.set(o);
                    }
                    if let Ok(defs) = client.custom_fields().await {
                        let rows: Vec<CustomFieldValue> = defs
                            .into_iter()
                            .filter(|f| f.active)
                            .map(|f| CustomFieldValue {
                                id: f.id,
                                name: f.name,
                                field_type: f.field_type,
                                required: f.required,
                                options: f.options,
                                value: Value::Null,
                            })
                            .collect();
                        udfs.set((!rows.is_empty()).then(|| vigil_json::ToJson::to_json(&rows)));
                    }
                    if let Ok(list) = client.monitoring_companies().await {
                        adt.set(list.into_iter().filter(|m| m.active && m.kind == MonitoringKind::Adt).collect());
                    }
                });
            }
        });
    }
    let on_set = {
        let (form, shown) = (form.clone(), shown.clone());
        crate::h::cb(move |(k, v): (String, Value)| {
            let v = custom_fields_card::merge_edit(&form.borrow(), &k, v);
            if v.is_null() {
                form.borrow_mut().remove(&k);
            } else {
                form.borrow_mut().insert(k, v);
            }
            shown.set(form.borrow().clone());
        })
    };
    let precheck_on = !adt.is_empty() && *run_precheck;
    let save = {
        let (form, sending, client, navigator) = (form.clone(), sending.clone(), session.client(), navigator.clone());
        let workflow = props.workflow;
        crate::h::cb(move |allow_duplicates: bool| {
            let Some(client) = client.clone() else { return };
            let mut body = form.borrow().clone();
            if let Some(w) = workflow {
                body.insert("creation_workflow_id".into(), Value::from(w));
            }
            body.insert("run_adt_precheck".into(), Value::Bool(precheck_on));
            if !precheck_on {
                body.remove("monitored_by_id");
            }
            let (sending, navigator) = (sending.clone(), navigator.clone());
            sending.set(Sending::Busy);
            crate::spawn(async move {
                match client.create_customer(&body, allow_duplicates).await {
                    Ok(c) => {
                        sending.set(Sending::Idle);
                        if let Some(nav) = navigator {
                            let id = c.id.to_string();
                            // A wizard goes on with its next step; the plain form (or a one-step wizard) lands Home.
                            nav.push(&match c.wizard.as_ref().filter(|w| !w.finished) {
                                Some(_) => Route::CustomerWizard { id },
                                None => Route::Customer { id },
                            });
                        }
                    }
                    Err(e) if e.is_conflict() && !e.duplicates().is_empty() => {
                        sending.set(Sending::Duplicates(e.duplicates(), e.message()))
                    }
                    Err(e) => sending.set(Sending::Failed(e)),
                }
            });
        })
    };
    let error = match &*sending {
        Sending::Failed(e) => Some(e.clone()),
        _ => None,
    };
    let card = |card: Card| {
        let key = card.key();
        html! {
            <section class="card form-card" aria-labelledby={format!("card-{key}")} data-testid={format!("card-{key}")}>
                <h2 id={format!("card-{key}")}>{ card.title() }</h2>
                if card == Card::Personal {
                    <p class="muted small">{ "Required: first and last name, primary phone, city, state, account type and office location." }</p>
                }
                <div class="form-grid">
                    { for card_fields(card).filter(|s| !matches!(s.input, Input::Elsewhere | Input::Fixed)).map(|s| {
                        field_input(key, s.name, s.label, s.input, None, shown.get(s.name), true, &opts, error.as_ref(), &on_set)
                    }) }
                </div>
            </section>
        }
    };
    let status = match &*sending {
        Sending::Idle | Sending::Busy => html! {},
        Sending::Failed(e) => html! {
            <div class="error-box" role="alert" data-testid="save-error">
                <p>{ e.message() }</p>
                { for e.errors.iter().map(|f| html! { <p class="field-error">{ format!("{}: {}", f.field, f.message) }</p> }) }
            </div>
        },
        Sending::Duplicates(list, msg) => html! {
            <div class="notice" role="alert" data-testid="duplicates">
                <p><strong>{ "This customer may exist already." }</strong>{ format!(" {msg}") }</p>
                <ul>
                    { for list.iter().map(|d| html! {
                        <li data-testid="duplicate" data-id={d.id.to_string()}>
                            <RouteLink to={Route::Customer { id: d.id.to_string() }}>{ format!("#{} {} {}", d.id, d.first_name, d.last_name) }</RouteLink>
                            { format!(" · {} · {}", format::phone(&d.primary_phone), format::city_state(&d.city, &d.state)) }
                        </li>
                    }) }
                </ul>
                <button type="button" class="button" data-testid="save-anyway" onclick={save.adapt(|_| true)}>{ "Save anyway" }</button>
            </div>
        },
    };
    let precheck = (!adt.is_empty()).then(|| {
        let toggle = {
            let run_precheck = run_precheck.clone();
            crate::h::cb(move |e: Event| {
                run_precheck.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked())
            })
        };
        let pick = {
            let on_set = on_set.clone();
            crate::h::cb(move |e: Event| {
                let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
                on_set.emit(("monitored_by_id".into(), v.parse::<u64>().map(Value::from).unwrap_or(Value::Null)));
            })
        };
        let picked = shown.get("monitored_by_id").and_then(Value::as_u64);
        let needs_dealer = adt.iter().any(|m| Some(u64::from(m.id)) == picked && m.dealer_number_required);
        let message = error.as_ref().and_then(|e| e.field_message("monitored_by_id"));
        html! {
            <section class="card form-card adt-precheck-section" data-testid="adt-precheck-section">
                <h2>{ "ADT PreCheck" }</h2>
                <label class="check"><input type="checkbox" data-testid="run-adt-precheck" checked={*run_precheck} onchange={toggle} />{ " Run ADT PreCheck" }</label>
                if *run_precheck {
                    <div class={classes!("form-field", message.is_some().then_some("invalid"))}>
                        <label for="f-monitored_by_id">{ "Monitored by" }</label>
                        <select class="input" id="f-monitored_by_id" data-testid="input-monitored_by_id" onchange={pick}>
                            <option value="" selected={picked.is_none()}>{ "—" }</option>
                            { for adt.iter().map(|m| html! { <option value={m.id.to_string()} selected={picked == Some(u64::from(m.id))}>{ m.name.clone() }</option> }) }
                        </select>
                        { for message.map(|m| html! { <span class="field-error">{ m }</span> }) }
                    </div>
                    <p class="muted small">
                        { "PreCheck also needs Birthdate, SSN, Email, Address line 1, Zip and County (below)" }
                        { if needs_dealer { ", the Dealer number (Sale information)" } else { "" } }
                        { ", and for commercial accounts the Business name and contact." }
                    </p>
                }
            </section>
        }
    });
    // The workflow's custom fields are pulled to the top of its first step.
    let udf_rows = match (&*flow, (*udfs).clone()) {
        (Some(w), Some(Value::Array(mut rows))) if !w.custom_field_ids.is_empty() => {
            let place = |r: &Value| {
                let id = r.get("id").and_then(Value::as_u64).unwrap_or_default();
                w.custom_field_ids.iter().position(|f| u64::from(*f) == id).unwrap_or(usize::MAX)
            };
            small_sort::sort_by(&mut rows, |a, b| place(a).cmp(&place(b)));
            Some(Value::Array(rows))
        }
        (_, rows) => rows,
    };
    let restart = {
        let navigator = navigator.clone();
        let (plain, pick) = (navigator.clone(), navigator);
        html! {
            <CreationSplit kind={CreationKind::CustomerCreate} label="+ New Customer" testid="restart-new-customer" class="secondary"
                only_with_workflows=true
                on_main={crate::h::cb(move |_| { if let Some(n) = &plain { n.push(&Route::NewCustomer) } })}
                on_pick={crate::h::cb(move |w: CreationWorkflow| { if let Some(n) = &pick { n.push(&Route::NewCustomerWizard { workflow: w.id.to_string() }) } })} />
        }
    };
    let progress = flow.as_ref().map(|w| {
        let steps: Vec<WizardStepView> = w
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| WizardStepView {
                step: *s,
                label: s.label().into(),
                status: if i == 0 { StepStatus::Current } else { StepStatus::Pending },
                available: true,
                reason: None,
            })
            .collect();
        html! { <ProgressBar {steps} /> }
    });
    let title = match (&*flow, props.workflow) {
        (Some(w), _) => format!("New Customer · {}", w.name),
        (None, Some(_)) => "New Customer · workflow".to_owned(),
        (None, None) => "New Customer".to_owned(),
    };
    let udfs_first = flow.as_ref().is_some_and(|w| !w.custom_field_ids.is_empty());
    let udf_card = html! {
        <CustomFieldsCard card={udf_rows} edited={shown.get("custom_fields").cloned()} editable=true
            error={error.clone()} on_set={on_set.clone()} />
    };
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|f| !shown.contains_key(*f)).collect();
    let busy = *sending == Sending::Busy;
    html! {
        <section class="record-page new-customer-page" data-testid="new-customer-page">
            <RouteLink to={Route::Customers} class="back-link" testid="back-to-list">{ "← All customers" }</RouteLink>
            <header class="page-header"><h1 data-testid="new-customer-title">{ title }</h1>{ restart }</header>
            { for progress }
            { for precheck }
            <div class="customer-cards">
                if udfs_first { { udf_card.clone() } }
                { card(Card::Personal) }
                { card(Card::Sale) }
                if !udfs_first { { udf_card } }
                { card(Card::Installation) }
            </div>
            { status }
            <div class="save-bar">
                <button type="button" class="button" data-testid="save-new-customer" disabled={busy}
                    title={(!missing.is_empty()).then(|| format!("Still required: {}", missing.join(", ")))}
                    onclick={save.adapt(|_| false)}>{ if busy { "Saving…" } else { "Save" } }</button>
                <RouteLink to={Route::Customers} class="button secondary" testid="cancel-new-customer">{ "Cancel" }</RouteLink>
            </div>
        </section>
    }
}
