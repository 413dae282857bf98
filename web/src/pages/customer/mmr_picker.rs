//! The Sale card's monthly rate (MMR). Simple mode: one dropdown of rates (the "A la carte" checkbox beside it is
//! an ordinary field). Breakout mode: the chosen rate (total and name, or "--") with Choose Rate / Change Rate,
//! which opens a full-screen picker: filters at the top (Total and one per configured line item), rate cards with
//! their breakdown, a warning banner on rates whose breakdown no longer matches the company's items, Use This Rate
//! (disabled, with the reason, when the rate may not be given to this customer) and Clear at the bottom.
//!
//! Choosing only sets `mmr_id` in the page's form; Save or Save & Stay sends it like any other field.

use crate::api::{ApiError, CustomerFormOptions, MmrRate, MmrRateList};
use crate::components::format::dollars;
use crate::components::modal::Modal;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use serde_json::{Map, Value};
use vigil_domain::mmr::RateFilter;
use vigil_domain::RecordId;
use yew::prelude::*;

/// The Sale card's MMR fields when this module draws them: `mmr_id` in either mode, and `mmr_a_la_carte` hidden in
/// breakout mode (it is the simple mode's checkbox). `None` means the page draws the field as usual.
#[allow(clippy::too_many_arguments)]
pub fn sale_field(
    f: &str,
    customer: RecordId,
    values: &Map<String, Value>,
    edits: &Map<String, Value>,
    editable: bool,
    opts: &CustomerFormOptions,
    error: Option<&ApiError>,
    on_set: &Callback<(String, Value)>,
) -> Option<Html> {
    let breakout = opts.mmr_mode == crate::api::MmrMode::Breakout;
    let message = error.and_then(|e| e.field_message("mmr_id"));
    match f {
        "mmr_a_la_carte" if breakout => Some(html! {}),
        "mmr_id" if breakout => Some(html! {
            <MmrField {customer} saved={values.get("mmr").cloned().filter(|v| !v.is_null())} picked={edits.get("mmr_id").cloned()}
                {editable} error={message} on_set={on_set.clone()} />
        }),
        "mmr_id" => Some(simple_select(values, edits.get("mmr_id"), editable, opts, message, on_set)),
        _ => None,
    }
}

/// Simple mode: the dropdown. A rate no longer offered (inactive) still shows by name on the customer who has it.
fn simple_select(
    values: &Map<String, Value>,
    edited: Option<&Value>,
    editable: bool,
    opts: &CustomerFormOptions,
    message: Option<String>,
    on_set: &Callback<(String, Value)>,
) -> Html {
    let current = edited.or(values.get("mmr_id")).and_then(Value::as_u64);
    let saved = values.get("mmr").filter(|v| !v.is_null());
    let mut choices: Vec<(u64, String)> =
        opts.mmr_rates.iter().map(|r| (r.id as u64, format!("{} ({})", r.name, dollars(r.amount_cents)))).collect();
    if let Some(id) = current.filter(|id| !choices.iter().any(|(c, _)| c == id)) {
        let label = match saved.filter(|s| s["id"].as_u64() == Some(id)) {
            Some(s) => format!(
                "{} ({}, no longer offered)",
                s["name"].as_str().unwrap_or("Rate"),
                dollars(s["amount_cents"].as_u64().unwrap_or(0))
            ),
            None => format!("Rate #{id}"),
        };
        choices.insert(0, (id, label));
    }
    let onchange = {
        let on_set = on_set.clone();
        crate::h::cb(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            on_set.emit(("mmr_id".into(), v.parse::<u64>().map(Value::from).unwrap_or(Value::Null)));
        })
    };
    html! {
        <div class={classes!("form-field", message.is_some().then_some("invalid"), edited.is_some().then_some("edited"))}>
            <label for="f-mmr_id">{ "Monthly rate (MMR)" }</label>
            <select class="input" id="f-mmr_id" data-testid="input-mmr_id" disabled={!editable} {onchange}>
                <option value="" selected={current.is_none()}>{ "—" }</option>
                { for choices.into_iter().map(|(v, l)| html! { <option selected={Some(v) == current} value={v.to_string()}>{ l }</option> }) }
            </select>
            { for message.map(|m| html! { <span class="field-error">{ m }</span> }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct MmrFieldProps {
    pub customer: RecordId,
    /// The saved rate (the Sale card's `mmr`: `{id, name, amount_cents, line_items, mismatch}`).
    pub saved: Option<Value>,
    /// `mmr_id` as edited: None when untouched, null when cleared.
    pub picked: Option<Value>,
    pub editable: bool,
    pub error: Option<String>,
    pub on_set: Callback<(String, Value)>,
}

/// What the field shows: total, optional name, and whether it mismatches.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    amount_cents: u64,
    name: Option<String>,
    mismatch: bool,
}

/// Breakout mode: the chosen rate or "--", and the button that opens the picker.
#[component]
pub fn MmrField(props: &MmrFieldProps) -> Html {
    let open = use_state(|| false);
    // The rate chosen in the picker, to show it before the form is saved.
    let chosen = use_state(|| None::<MmrRate>);
    let from_saved = |s: &Value| Shown {
        amount_cents: s["amount_cents"].as_u64().unwrap_or(0),
        name: s["name"].as_str().map(str::to_owned),
        mismatch: s["mismatch"].as_bool().unwrap_or(false),
    };
    let shown = match &props.picked {
        None => props.saved.as_ref().map(from_saved),
        Some(Value::Null) => None,
        Some(v) => match (&*chosen, props.saved.as_ref()) {
            (Some(r), _) if Some(r.id as u64) == v.as_u64() => {
                Some(Shown { amount_cents: r.amount_cents, name: r.name.clone(), mismatch: r.mismatch })
            }
            (_, Some(s)) if s["id"] == *v => Some(from_saved(s)),
            _ => None,
        },
    };
    let current_id = match &props.picked {
        None => props.saved.as_ref().and_then(|s| s["id"].as_u64()),
        Some(v) => v.as_u64(),
    };
    let open_it = {
        let open = open.clone();
        crate::h::cb(move |_: MouseEvent| open.set(true))
    };
    let close = {
        let open = open.clone();
        crate::h::cb(move |_: ()| open.set(false))
    };
    let on_pick = {
        let (chosen, on_set, open) = (chosen.clone(), props.on_set.clone(), open.clone());
        crate::h::cb(move |r: MmrRate| {
            on_set.emit(("mmr_id".into(), Value::from(r.id)));
            chosen.set(Some(r));
            open.set(false);
        })
    };
    let on_clear = {
        let (on_set, open) = (props.on_set.clone(), open.clone());
        crate::h::cb(move |_: ()| {
            on_set.emit(("mmr_id".into(), Value::Null));
            open.set(false);
        })
    };
    let label = match &shown {
        Some(s) => {
            format!("{}{}", dollars(s.amount_cents), s.name.as_ref().map(|n| format!(" · {n}")).unwrap_or_default())
        }
        None => "--".into(),
    };
    html! {
        <div class={classes!("form-field", "mmr-field", props.error.is_some().then_some("invalid"), props.picked.is_some().then_some("edited"))} data-testid="mmr-field">
            <span class="field-label" id="mmr-label">{ "Monthly rate (MMR)" }</span>
            <p class="mmr-current" aria-labelledby="mmr-label" data-testid="mmr-current">{ label }</p>
            { for shown.as_ref().filter(|s| s.mismatch).map(|_| html! {
                <p class="mmr-warning small" data-testid="mmr-current-mismatch">{ "This rate's breakdown no longer matches your company's MMR items." }</p>
            }) }
            if props.editable {
                <button type="button" class="button secondary" data-testid="mmr-choose" onclick={open_it}>
                    { if shown.is_some() { "Change Rate" } else { "Choose Rate" } }
                </button>
            }
            { for props.error.clone().map(|m| html! { <span class="field-error">{ m }</span> }) }
            if *open {
                <MmrPicker customer={props.customer} current={current_id.map(|n| n as u32)} on_close={close} {on_pick} {on_clear} />
            }
        </div>
    }
}

/// How one filter select changes the filters when it is set to an amount (or back to Any).
type Apply = Box<dyn Fn(&RateFilter, Option<u64>) -> RateFilter>;

#[derive(Properties, PartialEq)]
pub struct MmrPickerProps {
    pub customer: RecordId,
    /// The rate the form holds now (marked on its card).
    pub current: Option<u32>,
    pub on_close: Callback<()>,
    pub on_pick: Callback<MmrRate>,
    pub on_clear: Callback<()>,
}

/// The full-screen picker. Filters go to the server (`total`, `items`), which answers with the matching rates and
/// every filter's choices.
#[component]
pub fn MmrPicker(props: &MmrPickerProps) -> Html {
    let session = use_session();
    let filter = use_state(RateFilter::default);
    let list = use_state(|| None::<Result<MmrRateList, ApiError>>);
    {
        let (list, client, customer) = (list.clone(), session.client(), props.customer);
        use_effect_with((*filter).clone(), move |f| {
            let query = f.to_query();
            if let Some(client) = client {
                crate::spawn(async move { list.set(Some(client.mmr_rates(customer, &query).await)) });
            }
        });
    }
    // The last answer's choices; the server computes them from every offered rate, so they do not shrink as filters
    // are applied, and the bar stays put while the next answer loads.
    let filters = match &*list {
        Some(Ok(l)) => Some(l.filters.clone()),
        _ => None,
    };
    let select = |testid: String, label: String, choices: &[u64], selected: Option<u64>, apply: Apply| {
        let filter = filter.clone();
        let onchange = crate::h::cb(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse::<u64>().ok();
            filter.set(apply(&filter, v));
        });
        let id = format!("mmr-filter-{testid}");
        html! {
            <div class="form-field">
                <label for={id.clone()}>{ label }</label>
                <select class="input" id={id} data-testid={format!("mmr-filter-{testid}")} {onchange}>
                    <option value="" selected={selected.is_none()}>{ "Any" }</option>
                    { for choices.iter().map(|c| html! { <option value={c.to_string()} selected={selected == Some(*c)}>{ dollars(*c) }</option> }) }
                </select>
            </div>
        }
    };
    let filter_bar = filters.map(|fc| {
        let total = select("total".into(), "Total".into(), &fc.total, filter.total, Box::new(|f, v| RateFilter { total: v, ..f.clone() }));
        let items = fc.items.iter().map(|item| {
            let id = item.id;
            let selected = filter.items.iter().find(|(i, _)| *i == id).map(|(_, c)| *c);
            select(
                format!("item-{id}"),
                item.name.clone(),
                &item.amounts,
                selected,
                Box::new(move |f, v| {
                    let mut items: Vec<(u32, u64)> = f.items.iter().copied().filter(|(i, _)| *i != id).collect();
                    if let Some(c) = v {
                        items.push((id, c));
                    }
                    RateFilter { items, ..f.clone() }
                }),
            )
        });
        html! { <div class="mmr-filters form-row" role="group" aria-label="Filter rates" data-testid="mmr-filters">{ total }{ for items }</div> }
    });
    let body = match &*list {
        None => html! { <p class="loading">{ "Loading rates…" }</p> },
        Some(Err(e)) => html! { <p class="error-box" role="alert">{ e.message() }</p> },
        Some(Ok(l)) if l.items.is_empty() => {
            html! { <p class="empty-state" data-testid="mmr-none">{ "No rates match these filters." }</p> }
        }
        Some(Ok(l)) => html! {
            <ul class="mmr-cards" data-testid="mmr-rates">
                { for l.items.iter().map(|r| rate_card(r, props.current == Some(r.id), &props.on_pick)) }
            </ul>
        },
    };
    html! {
        <Modal title="Choose a monthly rate" testid="mmr-picker" class="mmr-picker-backdrop" on_close={props.on_close.clone()}
            head_actions={html! { <button type="button" class="button secondary" data-testid="mmr-close" onclick={props.on_close.adapt(|_| ())}>{ "Cancel" }</button> }}>
            { for filter_bar }
            <div class="mmr-picker-body">{ body }</div>
            <div class="actions mmr-picker-foot">
                <button type="button" class="button secondary" data-testid="mmr-clear" onclick={props.on_clear.adapt(|_| ())}>{ "Clear" }</button>
                <span class="muted small">{ "Clear removes the rate from this customer when you save." }</span>
            </div>
        </Modal>
    }
}

fn rate_card(r: &MmrRate, current: bool, on_pick: &Callback<MmrRate>) -> Html {
    let onclick = {
        let (on_pick, r) = (on_pick.clone(), r.clone());
        crate::h::cb(move |_| on_pick.emit(r.clone()))
    };
    let why = if r.assignable {
        None
    } else if r.mismatch {
        Some("It can stay only with a customer who already has it; it can't be given to this customer.")
    } else {
        Some("This rate is no longer offered.")
    };
    let why_id = format!("mmr-why-{}", r.id);
    html! {
        <li class={classes!("mmr-card", "card", r.mismatch.then_some("mismatch"), current.then_some("current"))} data-testid="mmr-rate" data-id={r.id.to_string()}>
            <div class="mmr-card-head">
                <span class="mmr-total" data-testid="mmr-total">{ dollars(r.amount_cents) }</span>
                { for r.name.clone().map(|n| html! { <span class="mmr-name" data-testid="mmr-name">{ n }</span> }) }
                { for current.then(|| html! { <span class="tag">{ "Current" }</span> }) }
            </div>
            { for r.mismatch.then(|| html! {
                <p class="mmr-warning" role="note" data-testid="mmr-mismatch">
                    { "This rate's line-item breakdown doesn't match your company's current MMR item configuration." }
                </p>
            }) }
            <table class="simple-table mmr-breakdown">
                <thead><tr><th scope="col">{ "Line item" }</th><th scope="col" class="num">{ "Amount" }</th></tr></thead>
                <tbody>
                    { for r.line_items.iter().map(|l| html! { <tr><td>{ l.name.clone() }</td><td class="num">{ dollars(l.amount_cents) }</td></tr> }) }
                </tbody>
            </table>
            <button type="button" class="button" data-testid="mmr-use" disabled={!r.assignable} aria-describedby={why.map(|_| why_id.clone())} {onclick}>
                { "Use This Rate" }
            </button>
            { for why.map(|w| html! { <p class="muted small" id={why_id.clone()} data-testid="mmr-use-why">{ w }</p> }) }
        </li>
    }
}
