//! One type per operation: its function (hence route), and the types of its path, query, body and response. The
//! server's edge answers with `Op::Response`, the portal and the tests call `client.call::<Op>(…)`, so both sides
//! agree on every field at compile time.

use crate::routes::{first_route, Function, Method};
use serde::de::DeserializeOwned;
use serde::Serialize;
use vigil_json::{FromJson, ToJson};

/// An operation of the API.
pub trait Operation {
    const FUNCTION: Function;
    /// The status of a success.
    const STATUS: u16 = 200;
    /// What fills the route's `{param}`s.
    type Path: PathParams;
    /// The query string, as an object of optional fields (absent ones are left out).
    type Query: Serialize + ToJson;
    /// The JSON body; `()` for none.
    type Body: Serialize + ToJson;
    /// The JSON answer; `()` for 204.
    type Response: DeserializeOwned + Serialize + FromJson + ToJson;

    fn method() -> Method {
        first_route(Self::FUNCTION).map_or(Method::Get, |r| r.method)
    }

    /// The route's path template. Functions that serve several routes (the sub-record collections) take the
    /// distinguishing segment from their path parameters.
    fn path_template() -> &'static str {
        first_route(Self::FUNCTION).map_or("/api/v1", |r| r.path)
    }

    /// The path of a request with these parameters.
    fn path(params: &Self::Path) -> String {
        params.fill(Self::path_template())
    }
}

/// Path parameters: they fill a route's template.
pub trait PathParams {
    fn fill(&self, template: &str) -> String;
}

impl PathParams for () {
    fn fill(&self, template: &str) -> String {
        template.to_owned()
    }
}

/// The query string of a query object: its fields in order, `null`s left out, percent-encoded.
pub fn query_string<Q: ToJson>(q: &Q) -> String {
    query_of(q.to_json())
}

/// What does not depend on the query's type, compiled once.
fn query_of(q: serde_json::Value) -> String {
    let serde_json::Value::Object(map) = q else { return String::new() };
    let mut out = String::new();
    for (k, v) in map {
        let text = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned).unwrap_or_else(|| vigil_json::to_text(i)))
                .collect::<Vec<_>>()
                .join(","),
            other => vigil_json::to_text(&other),
        };
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(&encode(&k));
        out.push('=');
        out.push_str(&encode(&text));
    }
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, ToJson)]
    struct Q {
        q: Option<String>,
        n: Option<u32>,
        tags: Vec<u32>,
    }

    #[test]
    fn query_strings_leave_out_absent_fields_and_encode() {
        let q = Q { q: Some("a b&c".into()), n: None, tags: vec![1, 2] };
        assert_eq!(query_string(&q), "?q=a%20b%26c&tags=1%2C2");
        assert_eq!(query_string(&()), "");
    }
}
