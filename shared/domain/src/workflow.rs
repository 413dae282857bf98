//! Customer workflows: a company's definitions (layout, languages, ordered steps) and the rules an enrollment — one
//! customer's way through one version of a definition — follows: which outcomes a step's completion strategy takes,
//! when an automatic step's requirement holds, and what the enrollment's status and warning are.
//!
//! A definition reaches the server as JSON and is parsed here into types that cannot hold what the rules forbid: a
//! step without text in one of the workflow's languages, a merge field no customer has, `confirm_fields` confirming
//! nothing, an automatic step whose type has no requirement to wait for. Every problem is reported with its path
//! (`steps[2].title.es`), all at once.

use crate::error::FieldError;
use crate::sorted::SortedMap;
use crate::{fields, Invalid, UserId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_json::{FromJson, ToJson};

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_LANGUAGES: usize = 4;
pub const MAX_STEPS: usize = 30;
pub const MAX_TITLE_CHARS: usize = 200;
/// A call script is a few paragraphs; with every step and language at the limit a definition still fits one item.
pub const MAX_CONTENT_CHARS: usize = 2000;
pub const MAX_SUBJECT_CHARS: usize = 200;

/// How the enrollment page lays the steps out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Every step on one page (Expand All / Collapse All).
    SinglePage,
    /// One step at a time (Prev / Next).
    Stepped,
}

/// A language code: two lowercase letters (`en`, `es`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct Lang(String);

impl Lang {
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_lowercase())).then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Lang {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Lang::parse(&s).ok_or_else(|| "a language is two lowercase letters".to_owned())
    }
}

impl From<Lang> for String {
    fn from(l: Lang) -> String {
        l.0
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A text in every language of its workflow (the parser refuses a missing one).
pub type Texts = SortedMap<Lang, String>;

/// A customer detail a `confirm_fields` step confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConfirmField {
    Name,
    Address,
    Email,
    Phone,
    ContractTerm,
    ActivationFee,
}

impl ConfirmField {
    pub const ALL: [ConfirmField; 6] = [
        ConfirmField::Name,
        ConfirmField::Address,
        ConfirmField::Email,
        ConfirmField::Phone,
        ConfirmField::ContractTerm,
        ConfirmField::ActivationFee,
    ];

    /// The contact details `confirm_contact` confirms.
    pub const CONTACT: [ConfirmField; 4] =
        [ConfirmField::Name, ConfirmField::Address, ConfirmField::Email, ConfirmField::Phone];

    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmField::Name => "name",
            ConfirmField::Address => "address",
            ConfirmField::Email => "email",
            ConfirmField::Phone => "phone",
            ConfirmField::ContractTerm => "contract_term",
            ConfirmField::ActivationFee => "activation_fee",
        }
    }

    /// The record fields (registry names) that must all be filled in for this detail to count as confirmed.
    pub fn record_fields(self) -> &'static [&'static str] {
        match self {
            ConfirmField::Name => &["first_name", "last_name"],
            ConfirmField::Address => &["address1", "city", "state", "zip"],
            ConfirmField::Email => &["email"],
            ConfirmField::Phone => &["primary_phone"],
            ConfirmField::ContractTerm => &["contract_term_months"],
            ConfirmField::ActivationFee => &["activation_fee_id"],
        }
    }
}

/// The step's type, with what only that type carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StepKind {
    Instructions,
    ConfirmContact,
    /// At least one field (the parser refuses an empty list).
    ConfirmFields {
        fields: Vec<ConfirmField>,
    },
    ReviewEquipment,
    ReviewAppointments,
    ReviewEmergencyContacts,
}

/// The type names as the JSON spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepType {
    Instructions,
    ConfirmContact,
    ConfirmFields,
    ReviewEquipment,
    ReviewAppointments,
    ReviewEmergencyContacts,
}

impl StepKind {
    pub fn step_type(&self) -> StepType {
        match self {
            StepKind::Instructions => StepType::Instructions,
            StepKind::ConfirmContact => StepType::ConfirmContact,
            StepKind::ConfirmFields { .. } => StepType::ConfirmFields,
            StepKind::ReviewEquipment => StepType::ReviewEquipment,
            StepKind::ReviewAppointments => StepType::ReviewAppointments,
            StepKind::ReviewEmergencyContacts => StepType::ReviewEmergencyContacts,
        }
    }

    pub fn fields(&self) -> Vec<ConfirmField> {
        match self {
            StepKind::ConfirmFields { fields } => fields.clone(),
            StepKind::ConfirmContact => ConfirmField::CONTACT.to_vec(),
            _ => vec![],
        }
    }

    /// Whether the type has a requirement an automatic step can wait for (plain instructions have none).
    pub fn has_requirement(&self) -> bool {
        !matches!(self, StepKind::Instructions)
    }

    /// Whether the type's requirement holds for the customer described by `facts`; `None` when it has none.
    pub fn requirement_holds(&self, facts: &Facts) -> Option<bool> {
        let confirmed = |fs: &[ConfirmField]| fs.iter().all(|f| facts.filled.contains(f));
        match self {
            StepKind::Instructions => None,
            StepKind::ConfirmContact => Some(confirmed(&ConfirmField::CONTACT)),
            StepKind::ConfirmFields { fields } => Some(confirmed(fields)),
            StepKind::ReviewEquipment => Some(facts.equipment > 0),
            StepKind::ReviewAppointments => Some(facts.appointments > 0),
            StepKind::ReviewEmergencyContacts => Some(facts.contacts > 0),
        }
    }
}

/// What the automatic requirements look at: the customer's sub-records and which details are filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub contacts: usize,
    /// Appointments still scheduled.
    pub appointments: usize,
    pub equipment: usize,
    pub filled: Vec<ConfirmField>,
}

impl Facts {
    /// The details filled in on a record's fields (`is_filled` says whether a registry field has a value).
    pub fn filled_from(is_filled: impl Fn(&str) -> bool) -> Vec<ConfirmField> {
        ConfirmField::ALL.into_iter().filter(|f| f.record_fields().iter().all(|n| is_filled(n))).collect()
    }
}

/// How a step is completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Completion {
    /// A person marks it passed or failed.
    PassFail,
    /// A person acknowledges it and continues.
    Acknowledge,
    /// It completes itself when its type's requirement holds.
    Automatic,
}

/// What a person may answer on a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
    Acknowledged,
}

impl Completion {
    /// The step status an outcome leads to under this strategy; `None` when the strategy does not take it.
    pub fn status_after(self, outcome: Outcome) -> Option<StepStatus> {
        match (self, outcome) {
            (Completion::PassFail, Outcome::Passed) => Some(StepStatus::Passed),
            (Completion::PassFail, Outcome::Failed) => Some(StepStatus::Failed),
            (Completion::Acknowledge, Outcome::Acknowledged) => Some(StepStatus::Acknowledged),
            _ => None,
        }
    }
}

/// The type of appointment a step books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppointmentType {
    Tech,
    Sale,
}

impl AppointmentType {
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentType::Tech => "tech",
            AppointmentType::Sale => "sale",
        }
    }
}

/// What completing a step creates on the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Generates {
    Ticket {
        subject: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignee_id: Option<UserId>,
    },
    Appointment {
        #[serde(rename = "type")]
        kind: AppointmentType,
    },
}

/// One step of a definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
pub struct Step {
    pub title: Texts,
    pub content: Texts,
    #[serde(flatten)]
    pub kind: StepKind,
    pub completion: Completion,
    pub optional: bool,
    pub generates: Option<Generates>,
}

/// A definition as an admin sends it (without its ID and version, which the server keeps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
pub struct Definition {
    pub name: String,
    pub active: bool,
    pub layout: Layout,
    pub languages: Vec<Lang>,
    pub steps: Vec<Step>,
}

/// Whether `{{name}}` is a merge field a step may use: a field of the customer record (`customer.<registry name>`)
/// or the company's name.
/// The SSN is not one: a script is read out on a call.
pub fn known_merge_field(name: &str) -> bool {
    name == "company.name" || name.strip_prefix("customer.").is_some_and(|f| f != "ssn" && fields::spec(f).is_some())
}

/// The merge fields of a text, in order; `None` when a `{{` is never closed.
pub fn merge_fields(text: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = rest.get(open + 2..).unwrap_or_default();
        let close = after.find("}}")?;
        out.push(after.get(..close).unwrap_or_default().trim());
        rest = after.get(close + 2..).unwrap_or_default();
    }
    Some(out)
}

/// The text with every merge field replaced by what `value` gives for it (blank when it gives nothing).
pub fn render(text: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = rest.get(open + 2..).unwrap_or_default();
        let Some(close) = after.find("}}") else { break };
        out.push_str(rest.get(..open).unwrap_or_default());
        out.push_str(&value(after.get(..close).unwrap_or_default().trim()).unwrap_or_default());
        rest = after.get(close + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Parses a definition body (`{name, active, layout, languages, steps}`); every problem is named by its path.
pub fn parse_definition(body: &Map<String, Value>) -> Result<Definition, Invalid> {
    let mut e = Vec::new();
    let name = match body.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() && s.trim().chars().count() <= MAX_NAME_CHARS => {
            Some(s.trim().to_owned())
        }
        Some(Value::String(s)) if !s.trim().is_empty() => {
            e.push(FieldError::new("name", "too_long", format!("at most {MAX_NAME_CHARS} characters")));
            None
        }
        Some(Value::String(_)) | None | Some(Value::Null) => {
            e.push(FieldError::required("name"));
            None
        }
        Some(_) => {
            e.push(FieldError::new("name", "invalid", "name must be text"));
            None
        }
    };
    let active = match body.get("active") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            e.push(FieldError::new("active", "invalid", "active must be true or false"));
            true
        }
    };
    let layout = enum_at::<Layout>(body.get("layout"), "layout", "single_page or stepped", &mut e);
    let languages = languages(body.get("languages"), &mut e);
    let steps = match body.get("steps") {
        Some(Value::Array(a)) if a.is_empty() => {
            e.push(FieldError::new("steps", "required", "a workflow needs at least one step"));
            vec![]
        }
        Some(Value::Array(a)) if a.len() > MAX_STEPS => {
            e.push(FieldError::new("steps", "too_many", format!("at most {MAX_STEPS} steps")));
            vec![]
        }
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(i, s)| step(&format!("steps[{i}]"), s, languages.as_deref().unwrap_or(&[]), &mut e))
            .collect(),
        None | Some(Value::Null) => {
            e.push(FieldError::new("steps", "required", "a workflow needs at least one step"));
            vec![]
        }
        Some(_) => {
            e.push(FieldError::new("steps", "invalid", "steps must be a list"));
            vec![]
        }
    };
    match (name, layout, languages) {
        (Some(name), Some(layout), Some(languages)) if e.is_empty() => {
            Ok(Definition { name, active, layout, languages, steps })
        }
        _ => Err(Invalid { errors: e }),
    }
}

fn enum_at<T: serde::de::DeserializeOwned>(
    v: Option<&Value>,
    field: &str,
    allowed: &str,
    e: &mut Vec<FieldError>,
) -> Option<T> {
    match v {
        None | Some(Value::Null) => {
            e.push(FieldError::new(field, "required", format!("{field} is required: {allowed}")));
            None
        }
        Some(v) => match serde_json::from_value(v.clone()) {
            Ok(t) => Some(t),
            Err(_) => {
                e.push(FieldError::new(field, "invalid", format!("{field} must be {allowed}")));
                None
            }
        },
    }
}

fn languages(v: Option<&Value>, e: &mut Vec<FieldError>) -> Option<Vec<Lang>> {
    let Some(Value::Array(a)) = v else {
        e.push(FieldError::new("languages", "required", "languages must list one language code or more"));
        return None;
    };
    if a.is_empty() || a.len() > MAX_LANGUAGES {
        e.push(FieldError::new("languages", "invalid", format!("one to {MAX_LANGUAGES} languages")));
        return None;
    }
    let mut out: Vec<Lang> = Vec::new();
    let mut ok = true;
    for (i, l) in a.iter().enumerate() {
        match l.as_str().and_then(Lang::parse) {
            Some(l) if out.contains(&l) => {
                e.push(FieldError::new(format!("languages[{i}]"), "duplicate", "each language once"));
                ok = false;
            }
            Some(l) => out.push(l),
            None => {
                e.push(FieldError::new(format!("languages[{i}]"), "invalid", "a language is two lowercase letters"));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

fn step(at: &str, v: &Value, langs: &[Lang], e: &mut Vec<FieldError>) -> Option<Step> {
    let Some(s) = v.as_object() else {
        e.push(FieldError::new(at, "invalid", "a step must be an object"));
        return None;
    };
    let before = e.len();
    let title = texts(&format!("{at}.title"), s.get("title"), langs, MAX_TITLE_CHARS, true, e);
    let content = texts(&format!("{at}.content"), s.get("content"), langs, MAX_CONTENT_CHARS, false, e);
    let types = "instructions, confirm_contact, confirm_fields, review_equipment, review_appointments or \
                 review_emergency_contacts";
    let step_type = enum_at::<StepType>(s.get("type"), &format!("{at}.type"), types, e);
    let kind = match step_type? {
        StepType::Instructions => StepKind::Instructions,
        StepType::ConfirmContact => StepKind::ConfirmContact,
        StepType::ConfirmFields => StepKind::ConfirmFields { fields: confirm_fields(at, s.get("fields"), e) },
        StepType::ReviewEquipment => StepKind::ReviewEquipment,
        StepType::ReviewAppointments => StepKind::ReviewAppointments,
        StepType::ReviewEmergencyContacts => StepKind::ReviewEmergencyContacts,
    };
    let completion = enum_at::<Completion>(
        s.get("completion"),
        &format!("{at}.completion"),
        "pass_fail, acknowledge or automatic",
        e,
    );
    if completion == Some(Completion::Automatic) && !kind.has_requirement() {
        e.push(FieldError::new(
            format!("{at}.completion"),
            "invalid",
            "plain instructions have no requirement to wait for: use pass_fail or acknowledge",
        ));
    }
    let optional = match s.get("optional") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            e.push(FieldError::new(format!("{at}.optional"), "invalid", "optional must be true or false"));
            false
        }
    };
    let generates = generates(&format!("{at}.generates"), s.get("generates"), e);
    if e.len() != before {
        return None;
    }
    Some(Step { title, content, kind, completion: completion?, optional, generates })
}

fn texts(at: &str, v: Option<&Value>, langs: &[Lang], max: usize, required: bool, e: &mut Vec<FieldError>) -> Texts {
    let mut out = Texts::new();
    let empty = Map::new();
    let map = match v {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => &empty,
        Some(_) => {
            e.push(FieldError::new(at, "invalid", "give the text as {\"<language>\": \"text\"}"));
            return out;
        }
    };
    for lang in map.keys().filter(|k| !langs.iter().any(|l| l.as_str() == k.as_str())) {
        // The key is the caller's; it is named only once known to be a short code, never echoed otherwise.
        let field = if Lang::parse(lang).is_some() { format!("{at}.{lang}") } else { at.to_owned() };
        e.push(FieldError::new(field, "unknown_language", "a text in a language the workflow does not list"));
    }
    for lang in langs {
        let field = format!("{at}.{lang}");
        match map.get(lang.as_str()) {
            Some(Value::String(s)) if s.trim().is_empty() && required => {
                e.push(FieldError::new(field, "missing_translation", format!("the {lang} text is missing")))
            }
            Some(Value::String(s)) if s.chars().count() > max => {
                e.push(FieldError::new(field, "too_long", format!("at most {max} characters")))
            }
            Some(Value::String(s)) => match merge_fields(s) {
                None => e.push(FieldError::new(field, "invalid", "a {{ merge field is never closed with }}")),
                Some(names) => {
                    if names.iter().any(|n| !known_merge_field(n)) {
                        e.push(FieldError::new(
                            field,
                            "unknown_merge_field",
                            "use customer fields ({{customer.first_name}}, …) or {{company.name}}",
                        ));
                    } else {
                        out.insert(lang.clone(), s.trim().to_owned());
                    }
                }
            },
            None | Some(Value::Null) => {
                e.push(FieldError::new(field, "missing_translation", format!("the {lang} text is missing")))
            }
            Some(_) => e.push(FieldError::new(field, "invalid", "must be text")),
        }
    }
    out
}

fn confirm_fields(at: &str, v: Option<&Value>, e: &mut Vec<FieldError>) -> Vec<ConfirmField> {
    let field = format!("{at}.fields");
    let Some(Value::Array(a)) = v else {
        e.push(FieldError::new(field, "required", "confirm_fields needs the fields it confirms"));
        return vec![];
    };
    if a.is_empty() {
        e.push(FieldError::new(&field, "required", "confirm_fields needs the fields it confirms"));
    }
    let mut out = Vec::new();
    for (i, f) in a.iter().enumerate() {
        match serde_json::from_value::<ConfirmField>(f.clone()) {
            Ok(f) if !out.contains(&f) => out.push(f),
            Ok(_) => e.push(FieldError::new(format!("{field}[{i}]"), "duplicate", "each field once")),
            Err(_) => e.push(FieldError::new(
                format!("{field}[{i}]"),
                "invalid",
                "one of name, address, email, phone, contract_term, activation_fee",
            )),
        }
    }
    out
}

fn generates(at: &str, v: Option<&Value>, e: &mut Vec<FieldError>) -> Option<Generates> {
    let m = match v {
        None | Some(Value::Null) => return None,
        Some(Value::Object(m)) if m.len() == 1 => m,
        Some(_) => {
            e.push(FieldError::new(at, "invalid", "null, {\"ticket\": {…}} or {\"appointment\": {…}}"));
            return None;
        }
    };
    if let Some(t) = m.get("ticket") {
        let subject = match t.get("subject") {
            Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= MAX_SUBJECT_CHARS => {
                Some(s.trim().to_owned())
            }
            _ => {
                e.push(FieldError::new(
                    format!("{at}.ticket.subject"),
                    "invalid",
                    format!("a subject of 1 to {MAX_SUBJECT_CHARS} characters"),
                ));
                None
            }
        };
        let assignee_id = match t.get("assignee_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => match UserId::parse(s) {
                Ok(u) => Some(u),
                Err(_) => {
                    e.push(FieldError::new(format!("{at}.ticket.assignee_id"), "invalid", "a user ID"));
                    None
                }
            },
            Some(_) => {
                e.push(FieldError::new(format!("{at}.ticket.assignee_id"), "invalid", "a user ID"));
                None
            }
        };
        return subject.map(|subject| Generates::Ticket { subject, assignee_id });
    }
    if let Some(a) = m.get("appointment") {
        return enum_at::<AppointmentType>(a.get("type"), &format!("{at}.appointment.type"), "tech or sale", e)
            .map(|kind| Generates::Appointment { kind });
    }
    e.push(FieldError::new(at, "invalid", "null, {\"ticket\": {…}} or {\"appointment\": {…}}"));
    None
}

// ---------------------------------------------------------------------------------------------------------------
// Enrollments.

/// Where an enrollment stands; the order is the Workflows tab's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentStatus {
    Pending,
    InProgress,
    Completed,
    Failed,
}

impl EnrollmentStatus {
    /// Open enrollments still take completions (and block a second enrollment in the same workflow).
    pub fn is_open(self) -> bool {
        matches!(self, EnrollmentStatus::Pending | EnrollmentStatus::InProgress)
    }
}

/// Where one step of an enrollment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Passed,
    Failed,
    Acknowledged,
    /// An automatic step whose requirement held.
    Completed,
}

/// One step's state in an enrollment (`id` is its 1-based position in the definition version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StepState {
    pub id: u32,
    pub status: StepStatus,
    /// An automatic step done whose requirement no longer holds.
    #[serde(default)]
    pub warning: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_by: Option<UserId>,
}

impl StepState {
    pub fn fresh(id: u32) -> Self {
        Self { id, status: StepStatus::Pending, warning: false, completed_at: None, completed_by: None }
    }
}

/// The enrollment's status from its steps: a failed required step fails it; every step done (optional ones too)
/// completes it; anything done starts it.
pub fn status_of(steps: &[Step], states: &[StepState]) -> EnrollmentStatus {
    let pairs = || steps.iter().zip(states);
    if pairs().any(|(s, st)| !s.optional && st.status == StepStatus::Failed) {
        EnrollmentStatus::Failed
    } else if states.iter().all(|st| st.status != StepStatus::Pending) {
        EnrollmentStatus::Completed
    } else if states.iter().any(|st| st.status != StepStatus::Pending) {
        EnrollmentStatus::InProgress
    } else {
        EnrollmentStatus::Pending
    }
}

/// Whether the enrollment needs attention: a failed required step, or an automatic step whose requirement stopped
/// holding.
pub fn warning_of(steps: &[Step], states: &[StepState]) -> bool {
    steps.iter().zip(states).any(|(s, st)| (!s.optional && st.status == StepStatus::Failed) || st.warning)
}

/// Brings the automatic steps up to date with `facts`: a pending one whose requirement holds completes (its ID is
/// returned, so what it generates can be created), a completed one whose requirement no longer holds carries a
/// warning until it holds again. Closed enrollments only update warnings.
pub fn apply_facts(steps: &[Step], states: &mut [StepState], facts: &Facts, open: bool, at: &str) -> (bool, Vec<u32>) {
    let mut changed = false;
    let mut completed = Vec::new();
    for (s, st) in steps.iter().zip(states.iter_mut()) {
        if s.completion != Completion::Automatic {
            continue;
        }
        let holds = s.kind.requirement_holds(facts).unwrap_or(false);
        match st.status {
            StepStatus::Pending if holds && open => {
                st.status = StepStatus::Completed;
                st.completed_at = Some(at.to_owned());
                completed.push(st.id);
                changed = true;
            }
            StepStatus::Completed if st.warning == holds => {
                st.warning = !holds;
                changed = true;
            }
            _ => {}
        }
    }
    (changed, completed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body() -> Value {
        json!({
            "name": "Onboarding", "layout": "stepped", "languages": ["en", "es"],
            "steps": [
                {"title": {"en": "Welcome", "es": "Bienvenida"},
                 "content": {"en": "Hi {{customer.first_name}} from {{company.name}}", "es": "Hola {{customer.first_name}}"},
                 "type": "instructions", "completion": "acknowledge"},
                {"title": {"en": "Contacts", "es": "Contactos"}, "content": {"en": "", "es": ""},
                 "type": "review_emergency_contacts", "completion": "automatic"},
                {"title": {"en": "Upsell", "es": "Venta"}, "content": {"en": "", "es": ""}, "type": "confirm_fields",
                 "fields": ["email"], "completion": "pass_fail", "optional": true,
                 "generates": {"ticket": {"subject": "Call back"}}}
            ]
        })
    }

    fn parse(v: Value) -> Result<Definition, Vec<String>> {
        parse_definition(v.as_object().unwrap()).map_err(|i| i.errors.into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn a_valid_definition_parses_and_round_trips() {
        let d = parse(body()).unwrap();
        assert_eq!(d.steps.len(), 3);
        assert!(d.active);
        assert_eq!(d.steps[2].kind, StepKind::ConfirmFields { fields: vec![ConfirmField::Email] });
        assert_eq!(d.steps[2].generates, Some(Generates::Ticket { subject: "Call back".into(), assignee_id: None }));
        let stored = serde_json::to_value(&d).unwrap();
        assert_eq!(stored["steps"][2]["type"], "confirm_fields");
        assert_eq!(serde_json::from_value::<Definition>(stored).unwrap(), d);
    }

    #[test]
    fn every_bad_field_is_named_by_its_path() {
        let mut b = body();
        b["steps"][2]["title"].as_object_mut().unwrap().remove("es");
        b["steps"][0]["content"]["en"] = json!("{{customer.shoe_size}}");
        b["steps"][1]["type"] = json!("dance");
        b["steps"][2]["fields"] = json!([]);
        b["layout"] = json!("scroll");
        let f = parse(b).unwrap_err();
        for want in ["steps[2].title.es", "steps[0].content.en", "steps[1].type", "steps[2].fields", "layout"] {
            assert!(f.iter().any(|x| x == want), "{want} not in {f:?}");
        }
    }

    #[test]
    fn automatic_needs_a_requirement() {
        let mut b = body();
        b["steps"][0]["completion"] = json!("automatic");
        assert_eq!(parse(b).unwrap_err(), ["steps[0].completion"]);
    }

    #[test]
    fn merge_fields_render_and_unclosed_ones_are_refused() {
        assert_eq!(
            merge_fields("a {{ customer.city }} b {{company.name}}").unwrap(),
            ["customer.city", "company.name"]
        );
        assert!(merge_fields("a {{customer.city").is_none());
        let out = render("Hi {{customer.first_name}}, {{x}}!", |n| (n == "customer.first_name").then(|| "Ann".into()));
        assert_eq!(out, "Hi Ann, !");
        assert!(known_merge_field("customer.address1") && !known_merge_field("customer.shoe_size"));
        assert!(known_merge_field("customer.birthdate") && !known_merge_field("customer.ssn"));
    }

    #[test]
    fn status_follows_the_completion_rules() {
        let d = parse(body()).unwrap();
        let mut st: Vec<StepState> = (1..=3).map(StepState::fresh).collect();
        assert_eq!(status_of(&d.steps, &st), EnrollmentStatus::Pending);
        st[0].status = StepStatus::Acknowledged;
        assert_eq!(status_of(&d.steps, &st), EnrollmentStatus::InProgress);
        // A failed optional step does not fail the enrollment, and counts as done.
        st[2].status = StepStatus::Failed;
        assert_eq!(status_of(&d.steps, &st), EnrollmentStatus::InProgress);
        assert!(!warning_of(&d.steps, &st));
        let facts = Facts { contacts: 1, ..Facts::default() };
        let (changed, done) = apply_facts(&d.steps, &mut st, &facts, true, "t");
        assert!(changed && done == [2]);
        assert_eq!(status_of(&d.steps, &st), EnrollmentStatus::Completed);
        // The requirement stops holding: a warning, not a reopened step.
        let (changed, done) = apply_facts(&d.steps, &mut st, &Facts::default(), false, "t");
        assert!(changed && done.is_empty());
        assert!(warning_of(&d.steps, &st));
        assert_eq!(status_of(&d.steps, &st), EnrollmentStatus::Completed);
    }

    #[test]
    fn strategies_take_their_own_outcomes() {
        assert_eq!(Completion::PassFail.status_after(Outcome::Failed), Some(StepStatus::Failed));
        assert_eq!(Completion::PassFail.status_after(Outcome::Acknowledged), None);
        assert_eq!(Completion::Acknowledge.status_after(Outcome::Acknowledged), Some(StepStatus::Acknowledged));
        assert_eq!(Completion::Automatic.status_after(Outcome::Passed), None);
    }
}
