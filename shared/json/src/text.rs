//! A JSON tree written as compact text, byte for byte what serde_json writes. serde_json's own writer goes through
//! its serializer and an `io::Write` adapter, which bring `io::Error` and the standard library's `Debug` escaping
//! (with its Unicode tables) into the portal; this is one small function.

use serde_json::{Number, Value};
use std::fmt::Write;

/// `value` as compact JSON text, as `value.to_string()` writes it.
pub fn to_text(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value);
    out
}

fn write(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => number(out, n),
        Value::String(s) => string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, key);
                out.push(':');
                write(out, item);
            }
            out.push('}');
        }
    }
}

/// A number as serde_json writes it: an integer as it is, a float by its shortest digits laid out as [`layout`] says.
fn number(out: &mut String, n: &Number) {
    if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(i) = n.as_i64() {
        // Negative, since it is not a u64; written through the u64 formatting rather than adding i64's.
        let _ = write!(out, "-{}", i.unsigned_abs());
    } else if let Some(f) = n.as_f64() {
        float(out, &shortest(f));
    }
}

/// A float given as number text in any of [`decompose`]'s forms, written as serde_json writes it (the text as it is
/// if it is of none of them).
fn float(out: &mut String, text: &str) {
    match decompose(text) {
        Some((negative, digits, point)) => layout(out, negative, &digits, point),
        None => out.push_str(text),
    }
}

/// `f`'s shortest round-trip digits, as the browser writes the number (`123.45`, `1e+21`, `1.5e-7`). In the portal
/// the browser does it: serde_json's own float formatting and its tables were 1.1 KiB of the gzipped wasm.
#[cfg(target_arch = "wasm32")]
fn shortest(f: f64) -> String {
    // The browser writes -0 as `0`.
    let sign = if f == 0.0 && f.is_sign_negative() { "-" } else { "" };
    let text = js_sys::Number::from(f).to_string_with_radix(10).map(String::from).unwrap_or_default();
    format!("{sign}{text}")
}

#[cfg(not(target_arch = "wasm32"))]
fn shortest(f: f64) -> String {
    format!("{f:e}")
}

/// Number text in any of the forms above (or Rust's `1.2345e2`) as its sign, its significant digits without leading
/// or trailing zeros, and where the decimal point goes: the value is `0.digits × 10^point`. `None` for text that is
/// not a number of that shape. Read by hand: `str::parse` and `trim_matches` are each larger in the wasm than this.
fn decompose(text: &str) -> Option<(bool, String, i32)> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, mut point) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, exponent(e)?),
        None => (text, 0),
    };
    let mut digits = String::new();
    let (mut fraction, mut any) = (false, false);
    for b in mantissa.bytes() {
        match b {
            b'.' if !fraction => fraction = true,
            b'0'..=b'9' => {
                any = true;
                if !fraction {
                    point += 1;
                }
                if b == b'0' && digits.is_empty() {
                    point -= 1;
                } else {
                    digits.push(char::from(b));
                }
            }
            _ => return None,
        }
    }
    while digits.ends_with('0') {
        digits.pop();
    }
    match (any, digits.is_empty()) {
        (false, _) => None,
        (true, true) => Some((negative, "0".into(), 1)),
        (true, false) => Some((negative, digits, point)),
    }
}

/// An exponent's text (`+21`, `-7`, `300`); `None` beyond four digits, which no `f64` needs.
fn exponent(text: &str) -> Option<i32> {
    let (negative, text) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    if text.is_empty() || text.len() > 4 {
        return None;
    }
    let mut value = 0i32;
    for b in text.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i32::from(b - b'0');
    }
    Some(if negative { -value } else { value })
}

/// Where serde_json puts the digits of a float (the layout it has always used): plain notation with at least one
/// digit after the point while the point falls within the first 16 places (`100.0`, `0.5`, `0.0001`), otherwise
/// scientific (`1e+16`, `1.5e-7`).
fn layout(out: &mut String, negative: bool, digits: &str, point: i32) {
    if negative {
        out.push('-');
    }
    let length = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let zeros = |out: &mut String, n: i32| {
        for _ in 0..n {
            out.push('0');
        }
    };
    if length <= point && point <= 16 {
        out.push_str(digits);
        zeros(out, point - length);
        out.push_str(".0");
    } else if 0 < point && point <= 16 {
        let (whole, fraction) = digits.split_at(usize::try_from(point).unwrap_or(0));
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    } else if -5 < point && point <= 0 {
        out.push_str("0.");
        zeros(out, -point);
        out.push_str(digits);
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let exponent = point - 1;
        let _ = if exponent > 0 { write!(out, "e+{exponent}") } else { write!(out, "e{exponent}") };
    }
}

/// A string with the escapes serde_json uses: the short forms where JSON has one, `\u00XX` for the other control
/// characters, everything else as it is.
fn string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let b = c as u8;
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn make_object_builds_what_json_builds() {
        let built = crate::make_object([("b", Value::from(1)), ("a", Value::Null), ("c", Value::from("x"))]);
        assert_eq!(built, json!({"b": 1, "a": null, "c": "x"}));
        assert_eq!(to_text(&built), r#"{"a":null,"b":1,"c":"x"}"#);
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let control: String = (0u8..0x20).map(char::from).chain(['\u{7f}', 'é', '€', '😀', '/', '"', '\\']).collect();
        let values = [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-17),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(-0.000_012_5),
            json!(1e300),
            json!(0.1),
            json!(""),
            json!(control),
            json!((0..0x800).filter_map(char::from_u32).collect::<String>()),
            json!([]),
            json!({}),
            json!({"b": [1, {"x": null, "é": "y"}], "a": "z", "": [[], {}]}),
        ];
        for v in values {
            assert_eq!(to_text(&v), v.to_string(), "{v}");
        }
    }

    fn written(text: &str) -> String {
        let mut out = String::new();
        float(&mut out, text);
        out
    }

    /// Floats are laid out from their shortest digits as serde_json lays them out, whether the digits come as the
    /// browser writes a number (plain below 1e21, `1.5e-7` and `1e+21` beyond) or in Rust's scientific form.
    #[test]
    fn floats_are_written_as_serde_json_writes_them() {
        let mut floats = vec![
            -0.0,
            0.0,
            1e-5,
            1e-8,
            0.1,
            0.5,
            1.5,
            100.0,
            123.456,
            1e15,
            1e16,
            1.5e16,
            1e17,
            9_007_199_254_740_993.0,
            1e20,
        ];
        floats.extend([
            1e21,
            1.25e22,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            1e-4,
            1.5e-5,
            1e-6,
            1e-7,
            0.000_012_5,
        ]);
        floats.extend([2.0f64.powi(53), 2.0f64.powi(60), 1.0 / 3.0, 2.0 / 3.0, 0.3, 4.35, 1234.5678e10]);
        for f in floats.clone().into_iter().chain(floats.iter().map(|f| -f)) {
            let Some(n) = Number::from_f64(f) else { continue };
            let theirs = n.to_string();
            assert_eq!(to_text(&Value::Number(n)), theirs, "{f:e}");
            // The browser's plain form, which for these values is Rust's `Display`.
            assert_eq!(written(&format!("{f}")), theirs, "{f}");
        }
        for (browser, theirs) in
            [("1e+21", "1e+21"), ("1.5e-7", "1.5e-7"), ("-2.5e+300", "-2.5e+300"), ("0", "0.0"), ("-0", "-0.0")]
        {
            assert_eq!(written(browser), theirs, "{browser}");
        }
        assert_eq!(decompose("e5"), None);
        assert_eq!(decompose("1.2.3"), None);
        assert_eq!(decompose("1e"), None);
        assert_eq!(decompose("1e+12345"), None);
        assert_eq!(decompose("0.00"), Some((false, "0".into(), 1)));
        assert_eq!(decompose("-0.0120e-2"), Some((true, "12".into(), -3)));
    }
}
