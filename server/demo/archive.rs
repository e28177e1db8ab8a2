//! The demo's learning archive: a dozen archived canvases across three gemeenten of two
//! provinces (Arnhem and Nijmegen in Gelderland, Utrecht), closed over the past year with their
//! leeropbrengst, tags, rendement, some escalated and some with doorbraakbudget, so that the
//! leerarchief's search and the lerend-evalueren dashboard show something on first start; and
//! one closed canvas whose situatieschets still holds two findings of the anonymity check, for
//! the archive flow. All of it fictitious. The search index picks the archived ones up when the
//! server starts.

use super::workflow::{demo_id, short_case};
use crate::{
    access::policy::{ArchiveScope, EscalationLevel},
    canvas::{rendement::Payback, status::CanvasStatus},
    ids::{AccountId, TeamId},
    store::{
        CanvasOwner, Database, StoreError, now_millis,
        workflow::{EscalationAnswer, NewEscalation},
    },
    workflow::{
        ladder::Outcome,
        learning::{Bottleneck, Learning, Rendement},
    },
};

use super::ensure_canvas;

const DAY: i64 = 86_400_000;

/// One archived demo case.
struct Case {
    id: &'static str,
    label: &'static str,
    situation: &'static str,
    problem: &'static str,
    areas: &'static [&'static str],
    domain: &'static str,
    /// The regulation of the catalogue that blocked, if one did.
    regulation: Option<&'static str>,
    bottleneck: &'static str,
    order: i64,
    realised: bool,
    days_ago: i64,
    escalated: bool,
    scope: ArchiveScope,
    /// € saved (net) over the horizon, in whole euros; months to earn it back.
    net: i64,
    payback: i64,
}

const CASES: [Case; 12] = [
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0001",
        label: "Archief: Casus A-01",
        situation: "Gezin met vier kinderen en een huurachterstand; ontruiming dreigde.",
        problem: "Schuldhulp start pas na een stabilisatieperiode.",
        areas: &["financial_security", "housing"],
        domain: "debt_relief",
        regulation: Some("wgs-3"),
        bottleneck: "De wachttijd voor schuldhulp sluit de betaalregeling met de verhuurder uit.",
        order: 2,
        realised: true,
        days_ago: 20,
        escalated: false,
        scope: ArchiveScope::Province,
        net: 14_000,
        payback: 3,
    },
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0002",
        label: "Archief: Casus A-02",
        situation: "Jongere van achttien valt tussen jeugdhulp en Wmo.",
        problem: "De jeugdhulp stopt op de verjaardag, de Wmo-indicatie duurt weken.",
        areas: &["appropriate_care", "belonging"],
        domain: "youth",
        regulation: Some("jw-2.3"),
        bottleneck: "Geen overgangsregeling tussen Jeugdwet en Wmo.",
        order: 3,
        realised: true,
        days_ago: 45,
        escalated: true,
        scope: ArchiveScope::Country,
        net: 22_000,
        payback: 6,
    },
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0003",
        label: "Archief: Casus A-03",
        situation: "De kinderen konden niet naar school: het leerlingenvervoer kent geen scooter.",
        problem: "De verordening leerlingenvervoer noemt alleen taxi en openbaar vervoer.",
        areas: &["belonging"],
        domain: "education",
        regulation: Some("llv-hardheid"),
        bottleneck: "De hardheidsclausule werd niet gebruikt.",
        order: 2,
        realised: true,
        days_ago: 70,
        escalated: false,
        scope: ArchiveScope::Province,
        net: 9_500,
        payback: 2,
    },
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0004",
        label: "Archief: Casus A-04",
        situation: "Alleenstaande moeder met een terugvordering van de toeslagen.",
        problem: "De terugvordering maakt elke betalingsregeling onmogelijk.",
        areas: &["financial_security"],
        domain: "work_income",
        regulation: Some("pw-18"),
        bottleneck: "Verrekening met de bijstand laat te weinig over.",
        order: 1,
        realised: false,
        days_ago: 95,
        escalated: true,
        scope: ArchiveScope::Province,
        net: -1_500,
        payback: 0,
    },
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0005",
        label: "Archief: Casus N-05",
        situation: "Vader met een bijstandsuitkering wil een klein bedrijf starten.",
        problem: "De regels voor bijstand en starters sluiten elkaar uit.",
        areas: &["financial_security", "belonging"],
        domain: "work_income",
        regulation: Some("pw-35"),
        bottleneck: "Bijzondere bijstand voor startkosten is niet voorzien.",
        order: 3,
        realised: true,
        days_ago: 120,
        escalated: true,
        scope: ArchiveScope::Country,
        net: 30_000,
        payback: 9,
    },
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0006",
        label: "Archief: Casus N-06",
        situation: "Oudere man met mantelzorg; de woning is niet meer geschikt.",
        problem: "Urgentie voor een aangepaste woning werd afgewezen.",
        areas: &["housing", "appropriate_care"],
        domain: "housing_corporation",
        regulation: Some("hw-12"),
        bottleneck: "De urgentieregeling kent mantelzorg niet als grond.",
        order: 2,
        realised: true,
        days_ago: 150,
        escalated: false,
        scope: ArchiveScope::Province,
        net: 12_000,
        payback: 4,
    },
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0007",
        label: "Archief: Casus U-07",
        situation: "Gezin met een energieschuld; de energie werd afgesloten.",
        problem: "De leverancier wacht op de schuldhulp, de schuldhulp op de leverancier.",
        areas: &["financial_security", "home_life"],
        domain: "debt_relief",
        regulation: None,
        bottleneck: "Niemand neemt de eerste stap in het werkproces.",
        order: 2,
        realised: true,
        days_ago: 185,
        escalated: false,
        scope: ArchiveScope::Country,
        net: 6_000,
        payback: 1,
    },
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0008",
        label: "Archief: Casus U-08",
        situation: "Moeder met een zorgpremieachterstand en kinderen met een zorgvraag.",
        problem: "Wanbetalersregeling maakt de premie hoger dan betaalbaar.",
        areas: &["appropriate_care", "financial_security"],
        domain: "health_insurance",
        regulation: Some("zvw-11"),
        bottleneck: "De bestuursrechtelijke premie loopt door tijdens de schuldhulp.",
        order: 3,
        realised: false,
        days_ago: 210,
        escalated: true,
        scope: ArchiveScope::Country,
        net: 0,
        payback: 0,
    },
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0009",
        label: "Archief: Casus A-09",
        situation: "Jong stel met een baby in een te kleine woning.",
        problem: "Inschrijfduur telt zwaarder dan de situatie van het gezin.",
        areas: &["housing", "home_life"],
        domain: "housing_corporation",
        regulation: Some("ww-44"),
        bottleneck: "Het toewijzingsbeleid kent geen maatwerk.",
        order: 1,
        realised: true,
        days_ago: 240,
        escalated: false,
        scope: ArchiveScope::Team,
        net: 4_000,
        payback: 5,
    },
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0010",
        label: "Archief: Casus N-10",
        situation: "Tiener verzuimt school door zorg voor een zieke ouder.",
        problem: "Leerplicht en jeugdhulp werken langs elkaar.",
        areas: &["belonging", "appropriate_care"],
        domain: "education",
        regulation: None,
        bottleneck: "Geen gezamenlijke casusregie tussen leerplicht en wijkteam.",
        order: 2,
        realised: true,
        days_ago: 270,
        escalated: false,
        scope: ArchiveScope::Province,
        net: 8_000,
        payback: 2,
    },
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0011",
        label: "Archief: Casus U-11",
        situation: "Man met een uitkering en een boete die steeds hoger wordt.",
        problem: "De boete wordt verrekend onder de beslagvrije voet.",
        areas: &["financial_security"],
        domain: "work_income",
        regulation: Some("pw-58-8"),
        bottleneck: "Verrekening houdt geen rekening met de beslagvrije voet.",
        order: 3,
        realised: true,
        days_ago: 300,
        escalated: true,
        scope: ArchiveScope::Country,
        net: 11_000,
        payback: 7,
    },
    Case {
        id: "5c00de70-0000-4000-8000-0000000a0012",
        label: "Archief: Casus A-12",
        situation: "Gezin wacht maanden op een Wmo-voorziening voor de rolstoel.",
        problem: "De aanbesteding van hulpmiddelen duurt langer dan de zorgvraag toelaat.",
        areas: &["appropriate_care"],
        domain: "wmo",
        regulation: Some("wmo-2.3.5"),
        bottleneck: "Een budgetregel: geen voorschot buiten de aanbesteding.",
        order: 1,
        realised: false,
        days_ago: 330,
        escalated: false,
        scope: ArchiveScope::Province,
        net: -2_000,
        payback: 0,
    },
];

/// The closed canvas whose anonymity findings the aanjager still has to resolve.
pub const UNRESOLVED_ID: &str = "5c00de70-0000-4000-8000-0000000a00ff";

/// Seeds the archive once: the canvases of `teams` (Arnhem, Nijmegen, Utrecht by the first
/// letter of the label), closed and archived by `by` of each.
pub async fn seed(db: &dyn Database, teams: [(TeamId, AccountId); 3]) -> Result<(), StoreError> {
    for case in &CASES {
        // "Archief: Casus N-05": the letter names the team.
        let (team, by) = match case.label.rsplit(' ').next().and_then(|n| n.chars().next()) {
            Some('N') => teams[1],
            Some('U') => teams[2],
            _ => teams[0],
        };
        let owner = CanvasOwner {
            team,
            brought_in_by: by,
        };
        let created = ensure_canvas(db, case.id, owner, case.label, || {
            short_case(case.situation, case.problem, case.areas)
        })
        .await?;
        if !created {
            continue;
        }
        let id = demo_id(case.id)?;
        let closed = now_millis() - case.days_ago * DAY;
        let start = closed - 60 * DAY;
        use CanvasStatus::*;
        db.change_status(&id, Concept, Ingebracht, by, "", start)
            .await?;
        db.change_status(&id, Ingebracht, InBehandeling, by, "", start + DAY)
            .await?;
        if case.escalated {
            let asked = start + 10 * DAY;
            let step = NewEscalation {
                canvas: id.clone(),
                from_level: EscalationLevel::Team,
                to_level: EscalationLevel::Coach,
                question: case.problem.to_owned(),
                by,
                at: asked,
                snapshot: short_case(case.situation, case.problem, case.areas),
            };
            let escalation = db
                .escalate(&step)
                .await?
                .ok_or(StoreError::Inconsistent("demo archive escalation"))?;
            db.answer(&EscalationAnswer {
                escalation,
                canvas: id.clone(),
                by,
                answer: "Ruimte gevonden in de regeling; afspraak vastgelegd met de uitvoering."
                    .into(),
                outcome: Outcome::Opgelost,
                further: None,
                at: asked + (4 + case.days_ago % 9) * DAY,
            })
            .await?;
        }
        let outcome = if case.realised {
            DoorbraakGerealiseerd
        } else {
            AfgeslotenZonderDoorbraak
        };
        db.change_status(&id, InBehandeling, outcome, by, "", closed)
            .await?;
        let mut tags: Vec<(String, String)> = case
            .areas
            .iter()
            .map(|a| ("leefgebied".to_owned(), (*a).to_owned()))
            .collect();
        tags.push(("domein".into(), case.domain.into()));
        if let Some(r) = case.regulation {
            tags.push(("regeling".into(), r.into()));
        }
        let learning = Learning {
            bottleneck: if case.regulation.is_some() {
                Bottleneck::Regulation
            } else {
                Bottleneck::Process
            },
            regulation: case.regulation.map(str::to_owned),
            bottleneck_text: case.bottleneck.into(),
            order: case.order,
            order_note: "Besproken in het lerend evalueren van het project.".into(),
            signals: vec!["beleid".into()],
            budget_used: false,
            budget_why: String::new(),
            effect: if case.realised {
                "Het huishouden heeft weer rust en perspectief.".into()
            } else {
                "Het huishouden is doorverwezen; het knelpunt is gemeld.".into()
            },
            tags,
            rendement: Rendement {
                current: case.net.max(0) * 100 + 500_000,
                inaction: 250_000,
                solution: 750_000 - case.net * 100,
                net: case.net * 100,
                payback: match case.payback {
                    0 if case.net <= 0 => Payback::Never,
                    0 => Payback::Direct,
                    m => Payback::Months(m),
                },
            },
        };
        db.save_learning(&id, &learning, by, closed).await?;
        db.change_status(&id, outcome, Gearchiveerd, by, "", closed + 2 * DAY)
            .await?;
        db.set_archive_scope(&id, case.scope).await?;
    }
    // Closed, not yet archived: a phone number and a name the check will find.
    let (team, by) = teams[0];
    let owner = CanvasOwner {
        team,
        brought_in_by: by,
    };
    let created = ensure_canvas(db, UNRESOLVED_ID, owner, "Demo: Casus K-13", || {
        short_case(
            "Mevrouw Bakker belde het wijkteam op 06-12345678 over de huurachterstand.",
            "De betalingsregeling en de schuldhulp wachten op elkaar.",
            &["housing"],
        )
    })
    .await?;
    if created {
        let id = demo_id(UNRESOLVED_ID)?;
        let at = now_millis() - 5 * DAY;
        use CanvasStatus::*;
        db.change_status(&id, Concept, Ingebracht, by, "", at - 40 * DAY)
            .await?;
        db.change_status(&id, Ingebracht, InBehandeling, by, "", at - 39 * DAY)
            .await?;
        db.change_status(&id, InBehandeling, DoorbraakGerealiseerd, by, "", at)
            .await?;
        let learning = Learning {
            bottleneck: Bottleneck::Process,
            regulation: None,
            bottleneck_text: "De betalingsregeling en de schuldhulp wachtten op elkaar.".into(),
            order: 2,
            order_note: "Het wijkteam start nu de regeling zelf.".into(),
            signals: vec!["beleid".into()],
            budget_used: false,
            budget_why: String::new(),
            effect: "Het huishouden woont er nog.".into(),
            tags: vec![("leefgebied".into(), "housing".into())],
            rendement: Rendement::default(),
        };
        db.save_learning(&id, &learning, by, at).await?;
    }
    Ok(())
}
