//! The Home cards' fields: which fields each card shows, how each is edited, and the options of its dropdowns.

use crate::api::{ApiError, CustomerFormOptions};
use serde_json::Value;
use yew::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Opts {
    Locations,
    SoldBy,
    LeadReps,
    Technicians,
    AccountTypes,
    AccountClasses,
    MonitoringCompanies,
    ContractTerms,
    ActivationFees,
    MmrRates,
    MonitoringPlans,
    InteractiveProviders,
    AdtSystemTypes,
    WarrantyTerms,
    CancelReasons,
    States,
    Languages,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Input {
    Text,
    Date,
    Number,
    Check,
    Select(Opts),
    /// Shown, never sent (computed or set elsewhere).
    Fixed,
}

pub(super) const PERSONAL: &[(&str, &str, Input)] = &[
    ("office_location_id", "Office location", Input::Select(Opts::Locations)),
    ("first_name", "First name", Input::Text),
    ("last_name", "Last name", Input::Text),
    ("business_name", "Business name", Input::Text),
    ("business_contact", "Business contact", Input::Text),
    ("birthdate", "Birthdate", Input::Date),
    ("ssn", "SSN", Input::Text),
    ("spouse", "Spouse", Input::Text),
    ("language", "Language", Input::Select(Opts::Languages)),
    ("account_type", "Account type", Input::Select(Opts::AccountTypes)),
    ("account_class_id", "Account class", Input::Select(Opts::AccountClasses)),
    ("address1", "Address line 1", Input::Text),
    ("address2", "Address line 2", Input::Text),
    ("city", "City", Input::Text),
    ("state", "State", Input::Select(Opts::States)),
    ("zip", "Zip", Input::Text),
    ("county", "County", Input::Text),
    ("cross_street", "Cross street", Input::Text),
    ("primary_phone", "Primary phone", Input::Text),
    ("work_phone", "Work phone", Input::Text),
    ("cell_phone", "Cell phone", Input::Text),
    ("other_phone", "Other phone", Input::Text),
    ("email", "Email", Input::Text),
    ("best_time_to_contact", "Best time to contact", Input::Text),
    ("credit_score", "Credit score", Input::Number),
    ("credit_grade", "Credit grade", Input::Fixed),
    ("credit_tracking_number", "Credit tracking number", Input::Text),
];

pub(super) const SALE: &[(&str, &str, Input)] = &[
    ("sale_date", "Sale date", Input::Date),
    ("sold_by_id", "Sold by", Input::Select(Opts::SoldBy)),
    ("trainee_id", "Trainee", Input::Select(Opts::SoldBy)),
    ("lead_rep_id", "Lead rep", Input::Select(Opts::LeadReps)),
    ("account_number", "Account number", Input::Text),
    ("adt_number", "ADT number", Input::Text),
    ("adt_serial", "ADT serial", Input::Text),
    ("monitoring_company_id", "Monitoring company", Input::Select(Opts::MonitoringCompanies)),
    ("monitoring_plan", "Monitoring plan", Input::Select(Opts::MonitoringPlans)),
    ("mmr_id", "Monthly rate (MMR)", Input::Select(Opts::MmrRates)),
    ("mmr_a_la_carte", "A la carte", Input::Check),
    ("interactive_services_provider", "Interactive services", Input::Select(Opts::InteractiveProviders)),
    ("adt_system_type", "ADT system type", Input::Select(Opts::AdtSystemTypes)),
    ("contract_term_months", "Contract term", Input::Select(Opts::ContractTerms)),
    ("contract_months_remaining", "Months remaining", Input::Fixed),
    ("activation_fee_id", "Activation fee", Input::Select(Opts::ActivationFees)),
    ("warranty_term", "Warranty", Input::Select(Opts::WarrantyTerms)),
    ("dealer_number", "Dealer number", Input::Text),
    ("discount_affiliate", "Discount affiliate", Input::Text),
    ("discount_affiliate_member_number", "Affiliate member number", Input::Text),
    ("canceled", "Canceled", Input::Check),
    ("cancel_date", "Cancel date", Input::Date),
    ("cancel_reason", "Cancel reason", Input::Select(Opts::CancelReasons)),
    ("collections_date", "Collections date", Input::Date),
    ("funding_status", "Funding status", Input::Fixed),
    ("funded_date", "Funded date", Input::Fixed),
];

pub(super) const INSTALL: &[(&str, &str, Input)] = &[
    ("install_date", "Install date", Input::Date),
    ("install_tech_id", "Install technician", Input::Select(Opts::Technicians)),
    ("installed", "Installed", Input::Check),
    ("confirmation_number", "Confirmation number", Input::Text),
    ("receiver_number", "Receiver number", Input::Text),
    ("abort_code", "Abort code", Input::Text),
    ("services", "Services", Input::Fixed),
];

/// `(value, label)` pairs and whether the value goes to the server as a number.
fn options(o: &CustomerFormOptions, which: Opts) -> (Vec<(String, String)>, bool) {
    let s = |v: &Vec<String>| v.iter().map(|x| (x.clone(), x.clone())).collect::<Vec<_>>();
    match which {
        Opts::Locations => (o.office_locations.iter().map(|l| (l.id.0.to_string(), l.name.clone())).collect(), true),
        Opts::SoldBy => (o.sold_by.iter().map(|u| (u.id.to_string(), u.name.clone())).collect(), false),
        Opts::LeadReps => (o.lead_reps.iter().map(|u| (u.id.to_string(), u.name.clone())).collect(), false),
        Opts::Technicians => (o.technicians.iter().map(|u| (u.id.to_string(), u.name.clone())).collect(), false),
        Opts::AccountTypes => (o.account_types.iter().map(|c| (c.value.clone(), c.label.clone())).collect(), false),
        Opts::AccountClasses => (o.account_classes.iter().map(|c| (c.id.to_string(), c.name.clone())).collect(), true),
        Opts::MonitoringCompanies => {
            (o.lists.monitoring_companies.iter().map(|c| (c.id.to_string(), c.name.clone())).collect(), true)
        }
        Opts::ContractTerms => {
            (o.lists.contract_terms.iter().map(|m| (m.to_string(), format!("{m} months"))).collect(), true)
        }
        Opts::ActivationFees => (
            o.lists.activation_fees.iter().map(|p| (p.id.to_string(), priced(&p.name, p.amount_cents))).collect(),
            true,
        ),
        Opts::MmrRates => {
            (o.mmr_rates.iter().map(|p| (p.id.to_string(), priced(&p.name, p.amount_cents))).collect(), true)
        }
        Opts::MonitoringPlans => (s(&o.lists.monitoring_plans), false),
        Opts::InteractiveProviders => (s(&o.lists.interactive_services_providers), false),
        Opts::AdtSystemTypes => (s(&o.lists.adt_system_types), false),
        Opts::WarrantyTerms => (s(&o.lists.warranty_terms), false),
        Opts::CancelReasons => (s(&o.lists.cancel_reasons), false),
        Opts::States => {
            (o.states.iter().map(|st| (st.code.clone(), format!("{} ({})", st.name, st.code))).collect(), false)
        }
        Opts::Languages => (o.languages.iter().map(|c| (c.value.clone(), c.label.clone())).collect(), false),
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

#[allow(clippy::too_many_arguments)]
pub(super) fn field_input(
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
