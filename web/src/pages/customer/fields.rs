//! The Home cards' fields: which fields each card shows, how each is edited, and the options of its dropdowns.

use crate::api::{ApiError, CustomerFormOptions};
use crate::html;
use serde_json::Value;
use vigil_domain::customer::{ADT_ONLY_SERVICE, LEAD_STATUSES};
pub(crate) use vigil_domain::fields::{card_fields, Card, Choices, Input};
use vigil_domain::small_sort;
use yew::prelude::*;

// Which fields each card shows, their labels and inputs come from `vigil_domain::fields`; here, the choices of
// their selects.

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
        Choices::Dispositions => (o.dispositions.iter().map(|d| (d.id.to_string(), d.name.clone())).collect(), true),
        Choices::DiscountAffiliates => (s(&o.lists.discount_affiliates), false),
        Choices::AdcReceiverPhones => (s(&o.lists.adc_receiver_phones), false),
        Choices::Sources => (o.sources.iter().map(|p| (p.id.to_string(), p.name.clone())).collect(), true),
        // Every source's campaigns, named with their source; the server refuses a campaign of another source.
        Choices::Campaigns => (
            o.sources
                .iter()
                .flat_map(|p| p.campaigns.iter().map(move |c| (c.id.to_string(), format!("{}: {}", p.name, c.name))))
                .collect(),
            true,
        ),
        Choices::LeadStatuses => {
            (LEAD_STATUSES.iter().map(|(v, l)| ((*v).to_owned(), (*l).to_owned())).collect(), false)
        }
        // The lead page's own field.
        Choices::Industries => (vec![], false),
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
            .map(|x| x.as_str().map(str::to_owned).unwrap_or_else(|| vigil_json::to_text(x)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => vigil_json::to_text(other),
    }
}

/// A read-only timestamp (the Entered date) as a person reads it, the way the lead page and the lists show them;
/// anything else as [`as_text`]. Only `Fixed` inputs: an editable value must show exactly what will be sent.
fn fixed_text(input: Input, v: Option<&Value>) -> String {
    match v.and_then(Value::as_str) {
        Some(s) if input == Input::Fixed && is_timestamp(s) => crate::components::format::date_time(s),
        _ => as_text(v),
    }
}

/// RFC 3339 with a time (`2026-03-01T09:30:00Z`), as opposed to a plain date, which must stay a date.
fn is_timestamp(s: &str) -> bool {
    s.len() > 10 && s.as_bytes().get(10) == Some(&b'T')
}

fn masked(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str).is_some_and(|s| s.starts_with("***"))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn field_input(
    scope: &str,
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
    // Scoped by the card (or step) drawing it: a field such as the lead rep sits on more than one card of a page.
    let id = format!("f-{scope}-{f}");
    let hidden = masked(value);
    let shown = edited.or(value);
    let disabled = !editable || hidden || input == Input::Fixed;
    let message = error.and_then(|e| e.field_message(f));
    let control = match (input, hidden) {
        (Input::Check, false) => {
            let on_set = on_set.clone();
            let onchange = crate::h::cb(move |e: Event| {
                on_set
                    .emit((f.to_owned(), Value::Bool(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked())))
            });
            html! { <input type="checkbox" id={id.clone()} data-testid={format!("input-{f}")} {disabled} checked={shown.and_then(Value::as_bool).unwrap_or(false)} {onchange} /> }
        }
        (Input::Select(which), false) => {
            let (choices, numeric) = options(opts, which);
            let current = as_text(shown);
            let on_set = on_set.clone();
            let onchange = crate::h::cb(move |e: Event| {
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
        (Input::TextArea, false) => {
            let on_set = on_set.clone();
            let oninput = crate::h::cb(move |e: InputEvent| {
                let raw = e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value();
                on_set.emit((f.to_owned(), if raw.trim().is_empty() { Value::Null } else { Value::String(raw) }));
            });
            html! { <textarea class="input" id={id.clone()} data-testid={format!("input-{f}")} rows="3" value={as_text(shown)} {disabled} {oninput} /> }
        }
        _ => {
            let kind = if input == Input::Date && !hidden { "date" } else { "text" };
            let on_set = on_set.clone();
            // Every keystroke, so a Save clicked right after typing sends what was typed.
            let oninput = crate::h::cb(move |e: InputEvent| {
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
                    value={fixed_text(input, shown)} {disabled} {title} {oninput} />
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

/// The Installation card's Services as one checkbox per service (the form options' list); the whole list is sent
/// when one changes. Pulse is offered only with an ADT monitoring company as Monitored By (`monitor`, as edited),
/// or while it is checked, so it can be unchecked.
#[allow(clippy::too_many_arguments)]
pub(super) fn services_input(
    value: Option<&Value>,
    edited: Option<&Value>,
    monitor: Option<&Value>,
    editable: bool,
    opts: &CustomerFormOptions,
    error: Option<&ApiError>,
    on_set: &Callback<(String, Value)>,
) -> Html {
    let current: Vec<String> = edited
        .or(value)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let message = error.and_then(|e| e.field_message("services"));
    let adt = monitor
        .and_then(Value::as_u64)
        .is_some_and(|m| opts.adt_monitoring_company_ids.iter().any(|a| u64::from(*a) == m));
    let offered = |code: &str| code != ADT_ONLY_SERVICE || adt || current.iter().any(|c| c == code);
    html! {
        <fieldset class="field services-field" data-testid="field-services">
            <legend>{ "Services" }</legend>
            { for opts.services.iter().filter(|c| offered(&c.value)).map(|c| {
                let code = c.value.clone();
                let on = current.contains(&code);
                let onchange = {
                    let (on_set, current, code) = (on_set.clone(), current.clone(), code.clone());
                    crate::h::cb(move |e: Event| {
                        let checked = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
                        let mut next: Vec<String> = current.iter().filter(|s| **s != code).cloned().collect();
                        if checked {
                            next.push(code.clone());
                        }
                        small_sort::sort_by(&mut next, |a, b| a.cmp(b));
                        on_set.emit(("services".to_owned(), Value::from(next)));
                    })
                };
                html! {
                    <label class="check-inline">
                        <input type="checkbox" checked={on} disabled={!editable} data-testid={format!("service-{code}")} {onchange} />
                        { format!(" {}", c.label) }
                    </label>
                }
            }) }
            { for message.map(|m| html! { <p class="field-error" role="alert">{ m }</p> }) }
        </fieldset>
    }
}

/// Installation Appointment: a choice only among several install appointments; with none, a Schedule link to the
/// Appointments tab for a user who may schedule; with one, nothing to choose.
pub(super) fn install_appointment_input(
    id: vigil_domain::RecordId,
    c: &crate::api::CustomerHome,
    values: &serde_json::Map<String, Value>,
    edited: Option<&Value>,
    editable: bool,
    error: Option<&ApiError>,
    on_set: &Callback<(String, Value)>,
) -> Html {
    const F: &str = "install_appointment_id";
    if !values.contains_key(F) {
        return html! {};
    }
    let appts = &c.install_appointments;
    if appts.is_empty() {
        return match c.may_schedule {
            true => html! {
                <div class="form-field" data-testid="install-appointment-none">
                    <label>{ "Installation appointment" }</label>
                    <crate::components::route_link::RouteLink to={crate::app::Route::CustomerTab { id: id.to_string(), tab: "appointments".into() }}
                        testid="schedule-install">{ "Schedule" }</crate::components::route_link::RouteLink>
                </div>
            },
            false => html! {},
        };
    }
    if appts.len() < 2 {
        return html! {};
    }
    let current = edited.or(values.get(F)).and_then(Value::as_u64);
    let onchange = {
        let on_set = on_set.clone();
        crate::h::cb(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            on_set.emit((F.to_owned(), v.parse::<u64>().map(Value::from).unwrap_or(Value::Null)));
        })
    };
    let message = error.and_then(|e| e.field_message(F));
    html! {
        <div class={classes!("form-field", message.is_some().then_some("invalid"))}>
            <label for="f-install_appointment_id">{ "Installation appointment" }</label>
            <select class="input" id="f-install_appointment_id" data-testid="input-install_appointment_id" disabled={!editable} {onchange}>
                <option value="" selected={current.is_none()}>{ "—" }</option>
                { for appts.iter().map(|a| html! { <option value={a.id.to_string()} selected={current == Some(u64::from(a.id))}>{ a.name.clone() }</option> }) }
            </select>
            { for message.map(|m| html! { <span class="field-error">{ m }</span> }) }
        </div>
    }
}

/// The Lead information card's Lead Contacts: the customer's contacts, read-only here (the Contacts tab edits them).
pub(super) fn lead_contacts(values: &serde_json::Map<String, Value>) -> Html {
    let Some(Value::Array(list)) = values.get("lead_contacts") else { return html! {} };
    let text = |c: &Value, k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    html! {
        <div class="lead-contacts" data-testid="lead-contacts">
            <h3>{ "Lead contacts" }</h3>
            if list.is_empty() { <p class="muted">{ "No contacts." }</p> }
            <ul>{ for list.iter().map(|c| html! { <li>{ format!("{} {} {}", text(c, "name"), text(c, "phone"), text(c, "relation")) }</li> }) }</ul>
        </div>
    }
}
