//! The lerend-evalueren dashboard (issue 13): the figures of a team, gemeente, province or the
//! country for a half-year, next to the half-year before it. Which teams a scope covers and who
//! may open it is asked of the organisation and `access::workspace`; the counting is here, once,
//! for the page, its charts, its tables and their CSV alike.
//!
//! What counts in a half-year: the canvases started in it (by their status now); the canvases
//! closed in it (their last closing there), with their leeropbrengst and the rendement they
//! showed when closed; the escalations made in it; the doorbraakbudget of the half-year's
//! calendar year (the budget is set per year).

use std::collections::BTreeMap;

use super::ServiceError;
use crate::{
    access::{
        policy::Account,
        workspace::{self, EvaluationScope},
    },
    canvas::{regulations, rendement::Payback, schema, status::CanvasStatus},
    format,
    ids::{ProvinceId, TeamId},
    state::AppState,
    store::{
        TeamRow,
        evaluation::{BookingFact, EvaluationRows},
    },
    workflow::learning::Bottleneck,
};

/// A half-year: the first (January to June) or the second (July to December) of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HalfYear {
    pub year: i32,
    /// 1 or 2.
    pub half: u8,
}

impl HalfYear {
    /// The half-year of a moment (Dutch time).
    pub fn of(millis: i64) -> Self {
        let (year, month, ..) = format::dutch_parts(millis);
        HalfYear {
            year: year as i32,
            half: if month <= 6 { 1 } else { 2 },
        }
    }

    /// `2026-1` or `2026-2`.
    pub fn parse(code: &str) -> Option<Self> {
        let (year, half) = code.split_once('-')?;
        let year: i32 = year.parse().ok()?;
        let half: u8 = half.parse().ok()?;
        ((2000..=2100).contains(&year) && (half == 1 || half == 2))
            .then_some(HalfYear { year, half })
    }

    pub fn code(self) -> String {
        format!("{}-{}", self.year, self.half)
    }

    /// "1e helft 2026".
    pub fn dutch(self) -> String {
        format!("{}e helft {}", self.half, self.year)
    }

    pub fn previous(self) -> Self {
        match self.half {
            2 => HalfYear {
                year: self.year,
                half: 1,
            },
            _ => HalfYear {
                year: self.year - 1,
                half: 2,
            },
        }
    }

    fn first_month(self) -> u32 {
        if self.half == 1 { 1 } else { 7 }
    }

    /// [start, end) in Unix milliseconds, midnight Dutch time.
    pub fn bounds(self) -> (i64, i64) {
        let start = format::from_dutch_local(
            &format!("{:04}-{:02}-01", self.year, self.first_month()),
            "00:00",
        );
        let end = match self.half {
            1 => format::from_dutch_local(&format!("{:04}-07-01", self.year), "00:00"),
            _ => format::from_dutch_local(&format!("{:04}-01-01", self.year + 1), "00:00"),
        };
        (start.unwrap_or(0), end.unwrap_or(0))
    }

    /// The six months, as (year, month).
    pub fn months(self) -> Vec<(i32, u32)> {
        (self.first_month()..self.first_month() + 6)
            .map(|m| (self.year, m))
            .collect()
    }
}

/// Whose figures: a team, a gemeente, a province, the country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Team(TeamId),
    Gemeente(String),
    Province(ProvinceId),
    Country,
}

impl Scope {
    /// The query string's `niveau` and `id`.
    pub fn from_query(level: &str, id: &str) -> Option<Self> {
        match level {
            "team" => id.parse().ok().map(|n| Scope::Team(TeamId(n))),
            "gemeente" if !id.is_empty() => Some(Scope::Gemeente(id.to_owned())),
            "provincie" => id.parse().ok().map(|n| Scope::Province(ProvinceId(n))),
            "land" => Some(Scope::Country),
            _ => None,
        }
    }

    pub fn query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        match self {
            Scope::Team(t) => q
                .append_pair("niveau", "team")
                .append_pair("id", &t.0.to_string()),
            Scope::Gemeente(g) => q.append_pair("niveau", "gemeente").append_pair("id", g),
            Scope::Province(p) => q
                .append_pair("niveau", "provincie")
                .append_pair("id", &p.0.to_string()),
            Scope::Country => q.append_pair("niveau", "land"),
        };
        q.finish()
    }

    fn covers(&self, team: &TeamRow) -> bool {
        match self {
            Scope::Team(t) => team.id == *t,
            Scope::Gemeente(g) => team.gemeente == *g,
            Scope::Province(p) => team.province_id == *p,
            Scope::Country => true,
        }
    }

    /// Whether `account` may open it (the workspace rule, given the teams it covers).
    fn open_to(&self, account: &Account, teams: &[TeamRow]) -> bool {
        let covered: Vec<TeamId> = teams
            .iter()
            .filter(|t| self.covers(t))
            .map(|t| t.id)
            .collect();
        workspace::may_open_evaluation(
            account,
            match self {
                Scope::Province(p) => EvaluationScope::Province(*p),
                Scope::Country => EvaluationScope::Country,
                _ => EvaluationScope::Teams(&covered),
            },
        )
    }
}

/// The dashboards `account` may open, with their Dutch names, first the most local.
pub async fn scopes(
    state: &AppState,
    account: &Account,
) -> Result<Vec<(Scope, String)>, ServiceError> {
    let teams = state.directory.teams().await?;
    let mut candidates: Vec<(Scope, String)> = Vec::new();
    for t in &teams {
        candidates.push((Scope::Team(t.id), format!("Team {}", t.name)));
        let g = Scope::Gemeente(t.gemeente.clone());
        if !candidates.iter().any(|(s, _)| *s == g) {
            candidates.push((g, format!("Gemeente {}", t.gemeente)));
        }
    }
    for p in state.directory.provinces().await? {
        candidates.push((Scope::Province(p.id), format!("Provincie {}", p.name)));
    }
    candidates.push((Scope::Country, "Heel Nederland".into()));
    Ok(candidates
        .into_iter()
        .filter(|(s, _)| s.open_to(account, &teams))
        .collect())
}

/// A count per category, in the categories' own order.
pub type Counts = Vec<(String, i64)>;

/// The escalations to one level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LevelFigures {
    pub level: String,
    pub count: i64,
    pub solved: i64,
    pub returned: i64,
    pub further: i64,
    pub open: i64,
    /// Median days from escalation to answer, over the answered ones.
    pub median_days: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BudgetYear {
    pub year: i32,
    pub budgeted: i64,
    pub committed: i64,
    pub spent: i64,
    /// Spent on canvases closed without a doorbraak.
    pub leergeld: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RendementSum {
    /// Closed canvases with a leeropbrengst (and so a rendement).
    pub canvases: i64,
    pub current: i64,
    pub inaction: i64,
    pub solution: i64,
    pub net: i64,
    /// Median payback in months over those that pay back later (0 for "direct").
    pub median_payback_months: Option<f64>,
    pub never: i64,
}

/// One half-year's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Canvases started, by status now.
    pub by_status: Counts,
    /// Closed: (doorbraak gerealiseerd, zonder doorbraak).
    pub outcomes: (i64, i64),
    /// Doorbraken (gerealiseerd) per leefgebied and per domain.
    pub per_life_area: Counts,
    pub per_domain: Counts,
    /// Systeemknelpunten, most often first: regulations by law and article, then the other
    /// kinds.
    pub bottlenecks: Counts,
    /// Closings per leerorde 1, 2, 3.
    pub orders: Counts,
    pub escalations: Vec<LevelFigures>,
    pub budget: Vec<BudgetYear>,
    /// Spent per leefgebied of the canvas (a canvas of two leefgebieden counts for both).
    pub spent_per_life_area: Counts,
    pub rendement: RendementSum,
    /// Doorbraken per month.
    pub per_month: Counts,
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

const DAY_MS: f64 = 86_400_000.0;

/// The figures of one half-year from its facts.
pub fn figures(
    half: HalfYear,
    rows: &EvaluationRows,
    budgets: &[(i32, i64)],
    bookings: &[BookingFact],
) -> Figures {
    let realised = CanvasStatus::DoorbraakGerealiseerd.code();
    let by_status = CanvasStatus::ALL
        .iter()
        .map(|s| {
            let n = rows.started.iter().filter(|c| *c == s.code()).count() as i64;
            (s.dutch().to_owned(), n)
        })
        .collect();
    let wins: Vec<_> = rows
        .closings
        .iter()
        .filter(|c| c.outcome == realised)
        .collect();
    let outcomes = (wins.len() as i64, (rows.closings.len() - wins.len()) as i64);
    let tagged = |kind: &str, list: &[(&str, &str)]| -> Counts {
        list.iter()
            .map(|(code, name)| {
                let n = wins
                    .iter()
                    .filter(|c| c.tags.iter().any(|(k, t)| k == kind && t == code))
                    .count() as i64;
                ((*name).to_owned(), n)
            })
            .collect()
    };
    let per_life_area = tagged("leefgebied", &schema::LIFE_AREAS);
    let per_domain = tagged("domein", &schema::POLICY_DOMAINS);

    // Knelpunten: a regulation from the catalogue by law and article; otherwise the kind.
    let catalogue = regulations::catalogue();
    let mut bottlenecks: BTreeMap<String, i64> = BTreeMap::new();
    for c in &rows.closings {
        let name = match (&c.regulation, c.bottleneck.as_deref()) {
            (Some(id), _) => catalogue
                .iter()
                .find(|r| r.id == *id)
                .map(|r| format!("{} {}", r.law, r.article)),
            (None, Some(kind)) => Bottleneck::from_code(kind).map(|b| b.dutch().to_owned()),
            _ => None,
        };
        if let Some(name) = name {
            *bottlenecks.entry(name).or_default() += 1;
        }
    }
    let mut bottlenecks: Counts = bottlenecks.into_iter().collect();
    bottlenecks.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    let orders = (1..=3)
        .map(|o| {
            let n = rows.closings.iter().filter(|c| c.order == Some(o)).count() as i64;
            (format!("{o}e orde"), n)
        })
        .collect();

    let escalations = ["directie", "coach", "pmm"]
        .iter()
        .map(|level| {
            let of: Vec<_> = rows
                .escalations
                .iter()
                .filter(|e| e.to_level == *level)
                .collect();
            let outcome = |o: &str| {
                of.iter()
                    .filter(|e| e.outcome.as_deref() == Some(o))
                    .count() as i64
            };
            LevelFigures {
                level: crate::workflow::ladder::level_dutch(
                    crate::access::policy::EscalationLevel::from_code(level)
                        .unwrap_or(crate::access::policy::EscalationLevel::Team),
                )
                .to_owned(),
                count: of.len() as i64,
                solved: outcome("opgelost"),
                returned: outcome("teruggelegd"),
                further: outcome("verder_opgeschaald"),
                open: of.iter().filter(|e| e.outcome.is_none()).count() as i64,
                median_days: median(
                    of.iter()
                        .filter_map(|e| e.answered_at.map(|a| (a - e.escalated_at) as f64 / DAY_MS))
                        .collect(),
                ),
            }
        })
        .collect();

    let year = half.year;
    let in_year: Vec<_> = bookings.iter().filter(|b| b.year == year).collect();
    let sum = |kind: &str, leergeld: bool| -> i64 {
        in_year
            .iter()
            .filter(|b| b.kind == kind && (!leergeld || b.without_breakthrough))
            .map(|b| b.cents)
            .sum()
    };
    let budget = vec![BudgetYear {
        year,
        budgeted: budgets
            .iter()
            .filter(|(y, _)| *y == year)
            .map(|(_, c)| c)
            .sum(),
        committed: sum("committed", false),
        spent: sum("spent", false),
        leergeld: sum("spent", true),
    }];
    let spent_per_life_area = schema::LIFE_AREAS
        .iter()
        .map(|(code, name)| {
            let cents = in_year
                .iter()
                .filter(|b| b.kind == "spent" && b.life_areas.iter().any(|a| a == code))
                .map(|b| b.cents)
                .sum();
            ((*name).to_owned(), cents)
        })
        .collect();

    let with_rendement: Vec<_> = rows.closings.iter().filter_map(|c| c.rendement).collect();
    let rendement = RendementSum {
        canvases: with_rendement.len() as i64,
        current: with_rendement.iter().map(|r| r.current).sum(),
        inaction: with_rendement.iter().map(|r| r.inaction).sum(),
        solution: with_rendement.iter().map(|r| r.solution).sum(),
        net: with_rendement.iter().map(|r| r.net).sum(),
        median_payback_months: median(
            with_rendement
                .iter()
                .filter_map(|r| match r.payback {
                    Payback::Direct => Some(0.0),
                    Payback::Months(m) => Some(m as f64),
                    Payback::Never => None,
                })
                .collect(),
        ),
        never: with_rendement
            .iter()
            .filter(|r| r.payback == Payback::Never)
            .count() as i64,
    };

    let per_month = half
        .months()
        .into_iter()
        .map(|(y, m)| {
            let n = wins
                .iter()
                .filter(|c| {
                    let (cy, cm, ..) = format::dutch_parts(c.closed_at);
                    cy as i32 == y && cm == m
                })
                .count() as i64;
            (format::month_dutch(y, m), n)
        })
        .collect();

    Figures {
        by_status,
        outcomes,
        per_life_area,
        per_domain,
        bottlenecks,
        orders,
        escalations,
        budget,
        spent_per_life_area,
        rendement,
        per_month,
    }
}

/// A dashboard: the scope, its name, the half-year and the one before, with their figures.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub scope: Scope,
    pub name: String,
    pub half: HalfYear,
    pub current: Figures,
    pub previous: Figures,
}

/// The dashboard of `scope` for `half`, if `account` may open it.
pub async fn dashboard(
    state: &AppState,
    account: &Account,
    scope: Scope,
    half: HalfYear,
) -> Result<Dashboard, ServiceError> {
    let teams = state.directory.teams().await?;
    let name = scopes(state, account)
        .await?
        .into_iter()
        .find(|(s, _)| *s == scope)
        .map(|(_, name)| name);
    let Some(name) = name else {
        return Err(ServiceError::refused(
            super::Refusal::Forbidden,
            "Dit dashboard is er voor wie in het team of de gemeente werkt, de doorbraakcoach \
             van de provincie of PMM (heel Nederland).",
        ));
    };
    let covered: Vec<TeamId> = teams
        .iter()
        .filter(|t| scope.covers(t))
        .map(|t| t.id)
        .collect();
    let previous_half = half.previous();
    let years: Vec<i32> = if previous_half.year == half.year {
        vec![half.year]
    } else {
        vec![previous_half.year, half.year]
    };
    let (budgets, bookings) = state.database.budget_facts(&covered, &years).await?;
    let of = |h: HalfYear| {
        let (from, until) = h.bounds();
        let db = state.database.clone();
        let covered = covered.clone();
        async move { db.evaluation_rows(&covered, from, until).await }
    };
    let current_rows = of(half).await?;
    let previous_rows = of(previous_half).await?;
    Ok(Dashboard {
        scope,
        name,
        half,
        current: figures(half, &current_rows, &budgets, &bookings),
        previous: figures(previous_half, &previous_rows, &budgets, &bookings),
    })
}
