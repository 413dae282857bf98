//! A JSON tree written as compact text, byte for byte what serde_json writes. serde_json's own writer goes through
//! its serializer and an `io::Write` adapter, which bring `io::Error` and the standard library's `Debug` escaping
//! (with its Unicode tables) into the portal; this is one small function.

use serde_json::Value;
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
        // A number's own Display is the text the serializer writes for it.
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
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
}
