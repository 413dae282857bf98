//! The portal's router: the current URL as context, a navigator that changes it through the browser's history, and
//! the switch that draws the page for it.
//!
//! It replaces `yew-router`, whose route recogniser, query (de)serialisers and generic components were a sizeable
//! part of the wasm for the one route table and the few navigations the portal has. It keeps that router's
//! behaviour: the same paths and query strings go into the history, every navigation (even to the same URL) renders
//! the location's readers again, and `Redirect` pushes after each of its renders.

use std::rc::Rc;

use crate::html;
use gloo_events::EventListener;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::app::Route;
use crate::hooks::{use_effect_with, use_state, use_state_with};

/// The browser's current path (still percent-encoded) and query string (with its `?`, or empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    path: String,
    query: String,
}

impl Location {
    fn current() -> Self {
        let location = web_sys::window().map(|w| w.location());
        let read = |f: fn(&web_sys::Location) -> Result<String, JsValue>| {
            location.as_ref().and_then(|l| f(l).ok()).unwrap_or_default()
        };
        Self { path: read(web_sys::Location::pathname), query: read(web_sys::Location::search) }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn query_str(&self) -> &str {
        &self.query
    }

    /// The query parameter `name`, decoded as a form's: `None` when it is missing, and also when it is given more
    /// than once, as the query parser used before refused duplicates.
    pub fn query_param(&self, name: &str) -> Option<String> {
        query_param(&self.query, name)
    }
}

fn query_param(query: &str, name: &str) -> Option<String> {
    let mut values = query_pairs(query).into_iter().filter(|(k, _)| k == name);
    match (values.next(), values.next()) {
        (Some((_, value)), None) => Some(value),
        _ => None,
    }
}

/// The `name=value` pairs of a query string (with or without a leading `?` or `&`), each decoded as a form's.
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches(['?', '&'])
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

/// A value for a query string the server reads (the browser's `encodeURIComponent`).
pub(crate) fn uri_component(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// A query component as `application/x-www-form-urlencoded` reads it: `+` is a space, and bytes that are not UTF-8
/// become U+FFFD rather than failing.
pub(crate) fn form_decode(s: &str) -> String {
    String::from_utf8_lossy(&percent_decode(&s.replace('+', " "))).into_owned()
}

/// `%XX` with two hex digits becomes that byte; any other `%` stays as it is.
pub(crate) fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = match (b, bytes.get(i + 1).and_then(hex_value), bytes.get(i + 2).and_then(hex_value)) {
            (b'%', Some(high), Some(low)) => Some(high << 4 | low),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn hex_value(b: &u8) -> Option<u8> {
    char::from(*b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// `application/x-www-form-urlencoded`, as forms and the query serialiser used before write it. (Path segments
/// are encoded by the contract's `vigil_api::operation::encode`.)
fn form_encode(s: &str) -> String {
    let hex = |n: u8| char::from(if n < 10 { b'0' + n } else { b'A' + n - 10 });
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_') {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(hex(b >> 4));
            out.push(hex(b & 15));
        }
    }
    out
}

/// A route's path with `pairs` as its query string (none when there are no pairs).
fn with_query(route: &Route, pairs: &mut dyn Iterator<Item = (&str, &str)>) -> String {
    let mut url = route.to_path();
    let mut separator = '?';
    for (key, value) in pairs {
        url.push(separator);
        url.push_str(&form_encode(key));
        url.push('=');
        url.push_str(&form_encode(value));
        separator = '&';
    }
    url
}

/// Moves the browser to another of the portal's URLs without reloading it.
#[derive(Clone, PartialEq)]
pub struct Navigator {
    /// Reads the browser's URL into the router's state, which renders what depends on it again.
    refresh: Callback<()>,
}

impl Navigator {
    pub fn push(&self, route: &Route) {
        self.go(&route.to_path(), false);
    }

    pub fn replace(&self, route: &Route) {
        self.go(&route.to_path(), true);
    }

    pub fn push_with_query<V: AsRef<str>>(&self, route: &Route, query: &[(&str, V)]) {
        self.go(&with_query(route, &mut query.iter().map(|(k, v)| (*k, v.as_ref()))), false);
    }

    pub fn replace_with_query<V: AsRef<str>>(&self, route: &Route, query: &[(&str, V)]) {
        self.go(&with_query(route, &mut query.iter().map(|(k, v)| (*k, v.as_ref()))), true);
    }

    fn go(&self, url: &str, replace: bool) {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = if replace {
                history.replace_state_with_url(&JsValue::NULL, "", Some(url))
            } else {
                history.push_state_with_url(&JsValue::NULL, "", Some(url))
            };
        }
        self.refresh.emit(());
    }
}

/// The location as its readers get it. Each navigation makes a new one, and only identity counts as equal, so a
/// navigation to the URL already shown still renders its readers again, as it did with the router used before.
#[derive(Clone)]
struct LocationContext(Rc<Location>);

impl PartialEq for LocationContext {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct RouterProps {
    pub children: Html,
}

/// Gives its children the current location and a navigator, and follows the browser's Back and Forward.
#[component]
pub fn Router(props: &RouterProps) -> Html {
    let location = use_state(|| Rc::new(Location::current()));
    let navigator = {
        let location = location.clone();
        // Made once, so the navigator's readers are not drawn again on every navigation, only the location's.
        use_state_with(move || Navigator {
            refresh: crate::h::cb(move |()| location.set(Rc::new(Location::current()))),
        })
    };
    {
        let refresh = navigator.refresh.clone();
        use_effect_with((), move |_| {
            // Children's effects run before this one, and a redirect among them may already have moved the URL.
            refresh.emit(());
            let listener = web_sys::window().map(|w| EventListener::new(&w, "popstate", move |_| refresh.emit(())));
            move || drop(listener)
        });
    }
    html! {
        <ContextProvider<Navigator> context={(*navigator).clone()}>
            <ContextProvider<LocationContext> context={LocationContext(Rc::clone(&location))}>
                { props.children.clone() }
            </ContextProvider<LocationContext>>
        </ContextProvider<Navigator>>
    }
}

#[hook]
pub fn use_navigator() -> Option<Navigator> {
    use_context::<Navigator>()
}

#[hook]
pub fn use_location() -> Option<Rc<Location>> {
    use_context::<LocationContext>().map(|c| c.0)
}

/// The route of the current path (`NotFound` when it is none of the portal's).
#[hook]
pub fn use_route() -> Option<Route> {
    use_location().map(|l| Route::from_path(l.path()))
}

#[derive(Properties, PartialEq)]
pub struct SwitchProps {
    pub render: Callback<Route, Html>,
}

/// Draws `render`'s page for the current route.
#[component]
pub fn Switch(props: &SwitchProps) -> Html {
    match use_route() {
        Some(route) => props.render.emit(route),
        None => Html::default(),
    }
}

#[derive(Properties, PartialEq)]
pub struct RedirectProps {
    pub to: Route,
}

/// Pushes `to` once drawn.
#[component]
pub fn Redirect(props: &RedirectProps) -> Html {
    let navigator = use_navigator();
    let to = props.to.clone();
    // After every render, not only when `to` changes, as the router used before did.
    yew::use_effect(move || {
        if let Some(nav) = navigator {
            nav.push(&to);
        }
    });
    Html::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes_and_leaves_stray_percents() {
        assert_eq!(percent_decode("a%20b%2Fc"), b"a b/c");
        assert_eq!(percent_decode("%e2%82%ac"), "€".as_bytes());
        assert_eq!(percent_decode("100%"), b"100%");
        assert_eq!(percent_decode("%zz%4"), b"%zz%4");
        assert_eq!(percent_decode("%%41"), b"%A");
        assert_eq!(percent_decode("a+b"), b"a+b");
    }

    #[test]
    fn encodes_segments_and_form_values() {
        let encode_segment = vigil_api::operation::encode;
        assert_eq!(encode_segment("a b/c~d.e_f-g"), "a%20b%2Fc~d.e_f-g");
        assert_eq!(encode_segment("é"), "%C3%A9");
        assert_eq!(form_encode("a b/c*d~"), "a+b%2Fc*d%7E");
        assert_eq!(form_encode("/leads/3?x=1&y"), "%2Fleads%2F3%3Fx%3D1%26y");
    }

    #[test]
    fn appends_a_query_only_when_there_are_pairs() {
        let url = |pairs: &[(&str, &str)]| with_query(&Route::Leads, &mut pairs.iter().copied());
        assert_eq!(url(&[]), "/leads");
        assert_eq!(url(&[("location", "pending")]), "/leads?location=pending");
        assert_eq!(url(&[("q", "Ann Marie"), ("tags", "1,2")]), "/leads?q=Ann+Marie&tags=1%2C2");
        let next = with_query(&Route::SignIn, &mut [("next", "/customers/1/accounting")].into_iter());
        assert_eq!(next, "/sign-in?next=%2Fcustomers%2F1%2Faccounting");
    }

    #[test]
    fn reads_one_query_parameter() {
        assert_eq!(query_param("?next=%2Fleads%2F3", "next").as_deref(), Some("/leads/3"));
        assert_eq!(query_param("?a=1&next=/leads/3&b", "next").as_deref(), Some("/leads/3"));
        assert_eq!(query_param("next=a+b%20c", "next").as_deref(), Some("a b c"));
        assert_eq!(query_param("?next", "next").as_deref(), Some(""));
        assert_eq!(query_param("?%6Eext=x", "next").as_deref(), Some("x"));
        assert_eq!(query_param("?next=%FF", "next").as_deref(), Some("\u{FFFD}"));
        assert_eq!(
            query_pairs("?first_name=Ann+Marie&tags=1%2C2"),
            vec![("first_name".into(), "Ann Marie".into()), ("tags".into(), "1,2".into())]
        );
        assert_eq!(query_param("", "next"), None);
        assert_eq!(query_param("?nextx=1&xnext=2", "next"), None);
        assert_eq!(query_param("?next=/a&next=/b", "next"), None);
    }
}
