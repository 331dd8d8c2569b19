//! The azurerm provider's resource types used here, with their arguments as the provider
//! documents them: which are required, which force a new resource when changed, their
//! defaults, and the names Azure accepts.

use std::fmt;

use super::names::{
    check_database_name, check_group_name, check_ipv4, check_location, check_retention, check_rule_name,
    check_server_id, check_server_name, check_size, check_sku, check_tags, one_of,
};
use super::value::Value;
use crate::error::{Error, Result};

/// The azurerm resource types this module knows. The order is alphabetical by type name, so
/// sorted addresses come out in the order Terraform prints them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceType {
    /// `azurerm_mssql_database`: one database on a server.
    MssqlDatabase,
    /// `azurerm_mssql_firewall_rule`: a range of client IP addresses the server accepts.
    MssqlFirewallRule,
    /// `azurerm_mssql_server`: the logical SQL server that holds databases.
    MssqlServer,
    /// `azurerm_mssql_server_extended_auditing_policy`: auditing of a server's activity.
    MssqlServerAuditing,
    /// `azurerm_resource_group`: the folder every Azure resource lives in.
    ResourceGroup,
}

/// Every resource type, in [`ResourceType`]'s order.
pub const ALL_TYPES: [ResourceType; 5] = [
    ResourceType::MssqlDatabase,
    ResourceType::MssqlFirewallRule,
    ResourceType::MssqlServer,
    ResourceType::MssqlServerAuditing,
    ResourceType::ResourceGroup,
];

impl ResourceType {
    /// The provider's type name, `azurerm_...`.
    pub fn name(self) -> &'static str {
        match self {
            ResourceType::MssqlDatabase => "azurerm_mssql_database",
            ResourceType::MssqlFirewallRule => "azurerm_mssql_firewall_rule",
            ResourceType::MssqlServer => "azurerm_mssql_server",
            ResourceType::MssqlServerAuditing => "azurerm_mssql_server_extended_auditing_policy",
            ResourceType::ResourceGroup => "azurerm_resource_group",
        }
    }

    /// The type called `name`, or an error listing the known ones.
    pub fn from_name(name: &str) -> Result<ResourceType> {
        ALL_TYPES.into_iter().find(|t| t.name() == name).ok_or_else(|| {
            let known: Vec<&str> = ALL_TYPES.iter().map(|t| t.name()).collect();
            Error::invalid(format!("resource type `{name}`"), format!("not one of {}", known.join(", ")))
        })
    }

    /// The Azure Resource Manager type behind it (`Microsoft.Sql/servers`).
    pub fn azure_type(self) -> &'static str {
        match self {
            ResourceType::MssqlDatabase => "Microsoft.Sql/servers/databases",
            ResourceType::MssqlFirewallRule => "Microsoft.Sql/servers/firewallRules",
            ResourceType::MssqlServer => "Microsoft.Sql/servers",
            ResourceType::MssqlServerAuditing => "Microsoft.Sql/servers/extendedAuditingSettings",
            ResourceType::ResourceGroup => "Microsoft.Resources/resourceGroups",
        }
    }

    /// The arguments the code may set.
    pub(crate) fn args(self) -> &'static [ArgSpec] {
        match self {
            ResourceType::ResourceGroup => &RESOURCE_GROUP,
            ResourceType::MssqlServer => &SERVER,
            ResourceType::MssqlDatabase => &DATABASE,
            ResourceType::MssqlFirewallRule => &FIREWALL_RULE,
            ResourceType::MssqlServerAuditing => &AUDITING,
        }
    }

    /// The attributes only the provider sets (`id`, the server's domain name).
    pub(crate) fn computed(self) -> &'static [&'static str] {
        match self {
            ResourceType::MssqlServer => &["fully_qualified_domain_name", "id"],
            _ => &["id"],
        }
    }

    pub(crate) fn arg(self, name: &str) -> Option<&'static ArgSpec> {
        self.args().iter().find(|a| a.name == name)
    }

    /// Whether `attribute` can be read from a resource of this type.
    pub(crate) fn has_attribute(self, attribute: &str) -> bool {
        self.arg(attribute).is_some() || self.computed().contains(&attribute)
    }

    /// Every readable attribute, sorted.
    pub(crate) fn attribute_names(self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> =
            self.args().iter().map(|a| a.name).chain(self.computed().iter().copied()).collect();
        names.sort_unstable();
        names
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The type of an argument's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    Str,
    Num,
    Bool,
    Map,
}

impl Kind {
    pub(crate) fn accepts(self, value: &Value) -> bool {
        matches!(
            (self, value),
            (_, Value::Unknown | Value::Null)
                | (Kind::Str, Value::Str(_))
                | (Kind::Num, Value::Num(_))
                | (Kind::Bool, Value::Bool(_))
                | (Kind::Map, Value::Map(_))
        )
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::Num => "a number",
            Kind::Bool => "a bool",
            Kind::Map => "a map of strings",
        }
    }
}

/// What an argument is when the code leaves it out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Fill {
    /// Nothing (null).
    Null,
    /// Whatever Azure chooses, known after apply and kept afterwards ("Optional + Computed").
    Computed,
    /// The provider's documented default.
    Str(&'static str),
    Bool(bool),
    Num(f64),
}

impl Fill {
    pub(crate) fn value(self) -> Option<Value> {
        match self {
            Fill::Str(s) => Some(Value::Str(s.to_string())),
            Fill::Bool(b) => Some(Value::Bool(b)),
            Fill::Num(x) => Some(Value::Num(x)),
            Fill::Null | Fill::Computed => None,
        }
    }
}

type Check = fn(&Value) -> std::result::Result<(), String>;

/// One argument of a resource type, as the provider's documentation describes it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ArgSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// "Changing this forces a new resource to be created."
    pub force_new: bool,
    pub fill: Fill,
    /// Shown as `(sensitive value)` in plans.
    pub sensitive: bool,
    pub check: Option<Check>,
    /// The resource type and attribute a reference here must point at (`server_id`).
    pub refers_to: Option<(ResourceType, &'static str)>,
}

const fn arg(name: &'static str, kind: Kind) -> ArgSpec {
    ArgSpec {
        name,
        kind,
        required: false,
        force_new: false,
        fill: Fill::Null,
        sensitive: false,
        check: None,
        refers_to: None,
    }
}

impl ArgSpec {
    const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    const fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    const fn fill(mut self, fill: Fill) -> Self {
        self.fill = fill;
        self
    }
    const fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    const fn check(mut self, check: Check) -> Self {
        self.check = Some(check);
        self
    }
    const fn refers_to(mut self, rtype: ResourceType, attribute: &'static str) -> Self {
        self.refers_to = Some((rtype, attribute));
        self
    }
}

const TAGS: ArgSpec = arg("tags", Kind::Map).check(check_tags);
const SERVER_ID: ArgSpec = arg("server_id", Kind::Str)
    .required()
    .force_new()
    .check(check_server_id)
    .refers_to(ResourceType::MssqlServer, "id");

static RESOURCE_GROUP: [ArgSpec; 3] = [
    arg("name", Kind::Str).required().force_new().check(check_group_name),
    arg("location", Kind::Str).required().force_new().check(check_location),
    TAGS,
];

static SERVER: [ArgSpec; 10] = [
    arg("name", Kind::Str).required().force_new().check(check_server_name),
    arg("resource_group_name", Kind::Str)
        .required()
        .force_new()
        .check(check_group_name)
        .refers_to(ResourceType::ResourceGroup, "name"),
    arg("location", Kind::Str).required().force_new().check(check_location),
    arg("version", Kind::Str).required().force_new().check(|v| one_of(v, &["2.0", "12.0"])),
    arg("administrator_login", Kind::Str).force_new().fill(Fill::Computed),
    arg("administrator_login_password", Kind::Str).sensitive(),
    arg("connection_policy", Kind::Str)
        .fill(Fill::Str("Default"))
        .check(|v| one_of(v, &["Default", "Proxy", "Redirect"])),
    arg("minimum_tls_version", Kind::Str).fill(Fill::Str("1.2")).check(|v| one_of(v, &["1.2"])),
    arg("public_network_access_enabled", Kind::Bool).fill(Fill::Bool(true)),
    TAGS,
];

static DATABASE: [ArgSpec; 9] = [
    arg("name", Kind::Str).required().force_new().check(check_database_name),
    SERVER_ID,
    arg("collation", Kind::Str).force_new().fill(Fill::Computed),
    arg("ledger_enabled", Kind::Bool).force_new().fill(Fill::Bool(false)),
    arg("max_size_gb", Kind::Num).fill(Fill::Computed).check(check_size),
    arg("sku_name", Kind::Str).fill(Fill::Computed).check(check_sku),
    arg("storage_account_type", Kind::Str)
        .fill(Fill::Str("Geo"))
        .check(|v| one_of(v, &["Geo", "GeoZone", "Local", "Zone"])),
    arg("zone_redundant", Kind::Bool).fill(Fill::Computed),
    TAGS,
];

static FIREWALL_RULE: [ArgSpec; 4] = [
    arg("name", Kind::Str).required().force_new().check(check_rule_name),
    SERVER_ID,
    arg("start_ip_address", Kind::Str).required().check(check_ipv4),
    arg("end_ip_address", Kind::Str).required().check(check_ipv4),
];

static AUDITING: [ArgSpec; 5] = [
    SERVER_ID,
    arg("enabled", Kind::Bool).fill(Fill::Bool(true)),
    arg("log_monitoring_enabled", Kind::Bool).fill(Fill::Bool(true)),
    arg("retention_in_days", Kind::Num).fill(Fill::Num(0.0)).check(check_retention),
    arg("storage_endpoint", Kind::Str),
];
