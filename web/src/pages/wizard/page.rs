//! The customer wizard after its first save (`/customers/{id}/wizard`): the progress bar with a badge per step and
//! the current step's work, done with the components the Home page uses. Where the wizard stands is read from the
//! server (stored with the customer), so a reload resumes at the same step. A step the user may not use says why
//! and offers Skip; Finish (or the last step) opens the customer's Home page.

use crate::api::{ApiError, CustomerHome};
use crate::app::Route;
use crate::components::route_link::RouteLink;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::pages::customer::{
    card_fields, field_input, use_customer_form_options, AccountingTab, ApplyTemplateDialog, Card, CreditRun,
    CustomerItems, Input, PrecheckPanel, WorkOrdersTab,
};
use crate::router::use_navigator;
use crate::session::use_session;
use serde_json::{Map, Value};
use vigil_api::common::{NoQuery, RecordPath};
use vigil_api::creation_workflows::{StepStatus, WizardAction, WizardAdvance, WizardStep, WizardStepView, WizardView};
use vigil_api::ops;
use vigil_domain::RecordId;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProgressBarProps {
    pub steps: Vec<WizardStepView>,
}

/// The badges of every step, in order, each with where it stands.
#[component]
pub fn ProgressBar(props: &ProgressBarProps) -> Html {
    html! {
        <ol class="wizard-progress" data-testid="wizard-progress">
            { for props.steps.iter().enumerate().map(|(i, s)| {
                let status = match s.status {
                    StepStatus::Pending => "pending",
                    StepStatus::Current => "current",
                    StepStatus::Completed => "completed",
                    StepStatus::Skipped => "skipped",
                };
                html! {
                    <li class={classes!("wizard-badge", status)} data-testid={format!("wizard-step-{}", s.step.as_str())}
                        data-status={status} aria-current={(s.status == StepStatus::Current).then_some("step")}>
                        <span class="wizard-badge-number">{ i + 1 }</span>{ " " }{ s.label.clone() }
                    </li>
                }
            }) }
        </ol>
    }
}

#[derive(Properties, PartialEq)]
pub struct WizardPageProps {
    pub id: String,
}

#[component]
pub fn WizardPage(props: &WizardPageProps) -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let view = use_state(|| None::<Result<WizardView, ApiError>>);
    let reload = use_state(|| 0u32);
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let template_open = use_state(|| false);
    let opts = use_customer_form_options();
    let form = use_mut_ref(Map::<String, Value>::new);
    let shown = use_state(Map::<String, Value>::new);
    let id = props.id.parse::<u64>().ok().map(RecordId);
    {
        let (view, client) = (view.clone(), session.client());
        use_effect_with((id, *reload), move |(id, _)| {
            if let (Some(id), Some(client)) = (*id, client) {
                crate::spawn(async move {
                    view.set(Some(client.call::<ops::GetCustomerWizard>(&RecordPath { id }, &NoQuery {}, &()).await));
                });
            }
        });
    }
    let Some(id) = id else { return html! { <p class="error-box">{ "No such customer." }</p> } };
    let w = match &*view {
        None => return html! { <p class="loading" data-testid="loading">{ "Loading the wizard…" }</p> },
        Some(Err(e)) => {
            return html! { <div class="error-box" role="alert" data-testid="wizard-error"><p>{ e.message() }</p></div> }
        }
        Some(Ok(w)) => w.clone(),
    };
    let refresh = {
        let reload = reload.clone();
        crate::h::cb(move |_: ()| reload.set(*reload + 1))
    };
    let advance = {
        let (view, busy, error, client, navigator) =
            (view.clone(), busy.clone(), error.clone(), session.client(), navigator.clone());
        let version = w.customer.version;
        crate::h::cb(move |(step, action, extra): (WizardStep, WizardAction, Option<Map<String, Value>>)| {
            let Some(client) = client.clone() else { return };
            let (view, busy, error, navigator) = (view.clone(), busy.clone(), error.clone(), navigator.clone());
            busy.set(true);
            crate::spawn(async move {
                let mut version = version;
                // A step with fields of its own saves them first, with the version read.
                if let Some(mut fields) = extra.filter(|f| !f.is_empty()) {
                    fields.insert("version".into(), Value::from(version));
                    match client.save_customer(id, &fields).await {
                        Ok(c) => version = c.version,
                        Err(e) => {
                            error.set(Some(e));
                            busy.set(false);
                            return;
                        }
                    }
                }
                let body = WizardAdvance { step, action, version };
                match client.call::<ops::AdvanceCustomerWizard>(&RecordPath { id }, &NoQuery {}, &body).await {
                    Ok(next) if next.state.finished => {
                        if let Some(nav) = navigator {
                            nav.push(&Route::Customer { id: id.to_string() });
                        }
                    }
                    Ok(next) => {
                        error.set(None);
                        view.set(Some(Ok(next)));
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        })
    };
    let header = html! {
        <>
            <RouteLink to={Route::Customer { id: id.to_string() }} class="back-link" testid="wizard-home">{ format!("← {}", w.customer.header.name) }</RouteLink>
            <header class="page-header"><h1>{ format!("{} · #{} {}", w.workflow.name, id, w.customer.header.name) }</h1></header>
            <ProgressBar steps={w.steps.clone()} />
        </>
    };
    let Some(step) = w.state.step else {
        return html! {
            <section class="record-page wizard-page" data-testid="wizard-page">
                { header }
                <p data-testid="wizard-finished">{ "This wizard is finished." }</p>
                <RouteLink to={Route::Customer { id: id.to_string() }} class="button" testid="wizard-open-home">{ "Open the Home page" }</RouteLink>
            </section>
        };
    };
    let current = w.steps.iter().find(|s| s.step == step).cloned();
    let available = current.as_ref().is_some_and(|s| s.available);
    let reason = current.as_ref().and_then(|s| s.reason.clone());
    let last = w.steps.last().map(|s| s.step) == Some(step);
    let busy_now = *busy;
    let extra_fields = matches!(step, WizardStep::Sale | WizardStep::Installation);
    let complete = {
        let (advance, form) = (advance.clone(), form.clone());
        crate::h::cb(move |_: MouseEvent| {
            let extra = extra_fields.then(|| form.borrow().clone());
            advance.emit((step, WizardAction::Complete, extra))
        })
    };
    let skip = {
        let advance = advance.clone();
        crate::h::cb(move |_: MouseEvent| advance.emit((step, WizardAction::Skip, None)))
    };
    let on_set = {
        let (form, shown) = (form.clone(), shown.clone());
        crate::h::cb(move |(k, v): (String, Value)| {
            form.borrow_mut().insert(k, v);
            shown.set(form.borrow().clone());
        })
    };
    let customer: &CustomerHome = &w.customer;
    let body = if !available {
        html! { <p class="notice" role="status" data-testid="wizard-unavailable">{ reason.unwrap_or_default() }</p> }
    } else {
        match step {
            WizardStep::Qualify => {
                let on_applied = refresh.adapt(|_: CustomerHome| ());
                let on_skip = advance.adapt(move |_: ()| (step, WizardAction::Skip, None));
                html! {
                    <>
                        <PrecheckPanel customer={id} />
                        <CreditRun customer={id} version={customer.version} {on_applied} {on_skip} />
                    </>
                }
            }
            WizardStep::Order => {
                let open = {
                    let t = template_open.clone();
                    crate::h::cb(move |_: MouseEvent| t.set(true))
                };
                let close = {
                    let t = template_open.clone();
                    crate::h::cb(move |_: ()| t.set(false))
                };
                let done = {
                    let (t, refresh) = (template_open.clone(), refresh.clone());
                    crate::h::cb(move |_: ()| {
                        t.set(false);
                        refresh.emit(());
                    })
                };
                html! {
                    <>
                        <p>{ "Pick an order template: its monthly monitoring rate, equipment package and additional equipment." }</p>
                        <button type="button" class="button secondary" data-testid="wizard-apply-template" onclick={open}>{ "Apply Order Template" }</button>
                        if *template_open {
                            <ApplyTemplateDialog {id} version={customer.version} on_close={close} on_done={done} />
                        }
                    </>
                }
            }
            WizardStep::Equipment | WizardStep::Contacts | WizardStep::Schedule => {
                let segment = match step {
                    WizardStep::Equipment => "equipment",
                    WizardStep::Contacts => "contacts",
                    _ => "appointments",
                };
                match crate::pages::customer::collection(segment) {
                    Some(collection) => {
                        html! { <CustomerItems {id} {collection} can_create=true on_changed={refresh.clone()} /> }
                    }
                    None => html! {},
                }
            }
            WizardStep::PaymentInformation | WizardStep::PaymentMethod => html! {
                <AccountingTab {id} segment="new-billing-method" can_create=true on_changed={refresh.clone()} />
            },
            WizardStep::WorkOrder => html! { <WorkOrdersTab {id} can_create=true on_changed={refresh.clone()} /> },
            WizardStep::Sale | WizardStep::Installation => {
                let card = if step == WizardStep::Sale { Card::Sale } else { Card::Installation };
                let values = customer.cards.get(card.key()).and_then(Value::as_object).cloned().unwrap_or_default();
                html! {
                    <section class="card form-card" data-testid={format!("card-{}", card.key())}>
                        <h2>{ card.title() }</h2>
                        <div class="form-grid">
                            { for card_fields(card).filter(|s| !matches!(s.input, Input::Elsewhere | Input::Fixed)).map(|s| {
                                field_input(card.key(), s.name, s.label, s.input, values.get(s.name), shown.get(s.name), true, &opts, error.as_ref(), &on_set)
                            }) }
                        </div>
                    </section>
                }
            }
            WizardStep::Review => {
                let personal = customer.cards.get("personal").cloned().unwrap_or(Value::Null);
                let text = |k: &str| personal.get(k).and_then(Value::as_str).unwrap_or("—").to_owned();
                let score = personal.get("credit_score").filter(|v| !v.is_null()).map(vigil_json::to_text);
                html! {
                    <dl class="wizard-review" data-testid="wizard-review">
                        <dt>{ "Customer" }</dt><dd>{ format!("#{} {}", id, customer.header.name) }</dd>
                        <dt>{ "Phone" }</dt><dd>{ text("primary_phone") }</dd>
                        <dt>{ "Address" }</dt><dd>{ format!("{}, {} {}", text("address1"), customer.header.city, customer.header.state) }</dd>
                        <dt>{ "Credit score" }</dt><dd data-testid="review-credit-score">{ score.unwrap_or_else(|| "None applied".into()) }</dd>
                        { for customer.tabs.iter().filter(|(_, n)| **n > 0).map(|(k, n)| html! { <><dt>{ k.replace('_', " ") }</dt><dd>{ n }</dd></> }) }
                    </dl>
                }
            }
            WizardStep::NextStep => {
                html! { <p>{ "Everything is in place. Finish to open the customer's Home page." }</p> }
            }
            WizardStep::Information => html! {},
        }
    };
    let complete_label = if step == WizardStep::NextStep || last {
        "Finish"
    } else if step == WizardStep::Qualify {
        "Continue"
    } else {
        "Save & Continue"
    };
    html! {
        <section class="record-page wizard-page" data-testid="wizard-page" data-step={step.as_str()}>
            { header }
            <section class="card wizard-step" data-testid={format!("wizard-body-{}", step.as_str())}>
                <h2>{ step.label() }</h2>
                { body }
                // Under the step it is about: what Continue still needs there (a 422 naming the step), or why the
                // save failed.
                if let Some(e) = &*error {
                    <div class="error-box" role="alert" data-testid="wizard-step-error">
                        <p>{ e.message() }</p>
                        { for e.errors.iter().map(|f| html! { <p class="field-error" data-testid={format!("wizard-error-{}", f.field)}>{ f.message.clone() }</p> }) }
                    </div>
                }
            </section>
            <div class="save-bar">
                if available {
                    <button type="button" class="button" data-testid="wizard-complete" disabled={busy_now} onclick={complete}>{ complete_label }</button>
                }
                <button type="button" class={classes!("button", available.then_some("secondary"))} data-testid="wizard-skip" disabled={busy_now} onclick={skip}>{ "Skip" }</button>
            </div>
        </section>
    }
}
