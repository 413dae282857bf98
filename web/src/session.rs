//! Who is signed in: the bearer token (kept in localStorage so a reload stays signed in) and the user it belongs to.
//! Shared by every screen through a context holding its state.

use crate::api::{ApiError, Client, Me};
use crate::hooks::{use_effect_with, use_state, UseStateHandle};
use crate::html;
use crate::storage;
use crate::toast::{use_toasts, Toasts};
use std::rc::Rc;
use yew::prelude::*;

const TOKEN_KEY: &str = "vigil.token";

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Session {
    pub token: Option<Rc<str>>,
    /// Loaded from `GET /me` once there is a token.
    pub me: Option<Rc<Me>>,
    /// Why `me` could not be loaded (other than an expired token, which signs out).
    pub load_error: Option<Rc<str>>,
}

impl Session {
    fn from_storage() -> Self {
        let token = storage::get::<String>(TOKEN_KEY).filter(|t| !t.is_empty());
        Self { token: token.map(Rc::from), me: None, load_error: None }
    }

    pub fn client(&self) -> Option<Client> {
        self.token.as_deref().map(Client::new)
    }
}

pub enum SessionAction {
    SignedIn(String),
    /// `me` for the token it was loaded with; ignored if the session has moved on to another token. Behind an `Rc`
    /// as the session keeps it, so the action stays small.
    Loaded {
        token: Rc<str>,
        me: Rc<Me>,
    },
    LoadFailed {
        token: Rc<str>,
        message: String,
    },
    SignOut,
}

impl Reducible for Session {
    type Action = SessionAction;

    // The token's only writer, so localStorage always agrees with the session.
    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        match action {
            SessionAction::SignedIn(token) => {
                storage::set(TOKEN_KEY, &token);
                Rc::new(Session { token: Some(Rc::from(token)), me: None, load_error: None })
            }
            SessionAction::Loaded { token, me } if self.token.as_ref() == Some(&token) => {
                Rc::new(Session { token: Some(token), me: Some(me), load_error: None })
            }
            SessionAction::LoadFailed { token, message } if self.token.as_ref() == Some(&token) => {
                Rc::new(Session { token: Some(token), me: None, load_error: Some(Rc::from(message)) })
            }
            SessionAction::Loaded { .. } | SessionAction::LoadFailed { .. } => self,
            SessionAction::SignOut => {
                storage::delete(TOKEN_KEY);
                Rc::new(Session::default())
            }
        }
    }
}

pub type SessionHandle = UseStateHandle<Session>;

#[hook]
pub fn use_session() -> SessionHandle {
    use_context::<SessionHandle>().expect("SessionProvider is missing")
}

/// Reports a failed call: a 401 signs the user out (the router then shows sign-in), anything else becomes a toast
/// with the problem's title and detail.
#[hook]
pub fn use_report_error() -> Callback<ApiError> {
    let session = use_session();
    let toasts = use_toasts();
    crate::h::cb(move |err: ApiError| report(&session, &toasts, err))
}

fn report(session: &SessionHandle, toasts: &Toasts, err: ApiError) {
    if err.is_unauthorized() {
        if session.token.is_some() {
            session.dispatch(SessionAction::SignOut);
            toasts.error("Your session has ended", Some("Sign in again to continue.".into()));
        }
    } else {
        toasts.error(&err.title, err.detail.clone().filter(|d| d != &err.title));
    }
}

#[derive(Properties, PartialEq)]
pub struct SessionProviderProps {
    pub children: Html,
}

/// Holds the session and loads `me` whenever there is a token without a user.
#[component]
pub fn SessionProvider(props: &SessionProviderProps) -> Html {
    let session = use_state(Session::from_storage);
    let toasts = use_toasts();

    {
        let session = session.clone();
        let token = session.token.clone();
        use_effect_with(token, move |token| {
            if let Some(token) = token.clone() {
                if session.me.is_none() {
                    let client = Client::new(&*token);
                    crate::spawn(async move {
                        match client.me().await {
                            Ok(me) => session.dispatch(SessionAction::Loaded { token, me: Rc::new(me) }),
                            Err(err) if err.is_unauthorized() => report(&session, &toasts, err),
                            Err(err) => session.dispatch(SessionAction::LoadFailed { token, message: err.message() }),
                        }
                    });
                }
            }
        });
    }

    html! {
        <ContextProvider<SessionHandle> context={session}>
            { props.children.clone() }
        </ContextProvider<SessionHandle>>
    }
}
