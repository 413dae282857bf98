//! The Customer List: a table on wide screens, cards on phones, 25 per page with cursor paging and the total from
//! the server's counters, with its filter flyout. Written for either kind of record; the Leads list has its own
//! page (`pages::leads`).

mod filter;

use crate::api::{ApiError, LeadListPage, LeadRow, Tag};
use crate::app::{record_route, Route};
use crate::components::format;
use crate::components::pager::{CursorTrail, Pager};
use crate::components::route_link::RouteLink;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::router::{use_location, use_navigator};
use crate::session::{use_report_error, use_session};
use filter::{CustomerFilter, CustomerQuery};
use vigil_domain::record::Kind;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CustomerListProps {
    pub kind: Kind,
}

struct Words {
    title: &'static str,
    singular: &'static str,
    plural: &'static str,
}

fn words(kind: Kind) -> Words {
    match kind {
        Kind::Lead => Words { title: "Leads", singular: "lead", plural: "leads" },
        Kind::Customer => Words { title: "Customers", singular: "customer", plural: "customers" },
    }
}

#[component]
pub fn CustomerList(props: &CustomerListProps) -> Html {
    let kind = props.kind;
    let w = words(kind);
    let session = use_session();
    let report = use_report_error();
    let trail_state = use_state(|| (String::new(), CursorTrail::default()));
    let page = use_state(|| None::<LeadListPage>);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| true);
    let attempt = use_state(|| 0u32);
    let flyout = use_state(|| false);
    let navigator = use_navigator();
    let location = use_location();
    // The Customer List's filter is the URL's; a cursor trail belongs to the query it was made for.
    let filter = match kind {
        Kind::Customer => {
            CustomerQuery::from_url(&location.as_ref().map(|l| l.query_str().to_owned()).unwrap_or_default())
        }
        Kind::Lead => CustomerQuery::default(),
    };
    let query = filter.query();
    let trail = if trail_state.0 == query { trail_state.1.clone() } else { CursorTrail::default() };
    let tags = use_state(Vec::<Tag>::new);
    {
        let (tags, client) = (tags.clone(), session.client());
        use_effect_with(kind, move |kind| {
            if let (Kind::Customer, Some(client)) = (*kind, client) {
                crate::spawn(async move {
                    if let Ok(t) = client.tags().await {
                        tags.set(t);
                    }
                });
            }
        });
    }

    {
        let (page, error, busy, report) = (page.clone(), error.clone(), busy.clone(), report.clone());
        let client = session.client();
        use_effect_with((kind, trail.clone(), *attempt, query.clone()), move |(kind, trail, _, query)| {
            let (kind, query) = (*kind, query.clone());
            let cursor = trail.current();
            busy.set(true);
            if let Some(client) = client {
                crate::spawn(async move {
                    match client.records(kind, &query, cursor.as_deref()).await {
                        Ok(p) => {
                            page.set(Some(p));
                            error.set(None);
                        }
                        Err(e) => {
                            error.set(Some(e.clone()));
                            report.emit(e);
                        }
                    }
                    busy.set(false);
                });
            }
        });
    }

    let on_next = {
        let (trail_state, trail, query) = (trail_state.clone(), trail.clone(), query.clone());
        crate::h::cb(move |c: String| trail_state.set((query.clone(), trail.forward(c))))
    };
    let on_previous = {
        let (trail_state, trail, query) = (trail_state.clone(), trail.clone(), query.clone());
        crate::h::cb(move |()| trail_state.set((query.clone(), trail.back())))
    };
    let retry = {
        let attempt = attempt.clone();
        crate::h::cb(move |_| attempt.set(*attempt + 1))
    };

    let on_apply = {
        let (navigator, flyout) = (navigator.clone(), flyout.clone());
        crate::h::cb(move |q: CustomerQuery| {
            flyout.set(false);
            if let Some(nav) = &navigator {
                let pairs = q.pairs();
                if pairs.is_empty() {
                    nav.push(&Route::Customers);
                } else {
                    nav.push_with_query(&Route::Customers, &pairs);
                }
            }
        })
    };
    let toggle_flyout = {
        let flyout = flyout.clone();
        crate::h::cb(move |_: MouseEvent| flyout.set(!*flyout))
    };
    let close_flyout = {
        let flyout = flyout.clone();
        crate::h::cb(move |()| flyout.set(false))
    };

    let total = page.as_ref().map(|p| format::total(p.meta.total, p.meta.total_exact, w.singular, w.plural));

    let body = match (&*page, &*error) {
        (_, Some(e)) => html! {
            <div class="error-box" role="alert" data-testid="list-error">
                <p>{ format!("Could not load {}: {}", w.plural, e.message()) }</p>
                <button type="button" class="button secondary" onclick={retry}>{ "Try again" }</button>
            </div>
        },
        (None, None) => html! { <p class="loading" data-testid="loading">{ format!("Loading {}…", w.plural) }</p> },
        (Some(p), None) if p.items.is_empty() && trail.page_number() == 1 && !filter.is_empty() => html! {
            <div class="empty-state" data-testid="empty-state">
                <p><strong>{ format!("No {} match these filters.", w.plural) }</strong></p>
                <p class="muted">{ "Change or clear the filters to see more." }</p>
            </div>
        },
        (Some(p), None) if p.items.is_empty() && trail.page_number() == 1 => html! {
            <div class="empty-state" data-testid="empty-state">
                <p><strong>{ format!("No {} yet.", w.plural) }</strong></p>
                <p class="muted">{ match kind {
                    Kind::Lead => "Leads arrive from web-to-lead forms, partner companies and your team.",
                    Kind::Customer => "Customers appear here when a lead is converted or a customer is created.",
                } }</p>
            </div>
        },
        (Some(p), None) => html! {
            <>
                { table(kind, &p.items) }
                { cards(kind, &p.items) }
                <Pager page_number={trail.page_number()} next_cursor={p.next_cursor.clone()} busy={*busy}
                    {on_next} {on_previous} />
                if let Some(m) = Some(&p.meta) {
                    <p class="list-meta muted" data-testid="list-meta">
                        { format!("This page read {} items via the {} access path.", m.items_read, m.access_path) }
                    </p>
                }
            </>
        },
    };

    let may_create = session.me.as_ref().is_some_and(|m| {
        m.permissions.allows_somewhere(vigil_domain::Resource::Customers, vigil_domain::Action::Create)
    });
    html! {
        <section class="list-page" aria-busy={busy.to_string()} data-testid={format!("{}-page", w.plural)}>
            <header class="page-header">
                <h1>{ w.title }</h1>
                if let Some(t) = total {
                    <span class="total" data-testid="records-total">{ t }</span>
                }
                if kind == Kind::Customer {
                    <button type="button" class="button secondary" aria-expanded={flyout.to_string()} data-testid="customer-filter-toggle"
                        onclick={toggle_flyout}>{ if filter.is_empty() { "Filters" } else { "Filters (on)" } }</button>
                }
                if kind == Kind::Customer && may_create {
                    <crate::pages::wizard::NewCustomerButton />
                }
            </header>
            if kind == Kind::Customer && *flyout {
                <CustomerFilter applied={filter.clone()} tags={(*tags).clone()} {on_apply} on_close={close_flyout} />
            }
            { body }
        </section>
    }
}

fn table(kind: Kind, rows: &[LeadRow]) -> Html {
    html! {
        <div class="table-wrap">
            <table class="records-table" data-testid="records-table">
                <thead>
                    <tr>
                        <th scope="col">{ "ID" }</th>
                        <th scope="col">{ "Entered" }</th>
                        <th scope="col">{ "Name" }</th>
                        <th scope="col">{ "City" }</th>
                        <th scope="col">{ "Phone" }</th>
                        <th scope="col">{ "Email" }</th>
                        <th scope="col">{ "Stage" }</th>
                        <th scope="col">{ "Rating" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr key={r.id.0} data-testid="record-row" data-id={r.id.to_string()}>
                            <td class="num">{ r.id.0 }</td>
                            <td>{ format::date(&r.created_at) }</td>
                            <td>
                                <RouteLink to={record_route(kind, r.id)} testid="record-link">
                                    { format::last_first(&r.first_name, &r.last_name) }
                                </RouteLink>
                            </td>
                            <td>{ format::city_state(&r.city, &r.state) }</td>
                            <td class="nowrap">{ format::phone(&r.primary_phone) }</td>
                            <td>{ r.email.clone().unwrap_or_default() }</td>
                            <td>
                                <span class={classes!("badge", format!("stage-{}", r.stage.as_str()))}>{ format::stage(r.stage) }</span>
                                if r.archived {
                                    <span class="badge archived" data-testid="archived-badge">{ "Archived" }</span>
                                }
                            </td>
                            <td class="stars" aria-label={format!("{} of 5", r.rating)}>{ format::stars(r.rating) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn cards(kind: Kind, rows: &[LeadRow]) -> Html {
    html! {
        <ul class="record-cards" data-testid="records-cards">
            { for rows.iter().map(|r| html! {
                <li key={r.id.0} class="record-card" data-testid="record-card" data-id={r.id.to_string()}>
                    <div class="card-top">
                        <RouteLink to={record_route(kind, r.id)} class="card-name" testid="record-card-link">
                            { format!("{} {}", r.first_name, r.last_name) }
                        </RouteLink>
                        <span class={classes!("badge", format!("stage-{}", r.stage.as_str()))}>{ format::stage(r.stage) }</span>
                        if r.archived {
                            <span class="badge archived">{ "Archived" }</span>
                        }
                    </div>
                    <div class="card-line">
                        if !r.primary_phone.is_empty() {
                            <a href={format!("tel:{}", r.primary_phone)}>{ format::phone(&r.primary_phone) }</a>
                        }
                        <span>{ format::city_state(&r.city, &r.state) }</span>
                    </div>
                    <div class="card-line muted">
                        <span>{ format!("#{} · entered {}", r.id, format::date(&r.created_at)) }</span>
                        <span class="stars" aria-label={format!("{} of 5", r.rating)}>{ format::stars(r.rating) }</span>
                    </div>
                </li>
            }) }
        </ul>
    }
}
