//! Identifiers. Record IDs are per-company sequential numbers because dealers quote them on the phone.

use crate::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;
use vigil_json::{FromJson, ToJson};

/// A tenant. Lowercase letters, digits and dashes, 1 to 32 characters, so it is safe inside every key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToJson, Deserialize, FromJson)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema), schemars(extend("pattern" = "^[a-z0-9-]{1,32}$")))]
pub struct CompanyId(String);

impl CompanyId {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new("company", "invalid", "company must be 1-32 lowercase letters, digits or dashes"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CompanyId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|e| e.message)
    }
}

impl From<CompanyId> for String {
    fn from(c: CompanyId) -> String {
        c.0
    }
}

impl fmt::Display for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user: the identity provider's subject (`sub`). Opaque, 1 to 64 characters of `[A-Za-z0-9-_]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToJson, Deserialize, FromJson)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema), schemars(extend("pattern" = "^[A-Za-z0-9_-]{1,64}$")))]
pub struct UserId(String);

impl UserId {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let ok =
            !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new("user_id", "invalid", "user id must be 1-64 letters, digits, dashes or underscores"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|e| e.message)
    }
}

impl From<UserId> for String {
    fn from(c: UserId) -> String {
        c.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! numeric_id {
    ($(#[$m:meta])* $name:ident, $inner:ty, $field:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToJson, Deserialize, FromJson)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
        pub struct $name(#[cfg_attr(feature = "openapi", schemars(range(min = 1, max = <$inner>::MAX)))] pub $inner);

        impl $name {
            /// Parses a path or query value; only positive decimal numbers are IDs.
            pub fn parse(s: &str) -> Result<Self, FieldError> {
                match s.parse::<$inner>() {
                    Ok(n) if n > 0 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(Self(n)),
                    _ => Err(FieldError::new($field, "invalid", concat!($field, " must be a positive whole number"))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

numeric_id!(
    /// A lead or customer: the same number for its whole life (converting keeps it).
    RecordId, u64, "id"
);
numeric_id!(
    /// An office location of the company.
    LocationId, u32, "office_location_id"
);
numeric_id!(
    /// A partner company (lead source).
    PartnerId, u32, "partner_id"
);
numeric_id!(
    /// A campaign of a partner company.
    CampaignId, u32, "campaign_id"
);
numeric_id!(
    /// A tag the company defined (records store tag IDs, so renaming a tag renames it everywhere).
    TagId, u32, "tag_id"
);
numeric_id!(
    /// A company lead status (disposition): Hot, Warm, Cold, …
    DispositionId, u32, "disposition_id"
);
numeric_id!(
    /// A company account class.
    AccountClassId, u32, "account_class_id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_ids_are_key_safe() {
        assert!(CompanyId::parse("acme-alarm").is_ok());
        assert!(CompanyId::parse("").is_err());
        assert!(CompanyId::parse("Acme").is_err());
        assert!(CompanyId::parse("a#b").is_err());
        assert!(CompanyId::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn record_ids_are_positive_decimals() {
        assert_eq!(RecordId::parse("42").unwrap(), RecordId(42));
        for bad in ["0", "-1", "+4", "1e3", "abc", "", "99999999999999999999999"] {
            assert!(RecordId::parse(bad).is_err(), "{bad}");
        }
    }
}
