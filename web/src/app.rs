//! The router and the providers every screen relies on (toasts, session).

use crate::components::nav::TopNav;
use crate::hooks::use_effect_with;
use crate::pages;
use crate::session::{use_session, SessionAction, SessionProvider};
use crate::toast::ToastProvider;
use vigil_domain::record::Kind;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Debug, Clone, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/sign-in")]
    SignIn,
    #[at("/leads")]
    Leads,
    #[at("/leads/new")]
    NewLead,
    #[at("/leads/import")]
    LeadImport,
    #[at("/leads/:id")]
    Lead { id: String },
    #[at("/customers")]
    Customers,
    #[at("/customers/new")]
    NewCustomer,
    #[at("/customers/new/wizard/:workflow")]
    NewCustomerWizard { workflow: String },
    #[at("/customers/:id/wizard")]
    CustomerWizard { id: String },
    #[at("/leads/new/wizard/:workflow")]
    NewLeadWizard { workflow: String },
    #[at("/admin/creation-workflows")]
    AdminCreationWorkflows,
    #[at("/customers/:id")]
    Customer { id: String },
    #[at("/customers/:id/:tab")]
    CustomerTab { id: String, tab: String },
    #[at("/customers/:id/customer-workflows/:enrollment")]
    CustomerEnrollment { id: String, enrollment: String },
    #[at("/admin")]
    Admin,
    #[at("/admin/partners")]
    AdminPartners,
    #[at("/admin/partners/new")]
    NewPartner,
    #[at("/admin/partners/:id")]
    AdminPartner { id: String },
    #[at("/admin/message-templates")]
    MessageTemplates,
    #[at("/admin/catalog")]
    AdminCatalog,
    #[at("/admin/intake-keys")]
    IntakeKeys,
    #[at("/lead-queue")]
    LeadQueue,
    #[not_found]
    #[at("/404")]
    NotFound,
}

#[component]
pub fn App() -> Html {
    html! {
        <BrowserRouter>
            <ToastProvider>
                <SessionProvider>
                    <Switch<Route> render={switch} />
                </SessionProvider>
            </ToastProvider>
        </BrowserRouter>
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
                let retry = Callback::from(|_| {
                    let _ = web_sys::window().map(|w| w.location().reload());
                });
                let sign_out = {
                    let session = session.clone();
                    Callback::from(move |_| session.dispatch(SessionAction::SignOut))
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
                Some(to) => html! { <Redirect<Route> {to} /> },
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
                let _ = nav.replace_with_query(&Route::SignIn, &[("next", next.as_str())]);
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
        .and_then(Route::recognize)
        .filter(|r| !matches!(r, Route::SignIn | Route::NotFound))
        .unwrap_or(Route::Home)
}
