//! Admin: the company's office locations, its partner companies with their campaigns, and the sandbox outbox
//! (the emails the local runtime "sent" instead of handing them to SES).

use crate::api::{ApiError, OfficeLocation, OutboxPage, Partner};
use crate::components::format;
use crate::components::pager::{CursorTrail, Pager};
use crate::hooks::{use_effect_with, use_state, UseStateHandle};
use crate::html;
use crate::session::{use_report_error, use_session};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
enum Load<T> {
    Loading,
    Loaded(T),
    Failed(ApiError),
}

#[component]
pub fn Admin() -> Html {
    html! {
        <section class="admin-page" data-testid="admin-page">
            <header class="page-header"><h1>{ "Admin" }</h1></header>
            <AdminLinks />
            <OfficeLocations />
            <Partners />
            <crate::pages::lead_settings::LeadScoringSettings />
            <crate::pages::lead_settings::TagSettings />
            <crate::pages::mmr_admin::MmrAdmin />
            <crate::pages::monitoring_admin::MonitoringAdmin />
            <crate::pages::custom_fields_admin::CustomFieldsAdmin />
            <crate::pages::workflows_admin::WorkflowsAdmin />
            <Outbox />
        </section>
    }
}

/// The admin pages of their own (Content Management).
#[component]
pub fn AdminLinks() -> Html {
    use crate::app::Route;
    use crate::components::route_link::RouteLink;
    html! {
        <nav class="card admin-links" aria-label="Content management" data-testid="admin-links">
            <ul class="tags">
                <li><RouteLink to={Route::AdminPartners} testid="admin-link-partners">{ "Partner Companies" }</RouteLink></li>
                <li><RouteLink to={Route::MessageTemplates} testid="admin-link-templates">{ "Message Templates" }</RouteLink></li>
                <li><RouteLink to={Route::AdminCatalog} testid="admin-link-catalog">{ "Equipment & Order Templates" }</RouteLink></li>
                <li><RouteLink to={Route::AdminCreationWorkflows} testid="admin-link-creation-workflows">{ "Creation Workflows" }</RouteLink></li>
                <li><RouteLink to={Route::IntakeKeys} testid="admin-link-intake-keys">{ "Intake Keys" }</RouteLink></li>
            </ul>
        </nav>
    }
}

/// Loads once on mount with `fetch`; errors go to a toast as well as the panel.
#[hook]
fn use_load<T, F, Fut>(fetch: F) -> UseStateHandle<Load<T>>
where
    T: 'static,
    F: FnOnce(crate::api::Client) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<T, ApiError>> + 'static,
{
    let session = use_session();
    let report = use_report_error();
    let state = use_state(|| Load::Loading);
    {
        let state = state.clone();
        let client = session.client();
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    match fetch(client).await {
                        Ok(v) => state.set(Load::Loaded(v)),
                        Err(e) => {
                            report.emit(e.clone());
                            state.set(Load::Failed(e));
                        }
                    }
                });
            }
        });
    }
    state
}

fn failed(what: &str, e: &ApiError) -> Html {
    let msg = if e.is_forbidden() {
        format!("You do not have permission to see {what}.")
    } else {
        format!("Could not load {what}: {}", e.message())
    };
    html! { <p class="error-box" role="alert">{ msg }</p> }
}

#[component]
fn OfficeLocations() -> Html {
    let load = use_load(|c| async move { c.office_locations().await });
    let body = match &*load {
        Load::Loading => html! { <p class="loading">{ "Loading office locations…" }</p> },
        Load::Failed(e) => failed("office locations", e),
        Load::Loaded(list) if list.is_empty() => html! { <p class="empty-state">{ "No office locations yet." }</p> },
        Load::Loaded(list) => html! {
            <table class="simple-table" data-testid="office-locations">
                <thead><tr><th scope="col">{ "ID" }</th><th scope="col">{ "Name" }</th><th scope="col">{ "City" }</th></tr></thead>
                <tbody>
                    { for list.iter().map(|l: &OfficeLocation| html! {
                        <tr key={l.id.0} data-testid="office-location">
                            <td class="num">{ l.id.0 }</td>
                            <td>{ l.name.clone() }</td>
                            <td>{ format!("{}, {}", l.city, l.state) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        },
    };
    html! {
        <section class="card" aria-labelledby="admin-locations">
            <h2 id="admin-locations">{ "Office locations" }</h2>
            { body }
        </section>
    }
}

#[component]
fn Partners() -> Html {
    let load = use_load(|c| async move { c.partners().await });
    let body = match &*load {
        Load::Loading => html! { <p class="loading">{ "Loading partner companies…" }</p> },
        Load::Failed(e) => failed("partner companies", e),
        Load::Loaded(list) if list.is_empty() => html! { <p class="empty-state">{ "No partner companies yet." }</p> },
        Load::Loaded(list) => html! {
            <ul class="partner-list" data-testid="partners">
                { for list.iter().map(|p: &Partner| html! {
                    <li key={p.id.0} class="partner" data-testid="partner">
                        <div class="partner-name"><strong>{ p.name.clone() }</strong><span class="muted">{ format!(" #{}", p.id) }</span></div>
                        if p.campaigns.is_empty() {
                            <p class="muted">{ "No campaigns" }</p>
                        } else {
                            <ul class="tags" aria-label={format!("Campaigns of {}", p.name)}>
                                { for p.campaigns.iter().map(|c| html! { <li class="tag" data-testid="campaign">{ c.name.clone() }</li> }) }
                            </ul>
                        }
                    </li>
                }) }
            </ul>
        },
    };
    html! {
        <section class="card" aria-labelledby="admin-partners">
            <h2 id="admin-partners">{ "Partner companies and campaigns" }</h2>
            { body }
        </section>
    }
}

#[component]
fn Outbox() -> Html {
    let session = use_session();
    let report = use_report_error();
    let trail = use_state(CursorTrail::default);
    let load = use_state(|| Load::<OutboxPage>::Loading);
    let busy = use_state(|| true);
    {
        let (load, busy, client) = (load.clone(), busy.clone(), session.client());
        use_effect_with((*trail).clone(), move |trail| {
            let cursor = trail.current();
            busy.set(true);
            if let Some(client) = client {
                crate::spawn(async move {
                    match client.outbox(cursor.as_deref()).await {
                        Ok(p) => load.set(Load::Loaded(p)),
                        Err(e) => {
                            report.emit(e.clone());
                            load.set(Load::Failed(e));
                        }
                    }
                    busy.set(false);
                });
            }
        });
    }
    let (on_next, on_previous) = crate::components::pager::trail_callbacks(&trail);
    let body = match &*load {
        Load::Loading => html! { <p class="loading">{ "Loading the outbox…" }</p> },
        Load::Failed(e) => failed("the outbox", e),
        Load::Loaded(p) if p.items.is_empty() && trail.page_number() == 1 => {
            html! { <p class="empty-state" data-testid="outbox-empty">{ "No emails sent yet." }</p> }
        }
        Load::Loaded(p) => html! {
            <>
                <ul class="outbox" data-testid="outbox">
                    { for p.items.iter().map(|m| html! {
                        <li key={m.id.clone()} class="email" data-testid="outbox-email">
                            <details>
                                <summary>
                                    <span class="email-subject">{ m.subject.clone() }</span>
                                    <span class="email-meta muted">{ format!("to {} · {}", m.to, format::date_time(&m.created_at)) }</span>
                                </summary>
                                <pre class="email-body">{ m.body.clone() }</pre>
                            </details>
                        </li>
                    }) }
                </ul>
                <Pager page_number={trail.page_number()} next_cursor={p.next_cursor.clone()} busy={*busy} {on_next} {on_previous} />
            </>
        },
    };
    html! {
        <section class="card" aria-labelledby="admin-outbox">
            <h2 id="admin-outbox">{ "Email outbox " }<span class="sandbox-label" data-testid="sandbox-label">{ "Local sandbox" }</span></h2>
            <p class="muted">{ "Emails the local runtime would have sent. Nothing here left this machine; in AWS, email goes through SES." }</p>
            { body }
        </section>
    }
}
