//! The top navigation: the sections the user may open, who they are, and Sign out. Under 640px the links fold
//! behind a Menu button.

use crate::api::Me;
use crate::app::Route;
use crate::components::route_link::RouteLink;
use crate::hooks::{use_effect_with, use_state, UseStateHandle};
use crate::html;
use crate::router::{use_navigator, use_route};
use crate::session::{use_session, SessionAction};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TopNavProps {
    pub me: Rc<Me>,
}

fn close_menu(open: &UseStateHandle<bool>) -> Callback<()> {
    let open = open.clone();
    crate::h::cb(move |()| open.set(false))
}

#[component]
pub fn TopNav(props: &TopNavProps) -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let route = use_route();
    let open = use_state(|| false);
    let me = &props.me;
    let may_request = me.permissions.allows_somewhere(vigil_domain::Resource::LeadQueue, vigil_domain::Action::Create);
    let sees_pending =
        me.permissions.allows_somewhere(vigil_domain::Resource::PendingLeads, vigil_domain::Action::View);
    // The queue's and Pending's counts beside their links, read again on each page change (two counter items).
    let queued = use_state(|| None::<u64>);
    let pending = use_state(|| None::<u64>);
    {
        let (queued, pending, client) = (queued.clone(), pending.clone(), session.client());
        use_effect_with(route.as_ref().map(Route::to_path), move |_| {
            if let (true, Some(client)) = (may_request || sees_pending, client) {
                crate::spawn(async move {
                    if let Ok(s) =
                        client.call::<vigil_api::ops::LeadQueueSummary>(&(), &vigil_api::common::NoQuery {}, &()).await
                    {
                        queued.set(Some(s.queued));
                        pending.set(s.pending);
                    }
                });
            }
        });
    }
    // Pending is the Leads list's Pending view: a link with its query, followed inside the portal.
    let open_pending = {
        let (navigator, close) = (navigator.clone(), close_menu(&open));
        crate::h::cb(move |e: MouseEvent| {
            if e.button() != 0 || e.meta_key() || e.ctrl_key() || e.shift_key() || e.alt_key() {
                return;
            }
            if let Some(nav) = &navigator {
                e.prevent_default();
                nav.push_with_query(&Route::Leads, &[("location", "pending")]);
                close.emit(());
            }
        })
    };

    let toggle = {
        let open = open.clone();
        crate::h::cb(move |_| open.set(!*open))
    };
    let close = {
        let open = open.clone();
        crate::h::cb(move |()| open.set(false))
    };
    let sign_out = crate::h::cb(move |_| {
        // Go to sign-in first, so the signed-out shell does not remember this page as where to return.
        if let Some(nav) = &navigator {
            nav.push(&Route::SignIn);
        }
        session.dispatch(SessionAction::SignOut);
    });

    let section = |to: Route, label: &'static str, testid: &'static str| {
        let current = matches!(
            (&route, &to),
            (Some(Route::Leads | Route::NewLead | Route::Lead { .. }), Route::Leads)
                | (Some(Route::Customers | Route::Customer { .. }), Route::Customers)
                | (
                    Some(
                        Route::Admin
                            | Route::AdminPartners
                            | Route::NewPartner
                            | Route::AdminPartner { .. }
                            | Route::MessageTemplates
                            | Route::IntakeKeys
                    ),
                    Route::Admin
                )
        );
        html! {
            <li>
                <RouteLink {to} class="nav-link" testid={testid} {current} onnavigate={close.clone()}>{ label }</RouteLink>
            </li>
        }
    };

    html! {
        <header class="topbar" data-testid="top-nav">
            <div class="topbar-row">
                <RouteLink to={Route::Home} class="brand" testid="brand">
                    <span class="brand-mark" aria-hidden="true">{ "◆" }</span>{ " Vigil" }
                </RouteLink>
                <button type="button" class="menu-button" aria-controls="nav-menu" aria-expanded={open.to_string()}
                    data-testid="nav-menu-button" onclick={toggle}>
                    { if *open { "Close" } else { "Menu" } }
                </button>
            </div>
            <nav id="nav-menu" class={classes!("nav-menu", open.then_some("open"))} aria-label="Main">
                <ul class="nav-links">
                    if me.nav.leads { { section(Route::Leads, "Leads", "nav-leads") } }
                    if may_request {
                        <li>
                            <RouteLink to={Route::LeadQueue} class="nav-link" testid="nav-lead-queue"
                                current={matches!(route, Some(Route::LeadQueue))} onnavigate={close.clone()}>
                                { "Lead Queue" }
                                if let Some(n) = *queued {
                                    <span class="nav-count" data-testid="nav-queue-count">{ format!(" ({n})") }</span>
                                }
                            </RouteLink>
                        </li>
                    }
                    if sees_pending && me.nav.leads {
                        <li>
                            <a href={format!("{}?location=pending", Route::Leads.to_path())} class="nav-link"
                                data-testid="nav-pending" onclick={open_pending}>
                                { "Pending" }
                                if let Some(n) = *pending {
                                    <span class="nav-count" data-testid="nav-pending-count">{ format!(" ({n})") }</span>
                                }
                            </a>
                        </li>
                    }
                    if me.nav.customers { { section(Route::Customers, "Customers", "nav-customers") } }
                    if me.nav.admin { { section(Route::Admin, "Admin", "nav-admin") } }
                </ul>
                <div class="nav-user">
                    <span class="user-who">
                        <span class="user-name" data-testid="user-name">{ me.name.clone() }</span>
                        <span class="user-company" data-testid="user-company">
                            { format!("{} · {}", me.company_name, me.role_label) }
                        </span>
                    </span>
                    <button type="button" class="button secondary" data-testid="sign-out" onclick={sign_out}>
                        { "Sign out" }
                    </button>
                </div>
            </nav>
        </header>
    }
}
