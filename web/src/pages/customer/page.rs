//! The customer record's page: loads the record, keeps the cards as one always-live form with Save and Save & Stay
//! at the top and bottom, and puts the header, the tag and warning row, the cards or a sub-record tab, and the open
//! dialog together.

use super::dialogs::{ArchiveDialog, DeleteDialog, Dialog, UnarchiveDialog};
use super::fields::{card_fields, field_input, Card, Input};
use super::form_options::use_customer_form_options;
use super::header::Header;
use super::items::{collection, CustomerItems};
use super::parent_picker::ParentPicker;
use super::tags::CustomerTags;
use crate::api::{ApiError, CustomerHome};
use crate::app::Route;
use crate::components::custom_fields_card::{self, CustomFieldsCard};
use crate::components::route_link::RouteLink;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::router::use_navigator;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use serde_json::{Map, Value};
use std::rc::Rc;
use vigil_domain::RecordId;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Loaded(Rc<CustomerHome>),
    Missing,
    Failed(ApiError),
}

/// The fields changed since the record was loaded; what Save sends.
#[derive(Debug, Clone, PartialEq, Default)]
struct Edits(Map<String, Value>);

#[derive(Properties, PartialEq)]
pub struct CustomerPageProps {
    pub id: AttrValue,
    /// A sub-record tab (`notes`, `contacts`, …); the Home form when absent.
    #[prop_or_default]
    pub tab: Option<AttrValue>,
    /// On the Workflows tab: the enrollment open (the list when absent).
    #[prop_or_default]
    pub enrollment: Option<AttrValue>,
}

#[component]
pub fn CustomerPage(props: &CustomerPageProps) -> Html {
    let id = RecordId::parse(&props.id).ok();
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let navigator = use_navigator();
    let load = use_state(|| Load::Loading);
    let attempt = use_state(|| 0u32);
    let opts = use_customer_form_options();
    let edits = use_state(Edits::default);
    // The same edits, current even in a callback created before the last re-render (a change event fires on blur,
    // right before the click on Save).
    let latest = use_mut_ref(Map::<String, Value>::new);
    let saving = use_state(|| false);
    let save_error = use_state(|| None::<ApiError>);
    let menu_open = use_state(|| false);
    let dialog = use_state(|| None::<Dialog>);

    {
        let (load, client, edits, save_error, latest) =
            (load.clone(), session.client(), edits.clone(), save_error.clone(), latest.clone());
        use_effect_with((id, *attempt), move |(id, _)| {
            let id = *id;
            if let (Some(client), Some(id)) = (client, id) {
                crate::spawn(async move {
                    let next = match client.customer_home(id).await {
                        Ok(r) => Load::Loaded(Rc::new(r)),
                        Err(e) if e.is_not_found() => Load::Missing,
                        Err(e) => {
                            report.emit(e.clone());
                            Load::Failed(e)
                        }
                    };
                    edits.set(Edits::default());
                    latest.borrow_mut().clear();
                    save_error.set(None);
                    load.set(next);
                });
            }
        });
    }

    let back = html! { <RouteLink to={Route::Customers} class="back-link" testid="back-to-list">{ "← All customers" }</RouteLink> };
    let Some(id) = id else {
        return html! {
            <section class="record-page">{ back }
                <div class="notice" data-testid="record-missing"><h1>{ "Customer not found" }</h1>
                <p>{ format!("\"{}\" is not a customer ID; IDs are whole numbers.", props.id) }</p></div>
            </section>
        };
    };
    let reload = {
        let attempt = attempt.clone();
        crate::h::cb(move |_: ()| attempt.set(*attempt + 1))
    };
    let c = match &*load {
        Load::Loading => {
            return html! { <section class="record-page">{ back }<p class="loading" data-testid="loading">{ format!("Loading customer {id}…") }</p></section> }
        }
        Load::Missing => {
            return html! {
                <section class="record-page">{ back }
                    <div class="notice" data-testid="record-missing"><h1>{ format!("Customer {id} not found") }</h1>
                    <p>{ "It may have been deleted, or it belongs to an office you cannot see." }</p></div>
                </section>
            }
        }
        Load::Failed(e) => {
            let retry = reload.adapt(|_: MouseEvent| ());
            return html! {
                <section class="record-page">{ back }
                    <div class="error-box" role="alert" data-testid="record-error">
                        <p>{ format!("Could not load customer {id}: {}", e.message()) }</p>
                        <button type="button" class="button secondary" onclick={retry}>{ "Try again" }</button>
                    </div>
                </section>
            };
        }
        Load::Loaded(c) => c.clone(),
    };
    if c.kind == vigil_domain::record::Kind::Lead {
        return html! {
            <section class="record-page">{ back }
                <div class="notice" data-testid="customer-is-lead">
                    <h1>{ format!("#{id} is a lead") }</h1>
                    <p>{ "Convert it to a customer from the lead page." }</p>
                    <RouteLink to={Route::Lead { id: id.to_string() }}>{ "Open the lead" }</RouteLink>
                </div>
                <crate::pages::lead::LeadCopilot {id} />
            </section>
        };
    }

    // Saving.
    let save = {
        let (edits, saving, save_error, load, client, navigator, toasts, c, latest) = (
            edits.clone(),
            saving.clone(),
            save_error.clone(),
            load.clone(),
            session.client(),
            navigator.clone(),
            toasts.clone(),
            c.clone(),
            latest.clone(),
        );
        crate::h::cb(move |stay: bool| {
            let Some(client) = client.clone() else { return };
            let mut body = latest.borrow().clone();
            body.insert("version".into(), Value::from(c.version));
            let (edits, saving, save_error, load, navigator, toasts, latest) = (
                edits.clone(),
                saving.clone(),
                save_error.clone(),
                load.clone(),
                navigator.clone(),
                toasts.clone(),
                latest.clone(),
            );
            saving.set(true);
            crate::spawn(async move {
                match client.save_customer(id, &body).await {
                    Ok(saved) => {
                        save_error.set(None);
                        edits.set(Edits::default());
                        latest.borrow_mut().clear();
                        toasts.info("Customer saved");
                        if stay {
                            load.set(Load::Loaded(Rc::new(saved)));
                        } else if let Some(nav) = navigator {
                            nav.push(&Route::Customers);
                        }
                    }
                    Err(e) => save_error.set(Some(e)),
                }
                saving.set(false);
            });
        })
    };
    let a = c.actions;
    let dirty = !edits.0.is_empty();
    let save_bar = |at: &'static str| {
        let can_save = a.modify && !c.archived && !*saving;
        let open_delete = {
            let dialog = dialog.clone();
            crate::h::cb(move |_| dialog.set(Some(Dialog::Delete)))
        };
        html! {
            <div class="save-bar" data-testid={format!("save-bar-{at}")}>
                <button type="button" class="button" disabled={!can_save} data-testid={format!("save-{at}")}
                    onclick={save.adapt(|_| false)}>{ "Save" }</button>
                <button type="button" class="button secondary" disabled={!can_save} data-testid={format!("save-stay-{at}")}
                    onclick={save.adapt(|_| true)}>{ "Save & Stay" }</button>
                { for dirty.then(|| html! { <span class="muted" data-testid="unsaved">{ "Unsaved changes" }</span> }) }
                { for a.delete.then(|| html! {
                    <button type="button" class="button danger" data-testid={format!("delete-{at}")} onclick={open_delete}>{ "Delete" }</button>
                }) }
            </div>
        }
    };
    let save_message = save_error.as_ref().map(|e| {
        if e.is_conflict() {
            let onclick = reload.adapt(|_: MouseEvent| ());
            html! {
                <div class="error-box conflict" role="alert" data-testid="save-conflict">
                    <p>{ e.message() }</p>
                    <p>{ "Reload to see the latest data, then re-apply your changes." }</p>
                    <button type="button" class="button secondary" data-testid="conflict-reload" {onclick}>{ "Reload" }</button>
                </div>
            }
        } else {
            html! {
                <div class="error-box" role="alert" data-testid="save-error">
                    <p>{ e.message() }</p>
                    { for e.errors.iter().map(|f| html! { <p class="field-error">{ format!("{}: {}", f.field, f.message) }</p> }) }
                </div>
            }
        }
    });

    // The header.
    let tab = props.tab.as_deref().and_then(collection);
    let on_set = {
        let (edits, latest) = (edits.clone(), latest.clone());
        crate::h::cb(move |(k, v): (String, Value)| {
            let v = custom_fields_card::merge_edit(&latest.borrow(), &k, v);
            latest.borrow_mut().insert(k.clone(), v.clone());
            edits.set(Edits(latest.borrow().clone()))
        })
    };
    let close_dialog = {
        let dialog = dialog.clone();
        crate::h::cb(move |_| dialog.set(None))
    };
    let on_record = {
        let load = load.clone();
        crate::h::cb(move |r: CustomerHome| load.set(Load::Loaded(Rc::new(r))))
    };

    let workflows_tab = props.tab.as_deref() == Some(super::workflows::SEGMENT);
    let history_tab = props.tab.as_deref() == Some(super::history::SEGMENT);
    // Orders and accounting tabs (the quick actions open the Accounting tab with a form showing).
    let accounting_tab = props.tab.as_deref().filter(|t| super::accounting::is_segment(t));
    let work_orders_tab = props.tab.as_deref() == Some(super::work_orders::SEGMENT);
    let credit_tab = props.tab.as_deref() == Some(super::credit::SEGMENT);
    let body = match tab {
        _ if accounting_tab.is_some() => html! {
            <super::accounting::AccountingTab {id} segment={accounting_tab.unwrap_or_default().to_owned()}
                can_create={!c.archived} on_changed={reload.clone()} />
        },
        _ if work_orders_tab => html! {
            <super::work_orders::WorkOrdersTab {id} can_create={!c.archived} on_changed={reload.clone()} />
        },
        _ if workflows_tab => html! {
            <super::workflows::WorkflowsTab {id} enrollment={props.enrollment.clone()} on_changed={reload.clone()} />
        },
        _ if history_tab => html! { <super::history::HistoryTab {id} /> },
        _ if credit_tab => {
            html! { <super::credit::CreditTab {id} version={c.version} on_record={on_record.clone()} /> }
        }
        Some(col) => html! {
            <CustomerItems {id} collection={col} can_create={a.modify && !c.archived} on_changed={reload.clone()} />
        },
        None => {
            let card = |card: Card, editable: bool| {
                let (key, title) = (card.key(), card.title());
                let Some(Value::Object(values)) = c.cards.get(key) else { return html! {} };
                html! {
                    <section class={classes!("card", "form-card", (!editable).then_some("read-only"))} aria-labelledby={format!("card-{key}")} data-testid={format!("card-{key}")}>
                        <h2 id={format!("card-{key}")}>{ title }{ for (!editable).then(|| html! { <span class="muted small">{ " (read-only)" }</span> }) }</h2>
                        <div class="form-grid">
                            { for (key == "installation").then(|| super::fields::install_appointment_input(id, &c, values, edits.0.get("install_appointment_id"), editable, save_error.as_ref(), &on_set)) }
                            { for card_fields(card).filter(|s| s.input != Input::Elsewhere && values.contains_key(s.name)).map(|s| {
                                let editable = editable && !c.locked.iter().any(|l| l == s.name);
                                if s.name == "services" {
                                    let monitor = edits.0.get("monitoring_company_id").or_else(|| c.cards.get("sale").and_then(|v| v.get("monitoring_company_id")));
                                    return super::fields::services_input(values.get(s.name), edits.0.get(s.name), monitor, editable, &opts, save_error.as_ref(), &on_set);
                                }
                                super::mmr_picker::sale_field(s.name, id, values, &edits.0, editable, &opts, save_error.as_ref(), &on_set)
                                    .unwrap_or_else(|| field_input(key, s.name, s.label, s.input, values.get(s.name), edits.0.get(s.name), editable, &opts, save_error.as_ref(), &on_set))
                            }) }
                        </div>
                        { for (key == "lead_info").then(|| super::fields::lead_contacts(values)) }
                        { for (key == "sale" && editable).then(|| html! {
                            <button type="button" class="button secondary" data-testid="apply-order-template"
                                onclick={{ let d = dialog.clone(); crate::h::cb(move |_: MouseEvent| d.set(Some(Dialog::ApplyTemplate))) }}>
                                { "Apply Order Template" }</button>
                        }) }
                        { for (key == "sale" && c.parent_child_billing && c.header.children.is_none()).then(|| html! {
                            <ParentPicker {id} current={c.header.parent.clone().map(|p| (p.id, p.name))} picked={edits.0.get("parent_id").cloned()}
                                editable={editable} on_set={on_set.clone()} />
                        }) }
                    </section>
                }
            };
            html! {
                <>
                    { save_bar("top") }
                    { for save_message.clone() }
                    <div class="customer-cards">
                        { card(Card::Personal, c.editable.personal) }
                        <super::precheck::PrecheckPanel customer={id} can_refresh={a.modify && !c.archived} />
                        { card(Card::Sale, c.editable.sale) }
                        <CustomFieldsCard card={c.cards.get("custom_fields").cloned()} edited={edits.0.get("custom_fields").cloned()}
                            editable={c.editable.custom_fields} error={(*save_error).clone()} on_set={on_set.clone()} />
                        { card(Card::Installation, c.editable.installation) }
                        { card(Card::LeadInfo, c.editable.lead_info) }
                        <super::opportunities::OpportunitiesCard {id} />
                    </div>
                    // Also next to the bottom buttons, where the user who clicked them is looking.
                    { for save_message.clone().map(|m| html! { <div data-testid="save-message-bottom">{ m }</div> }) }
                    { save_bar("bottom") }
                </>
            }
        }
    };

    let dialog_html = match *dialog {
        Some(Dialog::Archive) => {
            html! { <ArchiveDialog {id} on_close={close_dialog.clone()} on_done={on_record.clone()} /> }
        }
        Some(Dialog::Unarchive) => html! {
            <UnarchiveDialog {id} has_children={c.header.children.as_ref().is_some_and(|v| !v.is_empty())} on_close={close_dialog.clone()} on_done={on_record.clone()} />
        },
        Some(Dialog::Delete) => {
            html! { <DeleteDialog {id} name={c.header.name.clone()} on_close={close_dialog.clone()} /> }
        }
        Some(Dialog::ApplyTemplate) => html! {
            <super::apply_template::ApplyTemplateDialog {id} version={c.version} on_close={close_dialog.clone()}
                on_done={{ let (d, reload) = (dialog.clone(), reload.clone()); crate::h::cb(move |_: ()| { d.set(None); reload.emit(()); }) }} />
        },
        Some(Dialog::Sell) => {
            html! { <super::sell::SellDialog {id} name={c.header.name.clone()} on_close={close_dialog.clone()} /> }
        }
        None => html! {},
    };

    html! {
        <section class="record-page customer-page" data-testid="customer-page" data-archived={c.archived.to_string()}>
            { back }
            <Header c={c.clone()} tab={if workflows_tab { Some(super::workflows::SEGMENT) } else if history_tab { Some(super::history::SEGMENT) } else if accounting_tab.is_some() { Some(super::accounting::SEGMENT) } else if work_orders_tab { Some(super::work_orders::SEGMENT) } else if credit_tab { Some(super::credit::SEGMENT) } else { tab.map(|t| t.segment) }} menu_open={*menu_open}
                on_menu={{ let m = menu_open.clone(); crate::h::cb(move |open: bool| m.set(open)) }}
                on_dialog={{ let d = dialog.clone(); crate::h::cb(move |x: Dialog| d.set(Some(x))) }}
                on_record={on_record.clone()} />
            <div class="below-header">
                <CustomerTags {id} version={c.version} tags={c.tag_list.clone()} editable={a.modify && !c.archived} on_saved={on_record.clone()} />
                { for c.warnings.iter().any(|(_, v)| v == &Value::Bool(true)).then(|| html! {
                    <div class="warnings" role="status" data-testid="customer-warnings">
                        { for c.warnings.iter().filter(|(_, v)| *v == &Value::Bool(true)).map(|(k, _)| html! {
                            <p>{ match k.as_str() { "notes" => "There are overdue tickets.".to_owned(), other => format!("Check {}.", other.replace('_', " ")) } }</p>
                        }) }
                    </div>
                }) }
            </div>
            { body }
            { dialog_html }
        </section>
    }
}
