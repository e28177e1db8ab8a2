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
    let folder = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/doorbraak.db", folder.path().display());
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
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open");
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
