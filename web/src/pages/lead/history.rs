//! The lead's history: who changed what and when, newest first.

use super::edit::{PERSONAL, QUALIFICATION};
use crate::api::HistoryEntry;
use crate::components::format;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use serde_json::Value;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LeadHistoryProps {
    pub id: vigil_domain::RecordId,
    /// Reloads when the lead changes.
    pub version: u64,
}

fn shown(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) if a.is_empty() => "—".into(),
        Value::Array(a) => a.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => vigil_json::to_text(other),
    }
}

fn field_label(field: &str) -> String {
    PERSONAL.iter().chain(QUALIFICATION).find(|f| f.name == field).map(|f| f.label.to_owned()).unwrap_or_else(|| {
        match field {
            "ssn" => "SSN".into(),
            "created" => "Created".into(),
            // The history list does not read the definitions (a deleted field's entries stay): the field's ID.
            f if f.starts_with("custom_fields.") => format!("Custom field #{}", &f["custom_fields.".len()..]),
            other => {
                let s = other.replace('_', " ");
                let mut c = s.chars();
                c.next().map(|f| format::uppercase(f.encode_utf8(&mut [0; 4])) + c.as_str()).unwrap_or_default()
            }
        }
    })
}

/// Who changed what and when, newest first (`GET /api/v1/leads/{id}/history`: the newest 100 entries).
#[component]
pub fn LeadHistory(props: &LeadHistoryProps) -> Html {
    let session = use_session();
    let entries = use_state(|| None::<Result<Vec<HistoryEntry>, String>>);
    {
        let (entries, client) = (entries.clone(), session.client());
        use_effect_with((props.id, props.version), move |(id, _)| {
            let id = *id;
            if let Some(client) = client {
                crate::spawn(async move {
                    entries.set(Some(client.lead_history(id).await.map_err(|e| e.message())));
                });
            }
        });
    }
    let body = match &*entries {
        None => html! { <p class="loading">{ "Loading the history…" }</p> },
        Some(Err(msg)) => {
            html! { <p class="error-box" role="alert">{ format!("Could not load the history: {msg}") }</p> }
        }
        Some(Ok(list)) if list.is_empty() => {
            html! { <p class="muted" data-testid="history-empty">{ "No changes recorded yet." }</p> }
        }
        Some(Ok(list)) => html! {
            <div class="table-wrap">
                <table class="simple-table history" data-testid="lead-history">
                    <thead>
                        <tr><th scope="col">{ "When" }</th><th scope="col">{ "Who" }</th><th scope="col">{ "Field" }</th>
                            <th scope="col">{ "Before" }</th><th scope="col">{ "After" }</th></tr>
                    </thead>
                    <tbody>
                        { for list.iter().rev().map(|h| html! {
                            <tr data-testid="history-entry" data-field={h.field.clone()}>
                                <td class="nowrap">{ format::date_time(&h.at) }</td>
                                <td>{ h.by.clone() }</td>
                                <td>{ field_label(&h.field) }</td>
                                <td>{ shown(&h.before) }</td>
                                <td>{ shown(&h.after) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    html! {
        <section class="card" aria-labelledby="card-history">
            <h2 id="card-history">{ "History" }</h2>
            { body }
        </section>
    }
}
