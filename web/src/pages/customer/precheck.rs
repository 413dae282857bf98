//! The ADT Pre-Check control of the Personal Information card: the customer's latest PreCheck (status and ADT's
//! answer) with Refresh, shown while the company has an active ADT monitoring company. The creation wizard's Qualify
//! step shows the same panel.

use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use std::time::Duration;
use vigil_api::monitoring::{MonitoringKind, PrecheckStatus, PrecheckView};
use vigil_domain::RecordId;
use yew::prelude::*;

/// How long the panel watches a pending PreCheck.
const WATCH: Duration = Duration::from_secs(60);

fn label(s: PrecheckStatus) -> &'static str {
    match s {
        PrecheckStatus::None => "Not run",
        PrecheckStatus::Pending => "Waiting for ADT…",
        PrecheckStatus::Approved => "Approved",
        PrecheckStatus::NeedsReview => "Needs review",
        PrecheckStatus::Declined => "Declined",
        PrecheckStatus::Unavailable => "Service unavailable",
    }
}

#[derive(Properties, PartialEq)]
pub struct PrecheckPanelProps {
    pub customer: RecordId,
    #[prop_or(true)]
    pub can_refresh: bool,
}

#[component]
pub fn PrecheckPanel(props: &PrecheckPanelProps) -> Html {
    let session = use_session();
    let offered = use_state(|| false);
    let view = use_state(|| None::<PrecheckView>);
    let error = use_state(|| None::<String>);
    let watch = use_state(|| 0u32);
    {
        let (offered, view, client, id) = (offered.clone(), view.clone(), session.client(), props.customer);
        use_effect_with(*watch, move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    let adt = client
                        .monitoring_companies()
                        .await
                        .map(|l| l.iter().any(|m| m.active && m.kind == MonitoringKind::Adt))
                        .unwrap_or(false);
                    offered.set(adt);
                    let until = js_sys::Date::now() + WATCH.as_millis() as f64;
                    while let Ok(v) = client.adt_precheck(id).await {
                        let pending = v.status == PrecheckStatus::Pending;
                        view.set(Some(v));
                        if !pending || js_sys::Date::now() > until {
                            break;
                        }
                        gloo_timers::future::TimeoutFuture::new(500).await;
                    }
                });
            }
        });
    }
    if !*offered {
        return html! {};
    }
    let refresh = {
        let (client, watch, error, id) = (session.client(), watch.clone(), error.clone(), props.customer);
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let (watch, error) = (watch.clone(), error.clone());
            crate::spawn(async move {
                match client.refresh_adt_precheck(id).await {
                    Ok(_) => {
                        error.set(None);
                        watch.set(*watch + 1);
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };
    let v = (*view).clone();
    let status = v.as_ref().map(|v| v.status).unwrap_or(PrecheckStatus::None);
    html! {
        <section class="card adt-precheck" data-testid="adt-precheck" data-status={format!("{status:?}").to_ascii_lowercase()} aria-live="polite">
            <h2>{ "ADT Pre-Check" }</h2>
            <p data-testid="adt-precheck-status">{ label(status) }</p>
            { for v.as_ref().and_then(|v| v.result.clone()).map(|r| html! {
                <div class="precheck-result" data-testid="adt-precheck-result">
                    <p>{ r.message }</p>
                    { for r.reference.map(|x| html! { <p>{ format!("Reference {x}") }</p> }) }
                    <p class="muted">{ format!("{} · {}", r.provider, r.checked_at) }</p>
                </div>
            }) }
            { for error.as_ref().map(|m| html! { <p class="error-box" role="alert">{ m.clone() }</p> }) }
            if props.can_refresh && status != PrecheckStatus::Pending {
                <button type="button" class="button secondary" data-testid="adt-precheck-refresh" onclick={refresh}>{ "Refresh" }</button>
            }
        </section>
    }
}
