//! The Sales Copilot on the lead page: one ask, one answer whose every number says where it comes from.

use serde::{Deserialize, Serialize};
use vigil_json::{FromJson, ToJson};

/// What the caller asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    /// BANT qualification: budget, authority, need, timeline, 0–25 each.
    Qualify,
    /// Is this a hot lead? Yes or no, with the reasons.
    Hot,
    /// A first outreach email in the lead's language.
    IntroEmail,
    /// A free question (`question`), answered from the record only.
    Question,
}

impl Ask {
    pub const fn as_str(self) -> &'static str {
        match self {
            Ask::Qualify => "qualify",
            Ask::Hot => "hot",
            Ask::IntroEmail => "intro_email",
            Ask::Question => "question",
        }
    }
}

/// `POST /api/v1/leads/{id}/copilot`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CopilotAsk {
    pub ask: Ask,
    /// Required with `ask: question`, 1–500 characters; ignored otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
}

/// One BANT dimension: 0–25 and the one line that justifies it from the lead's own fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Dimension {
    #[cfg_attr(feature = "openapi", schemars(range(max = 25)))]
    pub score: u8,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Bant {
    pub budget: Dimension,
    pub authority: Dimension,
    pub need: Dimension,
    pub timeline: Dimension,
}

impl Bant {
    /// 0–100.
    pub fn total(&self) -> u8 {
        [&self.budget, &self.authority, &self.need, &self.timeline].iter().map(|d| d.score.min(25)).sum()
    }
}

/// A draft first outreach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EmailDraft {
    pub subject: String,
    pub body: String,
    /// False when the lead opted out of email: the draft must not be sent.
    pub may_send: bool,
}

/// What the Copilot recommends doing next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NextActionKind {
    /// Call the lead (set the follow-up to today).
    ScheduleCall,
    /// Write to the lead and set the next follow-up.
    SendFollowUp,
    /// Move the lead to Qualified.
    Qualify,
    /// Convert the lead to a customer.
    Convert,
    /// Move the lead to Unqualified (three failed contacts).
    Disqualify,
    /// Reopen an unqualified lead to New.
    Reopen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NextAction {
    pub kind: NextActionKind,
    pub label: String,
}

/// The Copilot's answer. `bant` and `total` come with `qualify`, `hot` and `reasons` with `hot`, `email` with
/// `intro_email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CopilotAnswer {
    /// `deterministic` (rules over the record) or `bedrock` (a model given only what the caller may see).
    pub engine: String,
    pub text: String,
    pub next_action: NextAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bant: Option<Bant>,
    /// The BANT total, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(range(max = 100)))]
    pub total: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hot: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailDraft>,
}
