//! The article's tool landscape, and the same resources as an Azure Resource Manager (ARM)
//! template: Azure's own declarative format, the one Bicep compiles to.

use super::config::Config;
use super::eval;
use super::graph::Graph;
use super::json::Json;
use super::schema::ResourceType;
use super::value::{Address, Expr, Value};
use crate::error::Result;
use crate::table::Table;

/// Tool, what kind of tool, its language, where it works, and what it is for.
pub const TOOLS: [[&str; 5]; 13] = [
    [
        "Terraform",
        "provisioning, declarative",
        "HCL (or JSON)",
        "any cloud, through providers",
        "creates and changes cloud resources; keeps a state file",
    ],
    [
        "Pulumi",
        "provisioning, declarative result of a program",
        "Python, TypeScript, Go, C#, Java, YAML",
        "any cloud",
        "the same, written as code in a general-purpose language",
    ],
    [
        "Azure Bicep / ARM templates",
        "provisioning, declarative",
        "Bicep (compiles to ARM JSON)",
        "Azure only",
        "Azure's native templates; Azure itself keeps track of what exists",
    ],
    [
        "AWS CloudFormation",
        "provisioning, declarative",
        "YAML or JSON",
        "AWS only",
        "stacks of AWS resources managed by AWS",
    ],
    [
        "Google Cloud Deployment Manager",
        "provisioning, declarative",
        "YAML with Jinja or Python templates",
        "Google Cloud only",
        "Google's templates (Google now points to Infrastructure Manager, which runs Terraform)",
    ],
    [
        "Ansible",
        "configuration management (also provisioning)",
        "YAML playbooks, tasks run in order",
        "servers over SSH, cloud APIs",
        "installs and configures software on machines; no agent",
    ],
    [
        "Puppet",
        "configuration management, declarative",
        "Puppet language",
        "servers running the Puppet agent",
        "keeps machines in a described state",
    ],
    [
        "Chef",
        "configuration management",
        "Ruby recipes",
        "servers running the Chef client",
        "configures machines from cookbooks",
    ],
    [
        "SaltStack",
        "configuration management, remote execution",
        "YAML + Jinja states",
        "servers (Salt minions, or SSH)",
        "configures and commands many machines at once",
    ],
    [
        "Vagrant",
        "development environments",
        "Ruby (Vagrantfile)",
        "local virtual machines",
        "the same development machine for everyone",
    ],
    [
        "Docker Compose",
        "multi-container applications",
        "YAML",
        "one Docker host",
        "starts an application's containers, networks and volumes together",
    ],
    [
        "Prometheus",
        "monitoring and alerting",
        "YAML configuration, PromQL queries",
        "anything that exposes metrics",
        "watches the infrastructure once it runs",
    ],
    [
        "dslab::iac (this notebook)",
        "teaching model of Terraform",
        "Rust",
        "a simulated Azure",
        "checks, plans and applies without a cloud account",
    ],
];

/// The tool landscape as a table.
pub fn landscape() -> Result<Table> {
    let mut table = Table::new(["tool", "kind", "language", "works on", "for"]).max_rows(0);
    for row in TOOLS {
        table.push_row(row)?;
    }
    Ok(table)
}

const API_VERSION: &str = "2021-11-01";

fn camel(name: &str) -> Option<&'static str> {
    Some(match name {
        "administrator_login" => "administratorLogin",
        "administrator_login_password" => "administratorLoginPassword",
        "version" => "version",
        "minimum_tls_version" => "minimalTlsVersion",
        "collation" => "collation",
        "max_size_gb" => "maxSizeBytes",
        "zone_redundant" => "zoneRedundant",
        "start_ip_address" => "startIpAddress",
        "end_ip_address" => "endIpAddress",
        "retention_in_days" => "retentionDays",
        "log_monitoring_enabled" => "isAzureMonitorTargetEnabled",
        "storage_endpoint" => "storageEndpoint",
        _ => return None,
    })
}

fn arm_value(name: &str, value: &Value, expr: Option<&Expr>) -> Json {
    if let Some(Expr::Var(v)) = expr {
        return Json::Str(format!("[parameters('{v}')]"));
    }
    match (name, value) {
        ("max_size_gb", Value::Num(gb)) => Json::Num(gb * 1024.0 * 1024.0 * 1024.0),
        ("public_network_access_enabled", Value::Bool(b)) => Json::Str(if *b { "Enabled" } else { "Disabled" }.into()),
        ("enabled", Value::Bool(b)) => Json::Str(if *b { "Enabled" } else { "Disabled" }.into()),
        _ => super::state::to_json(value),
    }
}

/// The configuration as an ARM template for a deployment into the resource group (which ARM
/// does not create itself: `az group create`, or a subscription-level deployment). Parents
/// are named in `dependsOn`, the ARM form of Terraform's references.
pub fn arm_template(config: &Config) -> Result<String> {
    config.check()?;
    let graph = Graph::build(config)?;
    let values = eval::check_values(config, &graph, None)?;
    let text = |a: &Address, k: &str| values[a].get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let server_of = |a: &Address| -> Option<Address> {
        match config.find(a)?.get("server_id") {
            Some(Expr::Ref(r)) => config.find(&r.target).map(|_| r.target.clone()),
            _ => None,
        }
    };
    let mut parameters = Json::obj();
    for v in &config.variables {
        parameters = parameters.with(
            &v.name,
            Json::obj().with("type", Json::Str(if v.sensitive { "securestring" } else { "string" }.into())),
        );
    }
    let mut resources = Vec::new();
    for a in graph.order().iter().filter(|a| a.rtype != ResourceType::ResourceGroup) {
        let resource = config.find(a).expect("graph nodes come from the configuration");
        let mut properties = Json::obj();
        let mut body = Json::obj()
            .with("type", Json::Str(a.rtype.azure_type().replace("extendedAuditingSettings", "auditingSettings")));
        body = body.with("apiVersion", Json::Str(API_VERSION.into()));
        let server = server_of(a);
        let name = match (&server, a.rtype) {
            (Some(s), ResourceType::MssqlServerAuditing) => format!("{}/default", text(s, "name")),
            (Some(s), _) => format!("{}/{}", text(s, "name"), text(a, "name")),
            (None, _) => text(a, "name"),
        };
        body = body.with("name", Json::Str(name));
        let location = server.as_ref().map(|s| text(s, "location")).unwrap_or_else(|| text(a, "location"));
        if matches!(a.rtype, ResourceType::MssqlServer | ResourceType::MssqlDatabase) {
            body = body.with("location", Json::Str(super::names::normalize_location(&location)));
        }
        for (k, v) in &values[a] {
            let from_var = matches!(resource.get(k), Some(Expr::Var(_)));
            match (k.as_str(), v) {
                (_, Value::Null | Value::Unknown) if !from_var => {}
                ("sku_name", _) => body = body.with("sku", Json::obj().with("name", super::state::to_json(v))),
                ("tags", _) => body = body.with("tags", super::state::to_json(v)),
                ("public_network_access_enabled", _) => {
                    properties = properties.with("publicNetworkAccess", arm_value(k, v, resource.get(k)));
                }
                ("enabled", _) => properties = properties.with("state", arm_value(k, v, resource.get(k))),
                _ => {
                    if let Some(key) = camel(k) {
                        properties = properties.with(key, arm_value(k, v, resource.get(k)));
                    }
                }
            }
        }
        if a.rtype == ResourceType::MssqlServerAuditing {
            // The provider's defaults, which ARM needs written out.
            if resource.get("enabled").is_none() {
                properties = properties.with("state", Json::Str("Enabled".into()));
            }
            if resource.get("log_monitoring_enabled").is_none() {
                properties = properties.with("isAzureMonitorTargetEnabled", Json::Bool(true));
            }
        }
        if let Some(s) = &server {
            body = body.with(
                "dependsOn",
                Json::Arr(vec![Json::Str(format!("[resourceId('Microsoft.Sql/servers', '{}')]", text(s, "name")))]),
            );
        }
        resources.push(body.with("properties", properties));
    }
    let mut outputs = Json::obj();
    for o in &config.outputs {
        if let Expr::Ref(r) = &o.value
            && r.target.rtype == ResourceType::MssqlServer
            && r.attribute == "fully_qualified_domain_name"
        {
            let value = format!(
                "[reference(resourceId('Microsoft.Sql/servers', '{}')).fullyQualifiedDomainName]",
                text(&r.target, "name")
            );
            outputs = outputs
                .with(&o.name, Json::obj().with("type", Json::Str("string".into())).with("value", Json::Str(value)));
        }
    }
    Ok(Json::obj()
        .with(
            "$schema",
            Json::Str("https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#".into()),
        )
        .with("contentVersion", Json::Str("1.0.0.0".into()))
        .with("parameters", parameters)
        .with("resources", Json::Arr(resources))
        .with("outputs", outputs)
        .pretty())
}
