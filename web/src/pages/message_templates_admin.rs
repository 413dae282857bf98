//! Admin › Message Templates: the templates partner emails and auto-responses are rendered from. The list, and one
//! form for a new template or the one being edited; an unknown merge field is the server's message beside the
//! input that holds it.

use crate::api::{ApiError, MessageTemplate};
use crate::components::field_errors::{self, FieldErrors};
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use serde_json::{Map, Value};
use vigil_api::partners::MERGE_FIELDS;
use vigil_domain::{Action, Resource};
use vigil_json::ToJson;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Default)]
struct Draft {
    /// The template being edited (its id and version); none for a new one.
    editing: Option<(u32, u64)>,
    name: String,
    subject: String,
    body: String,
}

impl Draft {
    fn of(t: &MessageTemplate) -> Self {
        Self {
            editing: Some((t.id, t.version)),
            name: t.name.clone(),
            subject: t.subject.clone(),
            body: t.body.clone(),
        }
    }

    fn body(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("name".into(), self.name.to_json());
        m.insert("subject".into(), self.subject.to_json());
        m.insert("body".into(), self.body.to_json());
        if let Some((_, version)) = self.editing {
            m.insert("version".into(), version.to_json());
        }
        m
    }
}

fn by_field(e: &ApiError) -> FieldErrors {
    let mut out = field_errors::by_field(&e.errors);
    if out.is_empty() {
        out.insert("form".into(), e.message());
    }
    out
}

#[component]
pub fn MessageTemplates() -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let list = use_state(|| None::<Result<Vec<MessageTemplate>, ApiError>>);
    let attempt = use_state(|| 0u32);
    let draft = use_state(Draft::default);
    let errors = use_state(FieldErrors::new);
    let busy = use_state(|| false);
    let may_change =
        session.me.as_ref().is_some_and(|m| m.permissions.allows_somewhere(Resource::CompanySettings, Action::Modify));
    {
        let (list, client) = (list.clone(), session.client());
        use_effect_with(*attempt, move |_| {
            if let Some(client) = client {
                crate::spawn(async move { list.set(Some(client.message_templates().await)) });
            }
        });
    }
    let on_submit = {
        let (draft, errors, busy, attempt, client, toasts, report) = (
            draft.clone(),
            errors.clone(),
            busy.clone(),
            attempt.clone(),
            session.client(),
            toasts.clone(),
            report.clone(),
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let d = (*draft).clone();
            busy.set(true);
            let (draft, errors, busy, attempt, toasts, report) =
                (draft.clone(), errors.clone(), busy.clone(), attempt.clone(), toasts.clone(), report.clone());
            crate::spawn(async move {
                let saved = match d.editing {
                    Some((id, _)) => client.update_message_template(id, &d.body()).await,
                    None => client.create_message_template(&d.body()).await,
                };
                match saved {
                    Ok(t) => {
                        toasts.info(&format!("Message template \"{}\" saved", t.name));
                        draft.set(Draft::default());
                        errors.set(FieldErrors::new());
                        attempt.set(*attempt + 1);
                    }
                    Err(e) if e.status == 422 || e.is_conflict() || e.is_forbidden() => errors.set(by_field(&e)),
                    Err(e) => report.emit(e),
                }
                busy.set(false);
            });
        })
    };
    let rows = match &*list {
        None => html! { <p class="loading">{ "Loading message templates…" }</p> },
        Some(Err(e)) if e.is_forbidden() => {
            html! { <p class="error-box" role="alert">{ "You do not have permission to see message templates." }</p> }
        }
        Some(Err(e)) => {
            html! { <p class="error-box" role="alert">{ format!("Could not load message templates: {}", e.message()) }</p> }
        }
        Some(Ok(l)) if l.is_empty() => {
            html! { <p class="empty-state" data-testid="templates-empty">{ "No message templates yet." }</p> }
        }
        Some(Ok(l)) => html! {
            <ul class="partner-list" data-testid="template-list">
                { for l.iter().map(|t| {
                    let edit = {
                        let (draft, errors, t) = (draft.clone(), errors.clone(), t.clone());
                        crate::h::cb(move |_: MouseEvent| {
                            errors.set(FieldErrors::new());
                            draft.set(Draft::of(&t));
                        })
                    };
                    html! {
                        <li key={t.id} class="partner" data-testid="template-row">
                            <div class="partner-name"><strong>{ t.name.clone() }</strong><span class="muted">{ format!(" · {}", t.subject) }</span></div>
                            if may_change {
                                <button type="button" class="button secondary small" data-testid="template-edit" onclick={edit}>{ "Edit" }</button>
                            }
                        </li>
                    }
                }) }
            </ul>
        },
    };
    let input = |f: &'static str| {
        let draft = draft.clone();
        crate::h::cb(move |e: InputEvent| {
            let v = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
            let mut d = (*draft).clone();
            match f {
                "name" => d.name = v,
                "subject" => d.subject = v,
                _ => d.body = v,
            }
            draft.set(d);
        })
    };
    let on_body = {
        let draft = draft.clone();
        crate::h::cb(move |e: InputEvent| {
            let mut d = (*draft).clone();
            d.body = e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value();
            draft.set(d);
        })
    };
    let err = |f: &str| {
        errors.get(f).map(|m| html! { <span class="field-error" role="alert" data-testid={format!("template-error-{f}")}>{ m.clone() }</span> })
    };
    let cancel = {
        let (draft, errors) = (draft.clone(), errors.clone());
        crate::h::cb(move |_: MouseEvent| {
            errors.set(FieldErrors::new());
            draft.set(Draft::default());
        })
    };
    let invalid = |f: &str| errors.contains_key(f).then_some("invalid");
    html! {
        <section class="admin-page" data-testid="templates-admin">
            <header class="page-header"><h1>{ "Message Templates" }</h1></header>
            <section class="card">{ rows }</section>
            if may_change {
                <form class="card admin-form" onsubmit={on_submit} novalidate=true data-testid="template-form">
                    <h2>{ if draft.editing.is_some() { "Edit message template" } else { "New message template" } }</h2>
                    <p class="muted">{ format!("Merge fields: {}", MERGE_FIELDS.iter().map(|m| format!("{{{{{m}}}}}")).collect::<Vec<_>>().join(" ")) }</p>
                    if let Some(m) = errors.get("form") { <p class="error-box" role="alert">{ m.clone() }</p> }
                    <div class={classes!("form-field", invalid("name"))}>
                        <label for="template-name">{ "Name" }<span class="required">{ " *" }</span></label>
                        <input type="text" class="input" id="template-name" value={draft.name.clone()} disabled={*busy} data-testid="template-input-name" oninput={input("name")} />
                        { for err("name") }
                    </div>
                    <div class={classes!("form-field", invalid("subject"))}>
                        <label for="template-subject">{ "Subject" }<span class="required">{ " *" }</span></label>
                        <input type="text" class="input" id="template-subject" value={draft.subject.clone()} disabled={*busy} data-testid="template-input-subject" oninput={input("subject")} />
                        { for err("subject") }
                    </div>
                    <div class={classes!("form-field", invalid("body"))}>
                        <label for="template-body">{ "Body" }<span class="required">{ " *" }</span></label>
                        <textarea class="input" id="template-body" rows="6" value={draft.body.clone()} disabled={*busy} data-testid="template-input-body" oninput={on_body} />
                        { for err("body") }
                    </div>
                    <div class="actions">
                        <button type="submit" class="button" disabled={*busy} data-testid="template-save">{ "Save template" }</button>
                        if draft.editing.is_some() {
                            <button type="button" class="button secondary" onclick={cancel}>{ "Cancel" }</button>
                        }
                    </div>
                </form>
            }
        </section>
    }
}
