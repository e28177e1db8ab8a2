//! Invitations, roles, tokens and the audit log, through the pages people use; and that taking
//! access away closes open connections at once.

use doorbraak::ids::{AccountId, TeamId};

use crate::helpers::*;

/// The one-time link shown on a page after making an invitation or reset link.
fn link_on(page: &str, id: &str) -> String {
    let start = page
        .find(&format!("<code id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no {id} on the page: {page}"));
    let rest = &page[start + id.len() + 12..];
    let url = &rest[..rest.find("</code>").expect("end")];
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|slash| rest[slash..].to_owned()))
        .expect("a link")
}

#[tokio::test]
async fn an_invitation_makes_a_member_once() {
    let app = TestApp::spawn().await;
    let aanjager = app.sign_in(&app.people.aanjager.email, PASSWORD).await;
    let team = app.people.team;
    let (status, _, page) = aanjager
        .http
        .post_form(
            &format!("/teams/{team}/uitnodigingen"),
            &form(&[
                ("email", "Nieuw@Gemeente.nl"),
                ("role", "teamlid"),
                ("csrf", &aanjager.csrf),
            ]),
        )
        .await;
    assert_eq!(status, 200);
    let link = link_on(&page, "invitation-link");
    assert!(link.starts_with("/uitnodiging/"));

    let stranger = app.anonymous();
    let (status, _, invitation) = stranger.page(&link).await;
    assert_eq!(status, 200);
    assert!(invitation.contains("nieuw@gemeente.nl") && invitation.contains("teamlid"));
    let (status, _, refused) = stranger
        .post_form(&link, &form(&[("name", "Nieuw"), ("password", "kort")]))
        .await;
    assert_eq!(status, 422, "a short password is refused and the link kept");
    assert!(refused.contains("minstens 12 tekens"));
    let (status, head, _) = stranger
        .post_form(
            &link,
            &form(&[("name", "Nieuw"), ("password", "een goed wachtwoord")]),
        )
        .await;
    assert_eq!(status, 303);
    assert!(
        head.contains("set-cookie: doorbraak_sessie="),
        "signed in: {head}"
    );
    let (status, _, page) = stranger
        .post_form(
            &link,
            &form(&[("name", "Nog eens"), ("password", "een goed wachtwoord")]),
        )
        .await;
    assert_eq!(status, 404, "used once");
    assert!(page.contains("ongeldig, al gebruikt of verlopen"));

    let member = app
        .sign_in("nieuw@gemeente.nl", "een goed wachtwoord")
        .await;
    let id = app.create_canvas("Casus U").await;
    let (status, _) = member.http.get(&format!("/api/canvases/{id}")).await;
    assert_eq!(status, 200, "a member of the team now");
    let events: Vec<String> = audit_events(&app).await.into_iter().map(|e| e.0).collect();
    assert!(
        events.contains(&"invited".to_owned())
            && events.contains(&"invitation_accepted".to_owned())
    );
}

#[tokio::test]
async fn an_expired_invitation_does_nothing() {
    let app = TestApp::spawn().await;
    let aanjager = app.sign_in(&app.people.aanjager.email, PASSWORD).await;
    let (_, _, page) = aanjager
        .http
        .post_form(
            &format!("/teams/{}/uitnodigingen", app.people.team),
            &form(&[
                ("email", "laat@gemeente.nl"),
                ("role", "teamlid"),
                ("csrf", &aanjager.csrf),
            ]),
        )
        .await;
    let link = link_on(&page, "invitation-link");
    sqlx::query(&sql("UPDATE invitations SET expires_at = 0"))
        .execute(&app.db().await)
        .await
        .expect("expire");
    let (status, _, _) = app.anonymous().page(&link).await;
    assert_eq!(status, 404);
    let (status, _, _) = app
        .anonymous()
        .post_form(
            &link,
            &form(&[("name", "Laat"), ("password", "een goed wachtwoord")]),
        )
        .await;
    assert_eq!(status, 404);
    let (count,): (i64,) = sqlx::query_as(&sql(
        "SELECT COUNT(*) FROM accounts WHERE email = 'laat@gemeente.nl'",
    ))
    .fetch_one(&app.db().await)
    .await
    .expect("count");
    assert_eq!(count, 0);
}

#[tokio::test]
async fn only_the_aanjager_manages_the_team() {
    let app = TestApp::spawn().await;
    let team = app.people.team;
    let teamlid = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let (status, _, page) = teamlid.http.page(&format!("/teams/{team}")).await;
    assert_eq!(status, 200, "members see their team");
    assert!(!page.contains("Uitnodiging maken"));
    let (status, _, _) = teamlid
        .http
        .post_form(
            &format!("/teams/{team}/uitnodigingen"),
            &form(&[
                ("email", "x@gemeente.nl"),
                ("role", "aanjager"),
                ("csrf", &teamlid.csrf),
            ]),
        )
        .await;
    assert_eq!(status, 403);
    let other = app.sign_in(&app.people.other_member.email, PASSWORD).await;
    let (status, _, _) = other.http.page(&format!("/teams/{team}")).await;
    assert_eq!(status, 404, "another team's page does not exist for them");
}

#[tokio::test]
async fn removing_a_member_closes_their_connections_at_once() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus V").await;
    let teamlid = &app.people.teamlid;
    let mut connection = Client::connect(&app.ws_url_as(teamlid, &id, "")).await;
    let aanjager = app.sign_in(&app.people.aanjager.email, PASSWORD).await;
    let (status, _, _) = aanjager
        .http
        .post_form(
            &format!(
                "/teams/{}/leden/{}/verwijderen",
                app.people.team, teamlid.id
            ),
            &form(&[("csrf", &aanjager.csrf)]),
        )
        .await;
    assert_eq!(status, 303);
    let (code, reason) = connection.closed_with().await;
    assert_eq!(code, 1008, "{reason}");
    assert_eq!(upgrade_status(&app.ws_url_as(teamlid, &id, "")).await, 404);
    assert!(
        audit_events(&app)
            .await
            .iter()
            .any(|e| e.0 == "member_removed" && e.2.contains(&teamlid.email))
    );
}

#[tokio::test]
async fn a_role_change_is_audited_and_the_last_aanjager_stays() {
    let app = TestApp::spawn().await;
    let (team, people) = (app.people.team, &app.people);
    let aanjager = app.sign_in(&people.aanjager.email, PASSWORD).await;
    let change = |who: i64, role: &str| {
        (
            format!("/teams/{team}/leden/{who}/rol"),
            form(&[("role", role), ("csrf", &aanjager.csrf)]),
        )
    };
    let (path, body) = change(people.teamlid.id, "projectleider");
    let (status, _, _) = aanjager.http.post_form(&path, &body).await;
    assert_eq!(status, 303);
    // A beheerder (the aanjager cannot change their own role) demoting the only aanjager.
    let beheerder = app.sign_in(&people.beheerder.email, PASSWORD).await;
    let (status, _, page) = beheerder
        .http
        .post_form(
            &format!("/teams/{team}/leden/{}/rol", people.aanjager.id),
            &form(&[("role", "teamlid"), ("csrf", &beheerder.csrf)]),
        )
        .await;
    assert_eq!(status, 422, "a team keeps an aanjager");
    assert!(page.contains("minstens één aanjager"));
    let changes: Vec<String> = audit_events(&app)
        .await
        .into_iter()
        .filter(|e| e.0 == "role_changed")
        .map(|e| e.2)
        .collect();
    assert_eq!(
        changes,
        [format!("{}: teamlid → projectleider", people.teamlid.email)]
    );
}

#[tokio::test]
async fn revoking_a_token_closes_its_connections_and_it_stops_working() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus T").await;
    let session = app.sign_in(&app.people.aanjager.email, PASSWORD).await;
    let (status, _, page) = session
        .http
        .post_form(
            "/tokens",
            &form(&[("name", "script"), ("csrf", &session.csrf)]),
        )
        .await;
    assert_eq!(status, 200);
    let token = link_on_code(&page, "new-token");
    let url = ws_url(&app.address.to_string(), &token, &id, "");
    let mut connection = Client::connect(&url).await;
    let by_token = app.anonymous().with_token(&token);
    assert_eq!(by_token.get("/api/canvases").await.0, 200);

    let (_, _, tokens) = session.http.page("/tokens").await;
    let revoke = tokens
        .split("action=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with("/intrekken"))
        .expect("the newest token's revoke form, listed first")
        .to_owned();
    let (status, _, _) = session
        .http
        .post_form(&revoke, &form(&[("csrf", &session.csrf)]))
        .await;
    assert_eq!(status, 303);
    let (code, _) = connection.closed_with().await;
    assert_eq!(code, 1008);
    assert_eq!(by_token.get("/api/canvases").await.0, 401);
    assert_eq!(upgrade_status(&url).await, 401);
    let events: Vec<String> = audit_events(&app).await.into_iter().map(|e| e.0).collect();
    assert!(
        events.contains(&"token_created".to_owned())
            && events.contains(&"token_revoked".to_owned())
    );
}

/// The text of `<code id="...">` on a page.
fn link_on_code(page: &str, id: &str) -> String {
    let marker = format!("<code id=\"{id}\">");
    let start = page.find(&marker).expect("code") + marker.len();
    page[start..page[start..].find("</code>").expect("end") + start].to_owned()
}

#[tokio::test]
async fn aanjagers_read_their_teams_log_and_beheerders_everything() {
    let app = TestApp::spawn().await;
    app.create_canvas("Casus L").await;
    let other = app.as_person(&app.people.other_member);
    let (status, _) = other
        .post_json(
            "/api/canvases",
            &serde_json::json!({ "label": "Casus Elders" }),
        )
        .await;
    assert_eq!(status, 201);

    let aanjager = app.sign_in(&app.people.aanjager.email, PASSWORD).await;
    let (status, _, page) = aanjager.http.page("/audit").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Team Arnhem") && !page.contains("Team Ede"),
        "{page}"
    );
    let (status, head, csv) = aanjager
        .http
        .request_full("GET", "/audit.csv", "text/csv", None)
        .await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/csv"));
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(
        csv.starts_with("\u{feff}id;tijdstip;tijdstip_utc_ms;account;team;canvas;gebeurtenis"),
        "UTF-8 with a byte-order mark, then the header: {}",
        &csv[..80.min(csv.len())]
    );
    assert!(csv.contains("canvas_created") && !csv.contains("Team Ede"));

    let teamlid = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    assert_eq!(teamlid.http.page("/audit").await.0, 403);
    let beheerder = app.sign_in(&app.people.beheerder.email, PASSWORD).await;
    let (_, _, all) = beheerder.http.page("/audit").await;
    assert!(all.contains("Team Arnhem") && all.contains("Team Ede"));
    assert!(
        audit_events(&app)
            .await
            .iter()
            .any(|e| e.0 == "exported" && e.2.contains("CSV"))
    );
}

#[tokio::test]
async fn a_beheerder_sets_up_a_region_and_invites_a_coach() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(&app.people.beheerder.email, PASSWORD).await;
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let http = admin.http.clone();
        let mut fields = fields;
        fields.push(("csrf", admin.csrf.clone()));
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            http.post_form(path, &form(&pairs)).await
        }
    };
    let (status, _, page) = post("/beheer/provincies", vec![("name", "Drenthe".into())]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Provincie toegevoegd."));
    let (_, _, page) = post("/beheer/provincies", vec![("name", "Drenthe".into())]).await;
    assert!(page.contains("Provincie bestaat al."));
    let db = app.db().await;
    let (drenthe,): (i64,) =
        sqlx::query_as(&sql("SELECT id FROM provinces WHERE name = 'Drenthe'"))
            .fetch_one(&db)
            .await
            .expect("province");
    let (_, _, page) = post(
        "/beheer/gemeenten",
        vec![("name", "Assen".into()), ("province", drenthe.to_string())],
    )
    .await;
    assert!(page.contains("Gemeente toegevoegd."), "{page}");
    let (_, _, page) = post(
        "/beheer/uitnodigingen",
        vec![
            ("email", "coach@drenthe.nl".into()),
            ("kind", "coach".into()),
            ("province", drenthe.to_string()),
        ],
    )
    .await;
    let link = link_on(&page, "admin-link");
    let (status, _, _) = app
        .anonymous()
        .post_form(
            &link,
            &form(&[
                ("name", "Coach Drenthe"),
                ("password", "een goed wachtwoord"),
            ]),
        )
        .await;
    assert_eq!(status, 303);
    let (province,): (Option<i64>,) = sqlx::query_as(&sql(
        "SELECT coach_province_id FROM accounts WHERE email = 'coach@drenthe.nl'",
    ))
    .fetch_one(&db)
    .await
    .expect("coach");
    assert_eq!(province, Some(drenthe));
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_and_ends_sessions() {
    let app = TestApp::spawn().await;
    let teamlid = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let admin = app.sign_in(&app.people.beheerder.email, PASSWORD).await;
    let (_, _, page) = admin
        .http
        .post_form(
            &format!("/beheer/accounts/{}/herstellink", app.people.teamlid.id),
            &form(&[("csrf", &admin.csrf)]),
        )
        .await;
    let link = link_on(&page, "admin-link");
    assert!(link.starts_with("/wachtwoord/"));
    let (status, _, _) = app
        .anonymous()
        .post_form(&link, &form(&[("password", "het nieuwe wachtwoord")]))
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        teamlid.http.get("/api/canvases").await.0,
        401,
        "old sessions ended"
    );
    app.sign_in(&app.people.teamlid.email, "het nieuwe wachtwoord")
        .await;
}

#[tokio::test]
async fn taking_a_coach_role_away_closes_the_coachs_connection() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus K").await;
    sqlx::query(&sql(
        "UPDATE canvases SET escalation_level = 'coach', highest_level = 'coach'",
    ))
    .execute(&app.db().await)
    .await
    .expect("escalate");
    let coach = &app.people.coach;
    let mut connection = Client::connect(&app.ws_url_as(coach, &id, "")).await;
    let admin = app.sign_in(&app.people.beheerder.email, PASSWORD).await;
    let (status, _, page) = admin
        .http
        .post_form(
            &format!("/beheer/accounts/{}/rollen", coach.id),
            &form(&[("coach", ""), ("csrf", &admin.csrf)]),
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Rollen van coach@test.doorbraak.nl bijgewerkt."));
    assert_eq!(connection.closed_with().await.0, 1008);
    assert_eq!(upgrade_status(&app.ws_url_as(coach, &id, "")).await, 404);
    assert!(
        audit_events(&app)
            .await
            .iter()
            .any(|e| e.0 == "role_changed" && e.2.contains("coach van geen"))
    );
}

#[tokio::test]
async fn nobody_grants_themselves_access() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in(&app.people.beheerder.email, PASSWORD).await;
    let own = format!("/beheer/accounts/{}/rollen", app.people.beheerder.id);
    let (status, _, _) = admin
        .http
        .post_form(&own, &form(&[("pmm", "ja"), ("csrf", &admin.csrf)]))
        .await;
    assert_eq!(status, 403);
    let fields = [
        ("email", app.people.beheerder.email.as_str()),
        ("kind", "pmm"),
        ("csrf", admin.csrf.as_str()),
    ];
    let (status, _, _) = admin
        .http
        .post_form("/beheer/uitnodigingen", &form(&fields))
        .await;
    assert_eq!(status, 403);
    let (is_pmm,): (i64,) = sqlx::query_as(&sql("SELECT is_pmm FROM accounts WHERE id = ?"))
        .bind(app.people.beheerder.id)
        .fetch_one(&app.db().await)
        .await
        .expect("account");
    assert_eq!(is_pmm, 0);
    let aanjager = app.sign_in(&app.people.aanjager.email, PASSWORD).await;
    let fields = [
        ("email", app.people.aanjager.email.as_str()),
        ("role", "teamlid"),
        ("csrf", aanjager.csrf.as_str()),
    ];
    let path = format!("/teams/{}/uitnodigingen", app.people.team);
    assert_eq!(aanjager.http.post_form(&path, &form(&fields)).await.0, 403);
}

#[tokio::test]
async fn guessing_through_an_invitation_counts_as_failed_sign_ins() {
    let app = TestApp::spawn().await;
    let aanjager = app.sign_in(&app.people.aanjager.email, PASSWORD).await;
    // An invitation for an existing account (the PMM's) asks for that account's password.
    let fields = [
        ("email", app.people.pmm.email.as_str()),
        ("role", "teamlid"),
        ("csrf", aanjager.csrf.as_str()),
    ];
    let (_, _, page) = aanjager
        .http
        .post_form(
            &format!("/teams/{}/uitnodigingen", app.people.team),
            &form(&fields),
        )
        .await;
    let link = link_on(&page, "invitation-link");
    let (status, _, _) = app
        .anonymous()
        .post_form(&link, &form(&[("password", "een gok van de aanjager")]))
        .await;
    assert_eq!(status, 422);
    let (failures,): (i64,) = sqlx::query_as(&sql(
        "SELECT failures FROM sign_in_failures WHERE email = ?",
    ))
    .bind(&app.people.pmm.email)
    .fetch_one(&app.db().await)
    .await
    .expect("counted like a sign-in");
    assert_eq!(failures, 1);
}

#[tokio::test]
async fn two_aanjagers_demoting_each_other_at_once_leave_one() {
    let app = TestApp::spawn().await;
    let (team, people) = (app.people.team, &app.people);
    let first = app.sign_in(&people.aanjager.email, PASSWORD).await;
    // The projectleider becomes the second aanjager.
    let promote = format!("/teams/{team}/leden/{}/rol", people.projectleider.id);
    let fields = [("role", "aanjager"), ("csrf", first.csrf.as_str())];
    assert_eq!(first.http.post_form(&promote, &form(&fields)).await.0, 303);
    let second = app.sign_in(&people.projectleider.email, PASSWORD).await;
    let demote = |session: &Session, who: i64| {
        let path = format!("/teams/{team}/leden/{who}/rol");
        let body = form(&[("role", "teamlid"), ("csrf", &session.csrf)]);
        let http = session.http.clone();
        async move { http.post_form(&path, &body).await.0 }
    };
    let (a, b) = tokio::join!(
        demote(&first, people.projectleider.id),
        demote(&second, people.aanjager.id),
    );
    let mut codes = [a, b];
    codes.sort_unstable();
    // The loser is refused either by the last-aanjager check in the statement (422, when both got
    // past the role check) or, when it arrives after the winner's commit, because its sender is
    // no aanjager any more (403). Which one is a matter of timing; that one loses is not.
    assert!(
        codes == [303, 422] || codes == [303, 403],
        "one demotion wins, the other would leave no aanjager: {codes:?}"
    );
    let (aanjagers,): (i64,) = sqlx::query_as(&sql(
        "SELECT COUNT(*) FROM memberships WHERE team_id = ? AND role = 'aanjager'",
    ))
    .bind(team)
    .fetch_one(&app.db().await)
    .await
    .expect("count");
    assert_eq!(aanjagers, 1);
}

/// A team's only aanjager who accepts an invitation to the team as teamlid keeps being its
/// aanjager: the link is refused with the reason, and stays unused.
#[tokio::test]
async fn an_invitation_never_leaves_a_team_without_an_aanjager() {
    let app = TestApp::spawn().await;
    let beheerder = app.sign_in(&app.people.beheerder.email, PASSWORD).await;
    let fields = [
        ("email", app.people.aanjager.email.as_str()),
        ("role", "teamlid"),
        ("csrf", beheerder.csrf.as_str()),
    ];
    let path = format!("/teams/{}/uitnodigingen", app.people.team);
    let (status, _, page) = beheerder.http.post_form(&path, &form(&fields)).await;
    assert_eq!(status, 200, "{page}");
    let link = link_on(&page, "invitation-link");
    let (_, _, refused) = app
        .anonymous()
        .post_form(&link, &form(&[("password", PASSWORD)]))
        .await;
    assert!(refused.contains("geen aanjager meer"), "{refused}");
    let (role, used): (String, Option<i64>) = sqlx::query_as(&sql(
        "SELECT m.role, i.used_at FROM memberships m, invitations i WHERE m.team_id = ? \
         AND m.account_id = ? AND i.email = ?",
    ))
    .bind(app.people.team)
    .bind(app.people.aanjager.id)
    .bind(&app.people.aanjager.email)
    .fetch_one(&app.db().await)
    .await
    .expect("rows");
    assert_eq!((role.as_str(), used), ("aanjager", None));
}

/// Twenty invitations of one person to one team at the same moment (on PostgreSQL over parallel
/// connections of the pool): one link is made, the others are told one is open already.
#[tokio::test]
async fn twenty_invitations_of_one_person_at_once_make_one_link() {
    let app = TestApp::spawn().await;
    let aanjager = app.sign_in(&app.people.aanjager.email, PASSWORD).await;
    let path = format!("/teams/{}/uitnodigingen", app.people.team);
    let body = form(&[
        ("email", "nieuw@gemeente.nl"),
        ("role", "teamlid"),
        ("csrf", &aanjager.csrf),
    ]);
    let pages = futures_util::future::join_all((0..20).map(|_| {
        let (http, path, body) = (aanjager.http.clone(), path.clone(), body.clone());
        async move { http.post_form(&path, &body).await }
    }))
    .await;
    // The refusal is the team's page again, with the reason instead of a link.
    let links = pages
        .iter()
        .filter(|(_, _, page)| page.contains("invitation-link"));
    let told = pages.iter().filter(|(status, _, page)| {
        *status == 200 && page.contains("staat al een uitnodiging open")
    });
    assert_eq!((links.count(), told.count()), (1, 19));
    let (open,): (i64,) = sqlx::query_as(&sql(
        "SELECT COUNT(*) FROM invitations WHERE email = 'nieuw@gemeente.nl' AND used_at IS NULL",
    ))
    .fetch_one(&app.db().await)
    .await
    .expect("count");
    assert_eq!(open, 1);
}

/// Nobody changes their own role: not a beheerder who is also in the team (who could otherwise
/// make themselves aanjager through the team's role route), not an aanjager.
#[tokio::test]
async fn nobody_changes_their_own_role() {
    let app = TestApp::spawn().await;
    let (team, people) = (app.people.team, app.people.clone());
    let db = app.database().await;
    db.set_membership(
        TeamId(team),
        AccountId(people.beheerder.id),
        doorbraak::access::policy::TeamRole::Teamlid,
    )
    .await
    .expect("membership");
    for person in [&people.beheerder, &people.aanjager] {
        let session = app.sign_in(&person.email, PASSWORD).await;
        let (status, _, page) = session
            .http
            .post_form(
                &format!("/teams/{team}/leden/{}/rol", person.id),
                &form(&[("role", "projectleider"), ("csrf", &session.csrf)]),
            )
            .await;
        assert_eq!(status, 403, "{}: {page}", person.email);
        assert!(page.contains("eigen rol"), "{page}");
    }
    let roles: Vec<(i64, String)> = sqlx::query_as(&sql(
        "SELECT account_id, role FROM memberships WHERE team_id = ? ORDER BY account_id",
    ))
    .bind(team)
    .fetch_all(&app.db().await)
    .await
    .expect("roles");
    assert!(roles.contains(&(people.beheerder.id, "teamlid".into())));
    assert!(roles.contains(&(people.aanjager.id, "aanjager".into())));
}

/// An invitation is checked again when it is used: made by an aanjager who has since been
/// demoted, it is void. And it can be withdrawn on the page where it was made.
#[tokio::test]
async fn invitations_are_rechecked_when_used_and_can_be_withdrawn() {
    let app = TestApp::spawn().await;
    let (team, people) = (app.people.team, app.people.clone());
    let invite = |session: &Session, email: &'static str| {
        let path = format!("/teams/{team}/uitnodigingen");
        let body = form(&[
            ("email", email),
            ("role", "teamlid"),
            ("csrf", &session.csrf),
        ]);
        let http = session.http.clone();
        async move {
            let (status, _, page) = http.post_form(&path, &body).await;
            assert_eq!(status, 200, "{page}");
            link_on(&page, "invitation-link")
        }
    };
    let accept = |link: String| {
        let anonymous = app.anonymous();
        async move {
            let fields = form(&[("name", "Nieuw"), ("password", "een goed wachtwoord")]);
            anonymous.post_form(&link, &fields).await.0
        }
    };

    // Made by the projectleider-to-be while aanjager, then the role is taken away.
    let db = app.database().await;
    db.set_membership(
        TeamId(team),
        AccountId(people.projectleider.id),
        doorbraak::access::policy::TeamRole::Aanjager,
    )
    .await
    .expect("second aanjager");
    let second = app.sign_in(&people.projectleider.email, PASSWORD).await;
    let link = invite(&second, "eerst@gemeente.nl").await;
    let aanjager = app.sign_in(&people.aanjager.email, PASSWORD).await;
    let (status, _, _) = aanjager
        .http
        .post_form(
            &format!("/teams/{team}/leden/{}/rol", people.projectleider.id),
            &form(&[("role", "projectleider"), ("csrf", &aanjager.csrf)]),
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        accept(link).await,
        404,
        "void: its maker no longer may invite"
    );

    // Withdrawn on the team page: the link stops working.
    let link = invite(&aanjager, "later@gemeente.nl").await;
    let (_, _, page) = aanjager.http.page(&format!("/teams/{team}")).await;
    let marker = "name=\"uitnodiging\" value=\"";
    let start = page.find(marker).expect("a withdraw button") + marker.len();
    let hash = &page[start..start + page[start..].find('"').expect("end")];
    let (status, _, _) = aanjager
        .http
        .post_form(
            &format!("/teams/{team}/uitnodigingen/intrekken"),
            &form(&[("uitnodiging", hash), ("csrf", &aanjager.csrf)]),
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(accept(link).await, 404, "withdrawn");
    assert!(
        audit_events(&app)
            .await
            .iter()
            .any(|e| e.0 == "invitation_withdrawn")
    );

    // A link that still holds works, as before.
    let link = invite(&aanjager, "welkom@gemeente.nl").await;
    assert_eq!(accept(link).await, 303);
}

/// A role change and a password reset each close the person's open socket with 1008, over the
/// wire; the socket comes back with what the person may do now.
#[tokio::test]
async fn a_role_change_and_a_password_reset_close_open_sockets() {
    let app = TestApp::spawn().await;
    let (team, people) = (app.people.team, app.people.clone());
    let id = app.create_canvas("Casus W").await;
    let mut socket = Client::connect(&app.ws_url_as(&people.teamlid, &id, "")).await;
    let aanjager = app.sign_in(&people.aanjager.email, PASSWORD).await;
    let (status, _, _) = aanjager
        .http
        .post_form(
            &format!("/teams/{team}/leden/{}/rol", people.teamlid.id),
            &form(&[("role", "projectleider"), ("csrf", &aanjager.csrf)]),
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(socket.closed_with().await.0, 1008, "role change");

    let session = app.sign_in(&people.teamlid.email, PASSWORD).await;
    let mut socket = app.connect_as_browser(&session, &id).await;
    let beheerder = app.sign_in(&people.beheerder.email, PASSWORD).await;
    let (status, _, page) = beheerder
        .http
        .post_form(
            &format!("/beheer/accounts/{}/herstellink", people.teamlid.id),
            &form(&[("csrf", &beheerder.csrf)]),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let link = link_on(&page, "admin-link");
    let (status, _, _) = app
        .anonymous()
        .post_form(&link, &form(&[("password", "een heel nieuw wachtwoord")]))
        .await;
    assert_eq!(status, 303);
    assert_eq!(socket.closed_with().await.0, 1008, "password reset");
}

#[tokio::test]
async fn a_second_invitation_for_someone_with_an_open_one_is_refused_until_it_is_withdrawn() {
    let app = TestApp::spawn().await;
    let aanjager = app.sign_in(&app.people.aanjager.email, PASSWORD).await;
    let team = app.people.team;
    let path = format!("/teams/{team}/uitnodigingen");
    let body = form(&[
        ("email", "dubbel@gemeente.nl"),
        ("role", "teamlid"),
        ("csrf", &aanjager.csrf),
    ]);
    let invite = || aanjager.http.post_form(&path, &body);
    let (status, _, page) = invite().await;
    assert_eq!(status, 200);
    link_on(&page, "invitation-link");
    let (status, _, page) = invite().await;
    assert_eq!(status, 200, "the team page again, with the reason");
    assert!(
        page.contains("Voor dubbel@gemeente.nl staat al een uitnodiging open, tot "),
        "{page}"
    );
    assert!(!page.contains("id=\"invitation-link\""), "no second link");
    let open: i64 = sqlx::query_scalar(&sql(
        "SELECT COUNT(*) FROM invitations WHERE email = 'dubbel@gemeente.nl'",
    ))
    .fetch_one(&app.db().await)
    .await
    .expect("count");
    assert_eq!(open, 1, "one invitation stored");

    let hash: String = sqlx::query_scalar(&sql(
        "SELECT token_hash FROM invitations WHERE email = 'dubbel@gemeente.nl'",
    ))
    .fetch_one(&app.db().await)
    .await
    .expect("hash");
    let (status, _, _) = aanjager
        .http
        .post_form(
            &format!("/teams/{team}/uitnodigingen/intrekken"),
            &form(&[("uitnodiging", &hash), ("csrf", &aanjager.csrf)]),
        )
        .await;
    assert_eq!(status, 303, "withdrawn");
    let (status, _, page) = invite().await;
    assert_eq!(status, 200);
    link_on(&page, "invitation-link");
}
