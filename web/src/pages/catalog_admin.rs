//! Admin: the equipment catalog, wire types, equipment packages, order templates and the sold-by list. Entries are
//! added here and switched on or off (with their version); they are never deleted, since customers' equipment and
//! templates point at them.

use crate::api::{ApiError, CustomerFormOptions, MmrSettings};
use crate::hooks::{use_effect_with, use_state, UseStateHandle};
use crate::html;
use crate::id_map::IdMap;
use crate::pages::customer::{cents_of, money};
use crate::session::use_session;
use crate::toast::use_toasts;
use serde_json::Value;
use vigil_api::common::NoQuery;
use vigil_api::ops;
use vigil_api::orders::{Catalog, CatalogEntry, CatalogKind, CatalogPath, CatalogSave, PackageItem};
use yew::prelude::*;

/// An order template's picks hold rates by their ID and packages by theirs above every `u32`, so a rate ID can never
/// be read as a package's.
const PACKAGE_KEYS: u64 = 1 << 32;

fn title(k: CatalogKind) -> &'static str {
    match k {
        CatalogKind::Equipment => "Equipment",
        CatalogKind::WireType => "Wire Types",
        CatalogKind::Package => "Equipment Packages",
        CatalogKind::OrderTemplate => "Order Templates",
        CatalogKind::SoldBy => "Sold By list",
    }
}

fn entries(c: &Catalog, k: CatalogKind) -> &[CatalogEntry] {
    match k {
        CatalogKind::Equipment => &c.equipment,
        CatalogKind::WireType => &c.wire_types,
        CatalogKind::Package => &c.packages,
        CatalogKind::OrderTemplate => &c.order_templates,
        CatalogKind::SoldBy => &c.sold_by,
    }
}

fn describe(c: &Catalog, e: &CatalogEntry, rates: &[crate::api::MmrRate]) -> String {
    let name_of =
        |list: &[CatalogEntry], id: u32| list.iter().find(|x| x.id == id).map_or(format!("#{id}"), |x| x.name.clone());
    match e.kind {
        CatalogKind::Equipment => {
            format!("{}{}", money(e.default_charge_cents), if e.collection_item { " · collection item" } else { "" })
        }
        CatalogKind::Package => e
            .items
            .iter()
            .map(|i| format!("{} × {}", i.quantity, name_of(&c.equipment, i.equipment_id)))
            .collect::<Vec<_>>()
            .join(", "),
        CatalogKind::OrderTemplate => {
            let r: Vec<String> = e
                .mmr_ids
                .iter()
                .map(|id| {
                    rates
                        .iter()
                        .find(|r| r.id == *id)
                        .map_or(format!("#{id}"), |r| r.name.clone().unwrap_or_else(|| money(r.amount_cents)))
                })
                .collect();
            let p: Vec<String> = e.package_ids.iter().map(|id| name_of(&c.packages, *id)).collect();
            format!(
                "Rates: {} · Packages: {}",
                if r.is_empty() { "none".into() } else { r.join(", ") },
                if p.is_empty() { "none".into() } else { p.join(", ") }
            )
        }
        CatalogKind::WireType | CatalogKind::SoldBy => String::new(),
    }
}

#[component]
pub fn CatalogAdmin() -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let catalog = use_state(|| None::<Result<Catalog, ApiError>>);
    let rates = use_state(|| None::<MmrSettings>);
    let users = use_state(CustomerFormOptions::default);
    let attempt = use_state(|| 0u32);
    let kind = use_state(|| CatalogKind::Equipment);
    let name = use_state(String::new);
    let charge = use_state(String::new);
    let collection = use_state(|| false);
    let picked = use_state(IdMap::<u32>::new);
    let user = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    {
        let (catalog, rates, users, client) = (catalog.clone(), rates.clone(), users.clone(), session.client());
        use_effect_with(*attempt, move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    catalog.set(Some(client.call::<ops::GetCatalog>(&(), &NoQuery {}, &()).await));
                    if let Ok(r) = client.mmr_settings().await {
                        rates.set(Some(r));
                    }
                    if let Ok(o) = client.customer_form_options().await {
                        users.set(o);
                    }
                });
            }
        });
    }
    let c = match &*catalog {
        None => return html! { <p class="loading">{ "Loading the catalog…" }</p> },
        Some(Err(e)) => return html! { <p class="error-box" role="alert">{ e.message() }</p> },
        Some(Ok(c)) => c.clone(),
    };
    let toggle = |e: &CatalogEntry| {
        let (client, attempt, toasts) = (session.client(), attempt.clone(), toasts.clone());
        let (id, kind, version, active) = (e.id, e.kind, e.version, e.active);
        crate::h::cb(move |_: Event| {
            let Some(client) = client.clone() else { return };
            let (attempt, toasts) = (attempt.clone(), toasts.clone());
            let body =
                CatalogSave { kind: Some(kind), version: Some(version), active: Some(!active), ..Default::default() };
            crate::spawn(async move {
                if let Err(e) = client.call::<ops::UpdateCatalogEntry>(&CatalogPath { id }, &NoQuery {}, &body).await {
                    toasts.error("Could not save the entry", Some(e.message()));
                }
                attempt.set(*attempt + 1);
            });
        })
    };
    let create = {
        let (client, kind, name, charge, collection, picked, user, error, attempt, toasts) = (
            session.client(),
            kind.clone(),
            name.clone(),
            charge.clone(),
            collection.clone(),
            picked.clone(),
            user.clone(),
            error.clone(),
            attempt.clone(),
            toasts.clone(),
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let k = *kind;
            let mut body = CatalogSave { kind: Some(k), ..Default::default() };
            if k == CatalogKind::SoldBy {
                body.user_id = Some((*user).clone());
            } else {
                body.name = Some((*name).clone());
            }
            match k {
                CatalogKind::Equipment => {
                    body.default_charge_cents =
                        Some(cents_of(&charge).map_or_else(|| Value::from(charge.trim()), Value::from));
                    body.collection_item = Some(*collection);
                }
                // The picks are equipment and quantities for a package; rates and packages for a template.
                CatalogKind::Package => {
                    body.items = Some(
                        picked
                            .iter()
                            .filter_map(|(id, q)| {
                                Some(PackageItem { equipment_id: u32::try_from(id).ok()?, quantity: *q })
                            })
                            .collect(),
                    );
                }
                CatalogKind::OrderTemplate => {
                    body.mmr_ids = Some(picked.ids().iter().filter_map(|k| u32::try_from(*k).ok()).collect());
                    body.package_ids = Some(
                        picked
                            .ids()
                            .iter()
                            .filter_map(|k| k.checked_sub(PACKAGE_KEYS))
                            .filter_map(|k| u32::try_from(k).ok())
                            .collect(),
                    );
                }
                _ => {}
            }
            let (error, attempt, toasts, name, picked) =
                (error.clone(), attempt.clone(), toasts.clone(), name.clone(), picked.clone());
            crate::spawn(async move {
                match client.call::<ops::CreateCatalogEntry>(&(), &NoQuery {}, &body).await {
                    Ok(e) => {
                        toasts.info(&format!("{} added", e.name));
                        error.set(None);
                        name.set(String::new());
                        picked.set(IdMap::new());
                        attempt.set(*attempt + 1);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let set_text = |s: &UseStateHandle<String>| {
        let s = s.clone();
        crate::h::cb(move |e: Event| s.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
    };
    let pick = |key: u64, with_quantity: bool| {
        let picked = picked.clone();
        crate::h::cb(move |e: Event| {
            let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
            let mut next = (*picked).clone();
            let n = if with_quantity {
                input.value().trim().parse::<u32>().unwrap_or(0)
            } else {
                u32::from(input.checked())
            };
            if n > 0 {
                next.insert(key, n);
            } else {
                next.remove(key);
            }
            picked.set(next);
        })
    };
    let rate_list = rates.as_ref().map(|r| r.rates.clone()).unwrap_or_default();
    let kinds = CatalogKind::ALL;
    let k = *kind;
    html! {
        <section class="admin-page catalog-admin" data-testid="catalog-admin">
            <header class="page-header"><h1>{ "Equipment & Order Templates" }</h1></header>
            { for kinds.iter().map(|kk| html! {
                <section class="card" data-testid={format!("catalog-{}", kk.as_str())}>
                    <h2>{ title(*kk) }</h2>
                    <ul class="plain-list">
                        { for entries(&c, *kk).iter().map(|e| html! {
                            <li data-testid="catalog-entry" data-id={e.id.to_string()}>
                                <label class="check"><input type="checkbox" checked={e.active} onchange={toggle(e)} aria-label={format!("{} active", e.name)} />{ " " }</label>
                                <strong>{ e.name.clone() }</strong>{ " " }<span class="muted small">{ describe(&c, e, &rate_list) }</span>
                            </li>
                        }) }
                    </ul>
                </section>
            }) }
            <form class="card inline-form" data-testid="catalog-form" onsubmit={create}>
                <h2>{ "Add" }</h2>
                <label>{ "Kind" }
                    <select data-testid="catalog-kind" onchange={{ let (kind, picked) = (kind.clone(), picked.clone()); crate::h::cb(move |e: Event| {
                        let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
                        if let Some(x) = CatalogKind::ALL.iter().find(|x| x.as_str() == v) { kind.set(*x); picked.set(IdMap::new()); }
                    }) }}>
                        { for kinds.iter().map(|kk| html! { <option value={kk.as_str()} selected={*kk == k}>{ title(*kk) }</option> }) }
                    </select>
                </label>
                if k == CatalogKind::SoldBy {
                    <label>{ "User" }
                        <select data-testid="catalog-user" onchange={{ let u = user.clone(); crate::h::cb(move |e: Event| u.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value())) }}>
                            <option value="">{ "Choose a user" }</option>
                            { for users.sold_by.iter().map(|u| html! { <option value={u.id.to_string()} selected={*user == u.id.to_string()}>{ u.name.clone() }</option> }) }
                        </select>
                    </label>
                } else {
                    <label>{ "Name" }<input type="text" value={(*name).clone()} onchange={set_text(&name)} data-testid="catalog-name" /></label>
                }
                if k == CatalogKind::Equipment {
                    <label>{ "Default charge ($)" }<input type="text" inputmode="decimal" value={(*charge).clone()} onchange={set_text(&charge)} data-testid="catalog-charge" /></label>
                    <label class="check"><input type="checkbox" checked={*collection} onchange={{ let c = collection.clone(); crate::h::cb(move |e: Event| c.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked())) }} />{ " Collection item" }</label>
                }
                if k == CatalogKind::Package {
                    <fieldset><legend>{ "Equipment and quantities" }</legend>
                        { for c.equipment.iter().filter(|e| e.active && !e.collection_item).map(|e| html! {
                            <label>{ e.name.clone() }<input type="number" min="0" value={picked.get(u64::from(e.id)).map(|q| q.to_string()).unwrap_or_default()} onchange={pick(u64::from(e.id), true)} data-testid="catalog-pick-equipment" data-id={e.id.to_string()} /></label>
                        }) }
                    </fieldset>
                }
                if k == CatalogKind::OrderTemplate {
                    <fieldset><legend>{ "Monthly rates" }</legend>
                        { for rate_list.iter().filter(|r| r.active).map(|r| html! {
                            <label class="check"><input type="checkbox" checked={picked.contains(u64::from(r.id))} onchange={pick(u64::from(r.id), false)} data-testid="catalog-pick-rate" data-id={r.id.to_string()} />{ format!(" {}", r.name.clone().unwrap_or_else(|| money(r.amount_cents))) }</label>
                        }) }
                    </fieldset>
                    <fieldset><legend>{ "Packages" }</legend>
                        { for c.packages.iter().filter(|p| p.active).map(|p| html! {
                            <label class="check"><input type="checkbox" checked={picked.contains(PACKAGE_KEYS + u64::from(p.id))} onchange={pick(PACKAGE_KEYS + u64::from(p.id), false)} data-testid="catalog-pick-package" data-id={p.id.to_string()} />{ format!(" {}", p.name) }</label>
                        }) }
                    </fieldset>
                }
                { for error.as_ref().map(|e| html! {
                    <div class="error-box" role="alert" data-testid="catalog-error"><p>{ e.message() }</p>
                        { for e.errors.iter().map(|f| html! { <p>{ format!("{}: {}", f.field, f.message) }</p> }) }</div>
                }) }
                <button type="submit" class="button" data-testid="catalog-save">{ "Add" }</button>
            </form>
        </section>
    }
}
