//! Sign-in. Locally the runtime offers its demo users, one click each; in production the dev route does not exist
//! and sign-in goes through the company's identity provider.

use crate::api::{self, ApiError, DevUser};
use crate::app::after_sign_in;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::router::{use_location, Redirect};
use crate::session::{use_session, SessionAction};
use crate::toast::use_toasts;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
enum DemoUsers {
    Loading,
    Loaded(Vec<DevUser>),
    /// No dev route: this is a production deployment.
    IdentityProvider,
    Failed(ApiError),
}

#[component]
pub fn SignIn() -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let location = use_location();
    let users = use_state(|| DemoUsers::Loading);
    let signing_in = use_state(|| None::<String>);
    let reload = use_state(|| 0u32);

    {
        let users = users.clone();
        let signed_in = session.token.is_some();
        use_effect_with((signed_in, *reload), move |(signed_in, _)| {
            if !*signed_in {
                users.set(DemoUsers::Loading);
                crate::spawn(async move {
                    users.set(match api::dev_users().await {
                        Ok(list) => DemoUsers::Loaded(list),
                        Err(e) if e.is_not_found() => DemoUsers::IdentityProvider,
                        Err(e) => DemoUsers::Failed(e),
                    });
                });
            }
        });
    }

    if session.me.is_some() {
        let next = location.and_then(|l| l.query_param("next"));
        return html! { <Redirect to={after_sign_in(next.as_deref())} /> };
    }

    let choose = {
        let session = session.clone();
        let signing_in = signing_in.clone();
        crate::h::cb(move |email: String| {
            if signing_in.is_some() {
                return;
            }
            signing_in.set(Some(email.clone()));
            let session = session.clone();
            let signing_in = signing_in.clone();
            let toasts = toasts.clone();
            crate::spawn(async move {
                match api::dev_sign_in(&email).await {
                    Ok(t) => session.dispatch(SessionAction::SignedIn(t.token)),
                    Err(e) => toasts.error(&e.title, e.detail.clone()),
                }
                signing_in.set(None);
            });
        })
    };

    let body = if let Some(message) = &session.load_error {
        let other = {
            let session = session.clone();
            crate::h::cb(move |_| session.dispatch(SessionAction::SignOut))
        };
        html! {
            <div class="error-box" role="alert" data-testid="session-error">
                <p>{ format!("Signed in, but your account could not be loaded: {message}") }</p>
                <button type="button" class="button secondary" onclick={other}>{ "Choose another user" }</button>
            </div>
        }
    } else if session.token.is_some() {
        html! { <p class="loading" data-testid="loading">{ "Signing you in…" }</p> }
    } else {
        match &*users {
            DemoUsers::Loading => html! { <p class="loading" data-testid="loading">{ "Loading demo users…" }</p> },
            DemoUsers::IdentityProvider => html! {
                <div class="notice" data-testid="sso-message">
                    <p>{ "Sign-in goes through your company's identity provider." }</p>
                    <p class="muted">{ "Use the sign-in link your administrator sent you, or ask them to invite you." }</p>
                </div>
            },
            DemoUsers::Failed(e) => {
                let retry = {
                    let reload = reload.clone();
                    crate::h::cb(move |_| reload.set(*reload + 1))
                };
                html! {
                    <div class="error-box" role="alert" data-testid="sign-in-error">
                        <p>{ format!("Could not load the demo users: {}", e.message()) }</p>
                        <button type="button" class="button secondary" onclick={retry}>{ "Try again" }</button>
                    </div>
                }
            }
            DemoUsers::Loaded(list) if list.is_empty() => html! {
                <p class="notice" data-testid="empty-state">{ "The local runtime has no demo users. Seed it and reload." }</p>
            },
            DemoUsers::Loaded(list) => demo_user_groups(list, signing_in.as_deref(), &choose),
        }
    };

    html! {
        <main id="main" class="main sign-in">
            <section class="panel sign-in-panel">
                <h1><span class="brand-mark" aria-hidden="true">{ "◆" }</span>{ " Sign in to Vigil" }</h1>
                { body }
            </section>
        </main>
    }
}

/// The demo users grouped by company, in the order the runtime lists the companies.
fn demo_user_groups(list: &[DevUser], busy: Option<&str>, choose: &Callback<String>) -> Html {
    let mut groups: Vec<(&str, Vec<&DevUser>)> = Vec::new();
    for u in list {
        match groups.iter_mut().find(|(c, _)| *c == u.company) {
            Some((_, users)) => users.push(u),
            None => groups.push((&u.company, vec![u])),
        }
    }
    html! {
        <>
            <p class="muted">{ "Local sandbox: pick a demo user to sign in as." }</p>
            { for groups.into_iter().map(|(company, users)| {
                html! {
                    <section class="company-group" data-testid="company-group" data-company={company.to_owned()}>
                        <h2>{ users[0].company_name.clone() }</h2>
                        <ul class="user-choices">
                            { for users.iter().map(|u| {
                                let email = u.email.clone();
                                let onclick = choose.adapt(move |_: MouseEvent| email.clone());
                                let this_one = busy == Some(u.email.as_str());
                                html! {
                                    <li>
                                        <button type="button" class="user-choice" data-testid="dev-user"
                                            data-email={u.email.clone()} data-role={u.role.as_str()}
                                            data-company={u.company.clone()}
                                            disabled={busy.is_some()} aria-busy={this_one.to_string()} {onclick}>
                                            <span class="user-choice-name">{ u.name.clone() }</span>
                                            <span class="user-choice-role">{ u.role.label() }</span>
                                            <span class="user-choice-email">{ u.email.clone() }</span>
                                        </button>
                                    </li>
                                }
                            }) }
                        </ul>
                    </section>
                }
            }) }
        </>
    }
}
