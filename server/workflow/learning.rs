//! The leeropbrengst: what a closed canvas taught. The lifecycle requires it for closing (see
//! [`needed_for`]); [`parse`] turns the closing form into one, refusing it in Dutch when a
//! required part is missing or when its free text holds personal data (the anonymity rule: it is
//! learning material for other teams).

use std::collections::HashMap;

use crate::{
    anonymity,
    canvas::{regulations, schema, status::CanvasStatus},
    text,
};

/// What blocked the regular route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bottleneck {
    /// A regulation (of the catalogue, or described).
    Regulation,
    Process,
    /// A budget line.
    Budget,
    Organisation,
}

impl Bottleneck {
    pub const ALL: [Bottleneck; 4] = [
        Bottleneck::Regulation,
        Bottleneck::Process,
        Bottleneck::Budget,
        Bottleneck::Organisation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Bottleneck::Regulation => "regeling",
            Bottleneck::Process => "proces",
            Bottleneck::Budget => "budget",
            Bottleneck::Organisation => "organisatie",
        }
    }

    pub fn dutch(self) -> &'static str {
        match self {
            Bottleneck::Regulation => "Een regeling (wet, artikel, beleidsregel)",
            Bottleneck::Process => "Een werkproces",
            Bottleneck::Budget => "Een budgetregel",
            Bottleneck::Organisation => "Een organisatie of de samenwerking",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.code() == code)
    }
}

/// How a canvas can be closed, with the codes the archive's filters use.
pub const OUTCOMES: [(&str, CanvasStatus); 2] = [
    ("gerealiseerd", CanvasStatus::DoorbraakGerealiseerd),
    ("zonder-doorbraak", CanvasStatus::AfgeslotenZonderDoorbraak),
];

/// Who should hear the signal.
pub const AUDIENCES: [(&str, &str); 3] = [
    ("beleid", "Beleid"),
    ("bestuur", "Bestuur"),
    ("pmm", "PMM (landelijk)"),
];

/// The kinds of tag, each with its codes and Dutch names.
pub fn tag_choices() -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for (code, name) in schema::LIFE_AREAS {
        out.push(("leefgebied", code.to_owned(), name.to_owned()));
    }
    for (code, name) in schema::POLICY_DOMAINS {
        out.push(("domein", code.to_owned(), name.to_owned()));
    }
    for r in regulations::catalogue() {
        out.push(("regeling", r.id.clone(), format!("{} {}", r.law, r.article)));
    }
    out
}

/// The help text of the leerorde: the tyre example.
pub const ORDER_HELP: &str = "Eerste orde: de band is lek, je plakt hem (dit huishouden is \
    geholpen). Tweede orde: je vraagt waarom banden hier lek gaan en haalt de glasscherven weg \
    (de werkwijze verandert). Derde orde: je vraagt waarom er glas op de weg ligt en wie daarover \
    gaat (de regels, het beleid of het stelsel verandert).";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learning {
    pub bottleneck: Bottleneck,
    /// The catalogue's regulation, for a regulation bottleneck.
    pub regulation: Option<String>,
    pub bottleneck_text: String,
    /// 1, 2 or 3.
    pub order: i64,
    pub order_note: String,
    /// Codes of [`AUDIENCES`].
    pub signals: Vec<String>,
    pub budget_used: bool,
    pub budget_why: String,
    pub effect: String,
    /// (kind, code) of [`tag_choices`].
    pub tags: Vec<(String, String)>,
    /// The canvas's rendement when it was closed (the use case fills it in from the canvas; the
    /// lerend-evalueren dashboard sums it).
    pub rendement: Rendement,
}

/// The rendement a closed canvas showed, in cents over the team's horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rendement {
    pub current: i64,
    pub inaction: i64,
    pub solution: i64,
    pub net: i64,
    pub payback: crate::canvas::rendement::Payback,
}

impl From<crate::canvas::rendement::Totals> for Rendement {
    fn from(t: crate::canvas::rendement::Totals) -> Self {
        Rendement {
            current: t.current,
            inaction: t.inaction,
            solution: t.solution,
            net: t.net,
            payback: t.payback,
        }
    }
}

impl Learning {
    /// The Dutch names of who should hear the signal.
    pub fn signal_names(&self) -> Vec<&str> {
        self.signals
            .iter()
            .map(|s| {
                AUDIENCES
                    .iter()
                    .find(|(c, _)| c == s)
                    .map_or(s.as_str(), |(_, n)| *n)
            })
            .collect()
    }

    /// The Dutch names of the tags (a code the catalogue no longer has stays a code).
    pub fn tag_names(&self) -> Vec<String> {
        let choices = tag_choices();
        self.tags
            .iter()
            .map(|(kind, code)| {
                choices
                    .iter()
                    .find(|(k, c, _)| k == kind && c == code)
                    .map_or_else(|| code.clone(), |(_, _, n)| n.clone())
            })
            .collect()
    }
}

/// Whether a move to `to` needs a leeropbrengst: closing, either way.
pub fn needed_for(to: CanvasStatus) -> bool {
    matches!(
        to,
        CanvasStatus::DoorbraakGerealiseerd | CanvasStatus::AfgeslotenZonderDoorbraak
    )
}

/// Longest free text of one part, in characters.
pub const MAX_TEXT: usize = 2_000;

fn free_text(
    form: &HashMap<String, String>,
    name: &str,
    what: &str,
    required: bool,
    label: &str,
) -> Result<String, String> {
    let raw = form.get(name).map(String::as_str).unwrap_or_default();
    let value = text::paragraphs(raw).map_err(|e| e.to_string())?;
    if required && value.is_empty() {
        return Err(format!("Vul {what} in: dat is nodig om af te sluiten."));
    }
    if value.chars().count() > MAX_TEXT {
        return Err(format!(
            "Wat je invult bij {what} is hoogstens 2.000 tekens."
        ));
    }
    if let Some(found) = anonymity::scan(&value, label).first() {
        return Err(format!(
            "De leeropbrengst is lesmateriaal voor andere teams en moet anoniem zijn. In {what}: {} Beschrijf het zonder herkenbare gegevens.",
            found.kind.dutch()
        ));
    }
    Ok(value)
}

/// The leeropbrengst from the closing form: `knelpunt` (a [`Bottleneck`] code), `regeling` (a
/// catalogue id, for a regulation), `knelpunt_tekst`, `leerorde` (1–3), `leerorde_toelichting`,
/// `signaal_beleid`/`signaal_bestuur`/`signaal_pmm`, `budget_gebruikt`, `budget_waarom`,
/// `effect`, and `tag_{kind}_{code}` per tag. `label` is the canvas's own (no finding).
pub fn parse(form: &HashMap<String, String>, label: &str) -> Result<Learning, String> {
    let bottleneck = form
        .get("knelpunt")
        .and_then(|c| Bottleneck::from_code(c.trim()))
        .ok_or("Kies wat de reguliere weg blokkeerde: een regeling, een werkproces, een budgetregel of een organisatie.")?;
    let regulation = form
        .get("regeling")
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
        .map(|r| {
            regulations::catalogue()
                .iter()
                .find(|c| c.id == r)
                .map(|c| c.id.clone())
                .ok_or("Kies een regeling uit de lijst.")
        })
        .transpose()?
        .filter(|_| bottleneck == Bottleneck::Regulation);
    let bottleneck_text = free_text(
        form,
        "knelpunt_tekst",
        "het systeemknelpunt",
        regulation.is_none(),
        label,
    )?;
    let order = form
        .get("leerorde")
        .and_then(|o| o.trim().parse::<i64>().ok())
        .filter(|o| (1..=3).contains(o))
        .ok_or("Kies de leerorde: 1, 2 of 3.")?;
    let order_note = free_text(
        form,
        "leerorde_toelichting",
        "de toelichting bij de leerorde",
        true,
        label,
    )?;
    let signals: Vec<String> = AUDIENCES
        .iter()
        .filter(|(code, _)| form.contains_key(&format!("signaal_{code}")))
        .map(|(code, _)| (*code).to_owned())
        .collect();
    if signals.is_empty() {
        return Err("Kies wie het signaal moet horen: beleid, bestuur of PMM.".into());
    }
    let budget_used = form.contains_key("budget_gebruikt");
    let budget_why = free_text(
        form,
        "budget_waarom",
        "waarom de reguliere weg niet werkte",
        budget_used,
        label,
    )?;
    let effect = free_text(
        form,
        "effect",
        "het effect voor het huishouden",
        true,
        label,
    )?;
    let choices = tag_choices();
    let tags: Vec<(String, String)> = choices
        .iter()
        .filter(|(kind, code, _)| form.contains_key(&format!("tag_{kind}_{code}")))
        .map(|(kind, code, _)| ((*kind).to_owned(), code.clone()))
        .collect();
    if tags.is_empty() {
        return Err("Kies ten minste één leefgebied, domein of regeling als label.".into());
    }
    Ok(Learning {
        bottleneck,
        regulation,
        bottleneck_text,
        order,
        order_note,
        signals,
        budget_used,
        budget_why,
        effect,
        tags,
        rendement: Rendement::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, &str)]) -> HashMap<String, String> {
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const FULL: [(&str, &str); 8] = [
        ("knelpunt", "proces"),
        ("knelpunt_tekst", "Leerlingenvervoer kent geen scooter."),
        ("leerorde", "2"),
        ("leerorde_toelichting", "De werkwijze is aangepast."),
        ("signaal_beleid", "ja"),
        ("effect", "Het kind gaat weer zelf naar school."),
        ("tag_leefgebied_belonging", "ja"),
        ("tag_domein_education", "ja"),
    ];

    #[test]
    fn closing_needs_a_leeropbrengst_and_only_closing() {
        use CanvasStatus::*;
        assert!(needed_for(DoorbraakGerealiseerd));
        assert!(needed_for(AfgeslotenZonderDoorbraak));
        for to in [
            Concept,
            Ingebracht,
            InBehandeling,
            Opgeschaald,
            Gearchiveerd,
        ] {
            assert!(!needed_for(to), "{to:?}");
        }
    }

    #[test]
    fn a_full_form_is_a_leeropbrengst() {
        let learning = parse(&form(&FULL), "Casus T-1").expect("full");
        assert_eq!(learning.bottleneck, Bottleneck::Process);
        assert_eq!(learning.order, 2);
        assert_eq!(learning.signals, vec!["beleid"]);
        assert!(!learning.budget_used);
        assert_eq!(
            learning.tags,
            vec![
                ("leefgebied".to_owned(), "belonging".to_owned()),
                ("domein".to_owned(), "education".to_owned())
            ]
        );
    }

    #[test]
    fn each_required_part_is_asked_for_in_dutch() {
        for (leave_out, reason) in [
            ("knelpunt", "Kies wat de reguliere weg blokkeerde"),
            ("knelpunt_tekst", "Vul het systeemknelpunt in"),
            ("leerorde", "Kies de leerorde"),
            (
                "leerorde_toelichting",
                "Vul de toelichting bij de leerorde in",
            ),
            ("signaal_beleid", "Kies wie het signaal moet horen"),
            ("effect", "Vul het effect voor het huishouden in"),
        ] {
            let fields: Vec<_> = FULL
                .iter()
                .copied()
                .filter(|(k, _)| *k != leave_out)
                .collect();
            let error = parse(&form(&fields), "").expect_err(leave_out);
            assert!(error.starts_with(reason), "{leave_out}: {error}");
        }
        let mut fields = FULL.to_vec();
        fields.push(("budget_gebruikt", "ja"));
        assert!(
            parse(&form(&fields), "")
                .expect_err("budget")
                .contains("waarom de reguliere weg niet werkte")
        );
        let fields: Vec<_> = FULL
            .iter()
            .copied()
            .filter(|(k, _)| !k.starts_with("tag_"))
            .collect();
        assert!(
            parse(&form(&fields), "")
                .expect_err("tags")
                .contains("label")
        );
        let mut fields = FULL.to_vec();
        fields[2] = ("leerorde", "4");
        assert!(parse(&form(&fields), "").is_err());
    }

    #[test]
    fn personal_data_in_the_leeropbrengst_is_refused() {
        let mut fields = FULL.to_vec();
        fields[5] = ("effect", "Mevrouw Jansen is geholpen.");
        let error = parse(&form(&fields), "").expect_err("a name");
        assert!(
            error.contains("moet anoniem zijn") && error.contains("naam"),
            "{error}"
        );
    }
}
