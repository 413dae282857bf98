//! New Customer in single-page mode: the customer cards (Personal Information with its required fields, Sale and
//! Installation) drawn from the same field registry as the Home page, one Save, the duplicate warning with "Save
//! anyway", and the new customer's Home page after the save.

use crate::api::{ApiError, CustomerFormOptions, DuplicateMatch};
use crate::app::Route;
use crate::components::format;
use crate::components::route_link::RouteLink;
use crate::pages::customer::{card_fields, field_input, Card, Input};
use crate::session::use_session;
use serde_json::{Map, Value};
use yew::prelude::*;
use yew_router::prelude::*;

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

#[component]
pub fn NewCustomerPage() -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let opts = use_state(CustomerFormOptions::default);
    // Current even in a callback made before the last render (a change event fires on blur, right before Save).
    let form = use_mut_ref(Map::<String, Value>::new);
    let shown = use_state(Map::<String, Value>::new);
    let sending = use_state(|| Sending::Idle);
    {
        let (opts, client) = (opts.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(o) = client.customer_form_options().await {
                        opts.set(o);
                    }
                });
            }
        });
    }
    let on_set = {
        let (form, shown) = (form.clone(), shown.clone());
        Callback::from(move |(k, v): (String, Value)| {
            if v.is_null() {
                form.borrow_mut().remove(&k);
            } else {
                form.borrow_mut().insert(k, v);
            }
            shown.set(form.borrow().clone());
        })
    };
    let save = {
        let (form, sending, client, navigator) = (form.clone(), sending.clone(), session.client(), navigator.clone());
        Callback::from(move |allow_duplicates: bool| {
            let Some(client) = client.clone() else { return };
            let body = form.borrow().clone();
            let (sending, navigator) = (sending.clone(), navigator.clone());
            sending.set(Sending::Busy);
            crate::spawn(async move {
                match client.create_customer(&body, allow_duplicates).await {
                    Ok(c) => {
                        sending.set(Sending::Idle);
                        if let Some(nav) = navigator {
                            nav.push(&Route::Customer { id: c.id.to_string() });
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
                        field_input(s.name, s.label, s.input, None, shown.get(s.name), true, &opts, error.as_ref(), &on_set)
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
                <button type="button" class="button" data-testid="save-anyway" onclick={save.reform(|_| true)}>{ "Save anyway" }</button>
            </div>
        },
    };
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|f| !shown.contains_key(*f)).collect();
    let busy = *sending == Sending::Busy;
    html! {
        <section class="record-page new-customer-page" data-testid="new-customer-page">
            <RouteLink to={Route::Customers} class="back-link" testid="back-to-list">{ "← All customers" }</RouteLink>
            <header class="page-header"><h1>{ "New Customer" }</h1></header>
            <div class="customer-cards">
                { card(Card::Personal) }
                { card(Card::Sale) }
                { card(Card::Installation) }
            </div>
            { status }
            <div class="save-bar">
                <button type="button" class="button" data-testid="save-new-customer" disabled={busy}
                    title={(!missing.is_empty()).then(|| format!("Still required: {}", missing.join(", ")))}
                    onclick={save.reform(|_| false)}>{ if busy { "Saving…" } else { "Save" } }</button>
                <RouteLink to={Route::Customers} class="button secondary" testid="cancel-new-customer">{ "Cancel" }</RouteLink>
            </div>
        </section>
    }
}
