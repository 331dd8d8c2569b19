//! Writing a configuration as Terraform code: HCL (`main.tf`, laid out as `terraform fmt`
//! does) and Terraform's JSON syntax (`main.tf.json`).

use std::path::{Path, PathBuf};

use super::AZURERM_VERSION;
use super::config::{Config, Resource};
use super::json::Json;
use super::value::{Expr, is_identifier, number, quote};
use crate::error::{Error, Result};

/// A literal piece of a template: `${` and `%{` are doubled so Terraform reads them as text.
fn escape_template(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

/// The expression inside `${ }` or as a bare HCL expression, for references and friends.
fn bare(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Ref(r) => Some(r.to_string()),
        Expr::Var(v) => Some(format!("var.{v}")),
        Expr::EachKey => Some("each.key".into()),
        _ => None,
    }
}

/// The string a template or literal becomes in both syntaxes (without the quotes).
fn template_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Str(s) => Some(escape_template(s)),
        Expr::Template(parts) => Some(
            parts
                .iter()
                .map(|p| match p {
                    Expr::Str(s) => escape_template(s),
                    other => format!("${{{}}}", bare(other).unwrap_or_default()),
                })
                .collect(),
        ),
        _ => None,
    }
}

fn hcl_key(key: &str) -> String {
    if is_identifier(key) { key.to_string() } else { quote(key) }
}

/// An expression on one line of HCL, or `None` for a map (written over several lines).
fn hcl_inline(expr: &Expr) -> Option<String> {
    if let Some(b) = bare(expr) {
        return Some(b);
    }
    match expr {
        Expr::Str(_) | Expr::Template(_) => Some(hcl_string(expr)),
        Expr::Num(x) => Some(number(*x)),
        Expr::Bool(b) => Some(b.to_string()),
        Expr::List(items) => {
            let parts: Option<Vec<String>> = items.iter().map(hcl_inline).collect();
            Some(format!("[{}]", parts?.join(", ")))
        }
        Expr::Map(entries) if entries.is_empty() => Some("{}".into()),
        _ => None,
    }
}

/// A quoted HCL string: literal pieces escaped, `${...}` interpolations as they are.
fn hcl_string(expr: &Expr) -> String {
    let literal = |s: &str| {
        let q = quote(&escape_template(s));
        q[1..q.len() - 1].to_string()
    };
    let body: String = match expr {
        Expr::Str(s) => literal(s),
        Expr::Template(parts) => parts
            .iter()
            .map(|p| match p {
                Expr::Str(s) => literal(s),
                other => format!("${{{}}}", bare(other).unwrap_or_default()),
            })
            .collect(),
        _ => String::new(),
    };
    format!("\"{body}\"")
}

/// Lines `name = value` with the `=` aligned, as `terraform fmt` aligns a run of attributes.
fn aligned(lines: &[(String, String)], indent: &str) -> String {
    let width = lines.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    lines.iter().map(|(k, v)| format!("{indent}{k:<width$} = {v}\n")).collect()
}

fn hcl_map(name: &str, entries: &[(String, Expr)], indent: &str) -> String {
    let inner = format!("{indent}  ");
    let mut out = format!("{indent}{name} = {{\n");
    let mut run: Vec<(String, String)> = Vec::new();
    for (k, v) in entries {
        match hcl_inline(v) {
            Some(text) => run.push((hcl_key(k), text)),
            None => {
                out += &aligned(&run, &inner);
                run.clear();
                if let Expr::Map(sub) = v {
                    out += &hcl_map(&hcl_key(k), sub, &inner);
                }
            }
        }
    }
    out += &aligned(&run, &inner);
    out + indent + "}\n"
}

/// The body of a block: single-line attributes aligned, then maps, each after a blank line.
fn hcl_body(attributes: &[(String, Expr)]) -> String {
    let simple: Vec<(String, String)> =
        attributes.iter().filter_map(|(k, v)| hcl_inline(v).map(|text| (k.clone(), text))).collect();
    let mut out = aligned(&simple, "  ");
    for (k, v) in attributes {
        if let (None, Expr::Map(entries)) = (hcl_inline(v), v) {
            if !out.is_empty() {
                out.push('\n');
            }
            out += &hcl_map(k, entries, "  ");
        }
    }
    out
}

fn for_each_expr(keys: &[String]) -> String {
    let items: Vec<String> = keys.iter().map(|k| quote(k)).collect();
    format!("toset([{}])", items.join(", "))
}

fn hcl_resource(r: &Resource) -> String {
    let mut out = format!("resource {} {} {{\n", quote(r.rtype.name()), quote(&r.name));
    if let Some(keys) = &r.for_each {
        out += &format!("  for_each = {}\n", for_each_expr(keys));
        if !r.args.is_empty() {
            out.push('\n');
        }
    }
    out += &hcl_body(&r.args);
    if r.prevent_destroy {
        out += "\n  lifecycle {\n    prevent_destroy = true\n  }\n";
    }
    out + "}\n"
}

impl Config {
    /// The configuration as HCL, the text of a `main.tf`.
    pub fn to_hcl(&self) -> Result<String> {
        self.check()?;
        let mut blocks = vec![format!(
            "terraform {{\n  required_providers {{\n    azurerm = {{\n      source  = \"hashicorp/azurerm\"\n      version = {}\n    }}\n  }}\n}}\n",
            quote(AZURERM_VERSION)
        )];
        blocks.push("provider \"azurerm\" {\n  features {}\n}\n".to_string());
        for v in &self.variables {
            let mut attrs: Vec<(String, String)> = Vec::new();
            if let Some(d) = &v.description {
                attrs.push(("description".into(), quote(&escape_template(d))));
            }
            attrs.push(("type".into(), "string".into()));
            if let Some(d) = &v.default {
                attrs.push(("default".into(), quote(&escape_template(d.as_str().unwrap_or_default()))));
            }
            if v.sensitive {
                attrs.push(("sensitive".into(), "true".into()));
            }
            blocks.push(format!("variable {} {{\n{}}}\n", quote(&v.name), aligned(&attrs, "  ")));
        }
        blocks.extend(self.resources.iter().map(hcl_resource));
        for o in &self.outputs {
            let mut attrs: Vec<(String, Expr)> = Vec::new();
            if let Some(d) = &o.description {
                attrs.push(("description".into(), Expr::Str(d.clone())));
            }
            attrs.push(("value".into(), o.value.clone()));
            if o.sensitive {
                attrs.push(("sensitive".into(), Expr::Bool(true)));
            }
            blocks.push(format!("output {} {{\n{}}}\n", quote(&o.name), hcl_body(&attrs)));
        }
        Ok(blocks.join("\n"))
    }

    /// The configuration in Terraform's JSON syntax, the text of a `main.tf.json`: the same
    /// blocks as objects, every expression as a `"${...}"` string.
    pub fn to_json(&self) -> Result<String> {
        self.check()?;
        let provider = Json::obj()
            .with("source", Json::Str("hashicorp/azurerm".into()))
            .with("version", Json::Str(AZURERM_VERSION.into()));
        let mut root = Json::obj()
            .with("terraform", Json::obj().with("required_providers", Json::obj().with("azurerm", provider)))
            .with("provider", Json::obj().with("azurerm", Json::obj().with("features", Json::obj())));
        if !self.variables.is_empty() {
            let mut vars = Json::obj();
            for v in &self.variables {
                let mut body = Json::obj();
                if let Some(d) = &v.description {
                    body = body.with("description", Json::Str(escape_template(d)));
                }
                body = body.with("type", Json::Str("string".into()));
                if let Some(d) = &v.default {
                    body = body.with("default", Json::Str(escape_template(d.as_str().unwrap_or_default())));
                }
                if v.sensitive {
                    body = body.with("sensitive", Json::Bool(true));
                }
                vars = vars.with(&v.name, body);
            }
            root = root.with("variable", vars);
        }
        let mut types: Vec<(String, Json)> = Vec::new();
        for r in &self.resources {
            let mut body = Json::obj();
            if let Some(keys) = &r.for_each {
                body = body.with("for_each", Json::Str(format!("${{{}}}", for_each_expr(keys))));
            }
            for (k, v) in &r.args {
                body = body.with(k, json_expr(v));
            }
            if r.prevent_destroy {
                body = body.with("lifecycle", Json::obj().with("prevent_destroy", Json::Bool(true)));
            }
            match types.iter_mut().find(|(t, _)| t == r.rtype.name()) {
                Some((_, names)) => *names = std::mem::replace(names, Json::Null).with(&r.name, body),
                None => types.push((r.rtype.name().to_string(), Json::obj().with(&r.name, body))),
            }
        }
        if !types.is_empty() {
            root = root.with("resource", Json::Obj(types));
        }
        if !self.outputs.is_empty() {
            let mut outputs = Json::obj();
            for o in &self.outputs {
                let mut body = Json::obj();
                if let Some(d) = &o.description {
                    body = body.with("description", Json::Str(escape_template(d)));
                }
                body = body.with("value", json_expr(&o.value));
                if o.sensitive {
                    body = body.with("sensitive", Json::Bool(true));
                }
                outputs = outputs.with(&o.name, body);
            }
            root = root.with("output", outputs);
        }
        Ok(root.pretty())
    }

    /// Writes `main.tf` into `dir` (created if needed) and returns its path. Refuses a folder
    /// that holds a `main.tf.json`: Terraform reads every `.tf` and `.tf.json` file of a folder
    /// and would find each resource twice.
    pub fn write_hcl(&self, dir: impl AsRef<Path>) -> Result<PathBuf> {
        write_beside(dir.as_ref(), "main.tf", "main.tf.json", &self.to_hcl()?)
    }

    /// Writes `main.tf.json` into `dir`; refuses a folder that holds a `main.tf`.
    pub fn write_json(&self, dir: impl AsRef<Path>) -> Result<PathBuf> {
        write_beside(dir.as_ref(), "main.tf.json", "main.tf", &self.to_json()?)
    }
}

fn json_expr(expr: &Expr) -> Json {
    if let Some(b) = bare(expr) {
        return Json::Str(format!("${{{b}}}"));
    }
    match expr {
        Expr::Num(x) => Json::Num(*x),
        Expr::Bool(b) => Json::Bool(*b),
        Expr::List(items) => Json::Arr(items.iter().map(json_expr).collect()),
        Expr::Map(entries) => Json::Obj(entries.iter().map(|(k, v)| (k.clone(), json_expr(v))).collect()),
        other => Json::Str(template_text(other).unwrap_or_default()),
    }
}

fn write_beside(dir: &Path, name: &str, other: &str, text: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    if dir.join(other).exists() {
        return Err(Error::invalid(
            format!("folder {}", dir.display()),
            format!(
                "it already holds {other}; Terraform would read both files and declare every resource twice, so write {name} into another folder"
            ),
        ));
    }
    let path = dir.join(name);
    let tmp = dir.join(format!("{name}.partial"));
    std::fs::write(&tmp, text).map_err(|e| Error::io("write", &tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io("write", &path, e))?;
    Ok(path)
}
