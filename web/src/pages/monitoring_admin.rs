//! Admin: monitoring companies (name, kind, active, dealer number required, PreCheck Order Enabled; each change
//! saved with the company's version) and the Credit Checks add-on (on or off, its bureaus).

use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use vigil_api::credit::{CreditSettings, CreditSettingsView};
use vigil_api::monitoring::{MonitoringCompany, MonitoringCompanyForm, MonitoringKind};
use yew::prelude::*;

#[component]
pub fn MonitoringAdmin() -> Html {
    let session = use_session();
    let companies = use_state(Vec::<MonitoringCompany>::new);
    let credit = use_state(|| None::<CreditSettingsView>);
    let error = use_state(|| None::<String>);
    let reload = use_state(|| 0u32);
    let name = use_state(String::new);
    let kind = use_state(|| MonitoringKind::Other);
    {
        let (companies, credit, client) = (companies.clone(), credit.clone(), session.client());
        use_effect_with(*reload, move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(list) = client.monitoring_companies().await {
                        companies.set(list);
                    }
                    credit.set(client.credit_settings().await.ok());
                });
            }
        });
    }
    let done = {
        let (reload, error) = (reload.clone(), error.clone());
        move |r: Result<(), String>| {
            match r {
                Ok(()) => error.set(None),
                Err(m) => error.set(Some(m)),
            }
            reload.set(*reload + 1);
        }
    };
    let toggle = |m: &MonitoringCompany, which: &'static str| {
        let (client, m, done) = (session.client(), m.clone(), done.clone());
        crate::h::cb(move |e: Event| {
            let on = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
            let Some(client) = client.clone() else { return };
            let mut form = MonitoringCompanyForm { version: Some(m.version), ..Default::default() };
            match which {
                "active" => form.active = Some(on),
                "dealer" => form.dealer_number_required = Some(on),
                _ => form.precheck_order_enabled = Some(on),
            }
            let (done, id) = (done.clone(), m.id);
            crate::spawn(async move {
                done(client.update_monitoring_company(id, &form).await.map(|_| ()).map_err(|e| e.message()));
            });
        })
    };
    let add = {
        let (client, name, kind, done) = (session.client(), name.clone(), kind.clone(), done.clone());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let form = MonitoringCompanyForm { name: Some((*name).clone()), kind: Some(*kind), ..Default::default() };
            let (done, name) = (done.clone(), name.clone());
            crate::spawn(async move {
                let r = client.create_monitoring_company(&form).await.map(|_| ()).map_err(|e| e.message());
                if r.is_ok() {
                    name.set(String::new());
                }
                done(r);
            });
        })
    };
    let credit_toggle = {
        let (client, credit, done) = (session.client(), credit.clone(), done.clone());
        crate::h::cb(move |e: Event| {
            let on = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
            let (Some(client), Some(c)) = (client.clone(), (*credit).clone()) else { return };
            let mut body = CreditSettings { enabled: on, ..c.settings.clone() };
            if on && body.bureaus.is_empty() {
                body.bureaus = c.available.iter().map(|b| b.id.clone()).collect();
            }
            let done = done.clone();
            crate::spawn(async move {
                done(client.put_credit_settings(&body).await.map(|_| ()).map_err(|e| e.message()));
            });
        })
    };
    let check = |m: &MonitoringCompany, which: &'static str, on: bool| {
        html! { <td><input type="checkbox" checked={on} data-testid={format!("monitoring-{which}")} aria-label={format!("{} {which}", m.name)} onchange={toggle(m, which)} /></td> }
    };
    html! {
        <section class="card" aria-labelledby="admin-monitoring" data-testid="monitoring-admin">
            <h2 id="admin-monitoring">{ "Monitoring companies & credit" }</h2>
            { for error.as_ref().map(|m| html! { <p class="error-box" role="alert">{ m.clone() }</p> }) }
            { for credit.as_ref().map(|c| html! {
                <label class="check" data-testid="credit-settings">
                    <input type="checkbox" data-testid="credit-enabled" checked={c.settings.enabled} onchange={credit_toggle.clone()} />
                    { format!(" Credit Checks add-on ({})", c.available.iter().filter(|b| c.settings.bureaus.contains(&b.id)).map(|b| b.name.clone()).collect::<Vec<_>>().join(", ")) }
                </label>
            }) }
            <table class="simple-table" data-testid="monitoring-companies">
                <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "Kind" }</th><th scope="col">{ "Active" }</th>
                    <th scope="col">{ "Dealer number required" }</th><th scope="col">{ "PreCheck Order Enabled" }</th></tr></thead>
                <tbody>
                    { for companies.iter().map(|m| html! {
                        <tr key={m.id} data-testid="monitoring-company">
                            <td>{ m.name.clone() }</td><td>{ if m.kind == MonitoringKind::Adt { "ADT" } else { "Other" } }</td>
                            { check(m, "active", m.active) }{ check(m, "dealer", m.dealer_number_required) }{ check(m, "precheck", m.precheck_order_enabled) }
                        </tr>
                    }) }
                </tbody>
            </table>
            <form class="inline-form" onsubmit={add}>
                <label for="monitoring-name">{ "New monitoring company" }</label>
                <input class="input" id="monitoring-name" data-testid="monitoring-name" value={(*name).clone()}
                    oninput={{ let name = name.clone(); crate::h::cb(move |e: InputEvent| name.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value())) }} />
                <select class="input" aria-label="Kind" data-testid="monitoring-kind"
                    onchange={{ let kind = kind.clone(); crate::h::cb(move |e: Event| {
                        let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
                        kind.set(if v == "adt" { MonitoringKind::Adt } else { MonitoringKind::Other });
                    }) }}>
                    <option value="other" selected={*kind == MonitoringKind::Other}>{ "Other" }</option>
                    <option value="adt" selected={*kind == MonitoringKind::Adt}>{ "ADT" }</option>
                </select>
                <button type="submit" class="button" data-testid="monitoring-add">{ "Add" }</button>
            </form>
        </section>
    }
}
