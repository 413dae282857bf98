//! The lead form: states and provinces, ZIP and postal codes, account types, languages, industries, SSNs, the New
//! Lead form and edits of an existing lead. Pure functions, so the portal validates with exactly the server's rules.

use crate::error::Errors;
use crate::record::{Record, ScoreFactor};
use crate::{text, AccountClassId, CampaignId, DispositionId, FieldError, Invalid, PartnerId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// The country a state or province belongs to; it decides which postal code format applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum Country {
    #[serde(rename = "US")]
    Us,
    #[serde(rename = "CA")]
    Ca,
}

/// US states, DC and territories, then Canadian provinces and territories: (code, name, country).
pub const STATES: &[(&str, &str, Country)] = &[
    ("AL", "Alabama", Country::Us),
    ("AK", "Alaska", Country::Us),
    ("AZ", "Arizona", Country::Us),
    ("AR", "Arkansas", Country::Us),
    ("CA", "California", Country::Us),
    ("CO", "Colorado", Country::Us),
    ("CT", "Connecticut", Country::Us),
    ("DE", "Delaware", Country::Us),
    ("DC", "District of Columbia", Country::Us),
    ("FL", "Florida", Country::Us),
    ("GA", "Georgia", Country::Us),
    ("HI", "Hawaii", Country::Us),
    ("ID", "Idaho", Country::Us),
    ("IL", "Illinois", Country::Us),
    ("IN", "Indiana", Country::Us),
    ("IA", "Iowa", Country::Us),
    ("KS", "Kansas", Country::Us),
    ("KY", "Kentucky", Country::Us),
    ("LA", "Louisiana", Country::Us),
    ("ME", "Maine", Country::Us),
    ("MD", "Maryland", Country::Us),
    ("MA", "Massachusetts", Country::Us),
    ("MI", "Michigan", Country::Us),
    ("MN", "Minnesota", Country::Us),
    ("MS", "Mississippi", Country::Us),
    ("MO", "Missouri", Country::Us),
    ("MT", "Montana", Country::Us),
    ("NE", "Nebraska", Country::Us),
    ("NV", "Nevada", Country::Us),
    ("NH", "New Hampshire", Country::Us),
    ("NJ", "New Jersey", Country::Us),
    ("NM", "New Mexico", Country::Us),
    ("NY", "New York", Country::Us),
    ("NC", "North Carolina", Country::Us),
    ("ND", "North Dakota", Country::Us),
    ("OH", "Ohio", Country::Us),
    ("OK", "Oklahoma", Country::Us),
    ("OR", "Oregon", Country::Us),
    ("PA", "Pennsylvania", Country::Us),
    ("RI", "Rhode Island", Country::Us),
    ("SC", "South Carolina", Country::Us),
    ("SD", "South Dakota", Country::Us),
    ("TN", "Tennessee", Country::Us),
    ("TX", "Texas", Country::Us),
    ("UT", "Utah", Country::Us),
    ("VT", "Vermont", Country::Us),
    ("VA", "Virginia", Country::Us),
    ("WA", "Washington", Country::Us),
    ("WV", "West Virginia", Country::Us),
    ("WI", "Wisconsin", Country::Us),
    ("WY", "Wyoming", Country::Us),
    ("AS", "American Samoa", Country::Us),
    ("GU", "Guam", Country::Us),
    ("MP", "Northern Mariana Islands", Country::Us),
    ("PR", "Puerto Rico", Country::Us),
    ("VI", "U.S. Virgin Islands", Country::Us),
    ("UM", "U.S. Minor Outlying Islands", Country::Us),
    ("AB", "Alberta", Country::Ca),
    ("BC", "British Columbia", Country::Ca),
    ("MB", "Manitoba", Country::Ca),
    ("NB", "New Brunswick", Country::Ca),
    ("NL", "Newfoundland and Labrador", Country::Ca),
    ("NS", "Nova Scotia", Country::Ca),
    ("NT", "Northwest Territories", Country::Ca),
    ("NU", "Nunavut", Country::Ca),
    ("ON", "Ontario", Country::Ca),
    ("PE", "Prince Edward Island", Country::Ca),
    ("QC", "Quebec", Country::Ca),
    ("SK", "Saskatchewan", Country::Ca),
    ("YT", "Yukon", Country::Ca),
];

/// A state or province code from [`STATES`], uppercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StateCode(&'static str);

impl StateCode {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let up = s.trim().to_ascii_uppercase();
        STATES
            .iter()
            .find(|(code, _, _)| *code == up)
            .map(|(code, _, _)| StateCode(code))
            .ok_or_else(|| FieldError::new(field, "invalid", "choose a US state or territory or a Canadian province"))
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    pub fn country(&self) -> Country {
        STATES.iter().find(|(c, _, _)| *c == self.0).map(|(_, _, k)| *k).unwrap_or(Country::Us)
    }
}

impl TryFrom<String> for StateCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse("state", &s).map_err(|e| e.message)
    }
}

impl From<StateCode> for String {
    fn from(s: StateCode) -> String {
        s.0.to_owned()
    }
}

/// A US ZIP (`84601`), ZIP+4 (`84601-1234`) or Canadian postal code (`K1A 0B6`), checked against the state's country.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Zip(String);

impl Zip {
    /// With a state: a US ZIP or ZIP+4 for US states and territories, a Canadian postal code for provinces. With no
    /// state: a 5-digit US ZIP or a Canadian postal code.
    pub fn parse(field: &str, s: &str, state: Option<&StateCode>) -> Result<Self, FieldError> {
        let s = s.trim();
        let us5 = s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit());
        let us9 = s.len() == 10
            && s.as_bytes()[5] == b'-'
            && s[..5].bytes().chain(s[6..].bytes()).all(|b| b.is_ascii_digit());
        let ca = canadian_postal_code(s);
        let (ok, message) = match state.map(StateCode::country) {
            Some(Country::Us) => (us5 || us9, "enter a US ZIP code like 84601 or 84601-1234"),
            Some(Country::Ca) => (ca.is_some(), "enter a Canadian postal code like K1A 0B6"),
            None => (us5 || ca.is_some(), "enter a 5-digit US ZIP code or a Canadian postal code"),
        };
        if !ok {
            return Err(FieldError::new(field, "invalid", message));
        }
        Ok(Zip(ca.unwrap_or_else(|| s.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `A1A 1A1` (space optional, any case) normalised to uppercase with the space; letters Canada Post never uses are
/// refused.
fn canadian_postal_code(s: &str) -> Option<String> {
    let compact: Vec<char> = s.chars().filter(|c| *c != ' ').map(|c| c.to_ascii_uppercase()).collect();
    if compact.len() != 6 || s.chars().filter(|c| *c == ' ').count() > 1 {
        return None;
    }
    let letter = |c: char, first: bool| c.is_ascii_uppercase() && !"DFIOQU".contains(c) && !(first && "WZ".contains(c));
    let ok = letter(compact[0], true)
        && compact[1].is_ascii_digit()
        && letter(compact[2], false)
        && compact[3].is_ascii_digit()
        && letter(compact[4], false)
        && compact[5].is_ascii_digit();
    ok.then(|| format!("{}{}{} {}{}{}", compact[0], compact[1], compact[2], compact[3], compact[4], compact[5]))
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    #[default]
    Residential,
    Commercial,
    Other,
}

impl AccountType {
    pub const ALL: [AccountType; 3] = [AccountType::Residential, AccountType::Commercial, AccountType::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Residential => "residential",
            AccountType::Commercial => "commercial",
            AccountType::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AccountType::Residential => "Residential",
            AccountType::Commercial => "Commercial",
            AccountType::Other => "Other",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| FieldError::new(field, "invalid", "account type must be residential, commercial or other"))
    }
}

/// Languages a lead may prefer: (code, name).
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("ko", "Korean"),
    ("tl", "Tagalog"),
    ("ar", "Arabic"),
    ("pt", "Portuguese"),
    ("de", "German"),
];

/// Industries of the qualification section (the second product's list).
pub const INDUSTRIES: &[&str] = &[
    "Technology",
    "Software/SaaS",
    "Finance",
    "Healthcare",
    "Retail",
    "Manufacturing",
    "Education",
    "Real Estate",
    "Media",
    "Logistics",
    "Hospitality",
    "Energy",
    "Government",
    "Non-profit",
    "Other",
];

/// A US Social Security number. Debug and Display never show it; only [`Ssn::digits`] does (for encryption).
#[derive(Clone, PartialEq, Eq)]
pub struct Ssn(String);

impl Ssn {
    /// Nine digits, dashes and spaces allowed; numbers the SSA never issues (area 000, 666, 9xx; group 00; serial
    /// 0000) are refused. The error never repeats the input.
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let junk = s.chars().any(|c| !(c.is_ascii_digit() || c == '-' || c == ' '));
        let d: String = s.chars().filter(char::is_ascii_digit).collect();
        let bad = || FieldError::new(field, "invalid", "SSN must be 9 digits, as ###-##-####");
        if junk || d.len() != 9 {
            return Err(bad());
        }
        let (area, group, serial) = (&d[..3], &d[3..5], &d[5..]);
        if area == "000" || area == "666" || area.starts_with('9') || group == "00" || serial == "0000" {
            return Err(FieldError::new(
                field,
                "invalid",
                "that is not an SSN the Social Security Administration issues",
            ));
        }
        Ok(Ssn(d))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[5..]
    }
}

impl fmt::Debug for Ssn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ssn(***)")
    }
}

impl fmt::Display for Ssn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***-**-****")
    }
}

/// How an SSN is shown to a user without the confidential grant: `***-**-1234` when the last four are known, else
/// `***`.
pub fn mask_ssn(last4: Option<&str>) -> String {
    match last4 {
        Some(l) if l.len() == 4 && l.bytes().all(|b| b.is_ascii_digit()) => format!("***-**-{l}"),
        _ => "***".into(),
    }
}

/// Formats nine digits as `123-45-6789`.
pub fn format_ssn(digits: &str) -> String {
    if digits.len() == 9 {
        format!("{}-{}-{}", &digits[..3], &digits[3..5], &digits[5..])
    } else {
        "***".into()
    }
}

/// A valid `YYYY-MM-DD` calendar date.
pub fn date(field: &str, s: &str) -> Result<String, FieldError> {
    let bad = || FieldError::new(field, "invalid", "enter a date as YYYY-MM-DD");
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| {
        s.get(r).filter(|p| p.bytes().all(|c| c.is_ascii_digit())).and_then(|p| p.parse::<u32>().ok())
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else { return Err(bad()) };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if y < 1900 || d == 0 || d > days {
        return Err(bad());
    }
    Ok(s.to_owned())
}

/// The key under which leads count as duplicates of each other: same name, same phone, same street address (case,
/// spacing and punctuation ignored). The app stores a lookup item per key, so the check is one query, never a scan.
pub fn duplicate_key(first: &str, last: &str, phone_digits: &str, address1: Option<&str>) -> String {
    let norm = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    format!("{}|{}|{}|{}", norm(last), norm(first), phone_digits, norm(address1.unwrap_or("")))
}

// ---------------------------------------------------------------------------------------------------------------
// Reading JSON form values field by field, collecting every problem.

fn text_value<'a>(field: &str, v: &'a Value) -> Result<Option<&'a str>, FieldError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.trim())),
        _ => Err(FieldError::new(field, "invalid", "must be text")),
    }
}

fn bounded(field: &str, s: &str, max: usize) -> Result<String, FieldError> {
    if s.chars().count() > max {
        Err(FieldError::new(field, "too_long", format!("must be at most {max} characters")))
    } else {
        Ok(s.to_owned())
    }
}

fn required_text(field: &str, v: Option<&Value>, max: usize) -> Result<String, FieldError> {
    match v.map(|v| text_value(field, v)).transpose()?.flatten() {
        Some(s) => bounded(field, s, max),
        None => Err(FieldError::required(field)),
    }
}

fn optional_text(field: &str, v: Option<&Value>, max: usize) -> Result<Option<String>, FieldError> {
    v.map(|v| text_value(field, v)).transpose()?.flatten().map(|s| bounded(field, s, max)).transpose()
}

fn optional_number(field: &str, v: Option<&Value>, max: u64) -> Result<Option<u64>, FieldError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(n) if n <= max => Ok(Some(n)),
            _ => Err(FieldError::new(field, "invalid", format!("must be a whole number from 0 to {max}"))),
        },
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => match s.trim().parse::<u64>() {
            Ok(n) if n <= max => Ok(Some(n)),
            _ => Err(FieldError::new(field, "invalid", format!("must be a whole number from 0 to {max}"))),
        },
        Some(_) => Err(FieldError::new(field, "invalid", "must be a number")),
    }
}

fn optional_id(field: &str, v: Option<&Value>) -> Result<Option<u32>, FieldError> {
    match optional_number(field, v, u32::MAX as u64) {
        Ok(Some(0)) | Err(_) => Err(FieldError::new(field, "invalid", "must be an ID (a positive whole number)")),
        Ok(n) => Ok(n.map(|n| n as u32)),
    }
}

fn required_id(field: &str, v: Option<&Value>) -> Result<u32, FieldError> {
    optional_id(field, v)?.ok_or_else(|| FieldError::required(field))
}

fn boolean(field: &str, v: &Value) -> Result<bool, FieldError> {
    v.as_bool().ok_or_else(|| FieldError::new(field, "invalid", "must be true or false"))
}

fn language(field: &str, v: Option<&Value>) -> Result<Option<String>, FieldError> {
    match optional_text(field, v, 8)? {
        None => Ok(None),
        Some(code) => LANGUAGES
            .iter()
            .find(|(c, name)| c.eq_ignore_ascii_case(&code) || name.eq_ignore_ascii_case(&code))
            .map(|(c, _)| Some((*c).to_owned()))
            .ok_or_else(|| FieldError::new(field, "invalid", "choose one of the offered languages")),
    }
}

fn industry(field: &str, v: Option<&Value>) -> Result<Option<String>, FieldError> {
    match optional_text(field, v, 64)? {
        None => Ok(None),
        Some(s) => INDUSTRIES
            .iter()
            .find(|i| i.eq_ignore_ascii_case(&s))
            .map(|i| Some((*i).to_owned()))
            .ok_or_else(|| FieldError::new(field, "invalid", "choose one of the offered industries")),
    }
}

const NAME_MAX: usize = 100;
const TEXT_MAX: usize = 255;

/// The fields of the New Lead form.
pub const NEW_LEAD_FIELDS: &[&str] = &[
    "source_id",
    "campaign_id",
    "first_name",
    "last_name",
    "language",
    "primary_phone",
    "account_type",
    "account_class_id",
    "disposition_id",
    "city",
    "state",
    "zip",
    "address1",
    "address2",
    "county",
    "cross_street",
    "email",
];

/// A New Lead form that passed every rule the form itself can check. Whether the source, campaign, status and
/// account class exist for the company is the app's to check.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLead {
    pub source_id: PartnerId,
    pub campaign_id: Option<CampaignId>,
    pub first_name: String,
    pub last_name: String,
    pub language: Option<String>,
    pub primary_phone: String,
    pub account_type: AccountType,
    pub account_class_id: Option<AccountClassId>,
    pub disposition_id: DispositionId,
    pub city: String,
    pub state: StateCode,
    pub zip: Option<Zip>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub county: Option<String>,
    pub cross_street: Option<String>,
    pub email: Option<String>,
}

impl NewLead {
    /// Reads the form (a JSON object); every bad field is reported, not only the first.
    pub fn parse(form: &Map<String, Value>) -> Result<Self, Invalid> {
        let mut e = Errors::new();
        for k in form.keys() {
            if !NEW_LEAD_FIELDS.contains(&k.as_str()) {
                e.push(FieldError::new(k.as_str(), "unknown", "is not a field of the New Lead form"));
            }
        }
        let f = |k: &str| form.get(k);
        let source_id = e.take(required_id("source_id", f("source_id")));
        let campaign_id = e.take(optional_id("campaign_id", f("campaign_id")));
        let first_name = e.take(required_text("first_name", f("first_name"), NAME_MAX));
        let last_name = e.take(required_text("last_name", f("last_name"), NAME_MAX));
        let language = e.take(language("language", f("language")));
        let primary_phone = e.take(
            required_text("primary_phone", f("primary_phone"), 32)
                .and_then(|p| text::phone_digits("primary_phone", &p)),
        );
        let account_type = e.take(
            optional_text("account_type", f("account_type"), 16)
                .and_then(|t| t.map(|t| AccountType::parse("account_type", &t)).transpose()),
        );
        let account_class_id = e.take(optional_id("account_class_id", f("account_class_id")));
        let disposition_id = e.take(required_id("disposition_id", f("disposition_id")));
        let city = e.take(required_text("city", f("city"), TEXT_MAX));
        let state = e.take(required_text("state", f("state"), 8).and_then(|s| StateCode::parse("state", &s)));
        // With a bad state the ZIP is checked as if no state was given.
        let zip = e.take(
            optional_text("zip", f("zip"), 16)
                .and_then(|z| z.map(|z| Zip::parse("zip", &z, state.as_ref())).transpose()),
        );
        let address1 = e.take(optional_text("address1", f("address1"), TEXT_MAX));
        let address2 = e.take(optional_text("address2", f("address2"), TEXT_MAX));
        let county = e.take(optional_text("county", f("county"), TEXT_MAX));
        let cross_street = e.take(optional_text("cross_street", f("cross_street"), TEXT_MAX));
        let email = e.take(
            optional_text("email", f("email"), 254).and_then(|m| m.map(|m| text::email("email", &m)).transpose()),
        );
        e.finish()?;
        let missing = || Invalid::one("form", "invalid", "form could not be read");
        Ok(NewLead {
            source_id: PartnerId(source_id.ok_or_else(missing)?),
            campaign_id: campaign_id.ok_or_else(missing)?.map(CampaignId),
            first_name: first_name.ok_or_else(missing)?,
            last_name: last_name.ok_or_else(missing)?,
            language: language.ok_or_else(missing)?,
            primary_phone: primary_phone.ok_or_else(missing)?,
            account_type: account_type.ok_or_else(missing)?.unwrap_or_default(),
            account_class_id: account_class_id.ok_or_else(missing)?.map(AccountClassId),
            disposition_id: DispositionId(disposition_id.ok_or_else(missing)?),
            city: city.ok_or_else(missing)?,
            state: state.ok_or_else(missing)?,
            zip: zip.ok_or_else(missing)?,
            address1: address1.ok_or_else(missing)?,
            address2: address2.ok_or_else(missing)?,
            county: county.ok_or_else(missing)?,
            cross_street: cross_street.ok_or_else(missing)?,
            email: email.ok_or_else(missing)?,
        })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Editing a lead.

/// Fields `PATCH /api/v1/leads/{id}` accepts (besides `version`).
pub const EDITABLE_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "business_name",
    "email",
    "primary_phone",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "county",
    "cross_street",
    "language",
    "account_type",
    "account_class_id",
    "disposition_id",
    "source_id",
    "campaign_id",
    "job_title",
    "industry",
    "annual_revenue",
    "employees",
    "website",
    "budget",
    "timeline",
    "next_followup",
    "email_opt_out",
    "do_not_call",
    "web_visits",
    "webinars_attended",
    "rating",
    "ssn",
];

/// One field's change, as the history records it. SSN changes carry no values at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// What an edit asks for beyond the profile fields themselves.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Edit {
    pub record: Option<Record>,
    pub changes: Vec<FieldChange>,
    /// `Some(None)` clears the SSN, `Some(Some(_))` sets it; the app encrypts.
    pub ssn: Option<Option<Ssn>>,
    /// References the app must check exist for the company.
    pub check_disposition: bool,
    pub check_source: bool,
    pub check_account_class: bool,
    /// The rating went to 5 with this edit: the owner gets an email.
    pub rated_five: bool,
}

/// Applies the fields sent to `current` (every problem reported at once) and lists what changed. `today` is
/// `YYYY-MM-DD`: a rating of 4 or 5 marks the lead hot and sets the next follow-up to today.
pub fn edit_lead(current: &Record, body: &Map<String, Value>, today: &str) -> Result<Edit, Invalid> {
    let mut e = Errors::new();
    let mut r = current.clone();
    let mut ssn = None;
    for (k, v) in body {
        let k = k.as_str();
        let some = Some(v);
        match k {
            "version" => {}
            "first_name" => e.take(required_text(k, some, NAME_MAX)).map(|s| r.first_name = s).unwrap_or(()),
            "last_name" => e.take(required_text(k, some, NAME_MAX)).map(|s| r.last_name = s).unwrap_or(()),
            "city" => e.take(required_text(k, some, TEXT_MAX)).map(|s| r.city = s).unwrap_or(()),
            "primary_phone" => e
                .take(required_text(k, some, 32).and_then(|p| text::phone_digits(k, &p)))
                .map(|s| r.primary_phone = s)
                .unwrap_or(()),
            "state" => e
                .take(required_text(k, some, 8).and_then(|s| StateCode::parse(k, &s)))
                .map(|s| r.state = s.as_str().into())
                .unwrap_or(()),
            "zip" => e.take(optional_text(k, some, 16)).map(|s| r.zip = s).unwrap_or(()),
            "business_name" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.business_name = s).unwrap_or(()),
            "address1" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.address1 = s).unwrap_or(()),
            "address2" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.lead.address2 = s).unwrap_or(()),
            "county" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.lead.county = s).unwrap_or(()),
            "cross_street" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.lead.cross_street = s).unwrap_or(()),
            "job_title" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.lead.job_title = s).unwrap_or(()),
            "website" => e
                .take(optional_text(k, some, TEXT_MAX).and_then(|w| w.map(|w| text::website(k, &w)).transpose()))
                .map(|s| r.lead.website = s)
                .unwrap_or(()),
            "timeline" => e.take(optional_text(k, some, TEXT_MAX)).map(|s| r.lead.timeline = s).unwrap_or(()),
            "email" => e
                .take(optional_text(k, some, 254).and_then(|m| m.map(|m| text::email(k, &m)).transpose()))
                .map(|s| r.email = s)
                .unwrap_or(()),
            "language" => e.take(language(k, some)).map(|s| r.lead.language = s).unwrap_or(()),
            "industry" => e.take(industry(k, some)).map(|s| r.lead.industry = s).unwrap_or(()),
            "account_type" => e
                .take(required_text(k, some, 16).and_then(|t| AccountType::parse(k, &t)))
                .map(|t| r.lead.account_type = t)
                .unwrap_or(()),
            "account_class_id" => {
                e.take(optional_id(k, some)).map(|id| r.lead.account_class_id = id.map(AccountClassId)).unwrap_or(())
            }
            "disposition_id" => {
                e.take(required_id(k, some)).map(|id| r.lead.disposition_id = Some(DispositionId(id))).unwrap_or(())
            }
            "source_id" => e.take(required_id(k, some)).map(|id| r.source_id = Some(PartnerId(id))).unwrap_or(()),
            "campaign_id" => e.take(optional_id(k, some)).map(|id| r.campaign_id = id.map(CampaignId)).unwrap_or(()),
            "annual_revenue" => {
                e.take(optional_number(k, some, 1_000_000_000_000)).map(|n| r.lead.annual_revenue = n).unwrap_or(())
            }
            "budget" => e.take(optional_number(k, some, 1_000_000_000_000)).map(|n| r.lead.budget = n).unwrap_or(()),
            "employees" => e
                .take(optional_number(k, some, 10_000_000))
                .map(|n| r.lead.employees = n.map(|n| n as u32))
                .unwrap_or(()),
            "web_visits" => e
                .take(optional_number(k, some, 1_000_000))
                .map(|n| r.lead.web_visits = n.unwrap_or(0) as u32)
                .unwrap_or(()),
            "webinars_attended" => e
                .take(optional_number(k, some, 10_000))
                .map(|n| r.lead.webinars_attended = n.unwrap_or(0) as u32)
                .unwrap_or(()),
            "next_followup" => e
                .take(optional_text(k, some, 10).and_then(|d| d.map(|d| date(k, &d)).transpose()))
                .map(|d| r.next_followup = d)
                .unwrap_or(()),
            "email_opt_out" => e.take(boolean(k, v)).map(|b| r.lead.email_opt_out = b).unwrap_or(()),
            "do_not_call" => e.take(boolean(k, v)).map(|b| r.lead.do_not_call = b).unwrap_or(()),
            "rating" => e
                .take(match v.as_u64() {
                    Some(n) if n <= 5 => Ok(n as u8),
                    _ => Err(FieldError::new(k, "invalid", "rating must be a whole number from 0 to 5")),
                })
                .map(|n| r.rating = n)
                .unwrap_or(()),
            "ssn" => match text_value(k, v).and_then(|s| s.map(|s| Ssn::parse(k, s)).transpose()) {
                Ok(s) => ssn = Some(s),
                Err(err) => e.push(err),
            },
            "id" | "kind" | "stage" | "tags" | "score" | "score_factors" | "created_at" | "created_by" | "archived" => {
                e.push(FieldError::new(k, "read_only", "cannot be changed here"))
            }
            other => e.push(FieldError::new(other, "unknown", "is not a field of a lead")),
        }
    }
    // The ZIP must fit the state as it will be.
    if body.contains_key("zip") || body.contains_key("state") {
        let state = StateCode::parse("state", &r.state).ok();
        if let Some(z) = r.zip.clone() {
            match Zip::parse("zip", &z, state.as_ref()) {
                Ok(z) => r.zip = Some(z.as_str().to_owned()),
                Err(err) => e.push(err),
            }
        }
    }
    if body.contains_key("campaign_id")
        && !body.contains_key("source_id")
        && r.campaign_id.is_some()
        && r.source_id.is_none()
    {
        e.push(FieldError::new("campaign_id", "invalid", "choose a source before a campaign"));
    }
    e.finish()?;
    if r.rating >= 4 && r.rating != current.rating {
        r.lead.hot = true;
        r.next_followup = Some(today.to_owned());
    } else if r.rating < 4 {
        r.lead.hot = false;
    }
    let changes = diff(current, &r);
    let mut edit = Edit {
        check_disposition: body.contains_key("disposition_id") && r.lead.disposition_id != current.lead.disposition_id,
        check_source: (body.contains_key("source_id") || body.contains_key("campaign_id"))
            && (r.source_id != current.source_id || r.campaign_id != current.campaign_id),
        check_account_class: body.contains_key("account_class_id")
            && r.lead.account_class_id.is_some()
            && r.lead.account_class_id != current.lead.account_class_id,
        rated_five: r.rating == 5 && current.rating != 5,
        changes,
        ssn: None,
        record: None,
    };
    if let Some(s) = ssn {
        let had = current.lead.ssn_encrypted.is_some();
        if had || s.is_some() {
            let marker = |present: bool| if present { Value::String("***".into()) } else { Value::Null };
            edit.changes.push(FieldChange {
                field: "ssn".into(),
                before: marker(had),
                after: Value::String("changed".into()),
            });
            edit.ssn = Some(s);
        }
    }
    edit.record = Some(r);
    Ok(edit)
}

/// The fields that differ between two versions of a record, as history entries. SSN ciphertext, the blind index,
/// the score and bookkeeping fields are left out (the score follows from the others).
pub fn diff(before: &Record, after: &Record) -> Vec<FieldChange> {
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) = (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return vec![];
    };
    const SKIP: &[&str] = &[
        "version",
        "score",
        "score_factors",
        "ssn_encrypted",
        "ssn_last4_index",
        "ssn_last4",
        "updated_at",
        "updated_by",
    ];
    let mut keys: Vec<&String> = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))).collect();
    keys.sort();
    keys.into_iter()
        .filter(|k| !SKIP.contains(&k.as_str()))
        .filter_map(|k| {
            let x = a.get(k).cloned().unwrap_or(Value::Null);
            let y = b.get(k).cloned().unwrap_or(Value::Null);
            (x != y).then(|| FieldChange { field: k.clone(), before: x, after: y })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// Lead score.

/// How much each factor may add to the score (points; the score is capped at 100), and which industries fit best.
/// An admin changes these under Settings › Lead scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ScoringWeights {
    #[cfg_attr(feature = "openapi", schemars(range(max = 100)))]
    pub company_size: u8,
    #[cfg_attr(feature = "openapi", schemars(range(max = 100)))]
    pub industry_fit: u8,
    #[cfg_attr(feature = "openapi", schemars(range(max = 100)))]
    pub title_seniority: u8,
    #[cfg_attr(feature = "openapi", schemars(range(max = 100)))]
    pub engagement: u8,
    #[serde(default = "default_best_industries")]
    pub best_industries: Vec<String>,
}

fn default_best_industries() -> Vec<String> {
    vec!["Technology".into(), "Finance".into(), "Healthcare".into()]
}

impl Default for ScoringWeights {
    fn default() -> Self {
        Self {
            company_size: 30,
            industry_fit: 25,
            title_seniority: 25,
            engagement: 20,
            best_industries: default_best_industries(),
        }
    }
}

impl ScoringWeights {
    /// Each weight 0–100 and together at most 100; best industries from [`INDUSTRIES`].
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut e = Errors::new();
        for (field, w) in [
            ("company_size", self.company_size),
            ("industry_fit", self.industry_fit),
            ("title_seniority", self.title_seniority),
            ("engagement", self.engagement),
        ] {
            if w > 100 {
                e.push(FieldError::new(field, "invalid", "weight must be 0 to 100"));
            }
        }
        let total: u32 = [self.company_size, self.industry_fit, self.title_seniority, self.engagement]
            .iter()
            .map(|w| *w as u32)
            .sum();
        if total > 100 {
            e.push(FieldError::new(
                "weights",
                "invalid",
                format!("weights add up to {total}; they may add up to 100 at most"),
            ));
        }
        for i in &self.best_industries {
            if !INDUSTRIES.contains(&i.as_str()) {
                e.push(FieldError::new("best_industries", "invalid", format!("{i} is not one of the industries")));
            }
        }
        e.finish()
    }
}

/// 0.0–1.0: bigger revenue and headcount score higher.
fn company_size(employees: Option<u32>, revenue: Option<u64>) -> f64 {
    let by_staff = match employees {
        Some(n) if n >= 1000 => 1.0,
        Some(n) if n >= 200 => 0.75,
        Some(n) if n >= 50 => 0.5,
        Some(n) if n >= 10 => 0.25,
        Some(n) if n > 0 => 0.1,
        _ => 0.0,
    };
    let by_revenue = match revenue {
        Some(n) if n >= 100_000_000 => 1.0,
        Some(n) if n >= 10_000_000 => 0.75,
        Some(n) if n >= 1_000_000 => 0.5,
        Some(n) if n > 0 => 0.25,
        _ => 0.0,
    };
    f64::max(by_staff, by_revenue)
}

fn industry_fit(industry: Option<&str>, best: &[String]) -> f64 {
    match industry {
        None => 0.0,
        Some(i) if best.iter().any(|b| b == i) => 1.0,
        Some("Other") => 0.2,
        Some(_) => 0.5,
    }
}

fn title_seniority(title: Option<&str>) -> f64 {
    let Some(t) = title else { return 0.0 };
    let t = format!(" {} ", t.to_lowercase().replace(|c: char| !c.is_alphanumeric(), " "));
    let has = |words: &[&str]| words.iter().any(|w| t.contains(&format!(" {w} ")));
    if has(&["ceo", "cfo", "cto", "coo", "cio", "ciso", "cmo", "chief", "president", "owner", "founder", "partner"])
        && !has(&["vice"])
    {
        1.0
    } else if has(&["vp", "vice", "svp", "evp"]) {
        0.8
    } else if has(&["director", "head"]) {
        0.6
    } else if has(&["manager", "lead", "supervisor"]) {
        0.4
    } else {
        0.2
    }
}

fn engagement(web_visits: u32, webinars: u32) -> f64 {
    f64::min(1.0, web_visits as f64 * 0.1 + webinars as f64 * 0.3)
}

/// The lead's score 0–100 and each factor's contribution in points.
pub fn score(r: &Record, w: &ScoringWeights) -> (u8, Vec<ScoreFactor>) {
    let l = &r.lead;
    let factors = [
        ("company_size", w.company_size, company_size(l.employees, l.annual_revenue)),
        ("industry_fit", w.industry_fit, industry_fit(l.industry.as_deref(), &w.best_industries)),
        ("title_seniority", w.title_seniority, title_seniority(l.job_title.as_deref())),
        ("engagement", w.engagement, engagement(l.web_visits, l.webinars_attended)),
    ];
    let out: Vec<ScoreFactor> = factors
        .iter()
        .map(|(name, weight, f)| ScoreFactor {
            factor: (*name).into(),
            weight: *weight,
            points: (*weight as f64 * f).round() as u8,
        })
        .collect();
    let total: u32 = out.iter().map(|f| f.points as u32).sum();
    (total.min(100) as u8, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn st(s: &str) -> StateCode {
        StateCode::parse("state", s).unwrap()
    }

    #[test]
    fn zip_rules_follow_the_state_country() {
        let ut = st("UT");
        assert_eq!(Zip::parse("zip", "84601", Some(&ut)).unwrap().as_str(), "84601");
        assert_eq!(Zip::parse("zip", "84601-1234", Some(&ut)).unwrap().as_str(), "84601-1234");
        assert!(Zip::parse("zip", "22", Some(&ut)).is_err());
        assert!(Zip::parse("zip", "22", None).is_err());
        assert!(Zip::parse("zip", "8460", Some(&ut)).is_err());
        assert!(Zip::parse("zip", "84601-12", Some(&ut)).is_err());
        assert!(Zip::parse("zip", "846011234", Some(&ut)).is_err());
        // A Canadian code with a US state, and a US ZIP with a province, are mismatches.
        assert!(Zip::parse("zip", "K1A 0B6", Some(&ut)).is_err());
        let on = st("on");
        assert_eq!(Zip::parse("zip", "k1a0b6", Some(&on)).unwrap().as_str(), "K1A 0B6");
        assert!(Zip::parse("zip", "84601", Some(&on)).is_err());
        // No state: 5-digit ZIP or postal code, but not ZIP+4.
        assert!(Zip::parse("zip", "84601", None).is_ok());
        assert!(Zip::parse("zip", "K1A 0B6", None).is_ok());
        assert!(Zip::parse("zip", "84601-1234", None).is_err());
        // Letters Canada Post does not use.
        assert!(Zip::parse("zip", "D1A 0B6", Some(&on)).is_err());
        assert!(Zip::parse("zip", "W1A 0B6", Some(&on)).is_err());
        // Territories are US.
        assert!(Zip::parse("zip", "00901", Some(&st("PR"))).is_ok());
    }

    #[test]
    fn states_cover_the_us_and_canada() {
        assert_eq!(STATES.iter().filter(|s| s.2 == Country::Us).count(), 57);
        assert_eq!(STATES.iter().filter(|s| s.2 == Country::Ca).count(), 13);
        assert_eq!(st("dc").country(), Country::Us);
        assert_eq!(st("QC").country(), Country::Ca);
        assert!(StateCode::parse("state", "XX").is_err());
    }

    fn good_form() -> Map<String, Value> {
        json!({"source_id": 1, "first_name": "Ann", "last_name": "Lee", "primary_phone": "(801) 555-0101",
               "disposition_id": 2, "city": "Provo", "state": "UT", "zip": "84601"})
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn new_lead_parses_and_defaults_to_residential() {
        let lead = NewLead::parse(&good_form()).unwrap();
        assert_eq!(lead.primary_phone, "8015550101");
        assert_eq!(lead.account_type, AccountType::Residential);
        assert_eq!(lead.state.as_str(), "UT");
    }

    #[test]
    fn new_lead_reports_every_bad_field() {
        let form = json!({"zip": "22", "email": "nope", "city": "x".repeat(256), "state": "UT", "account_type": "castle", "bogus": 1});
        let err = NewLead::parse(form.as_object().unwrap()).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "source_id",
            "first_name",
            "last_name",
            "primary_phone",
            "disposition_id",
            "city",
            "zip",
            "email",
            "account_type",
            "bogus",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        assert!(!fields.contains(&"state"));
    }

    #[test]
    fn ssn_never_shows_itself() {
        let s = Ssn::parse("ssn", "123-45-6789").unwrap();
        assert_eq!(s.last4(), "6789");
        assert!(!format!("{s:?} {s}").contains("6789"));
        for bad in
            ["123-45-678", "000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000", "12a-45-6789"]
        {
            let e = Ssn::parse("ssn", bad).unwrap_err();
            assert!(!e.message.contains(bad));
        }
        assert_eq!(mask_ssn(Some("1234")), "***-**-1234");
        assert_eq!(mask_ssn(None), "***");
    }

    #[test]
    fn dates_are_checked() {
        assert!(date("d", "2024-02-29").is_ok());
        for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "tomorrow", "2024-04-31"] {
            assert!(date("d", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn duplicate_keys_ignore_case_and_punctuation() {
        assert_eq!(
            duplicate_key("Ann", "O'Brien", "8015550101", Some("12 Main St.")),
            duplicate_key("ann", "obrien", "8015550101", Some("12 main st"))
        );
        assert_ne!(duplicate_key("Ann", "Lee", "8015550101", None), duplicate_key("Ann", "Lee", "8015550102", None));
    }

    #[test]
    fn score_weighs_size_industry_title_and_engagement() {
        let mut r = crate::record::tests::sample();
        let w = ScoringWeights::default();
        assert_eq!(score(&r, &w).0, 0);
        r.lead.employees = Some(5000);
        r.lead.industry = Some("Finance".into());
        r.lead.job_title = Some("Chief Executive Officer".into());
        r.lead.web_visits = 4;
        r.lead.webinars_attended = 2;
        let (s, factors) = score(&r, &w);
        assert_eq!(s, 100);
        assert_eq!(factors.iter().map(|f| f.points as u32).sum::<u32>(), 100);
        r.lead.job_title = Some("VP Sales".into());
        r.lead.industry = Some("Retail".into());
        let (s2, f2) = score(&r, &w);
        assert!(s2 < s);
        assert_eq!(f2.iter().find(|f| f.factor == "title_seniority").unwrap().points, 20);
        let heavy =
            ScoringWeights { engagement: 100, company_size: 0, industry_fit: 0, title_seniority: 0, ..w.clone() };
        assert_eq!(score(&r, &heavy).0, 100);
        assert!(ScoringWeights { engagement: 90, ..w }.validate().is_err());
    }

    #[test]
    fn edits_validate_zip_against_the_new_state_and_rating_marks_hot() {
        let r = crate::record::tests::sample();
        let body = json!({"version": 1, "state": "ON"});
        let err = edit_lead(&r, body.as_object().unwrap(), "2026-01-02").unwrap_err();
        assert_eq!(err.errors[0].field, "zip");
        let body = json!({"version": 1, "rating": 5, "job_title": "CEO", "ssn": "123-45-6789"});
        let edit = edit_lead(&r, body.as_object().unwrap(), "2026-01-02").unwrap();
        let after = edit.record.unwrap();
        assert!(after.lead.hot);
        assert_eq!(after.next_followup.as_deref(), Some("2026-01-02"));
        assert!(edit.rated_five);
        let ssn_change = edit.changes.iter().find(|c| c.field == "ssn").unwrap();
        assert!(!ssn_change.after.to_string().contains("6789"));
        assert!(edit.changes.iter().any(|c| c.field == "job_title"));
        let bad = json!({"version": 1, "rating": 9, "first_name": "", "id": 4});
        assert_eq!(edit_lead(&r, bad.as_object().unwrap(), "2026-01-02").unwrap_err().errors.len(), 3);
    }
}
