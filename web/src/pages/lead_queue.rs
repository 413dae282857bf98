//! The Lead Queue page for reps: Request Lead (the best queued lead, now theirs), the leads they hold, and putting
//! one back in the queue or marking it invalid, with a reason.

use crate::api::{ApiError, LeadRow};
use crate::app::Route;
use crate::components::format;
use crate::components::route_link::RouteLink;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use vigil_api::common::{NoQuery, RecordPath};
use vigil_api::lead_queue::LocationMove;
use vigil_api::ops;
use vigil_domain::record::LeadLocation;
use vigil_domain::RecordId;
use yew::prelude::*;

#[component]
pub fn LeadQueuePage() -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let held = use_state(|| None::<Result<Vec<LeadRow>, ApiError>>);
    let attempt = use_state(|| 0u32);
    let notice = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let reasons = use_state(crate::id_map::IdMap::<String>::new);
    {
        let (held, client) = (held.clone(), session.client());
        use_effect_with(*attempt, move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    let page = client.leads("view=my_assigned&location=assigned&per_page=50", None).await;
                    held.set(Some(page.map(|p| p.items)));
                });
            }
        });
    }
    let on_request = {
        let (client, notice, busy, attempt, toasts, report) =
            (session.client(), notice.clone(), busy.clone(), attempt.clone(), toasts.clone(), report.clone());
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            busy.set(true);
            let (notice, busy, attempt, toasts, report) =
                (notice.clone(), busy.clone(), attempt.clone(), toasts.clone(), report.clone());
            crate::spawn(async move {
                match client.call::<ops::RequestLead>(&(), &NoQuery {}, &()).await {
                    Ok(lead) => {
                        toasts.info(&format!(
                            "You now hold lead {} ({} {})",
                            lead.record.id, lead.record.first_name, lead.record.last_name
                        ));
                        notice.set(None);
                        attempt.set(*attempt + 1);
                    }
                    Err(e) if e.status == 204 => {
                        notice.set(Some("No lead can be requested right now; try again later.".into()))
                    }
                    Err(e) => report.emit(e),
                }
                busy.set(false);
            });
        })
    };
    let mover = |id: RecordId, to: LeadLocation| {
        let (client, reasons, attempt, toasts, report) =
            (session.client(), reasons.clone(), attempt.clone(), toasts.clone(), report.clone());
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let body = LocationMove { to, reason: reasons.get(id.0).cloned().unwrap_or_default() };
            let (attempt, toasts, report) = (attempt.clone(), toasts.clone(), report.clone());
            crate::spawn(async move {
                match client.call::<ops::MoveLeadLocation>(&RecordPath { id }, &NoQuery {}, &body).await {
                    Ok(_) => {
                        toasts.info(&format!("Lead {id} moved to {}", to.as_str()));
                        attempt.set(*attempt + 1);
                    }
                    Err(e) => report.emit(e),
                }
            });
        })
    };
    let rows = match &*held {
        None => html! { <p class="loading">{ "Loading your leads…" }</p> },
        Some(Err(e)) => {
            html! { <p class="error-box" role="alert">{ format!("Could not load your leads: {}", e.message()) }</p> }
        }
        Some(Ok(l)) if l.is_empty() => {
            html! { <p class="empty-state" data-testid="held-empty">{ "You hold no leads." }</p> }
        }
        Some(Ok(l)) => html! {
            <ul class="partner-list" data-testid="held-leads">
                { for l.iter().map(|r| {
                    let id = r.id;
                    let on_reason = {
                        let reasons = reasons.clone();
                        crate::h::cb(move |e: InputEvent| {
                            let v = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
                            let mut m = (*reasons).clone();
                            m.insert(id.0, v);
                            reasons.set(m);
                        })
                    };
                    html! {
                        <li key={id.0} class="partner" data-testid="held-lead" data-id={id.to_string()}>
                            <div class="partner-name">
                                <RouteLink to={Route::Lead { id: id.to_string() }} testid="held-link">{ format!("{} {}", r.first_name, r.last_name) }</RouteLink>
                                <span class="muted">{ format!(" · {} · {}", format::city_state(&r.city, &r.state), format::phone(&r.primary_phone)) }</span>
                            </div>
                            <input class="input" placeholder="Reason" aria-label="Reason" data-testid="held-reason"
                                value={reasons.get(id.0).cloned().unwrap_or_default()} oninput={on_reason} />
                            <button type="button" class="button secondary small" data-testid="put-back" onclick={mover(id, LeadLocation::Queue)}>{ "Put back" }</button>
                            <button type="button" class="button secondary small" data-testid="mark-invalid" onclick={mover(id, LeadLocation::Invalid)}>{ "Invalid" }</button>
                        </li>
                    }
                }) }
            </ul>
        },
    };
    html! {
        <section class="list-page" data-testid="lead-queue-page">
            <header class="page-header">
                <h1>{ "Lead Queue" }</h1>
                <div class="page-actions">
                    <button type="button" class="button" disabled={*busy} data-testid="request-lead" onclick={on_request}>{ "Request Lead" }</button>
                </div>
            </header>
            if let Some(n) = &*notice { <p class="notice" role="status" data-testid="queue-notice">{ n.clone() }</p> }
            <h2>{ "Leads you hold" }</h2>
            { rows }
        </section>
    }
}
