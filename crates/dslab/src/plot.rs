//! Plots in one line: SVG figures that show inline in a notebook and save to a file.
//!
//! Every helper takes a title and both axis labels and returns a [`Figure`]. End a notebook
//! cell with the figure (`plot::line(...)?`) and evcxr shows it; call [`Figure::save`] to
//! keep it as an `.svg` file. For more than one series, build a [`Chart`]; for matrices
//! (attention weights, positional encodings), a [`Heatmap`] or a [`HeatmapGrid`].
//!
//! ```
//! use dslab::plot::{self, Chart};
//! # fn main() -> dslab::Result<()> {
//! let x: Vec<f64> = (0..50).map(|i| i as f64 / 5.0).collect();
//! let y: Vec<f64> = x.iter().map(|v| v.sin()).collect();
//! let one = plot::line("A sine wave", "x", "sin(x)", &x, &y)?;
//! assert!(one.svg().contains("A sine wave"));
//!
//! let z: Vec<f64> = x.iter().map(|v| v.cos()).collect();
//! let two = Chart::new("Sine and cosine", "x", "value").line("sin", &x, &y).line("cos", &x, &z).draw()?;
//! assert!(two.svg().contains("cos"));
//! # Ok(())
//! # }
//! ```
//!
//! Non-finite values (`NaN` at the start of a rolling mean, say) are left out of the drawing;
//! series of different lengths, empty data, ranges that are not finite or not increasing, and
//! sizes past the limits ([`MAX_SIDE`], [`MAX_HEATMAP_CELLS`], [`MAX_BINS`], [`MAX_DECIMALS`])
//! are errors that name the series or the setting.

use std::borrow::Cow;
use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::RangedCoordusize;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use plotters::style::RGBColor as Rgb;

use crate::error::{Error, Result};

/// Red, for the first of a set of categories that should read as "danger".
pub const RED: Rgb = Rgb(214, 39, 40);
/// Orange.
pub const ORANGE: Rgb = Rgb(255, 127, 14);
/// Green.
pub const GREEN: Rgb = Rgb(44, 160, 44);
/// Blue.
pub const BLUE: Rgb = Rgb(31, 119, 180);
/// Purple.
pub const PURPLE: Rgb = Rgb(148, 103, 189);
/// Grey, for context drawn behind the data that matters.
pub const GREY: Rgb = Rgb(150, 150, 150);

/// The colours given to series in order (the "tab10" palette, readable on white).
pub const PALETTE: [Rgb; 10] = [
    BLUE,
    ORANGE,
    GREEN,
    RED,
    PURPLE,
    Rgb(140, 86, 75),
    Rgb(227, 119, 194),
    Rgb(127, 127, 127),
    Rgb(188, 189, 34),
    Rgb(23, 190, 207),
];

const DEFAULT_SIZE: (u32, u32) = (720, 440);
const DEFAULT_MAX_POINTS: usize = 20_000;
const FONT: &str = "sans-serif";
/// The widest a figure is shown in a notebook, in pixels: a JupyterLab column on a laptop screen.
const NOTEBOOK_MAX_WIDTH: u32 = 960;
/// The longest side of a figure, in pixels: larger SVGs are refused rather than drawn.
pub const MAX_SIDE: u32 = 10_000;
/// The most cells a heat map (or all panels of a grid together) may have: one SVG element per
/// cell, so bigger matrices would make documents a browser cannot show.
pub const MAX_HEATMAP_CELLS: usize = 250_000;
/// The most bins a histogram may have.
pub const MAX_BINS: usize = 10_000;
/// The most decimals an annotated heat map writes (an `f64` holds about 16 significant digits).
pub const MAX_DECIMALS: usize = 15;
/// The longest tick label measured for layout, in characters (longer ones are drawn, but the
/// margins stop growing).
const MAX_LABEL_CHARS: usize = 200;

/// A drawn plot: SVG text with its title. Shows inline in evcxr; [`Figure::save`] writes it.
#[derive(Clone, Debug)]
pub struct Figure {
    title: String,
    svg: String,
}

impl Figure {
    /// The title the figure was drawn with.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The SVG document.
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// Writes the SVG to `path`, through a temporary file so a failed write never leaves a
    /// half-written figure in place of an older one.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let tmp = path.with_extension("svg.partial");
        std::fs::write(&tmp, &self.svg).map_err(|e| Error::io("write", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io("write", path, e))
    }

    /// Shows the figure in a Jupyter notebook running evcxr.
    pub fn evcxr_display(&self) {
        println!("EVCXR_BEGIN_CONTENT image/svg+xml\n{}\nEVCXR_END_CONTENT", self.notebook_svg());
    }

    /// The SVG as a notebook shows it: at most [`NOTEBOOK_MAX_WIDTH`] pixels wide, scaled by its
    /// `viewBox`. JupyterLab shows an SVG at its own size and cuts off what does not fit the
    /// column, such as the right-hand panels of a wide grid of heat maps.
    fn notebook_svg(&self) -> Cow<'_, str> {
        let attribute = |name: &str| -> Option<u32> {
            let key = format!(" {name}=\"");
            let start = self.svg.find(&key)? + key.len();
            self.svg[start..start + self.svg[start..].find('"')?].parse().ok()
        };
        match (attribute("width"), attribute("height")) {
            (Some(width), Some(height)) if width > NOTEBOOK_MAX_WIDTH => {
                let shown_height = (u64::from(height) * u64::from(NOTEBOOK_MAX_WIDTH) / u64::from(width)) as u32;
                Cow::Owned(self.svg.replacen(
                    &format!("<svg width=\"{width}\" height=\"{height}\""),
                    &format!("<svg width=\"{NOTEBOOK_MAX_WIDTH}\" height=\"{shown_height}\""),
                    1,
                ))
            }
            _ => Cow::Borrowed(&self.svg),
        }
    }
}

#[derive(Clone, Debug)]
enum Layer {
    Line { name: String, x: Vec<f64>, y: Vec<f64>, dashed: bool },
    Points { name: String, x: Vec<f64>, y: Vec<f64>, size: u32 },
    Valued { name: String, x: Vec<f64>, y: Vec<f64>, values: Vec<f64>, label: String },
    Band { name: String, x: Vec<f64>, lower: Vec<f64>, upper: Vec<f64> },
    Highlight { name: String, x: Vec<f64>, y: Vec<f64> },
}

impl Layer {
    fn name(&self) -> &str {
        match self {
            Layer::Line { name, .. }
            | Layer::Points { name, .. }
            | Layer::Valued { name, .. }
            | Layer::Band { name, .. }
            | Layer::Highlight { name, .. } => name,
        }
    }

    /// All (x, y) pairs the layer spans, for the axis ranges.
    fn extent(&self) -> Vec<(f64, f64)> {
        match self {
            Layer::Line { x, y, .. }
            | Layer::Points { x, y, .. }
            | Layer::Valued { x, y, .. }
            | Layer::Highlight { x, y, .. } => x.iter().copied().zip(y.iter().copied()).collect(),
            Layer::Band { x, lower, upper, .. } => {
                let mut v: Vec<_> = x.iter().copied().zip(lower.iter().copied()).collect();
                v.extend(x.iter().copied().zip(upper.iter().copied()));
                v
            }
        }
    }

    fn check(&self, title: &str) -> Result<()> {
        let (x_len, others): (usize, Vec<(&str, usize)>) = match self {
            Layer::Line { x, y, .. } | Layer::Points { x, y, .. } | Layer::Highlight { x, y, .. } => {
                (x.len(), vec![("y", y.len())])
            }
            Layer::Valued { x, y, values, .. } => (x.len(), vec![("y", y.len()), ("colour", values.len())]),
            Layer::Band { x, lower, upper, .. } => (x.len(), vec![("lower", lower.len()), ("upper", upper.len())]),
        };
        for (what, len) in others {
            if len != x_len {
                return Err(plot_error(
                    title,
                    format!("series `{}` has {x_len} x values but {len} {what} values", self.name()),
                ));
            }
        }
        Ok(())
    }
}

/// A chart of lines, points, bands and highlighted points on shared numeric axes.
///
/// Build it with one call per series, then [`Chart::draw`]. Series are coloured in
/// [`PALETTE`] order unless [`Chart::color`] names a colour.
#[derive(Clone, Debug)]
pub struct Chart {
    title: String,
    x_label: String,
    y_label: String,
    layers: Vec<Layer>,
    colors: Vec<(String, Rgb)>,
    size: (u32, u32),
    max_points: usize,
    x_range: Option<(f64, f64)>,
    y_range: Option<(f64, f64)>,
    /// The first mistake found while building, reported by `draw`.
    invalid: Option<String>,
}

impl Chart {
    /// An empty chart with its title and axis labels.
    pub fn new(title: &str, x_label: &str, y_label: &str) -> Self {
        Chart {
            title: title.to_owned(),
            x_label: x_label.to_owned(),
            y_label: y_label.to_owned(),
            layers: Vec::new(),
            colors: Vec::new(),
            size: DEFAULT_SIZE,
            max_points: DEFAULT_MAX_POINTS,
            x_range: None,
            y_range: None,
            invalid: None,
        }
    }

    /// A solid line through the points in order; an empty `name` keeps it out of the legend.
    pub fn line(mut self, name: &str, x: &[f64], y: &[f64]) -> Self {
        self.layers.push(Layer::Line { name: name.to_owned(), x: x.to_vec(), y: y.to_vec(), dashed: false });
        self
    }

    /// A dashed line, for references and forecasts drawn next to data.
    pub fn dashed_line(mut self, name: &str, x: &[f64], y: &[f64]) -> Self {
        self.layers.push(Layer::Line { name: name.to_owned(), x: x.to_vec(), y: y.to_vec(), dashed: true });
        self
    }

    /// Points (a scatter) in one colour.
    pub fn points(mut self, name: &str, x: &[f64], y: &[f64]) -> Self {
        self.layers.push(Layer::Points { name: name.to_owned(), x: x.to_vec(), y: y.to_vec(), size: 2 });
        self
    }

    /// Points coloured by group, one legend entry per group in order of first appearance.
    pub fn points_by_group<G: AsRef<str>>(mut self, x: &[f64], y: &[f64], groups: &[G]) -> Self {
        if groups.len() != x.len() || y.len() != x.len() {
            // Kept for `draw` to report.
            self.invalid.get_or_insert(format!(
                "points_by_group has {} x values, {} y values and {} groups (expected one of each per point)",
                x.len(),
                y.len(),
                groups.len()
            ));
            return self;
        }
        let mut order: Vec<&str> = Vec::new();
        for g in groups {
            if !order.contains(&g.as_ref()) {
                order.push(g.as_ref());
            }
        }
        for name in order {
            let (gx, gy): (Vec<f64>, Vec<f64>) =
                x.iter().zip(y).zip(groups).filter(|(_, g)| g.as_ref() == name).map(|((a, b), _)| (*a, *b)).unzip();
            self.layers.push(Layer::Points { name: name.to_owned(), x: gx, y: gy, size: 2 });
        }
        self
    }

    /// Points coloured by a value on the viridis scale, with a colour bar labelled `value_label`.
    pub fn points_by_value(mut self, name: &str, x: &[f64], y: &[f64], values: &[f64], value_label: &str) -> Self {
        self.layers.push(Layer::Valued {
            name: name.to_owned(),
            x: x.to_vec(),
            y: y.to_vec(),
            values: values.to_vec(),
            label: value_label.to_owned(),
        });
        self
    }

    /// A shaded band between `lower` and `upper` (a confidence interval, say).
    pub fn band(mut self, name: &str, x: &[f64], lower: &[f64], upper: &[f64]) -> Self {
        self.layers.push(Layer::Band {
            name: name.to_owned(),
            x: x.to_vec(),
            lower: lower.to_vec(),
            upper: upper.to_vec(),
        });
        self
    }

    /// Large marked points drawn on top of everything, for the picks the text talks about.
    pub fn highlight(mut self, name: &str, x: &[f64], y: &[f64]) -> Self {
        self.layers.push(Layer::Highlight { name: name.to_owned(), x: x.to_vec(), y: y.to_vec() });
        self
    }

    /// Gives the series (or group) called `name` a fixed colour.
    pub fn color(mut self, name: &str, color: Rgb) -> Self {
        self.colors.push((name.to_owned(), color));
        self
    }

    /// The figure's size in pixels (default 720 x 440; at least 200 x 150, at most [`MAX_SIDE`]
    /// a side, or [`Chart::draw`] fails).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width.max(200), height.max(150));
        self
    }

    /// Fixes the x axis range instead of fitting it to the data; lines and bands are clipped to
    /// it. [`Chart::draw`] fails unless both ends are finite, `lo < hi` and `hi - lo` is finite.
    pub fn x_range(mut self, lo: f64, hi: f64) -> Self {
        self.x_range = Some((lo, hi));
        self
    }

    /// Fixes the y axis range instead of fitting it to the data, checked as [`Chart::x_range`].
    pub fn y_range(mut self, lo: f64, hi: f64) -> Self {
        self.y_range = Some((lo, hi));
        self
    }

    /// The most points drawn per series (default 20 000); larger series are thinned evenly
    /// and the legend says so, so the SVG stays small enough for a browser.
    pub fn max_points(mut self, n: usize) -> Self {
        self.max_points = n.max(1);
        self
    }

    /// Draws the chart.
    pub fn draw(&self) -> Result<Figure> {
        let title = &self.title;
        if let Some(message) = &self.invalid {
            return Err(plot_error(title, message));
        }
        if self.layers.is_empty() {
            return Err(plot_error(title, "the chart has no series to draw"));
        }
        for layer in &self.layers {
            layer.check(title)?;
        }
        let finite: Vec<(f64, f64)> =
            self.layers.iter().flat_map(Layer::extent).filter(|(x, y)| x.is_finite() && y.is_finite()).collect();
        if finite.is_empty() && (self.x_range.is_none() || self.y_range.is_none()) {
            return Err(plot_error(title, "no series has a finite point to draw"));
        }
        check_size(title, "the figure's size", (u64::from(self.size.0), u64::from(self.size.1)))?;
        let x_range = match self.x_range {
            Some(range) => checked_range(title, "x range (set by x_range)", range)?,
            None => padded_range(title, "the x values span", finite.iter().map(|p| p.0))?,
        };
        let y_range = match self.y_range {
            Some(range) => checked_range(title, "y range (set by y_range)", range)?,
            None => padded_range(title, "the y values span", finite.iter().map(|p| p.1))?,
        };
        // Every colour scale is checked before anything is drawn.
        let mut colorbar = None;
        for layer in &self.layers {
            if let Layer::Valued { name, values, label, .. } = layer {
                let what = format!("the values of series `{name}` span");
                let range = checked_range(title, &what, value_range(values.iter().copied()))?;
                colorbar.get_or_insert((range, label.clone()));
            }
        }

        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| plot_error(title, e))?;
            let (plot_area, bar_area) = match colorbar {
                Some(_) => {
                    let (a, b) = root.split_horizontally(self.size.0.saturating_sub(95));
                    (a, Some(b))
                }
                None => (root.clone(), None),
            };
            let mut chart = ChartBuilder::on(&plot_area)
                .caption(title, (FONT, 20))
                .margin(12)
                .x_label_area_size(42)
                .y_label_area_size(62)
                .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)
                .map_err(|e| plot_error(title, e))?;
            chart
                .configure_mesh()
                .x_desc(self.x_label.as_str())
                .y_desc(self.y_label.as_str())
                .axis_desc_style((FONT, 15))
                .label_style((FONT, 12))
                .light_line_style(RGBColor(235, 235, 235))
                .x_label_formatter(&|v| tick(*v, x_range.1 - x_range.0))
                .y_label_formatter(&|v| tick(*v, y_range.1 - y_range.0))
                .draw()
                .map_err(|e| plot_error(title, e))?;

            let mut palette = PALETTE.iter().cycle();
            let mut legend = false;
            // Bands first, then points, then lines, then highlights, whatever the call order.
            let mut ordered: Vec<(usize, &Layer)> = self.layers.iter().enumerate().collect();
            ordered.sort_by_key(|(i, l)| {
                let rank = match l {
                    Layer::Band { .. } => 0,
                    Layer::Valued { .. } | Layer::Points { .. } => 1,
                    Layer::Line { .. } => 2,
                    Layer::Highlight { .. } => 3,
                };
                (rank, *i)
            });
            let mut colors: Vec<Rgb> = Vec::with_capacity(self.layers.len());
            for layer in &self.layers {
                let fixed = self.colors.iter().find(|(n, _)| n == layer.name()).map(|(_, c)| *c);
                let next = match layer {
                    Layer::Highlight { .. } => RED,
                    _ => *palette.next().unwrap_or(&BLUE),
                };
                colors.push(fixed.unwrap_or(next));
            }
            let window = (
                (x_range.0.min(x_range.1), x_range.0.max(x_range.1)),
                (y_range.0.min(y_range.1), y_range.0.max(y_range.1)),
            );
            let inside = |x: f64, y: f64| {
                x >= x_range.0.min(x_range.1)
                    && x <= x_range.0.max(x_range.1)
                    && y >= y_range.0.min(y_range.1)
                    && y <= y_range.0.max(y_range.1)
            };
            for (index, layer) in ordered {
                let color = colors[index];
                let name = layer.name();
                let kept = |n: usize| thin_step(n, self.max_points);
                let label = |n: usize| {
                    let step = kept(n);
                    if step > 1 { format!("{name} (1 in {step} of {n} shown)") } else { name.to_owned() }
                };
                match layer {
                    Layer::Line { x, y, dashed, .. } => {
                        let step = kept(x.len());
                        // Clipped to the axes: plotters' pixel arithmetic overflows on points far
                        // outside them, and lines would spill over the margins.
                        let mut segments: Vec<Vec<(f64, f64)>> =
                            finite_segments(x, y, step).iter().flat_map(|s| clip_polyline(s, window)).collect();
                        if segments.is_empty() {
                            segments.push(Vec::new()); // nothing in view, but the legend still names it
                        }
                        let style = color.stroke_width(2);
                        let mut first = true;
                        for segment in segments {
                            let anno = if *dashed {
                                chart.draw_series(DashedLineSeries::new(segment, 6, 4, style))
                            } else {
                                chart.draw_series(LineSeries::new(segment, style))
                            }
                            .map_err(|e| plot_error(title, e))?;
                            if first && !name.is_empty() {
                                anno.label(label(x.len())).legend(move |(x, y)| {
                                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                                });
                                legend = true;
                            }
                            first = false;
                        }
                    }
                    Layer::Points { x, y, size, .. } => {
                        let step = kept(x.len());
                        let pts: Vec<(f64, f64)> =
                            finite_points(x, y, step).into_iter().filter(|p| inside(p.0, p.1)).collect();
                        let size = *size;
                        let anno = chart
                            .draw_series(pts.into_iter().map(|p| Circle::new(p, size, color.mix(0.6).filled())))
                            .map_err(|e| plot_error(title, e))?;
                        if !name.is_empty() {
                            anno.label(label(x.len())).legend(move |(x, y)| Circle::new((x + 9, y), 4, color.filled()));
                            legend = true;
                        }
                    }
                    Layer::Valued { x, y, values, .. } => {
                        // Checked above, before drawing.
                        let (lo, hi) = value_range(values.iter().copied());
                        let step = kept(x.len());
                        let pts: Vec<(f64, f64, f64)> = (0..x.len())
                            .step_by(step)
                            .filter(|&i| {
                                x[i].is_finite() && y[i].is_finite() && values[i].is_finite() && inside(x[i], y[i])
                            })
                            .map(|i| (x[i], y[i], values[i]))
                            .collect();
                        let anno = chart
                            .draw_series(pts.into_iter().map(|(a, b, v)| {
                                Circle::new((a, b), 2, ViridisRGB.get_color_normalized(v, lo, hi).filled())
                            }))
                            .map_err(|e| plot_error(title, e))?;
                        if !name.is_empty() {
                            let mid = ViridisRGB.get_color_normalized(0.5, 0.0, 1.0);
                            anno.label(label(x.len())).legend(move |(x, y)| Circle::new((x + 9, y), 4, mid.filled()));
                            legend = true;
                        }
                    }
                    Layer::Band { x, lower, upper, .. } => {
                        let mut polygon: Vec<(f64, f64)> = Vec::new();
                        for i in 0..x.len() {
                            if x[i].is_finite() && lower[i].is_finite() && upper[i].is_finite() {
                                polygon.push((x[i], upper[i]));
                            }
                        }
                        for i in (0..x.len()).rev() {
                            if x[i].is_finite() && lower[i].is_finite() && upper[i].is_finite() {
                                polygon.push((x[i], lower[i]));
                            }
                        }
                        let polygon = clip_polygon(&polygon, window);
                        let anno = chart
                            .draw_series(std::iter::once(Polygon::new(polygon, color.mix(0.22).filled())))
                            .map_err(|e| plot_error(title, e))?;
                        if !name.is_empty() {
                            anno.label(name).legend(move |(x, y)| {
                                Rectangle::new([(x, y - 5), (x + 18, y + 5)], color.mix(0.3).filled())
                            });
                            legend = true;
                        }
                    }
                    Layer::Highlight { x, y, .. } => {
                        let pts: Vec<(f64, f64)> =
                            finite_points(x, y, 1).into_iter().filter(|p| inside(p.0, p.1)).collect();
                        let anno = chart
                            .draw_series(pts.into_iter().map(|p| {
                                EmptyElement::at(p)
                                    + Circle::new((0, 0), 7, color.filled())
                                    + Circle::new((0, 0), 7, BLACK.stroke_width(1))
                            }))
                            .map_err(|e| plot_error(title, e))?;
                        if !name.is_empty() {
                            anno.label(name).legend(move |(x, y)| Circle::new((x + 9, y), 6, color.filled()));
                            legend = true;
                        }
                    }
                }
            }
            if legend {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(200, 200, 200))
                    .label_font((FONT, 13))
                    .position(SeriesLabelPosition::UpperLeft)
                    .draw()
                    .map_err(|e| plot_error(title, e))?;
            }
            if let (Some(area), Some(((lo, hi), label))) = (bar_area, colorbar) {
                draw_colorbar(&area, lo, hi, &label, title)?;
            }
            root.present().map_err(|e| plot_error(title, e))?;
        }
        Ok(Figure { title: title.clone(), svg })
    }
}

/// A line chart of one series.
pub fn line(title: &str, x_label: &str, y_label: &str, x: &[f64], y: &[f64]) -> Result<Figure> {
    Chart::new(title, x_label, y_label).line("", x, y).draw()
}

/// A scatter plot of one set of points.
pub fn scatter(title: &str, x_label: &str, y_label: &str, x: &[f64], y: &[f64]) -> Result<Figure> {
    Chart::new(title, x_label, y_label).points("", x, y).draw()
}

/// A histogram of `values` in `bins` equal-width bins between their minimum and maximum
/// (1 to [`MAX_BINS`] bins; non-finite values are left out).
pub fn histogram(title: &str, x_label: &str, y_label: &str, values: &[f64], bins: usize) -> Result<Figure> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return Err(plot_error(title, "no finite values to count"));
    }
    if !(1..=MAX_BINS).contains(&bins) {
        return Err(plot_error(title, format!("{bins} bins: the number of bins must be from 1 to {MAX_BINS}")));
    }
    let (lo, hi) = checked_range(title, "the values span", value_range(finite.iter().copied()))?;
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in &finite {
        let bin = (((v - lo) / width) as usize).min(bins - 1);
        counts[bin] += 1;
    }
    let top = *counts.iter().max().unwrap_or(&1) as f64 * 1.08;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, DEFAULT_SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(title, e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(62)
            .build_cartesian_2d(lo..hi, 0.0..top)
            .map_err(|e| plot_error(title, e))?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .axis_desc_style((FONT, 15))
            .label_style((FONT, 12))
            .light_line_style(RGBColor(235, 235, 235))
            .x_label_formatter(&|v| tick(*v, hi - lo))
            .y_label_formatter(&|v| tick(*v, top))
            .draw()
            .map_err(|e| plot_error(title, e))?;
        chart
            .draw_series(counts.iter().enumerate().map(|(i, &c)| {
                let x0 = lo + i as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, c as f64)], BLUE.mix(0.75).filled())
            }))
            .map_err(|e| plot_error(title, e))?;
        root.present().map_err(|e| plot_error(title, e))?;
    }
    Ok(Figure { title: title.to_owned(), svg })
}

/// A bar chart: one bar per label, in the order given.
pub fn bar_chart<L: AsRef<str>>(
    title: &str,
    x_label: &str,
    y_label: &str,
    labels: &[L],
    values: &[f64],
) -> Result<Figure> {
    if labels.len() != values.len() {
        return Err(plot_error(title, format!("{} labels but {} values", labels.len(), values.len())));
    }
    if labels.is_empty() {
        return Err(plot_error(title, "no bars to draw"));
    }
    let labels: Vec<String> = labels.iter().map(|l| l.as_ref().to_owned()).collect();
    let lo = values.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::min);
    let hi = values.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let wide = (if lo < 0.0 { lo - 0.08 * span } else { 0.0 }, hi + 0.08 * span);
    // Without the margin when it would overflow; the range always includes 0.
    let range = if wide.0.is_finite() && wide.1.is_finite() && (wide.1 - wide.0).is_finite() { wide } else { (lo, hi) };
    let (lo, hi) = checked_range(title, "the bars (with 0) span", range)?;
    let n = labels.len();
    let rotate = rotate_labels(&labels, DEFAULT_SIZE.0 - 80);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, DEFAULT_SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(title, e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(if rotate { 90 } else { 42 })
            .y_label_area_size(62)
            .build_cartesian_2d(segments(n), lo..hi)
            .map_err(|e| plot_error(title, e))?;
        let label_of = |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(i) if !rotate => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .axis_desc_style((FONT, 15))
            .label_style((FONT, 12))
            .x_labels(n)
            .x_label_formatter(&label_of)
            .y_label_formatter(&|v| tick(*v, hi - lo))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| plot_error(title, e))?;
        chart
            .draw_series(values.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, &v)| {
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), v)],
                    BLUE.mix(0.8).filled(),
                );
                bar.set_margin(0, 0, 6, 6);
                bar
            }))
            .map_err(|e| plot_error(title, e))?;
        if rotate {
            draw_vertical_x_labels(&root, &chart, &labels, lo, 12, title)?;
        }
        root.present().map_err(|e| plot_error(title, e))?;
    }
    Ok(Figure { title: title.to_owned(), svg })
}

/// A matrix drawn as coloured cells (row 0 at the top) with a colour bar; tick labels on both
/// axes name the rows and columns (tokens, for attention maps). At most [`MAX_HEATMAP_CELLS`].
#[derive(Clone, Debug)]
pub struct Heatmap {
    title: String,
    x_label: String,
    y_label: String,
    rows: Vec<Vec<f64>>,
    x_ticks: Vec<String>,
    y_ticks: Vec<String>,
    range: Option<(f64, f64)>,
    annotate: Option<usize>,
    value_label: String,
    size: Option<(u32, u32)>,
}

impl Heatmap {
    /// A heat map of `rows` (each inner vector one row of the matrix).
    pub fn new(title: &str, x_label: &str, y_label: &str, rows: &[Vec<f64>]) -> Self {
        Heatmap {
            title: title.to_owned(),
            x_label: x_label.to_owned(),
            y_label: y_label.to_owned(),
            rows: rows.to_vec(),
            x_ticks: Vec::new(),
            y_ticks: Vec::new(),
            range: None,
            annotate: None,
            value_label: String::new(),
            size: None,
        }
    }

    /// Names the columns, left to right.
    pub fn x_ticks<S: AsRef<str>>(mut self, labels: &[S]) -> Self {
        self.x_ticks = labels.iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }

    /// Names the rows, top to bottom.
    pub fn y_ticks<S: AsRef<str>>(mut self, labels: &[S]) -> Self {
        self.y_ticks = labels.iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }

    /// Fixes the colour scale (for example 0 to 1 for attention weights); `draw` fails unless
    /// both ends are finite and `lo < hi`.
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }

    /// Writes each cell's value with `decimals` digits (for small matrices; at most
    /// [`MAX_DECIMALS`]).
    pub fn annotate(mut self, decimals: usize) -> Self {
        self.annotate = Some(decimals);
        self
    }

    /// Labels the colour bar.
    pub fn value_label(mut self, label: &str) -> Self {
        self.value_label = label.to_owned();
        self
    }

    /// The figure's size in pixels (at least 200 x 150, at most [`MAX_SIDE`] a side).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = Some((width.max(200), height.max(150)));
        self
    }

    /// Draws the heat map.
    pub fn draw(&self) -> Result<Figure> {
        let title = &self.title;
        let (n_rows, n_cols) = matrix_shape(title, "the matrix", &self.rows)?;
        check_cells(title, "the matrix", n_rows * n_cols)?;
        check_ticks(title, "x", &self.x_ticks, n_cols)?;
        check_ticks(title, "y", &self.y_ticks, n_rows)?;
        if let Some(decimals) = self.annotate
            && decimals > MAX_DECIMALS
        {
            return Err(plot_error(
                title,
                format!("annotate({decimals}): at most {MAX_DECIMALS} decimals can be written"),
            ));
        }
        let (lo, hi) = match self.range {
            Some(range) => checked_range(title, "colour range (set by range)", range)?,
            None => checked_range(title, "the matrix values span", value_range(self.rows.iter().flatten().copied()))?,
        };
        let size = self.size.unwrap_or(DEFAULT_SIZE);
        check_size(title, "the figure's size", (u64::from(size.0), u64::from(size.1)))?;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| plot_error(title, e))?;
            let root = root.titled(title, (FONT, 20)).map_err(|e| plot_error(title, e))?;
            let (area, bar) = root.split_horizontally(size.0.saturating_sub(95));
            let panel = Panel {
                caption: None,
                x_label: &self.x_label,
                y_label: &self.y_label,
                rows: &self.rows,
                x_ticks: &self.x_ticks,
                y_ticks: &self.y_ticks,
                range: (lo, hi),
                annotate: self.annotate,
                font: 12,
            };
            panel.draw(&area, title)?;
            draw_colorbar(&bar, lo, hi, &self.value_label, title)?;
            root.present().map_err(|e| plot_error(title, e))?;
        }
        Ok(Figure { title: title.clone(), svg })
    }
}

/// A heat map of one matrix.
pub fn heatmap(title: &str, x_label: &str, y_label: &str, rows: &[Vec<f64>]) -> Result<Figure> {
    Heatmap::new(title, x_label, y_label, rows).draw()
}

/// Several heat maps side by side on one colour scale (the heads of an attention layer).
#[derive(Clone, Debug)]
pub struct HeatmapGrid {
    title: String,
    x_label: String,
    y_label: String,
    panels: Vec<(String, Vec<Vec<f64>>)>,
    columns: usize,
    x_ticks: Vec<String>,
    y_ticks: Vec<String>,
    range: Option<(f64, f64)>,
    panel_size: (u32, u32),
}

impl HeatmapGrid {
    /// A grid of `panels`, each a caption and a matrix; all matrices must have one shape.
    pub fn new(title: &str, x_label: &str, y_label: &str, panels: Vec<(String, Vec<Vec<f64>>)>) -> Self {
        HeatmapGrid {
            title: title.to_owned(),
            x_label: x_label.to_owned(),
            y_label: y_label.to_owned(),
            panels,
            columns: 4,
            x_ticks: Vec::new(),
            y_ticks: Vec::new(),
            range: None,
            panel_size: (300, 280),
        }
    }

    /// Panels per row (default 4).
    pub fn columns(mut self, columns: usize) -> Self {
        self.columns = columns.max(1);
        self
    }

    /// Names the columns of every panel.
    pub fn x_ticks<S: AsRef<str>>(mut self, labels: &[S]) -> Self {
        self.x_ticks = labels.iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }

    /// Names the rows of every panel.
    pub fn y_ticks<S: AsRef<str>>(mut self, labels: &[S]) -> Self {
        self.y_ticks = labels.iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }

    /// Fixes the shared colour scale.
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }

    /// The size of one panel in pixels (default 300 x 280); the whole grid must fit in
    /// [`MAX_SIDE`] a side.
    pub fn panel_size(mut self, width: u32, height: u32) -> Self {
        self.panel_size = (width.max(120), height.max(100));
        self
    }

    /// Draws the grid.
    pub fn draw(&self) -> Result<Figure> {
        let title = &self.title;
        if self.panels.is_empty() {
            return Err(plot_error(title, "the grid has no panels"));
        }
        let (n_rows, n_cols) = matrix_shape(title, &self.panels[0].0, &self.panels[0].1)?;
        for (caption, rows) in &self.panels[1..] {
            let shape = matrix_shape(title, caption, rows)?;
            if shape != (n_rows, n_cols) {
                return Err(plot_error(
                    title,
                    format!("panel `{caption}` is {} x {}, the first is {n_rows} x {n_cols}", shape.0, shape.1),
                ));
            }
        }
        check_cells(title, "the panels together", self.panels.len().saturating_mul(n_rows * n_cols))?;
        check_ticks(title, "x", &self.x_ticks, n_cols)?;
        check_ticks(title, "y", &self.y_ticks, n_rows)?;
        let (lo, hi) = match self.range {
            Some(range) => checked_range(title, "colour range (set by range)", range)?,
            None => {
                let values = self.panels.iter().flat_map(|p| p.1.iter().flatten().copied());
                checked_range(title, "the panels' values span", value_range(values))?
            }
        };
        let columns = self.columns.min(self.panels.len());
        let grid_rows = self.panels.len().div_ceil(columns);
        let (width, height) = check_size(
            title,
            "the grid's size",
            (u64::from(self.panel_size.0) * columns as u64 + 95, u64::from(self.panel_size.1) * grid_rows as u64 + 40),
        )?;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| plot_error(title, e))?;
            let root = root.titled(title, (FONT, 20)).map_err(|e| plot_error(title, e))?;
            let (grid, bar) = root.split_horizontally(width - 95);
            let cells = grid.split_evenly((grid_rows, columns));
            for ((caption, rows), area) in self.panels.iter().zip(cells.iter()) {
                let panel = Panel {
                    caption: Some(caption),
                    x_label: &self.x_label,
                    y_label: &self.y_label,
                    rows,
                    x_ticks: &self.x_ticks,
                    y_ticks: &self.y_ticks,
                    range: (lo, hi),
                    annotate: None,
                    font: 10,
                };
                panel.draw(area, title)?;
            }
            draw_colorbar(&bar, lo, hi, "", title)?;
            root.present().map_err(|e| plot_error(title, e))?;
        }
        Ok(Figure { title: title.clone(), svg })
    }
}

/// One heat map drawn into an area: shared by [`Heatmap`] and [`HeatmapGrid`].
struct Panel<'a> {
    caption: Option<&'a str>,
    x_label: &'a str,
    y_label: &'a str,
    rows: &'a [Vec<f64>],
    x_ticks: &'a [String],
    y_ticks: &'a [String],
    range: (f64, f64),
    annotate: Option<usize>,
    font: u32,
}

impl Panel<'_> {
    fn draw(&self, area: &DrawingArea<SVGBackend<'_>, Shift>, title: &str) -> Result<()> {
        let n_rows = self.rows.len();
        let n_cols = self.rows[0].len();
        let (lo, hi) = self.range;
        let (area_w, area_h) = area.dim_in_pixel();
        let rotate = rotate_labels(self.x_ticks, area_w.saturating_sub(80));
        let longest =
            |ticks: &[String]| ticks.iter().map(|t| t.chars().count().min(MAX_LABEL_CHARS)).max().unwrap_or(3) as u32;
        let font = self.font;
        let x_area = if self.x_ticks.is_empty() {
            font * 3 + 6
        } else if rotate {
            (longest(self.x_ticks) * font * 6 / 10 + font * 2 + 8).min(area_h / 3)
        } else {
            font * 3 + 8
        };
        let y_area = if self.y_ticks.is_empty() {
            font * 4
        } else {
            (longest(self.y_ticks) * font * 6 / 10 + font * 2 + 6).min(area_w / 3)
        };
        let mut builder = ChartBuilder::on(area);
        builder.margin(6).x_label_area_size(x_area).y_label_area_size(y_area);
        if let Some(caption) = self.caption {
            builder.caption(caption, (FONT, font + 3));
        }
        let mut chart =
            builder.build_cartesian_2d(segments(n_cols), segments(n_rows)).map_err(|e| plot_error(title, e))?;
        let x_label_of = |v: &SegmentValue<usize>| {
            if rotate { String::new() } else { segment_label(v, self.x_ticks, n_cols, false) }
        };
        let y_label_of = |v: &SegmentValue<usize>| segment_label(v, self.y_ticks, n_rows, true);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .axis_desc_style((FONT, font + 1))
            .label_style((FONT, font))
            .x_labels(label_count(self.x_ticks, n_cols))
            .y_labels(label_count(self.y_ticks, n_rows))
            .x_label_formatter(&x_label_of)
            .y_label_formatter(&y_label_of)
            .draw()
            .map_err(|e| plot_error(title, e))?;
        let cells = self.rows.iter().enumerate().flat_map(|(r, row)| {
            row.iter().enumerate().map(move |(c, &v)| {
                let y = n_rows - 1 - r;
                let color = if v.is_finite() { ViridisRGB.get_color_normalized(v, lo, hi) } else { WHITE };
                Rectangle::new(
                    [
                        (SegmentValue::Exact(c), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(c + 1), SegmentValue::Exact(y + 1)),
                    ],
                    color.filled(),
                )
            })
        });
        chart.draw_series(cells).map_err(|e| plot_error(title, e))?;
        if rotate {
            draw_vertical_x_labels(area, &chart, self.x_ticks, SegmentValue::Exact(0), font, title)?;
        }
        if let Some(decimals) = self.annotate {
            let mid = lo + 0.6 * (hi - lo);
            let texts = self.rows.iter().enumerate().flat_map(|(r, row)| {
                row.iter().enumerate().map(move |(c, &v)| {
                    let y = n_rows - 1 - r;
                    let style = TextStyle::from((FONT, font).into_font())
                        .color(if v > mid { &BLACK } else { &WHITE })
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    Text::new(format!("{v:.decimals$}"), (SegmentValue::CenterOf(c), SegmentValue::CenterOf(y)), style)
                })
            });
            chart.draw_series(texts).map_err(|e| plot_error(title, e))?;
        }
        Ok(())
    }
}

/// Index range drawn as one segment per index (plotters' integer ranges include both ends).
fn segments(n: usize) -> SegmentedCoord<RangedCoordusize> {
    (0..n.saturating_sub(1)).into_segmented()
}

/// Tick labels written top to bottom under the x axis, for names too long to sit side by side
/// (plotters centres rotated labels on the axis, which hides their first letters).
fn draw_vertical_x_labels<Y: Ranged<ValueType: Clone>>(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    chart: &ChartContext<'_, SVGBackend<'_>, Cartesian2d<SegmentedCoord<RangedCoordusize>, Y>>,
    labels: &[String],
    y_bottom: Y::ValueType,
    font: u32,
    title: &str,
) -> Result<()> {
    let (base_x, base_y) = area.get_base_pixel();
    let style = TextStyle::from((FONT, font).into_font())
        .transform(FontTransform::Rotate90)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (i, label) in labels.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(SegmentValue::CenterOf(i), y_bottom.clone()));
        area.draw(&Text::new(label.clone(), (x - base_x, y - base_y + 8), style.clone()))
            .map_err(|e| plot_error(title, e))?;
    }
    Ok(())
}

fn draw_colorbar(area: &DrawingArea<SVGBackend<'_>, Shift>, lo: f64, hi: f64, label: &str, title: &str) -> Result<()> {
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5, lo + 0.5) };
    let mut chart = ChartBuilder::on(area)
        .margin_top(40)
        .margin_bottom(50)
        .margin_right(8)
        .y_label_area_size(0)
        .right_y_label_area_size(48)
        .build_cartesian_2d(0.0..1.0, lo..hi)
        .map_err(|e| plot_error(title, e))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(label)
        .axis_desc_style((FONT, 12))
        .label_style((FONT, 11))
        .y_label_formatter(&|v| tick(*v, hi - lo))
        .draw()
        .map_err(|e| plot_error(title, e))?;
    let steps = 100;
    let step = (hi - lo) / steps as f64;
    chart
        .draw_series((0..steps).map(|i| {
            let v0 = lo + i as f64 * step;
            Rectangle::new(
                [(0.0, v0), (1.0, v0 + step)],
                ViridisRGB.get_color_normalized(v0 + step / 2.0, lo, hi).filled(),
            )
        }))
        .map_err(|e| plot_error(title, e))?;
    Ok(())
}

fn segment_label(v: &SegmentValue<usize>, ticks: &[String], n: usize, flipped: bool) -> String {
    let SegmentValue::CenterOf(i) = v else { return String::new() };
    if *i >= n {
        return String::new();
    }
    let index = if flipped { n - 1 - i } else { *i };
    match ticks.get(index) {
        Some(t) => t.clone(),
        None if ticks.is_empty() => index.to_string(),
        None => String::new(),
    }
}

/// One label per row or column when they are named and fit; otherwise about ten.
fn label_count(ticks: &[String], n: usize) -> usize {
    if !ticks.is_empty() && n <= 60 { n } else { n.min(10) }
}

/// Whether horizontal tick labels would overlap in `width` pixels.
fn rotate_labels<S: AsRef<str>>(labels: &[S], width: u32) -> bool {
    if labels.is_empty() {
        return false;
    }
    let widest = labels.iter().map(|l| l.as_ref().chars().count()).max().unwrap_or(0) as f64;
    widest * 7.0 + 6.0 > width as f64 / labels.len() as f64
}

fn check_ticks(title: &str, axis: &str, ticks: &[String], n: usize) -> Result<()> {
    if !ticks.is_empty() && ticks.len() != n {
        return Err(plot_error(title, format!("{} {axis} tick labels for {n} {axis} cells", ticks.len())));
    }
    Ok(())
}

fn matrix_shape(title: &str, what: &str, rows: &[Vec<f64>]) -> Result<(usize, usize)> {
    let n_cols = rows.first().map_or(0, Vec::len);
    if rows.is_empty() || n_cols == 0 {
        return Err(plot_error(title, format!("{what} is empty")));
    }
    if let Some((r, row)) = rows.iter().enumerate().find(|(_, row)| row.len() != n_cols) {
        return Err(plot_error(title, format!("{what}: row {r} has {} values, row 0 has {n_cols}", row.len())));
    }
    Ok((rows.len(), n_cols))
}

fn check_cells(title: &str, what: &str, cells: usize) -> Result<()> {
    if cells > MAX_HEATMAP_CELLS {
        return Err(plot_error(title, format!("{what} has {cells} cells, more than {MAX_HEATMAP_CELLS} can be drawn")));
    }
    Ok(())
}

fn plot_error(title: &str, message: impl ToString) -> Error {
    Error::Plot { title: title.to_owned(), message: message.to_string() }
}

/// Minimum and maximum of the finite values, widened when they are equal (by 0.5, or by a
/// millionth of the value for values so large that 0.5 would not widen them).
fn value_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi > lo {
        (lo, hi)
    } else {
        let half = 0.5f64.max(lo.abs() * 1e-6);
        (lo - half, hi + half)
    }
}

/// The one check of every range drawn (axes, colour scales): both ends finite, `lo < hi` and a
/// finite span. Plotters asserts on a NaN end, unwraps in its colour maps on an empty or
/// reversed range, and never finishes its search for tick positions on an infinite span, so
/// every builder checks its ranges here before drawing. `what` names the range in the
/// message ("x range (set by x_range)", "y values").
fn checked_range(title: &str, what: &str, (lo, hi): (f64, f64)) -> Result<(f64, f64)> {
    let problem = if !lo.is_finite() || !hi.is_finite() {
        "both ends must be finite numbers"
    } else if lo >= hi {
        "the low end must be below the high end"
    } else if !(hi - lo).is_finite() {
        "the ends are too far apart to draw (the span overflows)"
    } else {
        return Ok((lo, hi));
    };
    Err(plot_error(title, format!("{what} ({}, {}): {problem}", show(lo), show(hi))))
}

/// A number for a message: plain, or in scientific form when very large or small.
fn show(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-5..1e16).contains(&v.abs()) { format!("{v:e}") } else { format!("{v}") }
}

/// The checked range of the values with 4 % padding on each side, or without the padding when
/// padding would overflow (values near ±1.8e308).
fn padded_range(title: &str, what: &str, values: impl Iterator<Item = f64>) -> Result<(f64, f64)> {
    let (lo, hi) = checked_range(title, what, value_range(values))?;
    let pad = (hi - lo) * 0.04;
    let wide = (lo - pad, hi + pad);
    Ok(if wide.0.is_finite() && wide.1.is_finite() && (wide.1 - wide.0).is_finite() { wide } else { (lo, hi) })
}

/// Checks a figure's size in pixels against [`MAX_SIDE`].
fn check_size(title: &str, what: &str, (width, height): (u64, u64)) -> Result<(u32, u32)> {
    if width > u64::from(MAX_SIDE) || height > u64::from(MAX_SIDE) {
        return Err(plot_error(
            title,
            format!("{what} {width} x {height} px is too large: each side must be at most {MAX_SIDE} px"),
        ));
    }
    Ok((width as u32, height as u32))
}

/// The x and y ranges of the plotting area, each `(low, high)`.
type Window = ((f64, f64), (f64, f64));

/// The pieces of a polyline inside `window` (Liang–Barsky on each segment). Coordinates are
/// halved while clipping so that differences of ends near ±1.8e308 stay finite.
fn clip_polyline(points: &[(f64, f64)], window: Window) -> Vec<Vec<(f64, f64)>> {
    let ((x0, x1), (y0, y1)) = window;
    let inside = |p: (f64, f64)| p.0 >= x0 && p.0 <= x1 && p.1 >= y0 && p.1 <= y1;
    if points.len() == 1 {
        return if inside(points[0]) { vec![points.to_vec()] } else { Vec::new() };
    }
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    for pair in points.windows(2) {
        let (a, b) = ((pair[0].0 / 2.0, pair[0].1 / 2.0), (pair[1].0 / 2.0, pair[1].1 / 2.0));
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let edges = [(-dx, a.0 - x0 / 2.0), (dx, x1 / 2.0 - a.0), (-dy, a.1 - y0 / 2.0), (dy, y1 / 2.0 - a.1)];
        let mut visible = true;
        for (p, q) in edges {
            if p == 0.0 {
                visible &= q >= 0.0;
            } else if p < 0.0 {
                t0 = t0.max(q / p);
            } else {
                t1 = t1.min(q / p);
            }
        }
        if !visible || t0 > t1 {
            continue;
        }
        let at = |t: f64| {
            let p = if t == 0.0 {
                pair[0]
            } else if t == 1.0 {
                pair[1]
            } else {
                (2.0 * (a.0 + t * dx), 2.0 * (a.1 + t * dy))
            };
            (p.0.clamp(x0, x1), p.1.clamp(y0, y1))
        };
        let (start, end) = (at(t0), at(t1));
        match pieces.last_mut() {
            Some(piece) if t0 == 0.0 && piece.last() == Some(&start) => piece.push(end),
            _ => pieces.push(vec![start, end]),
        }
    }
    pieces
}

/// The part of a polygon inside `window` (Sutherland–Hodgman), with halved coordinates as in
/// [`clip_polyline`].
fn clip_polygon(points: &[(f64, f64)], window: Window) -> Vec<(f64, f64)> {
    let ((x0, x1), (y0, y1)) = window;
    let mut polygon: Vec<(f64, f64)> = points.iter().map(|p| (p.0 / 2.0, p.1 / 2.0)).collect();
    for (edge, bound) in [(0, x0), (1, x1), (2, y0), (3, y1)] {
        let bound = bound / 2.0;
        let inside = |p: (f64, f64)| match edge {
            0 => p.0 >= bound,
            1 => p.0 <= bound,
            2 => p.1 >= bound,
            _ => p.1 <= bound,
        };
        let cross = |a: (f64, f64), b: (f64, f64)| {
            if edge < 2 {
                (bound, a.1 + (bound - a.0) / (b.0 - a.0) * (b.1 - a.1))
            } else {
                (a.0 + (bound - a.1) / (b.1 - a.1) * (b.0 - a.0), bound)
            }
        };
        let mut clipped = Vec::with_capacity(polygon.len() + 4);
        for (k, &current) in polygon.iter().enumerate() {
            let previous = polygon[(k + polygon.len() - 1) % polygon.len()];
            match (inside(previous), inside(current)) {
                (true, true) => clipped.push(current),
                (true, false) => clipped.push(cross(previous, current)),
                (false, true) => clipped.extend([cross(previous, current), current]),
                (false, false) => {}
            }
        }
        polygon = clipped;
    }
    polygon.into_iter().map(|p| ((2.0 * p.0).clamp(x0, x1), (2.0 * p.1).clamp(y0, y1))).collect()
}

fn thin_step(n: usize, max_points: usize) -> usize {
    n.div_ceil(max_points).max(1)
}

fn finite_points(x: &[f64], y: &[f64], step: usize) -> Vec<(f64, f64)> {
    x.iter().zip(y).step_by(step).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| (*a, *b)).collect()
}

/// Runs of consecutive finite points: a line is broken where a value is missing.
fn finite_segments(x: &[f64], y: &[f64], step: usize) -> Vec<Vec<(f64, f64)>> {
    let mut segments = vec![Vec::new()];
    for (a, b) in x.iter().zip(y).step_by(step) {
        if a.is_finite() && b.is_finite() {
            segments.last_mut().expect("never empty").push((*a, *b));
        } else if !segments.last().expect("never empty").is_empty() {
            segments.push(Vec::new());
        }
    }
    segments.retain(|s| !s.is_empty());
    segments
}

/// A tick label with as many decimals as the axis's spacing needs (about ten ticks over
/// `span`), trailing zeros removed; very large or very small axes in short scientific form.
fn tick(v: f64, span: f64) -> String {
    let scale = v.abs().max(span.abs());
    // Axis positions computed as lo + k * step land a rounding error away from zero.
    if v == 0.0 || v.abs() < 1e-12 * scale {
        return "0".to_owned();
    }
    if !(1e-4..1e6).contains(&scale) {
        return format!("{v:.1e}");
    }
    let step = if span > 0.0 { span / 10.0 } else { v.abs() / 10.0 };
    let decimals = ((-step.log10()).ceil() + 1.0).clamp(0.0, 8.0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses the SVG as XML and returns every text node, so tests check well-formedness and
    /// content together.
    fn texts(fig: &Figure) -> Vec<String> {
        let doc = roxmltree::Document::parse(fig.svg()).expect("well-formed SVG");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        doc.descendants().filter(|n| n.is_text()).map(|n| n.text().unwrap_or("").trim().to_owned()).collect()
    }

    fn assert_has(fig: &Figure, needle: &str) {
        let all = texts(fig);
        assert!(all.iter().any(|t| t == needle), "`{needle}` not among the texts: {all:?}");
    }

    #[test]
    fn line_chart_has_title_labels_and_legend() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let fig = Chart::new("Two <series> & more", "year", "value")
            .line("first", &x, &[1.0, 4.0, 9.0, 16.0])
            .dashed_line("second", &x, &[2.0, 3.0, f64::NAN, 5.0])
            .band("interval", &x, &[0.0, 1.0, 2.0, 3.0], &[3.0, 5.0, 7.0, 9.0])
            .draw()
            .unwrap();
        assert_has(&fig, "Two <series> & more");
        assert_has(&fig, "year");
        assert_has(&fig, "value");
        assert_has(&fig, "first");
        assert_has(&fig, "interval");
    }

    #[test]
    fn scatter_by_group_and_by_value() {
        let x = [0.0, 1.0, 2.0, 3.0];
        let y = [1.0, 0.0, 1.0, 0.0];
        let fig = Chart::new("Crimes", "longitude", "latitude")
            .points_by_group(&x, &y, &["Theft", "Mischief", "Theft", "Break and Enter"])
            .color("Theft", RED)
            .draw()
            .unwrap();
        assert_has(&fig, "Crimes");
        assert_has(&fig, "Break and Enter");
        assert!(fig.svg().contains("#D62728"), "Theft should be drawn in the red given");

        let fig = Chart::new("Portfolios", "risk", "return")
            .points_by_value("portfolios", &x, &y, &[0.1, 0.2, 0.3, 0.4], "Sharpe ratio")
            .highlight("best", &[1.0], &[0.0])
            .draw()
            .unwrap();
        assert_has(&fig, "Sharpe ratio");
        assert_has(&fig, "best");
    }

    #[test]
    fn large_series_are_thinned_and_say_so() {
        let x: Vec<f64> = (0..50_000).map(f64::from).collect();
        let fig = Chart::new("Many", "i", "i").points("all", &x, &x).draw().unwrap();
        assert_has(&fig, "all (1 in 3 of 50000 shown)");
        assert!(fig.svg().matches("<circle").count() <= 20_000);
    }

    #[test]
    fn histogram_and_bar_chart() {
        let values: Vec<f64> = (0..100).map(|i| (i % 10) as f64).collect();
        let fig = histogram("Digits", "digit", "count", &values, 10).unwrap();
        assert_has(&fig, "Digits");
        assert_has(&fig, "count");
        let fig = bar_chart("Attention of `Michael`", "key", "weight", &["Anthony", "Hopkins"], &[0.4, 0.6]).unwrap();
        assert_has(&fig, "Attention of `Michael`");
        assert_has(&fig, "Hopkins");
    }

    #[test]
    fn heatmap_with_tick_labels_and_grid() {
        let rows = vec![vec![0.1, 0.9], vec![0.5, 0.5], vec![1.0, 0.0]];
        let fig = Heatmap::new("Weights", "key", "query", &rows)
            .x_ticks(&["a", "b"])
            .y_ticks(&["x", "y", "z"])
            .range(0.0, 1.0)
            .annotate(2)
            .value_label("weight")
            .draw()
            .unwrap();
        for needle in ["Weights", "key", "query", "a", "b", "x", "z", "0.90", "weight"] {
            assert_has(&fig, needle);
        }
        let panels = (0..8).map(|h| (format!("head {h}"), rows.clone())).collect();
        let fig = HeatmapGrid::new("Eight heads", "key", "query", panels).columns(4).draw().unwrap();
        assert_has(&fig, "Eight heads");
        assert_has(&fig, "head 7");
        // Four panels of 300 pixels are wider than a notebook column: shown scaled to fit.
        let shown = fig.notebook_svg();
        assert!(shown.starts_with("<svg width=\"960\" height=\"444\" viewBox=\"0 0 1295 600\""), "{}", &shown[..80]);
        assert_eq!(shown.len(), fig.svg().len() - 1, "only the root's size changes");
        let narrow = Heatmap::new("Small", "key", "query", &rows).draw().unwrap();
        assert_eq!(narrow.notebook_svg(), narrow.svg(), "a figure that fits is shown as drawn");
    }

    #[test]
    fn bad_input_is_an_error_naming_the_problem() {
        let err = line("Mismatch", "x", "y", &[1.0, 2.0], &[1.0]).unwrap_err();
        assert_eq!(err.to_string(), "cannot draw `Mismatch`: series `` has 2 x values but 1 y values");
        let err = Chart::new("Empty", "x", "y").draw().unwrap_err();
        assert!(err.to_string().contains("no series"), "{err}");
        let err = heatmap("Ragged", "x", "y", &[vec![1.0, 2.0], vec![1.0]]).unwrap_err();
        assert!(err.to_string().contains("row 1 has 1 values, row 0 has 2"), "{err}");
        let err = Heatmap::new("Ticks", "x", "y", &[vec![1.0, 2.0]]).x_ticks(&["only one"]).draw().unwrap_err();
        assert!(err.to_string().contains("1 x tick labels for 2 x cells"), "{err}");
        let err = line("Nothing finite", "x", "y", &[f64::NAN], &[1.0]).unwrap_err();
        assert!(err.to_string().contains("no series has a finite point"), "{err}");
    }

    /// Runs `f` on a thread and fails if it takes more than 20 s (a hang in plotters).
    fn within_time<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(std::time::Duration::from_secs(20)).expect("drawing did not finish in 20 s")
    }

    fn message(result: Result<Figure>) -> String {
        result.expect_err("expected an error").to_string()
    }

    #[test]
    fn bad_ranges_are_errors_not_panics_or_hangs() {
        let x = [0.0, 1.0, 2.0];
        let chart = || Chart::new("Range", "x", "y").line("s", &x, &x);
        let text = message(chart().x_range(f64::NAN, f64::NAN).draw());
        assert_eq!(text, "cannot draw `Range`: x range (set by x_range) (NaN, NaN): both ends must be finite numbers");
        let text = message(chart().x_range(f64::NEG_INFINITY, f64::INFINITY).draw());
        assert!(text.contains("x range (set by x_range) (-inf, inf): both ends must be finite"), "{text}");
        let text = message(chart().y_range(2.0, 1.0).draw());
        assert!(text.contains("y range (set by y_range) (2, 1): the low end must be below the high end"), "{text}");
        let text = message(chart().x_range(-1e308, 1e308).draw());
        assert!(text.contains("the ends are too far apart to draw"), "{text}");
        // A span of one rounding step is drawn (every tick reads the same, but nothing hangs).
        let tiny = || Chart::new("Tiny", "x", "y").line("s", &[0.0], &[0.0]).x_range(1e300, 1e300 * (1.0 + 1e-15));
        assert!(within_time(move || tiny().draw()).is_ok());
        // Data at ±1e308: the span overflows; a range near the largest number drops its padding.
        let text =
            message(within_time(|| Chart::new("Far", "x", "y").points("p", &[-1e308, 1e308], &[0.0, 1.0]).draw()));
        assert!(text.contains("the x values span (-1e308, 1e308): the ends are too far apart"), "{text}");
        let fig = within_time(|| Chart::new("Edge", "x", "y").points("p", &[-1.7e308, 0.0], &[1e308, 1.7e308]).draw());
        assert_has(&fig.unwrap(), "Edge");
        let fig = within_time(|| Chart::new("One", "x", "y").points("p", &[1e300], &[1e300]).draw());
        assert_has(&fig.unwrap(), "One");
        let text = message(
            Chart::new("Colours", "x", "y").points_by_value("v", &[0.0, 1.0], &[0.0, 1.0], &[-1e308, 1e308], "").draw(),
        );
        assert!(text.contains("the values of series `v` span (-1e308, 1e308)"), "{text}");
        // Lines far outside a fixed range are clipped by the drawing, not a panic.
        let fig = within_time(move || {
            Chart::new("Clip", "x", "y")
                .dashed_line("d", &[0.0, 1e308], &[0.0, -1e308])
                .band("b", &[0.0, 1.0], &[-1e300, -1e300], &[1e300, 1e300])
                .x_range(0.0, 1.0)
                .y_range(0.0, 1.0)
                .draw()
        });
        assert_has(&fig.unwrap(), "Clip");
    }

    #[test]
    fn bad_heatmaps_histograms_and_bars_are_errors() {
        let rows = vec![vec![0.0, 1.0]];
        let text = message(Heatmap::new("H", "x", "y", &rows).range(f64::NAN, f64::NAN).draw());
        assert!(text.contains("colour range (set by range) (NaN, NaN): both ends must be finite numbers"), "{text}");
        let text = message(Heatmap::new("H", "x", "y", &rows).range(1.0, 0.0).draw());
        assert!(text.contains("colour range (set by range) (1, 0): the low end must be below"), "{text}");
        let text = message(Heatmap::new("H", "x", "y", &[vec![-1e308, 1e308]]).draw());
        assert!(text.contains("the matrix values span (-1e308, 1e308)"), "{text}");
        let text = message(Heatmap::new("H", "x", "y", &rows).annotate(usize::MAX).draw());
        assert!(text.contains("annotate(18446744073709551615): at most 15 decimals"), "{text}");
        let text = message(Heatmap::new("H", "x", "y", &vec![vec![0.0; 501]; 500]).draw());
        assert!(text.contains("the matrix has 250500 cells, more than 250000"), "{text}");
        let text = message(Heatmap::new("H", "x", "y", &rows).size(20_000, 400).draw());
        assert!(
            text.contains("the figure's size 20000 x 400 px is too large: each side must be at most 10000"),
            "{text}"
        );
        let panels = vec![("a".to_owned(), rows.clone()); 2];
        let text = message(HeatmapGrid::new("G", "x", "y", panels.clone()).range(0.0, f64::INFINITY).draw());
        assert!(text.contains("colour range (set by range) (0, inf)"), "{text}");
        let text = message(HeatmapGrid::new("G", "x", "y", panels).panel_size(u32::MAX, 100).draw());
        assert!(text.contains("the grid's size 8589934685 x 140 px is too large"), "{text}");
        let text = message(histogram("Hist", "x", "n", &[1.0, 2.0], 1_000_000));
        assert!(text.contains("1000000 bins: the number of bins must be from 1 to 10000"), "{text}");
        let text = message(within_time(|| histogram("Hist", "x", "n", &[-1e308, 1e308], 10)));
        assert!(text.contains("the values span (-1e308, 1e308): the ends are too far apart"), "{text}");
        let text = message(within_time(|| bar_chart("Bars", "k", "v", &["a", "b"], &[-1e308, 1e308])));
        assert!(text.contains("the bars (with 0) span (-1e308, 1e308)"), "{text}");
        let fig = within_time(|| bar_chart("Big bars", "k", "v", &["a", "b"], &[1e308, 1.7e308]));
        assert_has(&fig.unwrap(), "Big bars");
        let text = message(Chart::new("Big", "x", "y").line("s", &[0.0], &[0.0]).size(u32::MAX, 300).draw());
        assert!(text.contains("the figure's size 4294967295 x 300 px is too large"), "{text}");
        let text = message(Chart::new("V", "x", "y").points_by_value("v", &[0.0, 1.0], &[0.0, 1.0], &[1.0], "").draw());
        assert!(text.ends_with("series `v` has 2 x values but 1 colour values"), "{text}");
        let text = message(Chart::new("Groups", "x", "y").points_by_group(&[0.0, 1.0], &[0.0], &["a", "b"]).draw());
        assert!(text.contains("points_by_group has 2 x values, 1 y values and 2 groups"), "{text}");
    }

    #[test]
    fn lines_and_bands_are_clipped_to_the_axes() {
        let window = ((0.0, 10.0), (0.0, 10.0));
        // In, out and back in: two pieces, cut exactly where the line crosses x = 10.
        let pieces = clip_polyline(&[(5.0, 5.0), (15.0, 5.0), (5.0, 6.0)], window);
        assert_eq!(pieces, vec![vec![(5.0, 5.0), (10.0, 5.0)], vec![(10.0, 5.5), (5.0, 6.0)]]);
        assert_eq!(clip_polyline(&[(1.0, 1.0), (2.0, 2.0), (3.0, 1.0)], window).len(), 1);
        assert!(clip_polyline(&[(-5.0, 20.0), (20.0, 30.0)], window).is_empty());
        // Far ends keep their direction: the diagonal through the box. Ends at ±1e308 give a
        // point or piece inside the box (their rounding is wider than the box), never a panic.
        let pieces = clip_polyline(&[(-1e6, -1e6), (1e6, 1e6)], window);
        assert_eq!(pieces, vec![vec![(0.0, 0.0), (10.0, 10.0)]]);
        let pieces = clip_polyline(&[(-1e308, -1e308), (1.7e308, 1e308)], window);
        assert!(pieces.iter().flatten().all(|p| (0.0..=10.0).contains(&p.0) && (0.0..=10.0).contains(&p.1)));
        let square = clip_polygon(&[(-5.0, -5.0), (15.0, -5.0), (15.0, 5.0), (-5.0, 5.0)], window);
        assert_eq!(square, vec![(0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 5.0)]);
        assert!(clip_polygon(&[(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)], window).is_empty());
        let fig = Chart::new("Outside", "x", "y")
            .band("b", &[0.0, 1.0], &[5.0, 5.0], &[6.0, 6.0])
            .line("l", &[0.0, 1.0], &[5.0, 6.0])
            .y_range(0.0, 1.0)
            .draw()
            .unwrap();
        assert_has(&fig, "l");
    }

    #[test]
    fn save_writes_the_svg() {
        let fig = line("Saved", "x", "y", &[0.0, 1.0], &[0.0, 1.0]).unwrap();
        let path = std::env::temp_dir().join(format!("dslab-plot-{}.svg", std::process::id()));
        fig.save(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), fig.svg());
        std::fs::remove_file(&path).unwrap();
        let err = fig.save("/no/such/dir/plot.svg").unwrap_err();
        assert!(err.to_string().starts_with("cannot write /no/such/dir/plot.svg"), "{err}");
    }

    #[test]
    fn ticks_are_compact() {
        assert_eq!(tick(1850.0, 200.0), "1850");
        assert_eq!(tick(0.25, 1.0), "0.25");
        assert_eq!(tick(12.5, 40.0), "12.5");
        assert_eq!(tick(2.0e7, 3.0e7), "2.0e7");
        assert_eq!(tick(-0.5, 2.0), "-0.5");
        assert_eq!(tick(-2.2e-16, 2.2), "0");
        // Longitudes over a city: neighbouring ticks must differ.
        assert_eq!(tick(-123.12, 0.1), "-123.12");
        assert_eq!(tick(-123.1, 0.1), "-123.1");
    }
}
