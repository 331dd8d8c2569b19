//! The dependency graph: which resource must exist before which, the order of creation and
//! destruction, the waves that can run in parallel, and a drawing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use super::config::Config;
use super::eval;
use super::plan::{Action, Plan};
use super::value::{Address, Value};
use crate::error::{Error, Result};
use crate::plot::{self, Rgb};
use crate::table::Table;

/// Resource instances and the references between them, in creation order.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// instance -> the instances it refers to (they must exist first).
    deps: BTreeMap<Address, BTreeSet<Address>>,
    order: Vec<Address>,
    waves: Vec<Vec<Address>>,
}

impl Graph {
    /// The graph of a configuration, after [`Config::check`].
    pub fn new(config: &Config) -> Result<Graph> {
        config.check()?;
        Graph::build(config)
    }

    /// The graph of a configuration whose structure is checked (targets exist); fails on cycles.
    pub(crate) fn build(config: &Config) -> Result<Graph> {
        let mut deps: BTreeMap<Address, BTreeSet<Address>> = BTreeMap::new();
        for resource in &config.resources {
            for instance in resource.instances() {
                let mut set = BTreeSet::new();
                for (_, expr) in &resource.args {
                    for r in expr.references() {
                        match (&r.target.key, config.find(&r.target)) {
                            (Some(_), _) => {
                                set.insert(r.target.clone());
                            }
                            (None, Some(target)) => set.extend(target.instances()),
                            (None, None) => {}
                        }
                    }
                }
                deps.insert(instance, set);
            }
        }
        let mut level: BTreeMap<&Address, usize> = BTreeMap::new();
        let mut waves: Vec<Vec<Address>> = Vec::new();
        while level.len() < deps.len() {
            let ready: Vec<&Address> = deps
                .iter()
                .filter(|(a, d)| {
                    !level.contains_key(a) && d.iter().all(|x| level.get(x).is_some_and(|l| *l < waves.len()))
                })
                .map(|(a, _)| a)
                .collect();
            if ready.is_empty() {
                return Err(cycle_error(&deps, &level));
            }
            for a in &ready {
                level.insert(a, waves.len());
            }
            waves.push(ready.into_iter().cloned().collect());
        }
        let order = waves.iter().flatten().cloned().collect();
        Ok(Graph { deps, order, waves })
    }

    /// Every instance, sorted by address.
    pub fn nodes(&self) -> Vec<&Address> {
        self.deps.keys().collect()
    }

    /// The instances `address` refers to: they are created before it and destroyed after it.
    pub fn dependencies(&self, address: &Address) -> Vec<&Address> {
        self.deps.get(address).map(|d| d.iter().collect()).unwrap_or_default()
    }

    /// The instances that refer to `address`.
    pub fn dependents(&self, address: &Address) -> Vec<&Address> {
        self.deps.iter().filter(|(_, d)| d.contains(address)).map(|(a, _)| a).collect()
    }

    /// Every edge as (dependency, dependent).
    pub fn edges(&self) -> Vec<(&Address, &Address)> {
        self.deps.iter().flat_map(|(a, d)| d.iter().map(move |x| (x, a))).collect()
    }

    /// The creation order: a topological order, wave by wave, by address within a wave.
    pub fn order(&self) -> &[Address] {
        &self.order
    }

    /// The destruction order: the creation order reversed, so nothing is deleted while
    /// something still refers to it.
    pub fn destroy_order(&self) -> Vec<Address> {
        self.order.iter().rev().cloned().collect()
    }

    /// Groups of instances whose dependencies all lie in earlier groups: each group can be
    /// created in parallel (Terraform runs up to 10 operations at once by default).
    pub fn waves(&self) -> &[Vec<Address>] {
        &self.waves
    }

    /// Each instance's name in Azure (its `name` argument) where the code fixes it; instances
    /// without a name of their own (auditing settings) are named after their parent.
    pub fn azure_names(&self, config: &Config) -> Result<BTreeMap<Address, String>> {
        config.check()?;
        let values = eval::check_values(config, self, None)?;
        let mut names: BTreeMap<Address, String> = BTreeMap::new();
        for address in &self.order {
            let name = match values.get(address).and_then(|v| v.get("name")) {
                Some(Value::Str(s)) => s.clone(),
                _ => {
                    let parent = self.dependencies(address).first().and_then(|p| names.get(*p)).cloned();
                    format!("{}/default", parent.unwrap_or_else(|| "?".into()))
                }
            };
            names.insert(address.clone(), name);
        }
        Ok(names)
    }

    /// The edges written with Azure names instead of addresses (`type:name -> type:name`): two
    /// programs that build the same infrastructure under other local names give the same set.
    pub fn azure_edges(&self, config: &Config) -> Result<BTreeSet<(String, String)>> {
        let names = self.azure_names(config)?;
        let label = |a: &Address| format!("{}:{}", a.rtype, names[a]);
        let mut edges: BTreeSet<(String, String)> =
            self.edges().into_iter().map(|(d, a)| (label(d), label(a))).collect();
        for a in self.deps.keys().filter(|a| self.deps[*a].is_empty() && self.dependents(a).is_empty()) {
            edges.insert((label(a), String::new()));
        }
        Ok(edges)
    }

    /// A table of the instances in creation order: wave, address, what each waits for.
    pub fn table(&self) -> Result<Table> {
        let mut table = Table::new(["step", "wave", "instance", "waits for"]).max_rows(0);
        let mut step = 0;
        for (w, wave) in self.waves.iter().enumerate() {
            for a in wave {
                step += 1;
                let deps: Vec<String> = self.dependencies(a).iter().map(|d| d.to_string()).collect();
                table.push_row([step.to_string(), (w + 1).to_string(), a.to_string(), deps.join(", ")])?;
            }
        }
        Ok(table)
    }

    /// Draws the graph left to right, one column per wave, arrows from each resource to those
    /// that need it. With a plan, each box is coloured by its planned action.
    pub fn figure(&self, title: &str, config: &Config, plan: Option<&Plan>) -> Result<GraphFigure> {
        let names = self.azure_names(config)?;
        draw(self, title, &names, plan)
    }
}

fn cycle_error(deps: &BTreeMap<Address, BTreeSet<Address>>, placed: &BTreeMap<&Address, usize>) -> Error {
    // Walk from any unplaced node along unplaced dependencies until a node repeats.
    let mut path: Vec<&Address> = Vec::new();
    let mut current = deps.keys().find(|a| !placed.contains_key(a)).expect("an unplaced node");
    loop {
        if let Some(at) = path.iter().position(|a| *a == current) {
            let mut cycle: Vec<String> = path[at..].iter().map(|a| a.to_string()).collect();
            cycle.push(current.to_string());
            return Error::invalid(
                "configuration",
                format!(
                    "dependency cycle {}: no order creates each resource after the ones it refers to",
                    cycle.join(" -> ")
                ),
            );
        }
        path.push(current);
        current = deps[current].iter().find(|d| !placed.contains_key(d)).expect("an unplaced node waits for another");
    }
}

/// A drawn graph: SVG text that shows inline in evcxr and saves to a file.
#[derive(Clone, Debug)]
pub struct GraphFigure {
    title: String,
    svg: String,
}

impl GraphFigure {
    /// The title it was drawn with.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The SVG document.
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// Writes the SVG to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, &self.svg).map_err(|e| Error::io("write", path, e))
    }

    /// Shows the figure in a Jupyter notebook running evcxr.
    pub fn evcxr_display(&self) {
        println!("EVCXR_BEGIN_CONTENT image/svg+xml\n{}\nEVCXR_END_CONTENT", self.svg);
    }
}

const BOX_H: u32 = 46;
const ROW_GAP: u32 = 18;
const COL_GAP: u32 = 70;
const CHAR_W: u32 = 7;
const NOTEBOOK_WIDTH: u32 = 960;

fn action_colour(action: Action) -> Rgb {
    match action {
        Action::Create => plot::GREEN,
        Action::Update => plot::ORANGE,
        Action::Replace => plot::RED,
        Action::Delete => plot::PURPLE,
        Action::NoOp => plot::GREY,
    }
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn draw(graph: &Graph, title: &str, names: &BTreeMap<Address, String>, plan: Option<&Plan>) -> Result<GraphFigure> {
    let longest =
        graph.deps.keys().map(|a| a.to_string().chars().count().max(names[a].chars().count())).max().unwrap_or(10);
    let box_w = (longest as u32 * CHAR_W + 24).clamp(160, 600);
    let rows = graph.waves.iter().map(Vec::len).max().unwrap_or(1) as u32;
    let (top, left) = (74u32, 20u32);
    let width = left * 2 + graph.waves.len() as u32 * (box_w + COL_GAP) - COL_GAP;
    let legend_h = if plan.is_some() { 30 } else { 0 };
    let height = top + rows * (BOX_H + ROW_GAP) + 10 + legend_h;
    if width > plot::MAX_SIDE || height > plot::MAX_SIDE {
        return Err(Error::Plot {
            title: title.to_string(),
            message: format!(
                "{} waves of up to {rows} resources need {width} x {height} px (at most {} a side)",
                graph.waves.len(),
                plot::MAX_SIDE
            ),
        });
    }
    let width = width.max(420);
    let mut at: BTreeMap<&Address, (u32, u32)> = BTreeMap::new();
    for (w, wave) in graph.waves.iter().enumerate() {
        let offset = (rows - wave.len() as u32) * (BOX_H + ROW_GAP) / 2;
        for (i, a) in wave.iter().enumerate() {
            at.insert(a, (left + w as u32 * (box_w + COL_GAP), top + offset + i as u32 * (BOX_H + ROW_GAP)));
        }
    }
    let shown = width.min(NOTEBOOK_WIDTH);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{shown}" height="{}" viewBox="0 0 {width} {height}" font-family="sans-serif">"#,
        height * shown / width
    );
    svg += r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>"##;
    let _ = write!(svg, r#"<rect width="{width}" height="{height}" fill="white"/>"#);
    let _ = write!(svg, r#"<text x="{}" y="26" font-size="17" text-anchor="middle">{}</text>"#, width / 2, xml(title));
    for w in 0..graph.waves.len() {
        let x = left + w as u32 * (box_w + COL_GAP) + box_w / 2;
        let label = if w == 0 { "wave 1 (first)".to_string() } else { format!("wave {}", w + 1) };
        let _ = write!(svg, r##"<text x="{x}" y="56" font-size="12" fill="#555" text-anchor="middle">{label}</text>"##);
    }
    for (dep, node) in graph.edges() {
        let (x1, y1) = at[dep];
        let (x2, y2) = at[node];
        let (x1, y1, x2, y2) = (x1 + box_w, y1 + BOX_H / 2, x2, y2 + BOX_H / 2);
        let mid = (x1 + x2) / 2;
        let _ = write!(
            svg,
            r##"<path d="M {x1} {y1} C {mid} {y1}, {mid} {y2}, {x2} {y2}" fill="none" stroke="#555" stroke-width="1.4" marker-end="url(#arrow)"/>"##
        );
    }
    for (a, (x, y)) in &at {
        let colour = match plan.and_then(|p| p.action(a)) {
            Some(action) => action_colour(action),
            None => plot::PALETTE[super::schema::ALL_TYPES.iter().position(|t| *t == a.rtype).unwrap_or(0) % 10],
        };
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{y}" width="{box_w}" height="{BOX_H}" rx="6" fill="{}" fill-opacity="0.18" stroke="{}" stroke-width="1.6"/>"#,
            hex(colour),
            hex(colour)
        );
        let cx = x + box_w / 2;
        let _ = write!(
            svg,
            r#"<text x="{cx}" y="{}" font-size="12" text-anchor="middle">{}</text>"#,
            y + 19,
            xml(&a.to_string())
        );
        let _ = write!(
            svg,
            r##"<text x="{cx}" y="{}" font-size="11" fill="#444" text-anchor="middle">{}</text>"##,
            y + 35,
            xml(&names[*a])
        );
    }
    if plan.is_some() {
        let y = height - 14;
        let mut x = left;
        for action in [Action::Create, Action::Update, Action::Replace, Action::NoOp] {
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="{}" width="14" height="14" fill="{}" fill-opacity="0.35"/>"#,
                y - 11,
                hex(action_colour(action))
            );
            let label = format!("{} {}", action.symbol().trim(), action.describe());
            let _ = write!(svg, r#"<text x="{}" y="{y}" font-size="12">{}</text>"#, x + 20, xml(&label));
            x += 40 + label.len() as u32 * CHAR_W;
        }
    }
    svg += "</svg>";
    Ok(GraphFigure { title: title.to_string(), svg })
}
