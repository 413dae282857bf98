//! Admin › Catalogs › Creation Workflows (`/admin/creation-workflows`): the guided New Customer, New Lead and
//! Convert to Customer paths. One form creates and edits; kind and type are fixed once created, and the steps shown
//! are the type's (the server derives them). The form also says which roles may start a workflow, which of its custom
//! fields are optional, and (customer-create only) the customer workflow a Finish enrolls the new customer in.

use crate::api::{ApiError, CustomField};
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use vigil_api::common::NoQuery;
use vigil_api::creation_workflows::{
    CreationKind, CreationType, CreationWorkflow, CreationWorkflowForm, CreationWorkflowPath,
};
use vigil_api::ops;
use vigil_api::workflows::WorkflowDefinition;
use vigil_domain::Role;
use yew::prelude::*;

/// The roles a workflow can be limited to: partner logins create nothing.
const ROLES: [Role; 5] = [Role::Admin, Role::Office, Role::LeadRep, Role::SalesRep, Role::Installer];

fn kind_label(k: CreationKind) -> &'static str {
    match k {
        CreationKind::CustomerCreate => "New Customer",
        CreationKind::LeadCreate => "New Lead",
        CreationKind::LeadConversion => "Lead conversion",
    }
}

fn kind_value(k: CreationKind) -> &'static str {
    match k {
        CreationKind::CustomerCreate => "customer_create",
        CreationKind::LeadCreate => "lead_create",
        CreationKind::LeadConversion => "lead_conversion",
    }
}

const KINDS: [CreationKind; 3] = [CreationKind::CustomerCreate, CreationKind::LeadCreate, CreationKind::LeadConversion];

#[derive(Debug, Clone, PartialEq)]
struct Draft {
    id: Option<u32>,
    version: u64,
    name: String,
    kind: CreationKind,
    creation_type: CreationType,
    active: bool,
    fields: Vec<u32>,
    optional: Vec<u32>,
    roles: Vec<Role>,
    enroll: Option<u32>,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            id: None,
            version: 0,
            name: String::new(),
            kind: CreationKind::CustomerCreate,
            creation_type: CreationType::SimpleSales,
            active: true,
            fields: vec![],
            optional: vec![],
            roles: vec![],
            enroll: None,
        }
    }
}

#[component]
pub fn CreationWorkflowsAdmin() -> Html {
    let session = use_session();
    let list = use_state(|| None::<Result<Vec<CreationWorkflow>, ApiError>>);
    let fields = use_state(Vec::<CustomField>::new);
    let customer_flows = use_state(Vec::<WorkflowDefinition>::new);
    let draft = use_state(|| None::<Draft>);
    let error = use_state(|| None::<ApiError>);
    let reload = use_state(|| 0u32);
    {
        let (list, fields, flows, client) = (list.clone(), fields.clone(), customer_flows.clone(), session.client());
        use_effect_with(*reload, move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    let got = client.call::<ops::ListCreationWorkflows>(&(), &NoQuery {}, &()).await;
                    list.set(Some(got.map(|l| l.items)));
                    if let Ok(defs) = client.custom_fields().await {
                        fields.set(defs.into_iter().filter(|f| f.active).collect());
                    }
                    if let Ok(defs) = client.call::<ops::ListCustomerWorkflows>(&(), &NoQuery {}, &()).await {
                        flows.set(defs.items.into_iter().filter(|w| w.active).collect());
                    }
                });
            }
        });
    }
    let save = {
        let (draft, error, reload, client) = (draft.clone(), error.clone(), reload.clone(), session.client());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(client), Some(d)) = (client.clone(), (*draft).clone()) else { return };
            let (draft, error, reload) = (draft.clone(), error.clone(), reload.clone());
            crate::spawn(async move {
                let mut form = CreationWorkflowForm {
                    name: Some(d.name.clone()),
                    active: Some(d.active),
                    custom_field_ids: Some(d.fields.clone()),
                    optional_custom_field_ids: Some(
                        d.optional.iter().copied().filter(|f| d.fields.contains(f)).collect(),
                    ),
                    roles: Some(d.roles.iter().map(|r| r.as_str().to_owned()).collect()),
                    // 0 clears it; only a customer-create workflow enrolls.
                    enroll_workflow_id: (d.kind == CreationKind::CustomerCreate).then(|| d.enroll.unwrap_or(0)),
                    ..Default::default()
                };
                let got = match d.id {
                    None => {
                        form.kind = Some(d.kind);
                        form.creation_type = (d.kind == CreationKind::CustomerCreate).then_some(d.creation_type);
                        client.call::<ops::CreateCreationWorkflow>(&(), &NoQuery {}, &form).await
                    }
                    Some(id) => {
                        form.version = Some(d.version);
                        client
                            .call::<ops::UpdateCreationWorkflow>(&CreationWorkflowPath { id }, &NoQuery {}, &form)
                            .await
                    }
                };
                match got {
                    Ok(_) => {
                        error.set(None);
                        draft.set(None);
                        reload.set(*reload + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let edit = |w: &CreationWorkflow| {
        let (draft, error, w) = (draft.clone(), error.clone(), w.clone());
        crate::h::cb(move |_: MouseEvent| {
            error.set(None);
            draft.set(Some(Draft {
                id: Some(w.id),
                version: w.version,
                name: w.name.clone(),
                kind: w.kind,
                creation_type: w.creation_type.unwrap_or(CreationType::Standard),
                active: w.active,
                fields: w.custom_field_ids.clone(),
                optional: w.optional_custom_field_ids.clone(),
                roles: w.roles.clone(),
                enroll: w.enroll_workflow_id,
            }))
        })
    };
    let new = {
        let (draft, error) = (draft.clone(), error.clone());
        crate::h::cb(move |_: MouseEvent| {
            error.set(None);
            draft.set(Some(Draft::default()))
        })
    };
    let rows = match &*list {
        None => html! { <p class="loading">{ "Loading…" }</p> },
        Some(Err(e)) => html! { <p class="error-box">{ e.message() }</p> },
        Some(Ok(items)) => html! {
            <table class="table" data-testid="creation-workflows">
                <thead><tr><th>{ "Name" }</th><th>{ "For" }</th><th>{ "Type" }</th><th>{ "Steps" }</th><th>{ "Active" }</th><th></th></tr></thead>
                <tbody>
                    { for items.iter().map(|w| html! {
                        <tr data-testid={format!("creation-workflow-{}", w.id)}>
                            <td>{ w.name.clone() }</td>
                            <td>{ kind_label(w.kind) }</td>
                            <td>{ w.creation_type.map(CreationType::label).unwrap_or("—") }</td>
                            <td>{ w.steps.iter().map(|s| s.label()).collect::<Vec<_>>().join(" › ") }</td>
                            <td>{ if w.active { "Yes" } else { "No" } }</td>
                            <td><button type="button" class="button secondary small" onclick={edit(w)}>{ "Edit" }</button></td>
                        </tr>
                    }) }
                </tbody>
            </table>
        },
    };
    let form = (*draft).clone().map(|d| {
        let set = |f: fn(&mut Draft, String)| {
            let draft = draft.clone();
            crate::h::cb(move |e: Event| {
                let v = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
                if let Some(mut d) = (*draft).clone() {
                    f(&mut d, v);
                    draft.set(Some(d));
                }
            })
        };
        // A select's value is read through its own interface (the input one refuses a select element).
        let choose = |f: fn(&mut Draft, String)| {
            let draft = draft.clone();
            crate::h::cb(move |e: Event| {
                let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
                if let Some(mut d) = (*draft).clone() {
                    f(&mut d, v);
                    draft.set(Some(d));
                }
            })
        };
        let toggle_active = {
            let draft = draft.clone();
            crate::h::cb(move |_: Event| {
                if let Some(mut d) = (*draft).clone() {
                    d.active = !d.active;
                    draft.set(Some(d));
                }
            })
        };
        let message = |f: &str| error.as_ref().and_then(|e| e.field_message(f));
        let creating = d.id.is_none();
        html! {
            <form class="card form-card" data-testid="creation-workflow-form" onsubmit={save.clone()}>
                <h2>{ if creating { "New creation workflow" } else { "Edit creation workflow" } }</h2>
                <div class="form-grid">
                    <div class="form-field">
                        <label for="cw-name">{ "Name" }</label>
                        <input class="input" id="cw-name" data-testid="cw-name" value={d.name.clone()} onchange={set(|d, v| d.name = v)} />
                        { for message("name").map(|m| html! { <span class="field-error">{ m }</span> }) }
                    </div>
                    <div class="form-field">
                        <label for="cw-kind">{ "For" }</label>
                        <select class="input" id="cw-kind" data-testid="cw-kind" disabled={!creating}
                            onchange={choose(|d, v| d.kind = KINDS.into_iter().find(|k| kind_value(*k) == v).unwrap_or(d.kind))}>
                            { for KINDS.iter().map(|k| html! { <option value={kind_value(*k)} selected={*k == d.kind}>{ kind_label(*k) }</option> }) }
                        </select>
                    </div>
                    if d.kind == CreationKind::CustomerCreate {
                        <div class="form-field">
                            <label for="cw-type">{ "Type" }</label>
                            <select class="input" id="cw-type" data-testid="cw-type" disabled={!creating}
                                onchange={choose(|d, v| d.creation_type = CreationType::ALL.into_iter().find(|t| t.as_str() == v).unwrap_or(d.creation_type))}>
                                { for CreationType::ALL.iter().map(|t| html! { <option value={t.as_str()} selected={*t == d.creation_type}>{ t.label() }</option> }) }
                            </select>
                            { for message("type").map(|m| html! { <span class="field-error" data-testid="cw-type-error">{ m }</span> }) }
                        </div>
                    }
                    <label class="check"><input type="checkbox" checked={d.active} onchange={toggle_active} />{ " Active" }</label>
                </div>
                <fieldset>
                    <legend>{ "Custom fields pulled to the top of the first step" }</legend>
                    { for fields.iter().map(|f| {
                        let (shown_draft, fid) = (draft.clone(), f.id);
                        let onchange = crate::h::cb(move |_: Event| {
                            if let Some(mut d) = (*shown_draft).clone() {
                                if d.fields.contains(&fid) { d.fields.retain(|x| *x != fid) } else { d.fields.push(fid) }
                                shown_draft.set(Some(d));
                            }
                        });
                        let shown = d.fields.contains(&f.id);
                        let required = {
                            let (draft, fid) = (draft.clone(), f.id);
                            crate::h::cb(move |_: Event| {
                                if let Some(mut d) = (*draft).clone() {
                                    if d.optional.contains(&fid) { d.optional.retain(|x| *x != fid) } else { d.optional.push(fid) }
                                    draft.set(Some(d));
                                }
                            })
                        };
                        html! {
                            <div class="check-row">
                                <label class="check"><input type="checkbox" data-testid={format!("cw-field-{}", f.id)} checked={shown} {onchange} />{ format!(" {}", f.name) }</label>
                                if shown {
                                    <label class="check muted"><input type="checkbox" data-testid={format!("cw-field-required-{}", f.id)} checked={!d.optional.contains(&f.id)} onchange={required} />{ " Required" }</label>
                                }
                            </div>
                        }
                    }) }
                    { for message("custom_field_ids").map(|m| html! { <span class="field-error">{ m }</span> }) }
                    { for message("optional_custom_field_ids").map(|m| html! { <span class="field-error">{ m }</span> }) }
                </fieldset>
                <fieldset>
                    <legend>{ "Roles that may start it (none checked: every role)" }</legend>
                    { for ROLES.iter().map(|r| {
                        let (draft, role) = (draft.clone(), *r);
                        let onchange = crate::h::cb(move |_: Event| {
                            if let Some(mut d) = (*draft).clone() {
                                if d.roles.contains(&role) { d.roles.retain(|x| *x != role) } else { d.roles.push(role) }
                                draft.set(Some(d));
                            }
                        });
                        html! { <label class="check"><input type="checkbox" data-testid={format!("cw-role-{}", r.as_str())} checked={d.roles.contains(r)} {onchange} />{ format!(" {}", r.label()) }</label> }
                    }) }
                    { for message("roles").map(|m| html! { <span class="field-error" data-testid="cw-roles-error">{ m }</span> }) }
                </fieldset>
                if d.kind == CreationKind::CustomerCreate {
                    <div class="form-field">
                        <label for="cw-enroll">{ "At Finish, enroll the customer in" }</label>
                        <select class="input" id="cw-enroll" data-testid="cw-enroll"
                            onchange={choose(|d, v| d.enroll = v.parse().ok().filter(|n| *n > 0))}>
                            <option value="" selected={d.enroll.is_none()}>{ "None" }</option>
                            { for customer_flows.iter().map(|w| html! { <option value={w.id.to_string()} selected={d.enroll == Some(w.id)}>{ w.name.clone() }</option> }) }
                            // A workflow deactivated since it was chosen stays shown, so saving keeps it.
                            if let Some(id) = d.enroll.filter(|id| !customer_flows.iter().any(|w| w.id == *id)) {
                                <option value={id.to_string()} selected=true>{ format!("Workflow {id} (inactive)") }</option>
                            }
                        </select>
                        { for message("enroll_workflow_id").map(|m| html! { <span class="field-error" data-testid="cw-enroll-error">{ m }</span> }) }
                    </div>
                }
                if let Some(e) = &*error {
                    <p class="error-box" role="alert">{ e.message() }</p>
                }
                <div class="actions">
                    <button type="submit" class="button" data-testid="cw-save">{ "Save" }</button>
                    <button type="button" class="button secondary" onclick={{ let d = draft.clone(); crate::h::cb(move |_| d.set(None)) }}>{ "Cancel" }</button>
                </div>
            </form>
        }
    });
    html! {
        <section class="admin-page" data-testid="creation-workflows-admin">
            <header class="page-header">
                <h1>{ "Creation Workflows" }</h1>
                <button type="button" class="button" data-testid="new-creation-workflow" onclick={new}>{ "+ New workflow" }</button>
            </header>
            <p class="muted">{ "Guided paths offered beside + New Customer, + New Lead and Convert to Customer. The steps follow from the type." }</p>
            { for form }
            { rows }
        </section>
    }
}
