//! JSON text read into a tree, as serde_json reads it into a `Value`: the same nodes, integers kept as `u64` or
//! `i64`, other numbers as the nearest `f64`. serde_json's parser is generic over its reader and its visitor, and
//! brought 5 KiB gzipped of them into the portal for this one use; this is one small function per kind of node.

use crate::Error;
use serde_json::{Map, Number, Value};

/// The deepest nesting read, serde_json's: deeper is refused, so that hostile text cannot exhaust the stack.
const MAX_DEPTH: u32 = 127;

/// `text` as a JSON tree: one value, with only whitespace around it.
pub fn parse(text: &str) -> Result<Value, Error> {
    let mut reader = Reader { text, at: 0, depth: 0 };
    let value = reader.value()?;
    reader.whitespace();
    match reader.peek() {
        None => Ok(value),
        Some(_) => Err(reader.error("trailing characters")),
    }
}

struct Reader<'a> {
    text: &'a str,
    /// The byte read next.
    at: usize,
    /// Arrays and objects open around `at`.
    depth: u32,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek();
        if byte.is_some() {
            self.at += 1;
        }
        byte
    }

    /// Whether the next byte is `byte`, taken if so.
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn error(&self, what: &str) -> Error {
        Error(format!("{what} at byte {}", self.at))
    }

    fn value(&mut self) -> Result<Value, Error> {
        self.whitespace();
        match self.peek() {
            Some(b'[') => self.array(),
            Some(b'{') => self.object(),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("end of text where a value was expected")),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, Error> {
        if self.text.as_bytes().get(self.at..self.at + word.len()) == Some(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    /// Past the opening bracket, one level deeper; false when the list closes at once (`close` taken).
    fn open(&mut self, close: u8) -> Result<bool, Error> {
        if self.depth == MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.depth += 1;
        self.at += 1;
        self.whitespace();
        if self.eat(close) {
            self.depth -= 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// Whether the list goes on (a comma, taken) or ends (`close`, taken); anything else is an error.
    fn more(&mut self, close: u8) -> Result<bool, Error> {
        self.whitespace();
        match self.next() {
            Some(b',') => Ok(true),
            Some(byte) if byte == close => {
                self.depth -= 1;
                Ok(false)
            }
            _ => Err(self.error(if close == b']' { "expected `,` or `]`" } else { "expected `,` or `}`" })),
        }
    }

    fn array(&mut self) -> Result<Value, Error> {
        let mut items = Vec::new();
        if self.open(b']')? {
            loop {
                items.push(self.value()?);
                if !self.more(b']')? {
                    break;
                }
            }
        }
        Ok(Value::Array(items))
    }

    fn object(&mut self) -> Result<Value, Error> {
        let mut map = Map::new();
        if self.open(b'}')? {
            loop {
                self.whitespace();
                if self.peek() != Some(b'"') {
                    return Err(self.error("expected a key (a string)"));
                }
                let key = self.string()?;
                self.whitespace();
                if !self.eat(b':') {
                    return Err(self.error("expected `:`"));
                }
                let value = self.value()?;
                // A repeated key keeps its last value, as serde_json keeps it.
                map.insert(key, value);
                if !self.more(b'}')? {
                    break;
                }
            }
        }
        Ok(Value::Object(map))
    }

    /// A string from its opening quote: runs of plain text copied as they are, escapes decoded.
    fn string(&mut self) -> Result<String, Error> {
        self.at += 1;
        let mut out = String::new();
        let mut run = self.at;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.copy(&mut out, run)?;
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.copy(&mut out, run)?;
                    self.at += 1;
                    let c = self.escape()?;
                    out.push(c);
                    run = self.at;
                }
                Some(0..=0x1f) => return Err(self.error("control character in a string")),
                Some(_) => self.at += 1,
                None => return Err(self.error("end of text in a string")),
            }
        }
    }

    /// The text from `run` to here. Both ends sit at ASCII bytes (a quote, a backslash), so at characters' edges.
    fn copy(&self, out: &mut String, run: usize) -> Result<(), Error> {
        let text = self.text.get(run..self.at).ok_or_else(|| self.error("broken string"))?;
        out.push_str(text);
        Ok(())
    }

    /// The character of the escape after a backslash.
    fn escape(&mut self) -> Result<char, Error> {
        Ok(match self.next() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let unit = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&unit) {
                    // The first half of a pair: the second must follow at once.
                    if !(self.eat(b'\\') && self.eat(b'u')) {
                        return Err(self.error("lone leading surrogate in a \\u escape"));
                    }
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error("lone leading surrogate in a \\u escape"));
                    }
                    0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    unit
                };
                return char::from_u32(code).ok_or_else(|| self.error("lone trailing surrogate in a \\u escape"));
            }
            _ => return Err(self.error("invalid escape")),
        })
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = self.next().and_then(|b| char::from(b).to_digit(16));
            unit = unit * 16 + digit.ok_or_else(|| self.error("invalid \\u escape"))?;
        }
        Ok(unit)
    }

    /// Past a run of digits; false when there was none.
    fn digits(&mut self) -> bool {
        let from = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at > from
    }

    /// A number: an integer as serde_json keeps it (`u64`, or `i64` when negative), anything else an `f64`.
    fn number(&mut self) -> Result<Number, Error> {
        let start = self.at;
        let negative = self.eat(b'-');
        let whole = self.at;
        if self.eat(b'0') {
            if let Some(b'0'..=b'9') = self.peek() {
                return Err(self.error("invalid number (a leading zero)"));
            }
        } else if !self.digits() {
            return Err(self.error("invalid number"));
        }
        let integer = self.text.get(whole..self.at).unwrap_or_default();
        let mut integral = true;
        if self.eat(b'.') {
            integral = false;
            if !self.digits() {
                return Err(self.error("invalid number (no digit after `.`)"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            integral = false;
            if !self.eat(b'-') {
                self.eat(b'+');
            }
            if !self.digits() {
                return Err(self.error("invalid number (no digit in the exponent)"));
            }
        }
        if integral {
            if let Ok(magnitude) = integer.parse::<u64>() {
                if !negative {
                    return Ok(Number::from(magnitude));
                }
                // As serde_json: `-0`, and what is below `i64::MIN`, are floats.
                let value = (magnitude as i64).wrapping_neg();
                if value < 0 {
                    return Ok(Number::from(value));
                }
            }
        }
        let text = self.text.get(start..self.at).unwrap_or_default();
        float(text).and_then(Number::from_f64).ok_or_else(|| self.error("number out of range"))
    }
}

/// The `f64` nearest to a JSON number's text; `None` when it is beyond an `f64`'s range. In the portal this is the
/// browser's `parseFloat`: the standard library's exact conversion would bring 10 KiB of tables into the wasm.
#[cfg(target_arch = "wasm32")]
fn float(text: &str) -> Option<f64> {
    Some(js_sys::parse_float(text)).filter(|f| f.is_finite())
}

#[cfg(not(target_arch = "wasm32"))]
fn float(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::parse;
    use serde_json::Value;

    /// serde_json's reading of `text`, for comparison.
    fn theirs(text: &str) -> Result<Value, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    #[track_caller]
    fn same(text: &str) {
        let ours = parse(text).map_err(|e| e.to_string());
        match (&ours, theirs(text)) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, &b, "{text}");
                // Equal `Value`s can still differ in how a number is kept (`1` and `1.0` compare unequal, but an
                // `f64` of -0.0 equals 0.0): the text written back must match too.
                assert_eq!(crate::to_text(a), b.to_string(), "{text}");
            }
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{text}: ours {a:?}, serde_json {b:?}"),
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "7",
            "-7",
            "18446744073709551615",
            "18446744073709551616",
            "123456789012345678901234567890",
            "-9223372036854775808",
            "-9223372036854775809",
            "0.5",
            "-0.0",
            "12.5",
            "0.1",
            "0.30000000000000004",
            "1e5",
            "1E+2",
            "2.5e-3",
            "123.456e7",
            "1.7976931348623157e308",
            "5e-324",
            "1e-400",
            "0e999999999999",
            "3.14159265358979323846264338327950288",
            r#""""#,
            r#""plain""#,
            r#""a\"b\\c\/d\be\ff\ng\rh\ti""#,
            r#""\u00e9\u0041\u20ac""#,
            r#""\ud83d\ude00 and é, 日本""#,
            "[]",
            "[1,2,[3,[4]]]",
            " [ 1 , \"x\" , null ] ",
            "{}",
            r#"{"a":1,"b":[true,{"c":null}],"a":2}"#,
            r#"{ "id" : 7 , "name" : "Delia Dupont", "tags": ["x"], "score": 12.25 }"#,
        ] {
            same(text);
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        for text in [
            "",
            " ",
            "nul",
            "tru",
            "True",
            "01",
            "-",
            "-a",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "1e309",
            "-1e309",
            "NaN",
            "[1,]",
            "[1 2]",
            "[",
            "]",
            "{",
            r#"{"a"}"#,
            r#"{"a":}"#,
            r#"{"a":1,}"#,
            r#"{a:1}"#,
            r#"{"a":1"#,
            r#"""#,
            r#""abc"#,
            "\"tab\tinside\"",
            r#""\x""#,
            r#""\u12""#,
            r#""\u12g4""#,
            r#""\ud83d""#,
            r#""\ud83d\u0041""#,
            r#""\ude00""#,
            "1 2",
            "[] x",
        ] {
            assert!(parse(text).is_err(), "{text:?} was read");
            assert!(theirs(text).is_err(), "{text:?}: serde_json reads it, so should we");
        }
    }

    #[test]
    fn nesting_stops_at_the_same_depth_as_serde_json() {
        let at = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        same(&at(127));
        assert!(parse(&at(128)).is_err());
        assert!(theirs(&at(128)).is_err());
        // Far deeper than the stack would allow, refused rather than overflowing it.
        assert!(parse(&"[".repeat(1_000_000)).is_err());
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(parse("[1, x]").map_err(|e| e.to_string()), Err("expected a value at byte 4".to_owned()));
        assert_eq!(parse("{\"a\" 1}").map_err(|e| e.to_string()), Err("expected `:` at byte 5".to_owned()));
    }

    /// Every tree serde_json writes, read back the same: the values a server sends, built from a seeded generator.
    #[test]
    fn reads_back_what_serde_json_writes() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2_000 {
            let value = tree(&mut next, 0);
            let text = value.to_string();
            assert_eq!(parse(&text).ok().as_ref(), Some(&value), "{text}");
            let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
            assert_eq!(parse(&pretty).ok().as_ref(), Some(&value), "{pretty}");
        }
    }

    fn tree(next: &mut impl FnMut() -> u64, depth: u32) -> Value {
        let pick = next() % if depth > 3 { 6 } else { 8 };
        match pick {
            0 => Value::Null,
            1 => Value::Bool(next().is_multiple_of(2)),
            2 => Value::from(next() >> (next() % 64)),
            3 => Value::from(-((next() >> (next() % 63 + 1)) as i64)),
            4 => {
                let f = f64::from_bits(next());
                if f.is_finite() {
                    Value::from(f)
                } else {
                    Value::from((next() % 100_000) as f64 / 100.0)
                }
            }
            5 => {
                let s: String = (0..next() % 12)
                    .map(|_| ['a', 'é', '"', '\\', '\n', '\u{1}', '€', '😀', ' ', '/'][(next() % 10) as usize])
                    .collect();
                Value::String(s)
            }
            6 => Value::Array((0..next() % 4).map(|_| tree(next, depth + 1)).collect()),
            _ => {
                Value::Object((0..next() % 4).map(|i| (format!("k{i}{}", next() % 3), tree(next, depth + 1))).collect())
            }
        }
    }
}
