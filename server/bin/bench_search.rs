//! `doorbraak-bench-search`: how long a search of the learning archive takes over a generated
//! archive of `--canvases` archived canvases (10,000 by default) in a fresh SQLite database,
//! through the use case the page and the API call (`services::archive_search::search`: the
//! FTS5 query, the policy's check of every candidate, the page's snippets). The archive spreads
//! over two provinces, three gemeenten and six teams, a third of it per scope; its texts are
//! drawn from a small vocabulary of casework words, so that every query word occurs in most
//! canvases: the worst case, where the policy checks thousands of candidates. The searcher
//! is a teamlid in the first province. Prints one JSON line per query with the hits it found and
//! the median, p95 and slowest of `--runs` runs.

use std::time::Instant;

use clap::Parser;
use doorbraak::{
    AppState,
    access::policy::{self, ArchiveScope, TeamRole},
    canvas::{CanvasId, schema, status::CanvasStatus},
    config::{AuthSettings, Limits, WorkflowSettings},
    ids::{AccountId, TeamId},
    search,
    services::{
        archive_search::{self, Search},
        evaluation,
    },
    store::workflow::{EscalationAnswer, NewEscalation},
    store::{self, CanvasOwner, archive_index::ArchiveDocument},
    views,
    workflow::{
        ladder::Outcome,
        learning::{Bottleneck, Learning},
    },
};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    canvases: usize,
    #[arg(long, default_value_t = 200)]
    runs: usize,
}

const WORDS: [&str; 40] = [
    "schulden",
    "huur",
    "kinderen",
    "scooter",
    "leerlingenvervoer",
    "wachtlijst",
    "beschermd",
    "wonen",
    "energie",
    "toeslag",
    "terugvordering",
    "participatiewet",
    "jeugdhulp",
    "school",
    "werk",
    "inkomen",
    "zorgverzekering",
    "premie",
    "achterstand",
    "beslag",
    "bewindvoering",
    "schuldhulpverlening",
    "woningcorporatie",
    "huisuitzetting",
    "mantelzorg",
    "dagbesteding",
    "vervoer",
    "reiskosten",
    "kinderopvang",
    "studiefinanciering",
    "uitkering",
    "bijstand",
    "financiële",
    "zorgen",
    "regeling",
    "maatwerk",
    "gemeente",
    "budget",
    "moeder",
    "vader",
];

/// A deterministic pseudo-random stream (xorshift), so every run builds the same archive.
struct Dice(u64);

impl Dice {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn sentence(&mut self, words: usize) -> String {
        let mut s: Vec<&str> = (0..words).map(|_| WORDS[self.next(WORDS.len())]).collect();
        s.push("en de rest van het verhaal");
        s.join(" ")
    }
}

/// A benchmark query: its name, its words, and how it sets the filters.
type Query = (&'static str, &'static str, fn(&mut Search));

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let folder =
        std::env::temp_dir().join(format!("doorbraak-bench-search-{}", std::process::id()));
    std::fs::create_dir_all(&folder)?;
    let url = format!("sqlite://{}/archief.db", folder.display());
    let db = store::open(&url).await?;

    let provinces = [
        db.create_province("Gelderland").await?,
        db.create_province("Utrecht").await?,
    ];
    let gemeenten = [
        db.create_gemeente("Arnhem", provinces[0]).await?,
        db.create_gemeente("Ede", provinces[0]).await?,
        db.create_gemeente("Utrecht", provinces[1]).await?,
    ];
    let mut teams: Vec<TeamId> = Vec::new();
    for (n, gemeente) in gemeenten.iter().chain(gemeenten.iter()).enumerate() {
        teams.push(db.create_team(&format!("Team {n}"), *gemeente).await?);
    }
    let aanjager = db
        .create_account("aanjager@bench", "Aanjager", None, false)
        .await?;

    let started = Instant::now();
    let tx = db.begin().await?;
    let mut dice = Dice(0x5eed);
    let at = 1_750_000_000_000_i64;
    for n in 0..args.canvases {
        let id = CanvasId::random();
        let team = teams[n % teams.len()];
        let owner = CanvasOwner {
            team,
            brought_in_by: aanjager.id,
        };
        tx.create_canvas(
            &id,
            &format!("Casus B-{n}"),
            owner,
            &schema::initialize(),
            &[],
        )
        .await?;
        let outcome = if n % 3 == 0 {
            CanvasStatus::AfgeslotenZonderDoorbraak
        } else {
            CanvasStatus::DoorbraakGerealiseerd
        };
        let archived_at = at + n as i64 * 60_000;
        // Every fifth canvas went up to the directie first and came back with an answer a week
        // later.
        let mut from = CanvasStatus::Concept;
        if n % 5 == 0 {
            let asked = archived_at - 14 * 86_400_000;
            tx.change_status(
                &id,
                from,
                CanvasStatus::InBehandeling,
                aanjager.id,
                "",
                asked,
            )
            .await?;
            let escalation = tx
                .escalate(&NewEscalation {
                    canvas: id.clone(),
                    from_level: policy::EscalationLevel::Team,
                    to_level: policy::EscalationLevel::Directie,
                    question: dice.sentence(12),
                    by: aanjager.id,
                    at: asked,
                    snapshot: schema::initialize(),
                })
                .await?
                .ok_or("the escalation did not start")?;
            tx.answer(&EscalationAnswer {
                escalation,
                canvas: id.clone(),
                by: aanjager.id,
                answer: dice.sentence(12),
                outcome: Outcome::Opgelost,
                further: None,
                at: asked + 7 * 86_400_000,
            })
            .await?;
            from = CanvasStatus::InBehandeling;
        }
        tx.change_status(&id, from, outcome, aanjager.id, "", archived_at)
            .await?;
        tx.change_status(
            &id,
            outcome,
            CanvasStatus::Gearchiveerd,
            aanjager.id,
            "",
            archived_at,
        )
        .await?;
        tx.set_archive_scope(&id, ArchiveScope::ALL[n % 3]).await?;
        let learning = Learning {
            bottleneck: Bottleneck::Process,
            regulation: None,
            bottleneck_text: dice.sentence(8),
            order: 1 + (n % 3) as i64,
            order_note: dice.sentence(10),
            signals: vec!["beleid".into()],
            budget_used: n % 4 == 0,
            budget_why: String::new(),
            effect: dice.sentence(8),
            tags: vec![(
                "leefgebied".into(),
                schema::LIFE_AREAS[n % schema::LIFE_AREAS.len()].0.into(),
            )],
            rendement: Default::default(),
        };
        tx.save_learning(&id, &learning, aanjager.id, archived_at)
            .await?;
        let body = [
            dice.sentence(60),
            dice.sentence(40),
            dice.sentence(40),
            learning.bottleneck_text.clone(),
            learning.order_note.clone(),
            learning.effect.clone(),
        ]
        .join("\n");
        let facts = policy::Canvas {
            id: id.clone(),
            team,
            brought_in_by: Some(aanjager.id),
            province: provinces[usize::from(n % teams.len() == 2 || n % teams.len() == 5)],
            level: policy::EscalationLevel::Team,
            highest_level: policy::EscalationLevel::Team,
            archived: true,
            archive_scope: Some(ArchiveScope::ALL[n % 3]),
        };
        tx.index_archive(&ArchiveDocument {
            facts,
            order: Some(learning.order),
            budget_used: Some(learning.budget_used),
            canvas: id,
            stems: search::stems(&body),
            body,
            outcome,
            archived_at,
        })
        .await?;
    }
    tx.commit().await?;
    eprintln!(
        "generated {} archived canvases in {:.1} s",
        args.canvases,
        started.elapsed().as_secs_f64()
    );

    let state = AppState::new(
        db.clone(),
        Limits::default(),
        AuthSettings::default(),
        WorkflowSettings::default(),
    )
    .await;
    let viewer = policy::Account {
        id: Some(AccountId(aanjager.id.0 + 1_000)),
        memberships: vec![(teams[0], TeamRole::Teamlid)],
        member_provinces: vec![provinces[0]],
        ..policy::Account::default()
    };
    let queries: [Query; 7] = [
        ("common word", "schulden", |_| {}),
        ("two words", "kinderen scooter", |_| {}),
        ("stemmed and folded", "financiele zorgen", |_| {}),
        ("three words", "huisuitzetting bewindvoering beslag", |_| {}),
        ("no words, newest first", "", |_| {}),
        ("word and filters", "huur", |s| {
            s.query.order = Some(3);
            s.query.budget_used = Some(true);
        }),
        ("by date, page 5", "wonen", |s| {
            s.query.sort = doorbraak::store::archive_index::ArchiveOrder::Newest;
            s.page = 5;
        }),
    ];
    for (name, text, adjust) in queries {
        let mut ask = Search {
            text: text.into(),
            page: 1,
            ..Search::default()
        };
        adjust(&mut ask);
        let mut total = 0;
        let mut ms: Vec<f64> = Vec::with_capacity(args.runs);
        for _ in 0..args.runs {
            let started = Instant::now();
            let results = archive_search::search(&state, &viewer, &ask).await?;
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
            total = results.total;
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
        println!(
            "{}",
            serde_json::json!({
                "bench": "search",
                "query": name,
                "text": text,
                "canvases": args.canvases,
                "hits": total,
                "runs": args.runs,
                "median_ms": (at(0.5) * 100.0).round() / 100.0,
                "p95_ms": (at(0.95) * 100.0).round() / 100.0,
                "max_ms": (ms[ms.len() - 1] * 100.0).round() / 100.0,
            })
        );
    }
    // The lerend-evalueren dashboard of the country (PMM) over the same archive, for the
    // half-year the canvases were closed in: the figures and their charts and tables rendered.
    let pmm = policy::Account {
        id: Some(AccountId(aanjager.id.0 + 1_001)),
        pmm: true,
        ..policy::Account::default()
    };
    let half = evaluation::HalfYear::of(at);
    let mut ms: Vec<f64> = Vec::with_capacity(args.runs);
    let mut bytes = 0;
    let mut closed = 0;
    for _ in 0..args.runs {
        let started = Instant::now();
        let d = evaluation::dashboard(&state, &pmm, evaluation::Scope::Country, half).await?;
        let html = views::evaluation::figures(&d).into_string();
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
        bytes = html.len();
        closed = d.current.outcomes.0 + d.current.outcomes.1;
    }
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{}",
        serde_json::json!({
            "bench": "dashboard",
            "scope": "land",
            "half_year": half.code(),
            "canvases": args.canvases,
            "closed_in_half_year": closed,
            "html_bytes": bytes,
            "runs": args.runs,
            "median_ms": (at(0.5) * 100.0).round() / 100.0,
            "p95_ms": (at(0.95) * 100.0).round() / 100.0,
            "max_ms": (ms[ms.len() - 1] * 100.0).round() / 100.0,
        })
    );
    drop(state);
    drop(db);
    // BENCH_KEEP=1 keeps the generated database to look into.
    if std::env::var_os("BENCH_KEEP").is_none() {
        std::fs::remove_dir_all(&folder)?;
    } else {
        eprintln!("kept {url}");
    }
    Ok(())
}
