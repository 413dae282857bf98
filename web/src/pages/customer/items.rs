//! One screen for every customer sub-record tab (notes, contacts, equipment, appointments, recurring invoices,
//! scheduled payments): the list, newest first, and a form to add one. Which fields a collection has is the only
//! thing that differs, so it is a table of field specs. The list and the form are components of their own: the
//! enrollment page's review steps show the same list and add emergency contacts with the same form.

use crate::api::{ApiError, SubRecord};
use crate::components::format;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use serde_json::{Map, Value};
use vigil_domain::RecordId;
use yew::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Input {
    Text,
    Date,
    /// Dollars typed, cents sent.
    Money,
    Whole,
    Check,
    Choice(&'static [&'static str]),
}

struct Spec {
    field: &'static str,
    label: &'static str,
    input: Input,
    required: bool,
}

const fn f(field: &'static str, label: &'static str, input: Input, required: bool) -> Spec {
    Spec { field, label, input, required }
}

/// A customer tab that lists sub-records: its URL segment, its title and the key of its count in `tabs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Collection {
    pub segment: &'static str,
    pub title: &'static str,
    pub singular: &'static str,
    pub count_key: &'static str,
}

pub const COLLECTIONS: &[Collection] = &[
    Collection { segment: "notes", title: "Notes & Tickets", singular: "Note", count_key: "notes" },
    Collection { segment: "appointments", title: "Appointments", singular: "Appointment", count_key: "appointments" },
    Collection { segment: "equipment", title: "Equipment", singular: "Equipment", count_key: "equipment" },
    Collection {
        segment: "recurring-invoices",
        title: "Recurring Invoices",
        singular: "Recurring Invoice",
        count_key: "recurring_invoices",
    },
    Collection {
        segment: "scheduled-payments",
        title: "Scheduled Payments",
        singular: "Scheduled Payment",
        count_key: "scheduled_payments",
    },
    Collection { segment: "contacts", title: "Contacts", singular: "Contact", count_key: "contacts" },
];

pub fn collection(segment: &str) -> Option<Collection> {
    COLLECTIONS.iter().copied().find(|c| c.segment == segment)
}

fn specs(segment: &str) -> Vec<Spec> {
    match segment {
        "notes" => vec![
            f("text", "Note", Input::Text, true),
            f("ticket", "Ticket (has a due date)", Input::Check, false),
            f("due_date", "Due date", Input::Date, false),
        ],
        "contacts" => vec![
            f("name", "Name", Input::Text, true),
            f("phone", "Phone", Input::Text, true),
            f("relation", "Relation", Input::Text, false),
        ],
        "equipment" => vec![
            f("name", "Item", Input::Text, true),
            f("quantity", "Quantity", Input::Whole, false),
            f("zone", "Zone", Input::Text, false),
        ],
        "appointments" => vec![
            f("date", "Date", Input::Date, true),
            f("kind", "Kind", Input::Choice(&["tech", "sale"]), false),
            f("note", "Note", Input::Text, false),
        ],
        "recurring-invoices" => vec![
            f("amount_cents", "Amount ($)", Input::Money, true),
            f("frequency", "Frequency", Input::Choice(&["monthly", "quarterly", "yearly"]), false),
            f("start_date", "Start date", Input::Date, true),
            f("description", "Description", Input::Text, false),
        ],
        "scheduled-payments" => {
            vec![f("amount_cents", "Amount ($)", Input::Money, true), f("date", "Date", Input::Date, true)]
        }
        _ => vec![],
    }
}

fn shown(spec: &Spec, v: Option<&Value>) -> String {
    match (spec.input, v) {
        (_, None | Some(Value::Null)) => String::new(),
        (Input::Money, Some(Value::Number(n))) => {
            n.as_u64().map(|c| format!("${}.{:02}", c / 100, c % 100)).unwrap_or_default()
        }
        (Input::Check, Some(Value::Bool(b))) => {
            if *b {
                "Yes".into()
            } else {
                "No".into()
            }
        }
        (_, Some(Value::String(s))) => s.clone(),
        (_, Some(other)) => vigil_json::to_text(other),
    }
}

#[derive(Properties, PartialEq)]
pub struct CustomerItemsProps {
    pub id: RecordId,
    pub collection: Collection,
    /// The customer takes new sub-records (not archived, and the user may modify it).
    pub can_create: bool,
    /// A sub-record was added: the header's counts are stale.
    pub on_changed: Callback<()>,
}

#[component]
pub fn CustomerItems(props: &CustomerItemsProps) -> Html {
    let refresh = use_state(|| 0u32);
    let on_added = {
        let (refresh, on_changed) = (refresh.clone(), props.on_changed.clone());
        crate::h::cb(move |_: SubRecord| {
            refresh.set(*refresh + 1);
            on_changed.emit(());
        })
    };
    let segment = props.collection.segment;
    html! {
        <section class="customer-items" data-testid={format!("items-{segment}")}>
            <h2>{ props.collection.title }</h2>
            if props.can_create {
                <ItemForm id={props.id} collection={props.collection} {on_added} />
            }
            <ItemList id={props.id} collection={props.collection} refresh={*refresh} can_change={props.can_create} on_changed={props.on_changed.clone()} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ItemListProps {
    pub id: RecordId,
    pub collection: Collection,
    /// Changes whenever the list is to be read again (a sub-record was added).
    #[prop_or_default]
    pub refresh: u32,
    /// Each row offers its status to change (the customer takes changes).
    #[prop_or_default]
    pub can_change: bool,
    /// A row's status changed: the header's counts are stale.
    #[prop_or_default]
    pub on_changed: Callback<()>,
}

/// A collection's sub-records, newest first, with its empty state.
#[component]
pub fn ItemList(props: &ItemListProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let items = use_state(|| None::<Result<Vec<SubRecord>, ApiError>>);
    let changed = use_state(|| 0u32);
    let segment = props.collection.segment;
    let on_saved = {
        let (changed, on_changed) = (changed.clone(), props.on_changed.clone());
        crate::h::cb(move |_: ()| {
            changed.set(*changed + 1);
            on_changed.emit(());
        })
    };

    {
        let (items, client, id) = (items.clone(), session.client(), props.id);
        use_effect_with((id, segment, props.refresh, *changed), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    let got = client.customer_items(id, segment).await;
                    if let Err(e) = &got {
                        report.emit(e.clone());
                    }
                    items.set(Some(got));
                });
            }
        });
    }

    let specs = specs(segment);
    match &*items {
        None => html! { <p class="loading">{ "Loading…" }</p> },
        Some(Err(e)) => html! { <p class="error-box" role="alert">{ e.message() }</p> },
        Some(Ok(rows)) if rows.is_empty() => html! {
            <p class="empty-state" data-testid="items-empty">{ format!("No {} yet.", format::lowercase(props.collection.title)) }</p>
        },
        Some(Ok(rows)) => html! {
            <ul class="item-list" data-testid="item-list">
                { for rows.iter().map(|r| html! {
                    <li class="card item" data-testid="item-row" data-id={r.id.to_string()}>
                        <div class="card-top">
                            <span class="muted">{ format::date_time(&r.created_at) }</span>
                            if props.can_change {
                                <StatusSelect id={props.id} {segment} item={r.clone()} on_saved={on_saved.clone()} />
                            } else {
                                <span class={classes!("badge", format!("item-{}", r.status))}>{ r.status.clone() }</span>
                            }
                        </div>
                        <dl class="fields">
                            { for specs.iter().filter(|s| r.data.get(s.field).is_some_and(|v| !v.is_null())).map(|s| html! {
                                <div class="field"><dt>{ s.label }</dt><dd>{ shown(s, r.data.get(s.field)) }</dd></div>
                            }) }
                        </dl>
                    </li>
                }) }
            </ul>
        },
    }
}

#[derive(Properties, PartialEq)]
struct StatusSelectProps {
    id: RecordId,
    segment: &'static str,
    item: SubRecord,
    on_saved: Callback<()>,
}

/// A row's status, changed in place with the version the row was read at (a change made meanwhile is refused and
/// the list read again).
#[component]
fn StatusSelect(props: &StatusSelectProps) -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let busy = use_state(|| false);
    let statuses = vigil_api::customers::Collection::from_segment(props.segment).map_or(&[][..], |c| c.statuses());
    let onchange = {
        let (client, busy, toasts, on_saved) = (session.client(), busy.clone(), toasts.clone(), props.on_saved.clone());
        let (id, segment, item_id, version) = (props.id, props.segment, props.item.id, props.item.version);
        crate::h::cb(move |e: Event| {
            let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
            let Some(client) = client.clone() else { return };
            let mut body = Map::new();
            body.insert("status".into(), Value::from(select.value()));
            body.insert("version".into(), Value::from(version));
            let (busy, toasts, on_saved) = (busy.clone(), toasts.clone(), on_saved.clone());
            busy.set(true);
            crate::spawn(async move {
                if let Err(e) = client.update_customer_item(id, segment, item_id, &body).await {
                    toasts.error("The status was not changed", Some(e.message()));
                }
                busy.set(false);
                on_saved.emit(());
            });
        })
    };
    html! {
        <select class={classes!("item-status", format!("item-{}", props.item.status))} aria-label="Status"
            data-testid="item-status" disabled={*busy} {onchange}>
            { for statuses.iter().map(|s| html! {
                <option value={*s} selected={*s == props.item.status}>{ *s }</option>
            }) }
            if !statuses.contains(&props.item.status.as_str()) {
                <option value={props.item.status.clone()} selected=true>{ props.item.status.clone() }</option>
            }
        </select>
    }
}

#[derive(Properties, PartialEq)]
pub struct ItemFormProps {
    pub id: RecordId,
    pub collection: Collection,
    /// The heading and the submit button ("New contact", "Add contact" by default).
    #[prop_or_default]
    pub heading: Option<AttrValue>,
    #[prop_or_default]
    pub submit_label: Option<AttrValue>,
    /// The sub-record the server created.
    pub on_added: Callback<SubRecord>,
}

/// The form that adds one sub-record to a collection, with the server's field errors beside the inputs.
#[component]
pub fn ItemForm(props: &ItemFormProps) -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let form = use_state(Map::<String, Value>::new);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);
    let segment = props.collection.segment;

    let specs = specs(segment);

    let set = |field: &'static str, input: Input| {
        let form = form.clone();
        crate::h::cb(move |e: Event| {
            let value = match input {
                Input::Check => Value::Bool(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()),
                Input::Choice(_) => Value::String(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()),
                _ => {
                    let raw = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
                    let raw = raw.trim();
                    match input {
                        _ if raw.is_empty() => Value::Null,
                        Input::Money => format::parse_f64(raw.trim_start_matches('$'))
                            .map(|d| Value::from((d * 100.0).round() as u64))
                            .unwrap_or_else(|| Value::String(raw.into())),
                        Input::Whole => {
                            raw.parse::<u64>().map(Value::from).unwrap_or_else(|_| Value::String(raw.into()))
                        }
                        _ => Value::String(raw.into()),
                    }
                }
            };
            let mut next = (*form).clone();
            next.insert(field.into(), value);
            form.set(next);
        })
    };

    let onsubmit = {
        let (form, error, busy, client, id, on_added, toasts) = (
            form.clone(),
            error.clone(),
            busy.clone(),
            session.client(),
            props.id,
            props.on_added.clone(),
            toasts.clone(),
        );
        let singular = props.collection.singular;
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let mut body = Map::new();
            for (k, v) in form.iter().filter(|(_, v)| !v.is_null()) {
                body.insert(k.clone(), v.clone());
            }
            let (form, error, busy, on_added, toasts) =
                (form.clone(), error.clone(), busy.clone(), on_added.clone(), toasts.clone());
            busy.set(true);
            crate::spawn(async move {
                match client.create_customer_item(id, segment, &body).await {
                    Ok(added) => {
                        form.set(Map::new());
                        error.set(None);
                        toasts.info(&format!("{singular} added"));
                        on_added.emit(added);
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        })
    };

    let singular = format::lowercase(props.collection.singular);
    let heading = props.heading.clone().unwrap_or_else(|| format!("New {singular}").into());
    let submit_label = props.submit_label.clone().unwrap_or_else(|| format!("Add {singular}").into());
    html! {
        <form class="card item-form" data-testid="item-form" {onsubmit}>
            <h3>{ heading }</h3>
            <div class="form-grid">
            { for specs.iter().map(|s| {
                let id = format!("item-{}", s.field);
                let message = error.as_ref().and_then(|e| e.field_message(s.field));
                let current = form.get(s.field);
                let control = match s.input {
                    Input::Check => html! {
                        <input type="checkbox" id={id.clone()} data-testid={id.clone()}
                            checked={current.and_then(Value::as_bool).unwrap_or(false)} onchange={set(s.field, s.input)} />
                    },
                    Input::Choice(options) => html! {
                        <select class="input" id={id.clone()} data-testid={id.clone()} onchange={set(s.field, s.input)}>
                            { for options.iter().map(|o| html! {
                                <option value={*o} selected={current.and_then(Value::as_str) == Some(*o)}>{ *o }</option>
                            }) }
                        </select>
                    },
                    input => {
                        let kind = if input == Input::Date { "date" } else { "text" };
                        let value = match current {
                            Some(Value::Number(n)) if input == Input::Money => n.as_u64().map(|c| format!("{}.{:02}", c / 100, c % 100)).unwrap_or_default(),
                            Some(Value::String(s)) => s.clone(),
                            // Written as the JSON had it.
                            Some(v @ Value::Number(_)) => vigil_json::to_text(v),
                            _ => String::new(),
                        };
                        html! {
                            <input class="input" type={kind} id={id.clone()} data-testid={id.clone()} {value}
                                inputmode={(matches!(input, Input::Money | Input::Whole)).then_some("decimal")}
                                required={s.required} onchange={set(s.field, input)} />
                        }
                    }
                };
                html! {
                    <div class={classes!("form-field", message.is_some().then_some("invalid"))}>
                        <label for={id}>{ s.label }{ s.required.then(|| html! { <span class="required">{ " *" }</span> }) }</label>
                        { control }
                        { for message.map(|m| html! { <span class="field-error">{ m }</span> }) }
                    </div>
                }
            }) }
            </div>
            { for error.as_ref().filter(|e| e.errors.is_empty()).map(|e| html! {
                <p class="error-box" role="alert" data-testid="item-error">{ e.message() }</p>
            }) }
            <div class="actions">
                <button type="submit" class="button" disabled={*busy} data-testid="item-create">{ submit_label }</button>
            </div>
        </form>
    }
}
