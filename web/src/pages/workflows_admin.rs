//! Admin › Customer Workflows: the company's workflow definitions with a step builder. Admins add a workflow or edit
//! one (every save is a new version; enrollments keep theirs), set its layout and languages, add, reorder and
//! remove steps, write each step's title and content per language with a preview filled from a sample customer,
//! and deactivate a workflow (there is no delete). The server's errors name the field by path (`steps[2].title.es`).

use crate::api::ApiError;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use std::rc::Rc;
use vigil_api::common::NoQuery;
use vigil_api::customers::UserOption;
use vigil_api::ops;
use vigil_api::workflows::{NewWorkflow, WorkflowDefinition, WorkflowPatch, WorkflowPath, WorkflowStep};
use vigil_domain::workflow::{
    render, AppointmentType, Completion, ConfirmField, Generates, Lang, Layout, StepType, Texts,
};
use vigil_domain::{small_sort, Action, Resource};
use yew::prelude::*;

/// One edit of the draft, given the input's value.
type Change = Rc<dyn Fn(&mut Draft, String)>;

/// What the editor holds: the definition being built (its ID and version when it exists).
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    id: Option<u32>,
    version: u64,
    name: String,
    active: bool,
    layout: Layout,
    /// As typed: codes separated by commas.
    languages: String,
    steps: Vec<WorkflowStep>,
}

impl Draft {
    fn new() -> Self {
        Draft {
            id: None,
            version: 0,
            name: String::new(),
            active: true,
            layout: Layout::Stepped,
            languages: "en".into(),
            steps: vec![blank_step()],
        }
    }

    fn of(w: &WorkflowDefinition) -> Self {
        Draft {
            id: Some(w.id),
            version: w.version,
            name: w.name.clone(),
            active: w.active,
            layout: w.layout,
            languages: w.languages.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", "),
            steps: w.steps.clone(),
        }
    }

    fn langs(&self) -> Vec<Lang> {
        self.languages.split(',').filter_map(|l| Lang::parse(l.trim())).collect()
    }
}

fn blank_step() -> WorkflowStep {
    WorkflowStep {
        title: Texts::new(),
        content: Texts::new(),
        step_type: StepType::Instructions,
        fields: vec![],
        completion: Completion::Acknowledge,
        optional: false,
        generates: None,
    }
}

const TYPES: [(StepType, &str); 6] = [
    (StepType::Instructions, "Instructions / script"),
    (StepType::ConfirmContact, "Confirm contact details"),
    (StepType::ConfirmFields, "Confirm fields"),
    (StepType::ReviewEquipment, "Review equipment"),
    (StepType::ReviewAppointments, "Review appointments"),
    (StepType::ReviewEmergencyContacts, "Review emergency contacts"),
];
const COMPLETIONS: [(Completion, &str); 3] = [
    (Completion::PassFail, "Pass / fail"),
    (Completion::Acknowledge, "Acknowledge and continue"),
    (Completion::Automatic, "Automatic"),
];

fn key<T: vigil_json::ToJson>(v: &T) -> String {
    v.to_json().as_str().map(str::to_owned).unwrap_or_default()
}

fn parse<T: vigil_json::FromJson>(s: &str) -> Option<T> {
    vigil_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// The sample customer the preview fills merge fields from.
fn sample(name: &str, company: &str) -> Option<String> {
    if name == "company.name" {
        return Some(company.to_owned());
    }
    let v = match name.strip_prefix("customer.")? {
        "first_name" => "Ann",
        "last_name" => "Lee",
        "address1" => "77 Canyon Rd",
        "city" => "Provo",
        "state" => "UT",
        "zip" => "84601",
        "email" => "ann.lee@example.com",
        "primary_phone" => "(801) 555-0101",
        _ => "…",
    };
    Some(v.to_owned())
}

fn value_of(e: &Event) -> String {
    e.target_unchecked_into::<web_sys::HtmlInputElement>().value()
}

fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<web_sys::HtmlInputElement>().value()
}

#[component]
pub fn WorkflowsAdmin() -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let list = use_state(|| None::<Result<Rc<Vec<WorkflowDefinition>>, ApiError>>);
    let attempt = use_state(|| 0u32);
    let draft = use_state(|| None::<Draft>);
    let errors = use_state(Vec::<vigil_domain::FieldError>::new);
    // Who a generated ticket can be assigned to: the company's active staff.
    let people = use_state(|| Rc::new(Vec::<UserOption>::new()));
    {
        let (people, client) = (people.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(o) = client.call::<ops::CustomerFormOptionsOp>(&(), &NoQuery {}, &()).await {
                        let mut all: Vec<UserOption> = Vec::new();
                        for u in o.sold_by.into_iter().chain(o.lead_reps).chain(o.technicians) {
                            if !all.iter().any(|known| known.id == u.id) {
                                all.push(u);
                            }
                        }
                        small_sort::sort_by(&mut all, |a, b| a.name.cmp(&b.name));
                        people.set(Rc::new(all));
                    }
                });
            }
        });
    }
    let admin =
        session.me.as_ref().is_some_and(|m| m.permissions.allows_somewhere(Resource::CompanySettings, Action::Modify));
    let company = session.me.as_ref().map(|m| m.company_name.clone()).unwrap_or_default();

    {
        let (list, client) = (list.clone(), session.client());
        use_effect_with(*attempt, move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    let got = client.call::<ops::ListCustomerWorkflows>(&(), &NoQuery {}, &()).await;
                    if let Err(e) = &got {
                        if !e.is_forbidden() {
                            report.emit(e.clone());
                        }
                    }
                    list.set(Some(got.map(|l| Rc::new(l.items))));
                });
            }
        });
    }
    let items = match &*list {
        None => {
            return html! { <section class="panel"><p class="loading">{ "Loading customer workflows…" }</p></section> }
        }
        // Without the View permission the section stays out of the way.
        Some(Err(_)) => return html! {},
        Some(Ok(items)) => items.clone(),
    };

    let edit = |d: Draft| {
        let (draft, errors) = (draft.clone(), errors.clone());
        crate::h::cb(move |_: MouseEvent| {
            errors.set(vec![]);
            draft.set(Some(d.clone()));
        })
    };
    let toggle_active = |w: &WorkflowDefinition| {
        let (client, attempt, toasts) = (session.client(), attempt.clone(), toasts.clone());
        let (id, version, active) = (w.id, w.version, !w.active);
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let (attempt, toasts) = (attempt.clone(), toasts.clone());
            crate::spawn(async move {
                let patch = WorkflowPatch { version, active: Some(active), ..WorkflowPatch::default() };
                match client.call::<ops::UpdateCustomerWorkflow>(&WorkflowPath { id }, &NoQuery {}, &patch).await {
                    Ok(_) => attempt.set(*attempt + 1),
                    Err(e) => toasts.error("Could not change the workflow", Some(e.message())),
                }
            });
        })
    };

    let editor = (*draft).clone().map(|d| {
        let update = |f: Change| {
            let draft = draft.clone();
            move |v: String| {
                if let Some(mut next) = (*draft).clone() {
                    f(&mut next, v);
                    draft.set(Some(next));
                }
            }
        };
        let on_input = |f: Change| {
            let set = update(f);
            crate::h::cb(move |e: InputEvent| set(input_value(&e)))
        };
        let on_change = |f: Change| {
            let set = update(f);
            crate::h::cb(move |e: Event| set(value_of(&e)))
        };
        let on_click = |f: Change| {
            let set = update(f);
            crate::h::cb(move |_: MouseEvent| set(String::new()))
        };
        let langs = d.langs();
        let step_html = |i: usize, s: &WorkflowStep| {
            let texts = langs.iter().map(|l| {
                let (l1, l2) = (l.clone(), l.clone());
                let title = s.title.get(l).cloned().unwrap_or_default();
                let content = s.content.get(l).cloned().unwrap_or_default();
                let preview = render(&content, |n| sample(n, &company));
                html! {
                    <fieldset class="step-language" data-testid={format!("step-{i}-lang-{l}")}>
                        <legend>{ l.to_string() }</legend>
                        <label>{ "Title" }
                            <input type="text" value={title} data-testid={format!("step-{i}-title-{l}")}
                                oninput={on_input(Rc::new(move |d: &mut Draft, v| { if let Some(s) = d.steps.get_mut(i) { s.title.insert(l1.clone(), v); } }))} />
                        </label>
                        <label>{ "Content (merge fields such as {{customer.first_name}} or {{company.name}})" }
                            <textarea value={content} data-testid={format!("step-{i}-content-{l}")}
                                oninput={on_input(Rc::new(move |d: &mut Draft, v| { if let Some(s) = d.steps.get_mut(i) { s.content.insert(l2.clone(), v); } }))} />
                        </label>
                        <p class="muted small preview" data-testid={format!("step-{i}-preview-{l}")}>{ "Preview: " }{ preview }</p>
                    </fieldset>
                }
            });
            let fields = (s.step_type == StepType::ConfirmFields).then(|| html! {
                <fieldset class="confirm-fields"><legend>{ "Fields to confirm" }</legend>
                    { for ConfirmField::ALL.iter().map(|f| {
                        let f = *f;
                        let checked = s.fields.contains(&f);
                        html! {
                            <label class="check">
                                <input type="checkbox" {checked} onchange={on_change(Rc::new(move |d: &mut Draft, _| {
                                    if let Some(s) = d.steps.get_mut(i) {
                                        if s.fields.contains(&f) { s.fields.retain(|x| *x != f) } else { s.fields.push(f) }
                                    }
                                }))} />{ format!(" {}", f.as_str().replace('_', " ")) }
                            </label>
                        }
                    }) }
                </fieldset>
            });
            let generates_kind = match &s.generates {
                None => "none",
                Some(Generates::Ticket { .. }) => "ticket",
                Some(Generates::Appointment { kind: AppointmentType::Tech }) => "appointment-tech",
                Some(Generates::Appointment { kind: AppointmentType::Sale }) => "appointment-sale",
            };
            let ticket = match &s.generates {
                Some(Generates::Ticket { subject, assignee_id }) => Some((subject.clone(), assignee_id.clone())),
                _ => None,
            };
            let last = d.steps.len().saturating_sub(1);
            html! {
                <li class="card step-builder" data-testid="builder-step">
                    <div class="step-head">
                        <strong>{ format!("Step {}", i + 1) }</strong>
                        <button type="button" class="button secondary" disabled={i == 0} aria-label="Move up"
                            onclick={on_click(Rc::new(move |d: &mut Draft, _| { if i > 0 { d.steps.swap(i, i - 1) } }))}>{ "↑" }</button>
                        <button type="button" class="button secondary" disabled={i == last} aria-label="Move down"
                            onclick={on_click(Rc::new(move |d: &mut Draft, _| { if i + 1 < d.steps.len() { d.steps.swap(i, i + 1) } }))}>{ "↓" }</button>
                        <button type="button" class="button danger" disabled={last == 0}
                            onclick={on_click(Rc::new(move |d: &mut Draft, _| { if d.steps.len() > 1 && i < d.steps.len() { d.steps.remove(i); } }))}>{ "Remove" }</button>
                    </div>
                    <div class="form-grid">
                        <label>{ "Type" }
                            <select data-testid={format!("step-{i}-type")} onchange={on_change(Rc::new(move |d: &mut Draft, v| {
                                if let (Some(s), Some(t)) = (d.steps.get_mut(i), parse::<StepType>(&v)) { s.step_type = t; }
                            }))}>
                                { for TYPES.iter().map(|(t, label)| html! { <option value={key(t)} selected={*t == s.step_type}>{ *label }</option> }) }
                            </select>
                        </label>
                        <label>{ "Completion" }
                            <select data-testid={format!("step-{i}-completion")} onchange={on_change(Rc::new(move |d: &mut Draft, v| {
                                if let (Some(s), Some(c)) = (d.steps.get_mut(i), parse::<Completion>(&v)) { s.completion = c; }
                            }))}>
                                { for COMPLETIONS.iter().map(|(c, label)| html! { <option value={key(c)} selected={*c == s.completion}>{ *label }</option> }) }
                            </select>
                        </label>
                        <label class="check">
                            <input type="checkbox" checked={s.optional} onchange={on_change(Rc::new(move |d: &mut Draft, _| {
                                if let Some(s) = d.steps.get_mut(i) { s.optional = !s.optional; }
                            }))} />{ " Optional" }
                        </label>
                        <label>{ "When completed, create" }
                            <select data-testid={format!("step-{i}-generates")} onchange={on_change(Rc::new(move |d: &mut Draft, v| {
                                if let Some(s) = d.steps.get_mut(i) {
                                    s.generates = match v.as_str() {
                                        "ticket" => Some(Generates::Ticket { subject: String::new(), assignee_id: None }),
                                        "appointment-tech" => Some(Generates::Appointment { kind: AppointmentType::Tech }),
                                        "appointment-sale" => Some(Generates::Appointment { kind: AppointmentType::Sale }),
                                        _ => None,
                                    };
                                }
                            }))}>
                                { for [("none", "Nothing"), ("ticket", "A ticket"), ("appointment-tech", "A tech appointment"), ("appointment-sale", "A sales appointment")].iter().map(|(v, label)| html! {
                                    <option value={*v} selected={*v == generates_kind}>{ *label }</option>
                                }) }
                            </select>
                        </label>
                        { for ticket.map(|(subject, assignee)| html! {
                            <>
                                <label>{ "Ticket subject" }
                                    <input type="text" value={subject} data-testid={format!("step-{i}-subject")} oninput={on_input(Rc::new(move |d: &mut Draft, v| {
                                        if let Some(Some(Generates::Ticket { subject, .. })) = d.steps.get_mut(i).map(|s| &mut s.generates) { *subject = v; }
                                    }))} />
                                </label>
                                <label>{ "Assign the ticket to" }
                                    <select data-testid={format!("step-{i}-assignee")} onchange={on_change(Rc::new(move |d: &mut Draft, v| {
                                        if let Some(Some(Generates::Ticket { assignee_id, .. })) = d.steps.get_mut(i).map(|s| &mut s.generates) {
                                            *assignee_id = vigil_domain::UserId::parse(&v).ok();
                                        }
                                    }))}>
                                        <option value="" selected={assignee.is_none()}>{ "Nobody yet" }</option>
                                        { for people.iter().map(|u| html! {
                                            <option value={u.id.to_string()} selected={assignee.as_ref() == Some(&u.id)}>{ u.name.clone() }</option>
                                        }) }
                                    </select>
                                </label>
                            </>
                        }) }
                    </div>
                    { for fields }
                    { for texts }
                </li>
            }
        };
        let save = {
            let (client, draft, errors, attempt, toasts, d) =
                (session.client(), draft.clone(), errors.clone(), attempt.clone(), toasts.clone(), d.clone());
            crate::h::cb(move |_: MouseEvent| {
                let Some(client) = client.clone() else { return };
                let (draft, errors, attempt, toasts, d) =
                    (draft.clone(), errors.clone(), attempt.clone(), toasts.clone(), d.clone());
                crate::spawn(async move {
                    let saved = match d.id {
                        None => {
                            let body = NewWorkflow {
                                name: d.name.clone(),
                                active: Some(d.active),
                                layout: d.layout,
                                languages: d.langs(),
                                steps: d.steps.clone(),
                            };
                            client.call::<ops::CreateCustomerWorkflow>(&(), &NoQuery {}, &body).await
                        }
                        Some(id) => {
                            let patch = WorkflowPatch {
                                version: d.version,
                                name: Some(d.name.clone()),
                                active: Some(d.active),
                                layout: Some(d.layout),
                                languages: Some(d.langs()),
                                steps: Some(d.steps.clone()),
                            };
                            client.call::<ops::UpdateCustomerWorkflow>(&WorkflowPath { id }, &NoQuery {}, &patch).await
                        }
                    };
                    match saved {
                        Ok(w) => {
                            toasts.info(&format!("Saved {} (version {})", w.name, w.version));
                            errors.set(vec![]);
                            draft.set(None);
                            attempt.set(*attempt + 1);
                        }
                        Err(e) => {
                            toasts.error("Could not save the workflow", Some(e.message()));
                            errors.set(e.errors.clone());
                        }
                    }
                });
            })
        };
        let cancel = {
            let draft = draft.clone();
            crate::h::cb(move |_: MouseEvent| draft.set(None))
        };
        html! {
            <div class="workflow-editor" data-testid="workflow-editor">
                <div class="form-grid">
                    <label>{ "Name" }
                        <input type="text" value={d.name.clone()} data-testid="workflow-name"
                            oninput={on_input(Rc::new(|d: &mut Draft, v| d.name = v))} />
                    </label>
                    <label>{ "Layout" }
                        <select data-testid="workflow-layout" onchange={on_change(Rc::new(|d: &mut Draft, v| {
                            if let Some(l) = parse::<Layout>(&v) { d.layout = l; }
                        }))}>
                            <option value="stepped" selected={d.layout == Layout::Stepped}>{ "Stepped (Prev / Next)" }</option>
                            <option value="single_page" selected={d.layout == Layout::SinglePage}>{ "Single page" }</option>
                        </select>
                    </label>
                    <label>{ "Languages (e.g. en, es)" }
                        <input type="text" value={d.languages.clone()} data-testid="workflow-languages"
                            oninput={on_input(Rc::new(|d: &mut Draft, v| d.languages = v))} />
                    </label>
                </div>
                <ol class="step-list">{ for d.steps.iter().enumerate().map(|(i, s)| step_html(i, s)) }</ol>
                <button type="button" class="button secondary" data-testid="add-step"
                    onclick={on_click(Rc::new(|d: &mut Draft, _| d.steps.push(blank_step())))}>{ "+ Add step" }</button>
                if !errors.is_empty() {
                    <div class="error-box" role="alert" data-testid="workflow-errors">
                        { for errors.iter().map(|e| html! { <p class="field-error">{ format!("{}: {}", e.field, e.message) }</p> }) }
                    </div>
                }
                <div class="actions">
                    <button type="button" class="button" data-testid="workflow-save" onclick={save}>{ "Save" }</button>
                    <button type="button" class="button secondary" onclick={cancel}>{ "Cancel" }</button>
                </div>
            </div>
        }
    });

    html! {
        <section class="panel" aria-labelledby="customer-workflows-admin" data-testid="workflows-admin">
            <h2 id="customer-workflows-admin">{ "Customer Workflows" }</h2>
            <table class="data-table">
                <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "Layout" }</th><th scope="col">{ "Languages" }</th>
                    <th scope="col">{ "Steps" }</th><th scope="col">{ "Version" }</th><th scope="col">{ "Status" }</th><th></th></tr></thead>
                <tbody>
                    { for items.iter().map(|w| html! {
                        <tr data-testid="workflow-row">
                            <td>{ w.name.clone() }</td>
                            <td>{ if w.layout == Layout::Stepped { "Stepped" } else { "Single page" } }</td>
                            <td>{ w.languages.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", ") }</td>
                            <td>{ w.steps.len() }</td>
                            <td>{ w.version }</td>
                            <td>{ if w.active { "Active" } else { "Inactive" } }</td>
                            <td>
                                if admin {
                                    <button type="button" class="button secondary" data-testid="workflow-edit" onclick={edit(Draft::of(w))}>{ "Edit" }</button>
                                    <button type="button" class="button secondary" onclick={toggle_active(w)}>{ if w.active { "Deactivate" } else { "Activate" } }</button>
                                }
                            </td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if admin && draft.is_none() {
                <button type="button" class="button" data-testid="workflow-new" onclick={edit(Draft::new())}>{ "+ New Workflow" }</button>
            }
            { for editor }
        </section>
    }
}
