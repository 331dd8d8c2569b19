//! The Pulumi way: a program in a general-purpose language adds resources one call at a time
//! (in loops, through functions) and ends with a declarative configuration, the same a
//! Terraform file would give.

use super::config::{Config, Output, Resource, Variable};
use super::value::{Address, Expr, Reference};
use crate::error::{Error, Result};

/// A resource added to a [`Stack`]: its outputs are references for the resources added after it.
#[derive(Clone, Debug, PartialEq)]
pub struct Handle {
    address: Address,
}

impl Handle {
    /// The instance's address in the resulting configuration.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// A reference to one of its attributes; an attribute the type does not have is an error
    /// now, where the program asks for it (Pulumi's typed outputs do the same).
    pub fn output(&self, attribute: &str) -> Result<Expr> {
        if !self.address.rtype.has_attribute(attribute) {
            return Err(Error::invalid(
                format!("output `{attribute}` of {}", self.address),
                format!("{} has {}", self.address.rtype, self.address.rtype.attribute_names().join(", ")),
            ));
        }
        Ok(Expr::Ref(Reference { target: self.address.clone(), attribute: attribute.to_string() }))
    }

    /// Its Azure resource ID (known once it is created).
    pub fn id(&self) -> Expr {
        Expr::Ref(Reference { target: self.address.clone(), attribute: "id".into() })
    }
}

/// A Pulumi-style stack: the program's resources, checked as each is added.
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    name: String,
    config: Config,
}

impl Stack {
    /// An empty stack (`dev`, `prod`: one stack per deployment of the same program).
    pub fn new(name: &str) -> Self {
        Stack { name: name.to_string(), config: Config::new() }
    }

    /// The stack's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A secret setting read at deployment time (`pulumi config set --secret NAME`): a
    /// sensitive variable in the resulting configuration.
    pub fn secret(&mut self, name: &str) -> Result<Expr> {
        let candidate = self.config.clone().variable(Variable::new(name).sensitive());
        candidate.check()?;
        self.config = candidate;
        Ok(Expr::var(name))
    }

    /// Adds a resource; an invalid one is refused at once, with the stack unchanged.
    pub fn add(&mut self, resource: Resource) -> Result<Handle> {
        if resource.for_each.is_some() {
            return Err(Error::invalid(
                format!("stack resource `{}`", resource.address()),
                "a program makes one resource per call (write a loop); for_each belongs to Terraform's language",
            ));
        }
        let address = resource.address();
        let candidate = self.config.clone().resource(resource);
        candidate.check()?;
        self.config = candidate;
        Ok(Handle { address })
    }

    /// Exports a value (`pulumi.export`): an output of the configuration.
    pub fn export(&mut self, name: &str, value: Expr) -> Result<()> {
        let candidate = self.config.clone().output(Output::new(name, value));
        candidate.check()?;
        self.config = candidate;
        Ok(())
    }

    /// The declarative configuration the program produced.
    pub fn config(&self) -> &Config {
        &self.config
    }
}
