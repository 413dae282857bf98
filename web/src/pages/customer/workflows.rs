//! The customer's Workflows tab: the enrollments by status, New Workflow (Manage Workflows: Start, or Open for a
//! workflow already running, with the language choice), and one enrollment's page: header with progress, language
//! and status, the step cards in the workflow's layout (single page with Expand All / Collapse All, or stepped with
//! Prev / Next), each step's content filled in from the customer, its body (`workflow_steps`) and the actions of its
//! completion strategy.

use super::workflow_steps::{Customer, StepBody};
use crate::api::{ApiError, CustomerFormOptions, CustomerHome};
use crate::app::Route;
use crate::components::route_link::RouteLink;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::id_map::IdMap;
use crate::router::use_navigator;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use std::rc::Rc;
use vigil_api::common::{NoQuery, RecordPath};
use vigil_api::ops;
use vigil_api::workflows::{
    CompleteStep, CustomerWorkflows, EnrollmentPath, EnrollmentQuery, EnrollmentStep, EnrollmentView, NewEnrollment,
    StepPath, WorkflowDefinition,
};
use vigil_domain::workflow::{Completion, EnrollmentStatus, Lang, Layout, Outcome, StepStatus, StepType};
use vigil_domain::RecordId;
use yew::prelude::*;

/// The tab's URL segment.
pub const SEGMENT: &str = "customer-workflows";

fn status_label(s: EnrollmentStatus) -> &'static str {
    match s {
        EnrollmentStatus::Pending => "Pending",
        EnrollmentStatus::InProgress => "In Progress",
        EnrollmentStatus::Completed => "Completed",
        EnrollmentStatus::Failed => "Failed",
    }
}

fn step_label(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Pending => "Pending",
        StepStatus::Passed => "Passed",
        StepStatus::Failed => "Failed",
        StepStatus::Acknowledged => "Acknowledged",
        StepStatus::Completed => "Completed",
    }
}

fn requirement(t: StepType) -> &'static str {
    match t {
        StepType::Instructions => "",
        StepType::ConfirmContact => "the customer's name, address, email and phone are filled in",
        StepType::ConfirmFields => "every field below is filled in on the customer",
        StepType::ReviewEquipment => "the customer has equipment",
        StepType::ReviewAppointments => "an appointment is scheduled",
        StepType::ReviewEmergencyContacts => "the customer has an emergency contact",
    }
}

#[derive(Properties, PartialEq)]
pub struct WorkflowsTabProps {
    pub id: RecordId,
    /// An enrollment to show; the list when absent.
    #[prop_or_default]
    pub enrollment: Option<AttrValue>,
    /// An enrollment changed: the header's count and dot are stale.
    pub on_changed: Callback<()>,
}

#[component]
pub fn WorkflowsTab(props: &WorkflowsTabProps) -> Html {
    match props.enrollment.as_deref().and_then(|e| e.parse::<u64>().ok()) {
        Some(e) => html! { <EnrollmentPage customer={props.id} id={e} on_changed={props.on_changed.clone()} /> },
        None => html! { <EnrollmentList id={props.id} on_changed={props.on_changed.clone()} /> },
    }
}

#[derive(Properties, PartialEq)]
struct ListProps {
    id: RecordId,
    on_changed: Callback<()>,
}

#[component]
fn EnrollmentList(props: &ListProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let navigator = use_navigator();
    let list = use_state(|| None::<Result<Rc<CustomerWorkflows>, ApiError>>);
    let defs = use_state(Vec::<WorkflowDefinition>::new);
    let managing = use_state(|| false);
    let languages = use_state(IdMap::<String>::new);
    let id = props.id;

    {
        let (list, defs, client) = (list.clone(), defs.clone(), session.client());
        use_effect_with(id, move |id| {
            let id = *id;
            if let Some(client) = client {
                crate::spawn(async move {
                    let got = client.call::<ops::ListEnrollments>(&RecordPath { id }, &NoQuery {}, &()).await;
                    if let Err(e) = &got {
                        report.emit(e.clone());
                    }
                    let can_start = got.as_ref().is_ok_and(|l| l.can_start);
                    list.set(Some(got.map(Rc::new)));
                    if can_start {
                        if let Ok(d) = client.call::<ops::ListCustomerWorkflows>(&(), &NoQuery {}, &()).await {
                            defs.set(d.items.into_iter().filter(|w| w.active).collect());
                        }
                    }
                });
            }
        });
    }

    let l = match &*list {
        None => return html! { <p class="loading" data-testid="loading">{ "Loading workflows…" }</p> },
        Some(Err(e)) => return html! { <div class="error-box" role="alert">{ e.message() }</div> },
        Some(Ok(l)) => l.clone(),
    };
    let open_of = |workflow: u32| {
        l.items.iter().find(|e| {
            e.workflow_id == workflow && matches!(e.status, EnrollmentStatus::Pending | EnrollmentStatus::InProgress)
        })
    };
    let start = |w: &WorkflowDefinition| {
        let (client, navigator, toasts, on_changed, languages) =
            (session.client(), navigator.clone(), toasts.clone(), props.on_changed.clone(), languages.clone());
        let (workflow_id, first) = (w.id, w.languages.first().map(|l| l.to_string()).unwrap_or_default());
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let language = Lang::parse(languages.get(u64::from(workflow_id)).unwrap_or(&first));
            let (navigator, toasts, on_changed) = (navigator.clone(), toasts.clone(), on_changed.clone());
            crate::spawn(async move {
                let body = NewEnrollment { workflow_id, language };
                match client.call::<ops::StartEnrollment>(&RecordPath { id }, &NoQuery {}, &body).await {
                    Ok(e) => {
                        on_changed.emit(());
                        if let Some(nav) = navigator {
                            nav.push(&Route::CustomerEnrollment { id: id.to_string(), enrollment: e.id.to_string() });
                        }
                    }
                    Err(e) => toasts.error("Could not start the workflow", Some(e.message())),
                }
            });
        })
    };
    let manage = (*managing).then(|| html! {
        <section class="panel manage-workflows" aria-labelledby="manage-workflows" data-testid="manage-workflows">
            <h2 id="manage-workflows">{ "Manage Workflows" }</h2>
            if defs.is_empty() {
                <p class="muted">{ "No active workflows. Ask your admin to activate one." }</p>
            }
            <ul class="workflow-choices">
                { for defs.iter().map(|w| {
                    let testid = format!("workflow-choice-{}", w.id);
                    let chooser = (w.languages.len() > 1).then(|| {
                        let (languages, wid) = (languages.clone(), w.id);
                        let onchange = crate::h::cb(move |e: Event| {
                            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
                            let mut next = (*languages).clone();
                            next.insert(u64::from(wid), v);
                            languages.set(next);
                        });
                        html! {
                            <label>{ "Language " }
                                <select data-testid="workflow-language" {onchange}>
                                    { for w.languages.iter().map(|l| html! { <option value={l.to_string()}>{ l.to_string() }</option> }) }
                                </select>
                            </label>
                        }
                    });
                    html! {
                        <li data-testid={testid}>
                            <span class="name">{ w.name.clone() }</span>
                            { for chooser }
                            { match open_of(w.id) {
                                Some(e) => html! {
                                    <RouteLink to={Route::CustomerEnrollment { id: id.to_string(), enrollment: e.id.to_string() }}
                                        class="button secondary" testid="workflow-open">{ "Open" }</RouteLink>
                                },
                                None => html! { <button type="button" class="button" data-testid="workflow-start" onclick={start(w)}>{ "Start" }</button> },
                            } }
                        </li>
                    }
                }) }
            </ul>
        </section>
    });
    let toggle = {
        let managing = managing.clone();
        crate::h::cb(move |_| managing.set(!*managing))
    };

    html! {
        <section class="workflows-tab" data-testid="workflows-tab">
            <div class="tab-toolbar">
                <h2>{ "Workflows" }</h2>
                if l.can_start {
                    <button type="button" class="button" data-testid="new-workflow" aria-expanded={managing.to_string()} onclick={toggle}>{ "New Workflow" }</button>
                }
            </div>
            { for manage }
            if l.items.is_empty() {
                <p class="muted" data-testid="no-enrollments">{ "This customer is not enrolled in any workflow." }</p>
            } else {
                <table class="data-table" data-testid="enrollments">
                    <thead><tr><th scope="col">{ "ID" }</th><th scope="col">{ "Name" }</th><th scope="col">{ "Status" }</th></tr></thead>
                    <tbody>
                        { for l.items.iter().map(|e| html! {
                            <tr data-testid="enrollment-row" data-status={format!("{:?}", e.status)}>
                                <td>{ e.id }</td>
                                <td>
                                    <RouteLink to={Route::CustomerEnrollment { id: id.to_string(), enrollment: e.id.to_string() }} testid="enrollment-link">{ e.name.clone() }</RouteLink>
                                    { for e.warning.then(|| html! { <span class="red-dot" role="img" aria-label="needs attention"></span> }) }
                                </td>
                                <td data-testid="enrollment-status">{ status_label(e.status) }{ format!(" · {} of {}", e.progress.done, e.progress.total) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct EnrollmentProps {
    customer: RecordId,
    id: u64,
    on_changed: Callback<()>,
}

#[component]
fn EnrollmentPage(props: &EnrollmentProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let view = use_state(|| None::<Result<Rc<EnrollmentView>, ApiError>>);
    let language = use_state(|| None::<String>);
    let current = use_state(|| 0usize);
    let expanded = use_state(|| None::<bool>);
    let busy = use_state(|| false);
    let customer = use_state(|| Customer::Loading);
    let opts = use_state(|| Rc::new(CustomerFormOptions::default()));
    let id = props.id;

    {
        let (customer, opts, client) = (customer.clone(), opts.clone(), session.client());
        use_effect_with(props.customer, move |cid| {
            let cid = *cid;
            if let Some(client) = client {
                crate::spawn(async move {
                    customer.set(match client.customer_home(cid).await {
                        Ok(h) => Customer::Loaded(Rc::new(h)),
                        Err(e) => Customer::Failed(format!("Could not load the customer: {}", e.message())),
                    });
                    // Only the selects of a confirm step use them; without them a select still shows its value.
                    if let Ok(o) = client.customer_form_options().await {
                        opts.set(Rc::new(o));
                    }
                });
            }
        });
    }
    {
        let (view, client) = (view.clone(), session.client());
        use_effect_with((id, (*language).clone()), move |(id, language)| {
            let (id, language) = (*id, language.clone());
            if let Some(client) = client {
                crate::spawn(async move {
                    let q = EnrollmentQuery { language };
                    let got = client.call::<ops::GetEnrollment>(&EnrollmentPath { id }, &q, &()).await;
                    if let Err(e) = &got {
                        report.emit(e.clone());
                    }
                    view.set(Some(got.map(Rc::new)));
                });
            }
        });
    }

    let v = match &*view {
        None => return html! { <p class="loading" data-testid="loading">{ "Loading the workflow…" }</p> },
        Some(Err(e)) => return html! { <div class="error-box" role="alert">{ e.message() }</div> },
        Some(Ok(v)) => v.clone(),
    };
    let act = |step: u32, outcome: Outcome| {
        let (client, view, toasts, on_changed, busy, version) =
            (session.client(), view.clone(), toasts.clone(), props.on_changed.clone(), busy.clone(), v.version);
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let (view, toasts, on_changed, busy) = (view.clone(), toasts.clone(), on_changed.clone(), busy.clone());
            busy.set(true);
            crate::spawn(async move {
                let path = StepPath { id, step_id: step };
                match client
                    .call::<ops::CompleteEnrollmentStep>(&path, &NoQuery {}, &CompleteStep { outcome, version })
                    .await
                {
                    Ok(next) => {
                        view.set(Some(Ok(Rc::new(next))));
                        on_changed.emit(());
                    }
                    Err(e) => {
                        toasts.error("Could not complete the step", Some(e.message()));
                        // Someone else moved it on: show what is stored now.
                        if let Ok(now) = client
                            .call::<ops::GetEnrollment>(&EnrollmentPath { id }, &EnrollmentQuery::default(), &())
                            .await
                        {
                            view.set(Some(Ok(Rc::new(now))));
                        }
                    }
                }
                busy.set(false);
            });
        })
    };
    // The customer's data changed from a step body: its automatic steps were re-checked on the server.
    let reread = {
        let (client, view, on_changed, language) =
            (session.client(), view.clone(), props.on_changed.clone(), (*language).clone());
        crate::h::cb(move |_: ()| {
            let Some(client) = client.clone() else { return };
            let (view, on_changed, language) = (view.clone(), on_changed.clone(), language.clone());
            crate::spawn(async move {
                let q = EnrollmentQuery { language };
                if let Ok(now) = client.call::<ops::GetEnrollment>(&EnrollmentPath { id }, &q, &()).await {
                    view.set(Some(Ok(Rc::new(now))));
                }
                on_changed.emit(());
            });
        })
    };
    let on_customer = {
        let customer = customer.clone();
        crate::h::cb(move |h: CustomerHome| customer.set(Customer::Loaded(Rc::new(h))))
    };
    let open = matches!(v.status, EnrollmentStatus::Pending | EnrollmentStatus::InProgress);
    let card = |s: &EnrollmentStep, force_open: Option<bool>| {
        let actions = if v.can_complete && open && s.status == StepStatus::Pending {
            match s.completion {
                Completion::PassFail => html! {
                    <div class="actions">
                        <button type="button" class="button" data-testid="step-pass" disabled={*busy} onclick={act(s.id, Outcome::Passed)}>{ "Pass" }</button>
                        <button type="button" class="button danger" data-testid="step-fail" disabled={*busy} onclick={act(s.id, Outcome::Failed)}>{ "Fail" }</button>
                    </div>
                },
                Completion::Acknowledge => html! {
                    <div class="actions">
                        <button type="button" class="button" data-testid="step-acknowledge" disabled={*busy} onclick={act(s.id, Outcome::Acknowledged)}>{ "Acknowledge & Continue" }</button>
                    </div>
                },
                Completion::Automatic => html! {
                    <p class="muted" data-testid="step-automatic">{ format!("Completes automatically when {}.", requirement(s.step_type)) }</p>
                },
            }
        } else {
            html! {}
        };
        let body = html! {
            <StepBody customer_id={props.customer} step_type={s.step_type} fields={s.fields.clone()}
                customer={(*customer).clone()} opts={(*opts).clone()} can_act={v.can_complete}
                on_customer={on_customer.clone()} on_changed={reread.clone()} />
        };
        html! {
            <details key={s.id} class={classes!("card", "step-card", s.warning.then_some("warning"))} open={force_open.unwrap_or(true)}
                data-testid="step-card" data-status={step_label(s.status)}>
                <summary>
                    <span class="step-number">{ format!("{}. ", s.id) }</span>{ s.title.clone() }
                    { for s.optional.then(|| html! { <span class="muted small">{ " (optional)" }</span> }) }
                    <span class="step-status" data-testid="step-status">{ " — " }{ step_label(s.status) }</span>
                    { for s.warning.then(|| html! { <span class="red-dot" role="img" aria-label="requirement no longer met"></span> }) }
                </summary>
                <p class="step-content" data-testid="step-content">{ s.content.clone() }</p>
                { body }
                { actions }
            </details>
        }
    };
    let language_select = (v.languages.len() > 1).then(|| {
        let language = language.clone();
        let onchange = crate::h::cb(move |e: Event| {
            language.set(Some(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()));
        });
        html! {
            <label>{ "Language " }
                <select data-testid="enrollment-language" {onchange}>
                    { for v.languages.iter().map(|l| html! { <option value={l.to_string()} selected={*l == v.language}>{ l.to_string() }</option> }) }
                </select>
            </label>
        }
    });
    let body = match v.layout {
        Layout::SinglePage => {
            let set = |to: bool| {
                let expanded = expanded.clone();
                crate::h::cb(move |_| expanded.set(Some(to)))
            };
            html! {
                <>
                    <div class="actions">
                        <button type="button" class="button secondary" data-testid="expand-all" onclick={set(true)}>{ "Expand All" }</button>
                        <button type="button" class="button secondary" data-testid="collapse-all" onclick={set(false)}>{ "Collapse All" }</button>
                    </div>
                    { for v.steps.iter().map(|s| card(s, *expanded)) }
                </>
            }
        }
        Layout::Stepped => {
            let i = (*current).min(v.steps.len().saturating_sub(1));
            let go = |to: usize| {
                let current = current.clone();
                crate::h::cb(move |_| current.set(to))
            };
            html! {
                <>
                    { for v.steps.get(i).map(|s| card(s, Some(true))) }
                    <div class="actions stepper">
                        <button type="button" class="button secondary" data-testid="step-prev" disabled={i == 0} onclick={go(i.saturating_sub(1))}>{ "Prev" }</button>
                        <span class="muted">{ format!("Step {} of {}", i + 1, v.steps.len()) }</span>
                        <button type="button" class="button secondary" data-testid="step-next" disabled={i + 1 >= v.steps.len()} onclick={go(i + 1)}>{ "Next" }</button>
                    </div>
                </>
            }
        }
    };

    html! {
        <section class="enrollment-page" data-testid="enrollment-page">
            <RouteLink to={Route::CustomerTab { id: props.customer.to_string(), tab: SEGMENT.to_owned() }} class="back-link" testid="back-to-workflows">{ "← Workflows" }</RouteLink>
            <header class="enrollment-header">
                <h2 data-testid="enrollment-name">{ v.name.clone() }</h2>
                <span class="meta" data-testid="enrollment-progress">{ format!("{} of {}", v.progress.done, v.progress.total) }</span>
                { for language_select }
                <span class={classes!("status-box", v.warning.then_some("status-red"))} data-testid="enrollment-status">{ status_label(v.status) }</span>
                if !v.can_complete {
                    <span class="muted small">{ " (read-only)" }</span>
                }
            </header>
            { body }
        </section>
    }
}
