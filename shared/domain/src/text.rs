//! Small parsers for text a person types.

use crate::FieldError;

/// Digits of a phone number, as stored and searched (formatting stripped). 10 digits, or 11 starting with 1.
pub fn phone_digits(field: &str, s: &str) -> Result<String, FieldError> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let junk = s.chars().any(|c| !(c.is_ascii_digit() || " ()-.+".contains(c)));
    match digits.len() {
        _ if junk => Err(FieldError::new(field, "invalid", "phone may contain only digits, spaces and ( ) - . +")),
        10 => Ok(digits),
        11 if digits.starts_with('1') => Ok(digits[1..].to_owned()),
        _ => Err(FieldError::new(field, "invalid", "phone must have 10 digits")),
    }
}

/// A trimmed, lowercased email with one `@` and a dot in the domain.
pub fn email(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim().to_ascii_lowercase();
    let ok = match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    };
    if ok && !s.contains(char::is_whitespace) && s.len() <= 254 {
        Ok(s)
    } else {
        Err(FieldError::new(field, "invalid", "enter an email address like name@example.com"))
    }
}

/// A web address as a person types it: `example.com`, `www.example.com/about` or with `http://`/`https://`. The host
/// needs a dot and only letters, digits, `-` and `.`; no spaces anywhere. Kept as typed (trimmed).
pub fn website(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let bad = || FieldError::new(field, "invalid", "enter a web address like example.com or https://example.com");
    let lower = s.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    if rest.contains("://") || s.contains(char::is_whitespace) || s.len() > 255 {
        return Err(bad());
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host =
        host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(h, _)| h);
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let tld_ok = labels.last().is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()));
    if labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok {
        Ok(s.to_owned())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_their_digits() {
        assert_eq!(phone_digits("p", "(801) 555-0101").unwrap(), "8015550101");
        assert_eq!(phone_digits("p", "+1 801 555 0101").unwrap(), "8015550101");
        assert!(phone_digits("p", "555-0101").is_err());
        assert!(phone_digits("p", "801555010x").is_err());
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(email("e", " Ann@Example.COM ").unwrap(), "ann@example.com");
        for bad in ["ann", "ann@", "@x.com", "ann@x", "a b@x.com", "ann@.com"] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn websites_need_a_host_with_a_dot() {
        for good in
            ["example.com", "https://www.example.com/about?x=1", "HTTP://Shop.Example.co.uk", "acme-alarm.com:8080/x"]
        {
            assert!(website("w", good).is_ok(), "{good}");
        }
        for bad in [
            "acme",
            "not a site",
            "http://",
            "ftp://example.com",
            "example..com",
            "example.c0m",
            "https://-x.com",
            "x.com/a b",
        ] {
            assert!(website("w", bad).is_err(), "{bad}");
        }
    }
}
