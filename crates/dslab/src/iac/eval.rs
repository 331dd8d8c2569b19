//! Evaluating expressions against what is known, and checking the values an instance gets.

use std::collections::BTreeMap;

use super::config::{Config, Resource, Vars};
use super::graph::Graph;
use super::schema::Fill;
use super::value::{Address, Expr, Value, number};
use crate::error::{Error, Result};

/// Where references and variables get their values.
pub(crate) trait Scope {
    /// The attribute `attribute` of the instance `target`.
    fn attribute(&self, target: &Address, attribute: &str) -> Value;
    /// The input variable `name`.
    fn variable(&self, name: &str) -> Value;
}

/// Evaluates `expr` inside the instance with `for_each` key `key`.
pub(crate) fn eval(expr: &Expr, scope: &dyn Scope, key: Option<&str>, what: &str) -> Result<Value> {
    Ok(match expr {
        Expr::Str(s) => Value::Str(s.clone()),
        Expr::Num(x) => {
            if !x.is_finite() {
                return Err(Error::invalid(what, format!("{x} is not a finite number")));
            }
            Value::Num(*x)
        }
        Expr::Bool(b) => Value::Bool(*b),
        Expr::List(items) => Value::List(items.iter().map(|e| eval(e, scope, key, what)).collect::<Result<_>>()?),
        Expr::Map(entries) => {
            let mut map = BTreeMap::new();
            for (k, e) in entries {
                if map.insert(k.clone(), eval(e, scope, key, what)?).is_some() {
                    return Err(Error::invalid(what, format!("the key \"{k}\" appears twice")));
                }
            }
            Value::Map(map)
        }
        Expr::Ref(r) => scope.attribute(&r.target, &r.attribute),
        Expr::Var(name) => scope.variable(name),
        Expr::EachKey => match key {
            Some(k) => Value::Str(k.to_string()),
            None => return Err(Error::invalid(what, "`each.key` outside a for_each resource")),
        },
        Expr::Template(parts) => {
            let mut out = String::new();
            for part in parts {
                match eval(part, scope, key, what)? {
                    Value::Unknown => return Ok(Value::Unknown),
                    Value::Str(s) => out += &s,
                    Value::Num(x) => out += &number(x),
                    Value::Bool(b) => out += if b { "true" } else { "false" },
                    other => {
                        return Err(Error::invalid(
                            what,
                            format!("{} cannot be part of a string template", other.kind()),
                        ));
                    }
                }
            }
            Value::Str(out)
        }
    })
}

/// Whether `expr` carries a sensitive value: a sensitive variable or a sensitive argument.
pub(crate) fn is_sensitive(config: &Config, expr: &Expr) -> bool {
    let from_var = expr.variables().iter().any(|name| config.variables.iter().any(|v| v.name == *name && v.sensitive));
    let from_ref =
        expr.references().iter().any(|r| r.target.rtype.arg(&r.attribute).is_some_and(|spec| spec.sensitive));
    from_var || from_ref
}

/// The value of variable `name`: the given one, the default, or (without `vars`) unknown.
pub(crate) fn variable(config: &Config, vars: Option<&Vars>, name: &str) -> Result<Value> {
    let declared = config.variables.iter().find(|v| v.name == name);
    if let Some(value) = vars.and_then(|v| v.0.get(name)) {
        return Ok(value.clone());
    }
    match (declared.and_then(|v| v.default.clone()), vars) {
        (Some(default), _) => Ok(default),
        (None, None) => Ok(Value::Unknown),
        (None, Some(_)) => Err(Error::invalid(
            format!("variable `{name}`"),
            "no value given and no default: pass one with Vars::set (terraform plan -var)",
        )),
    }
}

/// Evaluates the arguments the code sets on one instance.
pub(crate) fn arguments(resource: &Resource, address: &Address, scope: &dyn Scope) -> Result<BTreeMap<String, Value>> {
    let mut values = BTreeMap::new();
    for (name, expr) in &resource.args {
        let what = format!("`{address}` argument `{name}`");
        values.insert(name.clone(), eval(expr, scope, address.key.as_deref(), &what)?);
    }
    Ok(values)
}

/// Checks the known values of one instance against the provider's types and rules.
pub(crate) fn validate(address: &Address, values: &BTreeMap<String, Value>) -> Result<()> {
    for (name, value) in values {
        let Some(spec) = address.rtype.arg(name) else { continue };
        let what = || format!("`{address}` argument `{name}`");
        if !spec.kind.accepts(value) {
            return Err(Error::invalid(
                what(),
                format!("{value} is {}, but it must be {}", value.kind(), spec.kind.describe()),
            ));
        }
        if let (Some(check), false) = (spec.check, matches!(value, Value::Unknown)) {
            check(value).map_err(|message| Error::invalid(what(), message))?;
        }
    }
    Ok(())
}

/// Values known before anything exists: literals, defaults, variables and other resources'
/// arguments; attributes only Azure sets are unknown.
struct StaticScope<'a> {
    config: &'a Config,
    vars: Option<&'a Vars>,
    values: BTreeMap<Address, BTreeMap<String, Value>>,
}

impl Scope for StaticScope<'_> {
    fn attribute(&self, target: &Address, attribute: &str) -> Value {
        if let Some(v) = self.values.get(target).and_then(|m| m.get(attribute)) {
            return v.clone();
        }
        match target.rtype.arg(attribute).map(|s| s.fill) {
            Some(Fill::Null) => Value::Null,
            Some(fill) => fill.value().unwrap_or(Value::Unknown),
            None => Value::Unknown,
        }
    }
    fn variable(&self, name: &str) -> Value {
        variable(self.config, self.vars, name).unwrap_or(Value::Unknown)
    }
}

/// Evaluates and checks every instance in dependency order; with `vars`, every variable must
/// have a value. Returns each instance's argument values (unknown where only Azure can tell).
pub(crate) fn check_values(
    config: &Config,
    graph: &Graph,
    vars: Option<&Vars>,
) -> Result<BTreeMap<Address, BTreeMap<String, Value>>> {
    if let Some(vars) = vars {
        for v in &config.variables {
            variable(config, Some(vars), &v.name)?;
        }
        if let Some(name) = vars.0.keys().find(|n| !config.variables.iter().any(|v| &v.name == *n)) {
            return Err(Error::invalid(
                format!("variable `{name}`"),
                "a value was given but the configuration declares no such variable",
            ));
        }
    }
    let mut scope = StaticScope { config, vars, values: BTreeMap::new() };
    let mut identities: BTreeMap<String, Address> = BTreeMap::new();
    for address in graph.order() {
        let resource = config.find(address).expect("graph nodes come from the configuration");
        let values = arguments(resource, address, &scope)?;
        validate(address, &values)?;
        if let Some(identity) = azure_identity(resource, address, &values)
            && let Some(other) = identities.insert(identity, address.clone())
        {
            return Err(Error::invalid(
                format!("`{address}`"),
                format!(
                    "it would be the same Azure object as `{other}` (same name in the same place): make the name differ, for example with each.key"
                ),
            ));
        }
        scope.values.insert(address.clone(), values);
    }
    Ok(scope.values)
}

/// What identifies the instance in Azure, when it is known before apply: its type, its parent
/// and its name (SQL server names are global, resource group names per subscription).
fn azure_identity(resource: &Resource, address: &Address, values: &BTreeMap<String, Value>) -> Option<String> {
    let parent = match resource.get("server_id") {
        Some(Expr::Ref(r)) => r.to_string(),
        Some(_) => values.get("server_id")?.as_str()?.to_string(),
        None => String::new(),
    };
    let name = match values.get("name") {
        Some(Value::Str(s)) => s.to_lowercase(),
        Some(_) => return None,
        None => "default".to_string(),
    };
    Some(format!("{}|{parent}|{name}", address.rtype))
}
