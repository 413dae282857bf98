//! Addresses Vigil sends email to. Stricter than what a form accepts as "an email": a job is refused when its
//! address could only bounce, because every bounce counts against the sender's reputation (SES pauses sending for an
//! account whose bounce rate stays high), and a bounce is found out long after the job has succeeded.

use crate::FieldError;
use std::fmt;

/// The longest address SMTP can carry (RFC 5321: a 256-octet path less its angle brackets).
pub const MAX_LEN: usize = 254;
/// The longest local part (before the `@`) RFC 5321 allows.
pub const MAX_LOCAL_LEN: usize = 64;
const MAX_LABEL_LEN: usize = 63;

/// A syntactically deliverable address: one `@`, a dot-atom local part of at most 64 bytes, a domain of at least
/// two labels (letters, digits, hyphens; a top-level label that is not all digits), at most 254 bytes in all, and no
/// spaces or control characters. Quoted local parts, address literals (`[1.2.3.4]`) and non-ASCII addresses are
/// valid in the RFCs but refused: too many mail systems reject them. The domain is lowercased; the local part is
/// kept as given, since its case may matter to the receiving server.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address(String);

/// Why an address was refused. Messages never quote the address: it is personal data and ends up in logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressError {
    Empty,
    TooLong,
    /// Not exactly one `@`, or nothing on one side of it.
    NoAt,
    LocalTooLong,
    /// A space, control character or other character a mail server would refuse.
    BadCharacter,
    BadLocalPart,
    BadDomain,
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressError::Empty => "the email address is empty",
            AddressError::TooLong => "the email address is longer than 254 characters",
            AddressError::NoAt => "the email address needs one @ with a name before it and a domain after it",
            AddressError::LocalTooLong => "the part of the email address before the @ is longer than 64 characters",
            AddressError::BadCharacter => "the email address contains a space or a character mail servers refuse",
            AddressError::BadLocalPart => "the part of the email address before the @ is not valid",
            AddressError::BadDomain => "the domain of the email address is not valid (like example.com)",
        })
    }
}

impl std::error::Error for AddressError {}

/// Characters a dot-atom local part may hold besides letters and digits (RFC 5322 `atext`).
const ATEXT: &[u8] = b"!#$%&'*+-/=?^_`{|}~";

/// Domains reserved so that mail to them goes nowhere (RFC 2606 and RFC 6761): sending there can only bounce.
const RESERVED_DOMAINS: [&str; 3] = ["example.com", "example.net", "example.org"];
const RESERVED_TLDS: [&str; 4] = ["example", "invalid", "test", "localhost"];

impl Address {
    /// Surrounding whitespace is trimmed; anything else that is wrong is refused, not repaired.
    pub fn parse(s: &str) -> Result<Self, AddressError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(AddressError::Empty);
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) || !s.is_ascii() {
            return Err(AddressError::BadCharacter);
        }
        if s.len() > MAX_LEN {
            return Err(AddressError::TooLong);
        }
        let (local, domain) = match s.split_once('@') {
            Some((l, d)) if !l.is_empty() && !d.is_empty() && !d.contains('@') => (l, d),
            _ => return Err(AddressError::NoAt),
        };
        if local.len() > MAX_LOCAL_LEN {
            return Err(AddressError::LocalTooLong);
        }
        let atom_ok = |a: &str| !a.is_empty() && a.bytes().all(|b| b.is_ascii_alphanumeric() || ATEXT.contains(&b));
        if !local.split('.').all(atom_ok) {
            return Err(AddressError::BadLocalPart);
        }
        let domain = domain.to_ascii_lowercase();
        if !domain_ok(&domain) {
            return Err(AddressError::BadDomain);
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@` (lowercase).
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    /// Whether the domain is one reserved for examples and tests (`example.com`, `*.example`, `*.invalid`,
    /// `*.test`, `*.localhost`), where no mail can be delivered. The demo companies' users live there.
    pub fn is_reserved(&self) -> bool {
        let domain = self.domain();
        let tld = domain.rsplit('.').next().unwrap_or(domain);
        RESERVED_TLDS.contains(&tld)
            || RESERVED_DOMAINS.iter().any(|r| domain == *r || domain.strip_suffix(r).is_some_and(|p| p.ends_with('.')))
    }

    /// As [`Address::parse`], with the failure as the named field's validation error.
    pub fn parse_field(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::parse(s).map_err(|e| FieldError::new(field, "undeliverable_address", e.to_string()))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= MAX_LABEL_LEN
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    // A top-level label of digits only is an IP address written without brackets, never a mail domain.
    let tld_ok = labels.last().is_some_and(|t| !t.bytes().all(|b| b.is_ascii_digit()));
    labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliverable_addresses_parse_with_the_domain_lowercased() {
        assert_eq!(Address::parse(" Ann.Lee@Acme-Alarm.COM ").unwrap().as_str(), "Ann.Lee@acme-alarm.com");
        let longest_parts = format!("{}@{}.com", "l".repeat(64), "d".repeat(63));
        for good in [
            "a@b.co",
            "first.last+tag@mail.example.org",
            "o'brien@xn--bcher-kva.de",
            "x_y-z!#$%&*/=?^`{|}~@a1.b2.io",
            longest_parts.as_str(),
        ] {
            assert!(Address::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn undeliverable_addresses_are_refused_with_the_reason() {
        let cases: [(&str, AddressError); 22] = [
            ("", AddressError::Empty),
            ("   ", AddressError::Empty),
            ("ann", AddressError::NoAt),
            ("ann@", AddressError::NoAt),
            ("@acme.com", AddressError::NoAt),
            ("ann@bob@acme.com", AddressError::NoAt),
            ("ann@acme", AddressError::BadDomain),
            ("ann@.acme.com", AddressError::BadDomain),
            ("ann@acme.com.", AddressError::BadDomain),
            ("ann@acme..com", AddressError::BadDomain),
            ("ann@-acme.com", AddressError::BadDomain),
            ("ann@acme_alarm.com", AddressError::BadDomain),
            ("ann@10.0.0.1", AddressError::BadDomain),
            ("ann@[10.0.0.1]", AddressError::BadDomain),
            ("a nn@acme.com", AddressError::BadCharacter),
            ("ann@acme.com\r\nBcc: x@y.com", AddressError::BadCharacter),
            ("ann\u{7f}@acme.com", AddressError::BadCharacter),
            ("ann\u{0}@acme.com", AddressError::BadCharacter),
            ("zoë@acme.com", AddressError::BadCharacter),
            (".ann@acme.com", AddressError::BadLocalPart),
            ("ann..lee@acme.com", AddressError::BadLocalPart),
            ("\"ann\"@acme.com", AddressError::BadLocalPart),
        ];
        for (bad, why) in cases {
            assert_eq!(Address::parse(bad), Err(why), "{bad:?}");
        }
    }

    #[test]
    fn length_limits_are_the_smtp_ones() {
        let local_65 = format!("{}@acme.com", "l".repeat(65));
        assert_eq!(Address::parse(&local_65), Err(AddressError::LocalTooLong));
        let label_64 = format!("ann@{}.com", "d".repeat(64));
        assert_eq!(Address::parse(&label_64), Err(AddressError::BadDomain));
        // 254 bytes exactly is the longest accepted.
        let domain = format!("{}.{}.{}.com", "a".repeat(63), "b".repeat(63), "c".repeat(57));
        let longest = format!("{}@{domain}", "l".repeat(254 - 1 - domain.len()));
        assert_eq!(longest.len(), 254);
        assert!(Address::parse(&longest).is_ok());
        let too_long = format!("l{longest}");
        assert_eq!(Address::parse(&too_long), Err(AddressError::TooLong));
    }

    #[test]
    fn reserved_domains_are_recognised() {
        for reserved in
            ["admin@acme.example", "a@example.com", "a@mail.example.net", "a@x.invalid", "a@b.test", "a@host.localhost"]
        {
            assert!(Address::parse(reserved).unwrap().is_reserved(), "{reserved}");
        }
        for real in ["a@acme.com", "a@notexample.com", "a@example.com.au", "a@testing.io", "a@example.co"] {
            assert!(!Address::parse(real).unwrap().is_reserved(), "{real}");
        }
    }

    #[test]
    fn field_errors_name_the_field_and_not_the_address() {
        let e = Address::parse_field("to", "secret.person@nowhere").unwrap_err();
        assert_eq!((e.field.as_str(), e.code.as_str()), ("to", "undeliverable_address"));
        assert!(!e.message.contains("secret.person"), "{}", e.message);
    }
}
