//! Apply Order Template, from the Sale Information card: the template cards, the template's monthly rate and
//! package, Additional Equipment rows (each with its own errors), Sold By and Pre-populate & Add. The server checks
//! every rule and applies everything or nothing; this dialog shows where a refusal points.

use crate::api::ApiError;
use crate::components::modal::Modal;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use crate::toast::use_toasts;
use serde_json::Value;
use vigil_api::common::{NoQuery, RecordPath};
use vigil_api::ops;
use vigil_api::orders::{AdditionalEquipment, ApplyOrderTemplate, Catalog, OrderTemplate, Prepopulate};
use vigil_domain::RecordId;
use vigil_json::ToJson;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ApplyTemplateProps {
    pub id: RecordId,
    pub version: u64,
    pub on_close: Callback<()>,
    pub on_done: Callback<()>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct RowInput {
    equipment_id: String,
    quantity: String,
    charge: String,
    wire_type_id: String,
}

fn text(v: &str) -> Option<Value> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.parse::<u64>().map_or_else(|_| v.to_json(), Value::from))
}

#[component]
pub fn ApplyTemplateDialog(props: &ApplyTemplateProps) -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let templates = use_state(|| None::<Result<Vec<OrderTemplate>, ApiError>>);
    let catalog = use_state(Catalog::default);
    let template = use_state(|| None::<u32>);
    let mmr = use_state(String::new);
    let package = use_state(|| None::<u32>);
    let rows = use_state(Vec::<RowInput>::new);
    let sold_by = use_state(String::new);
    let prepopulate = use_state(|| None::<Prepopulate>);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);
    {
        let (templates, catalog, client) = (templates.clone(), catalog.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    let got = client.call::<ops::ListOrderTemplates>(&(), &NoQuery {}, &()).await;
                    templates.set(Some(got.map(|l| l.items)));
                    if let Ok(c) = client.call::<ops::GetCatalog>(&(), &NoQuery {}, &()).await {
                        catalog.set(c);
                    }
                });
            }
        });
    }
    let field_error = |field: &str| {
        error.as_ref().and_then(|e| e.field_message(field)).map(|m| {
            html! { <span class="field-error" role="alert" data-testid={format!("error-{field}")}>{ m }</span> }
        })
    };
    let list = match &*templates {
        None => {
            return html! { <Modal title="Apply Order Template" testid="apply-template-dialog" on_close={props.on_close.clone()}><p class="loading">{ "Loading…" }</p></Modal> }
        }
        Some(Err(e)) => {
            return html! { <Modal title="Apply Order Template" testid="apply-template-dialog" on_close={props.on_close.clone()}><p class="error-box">{ e.message() }</p></Modal> }
        }
        Some(Ok(l)) => l.clone(),
    };
    let chosen = template.and_then(|t| list.iter().find(|x| x.id == t).cloned());
    let set_row = |i: usize, which: u8| {
        let rows = rows.clone();
        crate::h::cb(move |e: Event| {
            // Selects and inputs share this callback; each is read through its own type.
            let v = match e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                Some(select) => select.value(),
                None => e.target_unchecked_into::<web_sys::HtmlInputElement>().value(),
            };
            let mut next = (*rows).clone();
            if let Some(r) = next.get_mut(i) {
                match which {
                    0 => r.equipment_id = v,
                    1 => r.quantity = v,
                    2 => r.charge = v,
                    _ => r.wire_type_id = v,
                }
            }
            rows.set(next);
        })
    };
    let remove_row = |i: usize| {
        let rows = rows.clone();
        crate::h::cb(move |_: MouseEvent| {
            let next: Vec<RowInput> =
                rows.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, r)| r.clone()).collect();
            rows.set(next);
        })
    };
    let add_row = {
        let rows = rows.clone();
        crate::h::cb(move |_: MouseEvent| {
            let mut next = (*rows).clone();
            next.push(RowInput { quantity: "1".into(), ..Default::default() });
            rows.set(next);
        })
    };
    let apply = {
        let (client, template, mmr, package, rows, sold_by, prepopulate, error, busy, toasts, on_done, id, version) = (
            session.client(),
            template.clone(),
            mmr.clone(),
            package.clone(),
            rows.clone(),
            sold_by.clone(),
            prepopulate.clone(),
            error.clone(),
            busy.clone(),
            toasts.clone(),
            props.on_done.clone(),
            props.id,
            props.version,
        );
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let body = ApplyOrderTemplate {
                order_template_id: *template,
                mmr_id: mmr.parse().ok(),
                package_id: *package,
                additional_equipment: rows
                    .iter()
                    .map(|r| AdditionalEquipment {
                        equipment_id: text(&r.equipment_id),
                        quantity: text(&r.quantity),
                        // Dollars typed, cents sent; blank takes the catalog's charge.
                        charge: (!r.charge.trim().is_empty()).then(|| {
                            super::accounting::cents_of(&r.charge)
                                .map_or_else(|| r.charge.trim().to_json(), Value::from)
                        }),
                        wire_type_id: text(&r.wire_type_id),
                    })
                    .collect(),
                sold_by_id: (!sold_by.is_empty()).then(|| (*sold_by).clone()),
                prepopulate: *prepopulate,
                version: Some(version),
            };
            let (error, busy, toasts, on_done) = (error.clone(), busy.clone(), toasts.clone(), on_done.clone());
            busy.set(true);
            crate::spawn(async move {
                match client.call::<ops::ApplyOrderTemplate>(&RecordPath { id }, &NoQuery {}, &body).await {
                    Ok(done) => {
                        let doc = done
                            .document
                            .map(|d| {
                                format!(
                                    " and {} #{}",
                                    if d.kind == vigil_api::accounting::DocumentKind::Quote {
                                        "quote"
                                    } else {
                                        "invoice"
                                    },
                                    d.id
                                )
                            })
                            .unwrap_or_default();
                        toasts
                            .info(&format!("Order template applied: {} equipment item(s){doc}", done.equipment.len()));
                        on_done.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        })
    };
    let equipment: Vec<_> = catalog.equipment.iter().filter(|e| e.active && !e.collection_item).cloned().collect();
    let wires: Vec<_> = catalog.wire_types.iter().filter(|w| w.active).cloned().collect();
    let sellers: Vec<_> = catalog.sold_by.iter().filter(|s| s.active).cloned().collect();
    html! {
        <Modal title="Apply Order Template" testid="apply-template-dialog" on_close={props.on_close.clone()}>
            if list.is_empty() {
                <p class="muted">{ "No order templates are configured." }</p>
            }
            <fieldset class="cards-choice" data-testid="template-cards"><legend>{ "Order Template" }</legend>
                { for list.iter().map(|t| {
                    let pick = { let (template, mmr, package) = (template.clone(), mmr.clone(), package.clone()); let tid = t.id;
                        crate::h::cb(move |_: Event| { template.set(Some(tid)); mmr.set(String::new()); package.set(None); }) };
                    html! { <label class={classes!("choice-card", (*template == Some(t.id)).then_some("active"))} data-testid="template-card">
                        <input type="radio" name="order-template" checked={*template == Some(t.id)} onchange={pick} />
                        <strong>{ t.name.clone() }</strong>
                        <span class="muted small">{ format!(" {} rate(s), {} package(s)", t.mmrs.len(), t.packages.len()) }</span>
                    </label> }
                }) }
                { field_error("order_template_id") }
            </fieldset>
            { for chosen.as_ref().map(|t| html! { <>
                { for (!t.mmrs.is_empty()).then(|| html! {
                    <label>{ "Monthly Monitoring Charge" }
                        <select data-testid="template-mmr" onchange={{ let m = mmr.clone(); crate::h::cb(move |e: Event| m.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value())) }}>
                            <option value="" selected={mmr.is_empty()}>{ "Choose a rate" }</option>
                            { for t.mmrs.iter().map(|r| html! { <option value={r.id.to_string()} selected={*mmr == r.id.to_string()}>{ format!("{} ({})", r.name, super::accounting::money(r.total_cents)) }</option> }) }
                        </select>
                        { field_error("mmr_id") }
                    </label>
                }) }
                <fieldset class="cards-choice" data-testid="package-cards"><legend>{ "Equipment Package" }</legend>
                    { for t.packages.iter().map(|p| {
                        let pick = { let package = package.clone(); let pid = p.id; crate::h::cb(move |_: Event| package.set(Some(pid))) };
                        html! { <label class={classes!("choice-card", (*package == Some(p.id)).then_some("active"))} data-testid="package-card">
                            <input type="radio" name="package" checked={*package == Some(p.id)} onchange={pick} />
                            <strong>{ p.name.clone() }</strong>{ format!(" {}", super::accounting::money(p.total_cents)) }
                            <span class="muted small">{ p.lines.iter().map(|l| format!("{} × {}", l.quantity, l.name)).collect::<Vec<_>>().join(", ") }</span>
                        </label> }
                    }) }
                    { field_error("package_id") }
                </fieldset>
            </> }) }
            <fieldset data-testid="additional-equipment"><legend>{ "Additional Equipment" }</legend>
                { for rows.iter().enumerate().map(|(i, r)| html! {
                    <div class="row additional-row" data-testid="additional-row">
                        <label>{ "Item" }
                            <select data-testid={format!("row-{i}-equipment")} onchange={set_row(i, 0)}>
                                <option value="" selected={r.equipment_id.is_empty()}>{ "Choose equipment" }</option>
                                { for equipment.iter().map(|e| html! { <option value={e.id.to_string()} selected={r.equipment_id == e.id.to_string()}>{ format!("{} ({})", e.name, super::accounting::money(e.default_charge_cents)) }</option> }) }
                            </select>
                            { field_error(&format!("additional_equipment[{i}].equipment_id")) }
                        </label>
                        <label>{ "Quantity" }<input type="number" min="1" value={r.quantity.clone()} onchange={set_row(i, 1)} data-testid={format!("row-{i}-quantity")} />
                            { field_error(&format!("additional_equipment[{i}].quantity")) }</label>
                        <label>{ "Item Charge ($)" }<input type="text" inputmode="decimal" placeholder="catalog price" value={r.charge.clone()} onchange={set_row(i, 2)} data-testid={format!("row-{i}-charge")} />
                            { field_error(&format!("additional_equipment[{i}].charge")) }</label>
                        <label>{ "Wire Type" }
                            <select data-testid={format!("row-{i}-wire")} onchange={set_row(i, 3)}>
                                <option value="" selected={r.wire_type_id.is_empty()}>{ "—" }</option>
                                { for wires.iter().map(|w| html! { <option value={w.id.to_string()} selected={r.wire_type_id == w.id.to_string()}>{ w.name.clone() }</option> }) }
                            </select>
                            { field_error(&format!("additional_equipment[{i}].wire_type_id")) }
                        </label>
                        <button type="button" class="button secondary" aria-label="Remove this row" data-testid={format!("row-{i}-remove")} onclick={remove_row(i)}>{ "🗑" }</button>
                    </div>
                }) }
                <button type="button" class="button secondary" data-testid="add-equipment" onclick={add_row}>{ "Add Equipment" }</button>
                { field_error("additional_equipment") }
            </fieldset>
            <label>{ "Sold By" }
                <select data-testid="sold-by" onchange={{ let s = sold_by.clone(); crate::h::cb(move |e: Event| s.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value())) }}>
                    <option value="" selected={sold_by.is_empty()}>{ "—" }</option>
                    { for sellers.iter().filter_map(|s| s.user_id.clone().map(|u| (u, s.name.clone()))).map(|(u, name)| html! {
                        <option value={u.to_string()} selected={*sold_by == u.to_string()}>{ name }</option>
                    }) }
                </select>
                { field_error("sold_by_id") }
            </label>
            <fieldset class="cards-choice" data-testid="prepopulate"><legend>{ "Pre-populate & Add" }</legend>
                { for [(None, "Nothing"), (Some(Prepopulate::Invoice), "Invoice"), (Some(Prepopulate::Quote), "Quote")].into_iter().map(|(v, l)| {
                    let pick = { let p = prepopulate.clone(); crate::h::cb(move |_: Event| p.set(v)) };
                    html! { <label class="choice-card" data-testid={format!("prepopulate-{}", l.to_ascii_lowercase())}>
                        <input type="radio" name="prepopulate" checked={*prepopulate == v} onchange={pick} />{ format!(" {l}") }</label> }
                }) }
                { field_error("prepopulate") }
            </fieldset>
            { for error.as_ref().filter(|e| e.errors.is_empty()).map(|e| html! { <p class="error-box" role="alert" data-testid="apply-error">{ e.message() }</p> }) }
            <div class="actions">
                <button type="button" class="button" disabled={*busy} data-testid="apply-template" onclick={apply}>{ "Apply" }</button>
                <button type="button" class="button secondary" onclick={props.on_close.adapt(|_: MouseEvent| ())}>{ "Cancel" }</button>
            </div>
        </Modal>
    }
}
