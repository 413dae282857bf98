//! Admin: the company's monthly monitoring rate (MMR) mode. Simple mode shows customers one dropdown of rates;
//! breakout mode shows the rate picker with line-item breakdowns. Switching sends the whole configuration back
//! with its version (`PUT /api/v1/settings/mmr`), so another admin's change in between is a conflict, not lost.

use crate::api::{ApiError, MmrSettings};
use crate::pages::mmr_picker::dollars;
use crate::session::use_session;
use crate::toast::use_toasts;
use yew::prelude::*;

#[component]
pub fn MmrAdmin() -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let settings = use_state(|| None::<Result<MmrSettings, ApiError>>);
    let busy = use_state(|| false);
    {
        let (settings, client) = (settings.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                wasm_bindgen_futures::spawn_local(async move { settings.set(Some(client.mmr_settings().await)) });
            }
        });
    }
    let switch = |mode: &'static str| {
        let (settings, busy, client, toasts) = (settings.clone(), busy.clone(), session.client(), toasts.clone());
        Callback::from(move |_: MouseEvent| {
            let (Some(client), Some(Ok(current))) = (client.clone(), (*settings).clone()) else { return };
            let next = MmrSettings { mode: mode.to_owned(), ..current };
            let (settings, busy, toasts) = (settings.clone(), busy.clone(), toasts.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match client.put_mmr_settings(&next).await {
                    Ok(saved) => {
                        toasts.info(&format!("Monthly rates are now in {} mode", saved.mode));
                        settings.set(Some(Ok(saved)));
                    }
                    Err(e) => {
                        toasts.error("Could not change the MMR mode", Some(e.message()));
                        if e.is_conflict() {
                            settings.set(None);
                        }
                    }
                }
                busy.set(false);
            });
        })
    };
    let body = match &*settings {
        None => html! { <p class="loading">{ "Loading monthly rates…" }</p> },
        Some(Err(e)) if e.is_forbidden() => html! { <p class="error-box" role="alert">{ "You do not have permission to see the monthly rates." }</p> },
        Some(Err(e)) => html! { <p class="error-box" role="alert">{ format!("Could not load the monthly rates: {}", e.message()) }</p> },
        Some(Ok(s)) => {
            let breakout = s.mode == "breakout";
            let mismatched = s.rates.iter().filter(|r| r.mismatch).count();
            html! {
                <>
                    <p data-testid="mmr-mode">{ if breakout { "Breakout mode: customers pick a rate with its line-item breakdown." } else { "Simple mode: customers get one dropdown of rates." } }</p>
                    <p class="muted">
                        { format!("Line items: {}. ", if s.items.is_empty() { "none".to_owned() } else { s.items.iter().map(|i| i.name.clone()).collect::<Vec<_>>().join(", ") }) }
                        { format!("{} rates ({} active, from {} to {}).", s.rates.len(), s.rates.iter().filter(|r| r.active).count(),
                            dollars(s.rates.iter().map(|r| r.amount_cents).min().unwrap_or(0)), dollars(s.rates.iter().map(|r| r.amount_cents).max().unwrap_or(0))) }
                        { for (breakout && mismatched > 0).then(|| format!(" {mismatched} rate(s) no longer match the line items; they stay only with customers who have them.")) }
                    </p>
                    <div class="actions">
                        <button type="button" class="button secondary" data-testid="mmr-mode-simple" disabled={*busy || !breakout} onclick={switch("simple")}>{ "Use simple mode" }</button>
                        <button type="button" class="button secondary" data-testid="mmr-mode-breakout" disabled={*busy || breakout} onclick={switch("breakout")}>{ "Use breakout mode" }</button>
                    </div>
                </>
            }
        }
    };
    html! {
        <section class="card" aria-labelledby="admin-mmr" data-testid="mmr-admin">
            <h2 id="admin-mmr">{ "Monthly monitoring rates (MMR)" }</h2>
            { body }
        </section>
    }
}
