//! The customer record's sticky header: identity, status boxes, metadata, parent/children, quick actions and the
//! tab bar with counts.

use super::dialogs::Dialog;
use super::items::COLLECTIONS;
use crate::api::CustomerHome;
use crate::app::Route;
use crate::components::format;
use crate::components::route_link::RouteLink;
use crate::h::Adapt;
use crate::html;
use crate::router::use_navigator;
use crate::session::use_session;
use crate::toast::use_toasts;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(super) struct HeaderProps {
    pub c: Rc<CustomerHome>,
    pub tab: Option<&'static str>,
    pub menu_open: bool,
    pub on_menu: Callback<bool>,
    pub on_dialog: Callback<Dialog>,
    pub on_record: Callback<CustomerHome>,
}

#[component]
pub(super) fn Header(props: &HeaderProps) -> Html {
    let c = &props.c;
    let h = &c.header;
    let id = c.id;
    let session = use_session();
    let toasts = use_toasts();
    let navigator = use_navigator();
    let count = |key: &str| c.tabs.get(key).copied().unwrap_or(0);
    let warn = |key: &str| c.warnings.get(key).copied().unwrap_or(false);

    let tab_link = |to: Route, label: String, current: bool, testid: String, n: Option<u64>, dot: bool| {
        html! {
            <RouteLink {to} class={classes!("view-tab", current.then_some("active"))} {current} testid={testid}>
                { label }
                { for n.filter(|n| *n > 0).map(|n| html! { <span class="count" aria-label={format!("{n} items")}>{ n }</span> }) }
                { for dot.then(|| html! { <span class="red-dot" role="img" aria-label="needs attention"></span> }) }
            </RouteLink>
        }
    };
    // A partner login reads the Home page only: the sub-record tabs (and their quick links) are not offered.
    let partner_login = session.me.as_ref().is_some_and(|m| m.role == vigil_domain::Role::Partner);
    let tabs = html! {
        <nav class="view-tabs customer-tabs" aria-label="Customer sections" data-testid="customer-tabs">
            { tab_link(Route::Customer { id: id.to_string() }, "Home".into(), props.tab.is_none(), "tab-home".into(), None, false) }
            if !partner_login {
            { for COLLECTIONS.iter().map(|col| tab_link(
                Route::CustomerTab { id: id.to_string(), tab: col.segment.to_owned() },
                col.title.to_owned(),
                props.tab == Some(col.segment),
                format!("tab-{}", col.segment),
                Some(count(col.count_key)),
                warn(col.count_key),
            )) }
            { tab_link(
                Route::CustomerTab { id: id.to_string(), tab: super::work_orders::SEGMENT.to_owned() },
                "Work Orders".into(),
                props.tab == Some(super::work_orders::SEGMENT),
                "tab-work-orders".into(),
                Some(count("work_orders")),
                false,
            ) }
            { tab_link(
                Route::CustomerTab { id: id.to_string(), tab: super::accounting::SEGMENT.to_owned() },
                "Accounting".into(),
                props.tab == Some(super::accounting::SEGMENT),
                "tab-accounting".into(),
                Some(count("accounting")),
                false,
            ) }
            { tab_link(
                Route::CustomerTab { id: id.to_string(), tab: super::workflows::SEGMENT.to_owned() },
                "Workflows".into(),
                props.tab == Some(super::workflows::SEGMENT),
                "tab-customer-workflows".into(),
                Some(count("workflows")),
                warn("workflows"),
            ) }
            { tab_link(
                Route::CustomerTab { id: id.to_string(), tab: super::credit::SEGMENT.to_owned() },
                "Credit".into(),
                props.tab == Some(super::credit::SEGMENT),
                "tab-credit".into(),
                None,
                false,
            ) }
            { tab_link(
                Route::CustomerTab { id: id.to_string(), tab: super::history::SEGMENT.to_owned() },
                "History".into(),
                props.tab == Some(super::history::SEGMENT),
                "tab-history".into(),
                None,
                false,
            ) }
            }
        </nav>
    };

    let may_run_credit = session.me.as_ref().is_some_and(|m| {
        let target = vigil_domain::identity::Target {
            location: c.header.location.as_ref().map(|l| l.id),
            owner: None,
            source: None,
        };
        vigil_domain::UserId::parse(&m.id).is_ok_and(|user| {
            m.permissions.allows(&user, vigil_domain::Resource::CreditReports, vigil_domain::Action::Create, target)
        })
    });
    let close = props.on_menu.adapt(|_: ()| false);
    let a = c.actions;
    let menu = props.menu_open.then(|| {
        let dialog = |d: Dialog| {
            let (on_dialog, on_menu) = (props.on_dialog.clone(), props.on_menu.clone());
            crate::h::cb(move |_: MouseEvent| {
                on_menu.emit(false);
                on_dialog.emit(d);
            })
        };
        let duplicate = {
            let (client, navigator, toasts, on_menu) = (session.client(), navigator.clone(), toasts.clone(), props.on_menu.clone());
            crate::h::cb(move |_: MouseEvent| {
                on_menu.emit(false);
                let Some(client) = client.clone() else { return };
                let (navigator, toasts) = (navigator.clone(), toasts.clone());
                crate::spawn(async move {
                    match client.duplicate_customer(id).await {
                        Ok(copy) => {
                            toasts.info(&format!("Created customer #{} as a copy", copy.id));
                            if let Some(nav) = navigator {
                                nav.push(&Route::Customer { id: copy.id.to_string() });
                            }
                        }
                        Err(e) => toasts.error("Could not duplicate the customer", Some(e.message())),
                    }
                });
            })
        };
        let onkeydown = {
            let close = close.clone();
            crate::h::cb(move |e: KeyboardEvent| {
                if e.key() == "Escape" {
                    close.emit(());
                }
            })
        };
        let new_links = [("notes", "+ New Note"), ("appointments", "+ New Appointment"), ("equipment", "+ New Equipment"),
            ("recurring-invoices", "+ New Recurring Invoice"), ("scheduled-payments", "+ New Scheduled Payment"), ("contacts", "+ New Contact")];
        html! {
            <div class="flyout quick-actions" id="quick-actions" data-testid="quick-actions" {onkeydown}>
                if c.archived {
                    if a.unarchive {
                        <button type="button" class="button" data-testid="action-unarchive" onclick={dialog(Dialog::Unarchive)}>{ "Unarchive Customer" }</button>
                    } else {
                        <p class="muted">{ "This customer is archived." }</p>
                    }
                } else {
                    <nav class="quick-nav" aria-label="Go to">
                        <RouteLink to={Route::Customer { id: id.to_string() }} onnavigate={props.on_menu.adapt(|_| false)}>{ "Home" }</RouteLink>
                        { for COLLECTIONS.iter().filter(|_| !partner_login).map(|col| html! {
                            <RouteLink to={Route::CustomerTab { id: id.to_string(), tab: col.segment.to_owned() }} onnavigate={props.on_menu.adapt(|_| false)}>{ col.title }</RouteLink>
                        }) }
                    </nav>
                    <div class="quick-new">
                        { for a.modify.then(|| html! { <>{ for new_links.iter().map(|(seg, label)| html! {
                            <RouteLink to={Route::CustomerTab { id: id.to_string(), tab: (*seg).to_owned() }} class="button secondary"
                                testid={format!("action-new-{seg}")} onnavigate={props.on_menu.adapt(|_| false)}>{ *label }</RouteLink>
                        }) }</> }) }
                        { for a.modify.then(|| html! {
                            <RouteLink to={Route::CustomerTab { id: id.to_string(), tab: super::work_orders::SEGMENT.to_owned() }} class="button secondary"
                                testid="action-new-work-order" onnavigate={props.on_menu.adapt(|_| false)}>{ "+ New Work Order" }</RouteLink>
                        }) }
                        // The accounting flows: the Accounting tab with its form open.
                        { for [(super::accounting::NEW_INVOICE, "+ New Invoice"), (super::accounting::NEW_BILLING_METHOD, "+ New Billing Method"),
                            (super::accounting::NEW_PAYMENT, "+ New Payment")].iter().map(|(seg, label)| html! {
                            <RouteLink to={Route::CustomerTab { id: id.to_string(), tab: (*seg).to_owned() }} class="button secondary"
                                testid={format!("action-{seg}")} onnavigate={props.on_menu.adapt(|_| false)}>{ *label }</RouteLink>
                        }) }
                        { for may_run_credit.then(|| html! {
                            <RouteLink to={Route::CustomerTab { id: id.to_string(), tab: super::credit::SEGMENT.to_owned() }} class="button secondary"
                                testid="action-run-credit" onnavigate={props.on_menu.adapt(|_| false)}>{ "+ Run Credit" }</RouteLink>
                        }) }
                        { for a.duplicate.then(|| html! { <button type="button" class="button secondary" data-testid="action-duplicate" onclick={duplicate}>{ "Duplicate Customer" }</button> }) }
                        { for (a.modify && c.kind == vigil_domain::record::Kind::Customer).then(|| html! {
                            <button type="button" class="button secondary" data-testid="action-sell" onclick={dialog(Dialog::Sell)}>{ "Sell Customer" }</button>
                        }) }
                        { for a.archive.then(|| html! { <button type="button" class="button secondary" data-testid="action-archive" onclick={dialog(Dialog::Archive)}>{ "Archive Customer" }</button> }) }
                        { for a.delete.then(|| html! { <button type="button" class="button danger" data-testid="action-delete" onclick={dialog(Dialog::Delete)}>{ "Delete Customer" }</button> }) }
                    </div>
                }
            </div>
        }
    });

    let created_title = format!(
        "Created {}{}",
        format::date_time(&h.created_at),
        h.created_by.as_ref().map(|u| format!(" by {}", u.name)).unwrap_or_default()
    );
    let family = match (&h.parent, &h.children) {
        (Some(p), _) => html! {
            <span class="meta family" data-testid="parent-indicator">
                <span aria-hidden="true">{ "👥 " }</span>{ "Sub-customer of " }
                <RouteLink to={Route::Customer { id: p.id.to_string() }} testid="parent-link">{ p.name.clone() }</RouteLink>
            </span>
        },
        (None, Some(children)) if !children.is_empty() => html! {
            <details class="meta family children" data-testid="children-indicator">
                <summary>{ format!("👥 {} sub-customer{}", children.len(), if children.len() == 1 { "" } else { "s" }) }</summary>
                <ul>{ for children.iter().map(|k| html! {
                    <li><RouteLink to={Route::Customer { id: k.id.to_string() }} testid="child-link">{ format!("#{} {}", k.id, k.name) }</RouteLink></li>
                }) }</ul>
            </details>
        },
        _ => html! {},
    };
    let toggle = {
        let (on_menu, open) = (props.on_menu.clone(), props.menu_open);
        crate::h::cb(move |_| on_menu.emit(!open))
    };

    html! {
        <header class="customer-header" data-testid="customer-header">
            <div class="identity">
                <span class="id-badge" data-testid="customer-id">{ format!("#{}", h.id) }</span>
                <h1 data-testid="customer-name">{ h.name.clone() }</h1>
                <ul class="status-boxes" aria-label="Status">
                    { for h.status_boxes.iter().map(|b| html! {
                        <li class={classes!("status-box", format!("status-{}", b.color))} data-testid="status-box" data-category={b.category.clone()}
                            title={b.category.clone()}>{ b.label.clone() }</li>
                    }) }
                </ul>
                <button type="button" class="button secondary quick-actions-button" aria-haspopup="true" aria-expanded={props.menu_open.to_string()}
                    aria-controls="quick-actions" data-testid="quick-actions-button" onclick={toggle}>
                    <span aria-hidden="true">{ "☰ " }</span>{ "Actions" }
                </button>
            </div>
            { for menu }
            <p class="meta-row" data-testid="meta-row">
                <span class="meta" title={created_title}>{ format!("Created {}", format::date(&h.created_at)) }</span>
                { for h.sale.as_ref().map(|s| html! {
                    <span class="meta" data-testid="sale-badge">{ format!("Sale {}{}", s.date.clone().unwrap_or_default(), s.sold_by.as_ref().map(|u| format!(" · {}", u.name)).unwrap_or_default()) }</span>
                }) }
                { for h.install.as_ref().map(|s| html! {
                    <span class="meta" data-testid="install-badge">{ format!("Install {}{}", s.date.clone().unwrap_or_default(), s.technician.as_ref().map(|u| format!(" · {}", u.name)).unwrap_or_default()) }</span>
                }) }
                { for h.location.as_ref().map(|l| html! { <span class="meta" data-testid="location">{ l.name.clone() }</span> }) }
                { for (!h.city.is_empty()).then(|| html! { <span class="meta">{ format!("{}, {}", h.city, h.state) }</span> }) }
                { family }
            </p>
            if c.archived {
                <p class="archived-banner" data-testid="archived-banner">{ "This customer is archived: it is read-only until it is unarchived." }</p>
            }
            { tabs }
        </header>
    }
}
