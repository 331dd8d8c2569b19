//! A plan printed as `terraform plan` prints it: the symbols legend, one block per changed
//! instance with its attributes aligned, `# forces replacement`, hidden unchanged attributes,
//! the summary line, output changes, and the note about changes made outside Terraform.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use super::plan::{Action, Change, Plan};
use super::value::{Address, Value, quote};

type Attributes = BTreeMap<String, Value>;

fn is_sensitive(address: &Address, name: &str) -> bool {
    address.rtype.arg(name).is_some_and(|s| s.sensitive)
}

fn shown(address: &Address, name: &str, value: &Value) -> String {
    if is_sensitive(address, name) && !matches!(value, Value::Null | Value::Unknown) {
        "(sensitive value)".to_string()
    } else {
        value.to_string()
    }
}

/// A map value over several lines, each entry with `symbol` (for creations and deletions).
fn map_lines(map: &BTreeMap<String, Value>, symbol: char, indent: &str, suffix: &str) -> String {
    let width = map.keys().map(|k| quote(k).chars().count()).max().unwrap_or(0);
    let mut out = "{\n".to_string();
    for (k, v) in map {
        let _ = writeln!(out, "{indent}    {symbol} {:<width$} = {v}", quote(k));
    }
    out + indent + "  }" + suffix
}

/// A map that changes: entries added, removed, changed; unchanged ones counted.
fn map_diff(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>, indent: &str) -> String {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let width = keys.iter().map(|k| quote(k).chars().count()).max().unwrap_or(0);
    let mut out = "{\n".to_string();
    let mut same = 0;
    for k in keys {
        let key = quote(k);
        match (before.get(k), after.get(k)) {
            (Some(b), Some(a)) if a == b => same += 1,
            (Some(b), Some(a)) => {
                let _ = writeln!(out, "{indent}    ~ {key:<width$} = {b} -> {a}");
            }
            (None, Some(a)) => {
                let _ = writeln!(out, "{indent}    + {key:<width$} = {a}");
            }
            (Some(b), None) => {
                let _ = writeln!(out, "{indent}    - {key:<width$} = {b} -> null");
            }
            (None, None) => {}
        }
    }
    if same > 0 {
        let _ = writeln!(out, "{indent}      # ({same} unchanged element{} hidden)", if same == 1 { "" } else { "s" });
    }
    out + indent + "  }"
}

/// The lines of one resource block (without the `# comment` header).
fn block(
    address: &Address,
    action: Action,
    before: Option<&Attributes>,
    after: Option<&Attributes>,
    forcing: &[String],
) -> String {
    let null = Value::Null;
    let names: BTreeSet<&String> =
        before.into_iter().flat_map(|m| m.keys()).chain(after.into_iter().flat_map(|m| m.keys())).collect();
    // (symbol, name, rendered value) per shown attribute; unchanged ones are counted.
    let mut lines: Vec<(char, &str, String)> = Vec::new();
    let mut hidden = 0;
    let indent = "    ";
    for name in names {
        let b = before.and_then(|m| m.get(name)).unwrap_or(&null);
        let a = after.and_then(|m| m.get(name)).unwrap_or(&null);
        let value = |v: &Value, symbol: char, suffix: &str| match v {
            Value::Map(m) if !is_sensitive(address, name) => map_lines(m, symbol, indent, suffix),
            _ => format!("{}{suffix}", shown(address, name, v)),
        };
        match action {
            Action::Create if *a != Value::Null => lines.push(('+', name, value(a, '+', ""))),
            Action::Delete if *b != Value::Null => lines.push(('-', name, value(b, '-', " -> null"))),
            Action::Create | Action::Delete => {}
            _ if a == b => {
                if matches!(name.as_str(), "id" | "name") && *a != Value::Null {
                    lines.push((' ', name, shown(address, name, a)));
                } else if *a != Value::Null {
                    hidden += 1;
                }
            }
            _ => {
                let mark = if forcing.contains(name) { " # forces replacement" } else { "" };
                let text = match (b, a) {
                    (Value::Null, _) => ('+', value(a, '+', mark)),
                    (_, Value::Null) => ('-', value(b, '-', &format!(" -> null{mark}"))),
                    (Value::Map(mb), Value::Map(ma)) if !is_sensitive(address, name) => {
                        ('~', map_diff(mb, ma, indent) + mark)
                    }
                    _ if is_sensitive(address, name) => ('~', format!("(sensitive value){mark}")),
                    _ => ('~', format!("{} -> {}{mark}", shown(address, name, b), shown(address, name, a))),
                };
                lines.push((text.0, name, text.1));
            }
        }
    }
    let width = lines.iter().map(|(_, n, _)| n.chars().count()).max().unwrap_or(0);
    let mut out = format!("{} resource {} {} {{\n", action.symbol(), quote(address.rtype.name()), quote(&address.name));
    for (symbol, name, text) in lines {
        let _ = writeln!(out, "{indent}  {symbol} {name:<width$} = {text}");
    }
    if hidden > 0 {
        let _ =
            writeln!(out, "{indent}    # ({hidden} unchanged attribute{} hidden)", if hidden == 1 { "" } else { "s" });
    }
    out + indent + "}\n"
}

fn header(change: &Change) -> String {
    let a = &change.address;
    match change.action {
        Action::Create => format!("  # {a} will be created\n"),
        Action::Update => format!("  # {a} will be updated in-place\n"),
        Action::Replace => format!("  # {a} must be replaced\n"),
        Action::Delete => format!("  # {a} will be destroyed\n  # (because {} is not in configuration)\n", a.block()),
        Action::NoOp => String::new(),
    }
}

impl Plan {
    fn drift_text(&self) -> String {
        let mut out = String::from(
            "\nNote: Objects have changed outside of Terraform\n\nTerraform detected the following changes made outside of Terraform since the\nlast \"terraform apply\" which may have affected this plan:\n",
        );
        for d in &self.drift {
            match &d.after {
                Some(now) => {
                    let _ = write!(
                        out,
                        "\n  # {} has changed\n{}",
                        d.address,
                        block(&d.address, Action::Update, Some(&d.before), Some(now), &[])
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        "\n  # {} has been deleted\n{}",
                        d.address,
                        block(&d.address, Action::Delete, Some(&d.before), None, &[])
                    );
                }
            }
        }
        out + "\n\nUnless you have made equivalent changes to your configuration, or ignored the\nrelevant attributes using ignore_changes, the following plan may include\nactions to undo or respond to these changes.\n\n─────────────────────────────────────────────────────────────────────────────\n"
    }
}

impl fmt::Display for Plan {
    /// The plan as `terraform plan` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.drift.is_empty() {
            f.write_str(&self.drift_text())?;
        }
        let active: Vec<&Change> = self.changes.iter().filter(|c| c.action != Action::NoOp).collect();
        if active.is_empty() && self.outputs.is_empty() {
            return f.write_str(
                "\nNo changes. Your infrastructure matches the configuration.\n\nTerraform has compared your real infrastructure against your configuration\nand found no differences, so no changes are needed.\n",
            );
        }
        if !active.is_empty() {
            f.write_str("\nTerraform used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:\n")?;
            for action in [Action::Create, Action::Update, Action::Replace, Action::Delete] {
                if active.iter().any(|c| c.action == action) {
                    writeln!(f, "{} {}", action.symbol(), action.describe())?;
                }
            }
            f.write_str("\nTerraform will perform the following actions:\n")?;
            for c in &active {
                write!(
                    f,
                    "\n{}{}",
                    header(c),
                    block(&c.address, c.action, c.before.as_ref(), c.after.as_ref(), &c.replace_because)
                )?;
            }
            writeln!(f, "\n{}", self.summary())?;
        }
        if !self.outputs.is_empty() {
            f.write_str("\nChanges to Outputs:\n")?;
            let width = self.outputs.iter().map(|o| o.name.chars().count()).max().unwrap_or(0);
            for o in &self.outputs {
                let show = |v: &Value| if o.sensitive { "(sensitive value)".to_string() } else { v.to_string() };
                let (symbol, text) = match (&o.before, &o.after) {
                    (None, Some(a)) => ('+', show(a)),
                    (Some(b), None) => ('-', format!("{} -> null", show(b))),
                    (Some(b), Some(a)) => ('~', format!("{} -> {}", show(b), show(a))),
                    (None, None) => continue,
                };
                writeln!(f, "  {symbol} {:<width$} = {text}", o.name)?;
            }
        }
        Ok(())
    }
}
