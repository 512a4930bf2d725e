//! Charts drawn on the server as SVG — no chart library in the browser. Every chart is an
//! image with a title and a description for screen readers, and the page shows the same
//! numbers in a table beside it.

use std::fmt::Write;

use time::Date;

use crate::clock;

pub struct Series {
    pub label: String,
    pub points: Vec<(Date, f64)>,
}

/// Colours that keep 3:1 contrast to white and to each other's neighbours, with a marker
/// shape per series so colour is never the only difference.
const COLOURS: [&str; 4] = ["#005ea5", "#b34700", "#2e7d32", "#6a1b9a"];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn marker(series: usize, x: f64, y: f64, colour: &str) -> String {
    match series % 4 {
        0 => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{colour}"/>"#),
        1 => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="{colour}"/>"#,
            x - 4.0,
            y - 4.0
        ),
        2 => format!(
            r#"<path d="M{x:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z" fill="{colour}"/>"#,
            y - 5.0,
            x + 5.0,
            y + 4.0,
            x - 5.0,
            y + 4.0
        ),
        _ => format!(
            r#"<path d="M{x:.1} {:.1} L{:.1} {y:.1} L{x:.1} {:.1} L{:.1} {y:.1} Z" fill="{colour}"/>"#,
            y - 5.0,
            x + 5.0,
            y + 5.0,
            x - 5.0
        ),
    }
}

/// A line chart of `series` over time on a fixed value axis from `min` to `max`.
pub fn line_chart(
    id: &str,
    title: &str,
    description: &str,
    series: &[Series],
    min: f64,
    max: f64,
) -> String {
    let (width, height) = (640.0_f64, 260.0_f64);
    let (left, right, top, bottom) = (40.0, 16.0, 16.0, 36.0);
    let dates: Vec<Date> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|(d, _)| *d))
        .collect();
    let (Some(first), Some(last)) = (dates.iter().min().copied(), dates.iter().max().copied())
    else {
        return String::new();
    };
    let span = ((last - first).whole_days().max(1)) as f64;
    let x =
        |date: Date| left + (width - left - right) * ((date - first).whole_days() as f64 / span);
    let y = |value: f64| top + (height - top - bottom) * (1.0 - (value - min) / (max - min));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="korps-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    // Value grid and labels.
    let steps = 5;
    for i in 0..=steps {
        let value = min + (max - min) * f64::from(i) / f64::from(steps);
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#d0d0d0" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="#1a1a1a">{}</text>"##,
            width - right,
            y(value),
            y(value),
            left - 6.0,
            y(value) + 4.0,
            value.round()
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{left}" y="{:.1}" font-size="12" fill="#1a1a1a">{}</text><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="#1a1a1a">{}</text>"##,
        height - 12.0,
        clock::format_date(first),
        width - right,
        height - 12.0,
        clock::format_date(last)
    );
    for (index, s) in series.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        let mut points: Vec<(Date, f64)> = s.points.clone();
        points.sort_by_key(|(d, _)| *d);
        if points.len() > 1 {
            let path: Vec<String> = points
                .iter()
                .map(|(d, v)| format!("{:.1},{:.1}", x(*d), y(*v)))
                .collect();
            let _ = write!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
                path.join(" ")
            );
        }
        for (d, v) in &points {
            svg.push_str(&marker(index, x(*d), y(*v), colour));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One bar: its label, the length to draw (None when the figure is suppressed and no
/// length may give it away) and the figure as shown in text.
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub shown: String,
}

/// A horizontal bar chart, one bar per row, with the figure written at the bar's end.
pub fn bar_chart(id: &str, title: &str, description: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        return String::new();
    }
    let (width, row, label_width) = (640.0_f64, 28.0_f64, 200.0_f64);
    let height = row * bars.len() as f64 + 8.0;
    let max = bars
        .iter()
        .filter_map(|b| b.value)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let room = width - label_width - 60.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="korps-chart korps-chart--bars" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    for (index, bar) in bars.iter().enumerate() {
        let top = 4.0 + row * index as f64;
        let length = bar.value.map(|v| room * v / max).unwrap_or(0.0);
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="end" fill="#1a1a1a">{}</text><rect x="{label_width}" y="{:.1}" width="{length:.1}" height="{:.1}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#1a1a1a">{}</text>"##,
            label_width - 8.0,
            top + row / 2.0 + 4.0,
            escape(&bar.label),
            top + 4.0,
            row - 8.0,
            COLOURS[0],
            label_width + length + 6.0,
            top + row / 2.0 + 4.0,
            escape(&bar.shown)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A small trend line for lists (a course's ratings), labelled with its values so a
/// screen reader hears what the eye sees.
pub fn sparkline(label: &str, values: &[f64], min: f64, max: f64) -> String {
    if values.len() < 2 {
        return String::new();
    }
    let (width, height) = (96.0_f64, 24.0_f64);
    let step = (width - 6.0) / (values.len() - 1) as f64;
    let y = |v: f64| 3.0 + (height - 6.0) * (1.0 - (v - min) / (max - min));
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", 3.0 + step * i as f64, y(*v)))
        .collect();
    let (last_x, last_y) = (
        3.0 + step * (values.len() - 1) as f64,
        y(values[values.len() - 1]),
    );
    format!(
        r#"<svg class="korps-sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><polyline points="{}" fill="none" stroke="{}" stroke-width="2"/><circle cx="{last_x:.1}" cy="{last_y:.1}" r="3" fill="{}"/></svg>"#,
        escape(label),
        points.join(" "),
        COLOURS[0],
        COLOURS[0]
    )
}

/// The legend: (colour, marker name, label) per series, shown beside the chart as text.
pub fn legend(series: &[Series]) -> Vec<(&'static str, String)> {
    series
        .iter()
        .enumerate()
        .map(|(i, s)| (COLOURS[i % COLOURS.len()], s.label.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_chart_is_an_accessible_svg_with_escaped_text() {
        let series = vec![Series {
            label: "Borger".into(),
            points: vec![(date!(2026 - 01 - 01), 3.0), (date!(2026 - 03 - 01), 6.0)],
        }];
        let svg = line_chart(
            "chart",
            "Progression <1–10>",
            "Stiger fra 3 til 6",
            &series,
            1.0,
            10.0,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id=\"chart-title\">Progression &lt;1–10&gt;</title>"));
        assert!(svg.contains("<polyline"));
        assert!(!svg.contains("style="), "no inline styles (CSP)");
    }

    #[test]
    fn a_suppressed_bar_has_no_length_but_its_text() {
        let bars = [
            Bar {
                label: "Aktive".into(),
                value: Some(12.0),
                shown: "12".into(),
            },
            Bar {
                label: "Afsluttede".into(),
                value: None,
                shown: "<5".into(),
            },
        ];
        let svg = bar_chart("bars", "Forløb", "Aktive 12, afsluttede <5", &bars);
        assert!(svg.contains(">&lt;5</text>"));
        assert!(
            svg.contains(r#"width="0.0""#),
            "the suppressed bar draws nothing"
        );
        assert_eq!(
            sparkline("x", &[4.0], 1.0, 10.0),
            "",
            "one value is no trend"
        );
        assert!(sparkline("Vurderinger 4, 6", &[4.0, 6.0], 1.0, 10.0).contains("aria-label"));
    }

    #[test]
    fn a_bar_chart_draws_one_bar_per_value_with_its_number() {
        let svg = bar_chart(
            "regions",
            "Ansøgere pr. region",
            "Hovedstaden 2",
            &[
                Bar {
                    label: "Region Hovedstaden".into(),
                    value: Some(2.0),
                    shown: "2".into(),
                },
                Bar {
                    label: "Region <Nord>".into(),
                    value: Some(0.0),
                    shown: "0".into(),
                },
            ],
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("Region &lt;Nord&gt;"));
        assert!(svg.contains(">2</text>"));
        assert_eq!(bar_chart("x", "t", "d", &[]), "");
    }

    #[test]
    fn no_points_no_chart() {
        assert_eq!(line_chart("c", "x", "y", &[], 0.0, 10.0), "");
    }
}
