//! The router and the providers every screen relies on (toasts, session).

use crate::components::nav::TopNav;
use crate::hooks::use_effect_with;
use crate::html;
use crate::pages;
use crate::router::{use_location, use_navigator, Redirect, Router, Switch};
use crate::session::{use_session, SessionAction, SessionProvider};
use crate::toast::ToastProvider;
use vigil_domain::record::Kind;
use yew::prelude::*;

/// The portal's screens. `from_path` and `to_path` below are the one table of their paths.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Home,
    SignIn,
    Leads,
    NewLead,
    LeadImport,
    Lead { id: String },
    Customers,
    NewCustomer,
    NewCustomerWizard { workflow: String },
    CustomerWizard { id: String },
    NewLeadWizard { workflow: String },
    AdminCreationWorkflows,
    Customer { id: String },
    CustomerTab { id: String, tab: String },
    CustomerEnrollment { id: String, enrollment: String },
    Admin,
    AdminPartners,
    NewPartner,
    AdminPartner { id: String },
    MessageTemplates,
    AdminCatalog,
    IntakeKeys,
    LeadQueue,
    NotFound,
}

impl Route {
    /// The route a path (as `location.pathname` gives it) shows; `NotFound` when it is none of the portal's.
    ///
    /// Matches as the portal's links have always been read: one trailing slash is ignored, a parameter is one
    /// non-empty segment (percent-decoded, and it must decode to UTF-8), and where two paths fit, the one with more
    /// fixed segments wins (`/leads/new` over `/leads/:id`, `/customers/:id/wizard` over `/customers/:id/:tab`).
    pub fn from_path(path: &str) -> Route {
        let path = path.strip_suffix('/').unwrap_or(path);
        let path = path.strip_prefix('/').unwrap_or(path);
        let segments: Vec<&str> = if path.is_empty() { Vec::new() } else { path.split('/').collect() };
        if segments.iter().any(|s| s.is_empty()) {
            return Route::NotFound;
        }
        Self::from_segments(&segments).unwrap_or(Route::NotFound)
    }

    /// Arms with more fixed segments come before the ones they overlap, which is what makes them win.
    fn from_segments(segments: &[&str]) -> Option<Route> {
        let param = |s: &str| String::from_utf8(crate::router::percent_decode(s)).ok();
        Some(match segments {
            [] => Route::Home,
            ["sign-in"] => Route::SignIn,
            ["leads"] => Route::Leads,
            ["leads", "new"] => Route::NewLead,
            ["leads", "import"] => Route::LeadImport,
            ["leads", "new", "wizard", workflow] => Route::NewLeadWizard { workflow: param(workflow)? },
            ["leads", id] => Route::Lead { id: param(id)? },
            ["customers"] => Route::Customers,
            ["customers", "new"] => Route::NewCustomer,
            ["customers", "new", "wizard", workflow] => Route::NewCustomerWizard { workflow: param(workflow)? },
            ["customers", id, "wizard"] => Route::CustomerWizard { id: param(id)? },
            ["customers", id, "customer-workflows", enrollment] => {
                Route::CustomerEnrollment { id: param(id)?, enrollment: param(enrollment)? }
            }
            ["customers", id] => Route::Customer { id: param(id)? },
            ["customers", id, tab] => Route::CustomerTab { id: param(id)?, tab: param(tab)? },
            ["admin"] => Route::Admin,
            ["admin", "creation-workflows"] => Route::AdminCreationWorkflows,
            ["admin", "partners"] => Route::AdminPartners,
            ["admin", "partners", "new"] => Route::NewPartner,
            ["admin", "partners", id] => Route::AdminPartner { id: param(id)? },
            ["admin", "message-templates"] => Route::MessageTemplates,
            ["admin", "catalog"] => Route::AdminCatalog,
            ["admin", "intake-keys"] => Route::IntakeKeys,
            ["lead-queue"] => Route::LeadQueue,
            ["404"] => Route::NotFound,
            _ => return None,
        })
    }

    /// The path of this route; parameters are percent-encoded, so each stays one segment.
    pub fn to_path(&self) -> String {
        let p = vigil_api::operation::encode;
        match self {
            Route::Home => "/".into(),
            Route::SignIn => "/sign-in".into(),
            Route::Leads => "/leads".into(),
            Route::NewLead => "/leads/new".into(),
            Route::LeadImport => "/leads/import".into(),
            Route::Lead { id } => format!("/leads/{}", p(id)),
            Route::Customers => "/customers".into(),
            Route::NewCustomer => "/customers/new".into(),
            Route::NewCustomerWizard { workflow } => format!("/customers/new/wizard/{}", p(workflow)),
            Route::CustomerWizard { id } => format!("/customers/{}/wizard", p(id)),
            Route::NewLeadWizard { workflow } => format!("/leads/new/wizard/{}", p(workflow)),
            Route::AdminCreationWorkflows => "/admin/creation-workflows".into(),
            Route::Customer { id } => format!("/customers/{}", p(id)),
            Route::CustomerTab { id, tab } => format!("/customers/{}/{}", p(id), p(tab)),
            Route::CustomerEnrollment { id, enrollment } => {
                format!("/customers/{}/customer-workflows/{}", p(id), p(enrollment))
            }
            Route::Admin => "/admin".into(),
            Route::AdminPartners => "/admin/partners".into(),
            Route::NewPartner => "/admin/partners/new".into(),
            Route::AdminPartner { id } => format!("/admin/partners/{}", p(id)),
            Route::MessageTemplates => "/admin/message-templates".into(),
            Route::AdminCatalog => "/admin/catalog".into(),
            Route::IntakeKeys => "/admin/intake-keys".into(),
            Route::LeadQueue => "/lead-queue".into(),
            Route::NotFound => "/404".into(),
        }
    }
}

#[component]
pub fn App() -> Html {
    html! {
        <Router>
            <ToastProvider>
                <SessionProvider>
                    <Switch render={switch} />
                </SessionProvider>
            </ToastProvider>
        </Router>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::SignIn => html! { <pages::sign_in::SignIn /> },
        other => html! { <SignedInShell route={other} /> },
    }
}

#[derive(Properties, PartialEq)]
struct ShellProps {
    route: Route,
}

/// Every screen but sign-in: needs a token (else off to sign-in, remembering where the user was going) and the
/// user it belongs to (for the navigation).
#[component]
fn SignedInShell(props: &ShellProps) -> Html {
    let session = use_session();
    let location = use_location();
    let Some(_) = &session.token else {
        let next = location.map(|l| l.path().to_owned()).unwrap_or_default();
        return html! { <RedirectToSignIn {next} /> };
    };
    let Some(me) = session.me.clone() else {
        let body = match &session.load_error {
            Some(message) => {
                let retry = crate::h::cb(|_| {
                    let _ = web_sys::window().map(|w| w.location().reload());
                });
                let sign_out = {
                    let session = session.clone();
                    crate::h::cb(move |_| session.dispatch(SessionAction::SignOut))
                };
                html! {
                    <div class="panel error-box" role="alert" data-testid="session-error">
                        <h1>{ "Could not load your account" }</h1>
                        <p>{ message.to_string() }</p>
                        <div class="actions">
                            <button type="button" class="button" onclick={retry}>{ "Try again" }</button>
                            <button type="button" class="button secondary" onclick={sign_out}>{ "Sign out" }</button>
                        </div>
                    </div>
                }
            }
            None => html! { <p class="loading" data-testid="loading">{ "Loading your account…" }</p> },
        };
        return html! { <main id="main" class="main">{ body }</main> };
    };

    let page = match &props.route {
        Route::Home => {
            let first = if me.nav.leads {
                Some(Route::Leads)
            } else if me.nav.customers {
                Some(Route::Customers)
            } else if me.nav.admin {
                Some(Route::Admin)
            } else {
                None
            };
            match first {
                Some(to) => html! { <Redirect {to} /> },
                None => html! {
                    <section class="panel" data-testid="no-sections">
                        <h1>{ "Welcome" }</h1>
                        <p>{ "Your account has no sections to show yet. Ask your administrator for access." }</p>
                    </section>
                },
            }
        }
        // Keyed, so going from one list to the other starts on page 1 rather than reusing the other's cursor.
        Route::Leads => html! { <pages::leads::LeadsPage /> },
        Route::NewLead => html! { <pages::new_lead::NewLeadPage key="plain" /> },
        Route::LeadImport => html! { <pages::lead_import::LeadImportPage /> },
        Route::Customers => html! { <pages::customer_list::CustomerList key="customers" kind={Kind::Customer} /> },
        Route::NewCustomer => html! { <pages::new_customer::NewCustomerPage key="plain" /> },
        Route::Lead { id } => html! { <pages::lead::LeadPage kind={Kind::Lead} id={id.clone()} /> },
        Route::Customer { id } => html! { <pages::customer::CustomerPage key={id.clone()} id={id.clone()} /> },
        Route::NewCustomerWizard { workflow } => html! {
            <pages::new_customer::NewCustomerPage key={workflow.clone()} workflow={workflow.parse::<u32>().ok()} />
        },
        Route::CustomerWizard { id } => html! { <pages::wizard::WizardPage key={id.clone()} id={id.clone()} /> },
        Route::CustomerTab { id, tab } if tab == "wizard" => {
            html! { <pages::wizard::WizardPage key={id.clone()} id={id.clone()} /> }
        }
        Route::NewLeadWizard { workflow } => html! {
            <pages::new_lead::NewLeadPage key={workflow.clone()} workflow={workflow.parse::<u32>().ok()} />
        },
        Route::AdminCreationWorkflows => html! { <pages::wizard::admin::CreationWorkflowsAdmin /> },
        Route::CustomerTab { id, tab } => {
            html! { <pages::customer::CustomerPage key={id.clone()} id={id.clone()} tab={tab.clone()} /> }
        }
        Route::CustomerEnrollment { id, enrollment } => html! {
            <pages::customer::CustomerPage key={id.clone()} id={id.clone()} tab="customer-workflows" enrollment={enrollment.clone()} />
        },
        Route::Admin => html! { <pages::admin::Admin /> },
        Route::AdminPartners => html! { <pages::partners_admin::PartnerList /> },
        Route::NewPartner => html! { <pages::partners_admin::PartnerPage key="new" /> },
        Route::AdminPartner { id } => html! { <pages::partners_admin::PartnerPage key={id.clone()} id={id.clone()} /> },
        Route::MessageTemplates => html! { <pages::message_templates_admin::MessageTemplates /> },
        Route::AdminCatalog => html! { <pages::catalog_admin::CatalogAdmin /> },
        Route::IntakeKeys => html! { <pages::intake_keys::IntakeKeys /> },
        Route::LeadQueue => html! { <pages::lead_queue::LeadQueuePage /> },
        Route::NotFound | Route::SignIn => html! { <pages::not_found::NotFound /> },
    };

    html! {
        <>
            <a class="skip-link" href="#main">{ "Skip to content" }</a>
            <TopNav me={me} />
            <main id="main" class="main" tabindex="-1">{ page }</main>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct RedirectProps {
    next: String,
}

/// Sends a signed-out visitor to sign-in with `?next=` set, so they land where they were going afterwards.
#[component]
fn RedirectToSignIn(props: &RedirectProps) -> Html {
    let navigator = use_navigator();
    let next = props.next.clone();
    use_effect_with((), move |_| {
        if let Some(nav) = navigator {
            let worth_keeping = next.starts_with('/') && next != "/" && next != "/sign-in";
            if worth_keeping {
                nav.replace_with_query(&Route::SignIn, &[("next", next.as_str())]);
            } else {
                nav.replace(&Route::SignIn);
            }
        }
    });
    html! {}
}

/// A lead's or customer's page.
pub fn record_route(kind: Kind, id: vigil_domain::RecordId) -> Route {
    let id = id.to_string();
    match kind {
        Kind::Lead => Route::Lead { id },
        Kind::Customer => Route::Customer { id },
    }
}

/// Where to go after signing in: `next` when it is one of the portal's own paths, else home.
pub fn after_sign_in(next: Option<&str>) -> Route {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .map(Route::from_path)
        .filter(|r| !matches!(r, Route::SignIn | Route::NotFound))
        .unwrap_or(Route::Home)
}

#[cfg(test)]
mod tests {
    use super::Route;

    fn every_route() -> Vec<Route> {
        let id = || "7".to_owned();
        vec![
            Route::Home,
            Route::SignIn,
            Route::Leads,
            Route::NewLead,
            Route::LeadImport,
            Route::Lead { id: id() },
            Route::Customers,
            Route::NewCustomer,
            Route::NewCustomerWizard { workflow: "3".into() },
            Route::CustomerWizard { id: id() },
            Route::NewLeadWizard { workflow: "3".into() },
            Route::AdminCreationWorkflows,
            Route::Customer { id: id() },
            Route::CustomerTab { id: id(), tab: "accounting".into() },
            Route::CustomerEnrollment { id: id(), enrollment: "12".into() },
            Route::Admin,
            Route::AdminPartners,
            Route::NewPartner,
            Route::AdminPartner { id: id() },
            Route::MessageTemplates,
            Route::AdminCatalog,
            Route::IntakeKeys,
            Route::LeadQueue,
            Route::NotFound,
        ]
    }

    #[test]
    fn every_route_has_its_path_and_reads_back() {
        let paths: Vec<String> = every_route().iter().map(Route::to_path).collect();
        assert_eq!(
            paths,
            [
                "/",
                "/sign-in",
                "/leads",
                "/leads/new",
                "/leads/import",
                "/leads/7",
                "/customers",
                "/customers/new",
                "/customers/new/wizard/3",
                "/customers/7/wizard",
                "/leads/new/wizard/3",
                "/admin/creation-workflows",
                "/customers/7",
                "/customers/7/accounting",
                "/customers/7/customer-workflows/12",
                "/admin",
                "/admin/partners",
                "/admin/partners/new",
                "/admin/partners/7",
                "/admin/message-templates",
                "/admin/catalog",
                "/admin/intake-keys",
                "/lead-queue",
                "/404",
            ]
        );
        for route in every_route() {
            assert_eq!(Route::from_path(&route.to_path()), route);
            assert_eq!(Route::from_path(&format!("{}/", route.to_path())), route, "with a trailing slash");
        }
    }

    #[test]
    fn fixed_segments_win_over_parameters() {
        assert_eq!(Route::from_path("/leads/new"), Route::NewLead);
        assert_eq!(Route::from_path("/leads/import"), Route::LeadImport);
        assert_eq!(Route::from_path("/leads/newer"), Route::Lead { id: "newer".into() });
        assert_eq!(Route::from_path("/customers/new"), Route::NewCustomer);
        assert_eq!(Route::from_path("/customers/9/wizard"), Route::CustomerWizard { id: "9".into() });
        assert_eq!(Route::from_path("/customers/new/wizard"), Route::CustomerWizard { id: "new".into() });
        assert_eq!(
            Route::from_path("/customers/new/notes"),
            Route::CustomerTab { id: "new".into(), tab: "notes".into() }
        );
        assert_eq!(Route::from_path("/customers/new/wizard/4"), Route::NewCustomerWizard { workflow: "4".into() });
        assert_eq!(
            Route::from_path("/customers/new/customer-workflows/4"),
            Route::CustomerEnrollment { id: "new".into(), enrollment: "4".into() }
        );
        assert_eq!(
            Route::from_path("/customers/9/customer-workflows"),
            Route::CustomerTab { id: "9".into(), tab: "customer-workflows".into() }
        );
        assert_eq!(Route::from_path("/admin/partners/new"), Route::NewPartner);
        assert_eq!(Route::from_path("/admin/partners/5"), Route::AdminPartner { id: "5".into() });
    }

    #[test]
    fn unknown_paths_are_not_found() {
        for path in [
            "/nope",
            "/leads/1/2",
            "/leads//",
            "//leads",
            "/leads/new/wizard",
            "/customers/1/a/b/c",
            "/admin/other",
            "/admin/partners/1/x",
            "/Leads",
            "/sign-in/x",
            "/leads/%FF",
        ] {
            assert_eq!(Route::from_path(path), Route::NotFound, "{path}");
        }
    }

    #[test]
    fn slashes_and_encoded_segments_read_as_before() {
        assert_eq!(Route::from_path(""), Route::Home);
        assert_eq!(Route::from_path("//"), Route::Home);
        assert_eq!(Route::from_path("leads"), Route::Leads);
        assert_eq!(Route::from_path("/leads/"), Route::Leads);
        assert_eq!(Route::from_path("/leads/a%20b"), Route::Lead { id: "a b".into() });
        assert_eq!(Route::from_path("/leads/a%2Fb"), Route::Lead { id: "a/b".into() });
        assert_eq!(Route::from_path("/leads/a+b.c"), Route::Lead { id: "a+b.c".into() });
        assert_eq!(Route::from_path("/leads/100%"), Route::Lead { id: "100%".into() });
        let odd = Route::CustomerTab { id: "a/b c".into(), tab: "é?#".into() };
        assert_eq!(odd.to_path(), "/customers/a%2Fb%20c/%C3%A9%3F%23");
        assert_eq!(Route::from_path(&odd.to_path()), odd);
    }

    #[test]
    fn sign_in_returns_only_to_the_portals_own_pages() {
        use super::after_sign_in;
        assert_eq!(after_sign_in(Some("/leads/3")), Route::Lead { id: "3".into() });
        assert_eq!(
            after_sign_in(Some("/customers/1/accounting")),
            Route::CustomerTab { id: "1".into(), tab: "accounting".into() }
        );
        for next in [None, Some("leads"), Some("//evil.example/x"), Some("/sign-in"), Some("/nope"), Some("/404")] {
            assert_eq!(after_sign_in(next), Route::Home, "{next:?}");
        }
    }
}
