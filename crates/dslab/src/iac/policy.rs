//! Security and compliance as code: rules checked on the configuration before anything is
//! created. Each rule carries the ID of the matching check of the `checkov` scanner and
//! decides as checkov does (an unset argument fails even where Azure's default is safe: the
//! code should say what it relies on); the crate's tests compare the verdicts with checkov's.
//!
//! ```
//! use dslab::iac::{policy, Config, Expr, Resource, ResourceType};
//! # fn main() -> dslab::Result<()> {
//! let config = Config::new()
//!     .resource(Resource::new(ResourceType::ResourceGroup, "rg").arg("name", "rg").arg("location", "westeurope"))
//!     .resource(Resource::new(ResourceType::MssqlServer, "sql")
//!         .arg("name", "sql-demo-1").arg("resource_group_name", Expr::reference("azurerm_resource_group.rg.name")?)
//!         .arg("location", "westeurope").arg("version", "12.0").arg("minimum_tls_version", "1.2"));
//! let findings = policy::evaluate(&config)?;
//! let tls = findings.iter().find(|f| f.check_id == "CKV_AZURE_52").unwrap();
//! assert!(tls.passed);
//! assert!(!findings.iter().find(|f| f.check_id == "CKV_AZURE_113").unwrap().passed);
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;

use super::config::Config;
use super::eval;
use super::graph::Graph;
use super::schema::ResourceType;
use super::value::{Address, Expr, Value};
use crate::error::Result;
use crate::table::Table;

/// One rule: its checkov ID, what it asks, and the resource type it applies to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    /// The checkov check ID (`CKV_AZURE_113`).
    pub id: &'static str,
    /// What the rule asks.
    pub title: &'static str,
    /// The resource type it inspects.
    pub applies_to: ResourceType,
}

/// The rules, in checkov's ID order.
pub const RULES: [Rule; 6] = [
    Rule {
        id: "CKV2_AZURE_34",
        title: "SQL server firewall rules are not overly permissive (no 0.0.0.0-0.0.0.0 \"allow Azure services\" rule)",
        applies_to: ResourceType::MssqlFirewallRule,
    },
    Rule {
        id: "CKV_AZURE_11",
        title: "no SQL firewall rule allows ingress from any IP (0.0.0.0-255.255.255.255)",
        applies_to: ResourceType::MssqlFirewallRule,
    },
    Rule {
        id: "CKV_AZURE_113",
        title: "SQL server disables public network access",
        applies_to: ResourceType::MssqlServer,
    },
    Rule { id: "CKV_AZURE_23", title: "auditing is on for SQL servers", applies_to: ResourceType::MssqlServer },
    Rule {
        id: "CKV_AZURE_24",
        title: "auditing retention is at least 90 days for SQL servers",
        applies_to: ResourceType::MssqlServer,
    },
    Rule {
        id: "CKV_AZURE_52",
        title: "SQL server requires the latest TLS version (1.2)",
        applies_to: ResourceType::MssqlServer,
    },
];

/// The verdict of one rule on one resource instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The rule's checkov ID.
    pub check_id: &'static str,
    /// The instance inspected.
    pub address: Address,
    /// Whether it passed.
    pub passed: bool,
    /// Why, in words.
    pub detail: String,
}

/// Runs every rule on every instance it applies to; sorted by check ID, then address.
pub fn evaluate(config: &Config) -> Result<Vec<Finding>> {
    config.check()?;
    let graph = Graph::build(config)?;
    let values = eval::check_values(config, &graph, None)?;
    // Auditing policies by the server block they refer to (checkov's "connection").
    let mut audits: BTreeMap<Address, Vec<&BTreeMap<String, Value>>> = BTreeMap::new();
    for r in config.resources.iter().filter(|r| r.rtype == ResourceType::MssqlServerAuditing) {
        if let Some(Expr::Ref(server)) = r.get("server_id") {
            for instance in r.instances() {
                audits.entry(server.target.block()).or_default().push(&values[&instance]);
            }
        }
    }
    let mut findings = Vec::new();
    for (address, v) in &values {
        for rule in RULES.iter().filter(|rule| rule.applies_to == address.rtype) {
            let (passed, detail) = verdict(rule.id, v, audits.get(&address.block()).map(Vec::as_slice).unwrap_or(&[]));
            findings.push(Finding { check_id: rule.id, address: address.clone(), passed, detail });
        }
    }
    findings.sort_by(|a, b| (a.check_id, &a.address).cmp(&(b.check_id, &b.address)));
    Ok(findings)
}

fn verdict(id: &str, v: &BTreeMap<String, Value>, audits: &[&BTreeMap<String, Value>]) -> (bool, String) {
    let get = |k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    match id {
        "CKV_AZURE_113" => match get("public_network_access_enabled") {
            Value::Bool(false) => (true, "public_network_access_enabled = false".into()),
            Value::Null => (false, "public_network_access_enabled is not set, and Azure's default is true".into()),
            other => (false, format!("public_network_access_enabled = {other}")),
        },
        "CKV_AZURE_52" => match get("minimum_tls_version") {
            Value::Str(s) if s == "1.2" => (true, "minimum_tls_version = \"1.2\"".into()),
            Value::Null => {
                (false, "minimum_tls_version is not written in the code (the provider's default is 1.2)".into())
            }
            other => (false, format!("minimum_tls_version = {other}")),
        },
        "CKV_AZURE_23" => match audits.len() {
            0 => (false, "no azurerm_mssql_server_extended_auditing_policy refers to this server".into()),
            n => (
                true,
                format!(
                    "{n} auditing polic{} refer{} to this server",
                    if n == 1 { "y" } else { "ies" },
                    if n == 1 { "s" } else { "" }
                ),
            ),
        },
        "CKV_AZURE_24" => {
            let days: Vec<f64> = audits
                .iter()
                .filter_map(|a| match a.get("retention_in_days") {
                    Some(Value::Num(d)) => Some(*d),
                    _ => None,
                })
                .collect();
            match days.iter().copied().fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d)))) {
                Some(d) if d >= 90.0 => (true, format!("auditing keeps logs {d} days")),
                Some(d) => (false, format!("auditing keeps logs {d} days, fewer than 90")),
                None => (false, "no auditing policy sets retention_in_days".into()),
            }
        }
        "CKV_AZURE_11" => {
            let any = matches!(get("start_ip_address").as_str(), Some("0.0.0.0" | "0.0.0.0/0"))
                && get("end_ip_address").as_str() == Some("255.255.255.255");
            if any {
                (false, "the rule admits every IPv4 address".into())
            } else {
                (true, format!("{} to {}", get("start_ip_address"), get("end_ip_address")))
            }
        }
        "CKV2_AZURE_34" => {
            let azure = get("start_ip_address").as_str() == Some("0.0.0.0")
                && get("end_ip_address").as_str() == Some("0.0.0.0");
            if azure {
                (false, "0.0.0.0-0.0.0.0 lets every Azure service, of any customer, reach the server".into())
            } else {
                (true, "not the 0.0.0.0-0.0.0.0 rule".into())
            }
        }
        _ => (false, format!("unknown rule {id}")),
    }
}

/// The findings as a table: rule, instance, verdict, why.
pub fn table(findings: &[Finding]) -> Result<Table> {
    let mut table = Table::new(["check", "rule", "instance", "verdict", "why"]).max_rows(0);
    for f in findings {
        let title = RULES.iter().find(|r| r.id == f.check_id).map(|r| r.title).unwrap_or("");
        table.push_row([
            f.check_id,
            title,
            &f.address.to_string(),
            if f.passed { "PASSED" } else { "FAILED" },
            &f.detail,
        ])?;
    }
    Ok(table)
}
