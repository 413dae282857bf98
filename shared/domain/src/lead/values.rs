//! The lead's checked values: states and provinces, ZIP and postal codes, account types, languages,
//! industries, SSNs and dates.

use crate::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;
use vigil_json::{FromJson, ToJson};

/// The country a state or province belongs to; it decides which postal code format applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
