//! Admin › Intake Keys: the keys web-to-lead forms and partners' systems post leads with. A new key is shown once,
//! with the copy-paste HTML form (`web/static/lead-form.html`) filled in with it and this portal's address.

use crate::api::ApiError;
use crate::hooks::{use_effect_with, use_state, UseStateHandle};
use crate::html;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use vigil_api::common::NoQuery;
use vigil_api::intake::{CreatedIntakeKey, IntakeKeyPath, IntakeKeyView, NewIntakeKey};
use vigil_api::ops;
use vigil_domain::PartnerId;
use yew::prelude::*;

const FORM: &str = include_str!("../../static/lead-form.html");

/// The form with the key and the address filled in.
fn filled_form(key: &str, origin: &str) -> String {
    FORM.replace("YOUR_INTAKE_KEY", key)
        .replace("action=\"/api/v1/public/leads\"", &format!("action=\"{origin}/api/v1/public/leads\""))
}

fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

#[component]
pub fn IntakeKeys() -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let list = use_state(|| None::<Result<Vec<IntakeKeyView>, ApiError>>);
    let attempt = use_state(|| 0u32);
    let name = use_state(String::new);
    let partner = use_state(String::new);
    let origins = use_state(String::new);
    let created = use_state(|| None::<CreatedIntakeKey>);
    let error = use_state(|| None::<String>);
    {
        let (list, client) = (list.clone(), session.client());
        use_effect_with(*attempt, move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    list.set(Some(client.call::<ops::ListIntakeKeys>(&(), &NoQuery {}, &()).await.map(|l| l.items)))
                });
            }
        });
    }
    let on_submit = {
        let (name, partner, origins, created, error, attempt, client, report) = (
            name.clone(),
            partner.clone(),
            origins.clone(),
            created.clone(),
            error.clone(),
            attempt.clone(),
            session.client(),
            report.clone(),
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let body = NewIntakeKey {
                name: (*name).clone(),
                partner_id: partner.trim().parse().ok().map(PartnerId),
                allowed_origins: origins.split([',', ' ', '\n']).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                ..Default::default()
            };
            let (created, error, attempt, report) = (created.clone(), error.clone(), attempt.clone(), report.clone());
            crate::spawn(async move {
                match client.call::<ops::CreateIntakeKey>(&(), &NoQuery {}, &body).await {
                    Ok(k) => {
                        created.set(Some(k));
                        error.set(None);
                        attempt.set(*attempt + 1);
                    }
                    Err(e) if e.status == 422 => error.set(Some(e.message())),
                    Err(e) => report.emit(e),
                }
            });
        })
    };
    let revoke = |id: u32| {
        let (client, attempt, toasts, report) = (session.client(), attempt.clone(), toasts.clone(), report.clone());
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let (attempt, toasts, report) = (attempt.clone(), toasts.clone(), report.clone());
            crate::spawn(async move {
                match client.call::<ops::DeleteIntakeKey>(&IntakeKeyPath { id }, &NoQuery {}, &()).await {
                    Ok(()) => {
                        toasts.info("Intake key revoked");
                        attempt.set(*attempt + 1);
                    }
                    Err(e) => report.emit(e),
                }
            });
        })
    };
    let text = |state: &UseStateHandle<String>| {
        let state = state.clone();
        crate::h::cb(move |e: InputEvent| state.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
    };
    let rows = match &*list {
        None => html! { <p class="loading">{ "Loading intake keys…" }</p> },
        Some(Err(e)) => {
            html! { <p class="error-box" role="alert">{ format!("Could not load intake keys: {}", e.message()) }</p> }
        }
        Some(Ok(l)) if l.is_empty() => html! { <p class="empty-state">{ "No intake keys yet." }</p> },
        Some(Ok(l)) => html! {
            <ul class="partner-list" data-testid="intake-keys">
                { for l.iter().map(|k| html! {
                    <li key={k.id} class="partner" data-testid="intake-key">
                        <div class="partner-name">
                            <strong>{ k.name.clone() }</strong>
                            <span class="muted">{ format!(" · {}… · created {} · last used {}", k.prefix, k.created_at, k.last_used_at.clone().unwrap_or_else(|| "never".into())) }</span>
                        </div>
                        <button type="button" class="button secondary small" data-testid="intake-key-revoke" onclick={revoke(k.id)}>{ "Revoke" }</button>
                    </li>
                }) }
            </ul>
        },
    };
    html! {
        <section class="admin-page" data-testid="intake-keys-page">
            <h1>{ "Intake Keys" }</h1>
            <p class="muted">{ "Web-to-lead forms and partners' systems post leads with a key. A key is shown once, when it is made." }</p>
            { rows }
            <form class="admin-form" onsubmit={on_submit} novalidate=true data-testid="intake-key-form">
                if let Some(m) = &*error { <p class="error-box" role="alert">{ m.clone() }</p> }
                <label for="ik-name">{ "Name" }</label>
                <input id="ik-name" class="input" data-testid="intake-key-name" value={(*name).clone()} oninput={text(&name)} />
                <label for="ik-partner">{ "Partner company ID (empty for a web form)" }</label>
                <input id="ik-partner" class="input" inputmode="numeric" data-testid="intake-key-partner" value={(*partner).clone()} oninput={text(&partner)} />
                <label for="ik-origins">{ "Allowed origins (https://www.example.com, comma-separated)" }</label>
                <input id="ik-origins" class="input" data-testid="intake-key-origins" value={(*origins).clone()} oninput={text(&origins)} />
                <div class="form-actions"><button type="submit" class="button" data-testid="intake-key-create">{ "Create key" }</button></div>
            </form>
            if let Some(k) = &*created {
                <div class="notice" role="status" data-testid="intake-key-created">
                    <p>{ "Copy the key now; it is not shown again:" }</p>
                    <p><code data-testid="intake-key-secret">{ k.key.clone() }</code></p>
                    <p>{ "The HTML form, ready to paste into a page on one of the allowed origins:" }</p>
                    <textarea class="input code" readonly=true rows="16" data-testid="intake-key-form-html"
                        value={filled_form(&k.key, &origin())} />
                </div>
            }
        </section>
    }
}
