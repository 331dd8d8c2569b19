//! `terraform apply`: carries a plan out against the (simulated) cloud and records each result.

use std::collections::BTreeMap;

use super::eval;
use super::graph::Graph;
use super::plan::{Action, Plan, PlanScope};
use super::provider::SimulatedAzure;
use super::state::{InstanceState, State};
use super::value::{Address, Value};
use crate::error::{Error, Result};

type Attributes = BTreeMap<String, Value>;

/// What an apply did, line by line as Terraform prints it.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyReport {
    /// Resources created (replacements included).
    pub added: usize,
    /// Resources updated in place.
    pub changed: usize,
    /// Resources destroyed (replacements included).
    pub destroyed: usize,
    /// The progress lines, in the order the operations ran.
    pub log: Vec<String>,
    /// The outputs afterwards, as `name = value` lines.
    pub outputs: Vec<String>,
}

impl std::fmt::Display for ApplyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for line in &self.log {
            writeln!(f, "{line}")?;
        }
        if !self.log.is_empty() {
            writeln!(f)?;
        }
        writeln!(
            f,
            "Apply complete! Resources: {} added, {} changed, {} destroyed.",
            self.added, self.changed, self.destroyed
        )?;
        if !self.outputs.is_empty() {
            writeln!(f, "\nOutputs:\n")?;
            for line in &self.outputs {
                writeln!(f, "{line}")?;
            }
        }
        Ok(())
    }
}

impl Plan {
    /// `terraform apply` of this plan: destroys first (dependents before what they depend
    /// on), then creates and updates in dependency order, and records each result in `state`.
    /// Refuses a plan made against another version of the state. If a step fails, the state
    /// keeps every step done before it.
    pub fn apply(&self, state: &mut State, cloud: &mut SimulatedAzure) -> Result<ApplyReport> {
        if state.lineage != self.lineage || state.serial != self.serial {
            return Err(Error::invalid(
                "plan",
                format!(
                    "it was made against state serial {} but the state is now at serial {} (or another lineage): make a new plan",
                    self.serial, state.serial
                ),
            ));
        }
        let mut next = self.refreshed.clone();
        let mut report = ApplyReport { added: 0, changed: 0, destroyed: 0, log: Vec::new(), outputs: Vec::new() };
        let result = self.run(&mut next, cloud, &mut report);
        let touched =
            report.added + report.changed + report.destroyed > 0 || !self.outputs.is_empty() || !self.drift.is_empty();
        if touched || result.is_err() {
            next.serial = state.serial + 1;
            next.lineage = state.lineage.clone();
            *state = next;
        }
        result.map(|_| report)
    }

    fn run(&self, next: &mut State, cloud: &mut SimulatedAzure, report: &mut ApplyReport) -> Result<()> {
        let graph = Graph::build(&self.config)?;
        let mut doomed: Vec<Address> = self
            .changes
            .iter()
            .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
            .map(|c| c.address.clone())
            .collect();
        // Destroy an instance only once nothing left to destroy depends on it.
        while !doomed.is_empty() {
            let blocked = |a: &Address| {
                doomed
                    .iter()
                    .any(|o| o != a && next.resources.get(o).is_some_and(|i| i.dependencies.contains(&a.block())))
            };
            let at = doomed.iter().position(|a| !blocked(a)).unwrap_or(0);
            let address = doomed.remove(at);
            let id =
                next.resources[&address].attributes.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
            report.log.push(format!("{address}: Destroying... [id={id}]"));
            cloud.delete(&id).map_err(|e| stopped(&address, e))?;
            next.resources.remove(&address);
            report.log.push(format!("{address}: Destruction complete"));
            report.destroyed += 1;
        }
        for address in graph.order() {
            let change = self.changes.iter().find(|c| &c.address == address).expect("a change per instance");
            let resource = self.config.find(address).expect("graph nodes come from the configuration");
            let values: BTreeMap<Address, Attributes> =
                next.resources.iter().map(|(a, i)| (a.clone(), i.attributes.clone())).collect();
            let args = eval::arguments(
                resource,
                address,
                &PlanScope { config: &self.config, vars: &self.vars, values: &values },
            )?;
            let mut dependencies: Vec<Address> =
                resource.args.iter().flat_map(|(_, e)| e.references()).map(|r| r.target.block()).collect();
            dependencies.sort();
            dependencies.dedup();
            match change.action {
                Action::Create | Action::Replace => {
                    report.log.push(format!("{address}: Creating..."));
                    let attributes = cloud.create(address.rtype, &args).map_err(|e| stopped(address, e))?;
                    let id = attributes["id"].as_str().unwrap_or_default().to_string();
                    next.resources.insert(address.clone(), InstanceState { attributes, dependencies });
                    report.log.push(format!("{address}: Creation complete [id={id}]"));
                    report.added += 1;
                }
                Action::Update => {
                    let id = next.resources[address].attributes["id"].as_str().unwrap_or_default().to_string();
                    report.log.push(format!("{address}: Modifying... [id={id}]"));
                    let mut update = args.clone();
                    for name in change.changed() {
                        update.entry(name).or_insert(Value::Null);
                    }
                    let mut attributes = cloud.update(&id, &update).map_err(|e| stopped(address, e))?;
                    if let Some(p) = args.get("administrator_login_password") {
                        attributes.insert("administrator_login_password".into(), p.clone());
                    }
                    next.resources.insert(address.clone(), InstanceState { attributes, dependencies });
                    report.log.push(format!("{address}: Modifications complete [id={id}]"));
                    report.changed += 1;
                }
                Action::NoOp | Action::Delete => {}
            }
        }
        let values: BTreeMap<Address, Attributes> =
            next.resources.iter().map(|(a, i)| (a.clone(), i.attributes.clone())).collect();
        let scope = PlanScope { config: &self.config, vars: &self.vars, values: &values };
        next.outputs.clear();
        for o in &self.config.outputs {
            let value = eval::eval(&o.value, &scope, None, &format!("output `{}`", o.name))?;
            let shown = if o.sensitive { "<sensitive>".to_string() } else { value.to_string() };
            report.outputs.push(format!("{} = {shown}", o.name));
            next.outputs.insert(o.name.clone(), (value, o.sensitive));
        }
        Ok(())
    }
}

fn stopped(address: &Address, error: Error) -> Error {
    Error::invalid(
        format!("apply of `{address}`"),
        format!("{error}; the state keeps every step completed before this one"),
    )
}
