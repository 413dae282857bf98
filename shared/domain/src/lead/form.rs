//! Reading JSON form values field by field, collecting every problem: what the New Lead form and the lead
//! edit share.

use super::values::{INDUSTRIES, LANGUAGES};
use crate::FieldError;
use serde_json::Value;

pub(super) fn text_value<'a>(field: &str, v: &'a Value) -> Result<Option<&'a str>, FieldError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.trim())),
        _ => Err(FieldError::new(field, "invalid", "must be text")),
    }
}

pub(super) fn bounded(field: &str, s: &str, max: usize) -> Result<String, FieldError> {
    if s.chars().count() > max {
        Err(FieldError::new(field, "too_long", format!("must be at most {max} characters")))
    } else {
        Ok(s.to_owned())
    }
}

pub(super) fn required_text(field: &str, v: Option<&Value>, max: usize) -> Result<String, FieldError> {
    match v.map(|v| text_value(field, v)).transpose()?.flatten() {
        Some(s) => bounded(field, s, max),
        None => Err(FieldError::required(field)),
    }
}

pub(super) fn optional_text(field: &str, v: Option<&Value>, max: usize) -> Result<Option<String>, FieldError> {
    v.map(|v| text_value(field, v)).transpose()?.flatten().map(|s| bounded(field, s, max)).transpose()
}

pub(super) fn optional_number(field: &str, v: Option<&Value>, max: u64) -> Result<Option<u64>, FieldError> {
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

pub(super) fn optional_id(field: &str, v: Option<&Value>) -> Result<Option<u32>, FieldError> {
    match optional_number(field, v, u32::MAX as u64) {
        Ok(Some(0)) | Err(_) => Err(FieldError::new(field, "invalid", "must be an ID (a positive whole number)")),
        Ok(n) => Ok(n.map(|n| n as u32)),
    }
}

pub(super) fn required_id(field: &str, v: Option<&Value>) -> Result<u32, FieldError> {
    optional_id(field, v)?.ok_or_else(|| FieldError::required(field))
}

pub(super) fn boolean(field: &str, v: &Value) -> Result<bool, FieldError> {
    v.as_bool().ok_or_else(|| FieldError::new(field, "invalid", "must be true or false"))
}

pub(super) fn language(field: &str, v: Option<&Value>) -> Result<Option<String>, FieldError> {
    match optional_text(field, v, 8)? {
        None => Ok(None),
        Some(code) => LANGUAGES
            .iter()
            .find(|(c, name)| c.eq_ignore_ascii_case(&code) || name.eq_ignore_ascii_case(&code))
            .map(|(c, _)| Some((*c).to_owned()))
            .ok_or_else(|| FieldError::new(field, "invalid", "choose one of the offered languages")),
    }
}

pub(super) fn industry(field: &str, v: Option<&Value>) -> Result<Option<String>, FieldError> {
    match optional_text(field, v, 64)? {
        None => Ok(None),
        Some(s) => INDUSTRIES
            .iter()
            .find(|i| i.eq_ignore_ascii_case(&s))
            .map(|i| Some((*i).to_owned()))
            .ok_or_else(|| FieldError::new(field, "invalid", "choose one of the offered industries")),
    }
}

pub(super) const NAME_MAX: usize = 100;
pub(super) const TEXT_MAX: usize = 255;

/// The most UTF-8 bytes (once lowercased) of the city and of the first address line. Both are parts of one sort key
/// (the lists' address order), which DynamoDB holds to 1024 bytes; 255 characters of a non-Latin script would not fit.
pub(super) const KEY_PART_BYTES: usize = 480;

/// The UTF-8 length of `s.to_lowercase()`, computed without Rust's case tables: the portal runs this check too, and
/// the tables would be 7 KiB of its download. Lowercasing keeps a character's UTF-8 length except for the few listed
/// in [`lowercase_len_change`].
fn lowercase_len(s: &str) -> usize {
    let change: isize = s.chars().map(|c| isize::from(lowercase_len_change(c))).sum();
    s.len().saturating_add_signed(change)
}

/// How many UTF-8 bytes a character gains (or loses) when lowercased. A test compares this with `char::to_lowercase`
/// for every character, so a new Unicode version that adds one fails it.
fn lowercase_len_change(c: char) -> i8 {
    match c {
        // İ becomes i and a combining dot; Ⱥ and Ⱦ lowercase into a later block.
        '\u{130}' | '\u{23a}' | '\u{23e}' => 1,
        // The Kelvin sign becomes k.
        '\u{212a}' => -2,
        // Capitals added late whose small letters are older, two-byte ones.
        '\u{1e9e}'
        | '\u{2126}'
        | '\u{212b}'
        | '\u{2c62}'
        | '\u{2c64}'
        | '\u{2c6d}'..='\u{2c70}'
        | '\u{2c7e}'
        | '\u{2c7f}'
        | '\u{a78d}'
        | '\u{a7aa}'..='\u{a7ae}'
        | '\u{a7b0}'..='\u{a7b2}'
        | '\u{a7c5}'
        | '\u{a7cb}'
        | '\u{a7dc}' => -1,
        _ => 0,
    }
}

/// Refuses text too long to be part of a sort key, whatever its character count.
pub(super) fn key_part(field: &str, s: String) -> Result<String, FieldError> {
    if lowercase_len(&s) > KEY_PART_BYTES {
        Err(FieldError::new(
            field,
            "too_long",
            format!("must be at most {KEY_PART_BYTES} bytes (fewer characters in non-Latin scripts)"),
        ))
    } else {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercase_len_agrees_with_to_lowercase_for_every_character() {
        let wrong: Vec<String> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|c| {
                c.to_lowercase().map(char::len_utf8).sum::<usize>() as isize - c.len_utf8() as isize
                    != isize::from(lowercase_len_change(*c))
            })
            .map(|c| format!("U+{:04X}", u32::from(c)))
            .collect();
        assert!(wrong.is_empty(), "lowercase_len_change is wrong for {wrong:?}");
        // Final sigma depends on its neighbours, in one length either way.
        let text = "ΌΣΟΣ İstanbul \u{212a}elvin Ⱥ";
        assert_eq!(lowercase_len(text), text.to_lowercase().len());
    }

    #[test]
    fn key_part_counts_the_lowercased_bytes() {
        // 240 two-byte capitals that lowercase into three bytes each: 480 bytes as typed, 720 once lowercased.
        let grown = "\u{23a}".repeat(240);
        assert_eq!(key_part("city", grown).map_err(|e| e.code), Err("too_long".to_owned()));
        // 160 Kelvin signs: 480 bytes as typed and 160 lowercased, and so 161 of them still fit.
        let shrunk = "\u{212a}".repeat(161);
        assert!(key_part("city", shrunk).is_ok());
        assert!(key_part("city", "é".repeat(240)).is_ok());
        assert!(key_part("city", "é".repeat(241)).is_err());
    }
}
