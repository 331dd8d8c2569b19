//! A simulated Azure: an in-memory stand-in for the cloud that plans and applies talk to. It
//! never touches the network; it answers as Azure Resource Manager would for the few resource
//! types here (IDs, the server's domain name, defaults, parents that must exist).

use std::collections::BTreeMap;

use super::names::{normalize_location, sku_info};
use super::schema::{Fill, ResourceType};
use super::value::Value;
use crate::error::{Error, Result};
use crate::table::Table;

/// The made-up subscription every simulated resource lives in.
pub const SUBSCRIPTION_ID: &str = "00000000-0000-0000-0000-000000000000";

type Attributes = BTreeMap<String, Value>;

#[derive(Clone, Debug, PartialEq)]
struct Object {
    rtype: ResourceType,
    attributes: Attributes,
}

/// A pretend Azure subscription, held in memory (SIMULATED: no network, no account, no cost).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SimulatedAzure {
    /// Keyed by the lower-cased resource ID (Azure IDs are case-insensitive).
    objects: BTreeMap<String, Object>,
    calls: std::cell::Cell<u64>,
}

fn refused(what: &str, message: String) -> Error {
    Error::invalid(format!("request to the simulated Azure ({what})"), message)
}

impl SimulatedAzure {
    /// An empty subscription.
    pub fn new() -> Self {
        SimulatedAzure::default()
    }

    /// How many resources exist.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether nothing exists.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// How many API calls (reads, creates, updates, deletes) have been answered.
    pub fn api_calls(&self) -> u64 {
        self.calls.get()
    }

    /// Every resource ID, sorted.
    pub fn ids(&self) -> Vec<String> {
        self.objects.values().map(|o| o.attributes["id"].as_str().unwrap_or_default().to_string()).collect()
    }

    /// The attributes Azure reports for the resource `id` (a password is never returned).
    pub(crate) fn read(&self, id: &str) -> Option<(ResourceType, Attributes)> {
        self.calls.set(self.calls.get() + 1);
        self.objects.get(&id.to_lowercase()).map(|o| {
            let mut attributes = o.attributes.clone();
            attributes.remove("administrator_login_password");
            (o.rtype, attributes)
        })
    }

    /// The attribute `attribute` of the resource with this ID or Azure name.
    pub fn attribute(&self, id_or_name: &str, attribute: &str) -> Result<Value> {
        let key = self.find(id_or_name)?;
        self.objects[&key]
            .attributes
            .get(attribute)
            .cloned()
            .ok_or_else(|| refused("read", format!("{id_or_name} has no attribute `{attribute}`")))
    }

    fn find(&self, id_or_name: &str) -> Result<String> {
        let key = id_or_name.to_lowercase();
        if self.objects.contains_key(&key) {
            return Ok(key);
        }
        let matches: Vec<&String> = self
            .objects
            .iter()
            .filter(|(_, o)| o.attributes.get("name").and_then(Value::as_str) == Some(id_or_name))
            .map(|(k, _)| k)
            .collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(refused("find", format!("no resource has the ID or name \"{id_or_name}\""))),
            _ => Err(refused("find", format!("{} resources are named \"{id_or_name}\"; give the ID", matches.len()))),
        }
    }

    fn id_for(rtype: ResourceType, args: &Attributes) -> String {
        let s = |k: &str| args.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        match rtype {
            ResourceType::ResourceGroup => format!("/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{}", s("name")),
            ResourceType::MssqlServer => format!(
                "/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{}/providers/Microsoft.Sql/servers/{}",
                s("resource_group_name"),
                s("name")
            ),
            ResourceType::MssqlDatabase => format!("{}/databases/{}", s("server_id"), s("name")),
            ResourceType::MssqlFirewallRule => format!("{}/firewallRules/{}", s("server_id"), s("name")),
            ResourceType::MssqlServerAuditing => format!("{}/extendedAuditingSettings/default", s("server_id")),
        }
    }

    /// Creates a resource from its arguments and returns every attribute, as the provider
    /// records them in the state.
    pub(crate) fn create(&mut self, rtype: ResourceType, args: &Attributes) -> Result<Attributes> {
        self.calls.set(self.calls.get() + 1);
        let id = Self::id_for(rtype, args);
        if self.objects.contains_key(&id.to_lowercase()) {
            return Err(refused(
                "create",
                format!(
                    "a resource with the ID \"{id}\" already exists - to be managed via Terraform this resource needs to be imported into the State"
                ),
            ));
        }
        let parent = match rtype {
            ResourceType::ResourceGroup => None,
            ResourceType::MssqlServer => Some(format!(
                "/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{}",
                args.get("resource_group_name").and_then(Value::as_str).unwrap_or_default()
            )),
            _ => args.get("server_id").and_then(Value::as_str).map(str::to_string),
        };
        if let Some(parent) = parent
            && !self.objects.contains_key(&parent.to_lowercase())
        {
            return Err(refused(
                "create",
                format!("ParentResourceNotFound: {parent} does not exist, so {id} cannot be created in it"),
            ));
        }
        if rtype == ResourceType::MssqlFirewallRule {
            let server = args.get("server_id").and_then(Value::as_str).unwrap_or_default().to_lowercase();
            let closed = self.objects.get(&server).and_then(|o| o.attributes.get("public_network_access_enabled"));
            if closed == Some(&Value::Bool(false)) {
                return Err(refused(
                    "create",
                    format!(
                        "{id}: unable to create or modify firewall rules when public network access to the server is disabled"
                    ),
                ));
            }
        }
        let mut attributes = Attributes::new();
        for spec in rtype.args() {
            let value = match (args.get(spec.name), spec.fill) {
                (Some(v), _) if *v != Value::Null => v.clone(),
                (_, Fill::Computed) => computed_default(spec.name, args),
                (_, fill) => fill.value().unwrap_or(Value::Null),
            };
            attributes.insert(spec.name.to_string(), value);
        }
        if let Some(Value::Str(location)) = attributes.get("location") {
            attributes.insert("location".into(), Value::Str(normalize_location(location)));
        }
        if rtype == ResourceType::MssqlServer {
            let name = args.get("name").and_then(Value::as_str).unwrap_or_default();
            let fqdn = format!("{name}.database.windows.net");
            if self
                .objects
                .values()
                .any(|o| o.attributes.get("fully_qualified_domain_name") == Some(&Value::Str(fqdn.clone())))
            {
                return Err(refused(
                    "create",
                    format!("the server name \"{name}\" is already taken (SQL server names are global)"),
                ));
            }
            attributes.insert("fully_qualified_domain_name".into(), Value::Str(fqdn));
        }
        attributes.insert("id".into(), Value::Str(id.clone()));
        self.objects.insert(id.to_lowercase(), Object { rtype, attributes: attributes.clone() });
        Ok(attributes)
    }

    /// Changes arguments that can change in place; returns every attribute afterwards.
    pub(crate) fn update(&mut self, id: &str, args: &Attributes) -> Result<Attributes> {
        self.calls.set(self.calls.get() + 1);
        let object = self
            .objects
            .get_mut(&id.to_lowercase())
            .ok_or_else(|| refused("update", format!("{id} does not exist (deleted outside Terraform?)")))?;
        for (name, value) in args {
            if object.rtype.arg(name).is_some_and(|s| !s.force_new) {
                let value = match (value, object.rtype.arg(name).map(|s| s.fill)) {
                    (Value::Null, Some(fill)) => fill.value().unwrap_or(Value::Null),
                    _ => value.clone(),
                };
                object.attributes.insert(name.clone(), value);
            }
        }
        Ok(object.attributes.clone())
    }

    /// Deletes a resource. A server takes its databases, rules and settings with it (as in
    /// Azure); a resource group that still holds resources is refused, as the provider's
    /// `prevent_deletion_if_contains_resources` feature does. A resource already gone is fine.
    pub(crate) fn delete(&mut self, id: &str) -> Result<()> {
        self.calls.set(self.calls.get() + 1);
        let key = id.to_lowercase();
        let Some(object) = self.objects.get(&key) else { return Ok(()) };
        let prefix = format!("{key}/");
        let inside: Vec<String> = self.objects.keys().filter(|k| k.starts_with(&prefix)).cloned().collect();
        if object.rtype == ResourceType::ResourceGroup && !inside.is_empty() {
            return Err(refused(
                "delete",
                format!(
                    "the resource group {id} still contains {} resources; the azurerm provider refuses to delete it",
                    inside.len()
                ),
            ));
        }
        for k in inside.iter().chain(std::iter::once(&key)) {
            self.objects.remove(k);
        }
        Ok(())
    }

    /// A change made by hand, outside the code (in the portal, say): the drift the next plan
    /// must find. Only arguments Azure can change in place can be changed this way.
    pub fn change_by_hand(&mut self, id_or_name: &str, attribute: &str, value: impl Into<Value>) -> Result<()> {
        let key = self.find(id_or_name)?;
        let object = self.objects.get_mut(&key).expect("found above");
        let value = value.into();
        let spec = object.rtype.arg(attribute).filter(|s| !s.force_new).ok_or_else(|| {
            Error::invalid(
                format!("hand change of `{attribute}` on {id_or_name}"),
                format!("{} cannot change `{attribute}` in place (it is read-only or fixed at creation)", object.rtype),
            )
        })?;
        if let Some(check) = spec.check {
            check(&value).map_err(|m| Error::invalid(format!("hand change of `{attribute}` on {id_or_name}"), m))?;
        }
        object.attributes.insert(attribute.to_string(), value);
        Ok(())
    }

    /// Deletes a resource by hand, outside the code (with its children, as Azure does).
    pub fn delete_by_hand(&mut self, id_or_name: &str) -> Result<()> {
        let key = self.find(id_or_name)?;
        let prefix = format!("{key}/");
        self.objects.retain(|k, _| *k != key && !k.starts_with(&prefix));
        Ok(())
    }

    /// A disaster: every resource in `location` (and everything inside it) is lost. Returns
    /// how many resources went.
    pub fn lose_region(&mut self, location: &str) -> usize {
        let location = normalize_location(location);
        let roots: Vec<String> = self
            .objects
            .iter()
            .filter(|(_, o)| o.attributes.get("location").and_then(Value::as_str) == Some(location.as_str()))
            .map(|(k, _)| k.clone())
            .collect();
        let before = self.objects.len();
        self.objects.retain(|k, _| !roots.iter().any(|r| k == r || k.starts_with(&format!("{r}/"))));
        before - self.objects.len()
    }

    /// Whether both hold the same resources with the same attributes (API call counts aside).
    pub fn same_resources(&self, other: &SimulatedAzure) -> bool {
        self.objects == other.objects
    }

    /// What exists, one row per resource, labelled as simulated.
    pub fn inventory(&self) -> Result<Table> {
        let mut table =
            Table::new(["Azure resource ID", "type", "settings"]).max_rows(0).caption("SIMULATED Azure subscription");
        for o in self.objects.values() {
            let mut settings: Vec<String> = Vec::new();
            for key in
                ["location", "sku_name", "public_network_access_enabled", "start_ip_address", "retention_in_days"]
            {
                if let Some(v) = o.attributes.get(key).filter(|v| **v != Value::Null) {
                    settings.push(format!("{key} = {v}"));
                }
            }
            table.push_row([
                o.attributes["id"].as_str().unwrap_or_default().to_string(),
                o.rtype.azure_type().to_string(),
                settings.join(", "),
            ])?;
        }
        Ok(table)
    }
}

/// What Azure picks for an optional argument the code leaves out.
fn computed_default(name: &str, args: &Attributes) -> Value {
    match name {
        "administrator_login" => Value::Str("cloudsa".into()),
        "collation" => Value::Str("SQL_Latin1_General_CP1_CI_AS".into()),
        "sku_name" => Value::Str("GP_Gen5_2".into()),
        "zone_redundant" => Value::Bool(false),
        "max_size_gb" => {
            let sku = args.get("sku_name").and_then(Value::as_str).unwrap_or("GP_Gen5_2");
            let gb = match sku_info(sku).map(|s| s.tier) {
                Some("Basic") => 2.0,
                Some("Standard") => 250.0,
                Some("Premium") => 500.0,
                _ => 32.0,
            };
            Value::Num(gb)
        }
        _ => Value::Null,
    }
}
