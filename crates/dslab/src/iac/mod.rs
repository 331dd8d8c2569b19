//! Infrastructure as Code without a cloud account: the article's Terraform and Pulumi samples
//! (an Azure resource group, an Azure SQL server and a database) as typed, checked, runnable Rust.
//!
//! The pieces follow the way Terraform works:
//!
//! * [`Config`] is the code: [`Resource`]s of the azurerm provider's real types
//!   ([`ResourceType`]) with its argument names, [`Variable`]s and [`Output`]s. [`Config::check`]
//!   refuses what Terraform or Azure would refuse (a bad name, a missing argument, a reference
//!   to nothing, a cycle), naming the resource and the argument.
//! * [`Config::to_hcl`] and [`Config::to_json`] write it as `main.tf` and `main.tf.json`.
//! * [`Stack`] builds the same thing the Pulumi way: a program that adds resources one call at
//!   a time (in loops, with functions) and ends in the same declarative configuration.
//! * [`Graph`] holds the dependencies: the creation order, the destruction order and the waves
//!   of resources that can be created in parallel, drawn as SVG.
//! * [`State`] is what Terraform believes exists (a JSON file); [`Plan`] compares the code
//!   with the state after reading the real resources from a [`SimulatedAzure`], a local,
//!   clearly labelled stand-in for the cloud (nothing here touches the network), and prints
//!   the plan in Terraform's own words and symbols. [`Plan::apply`] carries it out.
//! * [`policy`] checks security rules on the code before anything is created, with the
//!   check IDs of the `checkov` scanner; [`tools`] lists the other tools of the article and
//!   writes the same resources as an ARM template.
//!
//! ```
//! use dslab::iac::{Config, Expr, Output, Resource, ResourceType};
//! # fn main() -> dslab::Result<()> {
//! let config = Config::new()
//!     .resource(Resource::new(ResourceType::ResourceGroup, "example").arg("name", "example-resources").arg("location", "West Europe"))
//!     .output(Output::new("group_id", Expr::reference("azurerm_resource_group.example.id")?));
//! config.check()?;
//! assert!(config.to_hcl()?.contains("resource \"azurerm_resource_group\" \"example\" {"));
//! let bad = Config::new().resource(Resource::new(ResourceType::ResourceGroup, "example").arg("name", "rg."));
//! assert!(bad.check().unwrap_err().to_string().contains("location"));
//! # Ok(())
//! # }
//! ```

mod apply;
mod config;
mod eval;
mod graph;
mod json;
mod names;
mod plan;
mod plan_text;
pub mod policy;
mod provider;
mod render;
mod schema;
mod stack;
mod state;
pub mod tools;
mod value;

pub use apply::ApplyReport;
pub use config::{Config, Output, Resource, Variable, Vars};
pub use graph::{Graph, GraphFigure};
pub use names::{LOCATIONS, SkuInfo, normalize_location, sku_info};
pub use plan::{Action, Change, Drift, Plan};
pub use provider::{SUBSCRIPTION_ID, SimulatedAzure};
pub use schema::ResourceType;
pub use stack::{Handle, Stack};
pub use state::State;
pub use value::{Address, Expr, Reference, Value};

/// The provider version constraint written into `required_providers`.
pub const AZURERM_VERSION: &str = "~> 4.0";

/// The most instances one configuration may expand to (resources times `for_each` keys): a
/// bound on memory and drawing size, far above any classroom example.
pub const MAX_INSTANCES: usize = 1000;
