//! The customer's History tab: every change to the record, newest first (field saves, enrollment events), masked by
//! the server per the reader's grants, a page at a time.

use crate::api::{ApiError, HistoryEntry};
use crate::components::format;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::{use_report_error, use_session};
use serde_json::Value;
use vigil_api::common::RecordPath;
use vigil_api::ops::{self, HistoryQuery};
use vigil_domain::RecordId;
use yew::prelude::*;

/// The tab's URL segment.
pub const SEGMENT: &str = "history";

fn shown(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => vigil_json::to_text(other),
    }
}

#[derive(Properties, PartialEq)]
pub struct HistoryTabProps {
    pub id: RecordId,
}

#[component]
pub fn HistoryTab(props: &HistoryTabProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let entries = use_state(Vec::<HistoryEntry>::new);
    let next = use_state(|| None::<String>);
    let cursor = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let loaded = use_state(|| false);
    let id = props.id;

    {
        let (entries, next, error, loaded, client) =
            (entries.clone(), next.clone(), error.clone(), loaded.clone(), session.client());
        use_effect_with((id, (*cursor).clone()), move |(id, cursor)| {
            let (id, cursor) = (*id, cursor.clone());
            if let Some(client) = client {
                crate::spawn(async move {
                    let q = HistoryQuery { per_page: Some(50), cursor: cursor.clone() };
                    match client.call::<ops::CustomerHistory>(&RecordPath { id }, &q, &()).await {
                        Ok(page) => {
                            let mut all = if cursor.is_some() { (*entries).clone() } else { vec![] };
                            all.extend(page.items);
                            entries.set(all);
                            next.set(page.next_cursor);
                        }
                        Err(e) => {
                            report.emit(e.clone());
                            error.set(Some(e));
                        }
                    }
                    loaded.set(true);
                });
            }
        });
    }
    if let Some(e) = &*error {
        return html! { <div class="error-box" role="alert">{ e.message() }</div> };
    }
    if !*loaded {
        return html! { <p class="loading" data-testid="loading">{ "Loading history…" }</p> };
    }
    let more = (*next).clone().map(|c| {
        let cursor = cursor.clone();
        let onclick = crate::h::cb(move |_| cursor.set(Some(c.clone())));
        html! { <button type="button" class="button secondary" data-testid="history-more" {onclick}>{ "Load more" }</button> }
    });
    html! {
        <section class="history-tab" data-testid="history-tab">
            <h2>{ "History" }</h2>
            if entries.is_empty() {
                <p class="muted">{ "No changes recorded yet." }</p>
            } else {
                <table class="data-table" data-testid="history">
                    <thead><tr><th scope="col">{ "When" }</th><th scope="col">{ "Who" }</th><th scope="col">{ "What" }</th>
                        <th scope="col">{ "Before" }</th><th scope="col">{ "After" }</th></tr></thead>
                    <tbody>
                        { for entries.iter().map(|h| html! {
                            <tr data-testid="history-row">
                                <td>{ format::date_time(&h.at) }</td>
                                <td>{ h.by.clone() }</td>
                                <td>{ h.field.replace('_', " ") }</td>
                                <td>{ shown(&h.before) }</td>
                                <td>{ shown(&h.after) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            { for more }
        </section>
    }
}
