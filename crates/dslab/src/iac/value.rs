//! Addresses, expressions (what the code says) and values (what they evaluate to).

use std::collections::BTreeMap;
use std::fmt;

use super::schema::ResourceType;
use crate::error::{Error, Result};

/// A resource instance's address, as Terraform prints it: `azurerm_mssql_database.example` or,
/// for one instance of a `for_each` resource, `azurerm_mssql_database.example["dev"]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    /// The resource type.
    pub rtype: ResourceType,
    /// The resource's local name in the code (not its name in Azure).
    pub name: String,
    /// The `for_each` key of this instance, if the resource has one.
    pub key: Option<String>,
}

impl Address {
    /// The address of a resource without `for_each`.
    pub fn new(rtype: ResourceType, name: impl Into<String>) -> Self {
        Address { rtype, name: name.into(), key: None }
    }

    /// The address of one `for_each` instance.
    pub fn keyed(rtype: ResourceType, name: impl Into<String>, key: impl Into<String>) -> Self {
        Address { rtype, name: name.into(), key: Some(key.into()) }
    }

    /// Reads `type.name` or `type.name["key"]`.
    pub fn parse(text: &str) -> Result<Address> {
        let (address, rest) = parse_address(text, text)?;
        if !rest.is_empty() {
            return Err(Error::invalid(format!("address `{text}`"), format!("unexpected `{rest}` after the address")));
        }
        Ok(address)
    }

    /// The same resource without its `for_each` key (the resource block the instance comes from).
    pub fn block(&self) -> Address {
        Address { rtype: self.rtype, name: self.name.clone(), key: None }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.rtype, self.name)?;
        if let Some(key) = &self.key {
            write!(f, "[{}]", quote(key))?;
        }
        Ok(())
    }
}

/// Whether `name` is a Terraform identifier: a letter or underscore, then letters, digits,
/// underscores and hyphens.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks an identifier (a resource, variable or output name), naming `what` in the error.
pub(crate) fn check_identifier(what: &str, name: &str) -> Result<()> {
    if is_identifier(name) {
        return Ok(());
    }
    Err(Error::invalid(
        what,
        format!("`{name}` is not a Terraform name: start with a letter or `_`, then use letters, digits, `_` and `-`"),
    ))
}

fn parse_address<'a>(text: &'a str, whole: &str) -> Result<(Address, &'a str)> {
    let bad = |msg: String| Error::invalid(format!("reference `{whole}`"), msg);
    let (rtype, rest) = text.split_once('.').ok_or_else(|| bad("expected `type.name`".into()))?;
    let rtype = ResourceType::from_name(rtype)?;
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    let (name, mut rest) = rest.split_at(end);
    if !is_identifier(name) {
        return Err(bad(format!("`{name}` is not a resource name")));
    }
    let mut key = None;
    if let Some(after) = rest.strip_prefix("[\"") {
        let close = after.find("\"]").ok_or_else(|| bad("a `[\"` key without its closing `\"]`".into()))?;
        key = Some(after[..close].to_string());
        rest = &after[close + 2..];
    }
    Ok((Address { rtype, name: name.to_string(), key }, rest))
}

/// A reference to an attribute of another resource: `azurerm_resource_group.example.name`.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// The resource referred to.
    pub target: Address,
    /// The attribute read from it.
    pub attribute: String,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.target, self.attribute)
    }
}

/// An argument's value as written in the code: a literal, a reference, a variable, `each.key`
/// or a string template that joins them.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A literal string (a `${` inside it is text, not an interpolation).
    Str(String),
    /// A number.
    Num(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A list of values.
    List(Vec<Expr>),
    /// A map such as `tags`, keys in the order given.
    Map(Vec<(String, Expr)>),
    /// An attribute of another resource; it makes this resource depend on that one.
    Ref(Reference),
    /// An input variable, `var.name`.
    Var(String),
    /// The current key inside a `for_each` resource, `each.key`.
    EachKey,
    /// A string template: literal pieces ([`Expr::Str`]) and interpolated expressions.
    Template(Vec<Expr>),
}

impl Expr {
    /// A reference written as Terraform writes it: `azurerm_resource_group.example.name`,
    /// `azurerm_mssql_database.example["dev"].id`.
    pub fn reference(text: &str) -> Result<Expr> {
        let (target, rest) = parse_address(text, text)?;
        let attribute = rest.strip_prefix('.').unwrap_or("");
        if !is_identifier(attribute) {
            return Err(Error::invalid(
                format!("reference `{text}`"),
                "expected `type.name.attribute`, for example `azurerm_resource_group.example.name`",
            ));
        }
        Ok(Expr::Ref(Reference { target, attribute: attribute.to_string() }))
    }

    /// An input variable, `var.name`.
    pub fn var(name: &str) -> Expr {
        Expr::Var(name.to_string())
    }

    /// A string template such as `"example-db-${each.key}"`: each `${...}` holds `each.key`,
    /// `var.NAME` or a reference; `$${` stands for a literal `${`.
    pub fn template(text: &str) -> Result<Expr> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("${") {
            if rest[..at].ends_with('$') {
                literal += &rest[..at - 1];
                literal += "${";
                rest = &rest[at + 2..];
                continue;
            }
            literal += &rest[..at];
            let after = &rest[at + 2..];
            let close = after.find('}').ok_or_else(|| {
                Error::invalid(format!("template `{text}`"), "a `${` without its closing `}`".to_string())
            })?;
            let inner = after[..close].trim();
            let expr = if inner == "each.key" {
                Expr::EachKey
            } else if let Some(name) = inner.strip_prefix("var.") {
                check_identifier(&format!("template `{text}`"), name)?;
                Expr::var(name)
            } else {
                Expr::reference(inner)?
            };
            if !literal.is_empty() {
                parts.push(Expr::Str(std::mem::take(&mut literal)));
            }
            parts.push(expr);
            rest = &after[close + 1..];
        }
        literal += rest;
        if !literal.is_empty() {
            parts.push(Expr::Str(literal));
        }
        Ok(match parts.len() {
            0 => Expr::Str(String::new()),
            1 if matches!(parts[0], Expr::Str(_)) => parts.remove(0),
            _ => Expr::Template(parts),
        })
    }

    /// A map of string values, keys in the order given.
    pub fn map<K: Into<String>, V: Into<Expr>>(entries: impl IntoIterator<Item = (K, V)>) -> Expr {
        Expr::Map(entries.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }

    /// Every reference inside the expression.
    pub fn references(&self) -> Vec<&Reference> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Ref(r) = e {
                out.push(r);
            }
        });
        out
    }

    /// Every variable name inside the expression.
    pub(crate) fn variables(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Var(v) = e {
                out.push(v.as_str());
            }
        });
        out
    }

    /// Whether `each.key` appears inside the expression.
    pub(crate) fn uses_each(&self) -> bool {
        let mut found = false;
        self.visit(&mut |e| found |= matches!(e, Expr::EachKey));
        found
    }

    fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::List(items) | Expr::Template(items) => items.iter().for_each(|e| e.visit(f)),
            Expr::Map(entries) => entries.iter().for_each(|(_, e)| e.visit(f)),
            _ => {}
        }
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::Str(s.to_string())
    }
}
impl From<String> for Expr {
    fn from(s: String) -> Self {
        Expr::Str(s)
    }
}
impl From<&String> for Expr {
    fn from(s: &String) -> Self {
        Expr::Str(s.clone())
    }
}
impl From<bool> for Expr {
    fn from(b: bool) -> Self {
        Expr::Bool(b)
    }
}
impl From<f64> for Expr {
    fn from(x: f64) -> Self {
        Expr::Num(x)
    }
}
impl From<i64> for Expr {
    fn from(x: i64) -> Self {
        Expr::Num(x as f64)
    }
}
impl From<i32> for Expr {
    fn from(x: i32) -> Self {
        Expr::Num(f64::from(x))
    }
}
impl From<u32> for Expr {
    fn from(x: u32) -> Self {
        Expr::Num(f64::from(x))
    }
}
impl From<Reference> for Expr {
    fn from(r: Reference) -> Self {
        Expr::Ref(r)
    }
}

/// A value: what an expression evaluates to, or what the state records.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value (an optional argument left out).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Value>),
    /// A map, keys sorted.
    Map(BTreeMap<String, Value>),
    /// Not known until the resource it comes from is created: Terraform's "(known after apply)".
    Unknown,
}

impl Value {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this value, or anything inside it, is [`Value::Unknown`].
    pub fn has_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::List(items) => items.iter().any(Value::has_unknown),
            Value::Map(m) => m.values().any(Value::has_unknown),
            _ => false,
        }
    }

    /// The kind of value, for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a bool",
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::List(_) => "a list",
            Value::Map(_) => "a map",
            Value::Unknown => "an unknown value",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Num(x)
    }
}

impl fmt::Display for Value {
    /// The value as Terraform's plan prints it: strings quoted, `(known after apply)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Num(x) => write!(f, "{}", number(*x)),
            Value::Str(s) => write!(f, "{}", quote(s)),
            Value::List(items) => {
                let parts: Vec<String> = items.iter().map(|v| v.to_string()).collect();
                write!(f, "[{}]", parts.join(", "))
            }
            Value::Map(m) => {
                let parts: Vec<String> = m.iter().map(|(k, v)| format!("{} = {v}", quote(k))).collect();
                write!(f, "{{ {} }}", parts.join(", "))
            }
            Value::Unknown => write!(f, "(known after apply)"),
        }
    }
}

/// A number as HCL and JSON write it: whole numbers without a decimal point.
pub(crate) fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
}

/// A string in double quotes with JSON/HCL escapes (`"`, `\`, control characters).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            '\n' => out += "\\n",
            '\r' => out += "\\r",
            '\t' => out += "\\t",
            c if (c as u32) < 0x20 => out += &format!("\\u{:04x}", c as u32),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_and_print_back() {
        for text in ["azurerm_resource_group.example.name", "azurerm_mssql_database.db[\"dev\"].id"] {
            let Expr::Ref(r) = Expr::reference(text).unwrap() else { panic!("not a reference") };
            assert_eq!(r.to_string(), text);
        }
        let err = Expr::reference("azurerm_resource_group.example").unwrap_err().to_string();
        assert!(err.contains("`azurerm_resource_group.example`") && err.contains("type.name.attribute"), "{err}");
        let err = Expr::reference("aws_s3_bucket.b.id").unwrap_err().to_string();
        assert!(err.contains("aws_s3_bucket"), "{err}");
    }

    #[test]
    fn templates_split_into_pieces() {
        let t = Expr::template("db-${each.key}-${var.suffix}").unwrap();
        assert_eq!(
            t,
            Expr::Template(vec![Expr::Str("db-".into()), Expr::EachKey, Expr::Str("-".into()), Expr::var("suffix")])
        );
        assert_eq!(Expr::template("cost $${x}").unwrap(), Expr::Str("cost ${x}".into()));
        assert!(Expr::template("a ${each.key").unwrap_err().to_string().contains("closing"));
    }

    #[test]
    fn identifiers_follow_terraform() {
        assert!(is_identifier("example") && is_identifier("_x-1") && !is_identifier("1x") && !is_identifier("a.b"));
        assert!(check_identifier("resource name", "my db").unwrap_err().to_string().contains("`my db`"));
        assert_eq!(number(2.0), "2");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
