//! The Sales Copilot panel on the lead page: the three asks of the manual and a free question, the answer with every
//! number's reason, and the recommended next action as one click (set the follow-up, move the stage, open Convert).
//! There is no outbox composer, so an intro email is shown as a draft with a copy button.

use crate::api::ApiError;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use vigil_api::common::{NoQuery, RecordPath};
use vigil_api::copilot::{Ask, CopilotAnswer, CopilotAsk, Dimension, NextActionKind};
use vigil_api::ops;
use vigil_domain::record::{Record, Stage};
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CopilotPanelProps {
    pub record: Record,
    /// The lead as the server returned it after the next action changed it.
    pub on_saved: Callback<Record>,
}

/// `YYYY-MM-DD`, `days` from today in the browser's time zone.
fn date_in(days: u32) -> String {
    let d = js_sys::Date::new_0();
    d.set_date(d.get_date() + days);
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// Best effort: the Clipboard API through `navigator.clipboard.writeText`, without more web-sys features.
fn copy_text(text: &str) {
    let Some(window) = web_sys::window() else { return };
    let get = |o: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).ok();
    let Some(clipboard) = get(window.as_ref(), "navigator").and_then(|n| get(&n, "clipboard")) else { return };
    if let Some(f) = get(&clipboard, "writeText").and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
        let _ = f.call1(&clipboard, &text.into());
    }
}

fn dimension(name: &'static str, label: &'static str, d: &Dimension) -> Html {
    html! {
        <tr data-testid="copilot-bant" data-dimension={name}>
            <th scope="row">{ label }</th>
            <td class="num" data-testid="copilot-bant-score">{ d.score.to_string() }</td>
            <td class="muted num">{ "25" }</td>
            <td>{ d.reason.clone() }</td>
        </tr>
    }
}

#[component]
pub fn CopilotPanel(props: &CopilotPanelProps) -> Html {
    let session = use_session();
    let answer = use_state(|| None::<CopilotAnswer>);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let question = use_state(String::new);
    let copied = use_state(|| false);
    let (id, version) = (props.record.id, props.record.version);

    let send = {
        let (client, answer, error, busy, copied) =
            (session.client(), answer.clone(), error.clone(), busy.clone(), copied.clone());
        crate::h::cb(move |req: CopilotAsk| {
            let Some(client) = client.clone() else { return };
            let (answer, error, busy, copied) = (answer.clone(), error.clone(), busy.clone(), copied.clone());
            busy.set(true);
            error.set(None);
            copied.set(false);
            crate::spawn(async move {
                match client.call::<ops::LeadCopilot>(&RecordPath { id }, &NoQuery {}, &req).await {
                    Ok(a) => answer.set(Some(a)),
                    Err(e) => error.set(Some(problem(&e))),
                }
                busy.set(false);
            });
        })
    };
    let ask = |a: Ask| {
        let send = send.clone();
        crate::h::cb(move |_: MouseEvent| send.emit(CopilotAsk { ask: a, question: None }))
    };
    let on_question = {
        let question = question.clone();
        crate::h::cb(move |e: InputEvent| {
            question.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value());
        })
    };
    let submit_question = {
        let (send, question) = (send.clone(), question.clone());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit(CopilotAsk { ask: Ask::Question, question: Some((*question).clone()) });
        })
    };

    // The next action's one click: a write with the version on the page, or opening the Convert dialog.
    let act = {
        let (client, error, busy, on_saved, answer) =
            (session.client(), error.clone(), busy.clone(), props.on_saved.clone(), answer.clone());
        crate::h::cb(move |kind: NextActionKind| {
            if kind == NextActionKind::Convert {
                let open = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector("[data-testid=convert-lead]").ok().flatten())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                match open {
                    Some(button) => button.click(),
                    // A lead's Home page has no Convert dialog: the lead page has.
                    None => {
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().set_href(&format!("/leads/{id}"));
                        }
                    }
                }
                return;
            }
            let Some(client) = client.clone() else { return };
            let (error, busy, on_saved, answer) = (error.clone(), busy.clone(), on_saved.clone(), answer.clone());
            busy.set(true);
            crate::spawn(async move {
                let stage = |to| client.move_lead_stage(id, to, version);
                let result = match kind {
                    NextActionKind::Qualify => stage(Stage::Qualified).await,
                    NextActionKind::Disqualify => stage(Stage::Unqualified).await,
                    NextActionKind::Reopen => stage(Stage::New).await,
                    NextActionKind::ScheduleCall | NextActionKind::SendFollowUp | NextActionKind::Convert => {
                        let days = if kind == NextActionKind::ScheduleCall { 0 } else { 3 };
                        let mut fields = serde_json::Map::new();
                        fields.insert("next_followup".into(), date_in(days).into());
                        fields.insert("version".into(), version.into());
                        client.patch_lead(id, &fields).await
                    }
                };
                match result {
                    Ok(saved) => {
                        answer.set(None);
                        on_saved.emit(saved.record);
                    }
                    Err(e) => error.set(Some(problem(&e))),
                }
                busy.set(false);
            });
        })
    };

    let body = (*answer).as_ref().map(|a| {
        let kind = a.next_action.kind;
        let button_label = match kind {
            NextActionKind::ScheduleCall => format!("Set today's follow-up ({})", date_in(0)),
            NextActionKind::SendFollowUp => format!("Set the follow-up to {}", date_in(3)),
            NextActionKind::Qualify => "Move to Qualified".to_owned(),
            NextActionKind::Disqualify => "Move to Unqualified".to_owned(),
            NextActionKind::Reopen => "Reopen to New".to_owned(),
            NextActionKind::Convert => "Open Convert to Customer".to_owned(),
        };
        let kind_name = vigil_json::ToJson::to_json(&kind).as_str().map(str::to_owned).unwrap_or_default();
        let email = a.email.as_ref().map(|m| {
            let text = format!("Subject: {}\n\n{}", m.subject, m.body);
            let onclick = {
                let copied = copied.clone();
                crate::h::cb(move |_| {
                    copy_text(&text);
                    copied.set(true);
                })
            };
            html! {
                <div class="copilot-email" data-testid="copilot-email" data-may-send={m.may_send.to_string()}>
                    if !m.may_send {
                        <p class="error-box" role="alert" data-testid="copilot-email-blocked">{ "Do not send: this lead opted out of email." }</p>
                    }
                    <p><strong>{ "Subject: " }</strong><span data-testid="copilot-email-subject">{ m.subject.clone() }</span></p>
                    <textarea class="input" rows="9" readonly=true aria-label="Draft email body" data-testid="copilot-email-body" value={m.body.clone()} />
                    <div class="actions">
                        <button type="button" class="button secondary" data-testid="copilot-email-copy" {onclick}>{ "Copy the draft" }</button>
                        if *copied { <span class="muted">{ "Copied." }</span> }
                    </div>
                </div>
            }
        });
        html! {
            <div class="copilot-answer" data-testid="copilot-answer" data-engine={a.engine.clone()}>
                <p data-testid="copilot-text">{ a.text.clone() }</p>
                if let (Some(b), Some(total)) = (&a.bant, a.total) {
                    <table class="simple-table" data-testid="copilot-bant-table">
                        <thead><tr><th scope="col">{ "BANT" }</th><th scope="col">{ "Score" }</th><th scope="col">{ "Of" }</th><th scope="col">{ "Why" }</th></tr></thead>
                        <tbody>
                            { dimension("budget", "Budget", &b.budget) }
                            { dimension("authority", "Authority", &b.authority) }
                            { dimension("need", "Need", &b.need) }
                            { dimension("timeline", "Timeline", &b.timeline) }
                            <tr><th scope="row">{ "Total" }</th><td class="num" data-testid="copilot-total">{ total.to_string() }</td><td class="muted num">{ "100" }</td><td></td></tr>
                        </tbody>
                    </table>
                }
                if let (Some(hot), Some(reasons)) = (a.hot, &a.reasons) {
                    <p data-testid="copilot-hot" data-hot={hot.to_string()}><strong>{ if hot { "Hot lead: yes" } else { "Hot lead: no" } }</strong></p>
                    <ul>{ for reasons.iter().map(|r| html! { <li>{ r.clone() }</li> }) }</ul>
                }
                { for email }
                <div class="copilot-next" data-testid="copilot-next" data-kind={kind_name}>
                    <p><strong>{ "Next: " }</strong>{ a.next_action.label.clone() }</p>
                    <button type="button" class="button" disabled={*busy} data-testid="copilot-do-next" onclick={act.adapt(move |_| kind)}>{ button_label }</button>
                </div>
                <p class="muted">{ format!("Answered by the {} engine from the fields you may see.", a.engine) }</p>
            </div>
        }
    });

    html! {
        <section class="card copilot" aria-labelledby="card-copilot" data-testid="copilot">
            <h2 id="card-copilot">{ "Sales Copilot" }</h2>
            <div class="actions wrap">
                <button type="button" class="button secondary" disabled={*busy} data-testid="copilot-qualify" onclick={ask(Ask::Qualify)}>{ "Qualify this lead" }</button>
                <button type="button" class="button secondary" disabled={*busy} data-testid="copilot-hot-ask" onclick={ask(Ask::Hot)}>{ "Is this a hot lead?" }</button>
                <button type="button" class="button secondary" disabled={*busy} data-testid="copilot-email-ask" onclick={ask(Ask::IntroEmail)}>{ "Draft an intro email" }</button>
            </div>
            <form class="inline-form" onsubmit={submit_question}>
                <label for="copilot-question">{ "Ask about this lead" }</label>
                <input type="text" id="copilot-question" class="input" maxlength="500" value={(*question).clone()} oninput={on_question} data-testid="copilot-question" />
                <button type="submit" class="button secondary" disabled={*busy}>{ "Ask" }</button>
            </form>
            if let Some(msg) = &*error {
                <p class="error-box" role="alert" data-testid="copilot-error">{ msg.clone() }</p>
            }
            if *busy && answer.is_none() {
                <p class="loading">{ "Thinking…" }</p>
            }
            { for body }
        </section>
    }
}

fn problem(e: &ApiError) -> String {
    let detail = e.errors.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; ");
    if detail.is_empty() {
        e.message()
    } else {
        detail
    }
}

#[derive(Properties, PartialEq)]
pub struct LeadCopilotProps {
    pub id: vigil_domain::RecordId,
}

/// The same panel on a lead's Home page (`/customers/{id}` of a record still in lead status), which holds the
/// customer-shaped read and not the lead: it loads the lead itself, and again after a next action changed it.
#[component]
pub fn LeadCopilot(props: &LeadCopilotProps) -> Html {
    let session = use_session();
    let record = use_state(|| None::<Record>);
    {
        let (record, client) = (record.clone(), session.client());
        use_effect_with(props.id, move |id| {
            let id = *id;
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(r) = client.record(vigil_domain::record::Kind::Lead, id).await {
                        record.set(Some(r));
                    }
                });
            }
        });
    }
    let on_saved = {
        let record = record.clone();
        crate::h::cb(move |r: Record| record.set(Some(r)))
    };
    match &*record {
        Some(r) => html! { <CopilotPanel record={r.clone()} {on_saved} /> },
        None => html! {},
    }
}
