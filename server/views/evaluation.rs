//! The lerend-evalueren dashboard: per subject a chart and a table with the same figures (the
//! chosen half-year next to the one before), each table also as CSV. [`tables`] is the one
//! description of those tables; the page and the CSV export both use it.

use maud::{Markup, html};

use super::{
    charts::{self, Unit},
    components::topbar,
    layout,
};
use crate::{
    export::Cell,
    format,
    services::evaluation::{Dashboard, Figures, HalfYear, Scope},
    views::SignedIn,
};

/// A value in a dashboard table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Count(i64),
    Cents(i64),
    /// Days or months with one decimal; `None` when there is nothing to take a median of.
    Decimal(Option<f64>),
    Text(String),
}

impl Value {
    fn dutch(&self) -> String {
        match self {
            Value::Count(n) => format::thousands(n.max(&0).unsigned_abs()),
            Value::Cents(c) => format::euro(*c),
            Value::Decimal(Some(d)) => format!("{d:.1}").replace('.', ","),
            Value::Decimal(None) => "–".into(),
            Value::Text(t) => t.clone(),
        }
    }

    /// As a CSV cell (`text` keeps the decimal's Dutch spelling alive).
    pub fn cell<'a>(&'a self, text: &'a str) -> Cell<'a> {
        match self {
            Value::Count(n) => Cell::Int(*n),
            Value::Cents(c) => Cell::Euro(*c),
            Value::Decimal(_) | Value::Text(_) => Cell::Text(text),
        }
    }

    pub fn text(&self) -> String {
        self.dutch()
    }
}

/// One table of the dashboard.
#[derive(Debug, Clone)]
pub struct FigureTable {
    /// Its name in the CSV link (`tabel=`).
    pub key: &'static str,
    pub title: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// (category, previous, current) rows of two [`crate::services::evaluation::Counts`].
fn pair(
    previous: &[(String, i64)],
    current: &[(String, i64)],
    wrap: fn(i64) -> Value,
) -> Vec<Vec<Value>> {
    current
        .iter()
        .map(|(name, n)| {
            let before = previous
                .iter()
                .find(|(p, _)| p == name)
                .map_or(0, |(_, v)| *v);
            vec![Value::Text(name.clone()), wrap(before), wrap(*n)]
        })
        .collect()
}

/// Every table of `d`, in the page's order.
pub fn tables(d: &Dashboard) -> Vec<FigureTable> {
    let (p, c) = (&d.previous, &d.current);
    let halves = |first: &str| vec![first.to_owned(), d.half.previous().dutch(), d.half.dutch()];
    let merged_bottlenecks: Vec<(String, i64)> = {
        // The chosen half-year's ranking, with what the half before had of each (and its own
        // knelpunten after them).
        let mut names: Vec<String> = c.bottlenecks.iter().map(|(n, _)| n.clone()).collect();
        for (n, _) in &p.bottlenecks {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        names
            .into_iter()
            .map(|n| {
                let v = c
                    .bottlenecks
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map_or(0, |(_, v)| *v);
                (n, v)
            })
            .collect()
    };
    let level_rows = |f: &Figures, label: &str| -> Vec<Vec<Value>> {
        f.escalations
            .iter()
            .map(|l| {
                vec![
                    Value::Text(label.to_owned()),
                    Value::Text(l.level.clone()),
                    Value::Count(l.count),
                    Value::Count(l.solved),
                    Value::Count(l.returned),
                    Value::Count(l.further),
                    Value::Count(l.open),
                    Value::Decimal(l.median_days),
                ]
            })
            .collect()
    };
    let rendement_rows = |f: &Figures, label: &str| -> Vec<Value> {
        let r = &f.rendement;
        vec![
            Value::Text(label.to_owned()),
            Value::Count(r.canvases),
            Value::Cents(r.current),
            Value::Cents(r.inaction),
            Value::Cents(r.solution),
            Value::Cents(r.net),
            Value::Decimal(r.median_payback_months),
            Value::Count(r.never),
        ]
    };
    let budget_rows = |f: &Figures| -> Vec<Vec<Value>> {
        f.budget
            .iter()
            .map(|b| {
                vec![
                    Value::Count(i64::from(b.year)),
                    Value::Cents(b.budgeted),
                    Value::Cents(b.committed),
                    Value::Cents(b.spent),
                    Value::Cents(b.leergeld),
                ]
            })
            .collect()
    };
    let mut budget = budget_rows(p);
    for row in budget_rows(c) {
        if !budget.contains(&row) {
            budget.push(row);
        }
    }
    vec![
        FigureTable {
            key: "status",
            title: "Gestarte canvassen naar hun status nu",
            columns: halves("Status"),
            rows: pair(&p.by_status, &c.by_status, Value::Count),
        },
        FigureTable {
            key: "uitkomst",
            title: "Afgesloten canvassen naar uitkomst",
            columns: vec![
                "Halfjaar".into(),
                "Doorbraak gerealiseerd".into(),
                "Afgesloten zonder doorbraak".into(),
            ],
            rows: vec![
                vec![
                    Value::Text(d.half.previous().dutch()),
                    Value::Count(p.outcomes.0),
                    Value::Count(p.outcomes.1),
                ],
                vec![
                    Value::Text(d.half.dutch()),
                    Value::Count(c.outcomes.0),
                    Value::Count(c.outcomes.1),
                ],
            ],
        },
        FigureTable {
            key: "maanden",
            title: "Doorbraken per maand",
            columns: vec!["Maand".into(), "Doorbraken".into()],
            rows: p
                .per_month
                .iter()
                .chain(&c.per_month)
                .map(|(m, n)| vec![Value::Text(m.clone()), Value::Count(*n)])
                .collect(),
        },
        FigureTable {
            key: "leefgebieden",
            title: "Doorbraken per leefgebied",
            columns: halves("Leefgebied"),
            rows: pair(&p.per_life_area, &c.per_life_area, Value::Count),
        },
        FigureTable {
            key: "domeinen",
            title: "Doorbraken per domein",
            columns: halves("Domein"),
            rows: pair(&p.per_domain, &c.per_domain, Value::Count),
        },
        FigureTable {
            key: "knelpunten",
            title: "Systeemknelpunten, het vaakst eerst",
            columns: halves("Knelpunt (regeling en artikel, of soort)"),
            rows: pair(&p.bottlenecks, &merged_bottlenecks, Value::Count),
        },
        FigureTable {
            key: "leerorde",
            title: "Leerorde van de afgesloten canvassen",
            columns: halves("Leerorde"),
            rows: pair(&p.orders, &c.orders, Value::Count),
        },
        FigureTable {
            key: "opschaling",
            title: "Opschalingen per niveau",
            columns: [
                "Halfjaar",
                "Naar",
                "Aantal",
                "Opgelost",
                "Teruggelegd",
                "Verder opgeschaald",
                "Nog open",
                "Mediaan dagen tot antwoord",
            ]
            .map(String::from)
            .to_vec(),
            rows: level_rows(p, &d.half.previous().dutch())
                .into_iter()
                .chain(level_rows(c, &d.half.dutch()))
                .collect(),
        },
        FigureTable {
            key: "budget",
            title: "Doorbraakbudget per jaar",
            columns: [
                "Jaar",
                "Begroot",
                "Verplicht",
                "Uitgegeven",
                "Waarvan leergeld",
            ]
            .map(String::from)
            .to_vec(),
            rows: budget,
        },
        FigureTable {
            key: "budget-leefgebieden",
            title: "Uitgegeven doorbraakbudget per leefgebied",
            columns: vec![
                "Leefgebied".into(),
                format!("{}", d.half.previous().year),
                format!("{}", d.half.year),
            ],
            rows: pair(&p.spent_per_life_area, &c.spent_per_life_area, Value::Cents),
        },
        FigureTable {
            key: "rendement",
            title: "Rendement van de afgesloten canvassen",
            columns: [
                "Halfjaar",
                "Canvassen",
                "Huidige kosten",
                "Kosten van niets doen en gevolgschade",
                "Kosten van de oplossing",
                "Netto resultaat",
                "Mediaan terugverdientijd (maanden)",
                "Wordt niet terugverdiend",
            ]
            .map(String::from)
            .to_vec(),
            rows: vec![
                rendement_rows(p, &d.half.previous().dutch()),
                rendement_rows(c, &d.half.dutch()),
            ],
        },
    ]
}

fn table(t: &FigureTable, csv: &str) -> Markup {
    html! {
        table.figures {
            caption { (t.title) " " a.csv href=(csv) { "CSV" } }
            thead { tr { @for c in &t.columns { th scope="col" { (c) } } } }
            tbody {
                @for row in &t.rows {
                    tr {
                        @for (i, v) in row.iter().enumerate() {
                            @if i == 0 { th scope="row" { (v.text()) } }
                            @else { td.number[!matches!(v, Value::Text(_))] { (v.text()) } }
                        }
                    }
                }
            }
        }
    }
}

/// The chart of table `t`, if it has one.
fn chart(t: &FigureTable, d: &Dashboard) -> Option<Markup> {
    let series = [d.half.previous().dutch(), d.half.dutch()];
    let series = [series[0].as_str(), series[1].as_str()];
    let numbers = |unit: Unit| {
        let rows: Vec<(String, [i64; 2])> = t
            .rows
            .iter()
            .filter_map(|r| match (&r[0], &r[1], &r[2]) {
                (
                    Value::Text(n),
                    Value::Count(a) | Value::Cents(a),
                    Value::Count(b) | Value::Cents(b),
                ) => Some((n.clone(), [*a, *b])),
                _ => None,
            })
            .collect();
        charts::grouped_bars(t.title, series, &rows, unit)
    };
    match t.key {
        "status" | "leefgebieden" | "domeinen" | "leerorde" => Some(numbers(Unit::Count)),
        "knelpunten" if !t.rows.is_empty() => Some(numbers(Unit::Count)),
        "budget-leefgebieden" => Some(numbers(Unit::Cents)),
        "uitkomst" => Some(charts::stacked_bars(
            t.title,
            &["Doorbraak gerealiseerd", "Afgesloten zonder doorbraak"],
            &[
                (
                    d.half.previous().dutch(),
                    vec![d.previous.outcomes.0, d.previous.outcomes.1],
                ),
                (
                    d.half.dutch(),
                    vec![d.current.outcomes.0, d.current.outcomes.1],
                ),
            ],
        )),
        "maanden" => Some(charts::line(
            t.title,
            &d.previous
                .per_month
                .iter()
                .chain(&d.current.per_month)
                .cloned()
                .collect::<Vec<_>>(),
        )),
        _ => None,
    }
}

/// The link to the dashboard of `scope` for `half`, or with `csv` to one of its tables.
pub fn link(scope: &Scope, half: HalfYear, csv: Option<&str>) -> String {
    match csv {
        Some(key) => format!(
            "/lerend-evalueren.csv?{}&halfjaar={}&tabel={key}",
            scope.query(),
            half.code()
        ),
        None => format!(
            "/lerend-evalueren?{}&halfjaar={}",
            scope.query(),
            half.code()
        ),
    }
}

/// The dashboard's figures: per table its chart and the table itself.
pub fn figures(d: &Dashboard) -> Markup {
    html! {
        @for t in tables(d) {
            section.figure aria-labelledby={ "fig-" (t.key) } {
                h2 id={ "fig-" (t.key) } { (t.title) }
                @if let Some(svg) = chart(&t, d) { figure { (svg) } }
                (table(&t, &link(&d.scope, d.half, Some(t.key))))
            }
        }
    }
}

pub fn page(
    viewer: &SignedIn,
    d: &Dashboard,
    scopes: &[(Scope, String)],
    agenda: Option<Markup>,
    nonce: &str,
) -> Markup {
    let halves: Vec<HalfYear> = {
        let mut h = HalfYear::of(crate::store::now_millis());
        let mut out = Vec::new();
        for _ in 0..6 {
            out.push(h);
            h = h.previous();
        }
        out
    };
    layout(
        "Lerend evalueren",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #lerend-evalueren {
                h1 { "Lerend evalueren: " (d.name) }
                p { "De cijfers van " (d.half.dutch()) ", naast die van " (d.half.previous().dutch()) ". Elke grafiek staat ook als tabel en als CSV hieronder." }
                form.dashboard-choice method="get" action="/lerend-evalueren" {
                    label {
                        "Dashboard"
                        select name="dashboard" {
                            @for (scope, name) in scopes {
                                option value=(scope.query()) selected[*scope == d.scope] { (name) }
                            }
                        }
                    }
                    label {
                        "Halfjaar"
                        select name="halfjaar" {
                            @for h in &halves {
                                option value=(h.code()) selected[*h == d.half] { (h.dutch()) }
                            }
                        }
                    }
                    button type="submit" { "Tonen" }
                }
                @if let Some(agenda) = agenda { (agenda) }
                (figures(d))
            }
        },
    )
}
