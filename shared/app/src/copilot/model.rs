//! The model engine: the same asks answered by a language model (Amazon Bedrock in AWS, [`vigil_store::Model`]).
//! The model is given only what the caller may read of the lead, minus every confidential field, and must answer in
//! one strict JSON shape; Vigil checks the shape, computes the BANT total itself and decides `may_send` from the
//! lead's opt-out, so a model can neither exceed a score nor make an opted-out email sendable.

use super::engine::{Engine, EngineError, Facts};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use vigil_api::copilot::{Ask, Bant, CopilotAnswer, CopilotAsk, Dimension, EmailDraft, NextAction};
use vigil_store::{Model, ModelError};

pub const NAME: &str = "bedrock";
/// The longest text a model answer may carry in any one field.
const TEXT_MAX: usize = 4000;

pub struct ModelEngine {
    model: Arc<dyn Model>,
}

impl ModelEngine {
    pub fn new(model: Arc<dyn Model>) -> Self {
        Self { model }
    }
}

const SYSTEM: &str = "You are the sales copilot of a security-alarm dealer's lead system. You are given one lead's \
fields as JSON and one ask. Use only facts present in the fields; never invent any. Answer with exactly one JSON \
object and nothing else, with these keys: \"text\" (your answer in one or two sentences), \"next_action\" \
({\"kind\": one of \"schedule_call\", \"send_follow_up\", \"qualify\", \"convert\", \"disqualify\", \"reopen\", \
\"label\": a short imperative}). For ask \"qualify\" add \"bant\" with \"budget\", \"authority\", \"need\" and \
\"timeline\", each {\"score\": integer 0 to 25, \"reason\": one line citing the field it rests on}. For ask \"hot\" \
add \"hot\" (boolean) and \"reasons\" (non-empty list of strings). For ask \"intro_email\" add \"email\" \
({\"subject\", \"body\"}) written in the lead's language. For ask \"question\" answer the question in \"text\".";

/// The lead as the model may see it: the caller's view without empty, masked or confidential fields.
fn visible_fields(facts: &Facts) -> Map<String, Value> {
    let flat = match serde_json::to_value(&facts.lead) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    flat.into_iter()
        .filter(|(k, v)| {
            let empty = match v {
                Value::Null => true,
                Value::String(s) => s.trim().is_empty() || s == "***",
                Value::Array(a) => a.is_empty(),
                _ => false,
            };
            let confidential = vigil_domain::fields::spec(k).is_some_and(|f| f.confidential.is_some());
            !empty && !confidential && !k.contains("ssn")
        })
        .collect()
}

/// The user message: the ask and the lead's visible fields.
pub fn request(facts: &Facts, ask: &CopilotAsk) -> String {
    json!({
        "ask": ask.ask.as_str(),
        "question": ask.question,
        "lead": visible_fields(facts),
        "failed_contact_attempts": facts.failed_contacts,
        "best_industries": facts.best_industries,
        "sender": facts.sender,
    })
    .to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    text: String,
    next_action: NextAction,
    #[serde(default)]
    bant: Option<Bant>,
    #[serde(default)]
    hot: Option<bool>,
    #[serde(default)]
    reasons: Option<Vec<String>>,
    #[serde(default)]
    email: Option<ModelEmail>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelEmail {
    subject: String,
    body: String,
}

fn text_ok(s: &str) -> bool {
    !s.trim().is_empty() && s.chars().count() <= TEXT_MAX
}

/// The model's text as an answer to `ask`, or `Malformed`: one JSON object (a Markdown code fence around it is
/// tolerated), no unknown keys, every score within 0–25 with a reason, and the parts the ask needs present.
pub fn parse(text: &str, facts: &Facts, ask: &CopilotAsk) -> Result<CopilotAnswer, EngineError> {
    let trimmed = text.trim();
    let body = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|s| s.strip_suffix("```"))
        .unwrap_or(trimmed);
    let a: Answer = serde_json::from_str(body.trim()).map_err(|_| EngineError::Malformed)?;
    let dims_ok = |b: &Bant| {
        [&b.budget, &b.authority, &b.need, &b.timeline].iter().all(|d: &&Dimension| d.score <= 25 && text_ok(&d.reason))
    };
    let shape_ok = text_ok(&a.text)
        && text_ok(&a.next_action.label)
        && match ask.ask {
            Ask::Qualify => a.bant.as_ref().is_some_and(dims_ok),
            Ask::Hot => {
                a.hot.is_some() && a.reasons.as_ref().is_some_and(|r| !r.is_empty() && r.iter().all(|x| text_ok(x)))
            }
            Ask::IntroEmail => a.email.as_ref().is_some_and(|e| text_ok(&e.subject) && text_ok(&e.body)),
            Ask::Question => true,
        };
    if !shape_ok {
        return Err(EngineError::Malformed);
    }
    let mut out = CopilotAnswer {
        engine: NAME.into(),
        text: a.text,
        next_action: a.next_action,
        bant: None,
        total: None,
        hot: None,
        reasons: None,
        email: None,
    };
    match ask.ask {
        Ask::Qualify => {
            out.total = a.bant.as_ref().map(Bant::total);
            out.bant = a.bant;
        }
        Ask::Hot => {
            out.hot = a.hot;
            out.reasons = a.reasons;
        }
        Ask::IntroEmail => {
            out.email = a.email.map(|e| EmailDraft {
                subject: e.subject,
                body: e.body,
                may_send: !facts.lead.lead.email_opt_out,
            });
        }
        Ask::Question => {}
    }
    Ok(out)
}

#[async_trait]
impl Engine for ModelEngine {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn answer(&self, facts: &Facts, ask: &CopilotAsk) -> Result<CopilotAnswer, EngineError> {
        let text = self.model.converse(SYSTEM, &request(facts, ask)).await.map_err(|e| match e {
            ModelError::Timeout => EngineError::Timeout,
            ModelError::Throttled => EngineError::Throttled,
            ModelError::Unavailable(_) => EngineError::Unavailable,
        })?;
        parse(&text, facts, ask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        let mut lead = super::super::deterministic::tests::lead();
        lead.email = Some("ann@example.com".into());
        lead.lead.customer.birthdate = Some("1980-05-17".into());
        Facts { lead, failed_contacts: 0, best_industries: vec![], sender: "Sam".into() }
    }

    fn ask(a: Ask) -> CopilotAsk {
        CopilotAsk { ask: a, question: None }
    }

    #[test]
    fn confidential_fields_never_reach_the_model_even_when_the_caller_may_read_them() {
        let r = request(&facts(), &ask(Ask::Hot));
        assert!(r.contains("\"first_name\":\"Ann\""), "{r}");
        assert!(!r.contains("1980-05-17") && !r.contains("birthdate"), "{r}");
    }

    #[test]
    fn a_well_formed_answer_is_taken_with_vigil_computing_total_and_may_send() {
        let d = |s: u8| json!({"score": s, "reason": "the budget field"});
        let text = json!({"text": "Qualified.", "next_action": {"kind": "convert", "label": "Convert"},
            "bant": {"budget": d(25), "authority": d(20), "need": d(10), "timeline": d(5)}})
        .to_string();
        let a = parse(&format!("```json\n{text}\n```"), &facts(), &ask(Ask::Qualify)).expect("taken");
        assert_eq!((a.engine.as_str(), a.total), (NAME, Some(60)));
        let email = json!({"text": "Drafted.", "next_action": {"kind": "send_follow_up", "label": "Send it"},
            "email": {"subject": "Hi", "body": "Hello Ann"}})
        .to_string();
        let mut f = facts();
        f.lead.lead.email_opt_out = true;
        let a = parse(&email, &f, &ask(Ask::IntroEmail)).expect("taken");
        assert_eq!(a.email.map(|e| e.may_send), Some(false));
    }

    #[test]
    fn anything_off_the_shape_is_malformed() {
        let f = facts();
        let d = |s: u8| json!({"score": s, "reason": "r"});
        let over = json!({"text": "t", "next_action": {"kind": "convert", "label": "l"},
            "bant": {"budget": d(26), "authority": d(1), "need": d(1), "timeline": d(1)}});
        let cases = [
            ("not json", Ask::Question),
            ("{\"text\": \"t\"}", Ask::Question),
            (r#"{"text": "t", "next_action": {"kind": "sell_harder", "label": "l"}}"#, Ask::Question),
            (r#"{"text": "t", "next_action": {"kind": "convert", "label": "l"}, "extra": 1}"#, Ask::Question),
            (r#"{"text": "t", "next_action": {"kind": "convert", "label": "l"}}"#, Ask::Qualify),
            (
                r#"{"text": "t", "next_action": {"kind": "convert", "label": "l"}, "hot": true, "reasons": []}"#,
                Ask::Hot,
            ),
            (r#"{"text": " ", "next_action": {"kind": "convert", "label": "l"}}"#, Ask::Question),
        ];
        for (text, a) in cases {
            assert_eq!(parse(text, &f, &ask(a)).err(), Some(EngineError::Malformed), "{text}");
        }
        assert_eq!(parse(&over.to_string(), &f, &ask(Ask::Qualify)).err(), Some(EngineError::Malformed));
    }
}
