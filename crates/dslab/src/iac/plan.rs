//! `terraform plan` and `terraform apply`: refresh the state from the (simulated) cloud,
//! compare it with the code, decide an action per instance, and carry the actions out.

use std::collections::{BTreeMap, BTreeSet};

use super::config::{Config, Vars};
use super::eval::{self, Scope};
use super::graph::Graph;
use super::provider::SimulatedAzure;
use super::schema::{Fill, ResourceType};
use super::state::State;
use super::value::{Address, Value};
use crate::error::{Error, Result};
use crate::table::Table;

type Attributes = BTreeMap<String, Value>;

/// What a plan does to one instance, with Terraform's symbol for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Nothing to do.
    NoOp,
    /// `+` create.
    Create,
    /// `~` update in-place.
    Update,
    /// `-/+` destroy and then create replacement (an argument that forces a new resource changed).
    Replace,
    /// `-` destroy.
    Delete,
}

impl Action {
    /// Terraform's symbol, right-aligned in three characters as in its plan output.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => "   ",
            Action::Create => "  +",
            Action::Update => "  ~",
            Action::Replace => "-/+",
            Action::Delete => "  -",
        }
    }

    /// Terraform's words for it.
    pub fn describe(self) -> &'static str {
        match self {
            Action::NoOp => "no change",
            Action::Create => "create",
            Action::Update => "update in-place",
            Action::Replace => "destroy and then create replacement",
            Action::Delete => "destroy",
        }
    }
}

/// The planned change of one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The instance.
    pub address: Address,
    /// What happens to it.
    pub action: Action,
    /// Its attributes now (after refresh); `None` if it does not exist yet.
    pub before: Option<BTreeMap<String, Value>>,
    /// Its attributes afterwards, [`Value::Unknown`] where Azure decides; `None` if destroyed.
    pub after: Option<BTreeMap<String, Value>>,
    /// The changed arguments that force the replacement.
    pub replace_because: Vec<String>,
}

impl Change {
    /// The attributes whose value changes.
    pub fn changed(&self) -> Vec<String> {
        let (Some(before), Some(after)) = (&self.before, &self.after) else { return Vec::new() };
        let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        names
            .into_iter()
            .filter(|n| before.get(*n).unwrap_or(&Value::Null) != after.get(*n).unwrap_or(&Value::Null))
            .cloned()
            .collect()
    }
}

/// A difference between the state and what the cloud reports: a change made outside Terraform.
#[derive(Clone, Debug, PartialEq)]
pub struct Drift {
    /// The instance.
    pub address: Address,
    /// What the state recorded.
    pub before: BTreeMap<String, Value>,
    /// What the cloud reports now; `None` if the resource is gone.
    pub after: Option<BTreeMap<String, Value>>,
}

/// A planned change of an output value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OutputChange {
    pub name: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub sensitive: bool,
}

/// An execution plan: the actions that make the cloud match the code, decided against a
/// refreshed state. Print it (`{plan}`) for Terraform's own text.
#[derive(Clone, Debug)]
pub struct Plan {
    pub(crate) config: Config,
    pub(crate) vars: Vars,
    pub(crate) changes: Vec<Change>,
    pub(crate) drift: Vec<Drift>,
    pub(crate) outputs: Vec<OutputChange>,
    pub(crate) refreshed: State,
    pub(crate) lineage: String,
    pub(crate) serial: u64,
}

pub(crate) struct PlanScope<'a> {
    pub config: &'a Config,
    pub vars: &'a Vars,
    pub values: &'a BTreeMap<Address, Attributes>,
}

impl Scope for PlanScope<'_> {
    fn attribute(&self, target: &Address, attribute: &str) -> Value {
        self.values.get(target).and_then(|m| m.get(attribute)).cloned().unwrap_or(Value::Unknown)
    }
    fn variable(&self, name: &str) -> Value {
        eval::variable(self.config, Some(self.vars), name).unwrap_or(Value::Unknown)
    }
}

/// Whether changing `name` from `before` to `after` forces a new resource.
fn forces_new(rtype: ResourceType, name: &str, before: &Value, after: &Value) -> bool {
    if rtype.arg(name).is_some_and(|s| s.force_new) {
        return true;
    }
    // azurerm_mssql_database: "Changing this from the HyperScale service tier to another
    // service tier will create a new resource."
    let hyperscale = |v: &Value| v.as_str().is_some_and(|s| s.starts_with("HS_"));
    rtype == ResourceType::MssqlDatabase
        && name == "sku_name"
        && hyperscale(before)
        && !after.has_unknown()
        && !hyperscale(after)
}

/// The state after reading every recorded resource back from the cloud, and the drift found.
fn refresh(state: &State, cloud: &SimulatedAzure) -> (State, Vec<Drift>) {
    let mut refreshed = state.clone();
    let mut drift = Vec::new();
    for (address, instance) in &state.resources {
        let id = instance.attributes.get("id").and_then(Value::as_str).unwrap_or_default();
        match cloud.read(id) {
            None => {
                refreshed.resources.remove(address);
                drift.push(Drift { address: address.clone(), before: instance.attributes.clone(), after: None });
            }
            Some((_, mut now)) => {
                for (k, v) in &instance.attributes {
                    now.entry(k.clone()).or_insert_with(|| v.clone());
                }
                if now != instance.attributes {
                    drift.push(Drift {
                        address: address.clone(),
                        before: instance.attributes.clone(),
                        after: Some(now.clone()),
                    });
                    refreshed.resources.get_mut(address).expect("cloned from state").attributes = now;
                }
            }
        }
    }
    (refreshed, drift)
}

impl Plan {
    /// `terraform plan`: checks the code with the variable values, refreshes `state` from
    /// `cloud`, and decides what to create, update, replace and destroy.
    pub fn new(config: &Config, vars: &Vars, state: &State, cloud: &SimulatedAzure) -> Result<Plan> {
        config.check()?;
        let graph = Graph::build(config)?;
        eval::check_values(config, &graph, Some(vars))?;
        let (refreshed, drift) = refresh(state, cloud);
        let mut values: BTreeMap<Address, Attributes> = BTreeMap::new();
        let mut changes = Vec::new();
        for address in graph.order() {
            let resource = config.find(address).expect("graph nodes come from the configuration");
            let given = eval::arguments(resource, address, &PlanScope { config, vars, values: &values })?;
            eval::validate(address, &given)?;
            let prior = refreshed.resources.get(address).map(|i| &i.attributes);
            let change = decide(address, &given, prior)?;
            if resource.prevent_destroy && change.action == Action::Replace {
                return Err(Error::invalid(
                    format!("plan for `{address}`"),
                    format!(
                        "instance cannot be destroyed: it has lifecycle.prevent_destroy set, but the plan calls for replacing it (because {} changed); remove prevent_destroy or undo the change",
                        change.replace_because.join(", ")
                    ),
                ));
            }
            values.insert(address.clone(), change.after.clone().expect("kept instances have planned values"));
            changes.push(change);
        }
        let wanted: BTreeSet<Address> = graph.order().iter().cloned().collect();
        for (address, instance) in &refreshed.resources {
            if !wanted.contains(address) {
                changes.push(Change {
                    address: address.clone(),
                    action: Action::Delete,
                    before: Some(instance.attributes.clone()),
                    after: None,
                    replace_because: Vec::new(),
                });
            }
        }
        changes.sort_by(|a, b| a.address.cmp(&b.address));
        let scope = PlanScope { config, vars, values: &values };
        let mut outputs = Vec::new();
        for o in &config.outputs {
            let after = eval::eval(&o.value, &scope, None, &format!("output `{}`", o.name))?;
            let before = state.output(&o.name).cloned();
            if before.as_ref() != Some(&after) {
                outputs.push(OutputChange { name: o.name.clone(), before, after: Some(after), sensitive: o.sensitive });
            }
        }
        for (name, (value, sensitive)) in &state.outputs {
            if !config.outputs.iter().any(|o| &o.name == name) {
                outputs.push(OutputChange {
                    name: name.clone(),
                    before: Some(value.clone()),
                    after: None,
                    sensitive: *sensitive,
                });
            }
        }
        outputs.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Plan {
            config: config.clone(),
            vars: vars.clone(),
            changes,
            drift,
            outputs,
            refreshed,
            lineage: state.lineage.clone(),
            serial: state.serial,
        })
    }

    /// `terraform destroy`: a plan that deletes everything the state records.
    pub fn destroy(state: &State, cloud: &SimulatedAzure) -> Result<Plan> {
        Plan::new(&Config::new(), &Vars::new(), state, cloud)
    }

    /// Every instance's change, sorted by address (no-ops included).
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The changes made outside Terraform that the refresh found.
    pub fn drift(&self) -> &[Drift] {
        &self.drift
    }

    /// The planned action for `address`, if the plan covers it.
    pub fn action(&self, address: &Address) -> Option<Action> {
        self.changes.iter().find(|c| &c.address == address).map(|c| c.action)
    }

    /// The action for the instance written as text (`azurerm_mssql_database.example["dev"]`).
    pub fn action_of(&self, address: &str) -> Result<Action> {
        let parsed = Address::parse(address)?;
        self.action(&parsed).ok_or_else(|| Error::invalid(format!("address `{address}`"), "the plan does not cover it"))
    }

    /// Terraform's summary counts: (to add, to change, to destroy); a replacement counts as
    /// one added and one destroyed.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |a: Action| self.changes.iter().filter(|c| c.action == a).count();
        (n(Action::Create) + n(Action::Replace), n(Action::Update), n(Action::Delete) + n(Action::Replace))
    }

    /// Whether applying would change nothing at all (resources and outputs).
    pub fn is_empty(&self) -> bool {
        self.counts() == (0, 0, 0) && self.outputs.is_empty()
    }

    /// `Plan: A to add, C to change, D to destroy.`
    pub fn summary(&self) -> String {
        let (a, c, d) = self.counts();
        format!("Plan: {a} to add, {c} to change, {d} to destroy.")
    }

    /// The plan as a table: instance, symbol, action, and why.
    pub fn table(&self) -> Result<Table> {
        let mut table = Table::new(["instance", "symbol", "action", "why"]).max_rows(0);
        for c in self.changes.iter().filter(|c| c.action != Action::NoOp) {
            let why = match c.action {
                Action::Create => "not in the state".to_string(),
                Action::Delete => "no longer in the code".to_string(),
                Action::Replace => format!("{} forces replacement", c.replace_because.join(", ")),
                _ => format!("{} changes in place", c.changed().join(", ")),
            };
            table.push_row([
                c.address.to_string(),
                c.action.symbol().trim().to_string(),
                c.action.describe().to_string(),
                why,
            ])?;
        }
        Ok(table)
    }
}

/// The change of one instance given its arguments and what exists.
fn decide(address: &Address, given: &Attributes, prior: Option<&Attributes>) -> Result<Change> {
    let rtype = address.rtype;
    let mut after = Attributes::new();
    for spec in rtype.args() {
        let value = match (given.get(spec.name), spec.fill) {
            (Some(v), _) => v.clone(),
            (None, Fill::Computed) => prior.and_then(|p| p.get(spec.name)).cloned().unwrap_or(Value::Unknown),
            (None, fill) => fill.value().unwrap_or(Value::Null),
        };
        after.insert(spec.name.to_string(), value);
    }
    if let Some(Value::Str(location)) = after.get("location") {
        let normal = super::names::normalize_location(location);
        after.insert("location".into(), Value::Str(normal));
    }
    for name in rtype.computed() {
        after.insert(name.to_string(), prior.and_then(|p| p.get(*name)).cloned().unwrap_or(Value::Unknown));
    }
    let Some(prior) = prior else {
        return Ok(Change {
            address: address.clone(),
            action: Action::Create,
            before: None,
            after: Some(after),
            replace_because: Vec::new(),
        });
    };
    let null = Value::Null;
    let changed: Vec<String> = rtype
        .args()
        .iter()
        .map(|s| s.name)
        .filter(|n| prior.get(*n).unwrap_or(&null) != &after[*n])
        .map(str::to_string)
        .collect();
    let forcing: Vec<String> = changed
        .iter()
        .filter(|n| forces_new(rtype, n, prior.get(*n).unwrap_or(&null), &after[n.as_str()]))
        .cloned()
        .collect();
    let action = if !forcing.is_empty() {
        for name in rtype.computed() {
            after.insert(name.to_string(), Value::Unknown);
        }
        for spec in rtype.args().iter().filter(|s| s.fill == Fill::Computed && !given.contains_key(s.name)) {
            after.insert(spec.name.to_string(), Value::Unknown);
        }
        Action::Replace
    } else if !changed.is_empty() {
        Action::Update
    } else {
        Action::NoOp
    };
    Ok(Change {
        address: address.clone(),
        action,
        before: Some(prior.clone()),
        after: Some(after),
        replace_because: forcing,
    })
}
