//! How values read on screen: phones as (801) 555-0101, dates in the browser's locale, stages by their label.

use vigil_domain::record::{Kind, Stage};
use wasm_bindgen::JsValue;

/// Stored phones are digits only; ten of them are shown the North American way.
pub fn phone(digits: &str) -> String {
    if digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()) {
        format!("({}) {}-{}", &digits[0..3], &digits[3..6], &digits[6..])
    } else {
        digits.to_owned()
    }
}

/// An RFC 3339 timestamp as a date in the user's locale (falls back to the raw text if it does not parse).
pub fn date(rfc3339: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if d.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    d.to_locale_date_string("en-US", &JsValue::UNDEFINED).into()
}

/// An RFC 3339 timestamp as date and time in the user's locale.
pub fn date_time(rfc3339: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if d.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    d.to_locale_string("en-US", &JsValue::UNDEFINED).into()
}

pub fn stage(s: Stage) -> &'static str {
    match s {
        Stage::New => "New",
        Stage::Contacted => "Contacted",
        Stage::Qualified => "Qualified",
        Stage::Unqualified => "Unqualified",
        Stage::Converted => "Converted",
    }
}

pub fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Lead => "Lead",
        Kind::Customer => "Customer",
    }
}

/// "Last, First", as the lists sort and show names.
pub fn last_first(first: &str, last: &str) -> String {
    match (first.is_empty(), last.is_empty()) {
        (_, true) => first.to_owned(),
        (true, false) => last.to_owned(),
        _ => format!("{last}, {first}"),
    }
}

/// "Provo, UT", or whichever of the two is known.
pub fn city_state(city: &str, state: &str) -> String {
    match (city.is_empty(), state.is_empty()) {
        (false, false) => format!("{city}, {state}"),
        (false, true) => city.to_owned(),
        (true, _) => state.to_owned(),
    }
}

/// `$39.99`.
pub fn dollars(cents: u64) -> String {
    vigil_domain::mmr::dollars(cents)
}

/// A 0-5 rating as filled and empty stars, with the number for screen readers in the caller's label.
pub fn stars(rating: u8) -> String {
    let r = rating.min(5) as usize;
    format!("{}{}", "★".repeat(r), "☆".repeat(5 - r))
}

/// "25 leads", "1 lead", or "about 1,200 leads" when the server's total is an estimate.
pub fn total(n: u64, exact: bool, singular: &str, plural: &str) -> String {
    let noun = if n == 1 { singular } else { plural };
    let n = thousands(n);
    if exact {
        format!("{n} {noun}")
    } else {
        format!("about {n} {noun}")
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A snake_case key of the contract as a label: `in_progress` is "In progress". The keys are ASCII, so the first
/// letter is raised without Rust's Unicode case tables.
pub fn key_label(key: &str) -> String {
    let mut out = key.replace('_', " ");
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

/// `str::to_lowercase`, done by the browser: the same Unicode mapping (final sigma included), without Rust's case
/// tables in the wasm (about 20 KiB).
pub fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

/// `str::to_uppercase`, done by the browser for the same reason as [`lowercase`].
pub fn uppercase(text: &str) -> String {
    js_sys::JsString::from(text).to_upper_case().into()
}

/// A number typed into a field, read exactly as `str::parse::<f64>` reads it (the same texts accepted, the same
/// value), with the browser doing the conversion: Rust's own decimal parser brings a 20 KiB table of powers of five
/// into the wasm. Only the syntax is checked here; a valid decimal converts to the same correctly rounded value in
/// both.
pub fn parse_f64(text: &str) -> Option<f64> {
    match float_form(text)? {
        FloatForm::Decimal => Some(js_sys::parse_float(text)),
        FloatForm::Infinite { negative: false } => Some(f64::INFINITY),
        FloatForm::Infinite { negative: true } => Some(f64::NEG_INFINITY),
        FloatForm::NaN => Some(f64::NAN),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum FloatForm {
    Decimal,
    Infinite { negative: bool },
    NaN,
}

/// The grammar of `f64::from_str`: an optional sign, then `inf`, `infinity` or `nan` (any case), or digits with an
/// optional `.` (digits on at least one side) and an optional exponent `e`/`E`, sign, digits. No spaces.
fn float_form(text: &str) -> Option<FloatForm> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
        return Some(FloatForm::Infinite { negative });
    }
    if rest.eq_ignore_ascii_case("nan") {
        return Some(FloatForm::NaN);
    }
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (rest, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mantissa_ok = digits(whole) == whole.len()
        && digits(fraction) == fraction.len()
        && !(whole.is_empty() && fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e) == e.len()
    });
    (mantissa_ok && exponent_ok).then_some(FloatForm::Decimal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_as_labels() {
        assert_eq!(key_label("in_progress"), "In progress");
        assert_eq!(key_label("closed_won"), "Closed won");
        assert_eq!(key_label("x"), "X");
        assert_eq!(key_label(""), "");
        assert_eq!(key_label("élan_vital"), "élan vital");
    }

    #[test]
    fn numbers_are_read_as_rust_reads_them() {
        let texts = [
            "0",
            "12",
            "-3.5",
            "+4",
            "1.",
            ".5",
            "1e5",
            "1E+5",
            "2.5e-3",
            "007",
            "-0",
            "inf",
            "-Infinity",
            "NaN",
            "+nan",
            "",
            ".",
            "-",
            "+",
            "e5",
            "1e",
            "1e+",
            "1.2.3",
            "1,5",
            " 1",
            "1 ",
            "0x10",
            "1_000",
            "$5",
            "--1",
            "infinit",
            "5e5.5",
            "١",
        ];
        for text in texts {
            let rust = text.parse::<f64>();
            match float_form(text) {
                None => assert!(rust.is_err(), "{text:?} is a number to Rust"),
                Some(FloatForm::Decimal) => assert!(rust.is_ok_and(f64::is_finite), "{text:?}"),
                Some(FloatForm::Infinite { negative }) => {
                    assert_eq!(rust, Ok(if negative { f64::NEG_INFINITY } else { f64::INFINITY }), "{text:?}")
                }
                Some(FloatForm::NaN) => assert!(rust.is_ok_and(f64::is_nan), "{text:?}"),
            }
        }
    }

    #[test]
    fn totals_say_when_they_are_estimates() {
        assert_eq!(total(1, true, "lead", "leads"), "1 lead");
        assert_eq!(total(1234567, true, "lead", "leads"), "1,234,567 leads");
        assert_eq!(total(1200, false, "lead", "leads"), "about 1,200 leads");
        assert_eq!(total(0, true, "lead", "leads"), "0 leads");
    }

    #[test]
    fn phones_and_names() {
        assert_eq!(phone("8015550101"), "(801) 555-0101");
        assert_eq!(phone("555"), "555");
        assert_eq!(last_first("Ann", "Lee"), "Lee, Ann");
        assert_eq!(last_first("Ann", ""), "Ann");
        assert_eq!(stars(3), "★★★☆☆");
    }
}
