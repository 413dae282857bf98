//! The Leads page: saved-view tabs, the Find Leads flyout (filters in the URL, sticky sort and per-page), a sortable
//! table on wide screens and cards on phones, the preview eye with its lazily loaded side panel, and + New Lead.

use crate::api::{ApiError, LeadFormOptions, LeadListPage, LeadPreview, LeadRow, Tag, UserOption};
use crate::app::Route;
use crate::components::format;
use crate::components::multi_select::MultiSelect;
use crate::components::pager::{CursorTrail, Pager};
use crate::components::route_link::RouteLink;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state, use_state_with, UseStateHandle};
use crate::html;
use crate::id_map::IdMap;
use crate::lead_filter::{self, campaign_options, LeadFilter, PER_PAGES, SORTS, TAG_OPS, VIEWS};
use crate::router::{query_pairs, uri_component, use_location, use_navigator};
use crate::session::{use_report_error, use_session};
use crate::storage;
use vigil_domain::record::Stage;
use vigil_domain::{Action, RecordId, Resource};
use yew::prelude::*;

const STICKY_SORT: &str = "vigil.leads.sort";
const STICKY_DIR: &str = "vigil.leads.dir";
const STICKY_PER_PAGE: &str = "vigil.leads.per_page";

/// The filter the URL asks for, with the user's sticky sort and per-page where the URL names none.
fn filter_from_url(query: &str) -> LeadFilter {
    let pairs = query_pairs(query);
    let mut f = LeadFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if f.sort.is_empty() {
        f.sort = storage::get::<String>(STICKY_SORT).unwrap_or_default();
        f.dir = storage::get::<String>(STICKY_DIR).unwrap_or_default();
        f = LeadFilter::from_pairs(f.pairs().iter().map(|(k, v)| (*k, v.as_str())));
        // drops stale stored values
    }
    if f.per_page == 0 {
        f.per_page = storage::get::<u32>(STICKY_PER_PAGE).filter(|n| PER_PAGES.contains(n)).unwrap_or(0);
    }
    f
}

fn remember_sticky(f: &LeadFilter) {
    storage::set(STICKY_SORT, &f.sort);
    storage::set(STICKY_DIR, &f.dir);
    storage::set(STICKY_PER_PAGE, &f.per_page);
}

#[derive(Debug, Clone, PartialEq)]
enum PreviewState {
    Closed,
    Loading(RecordId),
    Loaded(Box<LeadPreview>),
    Failed(RecordId, String),
}

#[component]
pub fn LeadsPage() -> Html {
    let session = use_session();
    let report = use_report_error();
    let navigator = use_navigator();
    let location = use_location();
    let query_str = location.as_ref().map(|l| l.query_str().to_owned()).unwrap_or_default();
    let applied = filter_from_url(&query_str);
    // The queue location (the Pending view and the Returned filter) rides along with the other filters.
    let location_filter = query_pairs(&query_str)
        .into_iter()
        .find(|(k, _)| k == "location")
        .map(|(_, v)| v)
        .filter(|v| ["pending", "queue", "assigned", "returned", "invalid"].contains(&v.as_str()))
        .unwrap_or_default();
    let api_query = {
        let mut pairs = applied.pairs();
        if !location_filter.is_empty() {
            pairs.push(("location", location_filter.clone()));
        }
        lead_filter::to_query(&pairs, uri_component)
    };
    let selected = use_state(IdMap::<()>::new);

    let trail = use_state(|| (String::new(), CursorTrail::default()));
    let current_trail = if trail.0 == api_query { trail.1.clone() } else { CursorTrail::default() };
    let page = use_state(|| None::<(String, LeadListPage)>);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| true);
    let attempt = use_state(|| 0u32);
    let flyout = use_state(|| false);
    let draft = use_state_with(|| applied.clone());
    let options = use_state(LeadFormOptions::default);
    let tags = use_state(Vec::<Tag>::new);
    let reps = use_state(Vec::<UserOption>::new);
    let preview = use_state(|| PreviewState::Closed);

    // Sources, campaigns, lead statuses, tags and lead reps for the flyout; best effort (a user who may not create
    // leads may not read the form options, one who may not see customers gets no rep list, and then filters by what
    // the URL holds).
    {
        let (options, tags, reps, client) = (options.clone(), tags.clone(), reps.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(o) = client.lead_form_options().await {
                        options.set(o);
                    }
                    if let Ok(t) = client.tags().await {
                        tags.set(t);
                    }
                    if let Ok(r) = client.lead_reps().await {
                        reps.set(r);
                    }
                });
            }
        });
    }

    {
        let (page, error, busy, report, client) =
            (page.clone(), error.clone(), busy.clone(), report.clone(), session.client());
        use_effect_with((api_query.clone(), current_trail.clone(), *attempt), move |(q, trail, _)| {
            let (q, cursor) = (q.clone(), trail.current());
            busy.set(true);
            if let Some(client) = client {
                crate::spawn(async move {
                    match client.leads(&q, cursor.as_deref()).await {
                        Ok(p) => {
                            page.set(Some((q, p)));
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

    // Goes to a filter: the URL changes (so it can be bookmarked), which reloads the list from page 1.
    let apply = {
        let navigator = navigator.clone();
        crate::h::cb(move |f: LeadFilter| {
            remember_sticky(&f);
            if let Some(nav) = &navigator {
                let pairs = f.pairs();
                if pairs.is_empty() {
                    nav.push(&Route::Leads);
                } else {
                    nav.push_with_query(&Route::Leads, &pairs);
                }
            }
        })
    };

    let search_required = page.as_ref().is_some_and(|(_, p)| p.meta.search_required);
    let flyout_open = *flyout || search_required;

    let toggle_flyout = {
        let (flyout, draft, applied) = (flyout.clone(), draft.clone(), applied.clone());
        crate::h::cb(move |_| {
            if !*flyout {
                draft.set(applied.clone());
            }
            flyout.set(!*flyout);
        })
    };
    let on_submit = {
        let (draft, apply, flyout) = (draft.clone(), apply.clone(), flyout.clone());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let f = LeadFilter { submitted: true, ..(*draft).clone() };
            flyout.set(false);
            apply.emit(f);
        })
    };
    let on_clear = {
        let (draft, apply) = (draft.clone(), apply.clone());
        crate::h::cb(move |_| {
            let f = draft.cleared();
            draft.set(f.clone());
            apply.emit(f);
        })
    };
    let on_next = {
        let (trail, q, cur) = (trail.clone(), api_query.clone(), current_trail.clone());
        crate::h::cb(move |c: String| trail.set((q.clone(), cur.forward(c))))
    };
    let on_previous = {
        let (trail, q, cur) = (trail.clone(), api_query.clone(), current_trail.clone());
        crate::h::cb(move |()| trail.set((q.clone(), cur.back())))
    };
    let retry = {
        let attempt = attempt.clone();
        crate::h::cb(move |_| attempt.set(*attempt + 1))
    };
    let on_toggle = {
        let selected = selected.clone();
        crate::h::cb(move |id: RecordId| {
            let mut s = (*selected).clone();
            if !s.remove(id.0) {
                s.insert(id.0, ());
            }
            selected.set(s);
        })
    };
    let on_bulk_done = {
        let (selected, attempt) = (selected.clone(), attempt.clone());
        crate::h::cb(move |()| {
            selected.set(IdMap::new());
            attempt.set(*attempt + 1);
        })
    };
    let locations = {
        let link = |value: &'static str, label: &'static str| {
            let current = location_filter == value;
            let onclick = {
                let (navigator, applied) = (navigator.clone(), applied.clone());
                crate::h::cb(move |_: MouseEvent| {
                    if let Some(nav) = &navigator {
                        let mut pairs = applied.pairs();
                        if !value.is_empty() {
                            pairs.push(("location", value.to_owned()));
                        }
                        nav.push_with_query(&Route::Leads, &pairs);
                    }
                })
            };
            html! {
                <li>
                    <button type="button" class={classes!("view-tab", current.then_some("current"))} aria-pressed={current.to_string()}
                        data-testid="location-tab" data-location={if value.is_empty() { "active" } else { value }} {onclick}>{ label }</button>
                </li>
            }
        };
        let sees_pending =
            session.me.as_ref().is_some_and(|m| m.permissions.allows_somewhere(Resource::PendingLeads, Action::View));
        html! {
            <ul class="view-tabs" aria-label="Lead location">
                { link("", "Active") }
                if sees_pending { { link("pending", "Pending") } }
                { link("returned", "Returned") }
            </ul>
        }
    };
    let open_preview = {
        let (preview, client) = (preview.clone(), session.client());
        crate::h::cb(move |id: RecordId| {
            preview.set(PreviewState::Loading(id));
            let (preview, client) = (preview.clone(), client.clone());
            if let Some(client) = client {
                crate::spawn(async move {
                    preview.set(match client.lead_preview(id).await {
                        Ok(p) => PreviewState::Loaded(Box::new(p)),
                        Err(e) => PreviewState::Failed(id, e.message()),
                    });
                });
            }
        })
    };
    let close_preview = {
        let preview = preview.clone();
        crate::h::cb(move |()| preview.set(PreviewState::Closed))
    };
    let sort_by = {
        let (apply, applied) = (apply.clone(), applied.clone());
        crate::h::cb(move |s: &'static str| apply.emit(applied.sorted_by(s)))
    };

    let tabs = {
        let tab = |value: &'static str, label: &'static str| {
            let current = applied.view == value;
            let onclick = {
                let (apply, applied) = (apply.clone(), applied.clone());
                crate::h::cb(move |_| apply.emit(LeadFilter { view: value.to_owned(), ..applied.clone() }))
            };
            html! {
                <li>
                    <button type="button" class={classes!("view-tab", current.then_some("current"))} aria-pressed={current.to_string()}
                        data-testid="view-tab" data-view={if value.is_empty() { "all" } else { value }} {onclick}>{ label }</button>
                </li>
            }
        };
        html! {
            <ul class="view-tabs" aria-label="Saved views">
                { tab("", "All leads") }
                { for VIEWS.iter().map(|(v, l)| tab(v, l)) }
            </ul>
        }
    };

    let rows_page = page.as_ref().filter(|(q, _)| *q == api_query).map(|(_, p)| p);
    let total = rows_page
        .map(|p| &p.meta)
        .filter(|m| !m.search_required)
        .map(|m| format::total(m.total, m.total_exact, "lead", "leads"));
    let source_name = |id: u32| options.sources.iter().find(|s| s.id.0 == id).map(|s| s.name.clone());

    let body = match (rows_page, &*error) {
        (_, Some(e)) => html! {
            <div class="error-box" role="alert" data-testid="list-error">
                <p>{ format!("Could not load leads: {}", e.message()) }</p>
                <button type="button" class="button secondary" onclick={retry}>{ "Try again" }</button>
            </div>
        },
        (None, None) => html! { <p class="loading" data-testid="loading">{ "Loading leads…" }</p> },
        (Some(p), None) if p.groups.is_some() => {
            // A group opens the list filtered to its source (leads without a source have no filter to open).
            let open = |id: u32| {
                let (apply, applied) = (apply.clone(), applied.clone());
                crate::h::cb(move |_: MouseEvent| {
                    apply.emit(LeadFilter { view: String::new(), sources: vec![id], ..applied.clone() })
                })
            };
            html! {
                <ul class="source-groups" data-testid="source-groups">
                    { for p.groups.iter().flatten().map(|g| {
                        let count = format::total(g.count, p.meta.total_exact, "lead", "leads");
                        match &g.source {
                            Some(s) => html! {
                                <li data-testid="source-group" data-source={s.id.to_string()}>
                                    <button type="button" class="link-button" onclick={open(s.id)}>
                                        { s.name.clone().unwrap_or_else(|| format!("Source {}", s.id)) }
                                    </button>{ " " }<span class="muted" data-testid="group-count">{ count }</span>
                                </li>
                            },
                            None => html! {
                                <li data-testid="source-group" data-source="none">
                                    { "No source " }<span class="muted" data-testid="group-count">{ count }</span>
                                </li>
                            },
                        }
                    }) }
                </ul>
            }
        }
        (Some(_), None) if search_required => html! {
            <div class="empty-state" data-testid="search-required">
                <p><strong>{ "Search to see leads." }</strong></p>
                <p class="muted">{ "Your company shows leads only after a search: enter criteria (or none) and press Submit." }</p>
            </div>
        },
        (Some(p), None) if p.items.is_empty() && p.next_cursor.is_some() => html! {
            <>
                <div class="empty-state" data-testid="empty-page">
                    <p><strong>{ "No leads on this page, but more may follow." }</strong></p>
                    <p class="muted">{ "The search reads a bounded slice of the leads per request; the next page continues where it stopped." }</p>
                </div>
                <Pager page_number={current_trail.page_number()} next_cursor={p.next_cursor.clone()} busy={*busy}
                    {on_next} {on_previous} />
            </>
        },
        (Some(p), None) if p.items.is_empty() => html! {
            <div class="empty-state" data-testid="empty-state">
                if applied.search_count() > 0 || !applied.view.is_empty() {
                    <p><strong>{ "No leads match." }</strong></p>
                    <p class="muted">{ "Change or clear the filters to see more." }</p>
                } else {
                    <p><strong>{ "No leads yet." }</strong></p>
                    <p class="muted">{ "Leads arrive from web-to-lead forms, partner companies and your team." }</p>
                }
            </div>
        },
        (Some(p), None) => html! {
            <>
                if !selected.is_empty() {
                    <crate::pages::leads_bulk::BulkBar selected={selected.ids().iter().map(|id| RecordId(*id)).collect::<Vec<_>>()} on_done={on_bulk_done.clone()} />
                }
                if let Some(note) = &p.meta.order_note {
                    <p class="notice" role="status" data-testid="order-note" data-order={p.meta.order_served.clone()}>{ note.clone() }</p>
                }
                { table(&p.items, &applied, &sort_by, &open_preview, &source_name, &selected, &on_toggle) }
                { cards(&p.items, &source_name) }
                if p.next_cursor.is_some() && (p.items.len() as u32) < applied.per_page_or_default() {
                    // The planner bounds what one request reads: a short page with a cursor is not the end.
                    <p class="notice more-note" role="status" data-testid="more-may-follow">
                        { format!("{} on this page; more leads may follow. ", p.items.len()) }
                        <button type="button" class="link-button" disabled={*busy} data-testid="load-more"
                            onclick={{ let (c, on_next) = (p.next_cursor.clone(), on_next.clone()); crate::h::cb(move |_| if let Some(c) = &c { on_next.emit(c.clone()) }) }}>
                            { "Go to the next page" }
                        </button>
                    </p>
                }
                <Pager page_number={current_trail.page_number()} next_cursor={p.next_cursor.clone()} busy={*busy}
                    {on_next} {on_previous} />
                if let Some(m) = Some(&p.meta) {
                    <p class="list-meta muted" data-testid="list-meta">
                        { format!("This page read {} items via the {} access path.", m.items_read, m.access_path) }
                    </p>
                }
            </>
        },
    };

    let active = applied.search_count();
    let may_create =
        session.me.as_ref().is_some_and(|m| m.permissions.allows_somewhere(Resource::Leads, Action::Create));
    html! {
        <section class="list-page leads-page" aria-busy={busy.to_string()} data-testid="leads-page">
            <header class="page-header">
                <h1>{ "Leads" }</h1>
                if let Some(t) = total {
                    <span class="total" data-testid="records-total">{ t }</span>
                }
                <div class="page-actions">
                    <button type="button" class="button secondary" aria-expanded={flyout_open.to_string()} aria-controls="find-leads"
                        data-testid="filter-toggle" onclick={toggle_flyout}>
                        { if active > 0 { format!("Filters ({active})") } else { "Filters".to_owned() } }
                    </button>
                    if may_create {
                        <RouteLink to={Route::LeadImport} class="button secondary" testid="import-leads">{ "Import" }</RouteLink>
                        <crate::pages::wizard::NewLeadButton />
                    }
                </div>
            </header>
            { tabs }
            { locations }
            if flyout_open {
                { flyout_view(&draft, &options, &tags, &reps, on_submit, on_clear, flyout.clone(), search_required) }
            }
            { body }
            if !matches!(*preview, PreviewState::Closed) {
                <PreviewPanel state={(*preview).clone()} on_close={close_preview} />
            }
        </section>
    }
}

fn input_value(e: InputEvent) -> String {
    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
    input.value()
}

fn select_value(e: Event) -> String {
    let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
    select.value()
}

#[allow(clippy::too_many_arguments)]
fn flyout_view(
    draft: &UseStateHandle<LeadFilter>,
    options: &LeadFormOptions,
    tags: &[Tag],
    reps: &[UserOption],
    on_submit: Callback<SubmitEvent>,
    on_clear: Callback<MouseEvent>,
    flyout: UseStateHandle<bool>,
    search_required: bool,
) -> Html {
    let set = |f: fn(&mut LeadFilter, String)| {
        let draft = draft.clone();
        crate::h::cb(move |v: String| {
            let mut d = (*draft).clone();
            f(&mut d, v);
            draft.set(d);
        })
    };
    let text = |id: &'static str,
                label: &'static str,
                value: &str,
                testid: &'static str,
                cb: Callback<String>,
                extra: Option<&'static str>| {
        html! {
            <div class="form-field">
                <label for={id}>{ label }</label>
                <input type="text" class="input" id={id} value={value.to_owned()} data-testid={testid}
                    oninput={cb.adapt(input_value)} />
                if let Some(hint) = extra {
                    <span class="hint">{ hint }</span>
                }
            </div>
        }
    };
    let sources: Vec<(u32, String)> = options.sources.iter().map(|s| (s.id.0, s.name.clone())).collect();
    let campaigns = campaign_options(&options.sources, &draft.sources);
    let tag_options: Vec<(u32, String)> = tags.iter().map(|t| (t.id.0, t.name.clone())).collect();
    let on_sources = {
        let (draft, all) = (draft.clone(), options.sources.clone());
        crate::h::cb(move |v: Vec<u32>| draft.set(draft.with_sources(v, &all)))
    };
    let on_campaigns = {
        let draft = draft.clone();
        crate::h::cb(move |v: Vec<u32>| draft.set(LeadFilter { campaigns: v, ..(*draft).clone() }))
    };
    let on_tags = {
        let draft = draft.clone();
        crate::h::cb(move |v: Vec<u32>| draft.set(LeadFilter { tags: v, ..(*draft).clone() }))
    };
    let on_sort = set(|d, v| {
        d.sort = v;
        d.dir.clear();
    });
    let on_per_page = set(|d, v| d.per_page = v.parse().unwrap_or(0));
    let on_tags_op = set(|d, v| d.tags_op = v);
    let on_stage = set(|d, v| d.stage = v);
    let on_disposition = set(|d, v| d.disposition = v);
    let on_rep = set(|d, v| d.rep = v);
    // A value the URL holds but the lists do not offer (yet) stays selectable, so Submit keeps it.
    let choice_list = |current: &str, choices: Vec<(String, String)>, any: &'static str| {
        let known = current.is_empty() || choices.iter().any(|(v, _)| v == current);
        html! {
            <>
                <option value="" selected={current.is_empty()}>{ any }</option>
                if !known {
                    <option value={current.to_owned()} selected=true>{ current.to_owned() }</option>
                }
                { for choices.into_iter().map(|(v, l)| {
                    let selected = v == current;
                    html! { <option value={v} {selected}>{ l }</option> }
                }) }
            </>
        }
    };
    let stages: Vec<(String, String)> =
        Stage::ALL.iter().map(|s| (s.as_str().to_owned(), format::stage(*s).to_owned())).collect();
    let dispositions: Vec<(String, String)> =
        options.dispositions.iter().map(|d| (d.name.clone(), d.name.clone())).collect();
    let rep_choices: Vec<(String, String)> = reps.iter().map(|r| (r.id.to_string(), r.name.clone())).collect();
    let on_keydown = crate::h::cb(move |e: KeyboardEvent| {
        if e.key() == "Escape" && !search_required {
            flyout.set(false);
        }
    });
    let per_page = draft.per_page_or_default();
    let tags_op = if draft.tags_op.is_empty() { "any".to_owned() } else { draft.tags_op.clone() };

    html! {
        <aside id="find-leads" class="flyout" aria-label="Find leads" data-testid="filter-flyout" onkeydown={on_keydown}>
            <form onsubmit={on_submit} novalidate=true>
                <h2>{ "Find leads" }</h2>
                <fieldset>
                    <legend>{ "Sort and page size" }</legend>
                    <div class="form-row">
                        <div class="form-field">
                            <label for="f-sort">{ "Sort by" }</label>
                            <select id="f-sort" class="input" data-testid="filter-sort" onchange={on_sort.adapt(select_value)}>
                                <option value="" selected={draft.sort.is_empty()}>{ "Company default" }</option>
                                { for SORTS.iter().map(|(v, l)| html! { <option value={*v} selected={draft.sort == *v}>{ *l }</option> }) }
                            </select>
                        </div>
                        <div class="form-field">
                            <label for="f-per-page">{ "Per page" }</label>
                            <select id="f-per-page" class="input" data-testid="filter-per-page" onchange={on_per_page.adapt(select_value)}>
                                { for PER_PAGES.iter().map(|n| html! { <option value={n.to_string()} selected={per_page == *n}>{ n.to_string() }</option> }) }
                            </select>
                        </div>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{ "Search" }</legend>
                    <div class="form-field">
                        <label for="f-number">{ "Search by ID, account number, phone, or SSN" }</label>
                        <input type="text" inputmode="numeric" class="input" id="f-number" placeholder="Numbers only..."
                            value={draft.number.clone()} data-testid="filter-number"
                            oninput={set(|d, v| d.number = v.chars().filter(char::is_ascii_digit).collect()).adapt(input_value)} />
                    </div>
                    <div class="form-row">
                        { text("f-first", "First name", &draft.first_name, "filter-first-name", set(|d, v| d.first_name = v), None) }
                        { text("f-last", "Last name", &draft.last_name, "filter-last-name", set(|d, v| d.last_name = v), None) }
                    </div>
                    { text("f-email", "Email", &draft.email, "filter-email", set(|d, v| d.email = v),
                        Some("Matches the start of any word of the primary email.")) }
                </fieldset>
                <fieldset>
                    <legend>{ "Pipeline" }</legend>
                    <div class="form-row">
                        <div class="form-field">
                            <label for="f-stage">{ "Stage" }</label>
                            <select id="f-stage" class="input" data-testid="filter-stage" onchange={on_stage.adapt(select_value)}>
                                { choice_list(&draft.stage, stages, "Any stage") }
                            </select>
                        </div>
                        <div class="form-field">
                            <label for="f-disposition">{ "Lead status" }</label>
                            <select id="f-disposition" class="input" data-testid="filter-disposition" onchange={on_disposition.adapt(select_value)}>
                                { choice_list(&draft.disposition, dispositions, "Any status") }
                            </select>
                        </div>
                        if !rep_choices.is_empty() || !draft.rep.is_empty() {
                            <div class="form-field">
                                <label for="f-rep">{ "Lead rep" }</label>
                                <select id="f-rep" class="input" data-testid="filter-rep" onchange={on_rep.adapt(select_value)}>
                                    { choice_list(&draft.rep, rep_choices, "Any rep") }
                                </select>
                            </div>
                        }
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{ "Source and campaign" }</legend>
                    <MultiSelect id="f-source" label="Source" options={sources} selected={draft.sources.clone()}
                        onchange={on_sources} testid="filter-sources" />
                    <MultiSelect id="f-campaign" label="Source campaign" options={campaigns} selected={draft.campaigns.clone()}
                        onchange={on_campaigns} testid="filter-campaigns" />
                </fieldset>
                <fieldset>
                    <legend>{ "Tags" }</legend>
                    <div class="form-field">
                        <label for="f-tags-op">{ "Tags operator" }</label>
                        <select id="f-tags-op" class="input" data-testid="filter-tags-op" onchange={on_tags_op.adapt(select_value)}>
                            { for TAG_OPS.iter().map(|(v, l)| html! { <option value={*v} selected={tags_op == *v}>{ *l }</option> }) }
                        </select>
                    </div>
                    <MultiSelect id="f-tags" label="Tags" options={tag_options} selected={draft.tags.clone()}
                        onchange={on_tags} testid="filter-tags" />
                </fieldset>
                <div class="actions">
                    <button type="submit" class="button" data-testid="filter-submit">{ "Submit" }</button>
                    <button type="button" class="button secondary" data-testid="filter-clear" onclick={on_clear}>{ "Clear" }</button>
                </div>
            </form>
        </aside>
    }
}

fn sort_header(label: &'static str, key: &'static str, applied: &LeadFilter, sort_by: &Callback<&'static str>) -> Html {
    let active = applied.sort == key;
    let aria_sort = if applied.sort == key {
        if applied.dir == "desc" {
            "descending"
        } else {
            "ascending"
        }
    } else {
        "none"
    };
    let arrow = match (active, applied.dir.as_str()) {
        (true, "desc") => " ↓",
        (true, _) => " ↑",
        _ => "",
    };
    let onclick = sort_by.adapt(move |_: MouseEvent| key);
    html! {
        <th scope="col" aria-sort={aria_sort}>
            <button type="button" class="sort-button" data-testid={format!("sort-{key}")} {onclick}>{ label }{ arrow }</button>
        </th>
    }
}

fn source_campaign(r: &LeadRow, source_name: &dyn Fn(u32) -> Option<String>) -> String {
    let source = r
        .source
        .as_ref()
        .map(|s| s.name.clone().or_else(|| source_name(s.id)).unwrap_or_else(|| format!("Source #{}", s.id)));
    let campaign = r.campaign.as_ref().map(|c| c.name.clone().unwrap_or_else(|| format!("Campaign #{}", c.id)));
    match (source, campaign) {
        (Some(s), Some(c)) => format!("{s} | {c}"),
        (Some(s), None) => s,
        (None, Some(c)) => c,
        (None, None) => String::new(),
    }
}

fn status(r: &LeadRow) -> Html {
    html! {
        <>
            if let Some(d) = r.disposition.as_ref().filter(|d| !d.is_empty()) {
                <span class="status" data-testid="lead-status">{ d.clone() }</span>{ " " }
            }
            <span class={classes!("badge", format!("stage-{}", r.stage.as_str()))}>{ format::stage(r.stage) }</span>
        </>
    }
}

fn table(
    rows: &[LeadRow],
    applied: &LeadFilter,
    sort_by: &Callback<&'static str>,
    open_preview: &Callback<RecordId>,
    source_name: &dyn Fn(u32) -> Option<String>,
    selected: &IdMap<()>,
    on_toggle: &Callback<RecordId>,
) -> Html {
    html! {
        <div class="table-wrap">
            <table class="records-table" data-testid="records-table">
                <thead>
                    <tr>
                        <th scope="col"><span class="visually-hidden">{ "Select" }</span></th>
                        { sort_header("ID", "id", applied, sort_by) }
                        { sort_header("Entered Date", "created", applied, sort_by) }
                        { sort_header("Name", "name", applied, sort_by) }
                        { sort_header("Address", "address", applied, sort_by) }
                        <th scope="col">{ "Phone" }</th>
                        <th scope="col">{ "Status" }</th>
                        <th scope="col">{ "Source | Campaign" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for rows.iter().map(|r| {
                        let id = r.id;
                        let eye = open_preview.adapt(move |_: MouseEvent| id);
                        let name = format::last_first(&r.first_name, &r.last_name);
                        html! {
                            <tr key={r.id.0} data-testid="record-row" data-id={r.id.to_string()} data-tags={r.tags.join(",")}>
                                <td>
                                    <input type="checkbox" aria-label={format!("Select {name}")} data-testid="row-select"
                                        checked={selected.contains(id.0)} onchange={on_toggle.adapt(move |_: Event| id)} />
                                </td>
                                <td class="num">{ r.id.0 }</td>
                                <td class="nowrap">{ format::date(&r.created_at) }</td>
                                <td>
                                    <span class="name-cell">
                                        <RouteLink to={Route::Lead { id: r.id.to_string() }} testid="record-link">{ name.clone() }</RouteLink>
                                        <button type="button" class="eye" aria-label={format!("Preview {name}")} title="Preview"
                                            data-testid="preview-eye" onclick={eye}>{ eye_icon() }</button>
                                    </span>
                                </td>
                                <td>{ format::city_state(&r.city, &r.state) }</td>
                                <td class="nowrap">{ format::phone(&r.primary_phone) }</td>
                                <td>{ status(r) }</td>
                                <td>{ source_campaign(r, source_name) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn cards(rows: &[LeadRow], source_name: &dyn Fn(u32) -> Option<String>) -> Html {
    html! {
        <ul class="record-cards" data-testid="records-cards">
            { for rows.iter().map(|r| html! {
                <li key={r.id.0} class="record-card" data-testid="record-card" data-id={r.id.to_string()}>
                    <div class="card-top">
                        <RouteLink to={Route::Lead { id: r.id.to_string() }} class="card-name" testid="record-card-link">
                            { format!("{} {}", r.first_name, r.last_name) }
                        </RouteLink>
                        { status(r) }
                    </div>
                    <div class="card-line">
                        if !r.primary_phone.is_empty() {
                            <a href={format!("tel:{}", r.primary_phone)}>{ format::phone(&r.primary_phone) }</a>
                        }
                        <span>{ format::city_state(&r.city, &r.state) }</span>
                    </div>
                    <div class="card-line muted">
                        <span>{ source_campaign(r, source_name) }</span>
                        if let Some(d) = &r.next_followup {
                            <span data-testid="card-callback">{ format!("Callback {d}") }</span>
                        }
                    </div>
                </li>
            }) }
        </ul>
    }
}

/// An eye drawn inline (no icon font or emoji needed).
fn eye_icon() -> Html {
    html! {
        <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2">
            <path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z" />
            <circle cx="12" cy="12" r="3" />
        </svg>
    }
}

#[derive(Properties, PartialEq)]
struct PreviewProps {
    state: PreviewState,
    on_close: Callback<()>,
}

/// The side panel the eye opens. Focus moves to it, Escape or Close closes it.
#[component]
fn PreviewPanel(props: &PreviewProps) -> Html {
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(el) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let close = props.on_close.adapt(|_: MouseEvent| ());
    let on_keydown = {
        let on_close = props.on_close.clone();
        crate::h::cb(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let row = |label: &'static str, testid: &'static str, value: Option<String>| {
        value.filter(|v| !v.is_empty()).map(|v| {
            html! {
                <div class="field"><dt>{ label }</dt><dd data-testid={testid}>{ v }</dd></div>
            }
        })
    };
    let body = match &props.state {
        PreviewState::Closed => html! {},
        PreviewState::Loading(id) => {
            html! { <p class="loading" data-testid="preview-loading">{ format!("Loading lead {id}…") }</p> }
        }
        PreviewState::Failed(id, msg) => html! {
            <div class="error-box" role="alert" data-testid="preview-error">{ format!("Could not load lead {id}: {msg}") }</div>
        },
        PreviewState::Loaded(p) => html! {
            <>
                <h2 data-testid="preview-name">{ format!("{} {}", p.first_name, p.last_name) }</h2>
                if !p.warnings.is_empty() {
                    <ul class="warnings" data-testid="preview-warnings">
                        { for p.warnings.iter().map(|w| html! { <li>{ w.clone() }</li> }) }
                    </ul>
                }
                <dl class="fields">
                    { for row("ID", "preview-id", Some(p.id.to_string())) }
                    { for row("Entered", "preview-entered", Some(format::date(&p.entered_at))) }
                    { for row("City/State", "preview-city", Some(format::city_state(&p.city, &p.state))) }
                    { for row("Phone", "preview-phone", p.primary_phone.as_deref().map(format::phone)) }
                    { for row("Email", "preview-email", p.email.clone()) }
                    { for row("Lead status", "preview-status", p.lead_status.clone()) }
                    { for row("Stage", "preview-stage", Some(format::stage(p.stage).to_owned())) }
                    { for row("Lead rep", "preview-rep", p.lead_rep.as_ref().map(|r| r.name.clone())) }
                    { for row("Source", "preview-source", p.source.as_ref().map(|s| s.name.clone())) }
                    { for row("Campaign", "preview-campaign", p.campaign.as_ref().map(|c| c.name.clone())) }
                    { for row("Callback", "preview-callback", p.callback_date.clone()) }
                    { for row("Rating", "preview-rating", Some(format!("{} of 5", p.rating))) }
                    { for row("Score", "preview-score", Some(p.score.to_string())) }
                    { for row("Tags", "preview-tags", Some(p.tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>().join(", "))) }
                    { for row("Latest", "preview-latest", p.latest_interaction.as_ref().map(|h| format!("{} changed {}", h.field, format::date_time(&h.at)))) }
                </dl>
                <RouteLink to={Route::Lead { id: p.id.to_string() }} class="button" testid="preview-open">{ "Open lead" }</RouteLink>
            </>
        },
    };
    html! {
        <aside class="side-panel" aria-label="Lead preview" data-testid="preview-panel" onkeydown={on_keydown}>
            <button type="button" class="button secondary panel-close" ref={close_ref} data-testid="preview-close" onclick={close}>{ "Close" }</button>
            { body }
        </aside>
    }
}
