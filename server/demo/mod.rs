//! The demo: the fictitious scooter case from the domain brief, complete in every step, so that a
//! newcomer sees a filled canvas after one command, and an account for every role to see it
//! with. All amounts are invented.
//!
//! The canvases have fixed ids and the accounts fixed addresses, so seeding again on the same
//! database changes nothing.

mod archive;
mod meetings;
pub mod workflow;

use yrs::{
    Any, Array, Doc, Map, MapPrelim, ReadTxn, StateVector, Text, Transact, updates::decoder::Decode,
};

use crate::{
    access::{password, policy::TeamRole},
    canvas::{
        CanvasId,
        schema::{self, root},
    },
    ids::{AccountId, ProvinceId, TeamId},
    store::{CanvasOwner, Database, StoreError},
};

/// The fixed id of the demo canvas.
pub const DEMO_CANVAS_ID: &str = "5c00de70-0000-4000-8000-00000000d3e0";
/// A canvas of another team, to show that the first team cannot see it.
pub const OTHER_TEAM_CANVAS_ID: &str = "5c00de70-0000-4000-8000-00000000d3e1";

const LABEL: &str = "Demo: scooter i.p.v. leerlingenvervoer";

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "doorbraak-demo";

/// Where a demo account works.
enum DemoRole {
    Team(&'static str, TeamRole),
    Coach,
    Pmm,
    Beheerder,
}

const ARNHEM: &str = "Doorbraakteam Arnhem";
const NIJMEGEN: &str = "Doorbraakteam Nijmegen";
const PROVINCE: &str = "Gelderland";

/// The demo accounts: address, name, what they are (in Dutch, as printed) and their role.
const ACCOUNTS: [(&str, &str, &str, DemoRole); 8] = [
    (
        "aanjager@demo.doorbraak.nl",
        "Anne Aanjager",
        "aanjager, Doorbraakteam Arnhem",
        DemoRole::Team(ARNHEM, TeamRole::Aanjager),
    ),
    (
        "projectleider@demo.doorbraak.nl",
        "Piet Projectleider",
        "projectleider, Doorbraakteam Arnhem",
        DemoRole::Team(ARNHEM, TeamRole::Projectleider),
    ),
    (
        "teamlid@demo.doorbraak.nl",
        "Tess Teamlid",
        "teamlid, Doorbraakteam Arnhem",
        DemoRole::Team(ARNHEM, TeamRole::Teamlid),
    ),
    (
        "inbrenger@demo.doorbraak.nl",
        "Ilse Inbrenger",
        "inbrenger, Doorbraakteam Arnhem (bracht de scootercasus in)",
        DemoRole::Team(ARNHEM, TeamRole::Inbrenger),
    ),
    (
        "nijmegen@demo.doorbraak.nl",
        "Noor Nijmegen",
        "teamlid, Doorbraakteam Nijmegen (ziet de scootercasus niet)",
        DemoRole::Team(NIJMEGEN, TeamRole::Teamlid),
    ),
    (
        "coach@demo.doorbraak.nl",
        "Chris Coach",
        "doorbraakcoach, provincie Gelderland",
        DemoRole::Coach,
    ),
    (
        "pmm@demo.doorbraak.nl",
        "Pim PMM",
        "PMM (landelijk)",
        DemoRole::Pmm,
    ),
    (
        "beheerder@demo.doorbraak.nl",
        "Bea Beheerder",
        "beheerder",
        DemoRole::Beheerder,
    ),
];

/// The demo accounts as (address, what they are), for printing at start.
pub fn accounts() -> impl Iterator<Item = (&'static str, &'static str)> {
    ACCOUNTS.iter().map(|(email, _, what, _)| (*email, *what))
}

/// Seeds the demo teams, accounts and canvases where they are missing; returns whether the
/// scooter canvas was created now.
pub async fn seed(db: &dyn Database) -> Result<bool, StoreError> {
    let province = ensure_province(db, PROVINCE).await?;
    let arnhem = ensure_team(db, ARNHEM, "Arnhem", province).await?;
    let nijmegen = ensure_team(db, NIJMEGEN, "Nijmegen", province).await?;
    // One hash for all: they share the (public) demo password, and hashing is slow on purpose.
    let hash =
        password::hash(DEMO_PASSWORD).map_err(|_| StoreError::Inconsistent("demo password"))?;
    let mut inbrenger = None;
    let mut nijmegen_member = None;
    let mut cast = workflow::Cast {
        aanjager: AccountId(0),
        teamlid: AccountId(0),
        coach: AccountId(0),
        arnhem,
    };
    for (email, name, _, role) in &ACCOUNTS {
        let account = match db.account_by_email(email).await? {
            Some(account) => account,
            None => {
                let beheerder = matches!(role, DemoRole::Beheerder);
                db.create_account(email, name, Some(&hash), beheerder)
                    .await?
            }
        };
        match role {
            DemoRole::Team(team, role) => {
                let team = if *team == ARNHEM { arnhem } else { nijmegen };
                db.set_membership(team, account.id, *role).await?;
                match role {
                    _ if team == nijmegen => nijmegen_member = Some(account.id),
                    TeamRole::Inbrenger => inbrenger = Some(account.id),
                    TeamRole::Aanjager => cast.aanjager = account.id,
                    TeamRole::Teamlid => cast.teamlid = account.id,
                    TeamRole::Projectleider => {}
                }
            }
            DemoRole::Coach => {
                db.set_coach(account.id, Some(province)).await?;
                cast.coach = account.id;
            }
            DemoRole::Pmm => db.set_pmm(account.id, true).await?,
            DemoRole::Beheerder => {}
        }
    }
    let (Some(inbrenger), Some(nijmegen_member)) = (inbrenger, nijmegen_member) else {
        return Err(StoreError::Inconsistent("demo accounts"));
    };
    let other = CanvasOwner {
        team: nijmegen,
        brought_in_by: nijmegen_member,
    };
    ensure_canvas(db, OTHER_TEAM_CANVAS_ID, other, "Demo: Casus N-3", || {
        schema::initialize()
    })
    .await?;
    let scooter = CanvasOwner {
        team: arnhem,
        brought_in_by: inbrenger,
    };
    let created = ensure_canvas(db, DEMO_CANVAS_ID, scooter, LABEL, scooter_case).await?;
    if created {
        workflow::seed(db, &cast, DEMO_CANVAS_ID).await?;
        meetings::seed(db, &cast).await?;
        let utrecht_province = ensure_province(db, "Utrecht").await?;
        let utrecht = ensure_team(db, "Doorbraakteam Utrecht", "Utrecht", utrecht_province).await?;
        archive::seed(
            db,
            [
                (arnhem, cast.aanjager),
                (nijmegen, nijmegen_member),
                (utrecht, cast.aanjager),
            ],
        )
        .await?;
    }
    Ok(created)
}

async fn ensure_province(db: &dyn Database, name: &str) -> Result<ProvinceId, StoreError> {
    if let Some(found) = db.provinces().await?.into_iter().find(|p| p.name == name) {
        return Ok(found.id);
    }
    db.create_province(name).await
}

async fn ensure_team(
    db: &dyn Database,
    name: &str,
    gemeente: &str,
    province: ProvinceId,
) -> Result<TeamId, StoreError> {
    if let Some(found) = db.teams().await?.into_iter().find(|t| t.name == name) {
        return Ok(found.id);
    }
    let gemeente = match db
        .gemeenten()
        .await?
        .into_iter()
        .find(|g| g.name == gemeente)
    {
        Some(found) => found.id,
        None => db.create_gemeente(gemeente, province).await?,
    };
    db.create_team(name, gemeente).await
}

/// Creates a canvas with a fixed id unless it exists; returns whether it was created.
pub(crate) async fn ensure_canvas(
    db: &dyn Database,
    id: &str,
    owner: CanvasOwner,
    label: &str,
    content: impl FnOnce() -> Vec<u8>,
) -> Result<bool, StoreError> {
    let id: CanvasId = id
        .parse()
        .map_err(|_| StoreError::Inconsistent("demo canvas id"))?;
    if db.canvas_exists(&id).await? {
        return Ok(false);
    }
    let update = content();
    // The overview lists leefgebieden from the canvases table; a room keeps that in step with
    // later edits, but a seeded canvas starts with leefgebieden of its own.
    let life_areas = life_areas_of(&update);
    db.create_canvas(&id, label, owner, &update, &life_areas)
        .await?;
    Ok(true)
}

/// The leefgebieden of a document given as one update.
fn life_areas_of(update: &[u8]) -> Vec<&'static str> {
    let doc = Doc::new();
    let roots = schema::Roots::define(&doc);
    if let Ok(update) = yrs::Update::decode_v1(update) {
        let _ = doc.transact_mut().apply_update(update);
    }
    schema::life_areas(&doc, &roots)
}

/// The scooter case as one Yjs update.
pub fn scooter_case() -> Vec<u8> {
    let doc = Doc::new();
    let text = |name: &str, content: &str| {
        let text = doc.get_or_insert_text(name);
        text.push(&mut doc.transact_mut(), content);
    };
    text(
        root::SITUATION,
        "Alleenstaande moeder met een zoon van vijf met autisme, die naar het speciaal onderwijs gaat. \
         Een schooltaxi haalt hem elke dag op: 7 km duurt een half uur, met andere kinderen. Hij begint \
         een uur later aan de les omdat hij eerst tot rust moet komen, en komt overprikkeld thuis.",
    );
    text(
        root::FUTURE,
        "\"Ik wil hem zelf naar school brengen, dan komt hij rustig aan en heb ik weer lucht.\" \
         Fietsen met hem gaat niet; met een scooter zou het wel kunnen, maar die kan zij niet betalen.",
    );
    text(
        root::OVERVIEW,
        "Nodig: eigen vervoer voor moeder en zoon. Geprobeerd: een andere taxiroute (lukt niet door de \
         combinatie met andere kinderen) en een fietsvergoeding (afstand te groot). \
         Alle bedragen in deze demo zijn verzonnen.",
    );
    text(
        root::BREAKTHROUGH,
        "Eenmalig een scooter aanschaffen in plaats van jarenlang leerlingenvervoer te verstrekken.",
    );
    text(
        root::SYSTEM_PROBLEM,
        "De verordening leerlingenvervoer kent alleen vervoer door de gemeente of een kilometervergoeding; \
         een eenmalige aanschaf voor de ouder past er niet in. Mogen wij daarvan afwijken?",
    );
    text(
        root::INVOLVEMENT,
        "Moeder krijgt zelf de regie over het vervoer. De zoon komt rustig op school aan, de thuissituatie \
         verbetert en moeder houdt tijd over (later begint zij met vrijwilligerswerk).",
    );
    text(
        root::LEGITIMACY,
        "De verordening leerlingenvervoer heeft een hardheidsclausule voor gevallen waarin de regels tot \
         onbillijkheid leiden. Niets aan de oplossing is onrechtmatig.",
    );

    let meta = doc.get_or_insert_map(root::META);
    let toggles = [
        (
            root::LIFE_AREAS,
            &["appropriate_care", "home_life", "belonging"][..],
        ),
        (root::POLICY_DOMAINS, &["education", "youth", "wmo"][..]),
    ];
    let toggle_maps: Vec<_> = toggles
        .iter()
        .map(|(name, codes)| (doc.get_or_insert_map(*name), *codes))
        .collect();
    let agencies = doc.get_or_insert_array(root::AGENCIES);
    let regulations = doc.get_or_insert_array(root::REGULATIONS);
    let return_lines = doc.get_or_insert_array(root::RETURN_LINES);
    let actions = doc.get_or_insert_array(root::ACTIONS);

    let mut txn = doc.transact_mut();
    meta.insert(
        &mut txn,
        "schemaVersion",
        crate::canvas::schema::SCHEMA_VERSION,
    );
    for (map, codes) in &toggle_maps {
        for code in *codes {
            map.insert(&mut txn, *code, true);
        }
    }
    for (name, cents) in [
        ("Leerlingenvervoer (taxi)", 950_000),
        ("Ambulante jeugdhulp thuis", 420_000),
        ("Wmo-consulent", 80_000),
    ] {
        agencies.push_back(
            &mut txn,
            MapPrelim::from([
                ("name", Any::from(name)),
                ("costPerYearCents", Any::from(cents)),
            ]),
        );
    }
    for (law, article, room) in [
        (
            "Verordening leerlingenvervoer (lokaal)",
            "Hardheidsclausule",
            "Het college kan afwijken als toepassing van de verordening tot onbillijkheid van overwegende aard leidt.",
        ),
        (
            "Wet op het primair onderwijs",
            "Artikel 4",
            "De gemeente regelt het leerlingenvervoer in een eigen verordening.",
        ),
    ] {
        regulations.push_back(
            &mut txn,
            MapPrelim::from([("law", law), ("article", article), ("room", room)]),
        );
    }
    // The instanties above already count as the current situation's yearly costs (the calculator
    // adds them), so the lines hold only what comes on top: gevolgschade and the solution.
    let lines: [(&str, &str, &str, i64, &str, &str); 3] = [
        (
            "demo-r1",
            "inaction",
            "Zwaardere jeugdhulp door overprikkeling (gevolgschade)",
            25_000,
            "monthly",
            "Gemeente, jeugd",
        ),
        (
            "demo-r2",
            "solution",
            "Scooter met kinderzitje en helmen",
            280_000,
            "once",
            "Doorbraakbudget",
        ),
        (
            "demo-r3",
            "solution",
            "Verzekering en onderhoud scooter",
            4_500,
            "monthly",
            "Gemeente, Wmo",
        ),
    ];
    for (id, kind, description, cents, recurrence, payer) in lines {
        return_lines.push_back(
            &mut txn,
            MapPrelim::from([
                ("id", Any::from(id)),
                ("kind", Any::from(kind)),
                ("description", Any::from(description)),
                ("amountCents", Any::from(cents)),
                ("recurrence", Any::from(recurrence)),
                ("payer", Any::from(payer)),
            ]),
        );
    }
    for (id, what, who, due, status) in [
        (
            "demo-a1",
            "Scooter en kinderzitje aanschaffen",
            "Aanjager",
            "2026-12-15",
            "in_progress",
        ),
        (
            "demo-a2",
            "Leerlingenvervoer stopzetten",
            "Consulent leerlingenvervoer",
            "2027-01-04",
            "open",
        ),
        (
            "demo-a3",
            "Evaluatie met moeder na drie maanden",
            "Inbrenger",
            "2027-04-01",
            "open",
        ),
    ] {
        actions.push_back(
            &mut txn,
            MapPrelim::from([
                ("id", id),
                ("what", what),
                ("who", who),
                ("due", due),
                ("status", status),
            ]),
        );
    }
    drop(txn);
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

#[cfg(test)]
mod tests {
    use yrs::{Update, updates::decoder::Decode};

    use super::*;
    use crate::canvas::schema::{self, ReturnKind, Roots};

    #[test]
    fn the_demo_canvas_fills_every_step() {
        let doc = Doc::new();
        let roots = Roots::define(&doc);
        doc.transact_mut()
            .apply_update(Update::decode_v1(&scooter_case()).unwrap())
            .unwrap();
        let content = schema::read(&doc, &roots);
        assert_eq!(
            content.life_areas,
            ["appropriate_care", "home_life", "belonging"]
        );
        let steps = &content.steps;
        for text in [
            &steps.situation,
            &steps.future,
            &steps.overview.text,
            &steps.breakthrough.system_problem,
        ] {
            assert!(!text.is_empty());
        }
        assert_eq!(steps.overview.agencies.len(), 3);
        assert_eq!(steps.value_triangle.legitimacy.regulations.len(), 2);
        assert_eq!(
            steps.value_triangle.return_lines[1].kind,
            Some(ReturnKind::Solution)
        );
        assert_eq!(steps.action_plan.len(), 3);
    }
}
