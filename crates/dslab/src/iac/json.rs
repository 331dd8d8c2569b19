//! A small JSON tree with a pretty printer and a bounded parser, for `main.tf.json` and the
//! state file (the crate has no JSON dependency of its own).

use std::path::Path;

use super::value::{number, quote};
use crate::error::{Error, Result};

/// The largest JSON text read (a state file of a thousand resources is well under 4 MiB).
pub(crate) const MAX_JSON_BYTES: usize = 16 << 20;
/// The deepest nesting read.
pub(crate) const MAX_DEPTH: usize = 64;

/// A JSON value; objects keep their keys in order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn obj() -> Json {
        Json::Obj(Vec::new())
    }

    /// Adds `key: value` to an object (does nothing to other values).
    pub(crate) fn with(mut self, key: &str, value: Json) -> Json {
        if let Json::Obj(entries) = &mut self {
            entries.push((key.to_string(), value));
        }
        self
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Two-space indented text, the layout `terraform show -json | jq` gives.
    pub(crate) fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = |n: usize| "  ".repeat(n);
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(x) => out.push_str(&number(*x)),
            Json::Str(s) => out.push_str(&quote(s)),
            Json::Arr(items) if items.is_empty() => out.push_str("[]"),
            Json::Obj(entries) if entries.is_empty() => out.push_str("{}"),
            Json::Arr(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    item.write(out, indent + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push(']');
            }
            Json::Obj(entries) => {
                out.push_str("{\n");
                for (i, (k, v)) in entries.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    out.push_str(&quote(k));
                    out.push_str(": ");
                    v.write(out, indent + 1);
                    out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push('}');
            }
        }
    }

    /// Parses `text`, read from `path` (named in errors with the line and character).
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Json> {
        if text.len() > MAX_JSON_BYTES {
            return Err(Error::invalid(
                format!("JSON file {}", path.display()),
                format!("{} bytes is more than the {MAX_JSON_BYTES} read", text.len()),
            ));
        }
        let mut p = Parser { s: text.as_bytes(), i: 0, path };
        p.space();
        let value = p.value(0)?;
        p.space();
        if p.i < p.s.len() {
            return Err(p.error("unexpected text after the JSON value"));
        }
        Ok(value)
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    path: &'a Path,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> Error {
        let before = &self.s[..self.i.min(self.s.len())];
        let line = before.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let col = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        Error::Parse {
            path: self.path.to_path_buf(),
            line,
            column: format!("character {col}"),
            message: message.to_string(),
        }
    }

    fn space(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.space();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        self.space();
        match self.s.get(self.i) {
            None => Err(self.error("the text ends where a value should be")),
            Some(b'{') => {
                self.i += 1;
                let mut entries = Vec::new();
                if self.eat(b'}') {
                    return Ok(Json::Obj(entries));
                }
                loop {
                    self.space();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err(self.error("expected a quoted key"));
                    }
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return Err(self.error("expected `:` after the key"));
                    }
                    entries.push((key, self.value(depth + 1)?));
                    if self.eat(b'}') {
                        return Ok(Json::Obj(entries));
                    }
                    if !self.eat(b',') {
                        return Err(self.error("expected `,` or `}`"));
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Ok(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b']') {
                        return Ok(Json::Arr(items));
                    }
                    if !self.eat(b',') {
                        return Err(self.error("expected `,` or `]`"));
                    }
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(_) => self.word(),
        }
    }

    fn word(&mut self) -> Result<Json> {
        for (text, value) in [("true", Json::Bool(true)), ("false", Json::Bool(false)), ("null", Json::Null)] {
            if self.s[self.i..].starts_with(text.as_bytes()) {
                self.i += text.len();
                return Ok(value);
            }
        }
        let start = self.i;
        while self.i < self.s.len() && matches!(self.s[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
            self.i += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() && !text.is_empty() => Ok(Json::Num(x)),
            _ => {
                self.i = start;
                Err(self.error("expected a value (object, array, string, number, true, false or null)"))
            }
        }
    }

    fn string(&mut self) -> Result<String> {
        self.i += 1; // the opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&b) = self.s.get(self.i) else { return Err(self.error("a string is not closed")) };
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.s.get(self.i) else { return Err(self.error("a string is not closed")) };
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code) && self.s[self.i..].starts_with(b"\\u") {
                                self.i += 2;
                                let low = self.hex4()?;
                                code = 0x10000 + ((code - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                            }
                            let c =
                                char::from_u32(code).ok_or_else(|| self.error("a \\u escape is not a character"))?;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        _ => return Err(self.error("unknown escape in a string")),
                    }
                }
                b if b < 0x20 => return Err(self.error("a control character inside a string")),
                b => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|_| self.error("a string is not valid UTF-8"))
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self.s.get(self.i..self.i + 4).ok_or_else(|| self.error("a \\u escape needs 4 hex digits"))?;
        let text = std::str::from_utf8(digits).map_err(|_| self.error("a \\u escape needs 4 hex digits"))?;
        let code = u32::from_str_radix(text, 16).map_err(|_| self.error("a \\u escape needs 4 hex digits"))?;
        self.i += 4;
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let j = Json::obj()
            .with("a", Json::Arr(vec![Json::Num(1.0), Json::Num(0.5), Json::Null]))
            .with("b \"q\"", Json::Str("é\n\u{1F600}".into()))
            .with("c", Json::obj())
            .with("d", Json::Bool(false));
        let text = j.pretty();
        assert_eq!(Json::parse(&text, Path::new("x.json")).unwrap(), j);
        assert_eq!(Json::parse("\"\\ud83d\\ude00\"", Path::new("x")).unwrap(), Json::Str("\u{1F600}".into()));
    }

    #[test]
    fn errors_name_file_line_and_character() {
        let err = Json::parse("{\n  \"a\": 1,\n  \"b\" 2\n}", Path::new("state.json")).unwrap_err().to_string();
        assert_eq!(err, "state.json, line 3, column `character 7`: expected `:` after the key");
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(Json::parse(&deep, Path::new("d.json")).unwrap_err().to_string().contains("deeper than 64"));
        assert!(Json::parse("{\"a\": tru}", Path::new("t")).unwrap_err().to_string().contains("expected a value"));
        assert!(Json::parse("[1] x", Path::new("t")).unwrap_err().to_string().contains("after the JSON value"));
        assert!(Json::parse("\"abc", Path::new("t")).unwrap_err().to_string().contains("not closed"));
    }
}
