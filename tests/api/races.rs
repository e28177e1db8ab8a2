//! What SQLite's single writer keeps, kept on PostgreSQL without one (issue 14): the races of
//! `server/store/postgres/locks.rs`, run against the real PostgreSQL of the test command over
//! parallel connections (or two stores on one database, as two processes have). Where one
//! writer must wait for another, the test sees it wait (in `pg_stat_activity`) before it lets
//! the other commit, so the order is the one the race is about, not the one the scheduler
//! happened to pick.

use std::sync::Arc;

use doorbraak::{
    canvas::{CanvasId, schema, status::CanvasStatus},
    ids::AccountId,
    store::{
        self, CanvasOwner, Database, StoreError,
        comments::{ARCHIVED_CANVAS, NewComment},
        meeting_records::NewAction,
        meetings::{NewAgendaItem, NewMeeting, Schedule},
        workflow::{EntryOutcome, NewLedgerEntry},
    },
    workflow::ledger::Kind,
};

use crate::helpers::*;

/// A store on a fresh PostgreSQL database, a pool to look at it directly, and a canvas.
async fn on_postgres(
    database: &TestPostgres,
) -> (Arc<dyn Database>, sqlx::PgPool, CanvasOwner, CanvasId) {
    let store = store::open(&database.url).await.expect("open");
    let pool = sqlx::PgPool::connect(&database.url).await.expect("pool");
    let owner = canvas_owner(store.as_ref()).await;
    let id = CanvasId::random();
    store
        .create_canvas(&id, "Casus R-1", owner, &schema::initialize(), &[])
        .await
        .expect("create");
    (store, pool, owner, id)
}

/// Waits until a connection of this database waits for a lock.
async fn someone_waits_for_a_lock(pool: &sqlx::PgPool) {
    eventually("a writer to wait for the lock", || async {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock'",
        )
        .fetch_one(pool)
        .await
        .expect("activity");
        waiting > 0
    })
    .await;
}

/// Lets `held` commit once `other` visibly waits for it, and returns what `other` then did.
async fn after_waiting_for<T>(
    pool: &sqlx::PgPool,
    held: Box<dyn store::Transaction>,
    other: tokio::task::JoinHandle<T>,
) -> T {
    someone_waits_for_a_lock(pool).await;
    held.commit().await.expect("commit");
    within("the writer that waited", other).await.expect("task")
}

/// An archiving of the canvas, in progress: its status changed, not committed.
async fn archiving(
    store: &dyn Database,
    canvas: &CanvasId,
    by: AccountId,
) -> Box<dyn store::Transaction> {
    let tx = store.begin().await.expect("begin");
    let (from, to) = (CanvasStatus::Concept, CanvasStatus::Gearchiveerd);
    let changed = tx.change_status(canvas, from, to, by, "", 1).await;
    assert!(changed.expect("archive"));
    tx
}

/// A budget of € 1.000 for the team's 2026.
async fn with_budget(store: &dyn Database, owner: CanvasOwner) {
    let set = store.set_budget(owner.team, 2026, 100_000, owner.brought_in_by, None);
    assert!(set.await.expect("budget"));
}

/// Closes the canvas (without a doorbraak), so that the retention purge may take it.
async fn close_without_breakthrough(pool: &sqlx::PgPool, canvas: &CanvasId) {
    sqlx::query("UPDATE canvases SET status = 'afgesloten_zonder_doorbraak' WHERE id = $1")
        .bind(canvas.as_str())
        .execute(pool)
        .await
        .expect("close");
}

async fn count(pool: &sqlx::PgPool, sql: &str, canvas: &CanvasId) -> i64 {
    sqlx::query_scalar(sql)
        .bind(canvas.as_str())
        .fetch_one(pool)
        .await
        .expect("count")
}

fn comment(canvas: &CanvasId, author: AccountId) -> NewComment {
    NewComment {
        canvas: canvas.clone(),
        thread: None,
        field: "situation".into(),
        anchor: String::new(),
        body: "Een vraag".into(),
        author,
        at: 1,
    }
}

fn entry(
    owner: CanvasOwner,
    canvas: &CanvasId,
    cents: i64,
    corrects: Option<i64>,
) -> NewLedgerEntry {
    NewLedgerEntry {
        team: owner.team,
        year: 2026,
        canvas: canvas.clone(),
        kind: Kind::Spent,
        amount_cents: cents,
        purpose: "Huur".into(),
        why_not_regular: "Geen regeling".into(),
        approved_by: "Anne".into(),
        entry_date: "2026-11-20".into(),
        corrects: corrects.map(doorbraak::ids::EntryId),
        confirm_over_budget: false,
        by: owner.brought_in_by,
    }
}

#[tokio::test]
async fn a_comment_waits_for_an_archiving_in_progress_and_is_then_refused() {
    let database = TestPostgres::new().await;
    let (store, pool, owner, id) = on_postgres(&database).await;
    let by = owner.brought_in_by;
    let archiving = archiving(store.as_ref(), &id, by).await;
    archiving.delete_comments(&id).await.expect("delete");
    let commenter = {
        let (store, comment) = (store.clone(), comment(&id, by));
        tokio::spawn(async move { store.add_comment(&comment).await })
    };
    let added = after_waiting_for(&pool, archiving, commenter).await;
    assert!(
        matches!(added, Err(StoreError::Inconsistent(ARCHIVED_CANVAS))),
        "{added:?}"
    );
    let sql = "SELECT COUNT(*) FROM comments WHERE canvas_id = $1";
    assert_eq!(
        count(&pool, sql, &id).await,
        0,
        "no comment on the archived canvas"
    );
}

#[tokio::test]
async fn a_booking_waits_for_an_archiving_in_progress_and_is_then_refused() {
    let database = TestPostgres::new().await;
    let (store, pool, owner, id) = on_postgres(&database).await;
    with_budget(store.as_ref(), owner).await;
    let archiving = archiving(store.as_ref(), &id, owner.brought_in_by).await;
    let booker = {
        let (store, entry) = (store.clone(), entry(owner, &id, 10_000, None));
        tokio::spawn(async move { store.add_entry(&entry).await })
    };
    let booked = after_waiting_for(&pool, archiving, booker).await;
    assert!(matches!(booked, Ok(EntryOutcome::Archived)), "{booked:?}");
    let sql = "SELECT COUNT(*) FROM budget_entries WHERE canvas_id = $1";
    assert_eq!(
        count(&pool, sql, &id).await,
        0,
        "nothing booked on the archived canvas"
    );
}

#[tokio::test]
async fn a_purge_waits_for_a_comment_in_progress_and_then_removes_it() {
    let database = TestPostgres::new().await;
    let (store, pool, owner, id) = on_postgres(&database).await;
    close_without_breakthrough(&pool, &id).await;
    let commenting = store.begin().await.expect("begin");
    commenting
        .add_comment(&comment(&id, owner.brought_in_by))
        .await
        .expect("comment");
    let purge = {
        let (store, id) = (store.clone(), id.clone());
        tokio::spawn(async move { store.purge_canvas(&id, 2).await })
    };
    let purged = after_waiting_for(&pool, commenting, purge).await;
    assert!(purged.expect("purge"), "purged");
    let sql = "SELECT COUNT(*) FROM comments WHERE canvas_id = $1";
    assert_eq!(
        count(&pool, sql, &id).await,
        0,
        "the comment went with the purge"
    );
    // And one after it is refused.
    let late = store.add_comment(&comment(&id, owner.brought_in_by)).await;
    assert!(matches!(late, Err(StoreError::Inconsistent(_))), "{late:?}");
}

/// Two corrections of one entry that each fit what is left of it alone, but not together: the
/// second waits for the first and then finds too little left.
#[tokio::test]
async fn a_correction_waits_for_another_of_the_same_entry_and_sees_what_is_left() {
    let database = TestPostgres::new().await;
    let (store, pool, owner, id) = on_postgres(&database).await;
    with_budget(store.as_ref(), owner).await;
    let booked = store.add_entry(&entry(owner, &id, 30_000, None)).await;
    let Ok(EntryOutcome::Added(original)) = booked else {
        panic!("the entry fits the budget: {booked:?}");
    };
    let first = store.begin().await.expect("begin");
    let correction = entry(owner, &id, -20_000, Some(original.0));
    let corrected = first.add_entry(&correction).await.expect("correct");
    assert!(matches!(corrected, EntryOutcome::Added(_)), "{corrected:?}");
    let second = {
        let store = store.clone();
        tokio::spawn(async move { store.add_entry(&correction).await })
    };
    let refused = after_waiting_for(&pool, first, second).await;
    assert!(
        matches!(refused, Ok(EntryOutcome::OverCorrection(10_000))),
        "{refused:?}"
    );
}

/// Two bookings that each fit the budget alone, but not together: the second waits for the
/// first and then finds too little left.
#[tokio::test]
async fn a_booking_waits_for_another_on_the_same_budget_and_sees_what_is_left() {
    let database = TestPostgres::new().await;
    let (store, pool, owner, id) = on_postgres(&database).await;
    with_budget(store.as_ref(), owner).await;
    let first = store.begin().await.expect("begin");
    let booking = entry(owner, &id, 60_000, None);
    let booked = first.add_entry(&booking).await.expect("book");
    assert!(matches!(booked, EntryOutcome::Added(_)), "{booked:?}");
    let second = {
        let store = store.clone();
        tokio::spawn(async move { store.add_entry(&booking).await })
    };
    let refused = after_waiting_for(&pool, first, second).await;
    assert!(
        matches!(refused, Ok(EntryOutcome::OverBudget(40_000))),
        "{refused:?}"
    );
}

async fn meeting(store: &dyn Database, owner: CanvasOwner) -> doorbraak::ids::MeetingId {
    store
        .create_meeting(&NewMeeting {
            uid: uuid::Uuid::new_v4().to_string(),
            team: owner.team,
            schedule: Schedule {
                starts_at: 1_800_000_000_000,
                duration_minutes: 90,
                place: "Stadhuis".into(),
                video_link: String::new(),
                chair: owner.brought_in_by,
            },
            series: None,
            by: owner.brought_in_by,
            at: 1,
        })
        .await
        .expect("meeting")
}

#[tokio::test]
async fn twenty_agenda_items_added_at_once_take_twenty_positions() {
    let database = TestPostgres::new().await;
    let (store, pool, owner, _) = on_postgres(&database).await;
    let meeting = meeting(store.as_ref(), owner).await;
    futures_util::future::join_all((0..20).map(|n| {
        let store = store.clone();
        async move {
            let item = NewAgendaItem {
                canvas: None,
                topic: format!("Onderwerp {n}"),
                brought_by: String::new(),
                timebox_minutes: 10,
            };
            store.add_agenda_item(meeting, &item).await.expect("add")
        }
    }))
    .await;
    let positions: Vec<i64> = sqlx::query_scalar(
        "SELECT position FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(meeting)
    .fetch_all(&pool)
    .await
    .expect("positions");
    assert_eq!(positions, (1..=20).collect::<Vec<_>>());
}

/// Two processes telling whose actiepunten are due at the same moment: each is told once. The
/// second waits for the first's marks and then finds them told.
#[tokio::test]
async fn two_processes_taking_the_due_actions_at_once_take_each_once() {
    let database = TestPostgres::new().await;
    let (a, pool, owner, _) = on_postgres(&database).await;
    let b = store::open(&database.url).await.expect("open");
    let meeting = meeting(a.as_ref(), owner).await;
    let item = NewAgendaItem {
        canvas: None,
        topic: "Actiepunten".into(),
        brought_by: String::new(),
        timebox_minutes: 10,
    };
    let item = a.add_agenda_item(meeting, &item).await.expect("item");
    for n in 0..3 {
        a.add_action(&NewAction {
            meeting,
            item,
            canvas: None,
            what: format!("Bellen {n}"),
            owner: owner.brought_in_by,
            due_on: "2026-11-01".into(),
            by: owner.brought_in_by,
            at: 1,
        })
        .await
        .expect("action");
    }
    let first = a.begin().await.expect("begin");
    let told = first.take_due_actions("2026-12-01").await.expect("take");
    assert_eq!(told.len(), 3);
    let second = tokio::spawn(async move { b.take_due_actions("2026-12-01").await });
    let again = after_waiting_for(&pool, first, second).await.expect("take");
    assert!(again.is_empty(), "told twice: {again:?}");
}

/// An inviter who reads the team's open invitations while another's invitation of the team is
/// being made waits for it, and then has it in the list ("one open invitation per person").
#[tokio::test]
async fn the_open_invitations_of_a_team_wait_for_one_being_made() {
    use doorbraak::{access::policy::TeamRole, auth::links, store::invitations::InvitationKind};
    let database = TestPostgres::new().await;
    let (store, pool, owner, _) = on_postgres(&database).await;
    let kind = InvitationKind::Team(owner.team, TeamRole::Teamlid);
    let valid = std::time::Duration::from_secs(3600);
    let (_, invitation) = links::new_link(kind, "nieuw@gemeente.nl", owner.brought_in_by, valid);
    // Any moment before the link expires.
    let now = 1_000;
    let first = store.begin().await.expect("begin");
    assert!(
        first
            .open_invitations(Some(owner.team), now)
            .await
            .expect("list")
            .is_empty()
    );
    first.create_invitation(&invitation).await.expect("invite");
    let second = {
        let store = store.clone();
        tokio::spawn(async move {
            let tx = store.begin().await.expect("begin");
            tx.open_invitations(Some(owner.team), now).await
        })
    };
    let open = after_waiting_for(&pool, first, second).await;
    let open = open.expect("list");
    assert_eq!(open.len(), 1, "the first's invitation is open");
}

/// A link used while its maker is being demoted waits for the demotion, and then grants
/// nothing: its maker is no aanjager any more.
#[tokio::test]
async fn a_link_used_while_its_maker_is_demoted_waits_and_then_grants_nothing() {
    use doorbraak::{
        access::policy::TeamRole,
        auth::links,
        store::{invitations::InvitationKind, organisation::MemberChange},
    };
    let database = TestPostgres::new().await;
    let (store, pool, owner, _) = on_postgres(&database).await;
    // A second aanjager, so that the maker may be demoted.
    let other = store
        .create_account("tweede@gemeente.nl", "", None, false)
        .await
        .expect("account");
    store
        .set_membership(owner.team, other.id, TeamRole::Aanjager)
        .await
        .expect("aanjager");
    let kind = InvitationKind::Team(owner.team, TeamRole::Teamlid);
    let valid = std::time::Duration::from_secs(3600);
    let (_, invitation) = links::new_link(kind, "nieuw@gemeente.nl", owner.brought_in_by, valid);
    store.create_invitation(&invitation).await.expect("invite");
    let demoting = store.begin().await.expect("begin");
    let demoted = demoting
        .change_member(owner.team, owner.brought_in_by, Some(TeamRole::Teamlid))
        .await
        .expect("demote");
    assert!(matches!(demoted, MemberChange::Done));
    let accepting = {
        let (store, invitation) = (store.clone(), invitation.clone());
        tokio::spawn(async move {
            let tx = store.begin().await.expect("begin");
            let now = invitation.created_at + 1;
            assert!(
                tx.use_invitation(&invitation.token_hash, now)
                    .await
                    .expect("use")
            );
            links::inviter_may_still_grant(tx.as_ref(), &invitation).await
        })
    };
    let grants = after_waiting_for(&pool, demoting, accepting).await;
    assert!(
        !grants.expect("asked"),
        "a demoted aanjager's link grants nothing"
    );
}

/// A purge that meets a compaction in progress waits for it, and then deletes its snapshot too:
/// nothing of the canvas's content stays behind.
#[tokio::test]
async fn a_purge_waits_for_a_compaction_in_progress_and_takes_its_snapshot_along() {
    let database = TestPostgres::new().await;
    let (store, pool, _, id) = on_postgres(&database).await;
    close_without_breakthrough(&pool, &id).await;
    // A compaction as another process runs it: its lock, then its snapshot, not yet committed.
    let mut compaction = pool.begin().await.expect("begin");
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind(store::postgres::COMPACTION_LOCKS)
        .bind(id.as_str())
        .execute(&mut *compaction)
        .await
        .expect("compaction lock");
    sqlx::query("INSERT INTO canvas_snapshots (canvas_id, state, upto_seq) VALUES ($1, $2, 1)")
        .bind(id.as_str())
        .bind(schema::initialize())
        .execute(&mut *compaction)
        .await
        .expect("snapshot");
    let purge = {
        let (store, id) = (store.clone(), id.clone());
        tokio::spawn(async move { store.purge_canvas(&id, 2).await })
    };
    someone_waits_for_a_lock(&pool).await;
    compaction.commit().await.expect("commit");
    let purged = within("the purge", purge).await.expect("task");
    assert!(purged.expect("purge"), "purged");
    let sql = "SELECT COUNT(*) FROM canvas_snapshots WHERE canvas_id = $1";
    assert_eq!(
        count(&pool, sql, &id).await,
        0,
        "the snapshot went with the purge"
    );
}

/// A sign-in attempt for an address waits while another process runs one for it (the turn the
/// test holds here, as that process would), and is counted only after it: the lockout's count
/// is read and written by one attempt at a time across the processes.
#[tokio::test]
async fn a_sign_in_waits_for_another_processs_attempt_at_the_same_address() {
    let (a, _b) = TestApp::pair_on_postgres().await;
    let email = a.people.projectleider.email.clone();
    let elsewhere = store::open(&a.database_url).await.expect("open");
    let turn = elsewhere.sign_in_turn(&email).await.expect("turn");
    let attempt = {
        let (client, wrong) = (
            a.anonymous(),
            form(&[("email", &email), ("password", "niet het wachtwoord")]),
        );
        tokio::spawn(async move { client.post_form("/inloggen", &wrong).await.0 })
    };
    let pool = sqlx::PgPool::connect(&a.database_url).await.expect("pool");
    someone_waits_for_a_lock(&pool).await;
    let failures = || async {
        sqlx::query_scalar::<_, i64>("SELECT failures FROM sign_in_failures WHERE email = $1")
            .bind(&email)
            .fetch_optional(&pool)
            .await
            .expect("count")
    };
    assert_eq!(failures().await, None, "nothing counted while it waits");
    drop(turn);
    assert_eq!(within("the attempt", attempt).await.expect("task"), 401);
    assert_eq!(failures().await, Some(1));
}

/// A rename that meets an archiving in progress waits for it, and is then refused: the label of
/// an archived canvas stays what the archive has.
#[tokio::test]
async fn a_rename_waits_for_an_archiving_in_progress_and_is_then_refused() {
    let database = TestPostgres::new().await;
    let (store, pool, owner, id) = on_postgres(&database).await;
    let archiving = archiving(store.as_ref(), &id, owner.brought_in_by).await;
    let rename = {
        let (store, id) = (store.clone(), id.clone());
        tokio::spawn(async move { store.rename_canvas(&id, "Casus R-2").await })
    };
    let renamed = after_waiting_for(&pool, archiving, rename).await;
    assert!(!renamed.expect("rename"), "refused");
    let label = store.canvas_label(&id).await.expect("label");
    assert_eq!(label.as_deref(), Some("Casus R-1"));
}
