//! Admin › Custom fields: the company's user-defined fields (UDFs). Admins (Company Settings Modify) add a field
//! (name, type, required, the options of a select), rename it, change required / options / active, and move it up
//! or down; everyone else who opens the page sees the list read-only. The type is fixed once created. The server's
//! validation messages show next to the inputs they name.

use crate::api::{ApiError, CustomField, FieldType};
use crate::components::field_errors::{self, FieldErrors};
use crate::hooks::{use_effect_with, use_state, UseStateHandle};
use crate::html;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use serde_json::{Map, Value};
use vigil_domain::{Action, Resource};
use vigil_json::ToJson;
use yew::prelude::*;

/// What the new-field or edit form holds, as typed.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    name: String,
    field_type: FieldType,
    required: bool,
    /// One option per line (select only).
    options: String,
    active: bool,
}

impl Default for Draft {
    fn default() -> Self {
        Self { name: String::new(), field_type: FieldType::Text, required: false, options: String::new(), active: true }
    }
}

impl Draft {
    fn of(f: &CustomField) -> Self {
        Self {
            name: f.name.clone(),
            field_type: f.field_type,
            required: f.required,
            options: f.options.join("\n"),
            active: f.active,
        }
    }

    fn options(&self) -> Vec<String> {
        self.options.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    }

    /// The `POST` body.
    fn create_body(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("name".into(), self.name.to_json());
        m.insert("field_type".into(), self.field_type.to_json());
        m.insert("required".into(), self.required.to_json());
        if self.field_type == FieldType::Select {
            m.insert("options".into(), self.options().to_json());
        }
        m
    }

    /// The `PATCH` body: what the form shows, with the version it was loaded at.
    fn patch_body(&self, version: u64) -> Map<String, Value> {
        let mut m = self.create_body();
        m.remove("field_type");
        m.insert("active".into(), self.active.to_json());
        m.insert("version".into(), version.to_json());
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

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Loaded(Vec<CustomField>),
    Failed(String),
}

#[component]
pub fn CustomFieldsAdmin() -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let load = use_state(|| Load::Loading);
    let attempt = use_state(|| 0u32);
    let new_draft = use_state(Draft::default);
    let new_errors = use_state(FieldErrors::new);
    let editing = use_state(|| None::<(u32, Draft)>);
    let edit_errors = use_state(FieldErrors::new);
    let busy = use_state(|| false);
    let may_change =
        session.me.as_ref().is_some_and(|m| m.permissions.allows_somewhere(Resource::CompanySettings, Action::Modify));

    {
        let (load, client) = (load.clone(), session.client());
        use_effect_with(*attempt, move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    load.set(match client.custom_fields().await {
                        Ok(list) => Load::Loaded(list),
                        Err(e) if e.is_forbidden() => {
                            Load::Failed("You do not have permission to see the custom fields.".into())
                        }
                        Err(e) => Load::Failed(e.message()),
                    });
                });
            }
        });
    }
    let reload = {
        let attempt = attempt.clone();
        crate::h::cb(move |_: ()| attempt.set(*attempt + 1))
    };

    let on_create = {
        let (new_draft, new_errors, busy, client, reload, toasts, report) = (
            new_draft.clone(),
            new_errors.clone(),
            busy.clone(),
            session.client(),
            reload.clone(),
            toasts.clone(),
            report.clone(),
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let body = new_draft.create_body();
            busy.set(true);
            let (new_draft, new_errors, busy, reload, toasts, report) =
                (new_draft.clone(), new_errors.clone(), busy.clone(), reload.clone(), toasts.clone(), report.clone());
            crate::spawn(async move {
                match client.create_custom_field(&body).await {
                    Ok(f) => {
                        toasts.info(&format!("Custom field \"{}\" created", f.name));
                        new_draft.set(Draft::default());
                        new_errors.set(FieldErrors::new());
                        reload.emit(());
                    }
                    Err(e) if e.status == 422 || e.status == 409 || e.is_forbidden() => new_errors.set(by_field(&e)),
                    Err(e) => report.emit(e),
                }
                busy.set(false);
            });
        })
    };

    let list = match &*load {
        Load::Loading => html! { <p class="loading">{ "Loading custom fields…" }</p> },
        Load::Failed(m) => {
            html! { <p class="error-box" role="alert">{ format!("Could not load the custom fields: {m}") }</p> }
        }
        Load::Loaded(list) if list.is_empty() => {
            html! { <p class="empty-state" data-testid="custom-fields-empty">{ "No custom fields yet." }</p> }
        }
        Load::Loaded(list) => {
            let ctx = RowCtx {
                list: list.clone(),
                may_change,
                busy: busy.clone(),
                editing: editing.clone(),
                edit_errors: edit_errors.clone(),
                client: session.client(),
                reload: reload.clone(),
                report: report.clone(),
            };
            html! {
                <ul class="partner-list custom-field-list" data-testid="custom-fields">
                    { for list.iter().enumerate().map(|(i, f)| ctx.row(i, f)) }
                </ul>
            }
        }
    };
    html! {
        <section class="card" aria-labelledby="admin-custom-fields" data-testid="custom-fields-admin">
            <h2 id="admin-custom-fields">{ "Custom fields" }</h2>
            <p class="muted">{ "Fields of your own on every customer's Home page, in the Custom Fields card. The type cannot change once a field exists; deactivate a field to hide it." }</p>
            { list }
            if may_change {
                <form class="admin-form" onsubmit={on_create} novalidate=true data-testid="new-custom-field">
                    <h3>{ "New custom field" }</h3>
                    { draft_inputs("new", &new_draft, &new_errors, true, *busy) }
                    <div class="actions">
                        <button type="submit" class="button" disabled={*busy} data-testid="create-custom-field">{ "Add field" }</button>
                    </div>
                </form>
            } else {
                <p class="muted">{ "Only administrators change custom fields." }</p>
            }
        </section>
    }
}

/// What each row needs to edit and reorder.
struct RowCtx {
    list: Vec<CustomField>,
    may_change: bool,
    busy: UseStateHandle<bool>,
    editing: UseStateHandle<Option<(u32, Draft)>>,
    edit_errors: UseStateHandle<FieldErrors>,
    client: Option<crate::api::Client>,
    reload: Callback<()>,
    report: Callback<ApiError>,
}

impl RowCtx {
    fn row(&self, i: usize, f: &CustomField) -> Html {
        let editing_this = self.editing.as_ref().filter(|(id, _)| *id == f.id).map(|(_, d)| d.clone());
        let summary = html! {
            <div class="partner-name custom-field-summary">
                <strong data-testid="custom-field-name">{ f.name.clone() }</strong>
                { for f.required.then(|| html! { <span class="required" title="Required">{ " *" }</span> }) }
                <span class="muted">{ format!(" · {}", f.field_type.label()) }</span>
                { for (!f.options.is_empty()).then(|| html! { <span class="muted">{ format!(" · {}", f.options.join(", ")) }</span> }) }
                { for (!f.active).then(|| html! { <span class="badge" data-testid="custom-field-inactive">{ " Inactive" }</span> }) }
            </div>
        };
        let controls = (self.may_change && editing_this.is_none()).then(|| {
            let start = {
                let (editing, edit_errors, d) = (self.editing.clone(), self.edit_errors.clone(), Draft::of(f));
                let id = f.id;
                crate::h::cb(move |_: MouseEvent| {
                    edit_errors.set(FieldErrors::new());
                    editing.set(Some((id, d.clone())));
                })
            };
            html! {
                <div class="row-actions">
                    <button type="button" class="button secondary small" disabled={i == 0 || *self.busy} aria-label={format!("Move {} up", f.name)}
                        data-testid="custom-field-up" onclick={self.swap(i, i.wrapping_sub(1))}>{ "↑" }</button>
                    <button type="button" class="button secondary small" disabled={i + 1 >= self.list.len() || *self.busy} aria-label={format!("Move {} down", f.name)}
                        data-testid="custom-field-down" onclick={self.swap(i, i + 1)}>{ "↓" }</button>
                    <button type="button" class="button secondary small" data-testid="custom-field-edit" onclick={start}>{ "Edit" }</button>
                </div>
            }
        });
        html! {
            <li key={f.id} class="partner custom-field" data-testid="custom-field-row" data-id={f.id.to_string()}>
                { summary }
                { for controls }
                { for editing_this.map(|d| self.editor(f, d)) }
            </li>
        }
    }

    /// Moving row `i` to `j`: the two fields trade positions (two saves, then the list reloads).
    fn swap(&self, i: usize, j: usize) -> Callback<MouseEvent> {
        let (Some(a), Some(b)) = (self.list.get(i).cloned(), self.list.get(j).cloned()) else {
            return Callback::noop();
        };
        let (client, busy, reload, report) =
            (self.client.clone(), self.busy.clone(), self.reload.clone(), self.report.clone());
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            // Ties (equal positions) still swap: the one moving up gets the lower number.
            let (pa, pb) = if a.position == b.position {
                if i > j {
                    (b.position, b.position + 1)
                } else {
                    (a.position + 1, a.position)
                }
            } else {
                (b.position, a.position)
            };
            busy.set(true);
            let (a, b, busy, reload, report) = (a.clone(), b.clone(), busy.clone(), reload.clone(), report.clone());
            crate::spawn(async move {
                let one = |f: &CustomField, p: u32| {
                    let mut m = Map::new();
                    m.insert("version".into(), f.version.to_json());
                    m.insert("position".into(), p.to_json());
                    m
                };
                let first = client.update_custom_field(a.id, &one(&a, pa)).await;
                let second = match first {
                    Ok(_) => client.update_custom_field(b.id, &one(&b, pb)).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = second {
                    report.emit(e);
                }
                busy.set(false);
                reload.emit(());
            });
        })
    }

    fn editor(&self, f: &CustomField, draft: Draft) -> Html {
        let id = f.id;
        let version = f.version;
        let on_change = {
            let editing = self.editing.clone();
            crate::h::cb(move |d: Draft| editing.set(Some((id, d))))
        };
        let cancel = {
            let (editing, edit_errors) = (self.editing.clone(), self.edit_errors.clone());
            crate::h::cb(move |_: MouseEvent| {
                edit_errors.set(FieldErrors::new());
                editing.set(None);
            })
        };
        let on_submit = {
            let (client, busy, editing, edit_errors, reload, report) = (
                self.client.clone(),
                self.busy.clone(),
                self.editing.clone(),
                self.edit_errors.clone(),
                self.reload.clone(),
                self.report.clone(),
            );
            let draft = draft.clone();
            crate::h::cb(move |e: SubmitEvent| {
                e.prevent_default();
                let Some(client) = client.clone() else { return };
                let body = draft.patch_body(version);
                busy.set(true);
                let (busy, editing, edit_errors, reload, report) =
                    (busy.clone(), editing.clone(), edit_errors.clone(), reload.clone(), report.clone());
                crate::spawn(async move {
                    match client.update_custom_field(id, &body).await {
                        Ok(_) => {
                            edit_errors.set(FieldErrors::new());
                            editing.set(None);
                            reload.emit(());
                        }
                        Err(e) if e.is_conflict() => {
                            edit_errors.set(FieldErrors::from([(
                                "form".to_owned(),
                                format!("{} The list was reloaded.", e.message()),
                            )]));
                            editing.set(None);
                            reload.emit(());
                        }
                        Err(e) if e.status == 422 || e.is_forbidden() => edit_errors.set(by_field(&e)),
                        Err(e) => report.emit(e),
                    }
                    busy.set(false);
                });
            })
        };
        html! {
            <form class="admin-form custom-field-editor" onsubmit={on_submit} novalidate=true data-testid="edit-custom-field">
                { draft_inputs_with(&format!("edit-{id}"), &draft, &self.edit_errors, false, *self.busy, on_change) }
                <div class="actions">
                    <button type="submit" class="button" disabled={*self.busy} data-testid="save-custom-field">{ "Save field" }</button>
                    <button type="button" class="button secondary" onclick={cancel}>{ "Cancel" }</button>
                </div>
            </form>
        }
    }
}

/// The new-field form's inputs, bound to its state.
fn draft_inputs(
    prefix: &str,
    draft: &UseStateHandle<Draft>,
    errors: &UseStateHandle<FieldErrors>,
    creating: bool,
    busy: bool,
) -> Html {
    let on_change = {
        let draft = draft.clone();
        crate::h::cb(move |d: Draft| draft.set(d))
    };
    draft_inputs_with(prefix, draft, errors, creating, busy, on_change)
}

/// Name, type (on create only), required, active (on edit only) and the options of a select, each with the
/// server's message for it.
fn draft_inputs_with(
    prefix: &str,
    draft: &Draft,
    errors: &FieldErrors,
    creating: bool,
    busy: bool,
    on_change: Callback<Draft>,
) -> Html {
    let err = |field: &str| {
        errors.get(field).map(|m| html! { <span class="field-error" role="alert" data-testid={format!("custom-field-error-{field}")}>{ m.clone() }</span> })
    };
    let set = |f: fn(&mut Draft, String)| {
        let (d, on_change) = (draft.clone(), on_change.clone());
        move |v: String| {
            let mut next = d.clone();
            f(&mut next, v);
            on_change.emit(next);
        }
    };
    let on_name = {
        let set = set(|d, v| d.name = v);
        crate::h::cb(move |e: InputEvent| set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
    };
    let on_type = {
        let set = set(|d, v| d.field_type = FieldType::parse(&v).unwrap_or(FieldType::Text));
        crate::h::cb(move |e: Event| set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))
    };
    let on_options = {
        let set = set(|d, v| d.options = v);
        crate::h::cb(move |e: InputEvent| set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()))
    };
    let on_required = {
        let set = set(|d, v| d.required = v == "true");
        crate::h::cb(move |e: Event| set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked().to_string()))
    };
    let on_active = {
        let set = set(|d, v| d.active = v == "true");
        crate::h::cb(move |e: Event| set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked().to_string()))
    };
    let id = |what: &str| format!("{prefix}-{what}");
    html! {
        <>
            if let Some(m) = err("form") { <p class="error-box" role="alert">{ m }</p> }
            <div class="form-row">
                <div class={classes!("form-field", errors.contains_key("name").then_some("invalid"))}>
                    <label for={id("name")}>{ "Name" }</label>
                    <input type="text" class="input" id={id("name")} value={draft.name.clone()} maxlength="60" disabled={busy}
                        aria-invalid={errors.contains_key("name").then_some("true")} data-testid="custom-field-input-name" oninput={on_name} />
                    { for err("name") }
                </div>
                <div class={classes!("form-field", errors.contains_key("field_type").then_some("invalid"))}>
                    <label for={id("type")}>{ "Type" }</label>
                    <select class="input" id={id("type")} disabled={busy || !creating} data-testid="custom-field-input-type" onchange={on_type}
                        title={(!creating).then_some("The type cannot change once the field exists")}>
                        { for FieldType::ALL.iter().map(|t| html! { <option value={t.as_str()} selected={*t == draft.field_type}>{ t.label() }</option> }) }
                    </select>
                    { for err("field_type") }
                </div>
                <div class="form-field checkbox-field">
                    <input type="checkbox" id={id("required")} checked={draft.required} disabled={busy} data-testid="custom-field-input-required" onchange={on_required} />
                    <label for={id("required")}>{ "Required" }</label>
                    { for err("required") }
                </div>
                if !creating {
                    <div class="form-field checkbox-field">
                        <input type="checkbox" id={id("active")} checked={draft.active} disabled={busy} data-testid="custom-field-input-active" onchange={on_active} />
                        <label for={id("active")}>{ "Active" }</label>
                        { for err("active") }
                    </div>
                }
            </div>
            if draft.field_type == FieldType::Select {
                <div class={classes!("form-field", errors.contains_key("options").then_some("invalid"))}>
                    <label for={id("options")}>{ "Options (one per line)" }</label>
                    <textarea class="input" id={id("options")} rows="4" value={draft.options.clone()} disabled={busy}
                        aria-invalid={errors.contains_key("options").then_some("true")} data-testid="custom-field-input-options" oninput={on_options} />
                    { for err("options") }
                </div>
            }
        </>
    }
}
