//! The demo's workflow: canvases on every rung of the escalation ladder (one waiting long enough
//! to be marked, one that came back down) and a doorbraakbudget with entries and a correction,
//! so a newcomer sees every screen filled. All of it fictitious.

use yrs::{Doc, Map, ReadTxn, StateVector, Text, Transact, Update, updates::decoder::Decode};

use super::ensure_canvas;
use crate::{
    access::policy::EscalationLevel,
    canvas::{
        CanvasId,
        schema::{self, root},
        status::CanvasStatus,
    },
    format::dutch_date,
    ids::{AccountId, EscalationId, TeamId},
    store::{
        CanvasOwner, Database, StoreError, now_millis,
        workflow::{EscalationAnswer, NewEscalation, NewLedgerEntry},
    },
    workflow::{ladder::Outcome, ledger::Kind},
};

const DAY: i64 = 86_400_000;

/// A small case: situation, systeemprobleem and leefgebieden, as one update.
pub(super) fn short_case(situation: &str, system_problem: &str, areas: &[&str]) -> Vec<u8> {
    let doc = Doc::new();
    if let Ok(update) = Update::decode_v1(&schema::initialize()) {
        let _ = doc.transact_mut().apply_update(update);
    }
    for (name, content) in [
        (root::SITUATION, situation),
        (root::SYSTEM_PROBLEM, system_problem),
    ] {
        let text = doc.get_or_insert_text(name);
        text.push(&mut doc.transact_mut(), content);
    }
    let toggles = doc.get_or_insert_map(root::LIFE_AREAS);
    for area in areas {
        toggles.insert(&mut doc.transact_mut(), *area, true);
    }
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

/// The people the demo's history is made by.
pub struct Cast {
    pub aanjager: AccountId,
    pub teamlid: AccountId,
    pub coach: AccountId,
    pub arnhem: TeamId,
}

/// A demo canvas's id, from its constant.
pub(super) fn demo_id(id: &str) -> Result<CanvasId, StoreError> {
    id.parse()
        .map_err(|_| StoreError::Inconsistent("demo canvas id"))
}

/// Moves a fresh canvas from concept to in behandeling, `days_ago` and a day later.
async fn into_treatment(
    db: &dyn Database,
    id: &str,
    by: AccountId,
    days_ago: i64,
) -> Result<(), StoreError> {
    use CanvasStatus::*;
    let steps = [
        (Concept, Ingebracht, days_ago),
        (Ingebracht, InBehandeling, days_ago - 1),
    ];
    let id = demo_id(id)?;
    for (from, to, days) in steps {
        let at = now_millis() - days * DAY;
        db.change_status(&id, from, to, by, "", at).await?;
    }
    Ok(())
}

/// Escalates a canvas in behandeling from the team, `days_ago`.
async fn escalate(
    db: &dyn Database,
    id: &str,
    to: EscalationLevel,
    question: &str,
    by: AccountId,
    days_ago: i64,
    snapshot: &[u8],
) -> Result<EscalationId, StoreError> {
    let step = NewEscalation {
        canvas: demo_id(id)?,
        from_level: EscalationLevel::Team,
        to_level: to,
        question: question.to_owned(),
        by,
        at: now_millis() - days_ago * DAY,
        snapshot: snapshot.to_vec(),
    };
    db.escalate(&step)
        .await?
        .ok_or(StoreError::Inconsistent("demo escalation"))
}

/// Seeds the workflow of the demo, once (when the scooter canvas was just created).
pub async fn seed(db: &dyn Database, cast: &Cast, scooter: &str) -> Result<(), StoreError> {
    into_treatment(db, scooter, cast.aanjager, 7).await?;
    let owner = CanvasOwner {
        team: cast.arnhem,
        brought_in_by: cast.aanjager,
    };
    // (id, label, situation, systeemprobleem, leefgebieden, days since it was brought in)
    let cases = [
        (
            "5c00de70-0000-4000-8000-00000000d3e2",
            "Demo: Casus D-1",
            "Gezin met huurachterstand; de woningcorporatie wil ontruimen.",
            "Schuldhulp kan pas starten na stabilisatie, maar die vraagt eerst een betaalregeling.",
            &["financial_security", "housing"][..],
            10,
        ),
        (
            "5c00de70-0000-4000-8000-00000000d3e3",
            "Demo: Casus C-2",
            "Jongere van 18 valt tussen jeugdhulp en Wmo in.",
            "De jeugdhulp stopt op de verjaardag; de Wmo-indicatie duurt acht weken.",
            &["appropriate_care", "belonging"][..],
            30,
        ),
        (
            "5c00de70-0000-4000-8000-00000000d3e4",
            "Demo: Casus P-3",
            "Vader met een bijstandsuitkering wil een klein bedrijf starten.",
            "Landelijke regels voor bijstand en starters sluiten elkaar uit.",
            &["financial_security", "belonging"][..],
            45,
        ),
        (
            "5c00de70-0000-4000-8000-00000000d3e5",
            "Demo: Casus T-4",
            "Moeder met drie kinderen, dakloos na een scheiding.",
            "Urgentie vereist een inschrijfduur die zij door de scheiding niet heeft.",
            &["housing", "home_life"][..],
            60,
        ),
    ];
    let mut ids = Vec::new();
    for (id, label, situation, problem, areas, days) in cases {
        let update = short_case(situation, problem, areas);
        ensure_canvas(db, id, owner, label, || update.clone()).await?;
        into_treatment(db, id, cast.aanjager, days).await?;
        ids.push((id, update));
    }
    let [(d1, d1s), (c2, c2s), (p3, p3s), (t4, t4s)] =
        <[_; 4]>::try_from(ids).map_err(|_| StoreError::Inconsistent("demo cases"))?;

    // D-1 waits on the directie; C-2 waits on the coach, long enough to be marked.
    escalate(
        db,
        d1,
        EscalationLevel::Directie,
        "Mag de gemeente de huurachterstand voorschieten zodat schuldhulp kan starten?",
        cast.teamlid,
        3,
        &d1s,
    )
    .await?;
    escalate(
        db,
        c2,
        EscalationLevel::Coach,
        "Kan de jeugdhulp doorlopen tot de Wmo-indicatie rond is?",
        cast.aanjager,
        20,
        &c2s,
    )
    .await?;

    // P-3 went to the coach, who escalated it further to PMM.
    let first = escalate(
        db,
        p3,
        EscalationLevel::Coach,
        "Is er in de provincie een voorbeeld van bijstand met een startende onderneming?",
        cast.aanjager,
        30,
        &p3s,
    )
    .await?;
    let further = NewEscalation {
        canvas: demo_id(p3)?,
        from_level: EscalationLevel::Coach,
        to_level: EscalationLevel::Pmm,
        question: "Mag de Bbz-toets vervallen voor een onderneming met minder dan € 5.000 omzet?"
            .into(),
        by: cast.coach,
        at: now_millis() - 10 * DAY,
        snapshot: p3s.clone(),
    };
    db.answer(&EscalationAnswer {
        escalation: first,
        canvas: demo_id(p3)?,
        by: cast.coach,
        answer: "Geen provinciaal voorbeeld; dit is een landelijke regel.".into(),
        outcome: Outcome::VerderOpgeschaald,
        at: further.at,
        further: Some(further),
    })
    .await?;

    // T-4 went to the coach and came back solved: the coach may still read it.
    let step = escalate(
        db,
        t4,
        EscalationLevel::Coach,
        "Kan de urgentie zonder inschrijfduur worden verleend?",
        cast.aanjager,
        40,
        &t4s,
    )
    .await?;
    db.answer(&EscalationAnswer {
        escalation: step,
        canvas: demo_id(t4)?,
        by: cast.coach,
        answer: "Ja, via de hardheidsclausule van de huisvestingsverordening; zo gedaan in Ede."
            .into(),
        outcome: Outcome::Opgelost,
        further: None,
        at: now_millis() - 33 * DAY,
    })
    .await?;

    seed_budget(db, cast, scooter, t4).await
}

/// This year's budget of team Arnhem with a commitment, a spending and a correction.
async fn seed_budget(
    db: &dyn Database,
    cast: &Cast,
    scooter: &str,
    t4: &str,
) -> Result<(), StoreError> {
    let today = dutch_date(now_millis());
    let year: i32 = today[..4].parse().unwrap_or(2026);
    db.set_budget(cast.arnhem, year, 2_500_000, cast.aanjager, None)
        .await?;
    let entry = |canvas: CanvasId, kind, cents, purpose: &str, why: &str| NewLedgerEntry {
        team: cast.arnhem,
        year,
        canvas,
        kind,
        amount_cents: cents,
        purpose: purpose.to_owned(),
        why_not_regular: why.to_owned(),
        approved_by: "Anne Aanjager".into(),
        entry_date: today.clone(),
        corrects: None,
        confirm_over_budget: false,
        by: cast.aanjager,
    };
    let scooter_entry = entry(
        demo_id(scooter)?,
        Kind::Spent,
        189_900,
        "Scooter met helm en verzekering",
        "De verordening leerlingenvervoer kent geen eenmalige aanschaf voor de ouder.",
    );
    let added = db.add_entry(&scooter_entry).await?;
    let crate::store::workflow::EntryOutcome::Added(scooter_id) = added else {
        return Err(StoreError::Inconsistent("demo budget"));
    };
    db.add_entry(&NewLedgerEntry {
        amount_cents: -9_900,
        purpose: format!("Correctie van boeking {scooter_id}"),
        why_not_regular: "De helm bleek al aanwezig.".into(),
        corrects: Some(scooter_id),
        ..scooter_entry
    })
    .await?;
    db.add_entry(&entry(
        demo_id(t4)?,
        Kind::Committed,
        120_000,
        "Borg en eerste huur van een tijdelijke woning",
        "Bijzondere bijstand voor de borg vraagt een vast adres, dat er nog niet is.",
    ))
    .await?;
    Ok(())
}
