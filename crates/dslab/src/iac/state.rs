//! The state: what Terraform believes exists, saved as JSON in the layout of a
//! `terraform.tfstate` file (format version 4).

use std::collections::BTreeMap;
use std::path::Path;

use super::config::Config;
use super::json::Json;
use super::provider::SimulatedAzure;
use super::schema::ResourceType;
use super::value::{Address, Value, is_identifier};
use crate::error::{Error, Result};
use crate::table::Table;

const PROVIDER: &str = "provider[\"registry.terraform.io/hashicorp/azurerm\"]";

/// One instance as recorded: every attribute and the resources it depended on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct InstanceState {
    pub attributes: BTreeMap<String, Value>,
    /// Block addresses (`type.name`) this instance referred to when it was created.
    pub dependencies: Vec<Address>,
}

/// What exists according to Terraform, with a serial number that grows at each change and a
/// lineage that names this state's history.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub(crate) lineage: String,
    pub(crate) serial: u64,
    pub(crate) resources: BTreeMap<Address, InstanceState>,
    pub(crate) outputs: BTreeMap<String, (Value, bool)>,
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

fn new_lineage() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    let mut rng =
        crate::random::Rng::seed(nanos ^ COUNTER.fetch_add(1, Ordering::Relaxed).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let (a, b) = (rng.next_u64(), rng.next_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

impl State {
    /// An empty state: nothing exists yet (a new lineage, serial 0).
    pub fn new() -> Self {
        State { lineage: new_lineage(), serial: 0, resources: BTreeMap::new(), outputs: BTreeMap::new() }
    }

    /// The serial number: it grows by one at every change.
    pub fn serial(&self) -> u64 {
        self.serial
    }

    /// The lineage: an ID shared by every version of this state.
    pub fn lineage(&self) -> &str {
        &self.lineage
    }

    /// How many resource instances are recorded.
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// The recorded instances, sorted.
    pub fn addresses(&self) -> Vec<&Address> {
        self.resources.keys().collect()
    }

    /// The attribute `attribute` of the instance at `address` (`type.name` or `type.name["key"]`).
    pub fn attribute(&self, address: &str, attribute: &str) -> Result<&Value> {
        let parsed = Address::parse(address)?;
        let instance = self.resources.get(&parsed).ok_or_else(|| {
            Error::invalid(format!("state address `{address}`"), "the state records no such instance")
        })?;
        instance.attributes.get(attribute).ok_or_else(|| {
            Error::invalid(format!("state address `{address}`"), format!("it has no attribute `{attribute}`"))
        })
    }

    /// The value of output `name`, if recorded.
    pub fn output(&self, name: &str) -> Option<&Value> {
        self.outputs.get(name).map(|(v, _)| v)
    }

    /// Whether both states record the same resources with the same attributes and the same
    /// outputs (lineage and serial aside).
    pub fn same_resources(&self, other: &State) -> bool {
        self.resources == other.resources && self.outputs == other.outputs
    }

    /// One row per instance: address, Azure ID.
    pub fn table(&self) -> Result<Table> {
        let mut table = Table::new(["instance", "id"]).max_rows(0).caption(format!("state serial {}", self.serial));
        for (a, i) in &self.resources {
            table.push_row([a.to_string(), i.attributes.get("id").map(|v| v.to_string()).unwrap_or_default()])?;
        }
        Ok(table)
    }

    /// The state as JSON text in the `terraform.tfstate` layout.
    pub fn to_json(&self) -> String {
        let mut outputs = Json::obj();
        for (name, (value, sensitive)) in &self.outputs {
            let mut body = Json::obj().with("value", to_json(value)).with("type", Json::Str(type_name(value).into()));
            if *sensitive {
                body = body.with("sensitive", Json::Bool(true));
            }
            outputs = outputs.with(name, body);
        }
        let mut blocks: Vec<(Address, Vec<Json>)> = Vec::new();
        for (address, instance) in &self.resources {
            let mut body = Json::obj();
            if let Some(key) = &address.key {
                body = body.with("index_key", Json::Str(key.clone()));
            }
            let sensitive: Vec<Json> = instance
                .attributes
                .keys()
                .filter(|k| address.rtype.arg(k).is_some_and(|s| s.sensitive))
                .map(|k| {
                    Json::Arr(vec![
                        Json::obj().with("type", Json::Str("get_attr".into())).with("value", Json::Str(k.clone())),
                    ])
                })
                .collect();
            body = body
                .with("schema_version", Json::Num(0.0))
                .with("attributes", to_json(&Value::Map(instance.attributes.clone())))
                .with("sensitive_attributes", Json::Arr(sensitive))
                .with(
                    "dependencies",
                    Json::Arr(instance.dependencies.iter().map(|d| Json::Str(d.to_string())).collect()),
                );
            match blocks.last_mut() {
                Some((block, instances)) if *block == address.block() => instances.push(body),
                _ => blocks.push((address.block(), vec![body])),
            }
        }
        let resources = blocks
            .into_iter()
            .map(|(block, instances)| {
                Json::obj()
                    .with("mode", Json::Str("managed".into()))
                    .with("type", Json::Str(block.rtype.name().into()))
                    .with("name", Json::Str(block.name.clone()))
                    .with("provider", Json::Str(PROVIDER.into()))
                    .with("instances", Json::Arr(instances))
            })
            .collect();
        Json::obj()
            .with("version", Json::Num(4.0))
            .with("terraform_version", Json::Str("1.9.0".into()))
            .with("serial", Json::Num(self.serial as f64))
            .with("lineage", Json::Str(self.lineage.clone()))
            .with("outputs", outputs)
            .with("resources", Json::Arr(resources))
            .with("check_results", Json::Null)
            .pretty()
    }

    /// Writes the state file (through a temporary file, so a failed write keeps the old one).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let tmp = path.with_extension("tfstate.partial");
        std::fs::write(&tmp, self.to_json()).map_err(|e| Error::io("write", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io("write", path, e))
    }

    /// Reads a state file written by [`State::save`]; every malformed part is named.
    pub fn load(path: impl AsRef<Path>) -> Result<State> {
        let path = path.as_ref();
        let size = std::fs::metadata(path).map_err(|e| Error::io("open", path, e))?.len();
        if size > super::json::MAX_JSON_BYTES as u64 {
            return Err(Error::invalid(
                format!("state file {}", path.display()),
                format!("{size} bytes is more than a state file of this size can be"),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        State::from_json(&text, path)
    }

    /// Parses state JSON; `path` is named in errors.
    pub fn from_json(text: &str, path: &Path) -> Result<State> {
        let root = Json::parse(text, path)?;
        let bad = |field: &str, message: &str| {
            Error::invalid(format!("state file {} field `{field}`", path.display()), message.to_string())
        };
        if root.get("version") != Some(&Json::Num(4.0)) {
            return Err(bad("version", "expected 4 (the state format this module writes)"));
        }
        let lineage =
            root.get("lineage").and_then(Json::as_str).ok_or_else(|| bad("lineage", "missing or not a string"))?;
        let serial = match root.get("serial") {
            Some(Json::Num(x)) if *x >= 0.0 && x.fract() == 0.0 => *x as u64,
            _ => return Err(bad("serial", "missing or not a whole number ≥ 0")),
        };
        let mut state =
            State { lineage: lineage.to_string(), serial, resources: BTreeMap::new(), outputs: BTreeMap::new() };
        if let Some(Json::Obj(outputs)) = root.get("outputs") {
            for (name, body) in outputs {
                let value = body.get("value").ok_or_else(|| bad(&format!("outputs.{name}.value"), "missing"))?;
                let sensitive = body.get("sensitive") == Some(&Json::Bool(true));
                state.outputs.insert(name.clone(), (from_json(value), sensitive));
            }
        }
        let Some(Json::Arr(blocks)) = root.get("resources") else {
            return Err(bad("resources", "missing or not a list"));
        };
        for (i, block) in blocks.iter().enumerate() {
            let field = |f: &str| format!("resources[{i}].{f}");
            if block.get("mode").and_then(Json::as_str) != Some("managed") {
                return Err(bad(&field("mode"), "only managed resources are recorded here"));
            }
            let rtype = block.get("type").and_then(Json::as_str).ok_or_else(|| bad(&field("type"), "missing"))?;
            let rtype = ResourceType::from_name(rtype).map_err(|e| bad(&field("type"), &e.to_string()))?;
            let name = block
                .get("name")
                .and_then(Json::as_str)
                .filter(|n| is_identifier(n))
                .ok_or_else(|| bad(&field("name"), "missing or not a Terraform name"))?;
            let Some(Json::Arr(instances)) = block.get("instances") else {
                return Err(bad(&field("instances"), "missing or not a list"));
            };
            for (j, instance) in instances.iter().enumerate() {
                let field = |f: &str| format!("resources[{i}].instances[{j}].{f}");
                let key = match instance.get("index_key") {
                    None => None,
                    Some(Json::Str(k)) => Some(k.clone()),
                    Some(_) => return Err(bad(&field("index_key"), "must be a string")),
                };
                let Some(Value::Map(attributes)) = instance.get("attributes").map(from_json) else {
                    return Err(bad(&field("attributes"), "missing or not an object"));
                };
                if attributes.get("id").and_then(Value::as_str).is_none() {
                    return Err(bad(&field("attributes.id"), "missing: every recorded resource has an ID"));
                }
                let mut dependencies = Vec::new();
                if let Some(Json::Arr(deps)) = instance.get("dependencies") {
                    for d in deps {
                        let text = d.as_str().ok_or_else(|| bad(&field("dependencies"), "entries must be strings"))?;
                        dependencies
                            .push(Address::parse(text).map_err(|e| bad(&field("dependencies"), &e.to_string()))?);
                    }
                }
                let address = Address { rtype, name: name.to_string(), key };
                if state.resources.insert(address.clone(), InstanceState { attributes, dependencies }).is_some() {
                    return Err(bad(&field("index_key"), &format!("{address} is recorded twice")));
                }
            }
        }
        Ok(state)
    }

    /// `terraform import ADDRESS ID`: records an existing Azure resource under an address the
    /// configuration declares, so Terraform manages it from now on.
    pub fn import(&mut self, config: &Config, cloud: &SimulatedAzure, address: &str, id: &str) -> Result<()> {
        let parsed = Address::parse(address)?;
        let what = || format!("import of `{address}`");
        let resource = config.find(&parsed).ok_or_else(|| {
            Error::invalid(what(), "the configuration declares no such resource; write its block first")
        })?;
        if !resource.instances().contains(&parsed) {
            return Err(Error::invalid(what(), "no such instance: check the for_each key"));
        }
        if self.resources.contains_key(&parsed) {
            return Err(Error::invalid(what(), "the resource is already managed by Terraform"));
        }
        let (rtype, mut attributes) = cloud
            .read(id)
            .ok_or_else(|| Error::invalid(what(), format!("cannot import non-existent remote object {id}")))?;
        if rtype != parsed.rtype {
            return Err(Error::invalid(what(), format!("{id} is a {rtype}, not a {}", parsed.rtype)));
        }
        attributes.entry("administrator_login_password".into()).or_insert(Value::Null);
        if rtype != ResourceType::MssqlServer {
            attributes.remove("administrator_login_password");
        }
        let mut dependencies: Vec<Address> =
            resource.args.iter().flat_map(|(_, e)| e.references()).map(|r| r.target.block()).collect();
        dependencies.sort();
        dependencies.dedup();
        self.resources.insert(parsed, InstanceState { attributes, dependencies });
        self.serial += 1;
        Ok(())
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "bool",
        Value::Num(_) => "number",
        Value::Map(_) => "map",
        Value::List(_) => "list",
        _ => "string",
    }
}

pub(crate) fn to_json(value: &Value) -> Json {
    match value {
        Value::Null | Value::Unknown => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Num(x) => Json::Num(*x),
        Value::Str(s) => Json::Str(s.clone()),
        Value::List(items) => Json::Arr(items.iter().map(to_json).collect()),
        Value::Map(m) => Json::Obj(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

pub(crate) fn from_json(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Num(x) => Value::Num(*x),
        Json::Str(s) => Value::Str(s.clone()),
        Json::Arr(items) => Value::List(items.iter().map(from_json).collect()),
        Json::Obj(entries) => Value::Map(entries.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    }
}
