//! Admin › Partner Companies: the list (name, kind, what each sells or buys, active) and the partner form laid out
//! like the manual: the company at the top, the Leads section with its Buys (left) and Sells (right) sides, the
//! Customers section likewise, and the Access section. Required fields are marked (some only once their side is
//! checked); the server's messages show beside the inputs they name. An existing partner's Campaigns button opens
//! the campaign dialog.

use crate::api::{ApiError, CampaignView, MessageTemplate, OfficeLocation, PartnerView};
use crate::app::Route;
use crate::components::field_errors::{self, FieldErrors};
use crate::components::modal::Modal;
use crate::components::pager::{CursorTrail, Pager};
use crate::components::route_link::RouteLink;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::router::use_navigator;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use serde_json::{Map, Value};
use vigil_api::common::FieldPath;
use vigil_api::ops::{self, HistoryQuery};
use vigil_api::partners::{PartnerReturnKind, PartnerReturnsPage};
use vigil_api::selling::{DeliveryStatus, SaleToPartner, SalesQuery, SoldKind};
use vigil_domain::{Action, Resource};
use vigil_json::ToJson;
use yew::prelude::*;

/// The list fields the form edits as text, one address per line.
const EMAIL_LISTS: &[&str] = &[
    "lead_purchase_emails",
    "lead_return_emails",
    "lead_sale_emails",
    "customer_purchase_emails",
    "customer_return_emails",
    "customer_sale_emails",
];
/// The fields the form sends as numbers (chosen in selects).
const IDS: &[&str] =
    &["lead_auto_response_template_id", "customer_auto_response_template_id", "default_office_location_id"];
/// Fields a read carries that the form does not send back.
const READ_ONLY: &[&str] = &["id", "version", "campaigns", "lead_post_key_set", "customer_post_key_set"];

fn by_field(e: &ApiError) -> FieldErrors {
    let mut out = field_errors::by_field(&e.errors);
    if out.is_empty() {
        out.insert("form".into(), e.message());
    }
    out
}

fn flags(p: &PartnerView) -> String {
    let s = &p.settings;
    let mut out = Vec::new();
    for (on, label) in [
        (s.sells_leads, "Sells leads"),
        (s.sells_customers, "Sells customers"),
        (s.buys_leads, "Buys leads"),
        (s.buys_customers, "Buys customers"),
    ] {
        if on {
            out.push(label);
        }
    }
    if out.is_empty() {
        "—".into()
    } else {
        out.join(", ")
    }
}

#[component]
pub fn PartnerList() -> Html {
    let session = use_session();
    let load = use_state(|| None::<Result<Vec<PartnerView>, ApiError>>);
    {
        let (load, client) = (load.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move { load.set(Some(client.partner_views().await)) });
            }
        });
    }
    let may_create =
        session.me.as_ref().is_some_and(|m| m.permissions.allows_somewhere(Resource::PartnerCompanies, Action::Create));
    let body = match &*load {
        None => html! { <p class="loading">{ "Loading partner companies…" }</p> },
        Some(Err(e)) if e.is_forbidden() => {
            html! { <p class="error-box" role="alert">{ "You do not have permission to see partner companies." }</p> }
        }
        Some(Err(e)) => {
            html! { <p class="error-box" role="alert">{ format!("Could not load partner companies: {}", e.message()) }</p> }
        }
        Some(Ok(list)) if list.is_empty() => html! {
            <p class="empty-state" data-testid="partners-empty">{ "No partner companies yet. Add the companies you buy leads or customers from, or sell them to." }</p>
        },
        Some(Ok(list)) => html! {
            <table class="table" data-testid="partner-table">
                <thead><tr><th>{ "Company name" }</th><th>{ "Kind" }</th><th>{ "Sells / buys" }</th><th>{ "Active" }</th></tr></thead>
                <tbody>
                    { for list.iter().map(|p| html! {
                        <tr key={p.id.0} data-testid="partner-row" data-id={p.id.0.to_string()}>
                            <td><RouteLink to={Route::AdminPartner { id: p.id.0.to_string() }} testid="partner-link">{ p.settings.name.clone() }</RouteLink></td>
                            <td>{ match p.settings.kind { vigil_api::partners::PartnerKind::Outside => "Outside", vigil_api::partners::PartnerKind::Inside => "Inside" } }</td>
                            <td>{ flags(p) }</td>
                            <td data-testid="partner-active">{ if p.settings.active { "Yes" } else { "No" } }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        },
    };
    html! {
        <section class="admin-page" data-testid="partners-admin">
            <header class="page-header">
                <h1>{ "Partner Companies" }</h1>
                if may_create {
                    <RouteLink to={Route::NewPartner} class="button" testid="add-partner">{ "Add Partner Company" }</RouteLink>
                }
            </header>
            <section class="card">{ body }</section>
        </section>
    }
}

/// The form's state: every field by its API name, as the inputs hold it (email lists as text, IDs as strings).
type Draft = Map<String, Value>;

fn draft_of(p: &PartnerView) -> Draft {
    let mut d = match vigil_json::ToJson::to_json(p) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for f in READ_ONLY {
        d.remove(*f);
    }
    for f in EMAIL_LISTS {
        let text = d
            .get(*f)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"))
            .unwrap_or_default();
        d.insert((*f).into(), text.to_json());
    }
    for f in IDS {
        let text = d.get(*f).and_then(Value::as_u64).map(|n| n.to_string()).unwrap_or_default();
        d.insert((*f).into(), text.to_json());
    }
    d
}

fn blank_draft() -> Draft {
    let mut d = Map::new();
    d.insert("kind".into(), Value::from("outside"));
    d.insert("active".into(), true.to_json());
    d.insert("lead_queue_priority".into(), Value::from("normal"));
    d
}

/// The request body: the draft with lists and IDs in their API shape; blank selects are `null`.
fn body_of(d: &Draft) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in d {
        let key = k.as_str();
        let value = if EMAIL_LISTS.contains(&key) {
            let text = v.as_str().unwrap_or_default();
            text.split(['\n', ',', ';']).map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().to_json()
        } else if IDS.contains(&key) {
            match v.as_str().and_then(|s| s.parse::<u64>().ok()) {
                Some(n) => n.to_json(),
                None => Value::Null,
            }
        } else if matches!(key, "default_lead_location" | "lead_delivery_method" | "customer_delivery_method")
            && v.as_str() == Some("")
        {
            Value::Null
        } else if matches!(key, "lead_post_key" | "customer_post_key") {
            // Only a key typed in is sent: a blank input keeps the stored one.
            match v.as_str() {
                Some(s) if !s.is_empty() => s.to_json(),
                _ => continue,
            }
        } else {
            v.clone()
        };
        out.insert(k.clone(), value);
    }
    out
}

fn text_of(d: &Draft, f: &str) -> String {
    d.get(f).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn bool_of(d: &Draft, f: &str) -> bool {
    d.get(f).and_then(Value::as_bool).unwrap_or(false)
}

#[derive(Properties, PartialEq)]
pub struct PartnerPageProps {
    /// The partner's ID; none for Add Partner Company.
    #[prop_or_default]
    pub id: Option<String>,
}

#[component]
pub fn PartnerPage(props: &PartnerPageProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let navigator = use_navigator();
    let id: Option<u32> = props.id.as_deref().and_then(|s| s.parse().ok());
    let partner = use_state(|| None::<PartnerView>);
    let load_error = use_state(|| None::<String>);
    let draft = use_state(blank_draft);
    let errors = use_state(FieldErrors::new);
    let busy = use_state(|| false);
    let templates = use_state(Vec::<MessageTemplate>::new);
    let locations = use_state(Vec::<OfficeLocation>::new);
    let campaigns_open = use_state(|| false);
    let may_change = session.me.as_ref().is_some_and(|m| {
        m.permissions
            .allows_somewhere(Resource::PartnerCompanies, if id.is_some() { Action::Modify } else { Action::Create })
    });

    {
        let (partner, draft, load_error, templates, locations, client) = (
            partner.clone(),
            draft.clone(),
            load_error.clone(),
            templates.clone(),
            locations.clone(),
            session.client(),
        );
        use_effect_with(id, move |id| {
            let id = *id;
            if let Some(client) = client {
                crate::spawn(async move {
                    // Templates are an admin read; without it the selects offer none.
                    templates.set(client.message_templates().await.unwrap_or_default());
                    locations.set(client.office_locations().await.unwrap_or_default());
                    if let Some(id) = id {
                        match client.partner(id).await {
                            Ok(p) => {
                                draft.set(draft_of(&p));
                                partner.set(Some(p));
                            }
                            Err(e) => load_error.set(Some(e.message())),
                        }
                    }
                });
            }
        });
    }
    if props.id.is_some() && id.is_none() {
        return html! { <p class="error-box" role="alert">{ "No such partner company." }</p> };
    }
    if let Some(m) = &*load_error {
        return html! { <p class="error-box" role="alert">{ format!("Could not load the partner company: {m}") }</p> };
    }
    if id.is_some() && partner.is_none() {
        return html! { <p class="loading">{ "Loading the partner company…" }</p> };
    }

    let set = {
        let draft = draft.clone();
        crate::h::cb(move |(f, v): (String, Value)| {
            let mut next = (*draft).clone();
            next.insert(f, v);
            draft.set(next);
        })
    };

    let on_submit = {
        let (draft, errors, busy, client, partner, toasts, report, navigator) = (
            draft.clone(),
            errors.clone(),
            busy.clone(),
            session.client(),
            partner.clone(),
            toasts.clone(),
            report.clone(),
            navigator.clone(),
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let mut body = body_of(&draft);
            let current = (*partner).clone();
            if let Some(p) = &current {
                body.insert("version".into(), p.version.to_json());
            }
            busy.set(true);
            let (draft, errors, busy, partner, toasts, report, navigator) = (
                draft.clone(),
                errors.clone(),
                busy.clone(),
                partner.clone(),
                toasts.clone(),
                report.clone(),
                navigator.clone(),
            );
            crate::spawn(async move {
                let saved = match &current {
                    Some(p) => client.update_partner(p.id.0, &body).await,
                    None => client.create_partner(&body).await,
                };
                match saved {
                    Ok(p) => {
                        errors.set(FieldErrors::new());
                        toasts.info(&format!("Partner company \"{}\" saved", p.settings.name));
                        if current.is_none() {
                            if let Some(nav) = &navigator {
                                nav.push(&Route::AdminPartner { id: p.id.0.to_string() });
                            }
                        } else {
                            draft.set(draft_of(&p));
                            partner.set(Some(p));
                        }
                    }
                    Err(e) if e.is_conflict() => {
                        errors.set(FieldErrors::from([("form".to_owned(), e.message())]));
                    }
                    Err(e) if e.status == 422 || e.is_forbidden() => errors.set(by_field(&e)),
                    Err(e) => report.emit(e),
                }
                busy.set(false);
            });
        })
    };

    let on_delete = {
        let (client, partner, errors, toasts, navigator) =
            (session.client(), partner.clone(), errors.clone(), toasts.clone(), navigator.clone());
        crate::h::cb(move |_: MouseEvent| {
            let (Some(client), Some(p)) = (client.clone(), (*partner).clone()) else { return };
            let (errors, toasts, navigator) = (errors.clone(), toasts.clone(), navigator.clone());
            crate::spawn(async move {
                match client.delete_partner(p.id.0, p.version).await {
                    Ok(()) => {
                        toasts.info(&format!("Partner company \"{}\" deleted", p.settings.name));
                        if let Some(nav) = &navigator {
                            nav.push(&Route::AdminPartners);
                        }
                    }
                    Err(e) => errors.set(FieldErrors::from([("form".to_owned(), e.message())])),
                }
            });
        })
    };

    let f = Fields {
        prefix: "partner",
        draft: (*draft).clone(),
        errors: (*errors).clone(),
        set,
        busy: *busy || !may_change,
    };
    let d = &*draft;
    let template_options: Vec<(String, String)> =
        templates.iter().map(|t| (t.id.to_string(), t.name.clone())).collect();
    let location_options: Vec<(String, String)> =
        locations.iter().map(|l| (l.id.0.to_string(), l.name.clone())).collect();
    let title = partner.as_ref().map(|p| p.settings.name.clone()).unwrap_or_else(|| "Add Partner Company".into());
    let open_campaigns = {
        let campaigns_open = campaigns_open.clone();
        crate::h::cb(move |_: MouseEvent| campaigns_open.set(true))
    };
    let close_campaigns = {
        let campaigns_open = campaigns_open.clone();
        crate::h::cb(move |()| campaigns_open.set(false))
    };
    html! {
        <section class="admin-page" data-testid="partner-page">
            <header class="page-header">
                <h1>{ title }</h1>
                <RouteLink to={Route::AdminPartners} testid="back-to-partners">{ "All partner companies" }</RouteLink>
            </header>
            <form class="card admin-form partner-form" onsubmit={on_submit} novalidate=true data-testid="partner-form">
                <p class="muted">{ "Fields marked * are required to save." }</p>
                if let Some(m) = errors.get("form") { <p class="error-box" role="alert" data-testid="partner-form-error">{ m.clone() }</p> }
                <fieldset>
                    <legend>{ "Company" }</legend>
                    <div class="form-row">
                        { f.text("name", "Company name", true) }
                        { f.text("contact_person", "Contact person", false) }
                        { f.text("phone", "Phone", false) }
                        { f.text("email", "Email", false) }
                    </div>
                    <div class="form-row">
                        { f.text("address1", "Address", false) }
                        { f.text("city", "City", false) }
                        { f.text("state", "State", false) }
                        { f.text("zip", "Zip", false) }
                    </div>
                    <div class="form-row">
                        { f.select("kind", "Kind", true, &[("outside".into(), "Outside (another company)".into()), ("inside".into(), "Inside (your own company)".into())], false) }
                        { f.check("active", "Active") }
                    </div>
                    { f.area("notes", "Notes", false) }
                </fieldset>
                <fieldset data-testid="partner-leads">
                    <legend>{ "Leads" }</legend>
                    <div class="form-row partner-sides">
                        { buys_side(&f, d, Side::Leads, partner.as_ref().is_some_and(|p| p.lead_post_key_set)) }
                        <div class="partner-side" data-testid="partner-sells-leads">
                            <h3>{ "Sells leads to you" }</h3>
                            { f.check("sells_leads", "Sells Leads") }
                            { f.select("default_lead_location", "Default lead location", bool_of(d, "sells_leads"), &[("pending".into(), "Pending".into()), ("queue".into(), "Queue".into())], true) }
                            { f.check("force_default_lead_location", "Force default lead location") }
                            { f.area("lead_purchase_emails", "Purchase notification email(s)", false) }
                            { f.area("lead_return_emails", "Return notification email(s)", false) }
                            { f.check("include_call_center_comments_with_return", "Include call center comments w/ return") }
                            { f.select("lead_auto_response_template_id", "Auto response email", false, &template_options, true) }
                            { f.select("lead_queue_priority", "Lead queue priority", false, &[("normal".into(), "Normal".into()), ("medium".into(), "Medium".into()), ("high".into(), "High".into())], false) }
                        </div>
                    </div>
                </fieldset>
                <fieldset data-testid="partner-customers">
                    <legend>{ "Customers" }</legend>
                    <div class="form-row partner-sides">
                        { buys_side(&f, d, Side::Customers, partner.as_ref().is_some_and(|p| p.customer_post_key_set)) }
                        <div class="partner-side" data-testid="partner-sells-customers">
                            <h3>{ "Sells customers to you" }</h3>
                            { f.check("sells_customers", "Sells Customers") }
                            { f.select("default_office_location_id", "Default office location for incoming customers", bool_of(d, "sells_customers"), &location_options, true) }
                            { f.area("customer_purchase_emails", "Purchase notification email(s)", false) }
                            { f.area("customer_return_emails", "Return notification email(s)", false) }
                            { f.select("customer_auto_response_template_id", "Auto response email", false, &template_options, true) }
                        </div>
                    </div>
                </fieldset>
                <fieldset data-testid="partner-access">
                    <legend>{ "Vigil access" }</legend>
                    <div class="form-row">
                        { f.check("allow_login", "Allow login") }
                        { f.text("login_username", "Username (email)", bool_of(d, "allow_login")) }
                    </div>
                    <p class="muted" data-testid="partner-access-hint">{ "Read-only access to the customers attributed to this partner.                         Saving sends the partner's email an invitation with the username; the password is set at sign-in." }</p>
                </fieldset>
                <div class="actions">
                    if may_change {
                        <button type="submit" class="button" disabled={*busy} data-testid="partner-save">{ "Save" }</button>
                    }
                    if partner.is_some() && may_change {
                        <button type="button" class="button secondary" data-testid="partner-delete" onclick={on_delete}>{ "Delete" }</button>
                    }
                    if partner.is_some() {
                        <button type="button" class="button secondary" data-testid="partner-campaigns" onclick={open_campaigns}>{ "Campaigns" }</button>
                    }
                </div>
            </form>
            if *campaigns_open {
                if let Some(p) = &*partner {
                    <CampaignDialog partner={p.id.0} name={p.settings.name.clone()} on_close={close_campaigns} />
                }
            }
            if let Some(p) = &*partner {
                if p.settings.buys_leads || p.settings.buys_customers {
                    <PartnerSales partner={p.id.0} />
                }
                <PartnerReturns partner={p.id.0} />
            }
        </section>
    }
}

// ---------------------------------------------------------------------------------------------------------------
// What was sold to the partner and how each delivery stands.

#[derive(Properties, PartialEq)]
struct PartnerSalesProps {
    partner: u32,
}

/// How often the list is read again while a delivery is still on its way (queued or retrying).
const SALES_REFRESH_MS: u32 = 3_000;

fn status_label(d: &SaleToPartner) -> String {
    let base = match d.status {
        DeliveryStatus::Queued => "Queued",
        DeliveryStatus::Delivered => "Delivered",
        DeliveryStatus::Retrying => "Retrying",
        DeliveryStatus::Failed => "Failed",
    };
    match &d.reason {
        Some(r) if matches!(d.status, DeliveryStatus::Retrying | DeliveryStatus::Failed) => format!("{base}: {r}"),
        _ => base.to_owned(),
    }
}

/// The partner's sales, newest first, each delivery with its status (and the reason of a failed or retried one);
/// read again every few seconds while one is still on its way, and on Refresh.
#[component]
fn PartnerSales(props: &PartnerSalesProps) -> Html {
    let session = use_session();
    let sales = use_state(|| None::<Result<Vec<SaleToPartner>, ApiError>>);
    let round = use_state(|| 0u32);
    {
        let (sales, client, partner, round) = (sales.clone(), session.client(), props.partner, round.clone());
        use_effect_with((partner, *round), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    let query = SalesQuery { partner_id: Some(partner) };
                    let got = client.call::<ops::ListSalesToPartners>(&(), &query, &()).await.map(|p| p.items);
                    let pending = got.as_ref().is_ok_and(|list| {
                        list.iter().any(|d| matches!(d.status, DeliveryStatus::Queued | DeliveryStatus::Retrying))
                    });
                    sales.set(Some(got));
                    if pending {
                        gloo_timers::future::TimeoutFuture::new(SALES_REFRESH_MS).await;
                        round.set(*round + 1);
                    }
                });
            }
        });
    }
    let refresh = {
        let round = round.clone();
        crate::h::cb(move |_: MouseEvent| round.set(*round + 1))
    };
    let body = match &*sales {
        None => html! { <p class="loading">{ "Loading sales…" }</p> },
        Some(Err(e)) => html! { <p class="error-box" role="alert">{ e.message() }</p> },
        Some(Ok(list)) if list.is_empty() => {
            html! { <p class="empty-state" data-testid="sales-empty">{ "Nothing sold to this partner yet." }</p> }
        }
        Some(Ok(list)) => html! {
            <table class="table" data-testid="sales-table">
                <thead><tr><th>{ "Sale" }</th><th>{ "Record" }</th><th>{ "Sold" }</th><th>{ "By" }</th><th>{ "Delivery" }</th></tr></thead>
                <tbody>
                    { for list.iter().map(|d| html! {
                        <tr key={format!("{}-{}", d.sale_id, d.record_id)} data-testid="sale-row" data-record={d.record_id.to_string()}
                            data-status={format!("{:?}", d.status).to_ascii_lowercase()}>
                            <td>{ format!("#{}", d.sale_id) }</td>
                            <td>{ format!("{} #{}", match d.kind { SoldKind::Lead => "Lead", SoldKind::Customer => "Customer" }, d.record_id) }</td>
                            <td>{ crate::components::format::date_time(&d.sold_at) }</td>
                            <td>{ d.sold_by.clone() }</td>
                            <td data-testid="sale-status">{ status_label(d) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        },
    };
    html! {
        <section class="card" data-testid="partner-sales" aria-label="Sales to this partner">
            <div class="card-head">
                <h2>{ "Sales to this partner" }</h2>
                <button type="button" class="button secondary small" data-testid="sales-refresh" onclick={refresh}>{ "Refresh" }</button>
            </div>
            { body }
        </section>
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The partner's returns report: leads returned to it and its posts refused as duplicates.

#[derive(Properties, PartialEq)]
struct PartnerReturnsProps {
    partner: u32,
}

/// The counts by kind, then one page of entries, newest first, with the shared cursor pager.
#[component]
fn PartnerReturns(props: &PartnerReturnsProps) -> Html {
    let session = use_session();
    let page = use_state(|| None::<Result<PartnerReturnsPage, ApiError>>);
    let trail = use_state(CursorTrail::default);
    {
        let (page, client, partner) = (page.clone(), session.client(), props.partner);
        use_effect_with((partner, trail.current()), move |(partner, cursor)| {
            let (partner, cursor) = (*partner, cursor.clone());
            if let Some(client) = client {
                crate::spawn(async move {
                    let query = HistoryQuery { per_page: Some(25), cursor };
                    page.set(Some(client.call::<ops::PartnerReturns>(&FieldPath { id: partner }, &query, &()).await));
                });
            }
        });
    }
    let (on_next, on_previous) = crate::components::pager::trail_callbacks(&trail);
    let kind = |k: PartnerReturnKind| match k {
        PartnerReturnKind::Returned => "Returned",
        PartnerReturnKind::DuplicateRejected => "Duplicate rejected",
    };
    let body = match &*page {
        None => html! { <p class="loading">{ "Loading returns…" }</p> },
        Some(Err(e)) => html! { <p class="error-box" role="alert">{ e.message() }</p> },
        Some(Ok(p)) => html! {
            <>
                <p class="muted" data-testid="returns-counts">
                    { format!("Returned: {} · Rejected duplicates: {}", p.counts.returned, p.counts.duplicate_rejected) }
                </p>
                if p.items.is_empty() && trail.page_number() == 1 {
                    <p class="empty-state" data-testid="returns-empty">{ "No returns or rejected duplicates yet" }</p>
                } else {
                    <table class="table" data-testid="returns-table">
                        <thead><tr><th>{ "Kind" }</th><th>{ "Date" }</th><th>{ "Lead" }</th><th>{ "Reason" }</th></tr></thead>
                        <tbody>
                            { for p.items.iter().map(|e| html! {
                                <tr data-testid="return-row" data-kind={e.kind.as_str()}>
                                    <td>{ kind(e.kind) }</td>
                                    <td>{ crate::components::format::date_time(&e.at) }</td>
                                    <td><RouteLink to={Route::Lead { id: e.lead_id.to_string() }} testid="return-lead">{ format!("#{}", e.lead_id) }</RouteLink></td>
                                    <td>{ e.reason.clone().unwrap_or_default() }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                }
                <Pager page_number={trail.page_number()} next_cursor={p.next_cursor.clone()} busy={false} {on_next} {on_previous} />
            </>
        },
    };
    html! {
        <section class="card" data-testid="partner-returns" aria-label="Returns">
            <div class="card-head"><h2>{ "Returns" }</h2></div>
            { body }
        </section>
    }
}

/// Builds the inputs of one draft: each with its label, required mark and the server's message beside it.
/// Which records a side of the partner form is about.
#[derive(Clone, Copy)]
enum Side {
    Leads,
    Customers,
}

/// The "Buys … from you" side: the same settings for leads and for customers, under each one's field prefix.
fn buys_side(f: &Fields, d: &Draft, side: Side, post_key_set: bool) -> Html {
    let (one, many, singular, plural) = match side {
        Side::Leads => ("lead", "leads", "Lead", "Leads"),
        Side::Customers => ("customer", "customers", "Customer", "Customers"),
    };
    let field = |name: &str| format!("{one}_{name}");
    let buys = bool_of(d, &format!("buys_{many}"));
    let method = text_of(d, &field("delivery_method"));
    let delivery = [
        ("vigil".to_owned(), "Vigil (post to the partner's own Vigil)".to_owned()),
        ("email".to_owned(), "Email".to_owned()),
    ];
    html! {
        <div class="partner-side" data-testid={format!("partner-buys-{many}")}>
            <h3>{ format!("Buys {many} from you") }</h3>
            { f.check(&format!("buys_{many}"), &format!("Buys {plural}")) }
            { f.select(&field("delivery_method"), &format!("{singular} delivery method"), buys, &delivery, true) }
            { f.area(&field("sale_emails"), "Sale notification email(s)", buys && method == "email") }
            { f.text(&field("post_url"), "Post URL", buys && method == "vigil") }
            { f.text(&field("source_id"), "Source ID", false) }
            { f.secret(&field("post_key"), "Post key", post_key_set) }
        </div>
    }
}

struct Fields {
    /// Ids and test ids start with it, so the campaign dialog's inputs never share the partner form's.
    prefix: &'static str,
    draft: Draft,
    errors: FieldErrors,
    set: Callback<(String, Value)>,
    busy: bool,
}

impl Fields {
    fn frame(&self, f: &str, label: &str, required: bool, input: Html) -> Html {
        let err = self.errors.get(f).map(|m| {
            html! { <span class="field-error" role="alert" id={format!("{}-{f}-error", self.prefix)} data-testid={format!("{}-error-{f}", self.prefix)}>{ m.clone() }</span> }
        });
        html! {
            <div class={classes!("form-field", self.errors.contains_key(f).then_some("invalid"))}>
                <label for={format!("{}-{f}", self.prefix)}>
                    { label }
                    if required { <span class="required" title="Required" data-testid={format!("{}-required-{f}", self.prefix)}>{ " *" }</span> }
                </label>
                { input }
                { for err }
            </div>
        }
    }

    fn text(&self, f: &str, label: &str, required: bool) -> Html {
        let oninput = {
            let (set, f) = (self.set.clone(), f.to_owned());
            crate::h::cb(move |e: InputEvent| {
                set.emit((f.clone(), Value::from(e.target_unchecked_into::<web_sys::HtmlInputElement>().value())))
            })
        };
        let input = html! {
            <input type="text" class="input" id={format!("{}-{f}", self.prefix)} value={text_of(&self.draft, f)} disabled={self.busy}
                aria-invalid={self.errors.contains_key(f).then_some("true")} aria-required={required.then_some("true")}
                data-testid={format!("{}-input-{f}", self.prefix)} {oninput} />
        };
        self.frame(f, label, required, input)
    }

    /// A write-only key: the input starts empty, saying whether one is stored; typing replaces it.
    fn secret(&self, f: &str, label: &str, is_set: bool) -> Html {
        let oninput = {
            let (set, f) = (self.set.clone(), f.to_owned());
            crate::h::cb(move |e: InputEvent| {
                set.emit((f.clone(), Value::from(e.target_unchecked_into::<web_sys::HtmlInputElement>().value())))
            })
        };
        let placeholder = if is_set { "A key is stored; type to replace it" } else { "None stored" };
        let input = html! {
            <input type="password" class="input" id={format!("{}-{f}", self.prefix)} value={text_of(&self.draft, f)} disabled={self.busy}
                autocomplete="off" placeholder={placeholder} data-testid={format!("{}-input-{f}", self.prefix)} {oninput} />
        };
        self.frame(f, label, false, input)
    }

    fn area(&self, f: &str, label: &str, required: bool) -> Html {
        let oninput = {
            let (set, f) = (self.set.clone(), f.to_owned());
            crate::h::cb(move |e: InputEvent| {
                set.emit((f.clone(), Value::from(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value())))
            })
        };
        let input = html! {
            <textarea class="input" rows="2" id={format!("{}-{f}", self.prefix)} value={text_of(&self.draft, f)} disabled={self.busy}
                aria-invalid={self.errors.contains_key(f).then_some("true")} aria-required={required.then_some("true")}
                data-testid={format!("{}-input-{f}", self.prefix)} {oninput} />
        };
        let label = if EMAIL_LISTS.contains(&f) { format!("{label} (one per line)") } else { label.to_owned() };
        self.frame(f, &label, required, input)
    }

    fn check(&self, f: &str, label: &str) -> Html {
        let onchange = {
            let (set, f) = (self.set.clone(), f.to_owned());
            crate::h::cb(move |e: Event| {
                set.emit((f.clone(), Value::Bool(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked())))
            })
        };
        let err = self.errors.get(f).map(|m| {
            html! { <span class="field-error" role="alert" data-testid={format!("{}-error-{f}", self.prefix)}>{ m.clone() }</span> }
        });
        html! {
            <div class="form-field checkbox-field">
                <input type="checkbox" id={format!("{}-{f}", self.prefix)} checked={bool_of(&self.draft, f)} disabled={self.busy}
                    data-testid={format!("{}-input-{f}", self.prefix)} {onchange} />
                <label for={format!("{}-{f}", self.prefix)}>{ label }</label>
                { for err }
            </div>
        }
    }

    fn select(&self, f: &str, label: &str, required: bool, options: &[(String, String)], blank: bool) -> Html {
        let onchange = {
            let (set, f) = (self.set.clone(), f.to_owned());
            crate::h::cb(move |e: Event| {
                set.emit((f.clone(), Value::from(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value())))
            })
        };
        let current = text_of(&self.draft, f);
        let input = html! {
            <select class="input" id={format!("{}-{f}", self.prefix)} disabled={self.busy} data-testid={format!("{}-input-{f}", self.prefix)}
                aria-invalid={self.errors.contains_key(f).then_some("true")} {onchange}>
                if blank { <option value="" selected={current.is_empty()}>{ "—" }</option> }
                { for options.iter().map(|(v, l)| html! { <option value={v.clone()} selected={*v == current}>{ l.clone() }</option> }) }
            </select>
        };
        self.frame(f, label, required, input)
    }
}

#[derive(Properties, PartialEq)]
struct CampaignDialogProps {
    partner: u32,
    name: String,
    on_close: Callback<()>,
}

/// The partner's campaigns and a form to add one (name, description, direction, the external IDs).
#[component]
fn CampaignDialog(props: &CampaignDialogProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let list = use_state(|| None::<Vec<CampaignView>>);
    let attempt = use_state(|| 0u32);
    let draft = use_state(|| {
        let mut d = Map::new();
        d.insert("direction".into(), Value::from("inbound"));
        d
    });
    let errors = use_state(FieldErrors::new);
    let busy = use_state(|| false);
    {
        let (list, client, partner) = (list.clone(), session.client(), props.partner);
        use_effect_with(*attempt, move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    list.set(Some(client.campaigns(partner).await.unwrap_or_default()));
                });
            }
        });
    }
    let set = {
        let draft = draft.clone();
        crate::h::cb(move |(f, v): (String, Value)| {
            let mut next = (*draft).clone();
            next.insert(f, v);
            draft.set(next);
        })
    };
    let on_add = {
        let (draft, errors, busy, attempt, client, report, partner) = (
            draft.clone(),
            errors.clone(),
            busy.clone(),
            attempt.clone(),
            session.client(),
            report.clone(),
            props.partner,
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let body = (*draft).clone();
            busy.set(true);
            let (draft, errors, busy, attempt, report) =
                (draft.clone(), errors.clone(), busy.clone(), attempt.clone(), report.clone());
            crate::spawn(async move {
                match client.create_campaign(partner, &body).await {
                    Ok(_) => {
                        let mut d = Map::new();
                        d.insert("direction".into(), Value::from("inbound"));
                        draft.set(d);
                        errors.set(FieldErrors::new());
                        attempt.set(*attempt + 1);
                    }
                    Err(e) if e.status == 422 || e.is_forbidden() || e.is_conflict() => errors.set(by_field(&e)),
                    Err(e) => report.emit(e),
                }
                busy.set(false);
            });
        })
    };
    let f = Fields { prefix: "campaign", draft: (*draft).clone(), errors: (*errors).clone(), set, busy: *busy };
    let close = {
        let on_close = props.on_close.clone();
        crate::h::cb(move |_: MouseEvent| on_close.emit(()))
    };
    let remove = |c: &CampaignView| {
        let (client, errors, attempt, id, version) =
            (session.client(), errors.clone(), attempt.clone(), c.id.0, c.version);
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let (errors, attempt) = (errors.clone(), attempt.clone());
            crate::spawn(async move {
                match client.delete_campaign(id, version).await {
                    Ok(()) => {
                        errors.set(FieldErrors::new());
                        attempt.set(*attempt + 1);
                    }
                    // Carried by leads or customers, or changed meanwhile: said in the dialog.
                    Err(e) => errors.set(FieldErrors::from([("form".to_owned(), e.message())])),
                }
            });
        })
    };
    let rows = match &*list {
        None => html! { <p class="loading">{ "Loading campaigns…" }</p> },
        Some(l) if l.is_empty() => {
            html! { <p class="empty-state" data-testid="campaigns-empty">{ "No campaigns yet." }</p> }
        }
        Some(l) => html! {
            <ul class="partner-list" data-testid="campaign-list">
                { for l.iter().map(|c| html! {
                    <li key={c.id.0} class="partner" data-testid="campaign-row">
                        <strong>{ c.name.clone() }</strong>
                        <span class="muted">{ format!(" · {}", match c.direction { vigil_api::partners::CampaignDirection::Inbound => "Inbound", vigil_api::partners::CampaignDirection::Outbound => "Outbound" }) }</span>
                        if !c.external_partner_id.is_empty() {
                            <span class="muted">{ format!(" · external {} / {}", c.external_partner_id, c.external_campaign_id) }</span>
                        }
                        <button type="button" class="button secondary small" aria-label={format!("Delete campaign {}", c.name)}
                            data-testid="campaign-delete" onclick={remove(c)}>{ "Delete" }</button>
                    </li>
                }) }
            </ul>
        },
    };
    html! {
        <Modal title={format!("Campaigns of {}", props.name)} testid="campaign-dialog" on_close={props.on_close.clone()}>
            { rows }
            <form class="admin-form" onsubmit={on_add} novalidate=true data-testid="campaign-form">
                if let Some(m) = errors.get("form") { <p class="error-box" role="alert">{ m.clone() }</p> }
                { f.text("name", "Campaign name", true) }
                { f.text("description", "Description", false) }
                { f.select("direction", "Direction", true, &[("inbound".into(), "Inbound (from the partner)".into()), ("outbound".into(), "Outbound (to the partner)".into())], false) }
                <div class="form-row">
                    { f.text("external_partner_id", "Partner company ID (their system)", false) }
                    { f.text("external_campaign_id", "Campaign ID (their system)", false) }
                </div>
                <div class="actions">
                    <button type="submit" class="button" disabled={*busy} data-testid="campaign-add">{ "Add campaign" }</button>
                    <button type="button" class="button secondary" onclick={close} data-testid="campaign-close">{ "Close" }</button>
                </div>
            </form>
        </Modal>
    }
}
