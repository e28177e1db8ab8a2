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
