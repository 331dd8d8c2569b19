//! dslab::iac against references: the generated `main.tf` / `main.tf.json` files reproduce the
//! committed fixtures byte for byte, python-hcl2 parses the HCL into the same structure as the
//! JSON syntax, the policy verdicts equal checkov's on the same files (both from
//! tests/fixtures/iac/make_fixtures.py), and plans follow the azurerm provider's documented
//! behaviour (which arguments force a new resource, defaults, drift, import).
#![cfg(feature = "iac")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dslab::iac::{
    Action, Config, Expr, Graph, Output, Plan, Resource, ResourceType as T, SimulatedAzure, Stack, State, Value,
    Variable, Vars, policy, tools,
};

const PASSWORD: &str = "Correct-Horse-9-Battery";

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iac")
}

fn r(text: &str) -> Expr {
    Expr::reference(text).unwrap()
}

/// The article's `main.tf`: a resource group, a SQL server and a database, the server's FQDN
/// as output; the password moved out of the code into a sensitive variable.
fn article() -> Config {
    Config::new()
        .variable(Variable::new("administrator_login_password").description("SQL administrator password").sensitive())
        .resource(
            Resource::new(T::ResourceGroup, "example").arg("name", "example-resources").arg("location", "West Europe"),
        )
        .resource(
            Resource::new(T::MssqlServer, "example")
                .arg("name", "example-sqlserver")
                .arg("resource_group_name", r("azurerm_resource_group.example.name"))
                .arg("location", r("azurerm_resource_group.example.location"))
                .arg("version", "12.0")
                .arg("administrator_login", "sqladmin")
                .arg("administrator_login_password", Expr::var("administrator_login_password")),
        )
        .resource(
            Resource::new(T::MssqlDatabase, "example")
                .arg("name", "example-db")
                .arg("server_id", r("azurerm_mssql_server.example.id"))
                .arg("sku_name", "S0")
                .arg("max_size_gb", 2),
        )
        .output(
            Output::new("sql_server_fqdn", r("azurerm_mssql_server.example.fully_qualified_domain_name"))
                .description("The address clients connect to"),
        )
}

/// One database per environment with Terraform's `for_each`.
fn environments() -> Config {
    article()
        .edit("azurerm_mssql_database.example", |db| {
            db.for_each(&["dev", "staging", "prod"])
                .arg("name", Expr::template("example-db-${each.key}").unwrap())
                .arg("tags", Expr::map([("environment", Expr::EachKey), ("note", Expr::from("costs ${x} \"quoted\""))]))
        })
        .unwrap()
}

/// Version 2 of the article's code: a larger SKU, a renamed database, a firewall rule.
fn version2() -> Config {
    article()
        .edit("azurerm_mssql_database.example", |db| db.arg("sku_name", "S1").arg("name", "example-db-v2"))
        .unwrap()
        .resource(
            Resource::new(T::MssqlFirewallRule, "office")
                .arg("name", "office")
                .arg("server_id", r("azurerm_mssql_server.example.id"))
                .arg("start_ip_address", "203.0.113.0")
                .arg("end_ip_address", "203.0.113.255"),
        )
}

/// Security written down: no public access, TLS 1.2, auditing kept 90 days.
fn hardened() -> Config {
    article()
        .edit("azurerm_mssql_server.example", |s| {
            s.arg("public_network_access_enabled", false).arg("minimum_tls_version", "1.2")
        })
        .unwrap()
        .resource(
            Resource::new(T::MssqlServerAuditing, "example")
                .arg("server_id", r("azurerm_mssql_server.example.id"))
                .arg("retention_in_days", 90),
        )
}

/// Everything a reviewer should refuse.
fn insecure() -> Config {
    let rule = |name: &str, start: &str, end: &str| {
        Resource::new(T::MssqlFirewallRule, name)
            .arg("name", name)
            .arg("server_id", r("azurerm_mssql_server.example.id"))
            .arg("start_ip_address", start)
            .arg("end_ip_address", end)
    };
    article()
        .edit("azurerm_mssql_server.example", |s| s.arg("public_network_access_enabled", true))
        .unwrap()
        .resource(rule("anyone", "0.0.0.0", "255.255.255.255"))
        .resource(rule("azure_services", "0.0.0.0", "0.0.0.0"))
        .resource(
            Resource::new(T::MssqlServerAuditing, "example")
                .arg("server_id", r("azurerm_mssql_server.example.id"))
                .arg("retention_in_days", 30),
        )
}

fn examples() -> Vec<(&'static str, Config)> {
    vec![
        ("article", article()),
        ("environments", environments()),
        ("version2", version2()),
        ("hardened", hardened()),
        ("insecure", insecure()),
    ]
}

/// The text with every run of spaces made one, so checks do not depend on alignment.
fn squash(text: &str) -> String {
    text.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

fn vars() -> Vars {
    Vars::new().set("administrator_login_password", PASSWORD)
}

fn reference() -> serde_json::Value {
    let path = fixture_dir().join("reference.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

// ------------------------------------------------------------------ files and parsers

#[test]
fn generated_files_reproduce_the_committed_fixtures() {
    let bless = std::env::var_os("DSLAB_BLESS_IAC").is_some();
    for (name, config) in examples() {
        let dir = fixture_dir().join(name);
        for (file, text) in
            [("hcl/main.tf", config.to_hcl().unwrap()), ("json/main.tf.json", config.to_json().unwrap())]
        {
            let path = dir.join(file);
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &text).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                text, committed,
                "{name}/{file} differs (DSLAB_BLESS_IAC=1 rewrites it; then rerun make_fixtures.py)"
            );
        }
    }
}

#[test]
fn python_hcl2_reads_the_hcl_as_the_same_structure_as_the_json_syntax() {
    let reference = reference();
    for (name, config) in examples() {
        let example = &reference["examples"][name];
        let ours: serde_json::Value = serde_json::from_str(&config.to_json().unwrap()).unwrap();
        assert_eq!(example["hcl"], ours, "{name}: python-hcl2's reading of main.tf differs from our main.tf.json");
        assert_eq!(example["json"], ours, "{name}: the fixture's main.tf.json is not ours");
    }
    assert!(reference["python_hcl2"].as_str().unwrap().starts_with("8."));
}

fn checkov_verdicts(example: &serde_json::Value, syntax: &str) -> BTreeSet<(String, String, bool)> {
    example[format!("checkov_{syntax}")]
        .as_array()
        .unwrap_or_else(|| panic!("no checkov_{syntax}"))
        .iter()
        .map(|v| {
            (
                v["check_id"].as_str().unwrap().to_string(),
                v["resource"].as_str().unwrap().to_string(),
                v["result"] == "PASSED",
            )
        })
        .collect()
}

#[test]
fn policy_verdicts_agree_with_checkov_on_both_syntaxes() {
    let reference = reference();
    let mut failed_somewhere = BTreeSet::new();
    for (name, config) in examples() {
        let ours: BTreeSet<(String, String, bool)> = policy::evaluate(&config)
            .unwrap()
            .into_iter()
            .map(|f| (f.check_id.to_string(), f.address.to_string(), f.passed))
            .collect();
        for syntax in ["hcl", "json"] {
            let theirs = checkov_verdicts(&reference["examples"][name], syntax);
            assert_eq!(ours, theirs, "{name} ({syntax}): our verdicts vs checkov's");
        }
        failed_somewhere.extend(ours.iter().filter(|v| !v.2).map(|v| v.0.clone()));
    }
    // Every rule fails on some example, so each comparison can catch a difference.
    assert_eq!(failed_somewhere.len(), policy::RULES.len(), "{failed_somewhere:?}");
    assert!(policy::evaluate(&hardened()).unwrap().iter().all(|f| f.passed));
}

#[test]
fn files_land_in_separate_folders() {
    let dir = std::env::temp_dir().join(format!("dslab-iac-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let tf = article().write_hcl(&dir).unwrap();
    assert!(tf.ends_with("main.tf") && std::fs::read_to_string(&tf).unwrap().contains("azurerm_mssql_server"));
    let err = article().write_json(&dir).unwrap_err().to_string();
    assert!(err.contains("main.tf") && err.contains("twice"), "{err}");
    assert!(article().write_json(dir.join("json")).is_ok());
    std::fs::remove_dir_all(&dir).unwrap();
}

// ------------------------------------------------------------------ invalid configurations

fn error_of(config: Config) -> String {
    config.check().unwrap_err().to_string()
}

#[test]
fn invalid_configurations_are_refused_with_the_place_and_the_rule() {
    let bad_server = article().edit("azurerm_mssql_server.example", |s| s.arg("name", "Example_SQL")).unwrap();
    let err = error_of(bad_server);
    assert!(err.contains("`azurerm_mssql_server.example` argument `name`") && err.contains("lowercase"), "{err}");

    let missing = article().edit("azurerm_mssql_server.example", |s| s.without("version")).unwrap();
    let err = error_of(missing);
    assert!(err.contains("required argument `version`"), "{err}");

    let typo = article().edit("azurerm_mssql_database.example", |d| d.arg("sku", "S0")).unwrap();
    let err = error_of(typo);
    assert!(err.contains("no such argument") && err.contains("sku_name"), "{err}");

    let undeclared = article()
        .edit("azurerm_mssql_database.example", |d| d.arg("server_id", r("azurerm_mssql_server.other.id")))
        .unwrap();
    let err = error_of(undeclared);
    assert!(err.contains("azurerm_mssql_server.other") && err.contains("not declared"), "{err}");

    let wrong_target = article()
        .edit("azurerm_mssql_database.example", |d| d.arg("server_id", r("azurerm_resource_group.example.id")))
        .unwrap();
    let err = error_of(wrong_target);
    assert!(err.contains("must refer to azurerm_mssql_server.NAME.id"), "{err}");

    let cyclic = article()
        .edit("azurerm_resource_group.example", |g| {
            g.arg("tags", Expr::map([("server", r("azurerm_mssql_server.example.name"))]))
        })
        .unwrap();
    let err = error_of(cyclic);
    assert!(
        err.contains("dependency cycle")
            && err.contains("azurerm_resource_group.example -> azurerm_mssql_server.example"),
        "{err}"
    );

    let region = article().edit("azurerm_resource_group.example", |g| g.arg("location", "Atlantis")).unwrap();
    assert!(error_of(region).contains("not an Azure region"));
    let sku = article().edit("azurerm_mssql_database.example", |d| d.arg("sku_name", "S5")).unwrap();
    assert!(error_of(sku).contains("not a SQL database SKU"));
    let kind = article().edit("azurerm_mssql_database.example", |d| d.arg("max_size_gb", "two")).unwrap();
    assert!(error_of(kind).contains("must be a number"));
    let clash = article().edit("azurerm_mssql_database.example", |d| d.for_each(&["dev", "prod"])).unwrap();
    assert!(error_of(clash).contains("same Azure object"));
    let each = article()
        .edit("azurerm_mssql_database.example", |d| d.arg("name", Expr::template("db-${each.key}").unwrap()))
        .unwrap();
    assert!(error_of(each).contains("only defined in a resource with for_each"));
    let var = article()
        .edit("azurerm_mssql_server.example", |s| s.arg("administrator_login_password", Expr::var("pw")))
        .unwrap();
    assert!(error_of(var).contains("undeclared variable"));
    let leak =
        article().output(Output::new("password", r("azurerm_mssql_server.example.administrator_login_password")));
    assert!(error_of(leak).contains("marked sensitive"));
    let computed =
        article().edit("azurerm_mssql_server.example", |s| s.arg("fully_qualified_domain_name", "x")).unwrap();
    assert!(error_of(computed).contains("set by Azure"));
    let keyless = environments().output(Output::new("db", r("azurerm_mssql_database.example.id")));
    assert!(error_of(keyless).contains("azurerm_mssql_database.example[\"dev\"]"));
}

// ------------------------------------------------------------------ the Pulumi way and the graph

fn pulumi_program(envs: &[&str]) -> dslab::Result<Config> {
    let mut stack = Stack::new("dev");
    let password = stack.secret("administrator_login_password")?;
    let group = stack.add(
        Resource::new(T::ResourceGroup, "example").arg("name", "example-resources").arg("location", "West Europe"),
    )?;
    let server = stack.add(
        Resource::new(T::MssqlServer, "example")
            .arg("name", "example-sqlserver")
            .arg("resource_group_name", group.output("name")?)
            .arg("location", group.output("location")?)
            .arg("version", "12.0")
            .arg("administrator_login", "sqladmin")
            .arg("administrator_login_password", password),
    )?;
    for env in envs {
        stack.add(
            Resource::new(T::MssqlDatabase, &format!("db_{env}"))
                .arg("name", format!("example-db-{env}"))
                .arg("server_id", server.id())
                .arg("sku_name", "S0")
                .arg("max_size_gb", 2)
                .arg("tags", Expr::map([("environment", *env), ("note", "costs ${x} \"quoted\"")])),
        )?;
    }
    stack.export("sql_server_fqdn", server.output("fully_qualified_domain_name")?)?;
    Ok(stack.config().clone())
}

#[test]
fn a_loop_in_a_program_gives_the_same_graph_and_infrastructure_as_for_each() {
    let terraform = environments();
    let pulumi = pulumi_program(&["dev", "staging", "prod"]).unwrap();
    let (tg, pg) = (Graph::new(&terraform).unwrap(), Graph::new(&pulumi).unwrap());
    assert_eq!(tg.azure_edges(&terraform).unwrap(), pg.azure_edges(&pulumi).unwrap());
    assert_eq!(tg.waves().iter().map(Vec::len).collect::<Vec<_>>(), vec![1, 1, 3]);
    let (mut ct, mut cp) = (SimulatedAzure::new(), SimulatedAzure::new());
    let (mut st, mut sp) = (State::new(), State::new());
    Plan::new(&terraform, &vars(), &st, &ct).unwrap().apply(&mut st, &mut ct).unwrap();
    let pulumi_plan = Plan::new(&pulumi, &vars(), &sp, &cp).unwrap();
    assert_eq!(pulumi_plan.counts(), (5, 0, 0));
    pulumi_plan.apply(&mut sp, &mut cp).unwrap();
    assert!(ct.same_resources(&cp) && ct.len() == 5);
    // A mistake is refused at the call that makes it, and the stack stays as it was.
    let mut stack = Stack::new("dev");
    let err = stack.add(Resource::new(T::ResourceGroup, "rg").arg("name", "rg").arg("location", "Mars")).unwrap_err();
    assert!(err.to_string().contains("not an Azure region") && stack.config().resources().is_empty());
    let group =
        stack.add(Resource::new(T::ResourceGroup, "rg").arg("name", "rg").arg("location", "westeurope")).unwrap();
    assert!(group.output("fqdn").unwrap_err().to_string().contains("has id, location, name, tags"));
}

#[test]
fn creation_order_destruction_order_and_waves() {
    let config = version2();
    let graph = Graph::new(&config).unwrap();
    let order: Vec<String> = graph.order().iter().map(|a| a.to_string()).collect();
    assert_eq!(
        order,
        [
            "azurerm_resource_group.example",
            "azurerm_mssql_server.example",
            "azurerm_mssql_database.example",
            "azurerm_mssql_firewall_rule.office"
        ]
    );
    assert_eq!(graph.destroy_order().first().unwrap().to_string(), "azurerm_mssql_firewall_rule.office");
    assert_eq!(graph.waves()[2].len(), 2);
    let figure = graph.figure("version 2", &config, None).unwrap();
    assert!(figure.svg().contains("example-sqlserver") && figure.svg().matches("marker-end").count() == 3);
    let doc = roxmltree::Document::parse(figure.svg()).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "svg");
}

// ------------------------------------------------------------------ plan, apply, state

#[test]
fn the_first_plan_creates_everything_and_a_second_apply_changes_nothing() {
    let (mut cloud, mut state) = (SimulatedAzure::new(), State::new());
    let plan = Plan::new(&article(), &vars(), &state, &cloud).unwrap();
    let text = squash(&plan.to_string());
    assert_eq!(plan.counts(), (3, 0, 0));
    for line in [
        "  + create",
        "  # azurerm_mssql_server.example will be created",
        "+ administrator_login_password = (sensitive value)",
        "+ fully_qualified_domain_name = (known after apply)",
        "+ location = \"westeurope\"",
        "+ server_id = (known after apply)",
        "Plan: 3 to add, 0 to change, 0 to destroy.",
        "+ sql_server_fqdn = (known after apply)",
    ] {
        assert!(text.contains(&squash(line)), "missing {line:?} in\n{text}");
    }
    assert!(!text.contains(PASSWORD));
    let report = plan.apply(&mut state, &mut cloud).unwrap();
    assert_eq!((report.added, state.serial()), (3, 1));
    assert_eq!(report.log[0], "azurerm_resource_group.example: Creating...");
    assert_eq!(state.output("sql_server_fqdn"), Some(&Value::from("example-sqlserver.database.windows.net")));
    // The state holds the password in plain text, as the provider's documentation warns.
    assert!(state.to_json().contains(PASSWORD));
    let again = Plan::new(&article(), &vars(), &state, &cloud).unwrap();
    assert!(
        again.is_empty() && again.to_string().contains("No changes. Your infrastructure matches the configuration.")
    );
    assert_eq!(again.apply(&mut state, &mut cloud).unwrap().added, 0);
    assert_eq!(state.serial(), 1, "an apply that changes nothing does not write the state");
    // A plan made against an older state is refused.
    let stale = Plan::new(&version2(), &vars(), &State::new(), &cloud).unwrap();
    assert!(stale.apply(&mut state, &mut cloud).unwrap_err().to_string().contains("serial"));
}

#[test]
fn version_two_updates_the_sku_replaces_the_renamed_database_and_adds_the_rule() {
    let (mut cloud, mut state) = (SimulatedAzure::new(), State::new());
    Plan::new(&article(), &vars(), &state, &cloud).unwrap().apply(&mut state, &mut cloud).unwrap();
    let plan = Plan::new(&version2(), &vars(), &state, &cloud).unwrap();
    assert_eq!(plan.action_of("azurerm_mssql_database.example").unwrap(), Action::Replace);
    assert_eq!(plan.action_of("azurerm_mssql_firewall_rule.office").unwrap(), Action::Create);
    assert_eq!(plan.action_of("azurerm_mssql_server.example").unwrap(), Action::NoOp);
    assert_eq!(plan.counts(), (2, 0, 1));
    let text = squash(&plan.to_string());
    for line in [
        "-/+ destroy and then create replacement",
        "# azurerm_mssql_database.example must be replaced",
        "~ name = \"example-db\" -> \"example-db-v2\" # forces replacement",
        "~ sku_name = \"S0\" -> \"S1\"\n",
        "~ id = \"/subscriptions/",
        "~ collation = \"SQL_Latin1_General_CP1_CI_AS\" -> (known after apply)",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    plan.apply(&mut state, &mut cloud).unwrap();
    assert_eq!(cloud.attribute("example-db-v2", "sku_name").unwrap(), Value::from("S1"));
    assert!(cloud.attribute("example-db", "sku_name").is_err());
    // Only the SKU: an update in place.
    let bigger = version2().edit("azurerm_mssql_database.example", |d| d.arg("sku_name", "S2")).unwrap();
    let plan = Plan::new(&bigger, &vars(), &state, &cloud).unwrap();
    assert_eq!((plan.action_of("azurerm_mssql_database.example").unwrap(), plan.counts()), (Action::Update, (0, 1, 0)));
    assert!(plan.to_string().contains("# azurerm_mssql_database.example will be updated in-place"));
    // With prevent_destroy, the renaming plan is refused.
    let guarded = |c: Config| c.edit("azurerm_mssql_database.example", |d| d.prevent_destroy()).unwrap();
    let (mut c2, mut s2) = (SimulatedAzure::new(), State::new());
    Plan::new(&guarded(article()), &vars(), &s2, &c2).unwrap().apply(&mut s2, &mut c2).unwrap();
    let err = Plan::new(&guarded(version2()), &vars(), &s2, &c2).unwrap_err().to_string();
    assert!(err.contains("prevent_destroy") && err.contains("name"), "{err}");
    // Moving the group to another region replaces everything, in dependency order.
    let moved = version2().edit("azurerm_resource_group.example", |g| g.arg("location", "North Europe")).unwrap();
    let plan = Plan::new(&moved, &vars(), &state, &cloud).unwrap();
    assert_eq!(plan.counts(), (4, 0, 4));
    let report = plan.apply(&mut state, &mut cloud).unwrap();
    let first_destroy = report.log.iter().position(|l| l.contains("Destroying")).unwrap();
    assert!(
        report.log[first_destroy].starts_with("azurerm_mssql_database")
            || report.log[first_destroy].starts_with("azurerm_mssql_firewall_rule")
    );
}

#[test]
fn drift_is_found_and_undone() {
    let (mut cloud, mut state) = (SimulatedAzure::new(), State::new());
    let config = hardened();
    Plan::new(&config, &vars(), &state, &cloud).unwrap().apply(&mut state, &mut cloud).unwrap();
    cloud.change_by_hand("example-sqlserver", "public_network_access_enabled", true).unwrap();
    cloud.change_by_hand("example-db", "sku_name", "S3").unwrap();
    assert!(cloud.change_by_hand("example-db", "name", "x").unwrap_err().to_string().contains("cannot change `name`"));
    let plan = Plan::new(&config, &vars(), &state, &cloud).unwrap();
    assert_eq!(plan.drift().len(), 2);
    assert_eq!(plan.counts(), (0, 2, 0));
    let text = squash(&plan.to_string());
    assert!(text.contains("Note: Objects have changed outside of Terraform"), "{text}");
    assert!(text.contains("~ public_network_access_enabled = true -> false"), "{text}");
    assert!(text.contains("~ sku_name = \"S0\" -> \"S3\""), "{text}");
    assert!(text.contains("~ sku_name = \"S3\" -> \"S0\""), "{text}");
    plan.apply(&mut state, &mut cloud).unwrap();
    assert_eq!(cloud.attribute("example-sqlserver", "public_network_access_enabled").unwrap(), Value::Bool(false));
    // Deleted by hand: the next plan creates it again.
    cloud.delete_by_hand("example-db").unwrap();
    let plan = Plan::new(&config, &vars(), &state, &cloud).unwrap();
    assert_eq!(plan.action_of("azurerm_mssql_database.example").unwrap(), Action::Create);
    assert!(plan.to_string().contains("# azurerm_mssql_database.example has been deleted"));
    // A firewall rule on a closed server is refused by Azure at apply time.
    let rule = config.clone().resource(
        Resource::new(T::MssqlFirewallRule, "office")
            .arg("name", "office")
            .arg("server_id", r("azurerm_mssql_server.example.id"))
            .arg("start_ip_address", "203.0.113.0")
            .arg("end_ip_address", "203.0.113.255"),
    );
    let err = Plan::new(&rule, &vars(), &state, &cloud).unwrap().apply(&mut state, &mut cloud).unwrap_err().to_string();
    assert!(err.contains("public network access") && err.contains("azurerm_mssql_firewall_rule.office"), "{err}");
    assert!(
        state.attribute("azurerm_mssql_database.example", "id").is_ok(),
        "the database made before the failure is recorded"
    );
}

#[test]
fn disaster_recovery_from_code_and_from_import() {
    let (mut cloud, mut state) = (SimulatedAzure::new(), State::new());
    let config = version2();
    Plan::new(&config, &vars(), &state, &cloud).unwrap().apply(&mut state, &mut cloud).unwrap();
    let before = state.clone();
    // The region is lost: everything is recreated from the code, identical.
    assert_eq!(cloud.lose_region("westeurope"), 4);
    let plan = Plan::new(&config, &vars(), &state, &cloud).unwrap();
    assert_eq!((plan.counts(), plan.drift().len()), ((4, 0, 0), 4));
    plan.apply(&mut state, &mut cloud).unwrap();
    assert!(state.same_resources(&before));
    // The state file is lost: creating again fails, importing brings the resources back.
    let mut lost = State::new();
    let err = Plan::new(&config, &vars(), &lost, &cloud).unwrap().apply(&mut lost, &mut cloud).unwrap_err().to_string();
    assert!(err.contains("already exists") && err.contains("imported"), "{err}");
    let mut fresh = State::new();
    for address in config.instances() {
        let id = before.attribute(&address.to_string(), "id").unwrap().as_str().unwrap().to_string();
        fresh.import(&config, &cloud, &address.to_string(), &id).unwrap();
    }
    assert!(
        fresh
            .import(&config, &cloud, "azurerm_resource_group.example", "x")
            .unwrap_err()
            .to_string()
            .contains("already managed")
    );
    let plan = Plan::new(&config, &vars(), &fresh, &cloud).unwrap();
    // Azure never returns the password, so the imported server gets it set again.
    assert_eq!(plan.counts(), (0, 1, 0));
    assert!(squash(&plan.to_string()).contains("+ administrator_login_password = (sensitive value)"), "{plan}");
    plan.apply(&mut fresh, &mut cloud).unwrap();
    assert!(Plan::new(&config, &vars(), &fresh, &cloud).unwrap().counts() == (0, 0, 0));
    // terraform destroy removes everything, dependents first.
    let destroy = Plan::destroy(&fresh, &cloud).unwrap();
    assert_eq!(destroy.counts(), (0, 0, 4));
    let report = destroy.apply(&mut fresh, &mut cloud).unwrap();
    assert!(
        cloud.is_empty()
            && fresh.is_empty()
            && report.log.last().unwrap().starts_with("azurerm_resource_group.example")
    );
}

#[test]
fn the_state_file_round_trips_and_malformed_files_are_named() {
    let (mut cloud, mut state) = (SimulatedAzure::new(), State::new());
    Plan::new(&environments(), &vars(), &state, &cloud).unwrap().apply(&mut state, &mut cloud).unwrap();
    let dir = std::env::temp_dir().join(format!("dslab-iac-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("terraform.tfstate");
    state.save(&path).unwrap();
    let back = State::load(&path).unwrap();
    assert_eq!(back, state);
    assert!(state.to_json().contains("\"index_key\": \"staging\""));
    for (text, expect) in [
        ("{\"version\": 3}", "field `version`"),
        ("{\"version\": 4, \"lineage\": \"x\", \"serial\": -1}", "field `serial`"),
        (
            "{\"version\": 4, \"lineage\": \"x\", \"serial\": 1, \"resources\": [{\"mode\": \"managed\", \"type\": \"aws_instance\"}]}",
            "resources[0].type",
        ),
        ("{\"version\": 4,", "line 1"),
    ] {
        std::fs::write(&path, text).unwrap();
        let err = State::load(&path).unwrap_err().to_string();
        assert!(err.contains(expect) && err.contains("terraform.tfstate"), "{text}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(State::load(dir.join("missing.tfstate")).unwrap_err().to_string().contains("cannot open"));
    let missing = Plan::new(&article(), &Vars::new(), &State::new(), &cloud).unwrap_err().to_string();
    assert!(missing.contains("variable `administrator_login_password`") && missing.contains("no value"), "{missing}");
}

#[test]
fn the_tools_table_and_the_arm_template() {
    assert!(tools::landscape().unwrap().rows().len() >= 12);
    let arm = tools::arm_template(&version2()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&arm).unwrap();
    let resources = json["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 3, "the resource group is the deployment's scope, not a resource in it");
    assert_eq!(resources[1]["name"], "example-sqlserver/example-db-v2");
    assert_eq!(resources[1]["sku"]["name"], "S1");
    assert_eq!(
        resources[0]["properties"]["administratorLoginPassword"],
        "[parameters('administrator_login_password')]"
    );
    assert!(resources[2]["dependsOn"][0].as_str().unwrap().contains("'example-sqlserver'"));
    let audited = tools::arm_template(&hardened()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&audited).unwrap();
    assert_eq!(json["resources"][2]["properties"]["state"], "Enabled");
    assert_eq!(json["resources"][2]["properties"]["retentionDays"], 90);
}

#[test]
fn more_refusals_name_what_is_wrong() {
    let group = || Resource::new(T::ResourceGroup, "g").arg("name", "g").arg("location", "westeurope");
    let cases: Vec<(Config, &str)> = vec![
        (Config::new().variable(Variable::new("p")).variable(Variable::new("p")), "variable `p`: declared twice"),
        (Config::new().resource(group()).resource(group()), "`azurerm_resource_group.g`: declared twice"),
        (Config::new().resource(Resource::new(T::ResourceGroup, "1g")), "`1g` is not a Terraform name"),
        (Config::new().resource(group().for_each::<&str>(&[])), "no keys"),
        (
            Config::new().resource(group().for_each(&["a", "a"]).arg("name", Expr::template("g-${each.key}").unwrap())),
            "repeated",
        ),
        (
            article().output(Output::new("x", r("azurerm_mssql_database.example[\"dev\"].id"))),
            "has no for_each, so no keys",
        ),
        (
            environments().output(Output::new("x", r("azurerm_mssql_database.example[\"qa\"].id"))),
            "\"qa\" is not among",
        ),
        (article().output(Output::new("o", r("azurerm_mssql_server.example.fqdn"))), "has no attribute `fqdn`"),
        (
            article().output(Output::new("o", Expr::from(1))).output(Output::new("o", Expr::from(2))),
            "output `o`: declared twice",
        ),
        (
            article().edit("azurerm_resource_group.example", |g| g.arg("tags", Expr::map([("a/b", "x")]))).unwrap(),
            "tag name",
        ),
        (
            hardened()
                .edit("azurerm_mssql_server_extended_auditing_policy.example", |a| a.arg("retention_in_days", 4000))
                .unwrap(),
            "3285",
        ),
        (
            Config::new().resource(group().for_each(&(0..1001).map(|i| i.to_string()).collect::<Vec<_>>())),
            "more than 1000",
        ),
    ];
    for (config, expect) in cases {
        let err = error_of(config);
        assert!(err.contains(expect), "expected {expect:?} in {err:?}");
    }
    assert!(article().edit("azurerm_mssql_server.nope", |s| s).unwrap_err().to_string().contains("no such resource"));
    assert!(article().remove("azurerm_mssql_server.nope").unwrap_err().to_string().contains("no such resource"));
    assert!(Expr::template("${var.1x}").unwrap_err().to_string().contains("not a Terraform name"));
    let extra = vars().set("typo", "x");
    let err = Plan::new(&article(), &extra, &State::new(), &SimulatedAzure::new()).unwrap_err().to_string();
    assert!(err.contains("variable `typo`") && err.contains("declares no such variable"), "{err}");
    let mut stack = Stack::new("s");
    assert!(stack.add(group().for_each(&["a"])).unwrap_err().to_string().contains("write a loop"));

    // Import and hand changes check what they are given.
    let (mut cloud, mut state) = (SimulatedAzure::new(), State::new());
    Plan::new(&article(), &vars(), &state, &cloud).unwrap().apply(&mut state, &mut cloud).unwrap();
    let server_id = state.attribute("azurerm_mssql_server.example", "id").unwrap().as_str().unwrap().to_string();
    let mut empty = State::new();
    let err = empty.import(&article(), &cloud, "azurerm_mssql_server.other", &server_id).unwrap_err().to_string();
    assert!(err.contains("declares no such resource"), "{err}");
    let err = empty.import(&article(), &cloud, "azurerm_mssql_database.example", &server_id).unwrap_err().to_string();
    assert!(err.contains("is a azurerm_mssql_server, not a azurerm_mssql_database"), "{err}");
    let err =
        empty.import(&article(), &cloud, "azurerm_mssql_server.example", "/subscriptions/x").unwrap_err().to_string();
    assert!(err.contains("non-existent remote object"), "{err}");
    let err = cloud.change_by_hand("example-db", "sku_name", "S5").unwrap_err().to_string();
    assert!(err.contains("not a SQL database SKU"), "{err}");
    assert!(
        cloud.change_by_hand("no-such-thing", "sku_name", "S1").unwrap_err().to_string().contains("\"no-such-thing\"")
    );
    assert!(
        state
            .attribute("azurerm_mssql_server.nope", "id")
            .unwrap_err()
            .to_string()
            .contains("records no such instance")
    );
}

#[test]
fn leaving_hyperscale_replaces_the_database_and_entering_it_does_not() {
    let (mut cloud, mut state) = (SimulatedAzure::new(), State::new());
    let sku = |s: &str| article().edit("azurerm_mssql_database.example", |d| d.arg("sku_name", s)).unwrap();
    Plan::new(&sku("GP_Gen5_2"), &vars(), &state, &cloud).unwrap().apply(&mut state, &mut cloud).unwrap();
    let to_hs = Plan::new(&sku("HS_Gen5_2"), &vars(), &state, &cloud).unwrap();
    assert_eq!(to_hs.action_of("azurerm_mssql_database.example").unwrap(), Action::Update);
    to_hs.apply(&mut state, &mut cloud).unwrap();
    let back = Plan::new(&sku("GP_Gen5_2"), &vars(), &state, &cloud).unwrap();
    assert_eq!(back.action_of("azurerm_mssql_database.example").unwrap(), Action::Replace);
    assert!(squash(&back.to_string()).contains("~ sku_name = \"HS_Gen5_2\" -> \"GP_Gen5_2\" # forces replacement"));
}
