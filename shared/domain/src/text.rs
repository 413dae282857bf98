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
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@')
        }
        None => false,
    };
    if ok && !s.contains(char::is_whitespace) && s.len() <= 254 {
        Ok(s)
    } else {
        Err(FieldError::new(field, "invalid", "enter an email address like name@example.com"))
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
}
