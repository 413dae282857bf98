//! The body of an enrollment step, per its type: the customer's details a confirm step confirms, editable in place
//! (saved with the customer's version, as the Home page saves them), and the equipment, appointments or emergency
//! contacts a review step looks at, with an inline form for an emergency contact. Values come from the customer read
//! the Home page uses, so a field the reader may not see is neither shown nor edited here either.

use super::fields::{field_input, Card};
use super::items::{collection, ItemForm, ItemList};
use crate::api::{ApiError, CardsEditable, CustomerFormOptions, CustomerHome, SubRecord};
use crate::hooks::use_state;
use crate::html;
use crate::session::use_session;
use crate::toast::use_toasts;
use serde_json::{Map, Value};
use std::rc::Rc;
use vigil_domain::fields::spec;
use vigil_domain::workflow::{ConfirmField, StepType};
use vigil_domain::RecordId;
use yew::prelude::*;

/// The customer as the enrollment page read it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Customer {
    Loading,
    Loaded(Rc<CustomerHome>),
    Failed(String),
}

impl Customer {
    fn loaded(&self) -> Option<&Rc<CustomerHome>> {
        match self {
            Customer::Loaded(h) => Some(h),
            _ => None,
        }
    }

    /// Whether the reader may change the customer now (Customers Modify, not archived).
    fn modifiable(&self) -> bool {
        self.loaded().is_some_and(|h| h.actions.modify && !h.archived)
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct StepBodyProps {
    pub customer_id: RecordId,
    pub step_type: StepType,
    pub fields: Vec<ConfirmField>,
    pub customer: Customer,
    pub opts: Rc<CustomerFormOptions>,
    /// The reader may complete the enrollment's steps (Customer Workflows Create); without it the body is read-only.
    pub can_act: bool,
    /// The customer as saved (a confirm step's save, or the one a conflict answered with).
    pub on_customer: Callback<CustomerHome>,
    /// The customer's data changed: its automatic steps were re-checked on the server.
    pub on_changed: Callback<()>,
}

#[component]
pub(super) fn StepBody(props: &StepBodyProps) -> Html {
    let review = |segment: &'static str, add: bool| {
        html! {
            <ReviewBody customer_id={props.customer_id} {segment} can_add={add && props.can_act && props.customer.modifiable()}
                on_changed={props.on_changed.clone()} />
        }
    };
    match props.step_type {
        StepType::Instructions => html! {},
        StepType::ConfirmContact | StepType::ConfirmFields => html! {
            <ConfirmBody customer_id={props.customer_id} step_type={props.step_type} fields={props.fields.clone()}
                customer={props.customer.clone()} opts={props.opts.clone()} can_act={props.can_act}
                on_customer={props.on_customer.clone()} on_changed={props.on_changed.clone()} />
        },
        StepType::ReviewEquipment => review("equipment", false),
        StepType::ReviewAppointments => review("appointments", false),
        StepType::ReviewEmergencyContacts => review("contacts", true),
    }
}

fn card_editable(e: &CardsEditable, card: Card) -> bool {
    match card {
        Card::Personal => e.personal,
        Card::Sale => e.sale,
        Card::Installation => e.installation,
        Card::Lead => false,
        Card::LeadInfo => e.lead_info,
    }
}

#[component]
fn ConfirmBody(props: &StepBodyProps) -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let edits = use_state(Map::<String, Value>::new);
    // The same edits, current even in a callback made before the last re-render.
    let latest = use_mut_ref(Map::<String, Value>::new);
    let error = use_state(|| None::<ApiError>);
    let conflict = use_state(|| false);
    let saved = use_state(|| false);
    let busy = use_state(|| false);

    let home = match &props.customer {
        Customer::Loading => return html! { <p class="loading">{ "Loading the customer's details…" }</p> },
        Customer::Failed(m) => return html! { <p class="error-box" role="alert">{ m.clone() }</p> },
        Customer::Loaded(h) => h.clone(),
    };
    // Each detail's record fields, where the reader's read carries them (its card and the field itself).
    let shown: Vec<_> = props
        .fields
        .iter()
        .flat_map(|f| f.record_fields().iter().copied())
        .filter_map(|name| {
            let s = spec(name)?;
            let card = *s.cards.first()?;
            let values = home.cards.get(card.key())?.as_object()?;
            let value = values.get(name)?.clone();
            let editable = props.can_act && props.customer.modifiable() && card_editable(&home.editable, card);
            Some((s, value, editable))
        })
        .collect();
    let testid = match props.step_type {
        StepType::ConfirmContact => "step-body-confirm-contact",
        _ => "step-body-confirm-fields",
    };
    if shown.is_empty() {
        return html! {
            <p class="muted" data-testid={testid}>{ "You do not have access to the details this step confirms." }</p>
        };
    }
    let on_set = {
        let (edits, latest, saved) = (edits.clone(), latest.clone(), saved.clone());
        crate::h::cb(move |(k, v): (String, Value)| {
            latest.borrow_mut().insert(k, v);
            edits.set(latest.borrow().clone());
            saved.set(false);
        })
    };
    let save = {
        let (client, id, version) = (session.client(), props.customer_id, home.version);
        let (edits, latest, error, conflict, saved, busy, toasts) =
            (edits.clone(), latest.clone(), error.clone(), conflict.clone(), saved.clone(), busy.clone(), toasts);
        let (on_customer, on_changed) = (props.on_customer.clone(), props.on_changed.clone());
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let mut body = latest.borrow().clone();
            if body.is_empty() {
                return;
            }
            body.insert("version".into(), Value::from(version));
            let (edits, latest, error, conflict, saved, busy, toasts) = (
                edits.clone(),
                latest.clone(),
                error.clone(),
                conflict.clone(),
                saved.clone(),
                busy.clone(),
                toasts.clone(),
            );
            let (on_customer, on_changed) = (on_customer.clone(), on_changed.clone());
            busy.set(true);
            crate::spawn(async move {
                match client.save_customer(id, &body).await {
                    Ok(home) => {
                        latest.borrow_mut().clear();
                        edits.set(Map::new());
                        error.set(None);
                        conflict.set(false);
                        saved.set(true);
                        toasts.info("Customer saved");
                        on_customer.emit(home);
                        on_changed.emit(());
                    }
                    Err(e) if e.is_conflict() => {
                        // Show what is stored now rather than the values the edit was based on; the user's edits
                        // are dropped, as the Home page's reload drops them, so nothing overwrites the other change.
                        let fresh = match e.current.clone().map(vigil_json::from_value::<CustomerHome>) {
                            Some(Ok(h)) => Some(h),
                            _ => client.customer_home(id).await.ok(),
                        };
                        latest.borrow_mut().clear();
                        edits.set(Map::new());
                        error.set(None);
                        saved.set(false);
                        conflict.set(true);
                        if let Some(h) = fresh {
                            on_customer.emit(h);
                        }
                        on_changed.emit(());
                    }
                    Err(e) => {
                        saved.set(false);
                        error.set(Some(e));
                    }
                }
                busy.set(false);
            });
        })
    };
    let any_editable = shown.iter().any(|(_, _, editable)| *editable);
    html! {
        <div class="step-body confirm-body" data-testid={testid}>
            <div class="form-grid">
                { for shown.iter().map(|(s, value, editable)| {
                    field_input("step", s.name, s.label, s.input, Some(value), edits.get(s.name), *editable, &props.opts, error.as_ref(), &on_set)
                }) }
            </div>
            { for conflict.then(|| html! {
                <div class="error-box conflict" role="alert" data-testid="step-conflict">
                    <p>{ "Someone changed this customer; reloaded." }</p>
                    <p>{ "These are the values saved now: make your change again if it is still needed." }</p>
                </div>
            }) }
            { for error.as_ref().filter(|e| e.errors.is_empty()).map(|e| html! {
                <p class="error-box" role="alert" data-testid="step-save-error">{ e.message() }</p>
            }) }
            if any_editable {
                <div class="actions">
                    <button type="button" class="button secondary" data-testid="step-save" disabled={*busy || edits.is_empty()}
                        onclick={save}>{ "Save" }</button>
                    { for saved.then(|| html! { <span class="muted" data-testid="step-saved">{ "Saved" }</span> }) }
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ReviewProps {
    customer_id: RecordId,
    segment: &'static str,
    /// Offer the inline form (emergency contacts, for a reader who may change the customer).
    can_add: bool,
    on_changed: Callback<()>,
}

#[component]
fn ReviewBody(props: &ReviewProps) -> Html {
    let refresh = use_state(|| 0u32);
    let adding = use_state(|| false);
    let Some(col) = collection(props.segment) else { return html! {} };
    let toggle = |to: bool| {
        let adding = adding.clone();
        crate::h::cb(move |_: MouseEvent| adding.set(to))
    };
    let on_added = {
        let (refresh, adding, on_changed) = (refresh.clone(), adding.clone(), props.on_changed.clone());
        crate::h::cb(move |_: SubRecord| {
            adding.set(false);
            refresh.set(*refresh + 1);
            on_changed.emit(());
        })
    };
    let add = props.can_add.then(|| {
        if *adding {
            html! {
                <>
                    <ItemForm id={props.customer_id} collection={col} heading="New emergency contact"
                        submit_label="Add emergency contact" {on_added} />
                    <button type="button" class="button secondary" data-testid="add-emergency-contact-cancel"
                        onclick={toggle(false)}>{ "Cancel" }</button>
                </>
            }
        } else {
            html! {
                <div class="actions">
                    <button type="button" class="button secondary" data-testid="add-emergency-contact"
                        onclick={toggle(true)}>{ "Add emergency contact" }</button>
                </div>
            }
        }
    });
    html! {
        <div class="step-body review-body" data-testid={format!("step-body-{}", props.segment)}>
            <ItemList id={props.customer_id} collection={col} refresh={*refresh} />
            { for add }
        </div>
    }
}
