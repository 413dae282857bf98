//! Credit: the customer's Credit tab (every check, newest first) and the Run Credit panel, a component the creation
//! wizard's Qualify step reuses: choose the bureau (and a previous address), Run Credit, watch it while the bureau
//! answers, then the result card with Apply to customer (confirmed in a dialog), Skip or Run Credit Again.

use crate::api::CustomerHome;
use crate::components::modal::Modal;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state, UseStateHandle};
use crate::html;
use crate::session::use_session;
use std::time::Duration;
use vigil_api::credit::{CreditCheck, CreditSettingsView, CreditStatus, PreviousAddress, RunCredit};
use vigil_domain::RecordId;
use yew::prelude::*;

/// The tab's URL segment.
pub const SEGMENT: &str = "credit";

/// How long the panel waits for the bureau before it stops watching (the check stays on the Credit tab).
const WATCH: Duration = Duration::from_secs(60);

fn status_label(s: CreditStatus) -> &'static str {
    match s {
        CreditStatus::Pending => "Waiting for the bureau…",
        CreditStatus::Completed => "Completed",
        CreditStatus::Declined => "Declined",
        CreditStatus::NoHit => "No hit (no credit file found)",
        CreditStatus::Error => "Error",
    }
}

#[derive(Properties, PartialEq)]
pub struct CreditRunProps {
    pub customer: RecordId,
    /// The customer's version (Apply sends it).
    pub version: u64,
    pub on_applied: Callback<CustomerHome>,
    /// Skip: the wizard moves on; the tab only closes the card.
    #[prop_or_default]
    pub on_skip: Callback<()>,
    /// A check finished (the tab reloads its list).
    #[prop_or_default]
    pub on_settled: Callback<()>,
}

#[component]
pub fn CreditRun(props: &CreditRunProps) -> Html {
    let session = use_session();
    let settings = use_state(|| None::<Result<CreditSettingsView, String>>);
    let bureau = use_state(String::new);
    let previous = use_state(|| None::<PreviousAddress>);
    let current = use_state(|| None::<CreditCheck>);
    let busy = use_state(|| false);
    let confirm = use_state(|| false);
    let error = use_state(|| None::<String>);
    {
        let (settings, bureau, client) = (settings.clone(), bureau.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    match client.credit_settings().await {
                        Ok(s) => {
                            bureau.set(s.settings.bureaus.first().cloned().unwrap_or_default());
                            settings.set(Some(Ok(s)));
                        }
                        Err(e) => settings.set(Some(Err(e.message()))),
                    }
                });
            }
        });
    }
    let s = match &*settings {
        None => return html! { <p class="loading" data-testid="credit-loading">{ "Loading credit settings…" }</p> },
        Some(Err(m)) => {
            return html! { <p class="notice" data-testid="credit-unavailable">{ format!("Credit checks are not available: {m}") }</p> }
        }
        Some(Ok(s)) if !s.settings.enabled || s.settings.bureaus.is_empty() => {
            return html! { <p class="notice" data-testid="credit-unavailable">{ "Credit checks are not enabled for your company." }</p> }
        }
        Some(Ok(s)) => s.clone(),
    };
    let name_of =
        |id: &str| s.available.iter().find(|b| b.id == id).map(|b| b.name.clone()).unwrap_or_else(|| id.to_owned());

    let run = {
        let (client, bureau, previous, current, busy, error, customer, on_settled) = (
            session.client(),
            bureau.clone(),
            previous.clone(),
            current.clone(),
            busy.clone(),
            error.clone(),
            props.customer,
            props.on_settled.clone(),
        );
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let body = RunCredit {
                bureau: (*bureau).clone(),
                bureau_fields: Default::default(),
                previous_address: (*previous).clone(),
            };
            // One key per click: a retry of this click is the same pull.
            // Whole numbers, so no float is printed (Rust's float printing is 14 KiB of wasm).
            let click = format!("{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e12) as u64);
            let (current, busy, error, on_settled) = (current.clone(), busy.clone(), error.clone(), on_settled.clone());
            busy.set(true);
            error.set(None);
            crate::spawn(async move {
                match client.run_credit(customer, &body, &click).await {
                    Ok(check) => {
                        let id = check.id;
                        current.set(Some(check));
                        let until = js_sys::Date::now() + WATCH.as_millis() as f64;
                        while js_sys::Date::now() < until {
                            gloo_timers::future::TimeoutFuture::new(500).await;
                            if let Ok(list) = client.credit_checks(customer).await {
                                if let Some(c) =
                                    list.into_iter().find(|c| c.id == id && c.status != CreditStatus::Pending)
                                {
                                    current.set(Some(c));
                                    on_settled.emit(());
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) => error.set(Some(e.message())),
                }
                busy.set(false);
            });
        })
    };
    let apply = {
        let (client, current, confirm, error, version, on_applied, on_settled) = (
            session.client(),
            current.clone(),
            confirm.clone(),
            error.clone(),
            props.version,
            props.on_applied.clone(),
            props.on_settled.clone(),
        );
        crate::h::cb(move |_: MouseEvent| {
            let (Some(client), Some(check)) = (client.clone(), (*current).clone()) else { return };
            let (current, confirm, error, on_applied, on_settled) =
                (current.clone(), confirm.clone(), error.clone(), on_applied.clone(), on_settled.clone());
            crate::spawn(async move {
                match client.apply_credit(check.id, version).await {
                    Ok(home) => {
                        current.set(Some(CreditCheck { applied: true, ..check }));
                        on_applied.emit(home);
                        on_settled.emit(());
                    }
                    Err(e) => error.set(Some(e.message())),
                }
                confirm.set(false);
            });
        })
    };

    let form = {
        let on_bureau = {
            let bureau = bureau.clone();
            crate::h::cb(move |e: Event| bureau.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))
        };
        let on_previous = {
            let previous = previous.clone();
            crate::h::cb(move |e: Event| {
                let on = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
                previous.set(on.then(PreviousAddress::default));
            })
        };
        let prev_field = |label: &'static str, key: &'static str| {
            let previous = previous.clone();
            let value = previous.as_ref().map(|p| match key {
                "address1" => p.address1.clone(),
                "city" => p.city.clone(),
                "state" => p.state.clone(),
                _ => p.zip.clone(),
            });
            let oninput = crate::h::cb(move |e: InputEvent| {
                let v = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
                let mut p = (*previous).clone().unwrap_or_default();
                match key {
                    "address1" => p.address1 = v,
                    "city" => p.city = v,
                    "state" => p.state = v,
                    _ => p.zip = v,
                }
                previous.set(Some(p));
            });
            html! {
                <div class="form-field"><label for={format!("prev-{key}")}>{ label }</label>
                    <input class="input" id={format!("prev-{key}")} data-testid={format!("prev-{key}")} value={value.unwrap_or_default()} {oninput} /></div>
            }
        };
        html! {
            <div class="credit-form" data-testid="credit-form">
                <div class="form-field">
                    <label for="credit-bureau">{ "Credit bureau" }</label>
                    <select class="input" id="credit-bureau" data-testid="credit-bureau" onchange={on_bureau}>
                        { for s.settings.bureaus.iter().map(|b| html! { <option value={b.clone()} selected={*b == *bureau}>{ name_of(b) }</option> }) }
                    </select>
                </div>
                <label class="check"><input type="checkbox" data-testid="credit-previous" checked={previous.is_some()} onchange={on_previous} />{ " Add previous address" }</label>
                if previous.is_some() {
                    <div class="form-grid">
                        { prev_field("Address line 1", "address1") }{ prev_field("City", "city") }
                        { prev_field("State", "state") }{ prev_field("Zip", "zip") }
                    </div>
                }
                <p class="muted small">{ "A credit check is a hard inquiry on the customer's credit; run one only when needed." }</p>
                <button type="button" class="button" data-testid="run-credit" disabled={*busy} onclick={run.clone()}>{ "Run Credit" }</button>
            </div>
        }
    };

    let card = current.as_ref().map(|c| {
        let pending = c.status == CreditStatus::Pending;
        let again = {
            let current = current.clone();
            crate::h::cb(move |_: MouseEvent| current.set(None))
        };
        let skip = {
            let (current, on_skip) = (current.clone(), props.on_skip.clone());
            crate::h::cb(move |_: MouseEvent| {
                current.set(None);
                on_skip.emit(());
            })
        };
        let open_confirm = {
            let confirm = confirm.clone();
            crate::h::cb(move |_: MouseEvent| confirm.set(true))
        };
        html! {
            <section class="card credit-result" data-testid="credit-result" data-status={format!("{:?}", c.status).to_ascii_lowercase()} aria-live="polite">
                <h3>{ c.bureau_name.clone() }</h3>
                <p data-testid="credit-status">{ status_label(c.status) }</p>
                if pending {
                    <p class="loading" data-testid="credit-progress" role="progressbar">{ "Running credit…" }</p>
                }
                { for c.score.map(|score| html! { <p class="credit-score"><strong data-testid="credit-score">{ score }</strong>{ " · grade " }<strong data-testid="credit-grade">{ c.grade.clone().unwrap_or_default() }</strong></p> }) }
                { for c.transaction_id.as_ref().map(|t| html! { <p>{ "Transaction ID " }<span data-testid="credit-transaction">{ t.clone() }</span></p> }) }
                { for c.run_at.as_ref().map(|t| html! { <p class="muted">{ format!("Run {t}") }</p> }) }
                { for c.reason.as_ref().map(|r| html! { <p class="muted">{ r.clone() }</p> }) }
                if c.applied {
                    <p class="badge badge-green" data-testid="credit-applied">{ "Applied to customer" }</p>
                }
                if !pending {
                    <div class="actions">
                        if c.status == CreditStatus::Completed && !c.applied {
                            <button type="button" class="button" data-testid="credit-apply" onclick={open_confirm}>{ "Apply to customer" }</button>
                        }
                        if !c.applied {
                            <button type="button" class="button secondary" data-testid="credit-skip" onclick={skip}>{ "Skip" }</button>
                        }
                        <button type="button" class="button secondary" data-testid="credit-again" onclick={again}>{ "Run Credit Again" }</button>
                    </div>
                }
            </section>
        }
    });
    let dialog = (*confirm).then(|| {
        let close = {
            let confirm = confirm.clone();
            crate::h::cb(move |_: ()| confirm.set(false))
        };
        html! {
            <Modal title="Apply credit check" testid="credit-apply-dialog" on_close={close.clone()}>
                <p>{ "Make this the customer's active credit check? It sets the customer's beacon score and credit tracking number." }</p>
                <div class="actions">
                    <button type="button" class="button secondary" onclick={close.adapt(|_: MouseEvent| ())}>{ "Cancel" }</button>
                    <button type="button" class="button" data-testid="credit-apply-confirm" onclick={apply}>{ "Apply" }</button>
                </div>
            </Modal>
        }
    });
    html! {
        <div class="credit-run" data-testid="credit-run">
            { for error.as_ref().map(|m| html! { <p class="error-box" role="alert" data-testid="credit-error">{ m.clone() }</p> }) }
            { match card { Some(card) => card, None => form } }
            { for dialog }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct CreditTabProps {
    pub id: RecordId,
    pub version: u64,
    pub on_record: Callback<CustomerHome>,
}

/// The Credit tab: the Run Credit panel and every check of the customer.
#[component]
pub fn CreditTab(props: &CreditTabProps) -> Html {
    let session = use_session();
    let checks = use_state(|| None::<Result<Vec<CreditCheck>, String>>);
    let reload = use_state(|| 0u32);
    {
        let (checks, client, id) = (checks.clone(), session.client(), props.id);
        use_effect_with(*reload, move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    checks.set(Some(client.credit_checks(id).await.map_err(|e| e.message())));
                });
            }
        });
    }
    let on_settled = {
        let reload = reload.clone();
        crate::h::cb(move |_: ()| reload.set(*reload + 1))
    };
    let list = match &*checks {
        None => html! { <p class="loading">{ "Loading credit checks…" }</p> },
        Some(Err(m)) => html! { <p class="error-box" role="alert">{ m.clone() }</p> },
        Some(Ok(list)) if list.is_empty() => {
            html! { <p class="muted" data-testid="credit-empty">{ "No credit checks yet." }</p> }
        }
        Some(Ok(list)) => html! {
            <div class="table-wrap">
                <table class="records-table" data-testid="credit-checks">
                    <thead><tr><th scope="col">{ "Bureau" }</th><th scope="col">{ "Status" }</th><th scope="col">{ "Score" }</th>
                        <th scope="col">{ "Grade" }</th><th scope="col">{ "Transaction ID" }</th><th scope="col">{ "Run" }</th><th scope="col">{ "Active" }</th></tr></thead>
                    <tbody>
                        { for list.iter().map(|c| html! {
                            <tr data-testid="credit-check" data-id={c.id.to_string()}>
                                <td>{ c.bureau_name.clone() }</td><td>{ status_label(c.status) }</td>
                                <td>{ c.score.map(|s| s.to_string()).unwrap_or_default() }</td><td>{ c.grade.clone().unwrap_or_default() }</td>
                                <td>{ c.transaction_id.clone().unwrap_or_default() }</td><td>{ c.run_at.clone().unwrap_or_default() }</td>
                                <td>{ if c.applied { "Applied" } else { "" } }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    html! {
        <section class="card credit-tab" data-testid="credit-tab">
            <h2>{ "Credit" }</h2>
            <CreditRun customer={props.id} version={props.version} on_applied={props.on_record.clone()} on_settled={on_settled.clone()} />
            { list }
            <ManualScore customer={props.id} version={props.version} on_record={props.on_record.clone()} {on_settled} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ManualScoreProps {
    customer: RecordId,
    version: u64,
    on_record: Callback<CustomerHome>,
    on_settled: Callback<()>,
}

/// A score the office got another way (a bureau's phone line), entered by hand: applied at once.
#[component]
fn ManualScore(props: &ManualScoreProps) -> Html {
    let session = use_session();
    let score = use_state(String::new);
    let tracking = use_state(String::new);
    let error = use_state(|| None::<String>);
    let save = {
        let (client, score, tracking, error) = (session.client(), score.clone(), tracking.clone(), error.clone());
        let (id, version, on_record, on_settled) =
            (props.customer, props.version, props.on_record.clone(), props.on_settled.clone());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let Ok(n) = score.trim().parse::<u32>() else {
                error.set(Some("Enter the score as a whole number (300 to 900).".into()));
                return;
            };
            let t = Some(tracking.trim().to_owned()).filter(|t| !t.is_empty());
            let (score, tracking, error, on_record, on_settled) =
                (score.clone(), tracking.clone(), error.clone(), on_record.clone(), on_settled.clone());
            crate::spawn(async move {
                match client.enter_credit_score(id, n, t, version).await {
                    Ok(home) => {
                        score.set(String::new());
                        tracking.set(String::new());
                        error.set(None);
                        on_record.emit(home);
                        on_settled.emit(());
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };
    let input = |state: &UseStateHandle<String>| {
        let state = state.clone();
        crate::h::cb(move |e: InputEvent| state.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
    };
    html! {
        <form class="inline-form manual-score" data-testid="manual-score" onsubmit={save}>
            <label for="manual-score">{ "Enter a score manually" }</label>
            <input class="input" id="manual-score" inputmode="numeric" data-testid="manual-score-input" value={(*score).clone()} oninput={input(&score)} />
            <label for="manual-tracking">{ "Tracking number" }</label>
            <input class="input" id="manual-tracking" data-testid="manual-tracking-input" value={(*tracking).clone()} oninput={input(&tracking)} />
            <button type="submit" class="button secondary" data-testid="manual-score-save">{ "Apply score" }</button>
            { for error.as_ref().map(|m| html! { <p class="error-box" role="alert">{ m.clone() }</p> }) }
        </form>
    }
}
