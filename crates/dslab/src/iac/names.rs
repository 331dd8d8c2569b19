//! The values Azure accepts: resource names, regions, database SKUs, IP addresses, tags.

use super::value::Value;

/// `Ok`, or why the value is refused.
pub(crate) type Verdict = std::result::Result<(), String>;

pub(crate) fn one_of(value: &Value, allowed: &[&str]) -> Verdict {
    match value.as_str() {
        Some(s) if allowed.contains(&s) => Ok(()),
        _ => Err(format!(
            "{value} is not one of {}",
            allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

pub(crate) fn check_group_name(v: &Value) -> Verdict {
    let s = text(v);
    let n = s.chars().count();
    if n == 0 || n > 90 {
        return Err(format!("{v} has {n} characters; a resource group name has 1 to 90"));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_alphanumeric() || "_-.()".contains(*c))) {
        return Err(format!(
            "{v} contains `{c}`; a resource group name allows letters, digits, `_`, `-`, `.`, `(` and `)`"
        ));
    }
    if s.ends_with('.') {
        return Err(format!("{v} ends with `.`, which Azure does not allow for a resource group"));
    }
    Ok(())
}

pub(crate) fn check_server_name(v: &Value) -> Verdict {
    let s = text(v);
    let ok_chars = s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if s.is_empty() || s.len() > 63 || !ok_chars || s.starts_with('-') || s.ends_with('-') {
        return Err(format!(
            "{v} is not a valid SQL server name: use 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen (it becomes part of the address NAME.database.windows.net)"
        ));
    }
    Ok(())
}

const FORBIDDEN: &str = "<>*%&:\\/?";

pub(crate) fn check_database_name(v: &Value) -> Verdict {
    let s = text(v);
    let n = s.chars().count();
    if n == 0 || n > 128 {
        return Err(format!("{v} has {n} characters; a database name has 1 to 128"));
    }
    if let Some(c) = s.chars().find(|c| FORBIDDEN.contains(*c) || c.is_control()) {
        return Err(format!(
            "{v} contains `{}`, which a database name may not contain (none of {FORBIDDEN})",
            c.escape_default()
        ));
    }
    if s.ends_with('.') || s.ends_with(char::is_whitespace) {
        return Err(format!("{v} ends with a period or a space, which Azure does not allow"));
    }
    Ok(())
}

pub(crate) fn check_rule_name(v: &Value) -> Verdict {
    let s = text(v);
    let n = s.chars().count();
    if n == 0 || n > 128 || s.chars().any(|c| FORBIDDEN.contains(c)) || s.ends_with('.') {
        return Err(format!(
            "{v} is not a valid firewall rule name: 1 to 128 characters, none of {FORBIDDEN}, not ending with `.`"
        ));
    }
    Ok(())
}

pub(crate) fn check_ipv4(v: &Value) -> Verdict {
    match text(v).parse::<std::net::Ipv4Addr>() {
        Ok(_) => Ok(()),
        Err(_) => Err(format!("{v} is not an IPv4 address such as \"203.0.113.7\"")),
    }
}

pub(crate) fn check_server_id(v: &Value) -> Verdict {
    let parts: Vec<&str> = text(v).split('/').collect();
    let ok = parts.len() == 9
        && parts[0].is_empty()
        && parts[1] == "subscriptions"
        && parts[3].eq_ignore_ascii_case("resourceGroups")
        && parts[5] == "providers"
        && parts[6].eq_ignore_ascii_case("Microsoft.Sql")
        && parts[7] == "servers"
        && !parts[8].is_empty();
    if ok {
        return Ok(());
    }
    Err(format!(
        "{v} is not a SQL server ID (/subscriptions/…/resourceGroups/…/providers/Microsoft.Sql/servers/NAME); refer to one with azurerm_mssql_server.NAME.id"
    ))
}

pub(crate) fn check_location(v: &Value) -> Verdict {
    let normal = normalize_location(text(v));
    if LOCATIONS.iter().any(|(name, _)| *name == normal) {
        return Ok(());
    }
    let some: Vec<&str> = LOCATIONS.iter().take(6).map(|(_, display)| *display).collect();
    Err(format!("{v} is not an Azure region (for example {}, …)", some.join(", ")))
}

pub(crate) fn check_sku(v: &Value) -> Verdict {
    match sku_info(text(v)) {
        Some(_) => Ok(()),
        None => Err(format!(
            "{v} is not a SQL database SKU: Basic, S0-S12, P1-P15 (DTU) or GP_Gen5_N, GP_S_Gen5_N, BC_Gen5_N, HS_Gen5_N (N vCores)"
        )),
    }
}

pub(crate) fn check_size(v: &Value) -> Verdict {
    match v {
        Value::Num(x) if *x > 0.0 && *x <= 4096.0 => Ok(()),
        _ => Err(format!("{v} GB is outside 0 < size ≤ 4096")),
    }
}

pub(crate) fn check_retention(v: &Value) -> Verdict {
    match v {
        Value::Num(x) if x.fract() == 0.0 && (0.0..=3285.0).contains(x) => Ok(()),
        _ => Err(format!("{v} is not a whole number of days from 0 (keep forever) to 3285")),
    }
}

pub(crate) fn check_tags(v: &Value) -> Verdict {
    let Value::Map(tags) = v else { return Ok(()) };
    if tags.len() > 50 {
        return Err(format!("{} tags; Azure allows at most 50 per resource", tags.len()));
    }
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 512 || key.chars().any(|c| "<>%&\\?/".contains(c)) {
            return Err(format!("tag name \"{key}\" must have 1 to 512 characters and none of <>%&\\?/"));
        }
        match value {
            Value::Str(s) if s.chars().count() <= 256 => {}
            Value::Unknown => {}
            other => return Err(format!("tag \"{key}\" = {other}: a tag value is a string of at most 256 characters")),
        }
    }
    Ok(())
}

/// A location as the azurerm provider stores it: lower case without spaces ("West Europe" →
/// "westeurope"), so both spellings mean the same region and never show as a change.
pub fn normalize_location(location: &str) -> String {
    location.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// Azure regions: the provider's stored name and the display name.
pub const LOCATIONS: [(&str, &str); 40] = [
    ("westeurope", "West Europe"),
    ("northeurope", "North Europe"),
    ("eastus", "East US"),
    ("eastus2", "East US 2"),
    ("westus2", "West US 2"),
    ("uksouth", "UK South"),
    ("centralus", "Central US"),
    ("northcentralus", "North Central US"),
    ("southcentralus", "South Central US"),
    ("westcentralus", "West Central US"),
    ("westus", "West US"),
    ("westus3", "West US 3"),
    ("canadacentral", "Canada Central"),
    ("canadaeast", "Canada East"),
    ("brazilsouth", "Brazil South"),
    ("ukwest", "UK West"),
    ("francecentral", "France Central"),
    ("germanywestcentral", "Germany West Central"),
    ("switzerlandnorth", "Switzerland North"),
    ("norwayeast", "Norway East"),
    ("swedencentral", "Sweden Central"),
    ("polandcentral", "Poland Central"),
    ("italynorth", "Italy North"),
    ("spaincentral", "Spain Central"),
    ("eastasia", "East Asia"),
    ("southeastasia", "Southeast Asia"),
    ("japaneast", "Japan East"),
    ("japanwest", "Japan West"),
    ("koreacentral", "Korea Central"),
    ("australiaeast", "Australia East"),
    ("australiasoutheast", "Australia Southeast"),
    ("centralindia", "Central India"),
    ("southindia", "South India"),
    ("uaenorth", "UAE North"),
    ("southafricanorth", "South Africa North"),
    ("qatarcentral", "Qatar Central"),
    ("israelcentral", "Israel Central"),
    ("mexicocentral", "Mexico Central"),
    ("newzealandnorth", "New Zealand North"),
    ("chilecentral", "Chile Central"),
];

/// What a database SKU buys: its tier and its capacity in DTUs or vCores.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SkuInfo {
    /// "Basic", "Standard", "Premium", "GeneralPurpose", "Serverless", "BusinessCritical", "Hyperscale".
    pub tier: &'static str,
    /// Database transaction units (DTU purchasing model), if that is the model.
    pub dtus: Option<u32>,
    /// Virtual cores (vCore purchasing model), if that is the model.
    pub vcores: Option<u32>,
}

const DTU_SKUS: [(&str, &str, u32); 16] = [
    ("Basic", "Basic", 5),
    ("S0", "Standard", 10),
    ("S1", "Standard", 20),
    ("S2", "Standard", 50),
    ("S3", "Standard", 100),
    ("S4", "Standard", 200),
    ("S6", "Standard", 400),
    ("S7", "Standard", 800),
    ("S9", "Standard", 1600),
    ("S12", "Standard", 3000),
    ("P1", "Premium", 125),
    ("P2", "Premium", 250),
    ("P4", "Premium", 500),
    ("P6", "Premium", 1000),
    ("P11", "Premium", 1750),
    ("P15", "Premium", 4000),
];

/// The tier and capacity of a SQL database SKU name (`S0`, `GP_Gen5_2`), or `None` if Azure
/// has no such SKU.
pub fn sku_info(sku: &str) -> Option<SkuInfo> {
    if let Some((_, tier, dtus)) = DTU_SKUS.iter().find(|(name, _, _)| *name == sku) {
        return Some(SkuInfo { tier, dtus: Some(*dtus), vcores: None });
    }
    let (tier, cores) = [
        ("GP_S_Gen5_", "Serverless"),
        ("GP_Gen5_", "GeneralPurpose"),
        ("BC_Gen5_", "BusinessCritical"),
        ("HS_Gen5_", "Hyperscale"),
    ]
    .iter()
    .find_map(|(prefix, tier)| sku.strip_prefix(prefix).map(|rest| (*tier, rest)))?;
    let cores: u32 = cores.parse().ok().filter(|c| (1..=128).contains(c) && !cores.starts_with('0'))?;
    Some(SkuInfo { tier, dtus: None, vcores: Some(cores) })
}

#[cfg(test)]
mod tests {
    use super::super::schema::ResourceType;
    use super::*;

    fn s(text: &str) -> Value {
        Value::Str(text.to_string())
    }

    #[test]
    fn azure_names_are_checked() {
        assert!(check_server_name(&s("example-sqlserver")).is_ok());
        for bad in ["Example", "-x", "x-", "a_b", "", &"a".repeat(64)] {
            assert!(check_server_name(&s(bad)).unwrap_err().contains("lowercase"), "{bad}");
        }
        assert!(check_group_name(&s("rg-(data).1")).is_ok());
        assert!(check_group_name(&s("rg.")).unwrap_err().contains("ends with"));
        assert!(check_group_name(&s("rg#1")).unwrap_err().contains("`#`"));
        assert!(check_database_name(&s("db?")).unwrap_err().contains("`?`"));
        assert!(check_ipv4(&s("10.0.0.256")).unwrap_err().contains("IPv4"));
        assert!(check_server_id(&s("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Sql/servers/s")).is_ok());
        assert!(check_server_id(&s("s")).unwrap_err().contains("azurerm_mssql_server.NAME.id"));
    }

    #[test]
    fn locations_and_skus() {
        assert_eq!(normalize_location("West Europe"), "westeurope");
        assert!(check_location(&s("West Europe")).is_ok() && check_location(&s("westeurope")).is_ok());
        assert!(check_location(&s("Atlantis")).unwrap_err().contains("not an Azure region"));
        assert_eq!(sku_info("S1"), Some(SkuInfo { tier: "Standard", dtus: Some(20), vcores: None }));
        assert_eq!(sku_info("GP_S_Gen5_2").unwrap().vcores, Some(2));
        assert!(sku_info("S5").is_none() && sku_info("GP_Gen5_0").is_none() && sku_info("GP_Gen5_x").is_none());
        assert!(
            ResourceType::from_name("azurerm_sql_server").unwrap_err().to_string().contains("azurerm_mssql_server")
        );
    }
}
