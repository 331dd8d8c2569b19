//! The code: resources, input variables and outputs, and the checks Terraform and Azure would
//! make before creating anything.

use std::collections::{BTreeMap, BTreeSet};

use super::MAX_INSTANCES;
use super::eval;
use super::graph::Graph;
use super::schema::ResourceType;
use super::value::{Address, Expr, Value, check_identifier};
use crate::error::{Error, Result};

/// One `resource "TYPE" "NAME" { ... }` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub(crate) rtype: ResourceType,
    pub(crate) name: String,
    pub(crate) for_each: Option<Vec<String>>,
    pub(crate) args: Vec<(String, Expr)>,
    pub(crate) prevent_destroy: bool,
}

impl Resource {
    /// A resource of type `rtype` with the local name `name` (the name inside the code, used in
    /// references; the name in Azure is its `name` argument).
    pub fn new(rtype: ResourceType, name: &str) -> Self {
        Resource { rtype, name: name.to_string(), for_each: None, args: Vec::new(), prevent_destroy: false }
    }

    /// Sets an argument; setting the same one twice replaces it.
    pub fn arg(mut self, name: &str, value: impl Into<Expr>) -> Self {
        let value = value.into();
        match self.args.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.args.push((name.to_string(), value)),
        }
        self
    }

    /// Removes an argument (it falls back to the provider's default).
    pub fn without(mut self, name: &str) -> Self {
        self.args.retain(|(n, _)| n != name);
        self
    }

    /// One instance per key, like Terraform's `for_each = toset([...])`; `each.key` inside the
    /// arguments is the instance's key.
    pub fn for_each<S: AsRef<str>>(mut self, keys: &[S]) -> Self {
        self.for_each = Some(keys.iter().map(|k| k.as_ref().to_string()).collect());
        self
    }

    /// `lifecycle { prevent_destroy = true }`: any plan that would destroy this resource
    /// (including a replacement) is refused.
    pub fn prevent_destroy(mut self) -> Self {
        self.prevent_destroy = true;
        self
    }

    /// The resource type.
    pub fn rtype(&self) -> ResourceType {
        self.rtype
    }

    /// The local name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The arguments in the order they were set.
    pub fn args(&self) -> &[(String, Expr)] {
        &self.args
    }

    /// The argument `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Expr> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, e)| e)
    }

    /// The `for_each` keys, if any.
    pub fn keys(&self) -> Option<&[String]> {
        self.for_each.as_deref()
    }

    /// The address of the block (without a key).
    pub fn address(&self) -> Address {
        Address::new(self.rtype, &self.name)
    }

    /// The addresses of its instances: one, or one per `for_each` key in sorted order.
    pub fn instances(&self) -> Vec<Address> {
        match &self.for_each {
            None => vec![self.address()],
            Some(keys) => {
                let sorted: BTreeSet<&String> = keys.iter().collect();
                sorted.into_iter().map(|k| Address::keyed(self.rtype, &self.name, k)).collect()
            }
        }
    }
}

/// A `variable "NAME" {}` block: a value given when the plan is made, not written in the code
/// (passwords belong here).
#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) sensitive: bool,
    pub(crate) default: Option<Value>,
}

impl Variable {
    /// A string variable without a default: a value must be given.
    pub fn new(name: &str) -> Self {
        Variable { name: name.to_string(), description: None, sensitive: false, default: None }
    }
    /// What the variable is for.
    pub fn description(mut self, text: &str) -> Self {
        self.description = Some(text.to_string());
        self
    }
    /// Hides the value in plans and outputs (`sensitive = true`).
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    /// The value used when none is given.
    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self
    }
    /// The variable's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// An `output "NAME" { value = ... }` block: a value printed after apply and kept in the state.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub(crate) name: String,
    pub(crate) value: Expr,
    pub(crate) description: Option<String>,
    pub(crate) sensitive: bool,
}

impl Output {
    /// An output named `name` with the value `value`.
    pub fn new(name: &str, value: Expr) -> Self {
        Output { name: name.to_string(), value, description: None, sensitive: false }
    }
    /// What the output is for.
    pub fn description(mut self, text: &str) -> Self {
        self.description = Some(text.to_string());
        self
    }
    /// Hides the value when printed (`sensitive = true`).
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    /// The output's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Values for the input variables, as `-var NAME=VALUE` gives them to `terraform plan`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vars(pub(crate) BTreeMap<String, Value>);

impl Vars {
    /// No values.
    pub fn new() -> Self {
        Vars::default()
    }
    /// Sets the variable `name`.
    pub fn set(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.0.insert(name.to_string(), value.into());
        self
    }
}

/// A whole configuration: the `.tf` files of one folder.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub(crate) variables: Vec<Variable>,
    pub(crate) resources: Vec<Resource>,
    pub(crate) outputs: Vec<Output>,
}

impl Config {
    /// An empty configuration (the `azurerm` provider block is always written).
    pub fn new() -> Self {
        Config::default()
    }

    /// Adds a variable.
    pub fn variable(mut self, variable: Variable) -> Self {
        self.variables.push(variable);
        self
    }

    /// Adds a resource.
    pub fn resource(mut self, resource: Resource) -> Self {
        self.resources.push(resource);
        self
    }

    /// Adds an output.
    pub fn output(mut self, output: Output) -> Self {
        self.outputs.push(output);
        self
    }

    /// The same configuration with the resource at `address` (`type.name`) changed by `edit`:
    /// a new version of the code, written as the edit a reviewer would read.
    pub fn edit(mut self, address: &str, edit: impl FnOnce(Resource) -> Resource) -> Result<Config> {
        let address = Address::parse(address)?;
        let at = self.resources.iter().position(|r| r.address() == address).ok_or_else(|| {
            Error::invalid(format!("resource `{address}`"), "the configuration declares no such resource".to_string())
        })?;
        let old = self.resources.remove(at);
        self.resources.insert(at, edit(old));
        Ok(self)
    }

    /// The same configuration without the resource at `address`.
    pub fn remove(mut self, address: &str) -> Result<Config> {
        let address = Address::parse(address)?;
        let before = self.resources.len();
        self.resources.retain(|r| r.address() != address);
        if self.resources.len() == before {
            return Err(Error::invalid(format!("resource `{address}`"), "the configuration declares no such resource"));
        }
        Ok(self)
    }

    /// The resources in the order they were added.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// The variables.
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// The outputs.
    pub fn outputs(&self) -> &[Output] {
        &self.outputs
    }

    /// The resource block at `address` (its key, if any, is ignored).
    pub fn find(&self, address: &Address) -> Option<&Resource> {
        self.resources.iter().find(|r| r.rtype == address.rtype && r.name == address.name)
    }

    /// Every instance address, sorted.
    pub fn instances(&self) -> Vec<Address> {
        let mut all: Vec<Address> = self.resources.iter().flat_map(Resource::instances).collect();
        all.sort();
        all
    }

    /// Checks the configuration as `terraform validate` and the provider's own validation
    /// would: names, required and unknown arguments, value types and ranges, references,
    /// cycles, and two instances that would be the same object in Azure.
    pub fn check(&self) -> Result<()> {
        self.check_structure()?;
        let graph = Graph::build(self)?;
        eval::check_values(self, &graph, None)?;
        Ok(())
    }

    fn check_structure(&self) -> Result<()> {
        let mut names = BTreeSet::new();
        for v in &self.variables {
            check_identifier("variable name", &v.name)?;
            if !names.insert(v.name.as_str()) {
                return Err(Error::invalid(format!("variable `{}`", v.name), "declared twice"));
            }
        }
        let mut addresses = BTreeSet::new();
        let mut count = 0usize;
        for r in &self.resources {
            check_identifier(&format!("{} resource name", r.rtype), &r.name)?;
            if !addresses.insert(r.address()) {
                return Err(Error::invalid(format!("resource `{}`", r.address()), "declared twice"));
            }
            if let Some(keys) = &r.for_each {
                if keys.is_empty() {
                    return Err(Error::invalid(
                        format!("`{}` for_each", r.address()),
                        "it has no keys, so it makes no resources",
                    ));
                }
                let unique: BTreeSet<&String> = keys.iter().collect();
                if unique.len() != keys.len() {
                    return Err(Error::invalid(
                        format!("`{}` for_each", r.address()),
                        format!("a key is repeated in {keys:?}"),
                    ));
                }
            }
            count += r.for_each.as_ref().map_or(1, Vec::len);
            if count > MAX_INSTANCES {
                return Err(Error::invalid("configuration", format!("more than {MAX_INSTANCES} resource instances")));
            }
            self.check_arguments(r)?;
        }
        let mut outputs = BTreeSet::new();
        for o in &self.outputs {
            check_identifier("output name", &o.name)?;
            if !outputs.insert(o.name.as_str()) {
                return Err(Error::invalid(format!("output `{}`", o.name), "declared twice"));
            }
            self.check_expr(&format!("output `{}`", o.name), &o.value, false)?;
            if !o.sensitive && eval::is_sensitive(self, &o.value) {
                return Err(Error::invalid(
                    format!("output `{}`", o.name),
                    "its value is sensitive; Terraform refuses to print it unless the output is marked sensitive",
                ));
            }
        }
        Ok(())
    }

    fn check_arguments(&self, r: &Resource) -> Result<()> {
        let address = r.address();
        for (name, expr) in &r.args {
            let spec = r.rtype.arg(name).ok_or_else(|| {
                let known: Vec<&str> = r.rtype.args().iter().map(|a| a.name).collect();
                let hint = if r.rtype.computed().contains(&name.as_str()) {
                    "it is set by Azure and can only be read".to_string()
                } else {
                    format!("{} accepts {}", r.rtype, known.join(", "))
                };
                Error::invalid(format!("`{address}` argument `{name}`"), format!("no such argument: {hint}"))
            })?;
            let what = format!("`{address}` argument `{name}`");
            self.check_expr(&what, expr, r.for_each.is_some())?;
            if let (Some((rtype, attribute)), Expr::Ref(reference)) = (spec.refers_to, expr)
                && (reference.target.rtype != rtype || reference.attribute != attribute)
            {
                return Err(Error::invalid(
                    what,
                    format!("it must refer to {rtype}.NAME.{attribute}, not {reference}"),
                ));
            }
        }
        for spec in r.rtype.args().iter().filter(|a| a.required) {
            if r.get(spec.name).is_none() {
                return Err(Error::invalid(
                    format!("`{address}`"),
                    format!("the required argument `{}` is missing ({})", spec.name, spec.kind.describe()),
                ));
            }
        }
        Ok(())
    }

    fn check_expr(&self, what: &str, expr: &Expr, in_for_each: bool) -> Result<()> {
        if expr.uses_each() && !in_for_each {
            return Err(Error::invalid(what, "`each.key` is only defined in a resource with for_each"));
        }
        for name in expr.variables() {
            if !self.variables.iter().any(|v| v.name == name) {
                return Err(Error::invalid(what, format!("`var.{name}` refers to an undeclared variable")));
            }
        }
        for reference in expr.references() {
            let target = self.find(&reference.target).ok_or_else(|| {
                Error::invalid(
                    what,
                    format!(
                        "`{reference}` refers to a resource that is not declared: add {} first",
                        reference.target.block()
                    ),
                )
            })?;
            match (&target.for_each, &reference.target.key) {
                (None, Some(_)) => {
                    return Err(Error::invalid(
                        what,
                        format!("`{reference}`: {} has no for_each, so no keys", target.address()),
                    ));
                }
                (Some(keys), None) => {
                    return Err(Error::invalid(
                        what,
                        format!(
                            "`{reference}`: {} has one instance per key; pick one, such as {}",
                            target.address(),
                            Address::keyed(target.rtype, &target.name, &keys[0])
                        ),
                    ));
                }
                (Some(keys), Some(key)) if !keys.contains(key) => {
                    return Err(Error::invalid(
                        what,
                        format!("`{reference}`: the key \"{key}\" is not among {keys:?}"),
                    ));
                }
                _ => {}
            }
            if !target.rtype.has_attribute(&reference.attribute) {
                return Err(Error::invalid(
                    what,
                    format!(
                        "`{reference}`: {} has no attribute `{}` (it has {})",
                        target.rtype,
                        reference.attribute,
                        target.rtype.attribute_names().join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}
