//! The doorbraakbudget's arithmetic: a team's budget per year and a ledger of entries per canvas.
//!
//! An entry is a commitment (toegezegd) or a spending (uitgegeven), in integer euro cents.
//! Entries are never changed or deleted; a mistake, or a commitment that turned into spending,
//! is corrected by a counter-entry: a negative amount naming the entry it corrects, never more
//! than what is left of that entry. Remaining = budget − committed − spent; an entry that would
//! take it below zero needs an explicit confirmation, which is recorded with it.

use crate::format::euro;

/// A booking's fields as a form sends them: checked into an entry by
/// `services::budget::entry`, shown again with the reason of a refusal.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct BookingFields {
    #[serde(default)]
    pub soort: String,
    #[serde(default)]
    pub bedrag: String,
    #[serde(default)]
    pub waarvoor: String,
    #[serde(default)]
    pub waarom: String,
    #[serde(default)]
    pub goedgekeurd_door: String,
    #[serde(default)]
    pub datum: String,
    /// Present when the person confirms going over budget.
    pub boven_budget: Option<String>,
}

/// Largest amount one entry or budget may hold: € 100.000.000,00.
pub const MAX_CENTS: i64 = 10_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Committed,
    Spent,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Committed => "committed",
            Kind::Spent => "spent",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Kind::Committed, Kind::Spent]
            .into_iter()
            .find(|k| k.code() == code)
    }

    pub fn dutch(self) -> &'static str {
        match self {
            Kind::Committed => "Toegezegd",
            Kind::Spent => "Uitgegeven",
        }
    }
}

/// Budget, committed, spent and remaining, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub budget: i64,
    pub committed: i64,
    pub spent: i64,
    pub remaining: i64,
}

/// Sums a year's entries (corrections included, with their negative amounts).
pub fn totals(budget: i64, entries: impl IntoIterator<Item = (Kind, i64)>) -> Totals {
    let (mut committed, mut spent) = (0i64, 0i64);
    for (kind, cents) in entries {
        match kind {
            Kind::Committed => committed = committed.saturating_add(cents),
            Kind::Spent => spent = spent.saturating_add(cents),
        }
    }
    Totals {
        budget,
        committed,
        spent,
        remaining: budget.saturating_sub(committed).saturating_sub(spent),
    }
}

/// Why an entry was refused; `Display` is the Dutch message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("Een bedrag moet groter dan nul zijn en hoogstens € 100.000.000,00.")]
    Amount,
    #[error("Vul een bedrag in, bijvoorbeeld 1.250,50.")]
    AmountMissing,
    #[error("Dit is geen bedrag. Schrijf het zoals 1.250,50 of 1250.")]
    NotAnAmount,
    #[error("Kies of het geld is toegezegd of uitgegeven.")]
    Kind,
    #[error("Schrijf op waarvoor het geld is.")]
    PurposeRequired,
    #[error("Schrijf op waarom de reguliere route niet werkte; dat is verplicht.")]
    WhyRequired,
    #[error("Schrijf op wie de uitgave heeft goedgekeurd.")]
    ApprovedByRequired,
    #[error(
        "Waarvoor en goedgekeurd door staan op één regel, zonder onzichtbare tekens die de leesrichting omdraaien."
    )]
    NotOneLine,
    #[error("Gebruik een datum als 2026-11-23.")]
    Date,
    #[error("Dit gaat over het budget heen: er is nog {}. Bevestig dat je het budget overschrijdt.", euro(*.0))]
    OverBudget(i64),
    #[error("Een correctie is hoogstens wat er van de boeking over is ({}).", euro(*.0))]
    OverCorrection(i64),
    #[error("Die boeking bestaat niet bij dit canvas, of is zelf een correctie.")]
    NoSuchEntry,
    #[error("Er is voor {0} nog geen budget vastgesteld.")]
    NoBudget(i32),
}

/// A required text, trimmed and at most 1000 characters.
pub fn required(raw: &str, missing: LedgerError) -> Result<String, LedgerError> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > 1000 {
        return Err(missing);
    }
    Ok(text.to_owned())
}

/// A required single-line text (what for, approved by): as [`required`], and on one line that
/// reads as typed in the ledger and its CSV.
pub fn required_line(raw: &str, missing: LedgerError) -> Result<String, LedgerError> {
    crate::text::single_line(raw).map_err(|_| LedgerError::NotOneLine)?;
    required(raw, missing)
}

/// The year of a `YYYY-MM-DD` date, checking that the date exists.
pub fn year_of(date: &str) -> Result<i32, LedgerError> {
    let parts: Vec<&str> = date.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(LedgerError::Date);
    };
    // Digits only: `parse` would also take a sign ("+1").
    if ![y, m, d]
        .iter()
        .all(|part| part.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(LedgerError::Date);
    }
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
    else {
        return Err(LedgerError::Date);
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(LedgerError::Date),
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 || !(2000..=2100).contains(&year) {
        return Err(LedgerError::Date);
    }
    if day == 0 || day > days {
        return Err(LedgerError::Date);
    }
    Ok(year)
}

/// An amount in Dutch notation ("1.250,50", "€ 1250", "1250,5") in cents; positive only.
pub fn parse_amount(raw: &str) -> Result<i64, LedgerError> {
    let text: String = raw
        .trim()
        .trim_start_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.is_empty() {
        return Err(LedgerError::AmountMissing);
    }
    // A minus sign makes a number, just not an amount one may book.
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, text),
    };
    let (whole, fraction) = text.split_once(',').unwrap_or((&text, ""));
    let grouped = whole.contains('.');
    let groups: Vec<&str> = whole.split('.').collect();
    let well_grouped = !grouped
        || (groups[0].len() <= 3
            && !groups[0].is_empty()
            && groups[1..].iter().all(|g| g.len() == 3));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let euros: String = groups.concat();
    if !well_grouped
        || !digits(&euros)
        || fraction.len() > 2
        || (!fraction.is_empty() && !digits(fraction))
    {
        return Err(LedgerError::NotAnAmount);
    }
    if negative {
        return Err(LedgerError::Amount);
    }
    let euros: i64 = euros.parse().map_err(|_| LedgerError::Amount)?;
    let cents: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| LedgerError::Amount)?;
    let total = euros.checked_mul(100).and_then(|e| e.checked_add(cents));
    match total {
        Some(total) if total > 0 && total <= MAX_CENTS => Ok(total),
        _ => Err(LedgerError::Amount),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_count_commitments_spending_and_corrections() {
        let entries = [
            (Kind::Committed, 50_000),
            (Kind::Spent, 120_000),
            (Kind::Spent, -20_000),     // a correction of the spending
            (Kind::Committed, -50_000), // the commitment settled ...
            (Kind::Spent, 50_000),      // ... as spending
        ];
        assert_eq!(
            totals(500_000, entries),
            Totals {
                budget: 500_000,
                committed: 0,
                spent: 150_000,
                remaining: 350_000
            }
        );
        assert_eq!(
            totals(0, [(Kind::Spent, 1)]).remaining,
            -1,
            "over budget shows"
        );
    }

    #[test]
    fn dutch_amounts_are_read_exactly() {
        assert_eq!(parse_amount("1.250,50"), Ok(125_050));
        assert_eq!(parse_amount("€ 1250"), Ok(125_000));
        assert_eq!(parse_amount("0,5"), Ok(50));
        for out_of_range in ["0", "-5", "100.000.000,01", "99999999999999999999"] {
            let parsed = parse_amount(out_of_range);
            assert_eq!(parsed, Err(LedgerError::Amount), "{out_of_range}");
        }
        for not_an_amount in ["abc", "1,234", "12.34", "1.2345", "12a", "1,2,3", "--5"] {
            let parsed = parse_amount(not_an_amount);
            assert_eq!(parsed, Err(LedgerError::NotAnAmount), "{not_an_amount}");
        }
        assert_eq!(parse_amount("  "), Err(LedgerError::AmountMissing));
        assert_eq!(
            LedgerError::NotAnAmount.to_string(),
            "Dit is geen bedrag. Schrijf het zoals 1.250,50 of 1250."
        );
        assert_eq!(parse_amount("100.000.000,00"), Ok(MAX_CENTS));
    }

    #[test]
    fn dates_must_exist() {
        assert_eq!(year_of("2026-11-23"), Ok(2026));
        assert_eq!(year_of("2028-02-29"), Ok(2028));
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "26-11-23",
            "2026-1-5",
            "morgen",
            "2026-11-00",
        ] {
            assert_eq!(year_of(bad), Err(LedgerError::Date), "{bad}");
        }
    }

    #[test]
    fn messages_are_dutch_with_amounts_in_dutch_notation() {
        assert_eq!(
            LedgerError::OverBudget(12_345).to_string(),
            "Dit gaat over het budget heen: er is nog € 123,45. Bevestig dat je het budget overschrijdt."
        );
    }
}
