//! The shape of a maatwerkcanvas as a Yjs document: the names of its root types and what they hold.
//!
//! This module is the one place that knows the schema. The server creates new canvases through
//! [`initialize`] and reads them through [`read`]; `docs/canvas-schema.md` documents the same
//! shape for client authors. Reading is lenient: a value of the wrong type reads as empty (`""`,
//! `null`) rather than failing the whole canvas, because clients of other versions may write it.

use serde::Serialize;
use yrs::{
    Any, Array, ArrayRef, Doc, GetString, Map, MapRef, Number, Out, ReadTxn, TextRef, Transact,
    types::ToJson,
};

/// Version of the schema written into `meta.schemaVersion`.
pub const SCHEMA_VERSION: i64 = 1;

/// The horizons, in years, the rendement totals can be shown over.
pub const HORIZONS: [i64; 3] = [1, 3, 5];

/// Names of the root types.
pub mod root {
    /// Y.Map: `label` (string), `schemaVersion` (number), `horizonYears` (1, 3 or 5).
    pub const META: &str = "meta";
    /// Y.Text, step 1: situatieschets.
    pub const SITUATION: &str = "situation";
    /// Y.Text, step 2: toekomstperspectief.
    pub const FUTURE: &str = "future";
    /// Y.Text, step 3: overzicht.
    pub const OVERVIEW: &str = "overview";
    /// Y.Array of Y.Map, step 3: the instanties involved with the household.
    pub const AGENCIES: &str = "agencies";
    /// Y.Text, step 4: doorbraak.
    pub const BREAKTHROUGH: &str = "breakthrough";
    /// Y.Text, step 4: the systeemprobleem question put to the team.
    pub const SYSTEM_PROBLEM: &str = "systemProblem";
    /// Y.Text, step 5: betrokkenheid.
    pub const INVOLVEMENT: &str = "involvement";
    /// Y.Text, step 5: legitimiteit.
    pub const LEGITIMACY: &str = "legitimacy";
    /// Y.Array of Y.Map, step 5: regulations referred to under legitimiteit.
    pub const REGULATIONS: &str = "regulations";
    /// Y.Array of Y.Map, step 5: the rendement lines.
    pub const RETURN_LINES: &str = "returnLines";
    /// Y.Array of Y.Map, step 6: the actieplan.
    pub const ACTIONS: &str = "actions";
    /// Y.Map of code to `true`: the leefgebieden the canvas touches.
    pub const LIFE_AREAS: &str = "lifeAreas";
    /// Y.Map of code to `true`: the policy domains involved.
    pub const POLICY_DOMAINS: &str = "policyDomains";
}

/// The six leefgebieden of existential security: (code, Dutch name).
pub const LIFE_AREAS: [(&str, &str); 6] = [
    ("financial_security", "Financiële zekerheid"),
    ("appropriate_care", "Passende zorg"),
    ("housing", "Woonsituatie"),
    ("social_relations", "Sociale relaties"),
    ("home_life", "Prettige thuissituatie"),
    ("belonging", "Erbij horen en meedoen"),
];

/// The policy domains of the social domain: (code, Dutch name).
pub const POLICY_DOMAINS: [(&str, &str); 8] = [
    ("youth", "Jeugd"),
    ("wmo", "Wmo"),
    ("work_income", "Werk en inkomen"),
    ("debt_relief", "Schuldhulpverlening"),
    ("social_work", "Sociaal werk"),
    ("housing_corporation", "Woningcorporatie"),
    ("health_insurance", "Zorgverzekeraar"),
    ("education", "Onderwijs"),
];

/// Handles to every root type of a canvas document.
///
/// Root types must be defined before any transaction is open (yrs takes a write lock to define
/// one), so a room defines them once, right after creating its `Doc`.
#[derive(Clone)]
pub struct Roots {
    meta: MapRef,
    situation: TextRef,
    future: TextRef,
    overview: TextRef,
    agencies: ArrayRef,
    breakthrough: TextRef,
    system_problem: TextRef,
    involvement: TextRef,
    legitimacy: TextRef,
    regulations: ArrayRef,
    return_lines: ArrayRef,
    actions: ArrayRef,
    life_areas: MapRef,
    policy_domains: MapRef,
}

impl Roots {
    pub fn define(doc: &Doc) -> Self {
        Self {
            meta: doc.get_or_insert_map(root::META),
            situation: doc.get_or_insert_text(root::SITUATION),
            future: doc.get_or_insert_text(root::FUTURE),
            overview: doc.get_or_insert_text(root::OVERVIEW),
            agencies: doc.get_or_insert_array(root::AGENCIES),
            breakthrough: doc.get_or_insert_text(root::BREAKTHROUGH),
            system_problem: doc.get_or_insert_text(root::SYSTEM_PROBLEM),
            involvement: doc.get_or_insert_text(root::INVOLVEMENT),
            legitimacy: doc.get_or_insert_text(root::LEGITIMACY),
            regulations: doc.get_or_insert_array(root::REGULATIONS),
            return_lines: doc.get_or_insert_array(root::RETURN_LINES),
            actions: doc.get_or_insert_array(root::ACTIONS),
            life_areas: doc.get_or_insert_map(root::LIFE_AREAS),
            policy_domains: doc.get_or_insert_map(root::POLICY_DOMAINS),
        }
    }
}

/// Writes the content of a new canvas and returns it as one Yjs update (v1 encoding).
///
/// The label is not in the document: it is the canvas record's, changed only through its
/// validated route. Documents from before that still carry a `meta.label`; it is ignored.
pub fn initialize() -> Vec<u8> {
    let doc = Doc::new();
    let roots = Roots::define(&doc);
    let mut txn = doc.transact_mut();
    roots.meta.insert(&mut txn, "schemaVersion", SCHEMA_VERSION);
    drop(txn);
    doc.transact()
        .encode_state_as_update_v1(&yrs::StateVector::default())
}

/// A canvas's content as the HTTP API returns it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanvasContent {
    pub label: String,
    pub schema_version: Option<i64>,
    pub life_areas: Vec<&'static str>,
    pub policy_domains: Vec<&'static str>,
    pub steps: Steps,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Steps {
    pub situation: String,
    pub future: String,
    pub overview: Overview,
    pub breakthrough: Breakthrough,
    pub value_triangle: ValueTriangle,
    pub action_plan: Vec<Action>,
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub text: String,
    pub agencies: Vec<Agency>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agency {
    pub name: String,
    pub cost_per_year_cents: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Breakthrough {
    pub text: String,
    pub system_problem: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueTriangle {
    pub involvement: String,
    pub legitimacy: Legitimacy,
    pub return_lines: Vec<ReturnLine>,
    /// The horizon of the rendement totals the team chose: 1, 3 or 5 years (`meta.horizonYears`).
    pub horizon_years: i64,
}

#[derive(Debug, Serialize)]
pub struct Legitimacy {
    pub text: String,
    pub regulations: Vec<Regulation>,
}

#[derive(Debug, Serialize)]
pub struct Regulation {
    pub law: String,
    pub article: String,
    /// Where the discretionary room is (for example a hardheidsclausule).
    pub room: String,
}

/// The three kinds of rendement line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnKind {
    /// Huidige maatschappelijke kosten: what society pays now.
    Current,
    /// Kosten van niets doen, including gevolgschade.
    Inaction,
    /// Kosten van de maatwerkoplossing.
    Solution,
}

impl ReturnKind {
    /// The Dutch name the UI shows.
    pub fn dutch(self) -> &'static str {
        match self {
            ReturnKind::Current => "Huidige maatschappelijke kosten",
            ReturnKind::Inaction => "Kosten van niets doen (gevolgschade)",
            ReturnKind::Solution => "Kosten van de maatwerkoplossing",
        }
    }
}

/// Whether an amount is paid once or recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    Once,
    Monthly,
    Yearly,
}

impl Recurrence {
    pub fn dutch(self) -> &'static str {
        match self {
            Recurrence::Once => "eenmalig",
            Recurrence::Monthly => "per maand",
            Recurrence::Yearly => "per jaar",
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnLine {
    pub id: String,
    pub kind: Option<ReturnKind>,
    pub description: String,
    pub amount_cents: Option<i64>,
    pub recurrence: Option<Recurrence>,
    pub payer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
}

impl ActionStatus {
    pub fn dutch(self) -> &'static str {
        match self {
            ActionStatus::Open => "Open",
            ActionStatus::InProgress => "Bezig",
            ActionStatus::Done => "Gereed",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Action {
    pub id: String,
    pub what: String,
    pub who: String,
    /// Due date as `YYYY-MM-DD`.
    pub due: String,
    pub status: Option<ActionStatus>,
}

/// Reads the whole canvas.
pub fn read(doc: &Doc, roots: &Roots) -> CanvasContent {
    let txn = doc.transact();
    let txn = &txn;
    CanvasContent {
        // The record's, filled in by whoever reads the content (see `SyncService::content`).
        label: String::new(),
        schema_version: int_field(txn, &roots.meta, "schemaVersion"),
        life_areas: switched_on(txn, &roots.life_areas, &LIFE_AREAS),
        policy_domains: switched_on(txn, &roots.policy_domains, &POLICY_DOMAINS),
        steps: Steps {
            situation: roots.situation.get_string(txn),
            future: roots.future.get_string(txn),
            overview: Overview {
                text: roots.overview.get_string(txn),
                agencies: items(txn, &roots.agencies, |m| Agency {
                    name: string_field(txn, m, "name"),
                    cost_per_year_cents: int_field(txn, m, "costPerYearCents"),
                }),
            },
            breakthrough: Breakthrough {
                text: roots.breakthrough.get_string(txn),
                system_problem: roots.system_problem.get_string(txn),
            },
            value_triangle: ValueTriangle {
                involvement: roots.involvement.get_string(txn),
                legitimacy: Legitimacy {
                    text: roots.legitimacy.get_string(txn),
                    regulations: items(txn, &roots.regulations, |m| Regulation {
                        law: string_field(txn, m, "law"),
                        article: string_field(txn, m, "article"),
                        room: string_field(txn, m, "room"),
                    }),
                },
                horizon_years: int_field(txn, &roots.meta, "horizonYears")
                    .filter(|years| HORIZONS.contains(years))
                    .unwrap_or(1),
                return_lines: items(txn, &roots.return_lines, |m| ReturnLine {
                    id: string_field(txn, m, "id"),
                    kind: match string_field(txn, m, "kind").as_str() {
                        "current" => Some(ReturnKind::Current),
                        "inaction" => Some(ReturnKind::Inaction),
                        "solution" => Some(ReturnKind::Solution),
                        _ => None,
                    },
                    description: string_field(txn, m, "description"),
                    amount_cents: int_field(txn, m, "amountCents"),
                    recurrence: match string_field(txn, m, "recurrence").as_str() {
                        "once" => Some(Recurrence::Once),
                        "monthly" => Some(Recurrence::Monthly),
                        "yearly" => Some(Recurrence::Yearly),
                        _ => None,
                    },
                    payer: string_field(txn, m, "payer"),
                }),
            },
            action_plan: items(txn, &roots.actions, |m| Action {
                id: string_field(txn, m, "id"),
                what: string_field(txn, m, "what"),
                who: string_field(txn, m, "who"),
                due: string_field(txn, m, "due"),
                status: match string_field(txn, m, "status").as_str() {
                    "open" => Some(ActionStatus::Open),
                    "in_progress" => Some(ActionStatus::InProgress),
                    "done" => Some(ActionStatus::Done),
                    _ => None,
                },
            }),
        },
    }
}

/// The leefgebieden a canvas touches, for the overview. Cheap: it reads one map, not the whole
/// document.
pub fn life_areas(doc: &Doc, roots: &Roots) -> Vec<&'static str> {
    switched_on(&doc.transact(), &roots.life_areas, &LIFE_AREAS)
}

/// The Y.Map entries of an array; entries of any other type are skipped.
fn items<T, R: ReadTxn>(txn: &R, array: &ArrayRef, read: impl Fn(&MapRef) -> T) -> Vec<T> {
    array
        .iter(txn)
        .filter_map(|value| match value {
            Out::YMap(map) => Some(read(&map)),
            _ => None,
        })
        .collect()
}

/// A string field, whether written as a plain string or as a Y.Text.
fn string_field<R: ReadTxn>(txn: &R, map: &MapRef, key: &str) -> String {
    match map.get(txn, key) {
        Some(Out::Any(Any::String(text))) => text.to_string(),
        Some(Out::YText(text)) => text.get_string(txn),
        _ => String::new(),
    }
}

/// An integer field; JavaScript numbers arrive as integers or as floats without a fraction.
fn int_field<R: ReadTxn>(txn: &R, map: &MapRef, key: &str) -> Option<i64> {
    match map.get(txn, key)?.to_json(txn) {
        Any::Number(Number::Int(value)) => Some(value),
        Any::Number(Number::Float(value)) => {
            let exact = value.fract() == 0.0 && value.abs() <= 2f64.powi(53);
            exact.then_some(value as i64)
        }
        _ => None,
    }
}

/// The catalogue codes whose toggle is `true`, in catalogue order.
fn switched_on<R: ReadTxn>(
    txn: &R,
    map: &MapRef,
    catalogue: &[(&'static str, &str)],
) -> Vec<&'static str> {
    catalogue
        .iter()
        .filter(|(code, _)| matches!(map.get(txn, code), Some(Out::Any(Any::Bool(true)))))
        .map(|(code, _)| *code)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{MapPrelim, Text, Update, updates::decoder::Decode};

    #[test]
    fn a_new_canvas_carries_its_schema_version_and_no_label() {
        let doc = Doc::new();
        let roots = Roots::define(&doc);
        let update = Update::decode_v1(&initialize()).unwrap();
        doc.transact_mut().apply_update(update).unwrap();
        let content = read(&doc, &roots);
        assert_eq!(content.label, "", "the label is the record's");
        assert!(roots.meta.get(&doc.transact(), "label").is_none());
        assert_eq!(content.schema_version, Some(SCHEMA_VERSION));
        assert!(content.steps.action_plan.is_empty());
    }

    #[test]
    fn reads_every_step() {
        let doc = Doc::new();
        let roots = Roots::define(&doc);
        {
            let mut txn = doc.transact_mut();
            roots.situation.push(&mut txn, "Moeder met zoon");
            roots
                .system_problem
                .push(&mut txn, "Leerlingenvervoer kent geen scooter");
            roots.life_areas.insert(&mut txn, "housing", true);
            roots.life_areas.insert(&mut txn, "belonging", false);
            roots.life_areas.insert(&mut txn, "made_up", true);
            roots.return_lines.push_back(
                &mut txn,
                MapPrelim::from([
                    ("kind", Any::from("solution")),
                    ("amountCents", Any::from(125_000)),
                    ("recurrence", Any::from("once")),
                ]),
            );
            roots
                .return_lines
                .push_back(&mut txn, MapPrelim::from([("amountCents", Any::from(1.5))]));
            roots.actions.push_back(
                &mut txn,
                MapPrelim::from([("what", "Scooter kopen"), ("status", "done")]),
            );
            roots.actions.push_back(&mut txn, "not a map");
        }
        let content = read(&doc, &roots);
        assert_eq!(content.steps.situation, "Moeder met zoon");
        assert_eq!(
            content.steps.breakthrough.system_problem,
            "Leerlingenvervoer kent geen scooter"
        );
        assert_eq!(content.life_areas, ["housing"]);
        let lines = &content.steps.value_triangle.return_lines;
        assert_eq!(lines[0].kind, Some(ReturnKind::Solution));
        assert_eq!(lines[0].amount_cents, Some(125_000));
        assert_eq!(lines[0].recurrence, Some(Recurrence::Once));
        assert_eq!(
            lines[1].amount_cents, None,
            "a fraction of a cent is not an amount"
        );
        assert_eq!(content.steps.action_plan.len(), 1);
        assert_eq!(
            content.steps.action_plan[0].status,
            Some(ActionStatus::Done)
        );
    }
}
