//! A typed client of the API for tests: the same operation types the server answers with and the portal calls, so a
//! field renamed on one side only fails to compile or to parse here.

use crate::runtime::LocalRuntime;
use serde_json::Value;
use std::fmt::Display;
use vigil_api::operation::query_string;
use vigil_api::Operation;
use vigil_json::ToJson;

/// A failed call: the status and the problem+json body.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub status: u16,
    pub body: Value,
}

impl Refused {
    /// The `code` of the error naming `field`, if any.
    pub fn code_of(&self, field: &str) -> Option<&str> {
        self.body["errors"].as_array()?.iter().find(|e| e["field"] == field)?["code"].as_str()
    }
}

/// Calls made as one signed-in user.
pub struct Client<'a> {
    rt: &'a LocalRuntime,
    token: String,
}

impl<'a> Client<'a> {
    pub fn new(rt: &'a LocalRuntime, token: impl Into<String>) -> Self {
        Self { rt, token: token.into() }
    }

    /// Calls `O` and parses its answer as `O::Response`; a status other than `O::STATUS` is `Err`.
    pub async fn call<O: Operation>(
        &self,
        path: &O::Path,
        query: &O::Query,
        body: &O::Body,
    ) -> Result<O::Response, Refused> {
        let url = self.rt.url(&format!("{}{}", O::path(path), query_string(query)));
        let method =
            reqwest::Method::from_bytes(O::method().as_str().as_bytes()).expect("the contract's methods are valid");
        let mut req = self.rt.http().request(method, url).bearer_auth(&self.token);
        let sent = serde_json::to_value(body).expect("request bodies serialise");
        same_writing(&sent, body.to_json(), "body", O::FUNCTION);
        same_writing(&serde_json::to_value(query).expect("queries serialise"), query.to_json(), "query", O::FUNCTION);
        if !sent.is_null() {
            req = req.json(&sent);
        }
        let resp = req.send().await.expect("the local runtime answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("a readable body");
        if status != O::STATUS {
            return Err(Refused { status, body: serde_json::from_str(&text).unwrap_or(Value::Null) });
        }
        let text = if text.is_empty() { "null" } else { text.as_str() };
        // The server's `json-check` (on in the tests) has already compared the portal's reading of this answer with
        // serde's.
        Ok(serde_json::from_str(text).unwrap_or_else(|e| {
            panic!("{} answered a body that does not fit its response type: {e}\n{text}", O::FUNCTION)
        }))
    }
}

/// The portal writes requests with `vigil_json`, not serde: every body and query a test sends is written both ways,
/// and the two must be the same JSON.
fn same_writing(serde_wrote: &Value, portal_wrote: Value, what: &str, function: impl Display) {
    assert_eq!(serde_wrote, &portal_wrote, "serde and the portal's writer wrote {function}'s {what} differently");
}
