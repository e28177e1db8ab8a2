//! Charts drawn on the server as SVG: readable without JavaScript, printable, and always next to
//! a table with the same figures (the chart is `aria-hidden`-free but described by its title;
//! the table is what a screen reader reads). Three kinds: grouped bars (a half-year next to the
//! one before), stacked bars (parts of a whole per half-year) and a line over months.

use maud::{Markup, html};

use crate::format;

/// How a chart writes its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Cents,
}

fn label(value: i64, unit: Unit) -> String {
    match unit {
        Unit::Count => format::thousands(value.max(0) as u64),
        Unit::Cents => format::euro(value),
    }
}

const WIDTH: i64 = 640;
const LABEL_WIDTH: i64 = 220;
const BAR: i64 = 12;
const SERIES_COLOURS: [&str; 2] = ["#9aa7b8", "#1f4e79"];

/// Horizontal bars, per category one bar per series (`series` names them: the previous
/// half-year first, then the chosen one).
pub fn grouped_bars(
    title: &str,
    series: [&str; 2],
    rows: &[(String, [i64; 2])],
    unit: Unit,
) -> Markup {
    let max = rows
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let row_height = BAR * 2 + 10;
    let height = 30 + rows.len() as i64 * row_height;
    let scale = |v: i64| (v.max(0) * (WIDTH - LABEL_WIDTH - 110)) / max;
    html! {
        svg.chart viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height)
            role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for (i, name) in series.iter().enumerate() {
                rect x=(LABEL_WIDTH + i as i64 * 170) y="4" width="12" height="12" fill=(SERIES_COLOURS[i]) {}
                text x=(LABEL_WIDTH + 18 + i as i64 * 170) y="15" font-size="12" { (name) }
            }
            @for (r, (category, values)) in rows.iter().enumerate() {
                @let y = 26 + r as i64 * row_height;
                text x=(LABEL_WIDTH - 8) y=(y + BAR + 4) font-size="12" text-anchor="end" { (category) }
                @for (i, v) in values.iter().enumerate() {
                    @let top = y + i as i64 * BAR;
                    rect x=(LABEL_WIDTH) y=(top) width=(scale(*v)) height=(BAR - 1) fill=(SERIES_COLOURS[i]) {}
                    text x=(LABEL_WIDTH + scale(*v) + 4) y=(top + BAR - 2) font-size="11" { (label(*v, unit)) }
                }
            }
        }
    }
}

/// One bar per row (a half-year), split into `parts` (named in `names`).
pub fn stacked_bars(title: &str, names: &[&str], rows: &[(String, Vec<i64>)]) -> Markup {
    const COLOURS: [&str; 3] = ["#2e7d32", "#9a4f00", "#595959"];
    let max = rows
        .iter()
        .map(|(_, parts)| parts.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let row_height = 30;
    let height = 30 + rows.len() as i64 * row_height;
    let scale = |v: i64| (v.max(0) * (WIDTH - LABEL_WIDTH - 60)) / max;
    html! {
        svg.chart viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height)
            role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for (i, name) in names.iter().enumerate() {
                rect x=(LABEL_WIDTH + i as i64 * 200) y="4" width="12" height="12" fill=(COLOURS[i % 3]) {}
                text x=(LABEL_WIDTH + 18 + i as i64 * 200) y="15" font-size="12" { (name) }
            }
            @for (r, (category, parts)) in rows.iter().enumerate() {
                @let y = 26 + r as i64 * row_height;
                text x=(LABEL_WIDTH - 8) y=(y + 15) font-size="12" text-anchor="end" { (category) }
                @for (i, v) in parts.iter().enumerate() {
                    @let x = LABEL_WIDTH + scale(parts[..i].iter().sum());
                    rect x=(x) y=(y) width=(scale(*v)) height="20" fill=(COLOURS[i % 3]) {}
                    @if *v > 0 {
                        text x=(x + 4) y=(y + 14) font-size="11" fill="#fff" { (format::thousands(*v as u64)) }
                    }
                }
            }
        }
    }
}

/// A line through `points` (month, value), left to right.
pub fn line(title: &str, points: &[(String, i64)]) -> Markup {
    let height = 200;
    let (left, right, top, bottom) = (40, 20, 20, 50);
    let max = points.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let n = points.len().max(2) as i64;
    let x = |i: usize| left + i as i64 * (WIDTH - left - right) / (n - 1);
    let y = |v: i64| top + (height - top - bottom) * (max - v.max(0)) / max;
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{},{}", x(i), y(*v)))
        .collect();
    html! {
        svg.chart viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height)
            role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            line x1=(left) y1=(y(0)) x2=(WIDTH - right) y2=(y(0)) stroke="#888" {}
            text x=(left - 6) y=(y(max) + 4) font-size="11" text-anchor="end" { (max) }
            text x=(left - 6) y=(y(0) + 4) font-size="11" text-anchor="end" { "0" }
            polyline points=(path.join(" ")) fill="none" stroke=(SERIES_COLOURS[1]) stroke-width="2" {}
            @for (i, (month, v)) in points.iter().enumerate() {
                circle cx=(x(i)) cy=(y(*v)) r="3" fill=(SERIES_COLOURS[1]) {}
                text x=(x(i)) y=(height - bottom + 16) font-size="10" text-anchor="middle" {
                    (month.split(' ').next().unwrap_or_default().chars().take(3).collect::<String>())
                }
            }
        }
    }
}
