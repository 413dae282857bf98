//! The lead page (`/leads/{id}`): header with name, ID and stage, Convert to Customer, what a rep does on the lead
//! (`work`), then cards with the profile fields. Written for either kind of record (it says so when a lead became a
//! customer); customers have their own page (`pages::customer`).

use crate::api::{ApiError, OfficeLocation, Partner};
use crate::app::{record_route, Route};
use crate::components::format;
use crate::components::route_link::RouteLink;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::{use_report_error, use_session};
use vigil_domain::record::{Kind, Record};
use vigil_domain::RecordId;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LeadPageProps {
    pub kind: Kind,
    /// As it appears in the URL; parsed here so a bad one gets a clear page instead of a failed call.
    pub id: AttrValue,
}

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Loaded(Box<Record>),
    Missing,
    Failed(ApiError),
}

/// Names for the IDs a record refers to. Best effort: a user who may not list partners or locations sees the IDs.
#[derive(Debug, Clone, PartialEq, Default)]
struct Names {
    locations: Vec<OfficeLocation>,
    partners: Vec<Partner>,
}

impl Names {
    fn location(&self, id: vigil_domain::LocationId) -> String {
        self.locations.iter().find(|l| l.id == id).map(|l| l.name.clone()).unwrap_or_else(|| format!("Location #{id}"))
    }

    fn partner(&self, id: vigil_domain::PartnerId) -> String {
        self.partners.iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or_else(|| format!("Partner #{id}"))
    }

    fn campaign(&self, id: vigil_domain::CampaignId) -> String {
        self.partners
            .iter()
            .flat_map(|p| &p.campaigns)
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| format!("Campaign #{id}"))
    }
}

#[component]
pub fn LeadPage(props: &LeadPageProps) -> Html {
    let kind = props.kind;
    let id = RecordId::parse(&props.id).ok();
    let session = use_session();
    let report = use_report_error();
    let load = use_state(|| Load::Loading);
    let attempt = use_state(|| 0u32);
    let names = use_state(Names::default);

    {
        let (names, client) = (names.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    let locations = client.office_locations().await.unwrap_or_default();
                    let partners = client.partners().await.unwrap_or_default();
                    names.set(Names { locations, partners });
                });
            }
        });
    }

    {
        let (load, client) = (load.clone(), session.client());
        use_effect_with((kind, id, *attempt), move |(kind, id, _)| {
            let (kind, id) = (*kind, *id);
            if let (Some(client), Some(id)) = (client, id) {
                load.set(Load::Loading);
                crate::spawn(async move {
                    load.set(match client.record(kind, id).await {
                        Ok(r) => Load::Loaded(Box::new(r)),
                        Err(e) if e.is_not_found() => Load::Missing,
                        Err(e) => {
                            report.emit(e.clone());
                            Load::Failed(e)
                        }
                    });
                });
            }
        });
    }

    let (list_route, list_label, noun) = match kind {
        Kind::Lead => (Route::Leads, "All leads", "Lead"),
        Kind::Customer => (Route::Customers, "All customers", "Customer"),
    };
    let back = html! {
        <RouteLink to={list_route} class="back-link" testid="back-to-list">{ format!("← {list_label}") }</RouteLink>
    };

    let Some(id) = id else {
        return html! {
            <section class="record-page">
                { back }
                <div class="notice" data-testid="record-missing">
                    <h1>{ format!("{noun} not found") }</h1>
                    <p>{ format!("\"{}\" is not a {} ID; IDs are whole numbers.", props.id, format::lowercase(noun)) }</p>
                </div>
            </section>
        };
    };

    let body = match &*load {
        Load::Loading => {
            html! { <p class="loading" data-testid="loading">{ format!("Loading {} {id}…", format::lowercase(noun)) }</p> }
        }
        Load::Missing => html! {
            <div class="notice" data-testid="record-missing">
                <h1>{ format!("{noun} {id} not found") }</h1>
                <p>{ "It may have been deleted, or it belongs to an office you cannot see." }</p>
            </div>
        },
        Load::Failed(e) => {
            let retry = {
                let attempt = attempt.clone();
                crate::h::cb(move |_| attempt.set(*attempt + 1))
            };
            html! {
                <div class="error-box" role="alert" data-testid="record-error">
                    <p>{ format!("Could not load {} {id}: {}", format::lowercase(noun), e.message()) }</p>
                    <button type="button" class="button secondary" onclick={retry}>{ "Try again" }</button>
                </div>
            }
        }
        Load::Loaded(r) => {
            let work = (kind == Kind::Lead && r.kind == Kind::Lead).then(|| {
                let on_saved = {
                    let load = load.clone();
                    crate::h::cb(move |saved: Record| load.set(Load::Loaded(Box::new(saved))))
                };
                let on_reload = {
                    let attempt = attempt.clone();
                    crate::h::cb(move |()| attempt.set(*attempt + 1))
                };
                html! { <super::work::LeadWork record={(**r).clone()} {on_saved} {on_reload} /> }
            });
            // Convert to Customer: the same record becomes a customer with the same ID.
            let convert = (kind == Kind::Lead
                && r.kind == Kind::Lead
                && r.stage != vigil_domain::record::Stage::Converted)
                .then(|| {
                    html! {
                        <div class="page-actions"><super::convert::ConvertLead id={r.id} version={r.version} /></div>
                    }
                });
            // The reps, changed through the reassignment (lead rep and sales rep, with history).
            let reps = (kind == Kind::Lead && r.kind == Kind::Lead).then(|| {
                let on_saved = {
                    let attempt = attempt.clone();
                    crate::h::cb(move |()| attempt.set(*attempt + 1))
                };
                html! {
                    <super::reps::LeadReps key={r.version.to_string()} id={r.id}
                        lead_rep_id={r.lead_rep_id.as_ref().map(|u| u.to_string())} {on_saved} />
                }
            });
            html! { <>{ for convert }{ record_view(kind, r, &names, work) }{ for reps }</> }
        }
    };

    html! {
        <section class="record-page" data-testid="record-page">
            { back }
            { body }
        </section>
    }
}

fn record_view(route_kind: Kind, r: &Record, names: &Names, work: Option<Html>) -> Html {
    let title = match r.business_name.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => format!("{} ({b})", r.display_name()),
        None => r.display_name(),
    };
    let moved = (r.kind != route_kind).then(|| {
        html! {
            <p class="notice" data-testid="kind-moved">
                { format!("This record is now a {}. ", format::lowercase(format::kind(r.kind))) }
                <RouteLink to={record_route(r.kind, r.id)}>{ format!("Open it as a {}", format::lowercase(format::kind(r.kind))) }</RouteLink>
            </p>
        }
    });
    let address = [
        r.address1.clone().unwrap_or_default(),
        format!("{}, {} {}", r.city, r.state, r.zip.clone().unwrap_or_default()),
    ]
    .into_iter()
    .map(|l| l.trim().trim_end_matches(',').to_owned())
    .filter(|l| !l.is_empty())
    .collect::<Vec<_>>();

    html! {
        <>
            <header class="record-header">
                <div>
                    <p class="record-kind" data-testid="record-kind">{ format!("{} #{}", format::kind(r.kind), r.id) }</p>
                    <h1 data-testid="record-name">{ title }</h1>
                </div>
                <div class="record-status">
                    <span class={classes!("badge", format!("stage-{}", r.stage.as_str()))} data-testid="record-stage">{ format::stage(r.stage) }</span>
                    <span class="stars" aria-label={format!("Rating {} of 5", r.rating)}>{ format::stars(r.rating) }</span>
                </div>
            </header>
            { for moved }
            { for work }
            <div class="cards">
                <section class="card" aria-labelledby="card-contact">
                    <h2 id="card-contact">{ "Contact information" }</h2>
                    <dl class="fields">
                        { field("first_name", "First name", Some(html! { r.first_name.clone() })) }
                        { field("last_name", "Last name", Some(html! { r.last_name.clone() })) }
                        { field("business_name", "Business", text(&r.business_name)) }
                        { field("email", "Email", r.email.as_ref().filter(|e| !e.is_empty()).map(|e| html! {
                            <a href={format!("mailto:{e}")}>{ e.clone() }</a>
                        })) }
                        { field("primary_phone", "Phone", (!r.primary_phone.is_empty()).then(|| html! {
                            <a href={format!("tel:{}", r.primary_phone)}>{ format::phone(&r.primary_phone) }</a>
                        })) }
                        { field("address", "Address", (!address.is_empty()).then(|| html! {
                            { for address.iter().map(|l| html! { <span class="line">{ l.clone() }</span> }) }
                        })) }
                    </dl>
                </section>
                <section class="card" aria-labelledby="card-sale">
                    <h2 id="card-sale">{ "Sale information" }</h2>
                    <dl class="fields">
                        { field("office_location_id", "Office location", r.office_location_id.map(|l| html! { names.location(l) })) }
                        { field("source_id", "Source", r.source_id.map(|p| html! { names.partner(p) })) }
                        { field("campaign_id", "Campaign", r.campaign_id.map(|c| html! { names.campaign(c) })) }
                        { field("disposition", "Disposition", text(&r.disposition)) }
                        { field("rating", "Rating", Some(html! { format!("{} of 5", r.rating) })) }
                        { field("tags", "Tags", (!r.tags.is_empty()).then(|| html! {
                            <ul class="tags">{ for r.tags.iter().map(|t| html! { <li class="tag">{ t.clone() }</li> }) }</ul>
                        })) }
                    </dl>
                </section>
                <section class="card" aria-labelledby="card-record">
                    <h2 id="card-record">{ "Record" }</h2>
                    <dl class="fields">
                        { field("id", "ID", Some(html! { r.id.to_string() })) }
                        { field("kind", "Kind", Some(html! { format::kind(r.kind) })) }
                        { field("stage", "Stage", Some(html! { format::stage(r.stage) })) }
                        { field("created_at", "Entered", Some(html! { format::date_time(&r.created_at) })) }
                        { field("created_by", "Entered by", Some(html! { r.created_by.to_string() })) }
                        { field("version", "Version", Some(html! { r.version.to_string() })) }
                    </dl>
                </section>
            </div>
        </>
    }
}

fn text(v: &Option<String>) -> Option<Html> {
    v.as_ref().filter(|s| !s.is_empty()).map(|s| html! { s.clone() })
}

/// One label and value; an absent value reads "—" so every card has the same rows.
fn field(name: &'static str, label: &'static str, value: Option<Html>) -> Html {
    html! {
        <div class="field">
            <dt>{ label }</dt>
            <dd data-testid={format!("field-{name}")}>
                { value.unwrap_or_else(|| html! { <span class="muted">{ "—" }</span> }) }
            </dd>
        </div>
    }
}
