//! The command line: `doorbraak admin create` and `doorbraak token create` on a fresh database.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

fn doorbraak(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doorbraak"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the doorbraak binary");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("run")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn the_first_beheerder_and_a_token_from_the_command_line() {
    let database = crate::helpers::TestDatabase::new().await;
    let url = database.url.clone();
    let db = ["--database-url", url.as_str()];

    let created = doorbraak(
        &[
            &["admin", "create", "--email", "Beheer@Gemeente.nl"][..],
            &db,
        ]
        .concat(),
        "lang genoeg wachtwoord\n",
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert_eq!(
        text(&created.stdout),
        "Beheerder aangemaakt: beheer@gemeente.nl\n"
    );

    let again = doorbraak(
        &[
            &["admin", "create", "--email", "beheer@gemeente.nl"][..],
            &db,
        ]
        .concat(),
        "lang genoeg wachtwoord\n",
    );
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("Er bestaat al een account met dit e-mailadres."),
        "{}",
        text(&again.stderr)
    );

    let short = doorbraak(
        &[
            &["admin", "create", "--email", "ander@gemeente.nl"][..],
            &db,
        ]
        .concat(),
        "kort\n",
    );
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("minstens 12 tekens"));

    let token = doorbraak(
        &[
            &[
                "token",
                "create",
                "--email",
                "beheer@gemeente.nl",
                "--name",
                "script",
            ][..],
            &db,
        ]
        .concat(),
        "",
    );
    assert!(token.status.success(), "{}", text(&token.stderr));
    let printed = text(&token.stdout);
    let token = printed.trim_end();
    assert!(
        token.starts_with("dbk_") && token.len() == 68,
        "only the token is printed: {printed:?}"
    );

    // The database keeps the token's hash, never the token, and the account's password hashed.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.expect("open");
    let (hash,): (String,) = sqlx::query_as("SELECT token_hash FROM api_tokens")
        .fetch_one(&pool)
        .await
        .expect("token row");
    assert_eq!(hash, doorbraak::accounts::token_hash(token));
    let (password,): (String,) = sqlx::query_as("SELECT password_hash FROM accounts")
        .fetch_one(&pool)
        .await
        .expect("account");
    assert!(password.starts_with("$argon2id$"));

    let unknown = doorbraak(
        &[
            &["token", "create", "--email", "niemand@gemeente.nl"][..],
            &db,
        ]
        .concat(),
        "",
    );
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("Er is geen account met dit e-mailadres."));
}

/// `doorbraak backup` while the server runs and a client writes: the copy is whole and checked,
/// a server started on it has what was saved, and an existing file is never overwritten.
#[tokio::test]
async fn an_online_backup_is_consistent_and_restores() {
    use crate::helpers::*;
    if on_postgres() {
        // SQLite's own backup; PostgreSQL is backed up with pg_dump (docs/deployment.md), and
        // `doorbraak backup` refuses it (the next test).
        return;
    }
    let BinaryCanvas {
        people,
        mut server,
        address,
        id,
        database_url,
        folder,
        ..
    } = binary_with_canvas("Casus B-1", None).await;
    let url = ws_url(&address, &people.teamlid.token, &id, "?saved=1");
    let mut client = Client::connect(&url).await;
    client.type_text("Voor de reservekopie.").await;
    client
        .wait("the saved signal", |c| c.saved >= Some(c.updates_sent))
        .await;
    // The server is still running (and the client connected) while the backup is made.
    let to = folder.path().join("reservekopie.db");
    let to_arg = to.to_string_lossy().into_owned();
    let made = doorbraak(
        &["backup", "--database-url", &database_url, "--to", &to_arg],
        "",
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let said = text(&made.stdout);
    assert!(
        said.starts_with(&format!("Reservekopie gemaakt: {to_arg} ("))
            && said.contains("1 canvassen"),
        "{said}"
    );
    let again = doorbraak(
        &["backup", "--database-url", &database_url, "--to", &to_arg],
        "",
    );
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("exists already"),
        "{}",
        text(&again.stderr)
    );
    client.close().await;
    server.kill().await.expect("kill");

    // Restoring is starting on the copy: it has what the client saw saved.
    let restored = format!("sqlite://{to_arg}");
    let (mut copy, address) = start_binary(&restored, &[]).await;
    let http = reqwest_lite::Client::new(address.parse().expect("address"))
        .with_token(&people.aanjager.token);
    let (status, content) = http.get(&format!("/api/canvases/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(content["steps"]["situation"], "Voor de reservekopie.");
    copy.kill().await.expect("kill");
}

#[tokio::test]
async fn a_backup_of_postgresql_is_refused_and_points_to_pg_dump() {
    let database = crate::helpers::TestPostgres::new().await;
    let to = tempfile::tempdir().expect("temp dir");
    let target = to.path().join("kopie.db");
    let refused = doorbraak(
        &[
            "backup",
            "--database-url",
            &database.url,
            "--to",
            &target.display().to_string(),
        ],
        "",
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("pg_dump"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!target.exists(), "nothing written");
}

/// Rows per table of a SQLite database: every table but SQLite's and sqlx's own and the shadow
/// tables of its full-text table (FTS5 keeps its index there).
async fn sqlite_counts(url: &str) -> std::collections::BTreeMap<String, i64> {
    let pool = sqlx::SqlitePool::connect(url).await.expect("open SQLite");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' \
         AND name <> '_sqlx_migrations' AND name NOT IN (SELECT t.name FROM sqlite_master v \
         JOIN sqlite_master t ON t.name IN (v.name || '_data', v.name || '_idx', \
         v.name || '_content', v.name || '_docsize', v.name || '_config') \
         WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%')",
    )
    .fetch_all(&pool)
    .await
    .expect("tables");
    let mut counts = std::collections::BTreeMap::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(&pool)
            .await
            .expect("count");
        counts.insert(table, n);
    }
    pool.close().await;
    counts
}

/// Rows per table of a PostgreSQL database, sqlx's table of migrations aside.
async fn postgres_counts(url: &str) -> std::collections::BTreeMap<String, i64> {
    let pool = sqlx::PgPool::connect(url).await.expect("open PostgreSQL");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' \
         AND tablename <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .expect("tables");
    let mut counts = std::collections::BTreeMap::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(&pool)
            .await
            .expect("count");
        counts.insert(table, n);
    }
    pool.close().await;
    counts
}

/// The labels the leerarchief finds for `query`, sorted (the order by relevance is each
/// database's own: bm25 on SQLite, ts_rank on PostgreSQL).
async fn archive_hits(http: &crate::helpers::reqwest_lite::Client, query: &str) -> Vec<String> {
    let (status, found) = http.get(&format!("/api/leerarchief?q={query}")).await;
    assert_eq!(status, 200, "{found}");
    let mut labels: Vec<String> = found["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("hits: {found}"))
        .iter()
        .filter_map(|hit| hit["label"].as_str().map(str::to_owned))
        .collect();
    labels.sort();
    labels
}

/// Signs in through the form; returns the session cookie.
async fn sign_in(http: &crate::helpers::reqwest_lite::Client, email: &str) -> String {
    let (status, head, body) = http
        .post_form(
            "/inloggen",
            &format!(
                "email={}&password={}",
                email.replace('@', "%40"),
                doorbraak::demo::DEMO_PASSWORD
            ),
        )
        .await;
    assert_eq!(status, 303, "signing in as {email}: {head}\n{body}");
    head.lines()
        .find_map(|line| line.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// `doorbraak copy` moves a demo installation, with live edits folded into a snapshot and a
/// tail in the log, from SQLite (its server still running) into an empty PostgreSQL: every
/// table holds as many rows, and a server started on the copy shows the same canvas, finds the
/// same archive hits, lets the demo accounts sign in, keeps their sessions and tokens, and
/// gives new rows fresh ids.
#[tokio::test]
async fn copy_moves_a_demo_installation_from_sqlite_into_an_empty_postgres() {
    use doorbraak::demo::DEMO_CANVAS_ID;

    use crate::helpers::*;
    let folder = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite://{}/doorbraak.db", folder.path().display());
    let (mut server, address) =
        start_binary(&sqlite_url, &["--demo", "--compact-after", "3"]).await;
    let token = {
        let db = doorbraak::store::open(&sqlite_url).await.expect("open");
        doorbraak::accounts::create_token(db.as_ref(), "teamlid@demo.doorbraak.nl", "kopie", 90)
            .await
            .expect("demo teamlid")
    };
    let http = reqwest_lite::Client::new(address.parse().expect("address")).with_token(&token);
    let source = sqlx::SqlitePool::connect(&sqlite_url).await.expect("open");
    // The server indexes the demo's twelve archived canvases when it starts, one by one.
    eventually("the whole demo archive in the search index", || {
        let source = source.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM archive_search")
                .fetch_one(&source)
                .await
                .is_ok_and(|n| n == 12)
        }
    })
    .await;
    let mut editor = Client::connect(&ws_url(&address, &token, DEMO_CANVAS_ID, "?saved=1")).await;
    for words in ["Eerst", " dan", " daarna", " later", " tot slot."] {
        editor.type_text(words).await;
        editor
            .wait("the saved signal", |c| c.saved >= Some(c.updates_sent))
            .await;
    }
    eventually("a compacted snapshot of the demo canvas", || {
        let source = source.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM canvas_snapshots WHERE canvas_id = ?",
            )
            .bind(DEMO_CANVAS_ID)
            .fetch_one(&source)
            .await
            .is_ok_and(|n| n == 1)
        }
    })
    .await;
    editor.type_text(" En nog een regel na de compactie.").await;
    editor
        .wait("the saved signal", |c| c.saved >= Some(c.updates_sent))
        .await;
    source.close().await;
    let coach_session = sign_in(&http, "coach@demo.doorbraak.nl").await;
    let (status, canvas) = http.get(&format!("/api/canvases/{DEMO_CANVAS_ID}")).await;
    assert_eq!(status, 200, "{canvas}");
    assert!(
        canvas["steps"]["situation"]
            .as_str()
            .is_some_and(|s| s.contains("na de compactie.")),
        "{canvas}"
    );
    let hits = archive_hits(&http, "scooters").await;
    let other_hits = archive_hits(&http, "kinderen").await;

    // Copied while the SQLite server runs and the editor is connected.
    let target = TestPostgres::new().await;
    let started = std::time::Instant::now();
    let copied = doorbraak(&["copy", "--from", &sqlite_url, "--to", &target.url], "");
    let took = started.elapsed();
    assert!(copied.status.success(), "{}", text(&copied.stderr));
    let said = text(&copied.stdout);
    println!("the copy of the demo took {took:?}: {said}");
    let counts = sqlite_counts(&sqlite_url).await;
    let rows: i64 = counts.values().sum();
    assert!(
        said.starts_with("Gekopieerd en gecontroleerd in ")
            && said.contains(&format!("{} tabellen met samen ", counts.len()))
            && said.contains("19 canvassen in PostgreSQL gelijk aan SQLite."),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "samen {} rijen",
            doorbraak::format::thousands(rows as u64)
        )),
        "{said}"
    );
    editor.close().await;
    server.kill().await.expect("kill");

    // Table by table, as many rows; the snapshot, its log's tail and the search index came along.
    assert_eq!(postgres_counts(&target.url).await, counts);
    assert!(
        counts["canvas_snapshots"] >= 1 && counts["archive_search"] == 12,
        "{counts:?}"
    );
    assert!(counts.len() > 30 && rows > 250, "{counts:?}");
    let leftovers: Vec<String> = std::fs::read_dir(folder.path())
        .expect("folder")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.contains("kopie"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "the snapshot is removed: {leftovers:?}"
    );

    // A server on the copy.
    let (mut copy, address) = start_binary(&target.url, &[]).await;
    let copied_http =
        reqwest_lite::Client::new(address.parse().expect("address")).with_token(&token);
    let (status, copied_canvas) = copied_http
        .get(&format!("/api/canvases/{DEMO_CANVAS_ID}"))
        .await;
    assert_eq!(status, 200, "{copied_canvas}");
    assert_eq!(copied_canvas, canvas);
    assert_eq!(archive_hits(&copied_http, "scooters").await, hits);
    assert_eq!(archive_hits(&copied_http, "kinderen").await, other_hits);
    assert!(!hits.is_empty() && !other_hits.is_empty());
    let anonymous = reqwest_lite::Client::new(address.parse().expect("address"));
    sign_in(&anonymous, "aanjager@demo.doorbraak.nl").await;
    let (status, _, page) = anonymous
        .clone()
        .with_header("Cookie", &coach_session)
        .page("/coach")
        .await;
    assert_eq!(status, 200, "the coach's session came along: {page}");
    assert!(page.contains("Demo: Casus C-2"));
    // New rows take ids after the copied ones.
    let db = doorbraak::store::open(&target.url).await.expect("open");
    doorbraak::accounts::create_token(db.as_ref(), "pmm@demo.doorbraak.nl", "na de kopie", 90)
        .await
        .expect("a token on the copy gets a fresh id");
    copy.kill().await.expect("kill");
}

/// A target with a row anywhere is refused before anything changes in it: a Doorbraak
/// database in use, and a database of another application (whose tables the migrations would
/// otherwise join).
#[tokio::test]
async fn copy_refuses_a_target_that_is_not_empty_and_changes_nothing() {
    use crate::helpers::*;
    let folder = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite://{}/doorbraak.db", folder.path().display());
    seed_people(&sqlite_url).await;

    let in_use = TestPostgres::new().await;
    {
        let db = doorbraak::store::open(&in_use.url).await.expect("migrate");
        db.create_province("Utrecht").await.expect("a province");
    }
    let before = postgres_counts(&in_use.url).await;
    let refused = doorbraak(&["copy", "--from", &sqlite_url, "--to", &in_use.url], "");
    assert!(!refused.status.success());
    assert_eq!(
        text(&refused.stderr).trim_end(),
        "Fout: kopiëren mislukt: de PostgreSQL-database is niet leeg (provinces: 1 rij); \
         doorbraak copy kopieert alleen naar een lege database. Er is niets veranderd."
    );
    assert!(refused.stdout.is_empty());
    assert_eq!(postgres_counts(&in_use.url).await, before);
    assert_eq!(before.values().sum::<i64>(), 1);

    let foreign = TestPostgres::new().await;
    let pool = sqlx::PgPool::connect(&foreign.url).await.expect("open");
    sqlx::query("CREATE TABLE notities (tekst TEXT)")
        .execute(&pool)
        .await
        .expect("table");
    sqlx::query("INSERT INTO notities VALUES ('van een andere toepassing')")
        .execute(&pool)
        .await
        .expect("row");
    let refused = doorbraak(&["copy", "--from", &sqlite_url, "--to", &foreign.url], "");
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("niet leeg (notities: 1 rij)"),
        "{}",
        text(&refused.stderr)
    );
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
            .fetch_all(&pool)
            .await
            .expect("tables");
    assert_eq!(tables, ["notities"], "no migration ran");
    pool.close().await;
    let files: Vec<String> = std::fs::read_dir(folder.path())
        .expect("folder")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.contains("kopie"))
        .collect();
    assert!(files.is_empty(), "{files:?}");
}

/// A target a server is serving is refused (the server could write meanwhile), and a copy that
/// fails halfway, on a value PostgreSQL cannot store in the last table it fills, leaves the
/// target empty: it is one transaction.
#[tokio::test]
async fn copy_refuses_a_served_target_and_a_failure_halfway_leaves_the_target_empty() {
    use crate::helpers::*;
    let folder = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite://{}/doorbraak.db", folder.path().display());
    {
        let db = doorbraak::store::open(&sqlite_url).await.expect("open");
        doorbraak::demo::seed(db.as_ref()).await.expect("demo");
    }

    let served = TestPostgres::new().await;
    let (mut server, _) = start_binary(&served.url, &[]).await;
    let refused = doorbraak(&["copy", "--from", &sqlite_url, "--to", &served.url], "");
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr)
            .contains("er draait een Doorbraak-server op de PostgreSQL-database; stop die eerst."),
        "{}",
        text(&refused.stderr)
    );
    server.kill().await.expect("kill");
    assert!(postgres_counts(&served.url).await.values().all(|n| *n == 0));

    // A NUL in the verslag of an overleg: SQLite stores it, PostgreSQL's text cannot.
    let pool = sqlx::SqlitePool::connect(&sqlite_url).await.expect("open");
    sqlx::query("UPDATE minutes SET content = content || char(0)")
        .execute(&pool)
        .await
        .expect("a NUL");
    pool.close().await;
    let target = TestPostgres::new().await;
    let failed = doorbraak(&["copy", "--from", &sqlite_url, "--to", &target.url], "");
    assert!(!failed.status.success());
    let said = text(&failed.stderr);
    assert!(
        said.contains("tabel minutes, kolom content: de tekst bevat een NUL-teken")
            && said.contains("de PostgreSQL-database is leeg gebleven"),
        "{said}"
    );
    let counts = postgres_counts(&target.url).await;
    assert!(counts.len() > 30, "migrated: {counts:?}");
    assert!(
        counts.values().all(|n| *n == 0),
        "nothing of the tables before minutes stayed: {counts:?}"
    );
}

/// `--from` must be SQLite, `--to` PostgreSQL, and the SQLite file must exist (opening a
/// SQLite URL would create it empty).
#[tokio::test]
async fn copy_refuses_urls_of_the_wrong_kind_and_a_missing_source() {
    let folder = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}/doorbraak.db", folder.path().display());
    let missing = format!("sqlite://{}/getypt.db", folder.path().display());
    let postgres = crate::helpers::postgres_server_url();
    for (from, to, said) in [
        (
            sqlite.as_str(),
            sqlite.as_str(),
            "Fout: kopiëren mislukt: --to moet een PostgreSQL-database zijn \
             (postgres://GEBRUIKER@HOST:POORT/DATABASE)",
        ),
        (
            postgres.as_str(),
            postgres.as_str(),
            "Fout: kopiëren mislukt: --from moet een SQLite-database zijn (sqlite://PAD)",
        ),
        (
            missing.as_str(),
            postgres.as_str(),
            &format!(
                "Fout: kopiëren mislukt: de SQLite-database {}/getypt.db bestaat niet",
                folder.path().display()
            ),
        ),
    ] {
        let refused = doorbraak(&["copy", "--from", from, "--to", to], "");
        assert!(!refused.status.success(), "{from} → {to}");
        assert_eq!(text(&refused.stderr).trim_end(), said);
    }
    let files: Vec<_> = std::fs::read_dir(folder.path()).expect("folder").collect();
    assert!(files.is_empty(), "no database was created: {files:?}");
}
