//! The customer record (Home): a sticky header (identity, status boxes, metadata, parent/children, quick actions,
//! the tab bar with counts), the tag and warning row, then the cards as one always-live form with Save and
//! Save & Stay at the top and bottom. The sub-record tabs render below the same header. Also Convert to Customer,
//! which the lead page offers.

use crate::api::{ApiError, ArchivePreview, CustomerFormOptions, CustomerHome, ParentCandidate};
use crate::app::Route;
use crate::components::format;
use crate::components::modal::Modal;
use crate::components::route_link::RouteLink;
use crate::pages::custom_fields_card::{self, CustomFieldsCard};
use crate::pages::customer_items::{collection, CustomerItems, COLLECTIONS};
use crate::pages::customer_tags::CustomerTags;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use serde_json::{Map, Value};
use std::rc::Rc;
use vigil_domain::fields::{card_fields, Card, Choices, Input};
use vigil_domain::RecordId;
use yew::prelude::*;
use yew_router::prelude::*;

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

enum Edit {
    Set(String, Value),
    Clear,
}

impl Reducible for Edits {
    type Action = Edit;
    fn reduce(self: Rc<Self>, action: Edit) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Edit::Set(k, v) => {
                next.0.insert(k, v);
            }
            Edit::Clear => next.0.clear(),
        }
        Rc::new(next)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Dialog {
    Archive,
    Unarchive,
    Delete,
}

// ---------------------------------------------------------------------------------------------------------------
// The cards' fields come from `vigil_domain::fields` (which card, label and input); the choices of their selects.

/// `(value, label)` pairs and whether the value goes to the server as a number.
fn options(o: &CustomerFormOptions, which: Choices) -> (Vec<(String, String)>, bool) {
    let s = |v: &Vec<String>| v.iter().map(|x| (x.clone(), x.clone())).collect::<Vec<_>>();
    match which {
        Choices::Locations => (o.office_locations.iter().map(|l| (l.id.0.to_string(), l.name.clone())).collect(), true),
        Choices::SoldBy => (o.sold_by.iter().map(|u| (u.id.to_string(), u.name.clone())).collect(), false),
        Choices::LeadReps => (o.lead_reps.iter().map(|u| (u.id.to_string(), u.name.clone())).collect(), false),
        Choices::Technicians => (o.technicians.iter().map(|u| (u.id.to_string(), u.name.clone())).collect(), false),
        Choices::AccountTypes => (o.account_types.iter().map(|c| (c.value.clone(), c.label.clone())).collect(), false),
        Choices::AccountClasses => {
            (o.account_classes.iter().map(|c| (c.id.to_string(), c.name.clone())).collect(), true)
        }
        Choices::MonitoringCompanies => {
            (o.lists.monitoring_companies.iter().map(|c| (c.id.to_string(), c.name.clone())).collect(), true)
        }
        Choices::ContractTerms => {
            (o.lists.contract_terms.iter().map(|m| (m.to_string(), format!("{m} months"))).collect(), true)
        }
        Choices::ActivationFees => (
            o.lists.activation_fees.iter().map(|p| (p.id.to_string(), priced(&p.name, p.amount_cents))).collect(),
            true,
        ),
        Choices::MmrRates => {
            (o.mmr_rates.iter().map(|p| (p.id.to_string(), priced(&p.name, p.amount_cents))).collect(), true)
        }
        Choices::MonitoringPlans => (s(&o.lists.monitoring_plans), false),
        Choices::InteractiveProviders => (s(&o.lists.interactive_services_providers), false),
        Choices::AdtSystemTypes => (s(&o.lists.adt_system_types), false),
        Choices::WarrantyTerms => (s(&o.lists.warranty_terms), false),
        Choices::CancelReasons => (s(&o.lists.cancel_reasons), false),
        Choices::States => {
            (o.states.iter().map(|st| (st.code.clone(), format!("{} ({})", st.name, st.code))).collect(), false)
        }
        Choices::Languages => (o.languages.iter().map(|c| (c.value.clone(), c.label.clone())).collect(), false),
        // Lead fields: the customer Home draws no card that has them.
        Choices::Dispositions | Choices::Industries => (vec![], false),
    }
}

fn priced(name: &str, cents: u64) -> String {
    format!("{name} (${}.{:02})", cents / 100, cents % 100)
}

/// A card value as an input shows it.
fn as_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map(str::to_owned).unwrap_or_else(|| x.to_string()))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

fn masked(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str).is_some_and(|s| s.starts_with("***"))
}

// ---------------------------------------------------------------------------------------------------------------
// The page.

#[derive(Properties, PartialEq)]
pub struct CustomerPageProps {
    pub id: AttrValue,
    /// A sub-record tab (`notes`, `contacts`, …); the Home form when absent.
    #[prop_or_default]
    pub tab: Option<AttrValue>,
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
    let opts = use_state(CustomerFormOptions::default);
    let edits = use_reducer(Edits::default);
    // The same edits, current even in a callback created before the last re-render (a change event fires on blur,
    // right before the click on Save).
    let latest = use_mut_ref(Map::<String, Value>::new);
    let saving = use_state(|| false);
    let save_error = use_state(|| None::<ApiError>);
    let menu_open = use_state(|| false);
    let dialog = use_state(|| None::<Dialog>);

    {
        let (opts, client) = (opts.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(o) = client.customer_form_options().await {
                        opts.set(o);
                    }
                });
            }
        });
    }
    {
        let (load, client, edits, save_error, latest) =
            (load.clone(), session.client(), edits.clone(), save_error.clone(), latest.clone());
        use_effect_with((id, *attempt), move |(id, _)| {
            let id = *id;
            if let (Some(client), Some(id)) = (client, id) {
                wasm_bindgen_futures::spawn_local(async move {
                    let next = match client.customer_home(id).await {
                        Ok(r) => Load::Loaded(Rc::new(r)),
                        Err(e) if e.is_not_found() => Load::Missing,
                        Err(e) => {
                            report.emit(e.clone());
                            Load::Failed(e)
                        }
                    };
                    edits.dispatch(Edit::Clear);
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
        Callback::from(move |_: ()| attempt.set(*attempt + 1))
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
            let retry = reload.reform(|_: MouseEvent| ());
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
        Callback::from(move |stay: bool| {
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
            wasm_bindgen_futures::spawn_local(async move {
                match client.save_customer(id, &body).await {
                    Ok(saved) => {
                        save_error.set(None);
                        edits.dispatch(Edit::Clear);
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
            Callback::from(move |_| dialog.set(Some(Dialog::Delete)))
        };
        html! {
            <div class="save-bar" data-testid={format!("save-bar-{at}")}>
                <button type="button" class="button" disabled={!can_save} data-testid={format!("save-{at}")}
                    onclick={save.reform(|_| false)}>{ "Save" }</button>
                <button type="button" class="button secondary" disabled={!can_save} data-testid={format!("save-stay-{at}")}
                    onclick={save.reform(|_| true)}>{ "Save & Stay" }</button>
                { for dirty.then(|| html! { <span class="muted" data-testid="unsaved">{ "Unsaved changes" }</span> }) }
                { for a.delete.then(|| html! {
                    <button type="button" class="button danger" data-testid={format!("delete-{at}")} onclick={open_delete}>{ "Delete" }</button>
                }) }
            </div>
        }
    };
    let save_message = save_error.as_ref().map(|e| {
        if e.is_conflict() {
            let onclick = reload.reform(|_: MouseEvent| ());
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
        Callback::from(move |(k, v): (String, Value)| {
            let v = custom_fields_card::merge_edit(&latest.borrow(), &k, v);
            latest.borrow_mut().insert(k.clone(), v.clone());
            edits.dispatch(Edit::Set(k, v))
        })
    };
    let close_dialog = {
        let dialog = dialog.clone();
        Callback::from(move |_| dialog.set(None))
    };
    let on_record = {
        let load = load.clone();
        Callback::from(move |r: CustomerHome| load.set(Load::Loaded(Rc::new(r))))
    };

    let body = match tab {
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
                            { for card_fields(card).filter(|s| s.input != Input::Elsewhere && values.contains_key(s.name)).map(|s| {
                                crate::pages::mmr_picker::sale_field(s.name, id, values, &edits.0, editable, &opts, save_error.as_ref(), &on_set)
                                    .unwrap_or_else(|| field_input(s.name, s.label, s.input, values.get(s.name), edits.0.get(s.name), editable, &opts, save_error.as_ref(), &on_set))
                            }) }
                        </div>
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
                        { card(Card::Sale, c.editable.sale) }
                        <CustomFieldsCard card={c.cards.get("custom_fields").cloned()} edited={edits.0.get("custom_fields").cloned()}
                            editable={c.editable.custom_fields} error={(*save_error).clone()} on_set={on_set.clone()} />
                        { card(Card::Installation, c.editable.installation) }
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
        None => html! {},
    };

    html! {
        <section class="record-page customer-page" data-testid="customer-page" data-archived={c.archived.to_string()}>
            { back }
            <Header c={c.clone()} tab={tab.map(|t| t.segment)} menu_open={*menu_open}
                on_menu={{ let m = menu_open.clone(); Callback::from(move |open: bool| m.set(open)) }}
                on_dialog={{ let d = dialog.clone(); Callback::from(move |x: Dialog| d.set(Some(x))) }}
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

#[allow(clippy::too_many_arguments)]
fn field_input(
    f: &'static str,
    label: &'static str,
    input: Input,
    value: Option<&Value>,
    edited: Option<&Value>,
    editable: bool,
    opts: &CustomerFormOptions,
    error: Option<&ApiError>,
    on_set: &Callback<(String, Value)>,
) -> Html {
    let id = format!("f-{f}");
    let hidden = masked(value);
    let shown = edited.or(value);
    let disabled = !editable || hidden || input == Input::Fixed;
    let message = error.and_then(|e| e.field_message(f));
    let control = match (input, hidden) {
        (Input::Check, false) => {
            let on_set = on_set.clone();
            let onchange = Callback::from(move |e: Event| {
                on_set
                    .emit((f.to_owned(), Value::Bool(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked())))
            });
            html! { <input type="checkbox" id={id.clone()} data-testid={format!("input-{f}")} {disabled} checked={shown.and_then(Value::as_bool).unwrap_or(false)} {onchange} /> }
        }
        (Input::Select(which), false) => {
            let (choices, numeric) = options(opts, which);
            let current = as_text(shown);
            let on_set = on_set.clone();
            let onchange = Callback::from(move |e: Event| {
                let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
                let v = if v.is_empty() {
                    Value::Null
                } else if numeric {
                    v.parse::<u64>().map(Value::from).unwrap_or(Value::String(v))
                } else {
                    Value::String(v)
                };
                on_set.emit((f.to_owned(), v));
            });
            let known = current.is_empty() || choices.iter().any(|(v, _)| *v == current);
            html! {
                <select class="input" id={id.clone()} data-testid={format!("input-{f}")} {disabled} {onchange}>
                    <option value="" selected={current.is_empty()}>{ "—" }</option>
                    { for (!known).then(|| html! { <option value={current.clone()} selected=true>{ current.clone() }</option> }) }
                    { for choices.into_iter().map(|(v, l)| { let sel = v == current; html! { <option selected={sel} value={v}>{ l }</option> } }) }
                </select>
            }
        }
        _ => {
            let kind = if input == Input::Date && !hidden { "date" } else { "text" };
            let on_set = on_set.clone();
            // Every keystroke, so a Save clicked right after typing sends what was typed.
            let oninput = Callback::from(move |e: InputEvent| {
                // Untrimmed: the input shows what the user typed, spaces included (the server trims).
                let raw = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
                let v = if raw.trim().is_empty() {
                    Value::Null
                } else if input == Input::Number {
                    raw.trim().parse::<u64>().map(Value::from).unwrap_or(Value::String(raw))
                } else {
                    Value::String(raw)
                };
                on_set.emit((f.to_owned(), v));
            });
            let title = hidden.then_some("Confidential: you do not have permission to see this value");
            html! {
                <input class={classes!("input", hidden.then_some("masked"))} type={kind} id={id.clone()} data-testid={format!("input-{f}")}
                    value={as_text(shown)} {disabled} {title} {oninput} />
            }
        }
    };
    html! {
        <div class={classes!("form-field", message.is_some().then_some("invalid"), edited.is_some().then_some("edited"))}>
            <label for={id}>{ label }</label>
            { control }
            { for message.map(|m| html! { <span class="field-error">{ m }</span> }) }
        </div>
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Sticky header: identity, metadata, quick actions, tab bar.

#[derive(Properties, PartialEq)]
struct HeaderProps {
    c: Rc<CustomerHome>,
    tab: Option<&'static str>,
    menu_open: bool,
    on_menu: Callback<bool>,
    on_dialog: Callback<Dialog>,
    on_record: Callback<CustomerHome>,
}

#[component]
fn Header(props: &HeaderProps) -> Html {
    let c = &props.c;
    let h = &c.header;
    let id = c.id;
    let session = use_session();
    let toasts = use_toasts();
    let navigator = use_navigator();
    let count = |key: &str| c.tabs.get(key).copied().unwrap_or(0);
    let warn = |key: &str| c.warnings.get(key).copied().unwrap_or(false);

    let tab_link = |to: Route, label: String, current: bool, testid: String, n: Option<u64>, dot: bool| {
        html! {
            <RouteLink {to} class={classes!("view-tab", current.then_some("active"))} {current} testid={testid}>
                { label }
                { for n.filter(|n| *n > 0).map(|n| html! { <span class="count" aria-label={format!("{n} items")}>{ n }</span> }) }
                { for dot.then(|| html! { <span class="red-dot" role="img" aria-label="needs attention"></span> }) }
            </RouteLink>
        }
    };
    let tabs = html! {
        <nav class="view-tabs customer-tabs" aria-label="Customer sections" data-testid="customer-tabs">
            { tab_link(Route::Customer { id: id.to_string() }, "Home".into(), props.tab.is_none(), "tab-home".into(), None, false) }
            { for COLLECTIONS.iter().map(|col| tab_link(
                Route::CustomerTab { id: id.to_string(), tab: col.segment.to_owned() },
                col.title.to_owned(),
                props.tab == Some(col.segment),
                format!("tab-{}", col.segment),
                Some(count(col.count_key)),
                warn(col.count_key),
            )) }
        </nav>
    };

    let close = props.on_menu.reform(|_: ()| false);
    let a = c.actions;
    let menu = props.menu_open.then(|| {
        let dialog = |d: Dialog| {
            let (on_dialog, on_menu) = (props.on_dialog.clone(), props.on_menu.clone());
            Callback::from(move |_: MouseEvent| {
                on_menu.emit(false);
                on_dialog.emit(d);
            })
        };
        let duplicate = {
            let (client, navigator, toasts, on_menu) = (session.client(), navigator.clone(), toasts.clone(), props.on_menu.clone());
            Callback::from(move |_: MouseEvent| {
                on_menu.emit(false);
                let Some(client) = client.clone() else { return };
                let (navigator, toasts) = (navigator.clone(), toasts.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match client.duplicate_customer(id).await {
                        Ok(copy) => {
                            toasts.info(&format!("Created customer #{} as a copy", copy.id));
                            if let Some(nav) = navigator {
                                nav.push(&Route::Customer { id: copy.id.to_string() });
                            }
                        }
                        Err(e) => toasts.error("Could not duplicate the customer", Some(e.message())),
                    }
                });
            })
        };
        let onkeydown = {
            let close = close.clone();
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Escape" {
                    close.emit(());
                }
            })
        };
        let new_links = [("notes", "+ New Note"), ("appointments", "+ New Appointment"), ("equipment", "+ New Equipment"),
            ("recurring-invoices", "+ New Recurring Invoice"), ("scheduled-payments", "+ New Payment"), ("contacts", "+ New Contact")];
        html! {
            <div class="flyout quick-actions" id="quick-actions" data-testid="quick-actions" {onkeydown}>
                if c.archived {
                    if a.unarchive {
                        <button type="button" class="button" data-testid="action-unarchive" onclick={dialog(Dialog::Unarchive)}>{ "Unarchive Customer" }</button>
                    } else {
                        <p class="muted">{ "This customer is archived." }</p>
                    }
                } else {
                    <nav class="quick-nav" aria-label="Go to">
                        <RouteLink to={Route::Customer { id: id.to_string() }} onnavigate={props.on_menu.reform(|_| false)}>{ "Home" }</RouteLink>
                        { for COLLECTIONS.iter().map(|col| html! {
                            <RouteLink to={Route::CustomerTab { id: id.to_string(), tab: col.segment.to_owned() }} onnavigate={props.on_menu.reform(|_| false)}>{ col.title }</RouteLink>
                        }) }
                    </nav>
                    <div class="quick-new">
                        { for a.modify.then(|| html! { <>{ for new_links.iter().map(|(seg, label)| html! {
                            <RouteLink to={Route::CustomerTab { id: id.to_string(), tab: (*seg).to_owned() }} class="button secondary"
                                testid={format!("action-new-{seg}")} onnavigate={props.on_menu.reform(|_| false)}>{ *label }</RouteLink>
                        }) }</> }) }
                        { for a.duplicate.then(|| html! { <button type="button" class="button secondary" data-testid="action-duplicate" onclick={duplicate}>{ "Duplicate Customer" }</button> }) }
                        { for a.archive.then(|| html! { <button type="button" class="button secondary" data-testid="action-archive" onclick={dialog(Dialog::Archive)}>{ "Archive Customer" }</button> }) }
                        { for a.delete.then(|| html! { <button type="button" class="button danger" data-testid="action-delete" onclick={dialog(Dialog::Delete)}>{ "Delete Customer" }</button> }) }
                    </div>
                }
            </div>
        }
    });

    let created_title = format!(
        "Created {}{}",
        format::date_time(&h.created_at),
        h.created_by.as_ref().map(|u| format!(" by {}", u.name)).unwrap_or_default()
    );
    let family = match (&h.parent, &h.children) {
        (Some(p), _) => html! {
            <span class="meta family" data-testid="parent-indicator">
                <span aria-hidden="true">{ "👥 " }</span>{ "Sub-customer of " }
                <RouteLink to={Route::Customer { id: p.id.to_string() }} testid="parent-link">{ p.name.clone() }</RouteLink>
            </span>
        },
        (None, Some(children)) if !children.is_empty() => html! {
            <details class="meta family children" data-testid="children-indicator">
                <summary>{ format!("👥 {} sub-customer{}", children.len(), if children.len() == 1 { "" } else { "s" }) }</summary>
                <ul>{ for children.iter().map(|k| html! {
                    <li><RouteLink to={Route::Customer { id: k.id.to_string() }} testid="child-link">{ format!("#{} {}", k.id, k.name) }</RouteLink></li>
                }) }</ul>
            </details>
        },
        _ => html! {},
    };
    let toggle = {
        let (on_menu, open) = (props.on_menu.clone(), props.menu_open);
        Callback::from(move |_| on_menu.emit(!open))
    };

    html! {
        <header class="customer-header" data-testid="customer-header">
            <div class="identity">
                <span class="id-badge" data-testid="customer-id">{ format!("#{}", h.id) }</span>
                <h1 data-testid="customer-name">{ h.name.clone() }</h1>
                <ul class="status-boxes" aria-label="Status">
                    { for h.status_boxes.iter().map(|b| html! {
                        <li class={classes!("status-box", format!("status-{}", b.color))} data-testid="status-box" data-category={b.category.clone()}
                            title={b.category.clone()}>{ b.label.clone() }</li>
                    }) }
                </ul>
                <button type="button" class="button secondary quick-actions-button" aria-haspopup="true" aria-expanded={props.menu_open.to_string()}
                    aria-controls="quick-actions" data-testid="quick-actions-button" onclick={toggle}>
                    <span aria-hidden="true">{ "☰ " }</span>{ "Actions" }
                </button>
            </div>
            { for menu }
            <p class="meta-row" data-testid="meta-row">
                <span class="meta" title={created_title}>{ format!("Created {}", format::date(&h.created_at)) }</span>
                { for h.sale.as_ref().map(|s| html! {
                    <span class="meta" data-testid="sale-badge">{ format!("Sale {}{}", s.date.clone().unwrap_or_default(), s.sold_by.as_ref().map(|u| format!(" · {}", u.name)).unwrap_or_default()) }</span>
                }) }
                { for h.install.as_ref().map(|s| html! {
                    <span class="meta" data-testid="install-badge">{ format!("Install {}{}", s.date.clone().unwrap_or_default(), s.technician.as_ref().map(|u| format!(" · {}", u.name)).unwrap_or_default()) }</span>
                }) }
                { for h.location.as_ref().map(|l| html! { <span class="meta" data-testid="location">{ l.name.clone() }</span> }) }
                { for (!h.city.is_empty()).then(|| html! { <span class="meta">{ format!("{}, {}", h.city, h.state) }</span> }) }
                { family }
            </p>
            if c.archived {
                <p class="archived-banner" data-testid="archived-banner">{ "This customer is archived: it is read-only until it is unarchived." }</p>
            }
            { tabs }
        </header>
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The parent picker (Sale card).

#[derive(Properties, PartialEq)]
struct ParentPickerProps {
    id: RecordId,
    current: Option<(RecordId, String)>,
    /// `parent_id` as edited (a number, or null for unlinked); None when untouched.
    picked: Option<Value>,
    editable: bool,
    on_set: Callback<(String, Value)>,
}

#[component]
fn ParentPicker(props: &ParentPickerProps) -> Html {
    let session = use_session();
    let query = use_state(String::new);
    let found = use_state(|| None::<Result<Vec<ParentCandidate>, ApiError>>);
    let names = use_state(Vec::<(RecordId, String)>::new);
    let now: Option<(RecordId, String)> = match &props.picked {
        None => props.current.clone(),
        Some(Value::Null) => None,
        Some(v) => v.as_u64().map(|n| {
            let rid = RecordId(n);
            (rid, names.iter().find(|(i, _)| *i == rid).map(|(_, n)| n.clone()).unwrap_or_else(|| format!("#{n}")))
        }),
    };
    let search = {
        let (query, found, client, exclude) = (query.clone(), found.clone(), session.client(), props.id);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let (q, found) = ((*query).clone(), found.clone());
            wasm_bindgen_futures::spawn_local(async move {
                found.set(Some(client.parent_candidates(&q, exclude).await));
            });
        })
    };
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| query.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
    };
    let unlink = props.on_set.reform(|_: MouseEvent| ("parent_id".to_owned(), Value::Null));
    html! {
        <div class="parent-picker" data-testid="parent-picker">
            <span class="field-label">{ "Parent customer" }</span>
            <p data-testid="parent-current">
                { match &now { Some((i, n)) => format!("#{i} {n}"), None => "None (top-level customer)".into() } }
                { for (props.editable && now.is_some()).then(|| html! {
                    <button type="button" class="link-button" data-testid="parent-unlink" onclick={unlink}>{ " Unlink" }</button>
                }) }
            </p>
            if props.editable {
                <form class="inline-form" onsubmit={search} role="search">
                    <label for="parent-q" class="visually-hidden">{ "Search for a parent customer" }</label>
                    <input id="parent-q" class="input" placeholder="Name, business, account # or ID" value={(*query).clone()} {oninput} data-testid="parent-search" />
                    <button type="submit" class="button secondary" data-testid="parent-search-go">{ "Search" }</button>
                </form>
                { match &*found {
                    None => html! {},
                    Some(Err(e)) => html! { <p class="field-error">{ e.message() }</p> },
                    Some(Ok(list)) if list.is_empty() => html! { <p class="muted">{ "No top-level customers match." }</p> },
                    Some(Ok(list)) => html! {
                        <ul class="suggestions parent-results">
                            { for list.iter().map(|p| {
                                let (on_set, names, found, pid, name) = (props.on_set.clone(), names.clone(), found.clone(), p.id, p.name.clone());
                                let onclick = Callback::from(move |_| {
                                    let mut n = (*names).clone();
                                    n.push((pid, name.clone()));
                                    names.set(n);
                                    found.set(None);
                                    on_set.emit(("parent_id".into(), Value::from(pid.0)));
                                });
                                html! { <li><button type="button" class="suggestion" data-testid="parent-candidate" data-id={p.id.to_string()} {onclick}>
                                    { format!("#{} {}{} — {}, {}", p.id, p.name, p.business_name.as_ref().map(|b| format!(" ({b})")).unwrap_or_default(), p.city, p.state) }
                                </button></li> }
                            }) }
                        </ul>
                    },
                } }
            }
        </div>
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Dialogs: archive, unarchive, delete, convert.

#[derive(Properties, PartialEq)]
struct RecordDialogProps {
    id: RecordId,
    on_close: Callback<()>,
    on_done: Callback<CustomerHome>,
}

#[component]
fn ArchiveDialog(props: &RecordDialogProps) -> Html {
    let session = use_session();
    let preview = use_state(|| None::<Result<ArchivePreview, ApiError>>);
    let confirmed = use_state(|| false);
    let error = use_state(|| None::<String>);
    {
        let (preview, client, id) = (preview.clone(), session.client(), props.id);
        use_effect_with((), move |_| {
            if let Some(client) = client {
                wasm_bindgen_futures::spawn_local(async move { preview.set(Some(client.archive_preview(id).await)) });
            }
        });
    }
    let onchange = {
        let confirmed = confirmed.clone();
        Callback::from(move |e: Event| confirmed.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()))
    };
    let archive = {
        let (client, id, on_done, on_close, error) =
            (session.client(), props.id, props.on_done.clone(), props.on_close.clone(), error.clone());
        Callback::from(move |_| {
            let Some(client) = client.clone() else { return };
            let (on_done, on_close, error) = (on_done.clone(), on_close.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match client.archive_customer(id).await {
                    Ok(r) => {
                        on_close.emit(());
                        on_done.emit(r);
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };
    let affected = |a: &crate::api::ArchiveAffected| {
        let n = (a.recurring_invoices.len(), a.appointments.len(), a.scheduled_payments.len());
        format!(
            "#{} {}: cancels {} recurring invoice(s), {} appointment(s), {} scheduled payment(s)",
            a.id, a.name, n.0, n.1, n.2
        )
    };
    html! {
        <Modal title="Archive customer" testid="archive-dialog" on_close={props.on_close.clone()}>
            { match &*preview {
                None => html! { <p class="loading">{ "Checking what archiving affects…" }</p> },
                Some(Err(e)) => html! { <p class="error-box" role="alert">{ e.message() }</p> },
                Some(Ok(p)) => html! {
                    <>
                        if p.nothing_affected {
                            <p>{ "Nothing else will be cancelled." }</p>
                        } else {
                            <ul data-testid="archive-affected">
                                <li>{ affected(&p.customer) }</li>
                                { for p.sub_customers.iter().map(|s| html! { <li>{ format!("Sub-customer (archived too) {}", affected(s)) }</li> }) }
                            </ul>
                        }
                        { for (!p.sub_customers.is_empty()).then(|| html! {
                            <p data-testid="archive-children">{ format!("{} sub-customer(s) will be archived with it.", p.sub_customers.len()) }</p>
                        }) }
                    </>
                },
            } }
            <label class="check">
                <input type="checkbox" data-testid="archive-confirm-check" checked={*confirmed} {onchange} />
                { " I understand the customer becomes read-only and the items above are cancelled." }
            </label>
            { for error.as_ref().map(|m| html! { <p class="error-box" role="alert" data-testid="dialog-error">{ m.clone() }</p> }) }
            <div class="actions">
                <button type="button" class="button danger" disabled={!*confirmed} data-testid="archive-confirm" onclick={archive}>{ "Archive" }</button>
                <button type="button" class="button secondary" onclick={props.on_close.reform(|_| ())}>{ "Cancel" }</button>
            </div>
        </Modal>
    }
}

#[derive(Properties, PartialEq)]
struct UnarchiveProps {
    id: RecordId,
    has_children: bool,
    on_close: Callback<()>,
    on_done: Callback<CustomerHome>,
}

#[component]
fn UnarchiveDialog(props: &UnarchiveProps) -> Html {
    let session = use_session();
    let confirmed = use_state(|| false);
    let with_children = use_state(|| false);
    let error = use_state(|| None::<String>);
    let onchange = {
        let confirmed = confirmed.clone();
        Callback::from(move |e: Event| confirmed.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()))
    };
    let go = {
        let (client, id, on_done, on_close, error, with_children) = (
            session.client(),
            props.id,
            props.on_done.clone(),
            props.on_close.clone(),
            error.clone(),
            with_children.clone(),
        );
        Callback::from(move |_| {
            let Some(client) = client.clone() else { return };
            let (on_done, on_close, error, include) =
                (on_done.clone(), on_close.clone(), error.clone(), *with_children);
            wasm_bindgen_futures::spawn_local(async move {
                match client.unarchive_customer(id, include).await {
                    Ok(r) => {
                        on_close.emit(());
                        on_done.emit(r);
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };
    let pick = |v: bool| {
        let with_children = with_children.clone();
        Callback::from(move |_: Event| with_children.set(v))
    };
    html! {
        <Modal title="Unarchive customer" testid="unarchive-dialog" on_close={props.on_close.clone()}>
            <p>{ "Cancelled invoices, appointments and payments stay cancelled." }</p>
            if props.has_children {
                <fieldset class="choice">
                    <legend>{ "What to unarchive" }</legend>
                    <label><input type="radio" name="unarchive-scope" data-testid="unarchive-parent-only" checked={!*with_children} onchange={pick(false)} />{ " This customer only" }</label>
                    <label><input type="radio" name="unarchive-scope" data-testid="unarchive-with-children" checked={*with_children} onchange={pick(true)} />{ " This customer and its sub-customers" }</label>
                </fieldset>
            }
            <label class="check">
                <input type="checkbox" data-testid="unarchive-confirm-check" checked={*confirmed} {onchange} />
                { " I want to restore this customer." }
            </label>
            { for error.as_ref().map(|m| html! { <p class="error-box" role="alert" data-testid="dialog-error">{ m.clone() }</p> }) }
            <div class="actions">
                <button type="button" class="button" disabled={!*confirmed} data-testid="unarchive-confirm" onclick={go}>{ "Unarchive" }</button>
                <button type="button" class="button secondary" onclick={props.on_close.reform(|_| ())}>{ "Cancel" }</button>
            </div>
        </Modal>
    }
}

#[derive(Properties, PartialEq)]
struct DeleteProps {
    id: RecordId,
    name: String,
    on_close: Callback<()>,
}

#[component]
fn DeleteDialog(props: &DeleteProps) -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let toasts = use_toasts();
    let error = use_state(|| None::<String>);
    let go = {
        let (client, id, error, navigator, toasts) =
            (session.client(), props.id, error.clone(), navigator.clone(), toasts.clone());
        Callback::from(move |_| {
            let Some(client) = client.clone() else { return };
            let (error, navigator, toasts) = (error.clone(), navigator.clone(), toasts.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match client.delete_customer(id).await {
                    Ok(()) => {
                        toasts.info(&format!("Customer #{id} deleted"));
                        if let Some(nav) = navigator {
                            nav.push(&Route::Customers);
                        }
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };
    html! {
        <Modal title="Delete customer" testid="delete-dialog" on_close={props.on_close.clone()}>
            <p>{ format!("Delete #{} {} and everything under it (notes, contacts, equipment, history)? This cannot be undone.", props.id, props.name) }</p>
            { for error.as_ref().map(|m| html! { <p class="error-box" role="alert" data-testid="dialog-error">{ m.clone() }</p> }) }
            <div class="actions">
                <button type="button" class="button secondary" onclick={props.on_close.reform(|_| ())}>{ "Cancel" }</button>
                <button type="button" class="button danger" data-testid="delete-confirm" onclick={go}>{ "Delete" }</button>
            </div>
        </Modal>
    }
}

#[derive(Properties, PartialEq)]
pub struct ConvertLeadProps {
    pub id: RecordId,
    pub version: u64,
}

/// The lead page's Convert to Customer: a dialog choosing the office location and who sold it; lands on the
/// customer (same ID).
#[component]
pub fn ConvertLead(props: &ConvertLeadProps) -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let toasts = use_toasts();
    let open = use_state(|| false);
    let opts = use_state(|| None::<CustomerFormOptions>);
    let location = use_state(String::new);
    let sold_by = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);
    let open_it = {
        let (open, opts, client) = (open.clone(), opts.clone(), session.client());
        Callback::from(move |_| {
            open.set(true);
            if opts.is_none() {
                if let Some(client) = client.clone() {
                    let opts = opts.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        opts.set(Some(client.customer_form_options().await.unwrap_or_default()))
                    });
                }
            }
        })
    };
    let close = {
        let open = open.clone();
        Callback::from(move |_| open.set(false))
    };
    let submit = {
        let (client, id, version, location, sold_by, error, busy, navigator, toasts) = (
            session.client(),
            props.id,
            props.version,
            location.clone(),
            sold_by.clone(),
            error.clone(),
            busy.clone(),
            navigator.clone(),
            toasts.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let loc = location.parse::<u32>().unwrap_or(0);
            let who = (*sold_by).clone();
            let (error, busy, navigator, toasts) = (error.clone(), busy.clone(), navigator.clone(), toasts.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match client.convert_lead(id, loc, &who, version).await {
                    Ok(c) => {
                        toasts.info(&format!("Lead #{} is now a customer", c.id));
                        if let Some(nav) = navigator {
                            nav.push(&Route::Customer { id: c.id.to_string() });
                        }
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        })
    };
    let select = |label: &'static str,
                  field: &'static str,
                  state: &UseStateHandle<String>,
                  choices: Vec<(String, String)>| {
        let s = state.clone();
        let onchange =
            Callback::from(move |e: Event| s.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()));
        let message = error.as_ref().and_then(|e| e.field_message(field));
        html! {
            <div class={classes!("form-field", message.is_some().then_some("invalid"))}>
                <label for={format!("convert-{field}")}>{ label }<span class="required">{ " *" }</span></label>
                <select class="input" id={format!("convert-{field}")} data-testid={format!("convert-{field}")} {onchange}>
                    <option value="" selected={state.is_empty()}>{ "Choose…" }</option>
                    { for choices.into_iter().map(|(v, l)| { let sel = v == **state; html! { <option selected={sel} value={v}>{ l }</option> } }) }
                </select>
                { for message.map(|m| html! { <span class="field-error">{ m }</span> }) }
            </div>
        }
    };
    html! {
        <>
            <button type="button" class="button" data-testid="convert-lead" onclick={open_it}>{ "Convert to Customer" }</button>
            if *open {
                <Modal title="Convert to customer" testid="convert-dialog" on_close={close.clone()}>
                    { match &*opts {
                        None => html! { <p class="loading">{ "Loading options…" }</p> },
                        Some(o) => html! {
                            <form onsubmit={submit}>
                                { select("Office location", "office_location_id", &location, o.office_locations.iter().map(|l| (l.id.0.to_string(), l.name.clone())).collect()) }
                                { select("Sold by", "sold_by_id", &sold_by, o.sold_by.iter().map(|u| (u.id.to_string(), u.name.clone())).collect()) }
                                { for error.as_ref().filter(|e| e.errors.is_empty()).map(|e| html! { <p class="error-box" role="alert" data-testid="dialog-error">{ e.message() }</p> }) }
                                <div class="actions">
                                    <button type="submit" class="button" disabled={*busy} data-testid="convert-confirm">{ "Convert" }</button>
                                    <button type="button" class="button secondary" onclick={close.reform(|_| ())}>{ "Cancel" }</button>
                                </div>
                            </form>
                        },
                    } }
                </Modal>
            }
        </>
    }
}
