//! The real app on a free port with its own database, and a y-websocket client built from
//! tokio-tungstenite and yrs. Waiting is always on a condition with a timeout.

use std::{collections::HashMap, future::Future, net::SocketAddr, time::Duration};

use bytes::Bytes;
use doorbraak::{
    AppState,
    access::{password, policy::TeamRole},
    accounts,
    config::{AuthSettings, Limits, WorkflowSettings},
    ids::AccountId,
    store::{self, Database},
    sync::protocol::{self, Reader},
};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tempfile::TempDir;
use tokio::{io::AsyncBufReadExt, net::TcpStream, sync::oneshot, task::JoinHandle};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};
use yrs::{
    Doc, GetString, ReadTxn, StateVector, Text, TextRef, Transact, TransactionMut, Update,
    updates::{decoder::Decode, encoder::Encode},
};

/// How long any condition may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Waits for `future`, failing the test with `what` after [`PATIENCE`].
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Polls `condition` until it holds, failing after [`PATIENCE`].
pub async fn eventually<F: Future<Output = bool>>(what: &str, mut condition: impl FnMut() -> F) {
    within(what, async {
        while !condition().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
}

/// A complete, anonymous leeropbrengst: what closing a canvas needs in its status form.
pub const LEARNING: [(&str, &str); 8] = [
    ("knelpunt", "proces"),
    ("knelpunt_tekst", "Het leerlingenvervoer kent geen scooter."),
    ("leerorde", "2"),
    (
        "leerorde_toelichting",
        "De werkwijze van het leerlingenvervoer is aangepast.",
    ),
    ("signaal_beleid", "ja"),
    ("effect", "Het kind gaat weer zelf naar school."),
    ("tag_leefgebied_belonging", "ja"),
    ("tag_domein_education", "ja"),
];

/// `fields` of a status form, with the leeropbrengst when it closes the canvas.
pub fn closing<'a>(fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut out = fields.to_vec();
    let closes = fields.iter().any(|(k, v)| {
        *k == "naar" && matches!(*v, "doorbraak_gerealiseerd" | "afgesloten_zonder_doorbraak")
    });
    if closes {
        out.extend(LEARNING);
    }
    out
}

/// A new canvas labelled `label`, brought in and in behandeling (by the aanjager).
pub async fn in_treatment(app: &TestApp, label: &str) -> String {
    let id = app.create_canvas(label).await;
    for (from, to) in [("concept", "ingebracht"), ("ingebracht", "in_behandeling")] {
        let (status, _, page) = post_as(
            app,
            &app.people.aanjager,
            &format!("/canvases/{id}/status"),
            &[("van", from), ("naar", to)],
        )
        .await;
        assert_eq!(status, 303, "{page}");
    }
    id
}

/// A canvas whose situatieschets is `text`, closed as `outcome` with the leeropbrengst
/// [`LEARNING`] changed by `learning` (same keys replace, new keys add) and archived for `scope`
/// (the province when `None`). Returns its id.
pub async fn archived_case(
    app: &TestApp,
    label: &str,
    text: &str,
    outcome: &str,
    learning: &[(&str, &str)],
    scope: Option<&str>,
) -> String {
    let id = in_treatment(app, label).await;
    let mut editor = app.connect(&id).await;
    editor.type_text(text).await;
    editor.round_trip().await;
    editor.close().await;
    let path = format!("/canvases/{id}/status");
    let mut close = vec![("van", "in_behandeling"), ("naar", outcome)];
    close.extend(
        LEARNING
            .iter()
            .filter(|(k, _)| !learning.iter().any(|(l, _)| l == k))
            .copied(),
    );
    close.extend(learning.iter().copied());
    let (status, _, page) = post_as(app, &app.people.aanjager, &path, &close).await;
    assert_eq!(status, 303, "closing {label}: {page}");
    let mut archive = vec![("van", outcome), ("naar", "gearchiveerd")];
    if let Some(scope) = scope {
        archive.push(("bereik", scope));
    }
    let (status, _, page) = post_as(app, &app.people.aanjager, &path, &archive).await;
    assert_eq!(status, 303, "archiving {label}: {page}");
    id
}

/// The password of every test account.
pub const PASSWORD: &str = "wachtwoord voor tests";

/// A test account and a personal access token for it.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub token: String,
}

/// One person per role: a team in a province with one member per role, a member of another team
/// in the same province, a coach of the province and one of another province, PMM and a
/// beheerder.
#[derive(Clone, Debug)]
pub struct People {
    pub team: i64,
    pub other_team: i64,
    pub aanjager: Person,
    pub projectleider: Person,
    pub teamlid: Person,
    pub inbrenger: Person,
    pub other_member: Person,
    pub coach: Person,
    pub other_coach: Person,
    pub pmm: Person,
    pub beheerder: Person,
}

/// Creates [`People`] in a database.
pub async fn seed_people(database_url: &str) -> People {
    let db = store::open(database_url).await.expect("open database");
    let db = db.as_ref();
    let province = db.create_province("Gelderland").await.expect("province");
    let elsewhere = db.create_province("Utrecht").await.expect("province");
    let arnhem = db
        .create_gemeente("Arnhem", province)
        .await
        .expect("gemeente");
    let ede = db.create_gemeente("Ede", province).await.expect("gemeente");
    let team = db.create_team("Team Arnhem", arnhem).await.expect("team");
    let other_team = db.create_team("Team Ede", ede).await.expect("team");
    let hash = password::hash(PASSWORD).expect("hash");
    let person = |name: &'static str| {
        let hash = hash.clone();
        async move {
            let email = format!("{name}@test.doorbraak.nl");
            let account = db
                .create_account(&email, name, Some(&hash), name == "beheerder")
                .await
                .expect("account");
            let (_, token) = accounts::create_token_for(db, account.id, "tests", 90)
                .await
                .expect("token");
            Person {
                id: account.id.0,
                email,
                token,
            }
        }
    };
    let people = People {
        team: team.0,
        other_team: other_team.0,
        aanjager: person("aanjager").await,
        projectleider: person("projectleider").await,
        teamlid: person("teamlid").await,
        inbrenger: person("inbrenger").await,
        other_member: person("ander-team").await,
        coach: person("coach").await,
        other_coach: person("coach-elders").await,
        pmm: person("pmm").await,
        beheerder: person("beheerder").await,
    };
    for (who, role) in [
        (&people.aanjager, TeamRole::Aanjager),
        (&people.projectleider, TeamRole::Projectleider),
        (&people.teamlid, TeamRole::Teamlid),
        (&people.inbrenger, TeamRole::Inbrenger),
    ] {
        db.set_membership(team, AccountId(who.id), role)
            .await
            .expect("member");
    }
    db.set_membership(
        other_team,
        AccountId(people.other_member.id),
        TeamRole::Aanjager,
    )
    .await
    .expect("member");
    db.set_coach(AccountId(people.coach.id), Some(province))
        .await
        .expect("coach");
    db.set_coach(AccountId(people.other_coach.id), Some(elsewhere))
        .await
        .expect("coach");
    db.set_pmm(AccountId(people.pmm.id), true)
        .await
        .expect("pmm");
    people
}

pub struct TestApp {
    pub address: SocketAddr,
    pub database_url: String,
    /// Authenticated as the team's aanjager.
    pub http: reqwest_lite::Client,
    pub people: People,
    /// The server's state, for use cases a test drives with a clock of its own.
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    // Kept last: the folder (SQLite) or database (PostgreSQL) must outlive the server.
    _folder: Option<TempDir>,
    _postgres: Option<TestPostgres>,
}

/// Whether the integration suites run on PostgreSQL (`DOORBRAAK_TEST_BACKEND=postgres`, a
/// fresh database per test on the test PostgreSQL server) instead of SQLite.
pub fn on_postgres() -> bool {
    std::env::var("DOORBRAAK_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// Limits for tests: the production defaults with generous rates.
pub fn test_limits() -> Limits {
    Limits {
        client_messages_per_sec: 100_000,
        client_bytes_per_sec: 1 << 30,
        ..Limits::default()
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(test_limits()).await
    }

    pub async fn spawn_with(limits: Limits) -> Self {
        Self::spawn_configured(limits, AuthSettings::default()).await
    }

    pub async fn spawn_configured(limits: Limits, auth: AuthSettings) -> Self {
        Self::spawn_full(limits, auth, WorkflowSettings::default()).await
    }

    /// With workflow settings of its own (a guest's grace period, say).
    pub async fn spawn_workflow(settings: WorkflowSettings) -> Self {
        Self::spawn_full(test_limits(), AuthSettings::default(), settings).await
    }

    async fn spawn_full(limits: Limits, auth: AuthSettings, settings: WorkflowSettings) -> Self {
        if on_postgres() {
            let database = TestPostgres::new().await;
            let people = seed_people(&database.url).await;
            let mut app = Self::spawn_on(&database.url, limits, auth, settings, people).await;
            app._postgres = Some(database);
            return app;
        }
        let folder = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/doorbraak.db", folder.path().display());
        let people = seed_people(&url).await;
        let mut app = Self::spawn_on(&url, limits, auth, settings, people).await;
        app._folder = Some(folder);
        app
    }

    /// Two servers on one fresh PostgreSQL database, as two processes of a region share it
    /// (whatever backend the suite runs on); the database goes with the second.
    pub async fn pair_on_postgres() -> (Self, Self) {
        let database = TestPostgres::new().await;
        let people = seed_people(&database.url).await;
        let spawn = |people: People| {
            Self::spawn_on(
                &database.url,
                test_limits(),
                AuthSettings::default(),
                WorkflowSettings::default(),
                people,
            )
        };
        let first = spawn(people.clone()).await;
        let mut second = spawn(people).await;
        second._postgres = Some(database);
        (first, second)
    }

    /// A server on an existing database (for restarts).
    async fn spawn_on(
        database_url: &str,
        limits: Limits,
        auth: AuthSettings,
        settings: WorkflowSettings,
        people: People,
    ) -> Self {
        let store = store::open(database_url).await.expect("open database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let state = AppState::new(store, limits, auth, settings).await;
        let kept = state.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            doorbraak::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .expect("server");
        });
        Self {
            address,
            database_url: database_url.to_owned(),
            http: reqwest_lite::Client::new(address).with_token(&people.aanjager.token),
            people,
            state: kept,
            stop: Some(stop),
            server: Some(server),
            _folder: None,
            _postgres: None,
        }
    }

    /// Shuts the server down gracefully and waits until it has stopped; keeps the database.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            within("the server to stop", server)
                .await
                .expect("server task");
        }
    }

    /// Stops this server and starts another one on the same database.
    pub async fn restart(mut self, limits: Limits) -> Self {
        self.stop().await;
        let people = self.people.clone();
        let mut next = Self::spawn_on(
            &self.database_url,
            limits,
            AuthSettings::default(),
            WorkflowSettings::default(),
            people,
        )
        .await;
        next._folder = self._folder.take();
        next._postgres = self._postgres.take();
        next
    }

    pub async fn create_canvas(&self, label: &str) -> String {
        let (status, body) = self
            .http
            .post_json("/api/canvases", &serde_json::json!({ "label": label }))
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().expect("id").to_owned()
    }

    pub async fn canvas(&self, id: &str) -> Value {
        let (status, body) = self.http.get(&format!("/api/canvases/{id}")).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// The canvas as it is on disk: its snapshot and log read from the database and rebuilt,
    /// without asking the server (whose loaded room could hold what is not stored). In the API's
    /// JSON shape, with the record's label.
    pub async fn stored(&self, id: &str) -> Value {
        let id: doorbraak::canvas::CanvasId = id.parse().expect("canvas id");
        let db = self.database().await;
        let stored = db
            .load_canvas(&id)
            .await
            .expect("load")
            .expect("the canvas is stored");
        let doc = doorbraak::sync::doc::CanvasDoc::load(&stored).expect("stored state loads");
        let mut content = doc.content().expect("content");
        content.label = db.canvas_label(&id).await.expect("label").expect("record");
        serde_json::to_value(content).expect("json")
    }

    /// A client authenticated as `person`.
    pub fn as_person(&self, person: &Person) -> reqwest_lite::Client {
        reqwest_lite::Client::new(self.address).with_token(&person.token)
    }

    /// A client without any credential.
    pub fn anonymous(&self) -> reqwest_lite::Client {
        reqwest_lite::Client::new(self.address)
    }

    pub async fn metric(&self, name: &str) -> f64 {
        let text = self
            .as_person(&self.people.beheerder)
            .get_text("/metrics")
            .await;
        text.lines()
            .find_map(|line| {
                line.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix(' '))
            })
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("metric {name} missing"))
    }

    /// The sync URL of a canvas as the aanjager, with `query` (`""` or `"?..."`).
    pub fn ws_url(&self, id: &str, query: &str) -> SyncUrl {
        self.ws_url_as(&self.people.aanjager, id, query)
    }

    pub fn ws_url_as(&self, person: &Person, id: &str, query: &str) -> SyncUrl {
        ws_url(&self.address.to_string(), &person.token, id, query)
    }

    pub async fn connect(&self, id: &str) -> Client {
        Client::connect(&self.ws_url(id, "")).await
    }

    /// Seeds the demo into this server's database; returns the scooter canvas's id and a
    /// client of the demo teamlid, who may edit it.
    pub async fn seed_demo(&self) -> (&'static str, reqwest_lite::Client) {
        let db = self.database().await;
        doorbraak::demo::seed(db.as_ref()).await.expect("seed");
        let token = accounts::create_token(db.as_ref(), "teamlid@demo.doorbraak.nl", "test", 90)
            .await
            .expect("demo teamlid");
        (
            doorbraak::demo::DEMO_CANVAS_ID,
            self.anonymous().with_token(&token),
        )
    }

    /// This server's database, opened beside it.
    pub async fn database(&self) -> std::sync::Arc<dyn Database> {
        store::open(&self.database_url)
            .await
            .expect("open database")
    }

    /// A pool on this server's database for a test's own SQL, on either backend; write the SQL
    /// with SQLite's `?` placeholders and pass it through [`sql`].
    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database_url)
            .await
            .expect("open database")
    }
}

/// `query` (written for SQLite, with `?` or `?N` placeholders) for the backend the suites run
/// on: on PostgreSQL the placeholders become `$1`, `$2`, … (a `?N` becomes `$N`).
pub fn sql(query: &str) -> String {
    if !on_postgres() {
        return query.to_owned();
    }
    let mut out = String::with_capacity(query.len() + 8);
    let mut next = 0;
    let mut chars = query.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c != '?' || quoted {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        if digits.is_empty() {
            next += 1;
            digits = next.to_string();
        }
        out.push('$');
        out.push_str(&digits);
    }
    out
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// A minimal HTTP/1.1 client over a TCP stream: enough for JSON and text, with no extra crate.
pub mod reqwest_lite {
    use std::net::SocketAddr;

    use serde_json::Value;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[derive(Clone)]
    pub struct Client {
        address: SocketAddr,
        /// Sent as `Authorization: Bearer`.
        token: Option<String>,
        /// Further header lines, e.g. a session cookie.
        headers: Vec<(String, String)>,
    }

    impl Client {
        pub fn new(address: SocketAddr) -> Self {
            Self {
                address,
                token: None,
                headers: Vec::new(),
            }
        }

        pub fn with_token(mut self, token: &str) -> Self {
            self.token = Some(token.to_owned());
            self
        }

        pub fn with_header(mut self, name: &str, value: &str) -> Self {
            self.headers.push((name.to_owned(), value.to_owned()));
            self
        }

        /// The token and the extra headers as header lines.
        fn header_lines(&self) -> String {
            let mut lines = String::new();
            if let Some(token) = &self.token {
                lines.push_str(&format!("Authorization: Bearer {token}\r\n"));
            }
            for (name, value) in &self.headers {
                lines.push_str(&format!("{name}: {value}\r\n"));
            }
            lines
        }

        /// Sends a request and returns the status, the head (lowercased) and the body.
        pub async fn request_full(
            &self,
            method: &str,
            path: &str,
            content_type: &str,
            body: Option<&[u8]>,
        ) -> (u16, String, Vec<u8>) {
            let mut stream = tokio::net::TcpStream::connect(self.address)
                .await
                .expect("connect");
            let body = body.unwrap_or_default();
            let extra = self.header_lines();
            let head = format!(
                "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\n\
                 Content-Length: {}\r\nConnection: close\r\n{extra}\r\n",
                self.address,
                body.len()
            );
            stream.write_all(head.as_bytes()).await.expect("write");
            stream.write_all(body).await.expect("write");
            let mut response = Vec::new();
            stream.read_to_end(&mut response).await.expect("read");
            let split = response
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .expect("head");
            let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
            let status = head
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .expect("status");
            let mut body = response[split + 4..].to_vec();
            if head.contains("transfer-encoding: chunked") {
                body = dechunk(&body);
            }
            (status, head, body)
        }

        /// The status of a GET, read from the response head alone (for streams that stay open).
        pub async fn head_status(&self, path: &str) -> u16 {
            let mut stream = tokio::net::TcpStream::connect(self.address)
                .await
                .expect("connect");
            let extra = self.header_lines();
            let head = format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\n{extra}\r\n",
                self.address
            );
            stream.write_all(head.as_bytes()).await.expect("write");
            let mut response = Vec::new();
            let mut buffer = [0u8; 1024];
            while !response.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buffer).await.expect("read");
                assert!(n > 0, "closed before the head");
                response.extend_from_slice(&buffer[..n]);
            }
            let head = String::from_utf8_lossy(&response);
            head.split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .expect("status")
        }

        /// Sends a JSON request and returns the status and the body.
        pub async fn request(
            &self,
            method: &str,
            path: &str,
            body: Option<&[u8]>,
        ) -> (u16, Vec<u8>) {
            let (status, _, body) = self
                .request_full(method, path, "application/json", body)
                .await;
            (status, body)
        }

        /// A JSON request with any method; returns the status and the JSON body (null if none).
        pub async fn request_json(
            &self,
            method: &str,
            path: &str,
            body: Option<&[u8]>,
        ) -> (u16, Value) {
            let (status, body) = self.request(method, path, body).await;
            (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
        }

        pub async fn get(&self, path: &str) -> (u16, Value) {
            let (status, body) = self.request("GET", path, None).await;
            (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
        }

        pub async fn get_text(&self, path: &str) -> String {
            let (_, body) = self.request("GET", path, None).await;
            String::from_utf8(body).expect("utf-8")
        }

        pub async fn post_json(&self, path: &str, json: &Value) -> (u16, Value) {
            self.post_raw(path, json.to_string().as_bytes()).await
        }

        pub async fn post_raw(&self, path: &str, body: &[u8]) -> (u16, Value) {
            let (status, body) = self.request("POST", path, Some(body)).await;
            (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
        }

        /// GET a page: status, head (lowercased) and the body as text.
        pub async fn page(&self, path: &str) -> (u16, String, String) {
            let (status, head, body) = self.request_full("GET", path, "text/html", None).await;
            (status, head, String::from_utf8(body).expect("utf-8"))
        }

        /// POST an HTML form (`application/x-www-form-urlencoded`).
        pub async fn post_form(&self, path: &str, form: &str) -> (u16, String, String) {
            let form_type = "application/x-www-form-urlencoded";
            let (status, head, body) = self
                .request_full("POST", path, form_type, Some(form.as_bytes()))
                .await;
            (status, head, String::from_utf8(body).expect("utf-8"))
        }
    }

    fn dechunk(mut body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(end) = body.windows(2).position(|w| w == b"\r\n") {
            let size =
                usize::from_str_radix(std::str::from_utf8(&body[..end]).unwrap_or("0").trim(), 16)
                    .unwrap_or(0);
            if size == 0 {
                break;
            }
            out.extend_from_slice(&body[end + 2..end + 2 + size]);
            body = &body[end + 2 + size + 2..];
        }
        out
    }
}

/// What a client has seen of the server.
pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub doc: Doc,
    pub situation: TextRef,
    /// Awareness as last seen: client id to (clock, JSON state or `None` once removed).
    pub presence: HashMap<u64, (u64, Option<String>)>,
    /// The last saved count received.
    pub saved: Option<u64>,
    /// Messages of the saved type received, to check that nobody gets them without asking.
    pub saved_messages: usize,
    /// Updates received from the server.
    pub updates_received: usize,
    /// Update-carrying messages sent (sync step 2 and updates): what the saved count counts.
    pub updates_sent: u64,
    /// Read-only notices received (the server drops this client's updates).
    pub read_only_notices: usize,
    /// The close frame, once the server closed.
    pub closed: Option<(u16, String)>,
    synced: bool,
}

impl Client {
    /// Connects and completes the initial sync handshake.
    pub async fn connect(url: &SyncUrl) -> Self {
        let mut client = Self::connect_raw(url).await;
        client.handshake().await;
        client
    }

    /// Completes the initial sync handshake.
    pub async fn handshake(&mut self) {
        self.send_sync_step1().await;
        self.wait("the initial sync", |c| c.synced).await;
    }

    /// Connects without any handshake.
    /// Connects to canvas `id` on `address` with the token in an `Authorization` header, as
    /// scripts that can set headers do, and completes the handshake.
    pub async fn connect_with_bearer(address: &str, token: &str, id: &str) -> Self {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("ws://{address}/sync/{id}")
            .into_client_request()
            .expect("request");
        request.headers_mut().insert(
            "Authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
        let (ws, _) = within("connecting", tokio_tungstenite::connect_async(request))
            .await
            .expect("WebSocket upgrade");
        let mut client = Self::from_stream(ws);
        client.handshake().await;
        client
    }

    pub async fn connect_raw(url: &SyncUrl) -> Self {
        let (ws, _) = within(
            "connecting",
            tokio_tungstenite::connect_async(url.request(&[])),
        )
        .await
        .expect("WebSocket upgrade");
        Self::from_stream(ws)
    }

    /// A client on an already upgraded connection.
    pub fn from_stream(ws: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        let doc = Doc::new();
        let situation = doc.get_or_insert_text("situation");
        Self {
            ws,
            doc,
            situation,
            presence: HashMap::new(),
            saved: None,
            saved_messages: 0,
            updates_received: 0,
            updates_sent: 0,
            read_only_notices: 0,
            closed: None,
            synced: false,
        }
    }

    pub async fn send_raw(&mut self, bytes: impl Into<Bytes>) {
        self.ws
            .send(Message::Binary(bytes.into()))
            .await
            .expect("send");
    }

    pub async fn send(&mut self, message: Message) {
        self.ws.send(message).await.expect("send");
    }

    pub async fn send_sync_step1(&mut self) {
        let sv = self.doc.transact().state_vector();
        self.send_raw(sync_step1(&sv)).await;
    }

    /// Changes the local document and sends the change as one update.
    pub async fn edit(&mut self, change: impl FnOnce(&mut TransactionMut, &TextRef)) {
        let update = {
            let before = self.doc.transact().state_vector();
            let mut txn = self.doc.transact_mut();
            change(&mut txn, &self.situation);
            drop(txn);
            self.doc.transact().encode_state_as_update_v1(&before)
        };
        self.send_raw(protocol::encode_update(&update)).await;
        self.updates_sent += 1;
    }

    /// Appends a row (a Y.Map with these string fields) to the array root `array`, as a widget
    /// does, and sends it as one update.
    pub async fn add_row(&mut self, array: &str, fields: &[(&str, &str)]) {
        use yrs::{Array, Map, MapPrelim};
        let array = self.doc.get_or_insert_array(array);
        let update = {
            let before = self.doc.transact().state_vector();
            let mut txn = self.doc.transact_mut();
            let row = array.push_back(&mut txn, MapPrelim::default());
            for (key, value) in fields {
                row.insert(&mut txn, *key, *value);
            }
            drop(txn);
            self.doc.transact().encode_state_as_update_v1(&before)
        };
        self.send_raw(protocol::encode_update(&update)).await;
        self.updates_sent += 1;
    }

    /// Appends text to the `situation` step.
    /// An update that appends `text` to the situatieschets, applied locally but not sent.
    pub fn append_update(&mut self, text: &str) -> Vec<u8> {
        let before = self.doc.transact().state_vector();
        {
            let mut txn = self.doc.transact_mut();
            let len = self.situation.len(&txn);
            self.situation.insert(&mut txn, len, text);
        }
        self.doc.transact().encode_state_as_update_v1(&before)
    }

    pub async fn type_text(&mut self, text: &str) {
        self.edit(|txn, situation| {
            let len = situation.len(txn);
            situation.insert(txn, len, text);
        })
        .await;
    }

    pub fn text(&self) -> String {
        self.situation.get_string(&self.doc.transact())
    }

    /// Sets this client's presence.
    pub async fn set_presence(&mut self, client_id: u64, clock: u64, state: Option<&str>) {
        let entry = protocol::AwarenessEntry {
            client_id,
            clock,
            state: state.map(Into::into),
        };
        self.send_raw(protocol::encode_awareness([entry].iter()))
            .await;
    }

    /// Reads one message from the server and handles it; `false` once the connection is closed.
    pub async fn pump(&mut self) -> bool {
        let Some(message) = self.ws.next().await else {
            self.closed.get_or_insert((1006, String::new()));
            return false;
        };
        match message {
            Ok(Message::Binary(data)) => self.handle(&data).await,
            Ok(Message::Close(frame)) => {
                let frame = frame.map(|f| (u16::from(f.code), f.reason.to_string()));
                self.closed = Some(frame.unwrap_or((1005, String::new())));
                return false;
            }
            Ok(_) => {}
            Err(_) => {
                self.closed.get_or_insert((1006, String::new()));
                return false;
            }
        }
        true
    }

    async fn handle(&mut self, data: &[u8]) {
        let mut reader = Reader::new(data);
        match reader.var_uint().expect("message type") {
            protocol::MSG_SYNC => {
                let kind = reader.var_uint().expect("sync type");
                let payload = reader.buffer().expect("payload").to_vec();
                match kind {
                    protocol::SYNC_STEP_1 => {
                        let remote = StateVector::decode_v1(&payload).expect("state vector");
                        let diff = self.doc.transact().encode_state_as_update_v1(&remote);
                        self.send_raw(protocol::encode_sync_step2(&diff)).await;
                        self.updates_sent += 1;
                    }
                    _ => {
                        let update = Update::decode_v1(&payload).expect("update from server");
                        self.doc.transact_mut().apply_update(update).expect("apply");
                        if kind == protocol::SYNC_STEP_2 {
                            self.synced = true;
                        } else {
                            self.updates_received += 1;
                        }
                    }
                }
            }
            protocol::MSG_AWARENESS => {
                let body = reader.buffer().expect("awareness");
                let mut entries = Reader::new(body);
                for _ in 0..entries.var_uint().expect("count") {
                    let id = entries.var_uint().expect("id");
                    let clock = entries.var_uint().expect("clock");
                    let json = String::from_utf8(entries.buffer().expect("state").to_vec())
                        .expect("utf-8");
                    self.presence
                        .insert(id, (clock, (json != "null").then_some(json)));
                }
            }
            protocol::MSG_READ_ONLY => self.read_only_notices += 1,
            protocol::MSG_SAVED => {
                self.saved = Some(reader.var_uint().expect("count"));
                self.saved_messages += 1;
            }
            other => panic!("unexpected message type {other} from the server"),
        }
        reader.finish().expect("exact message");
    }

    /// Handles incoming messages until `condition` holds.
    pub async fn wait(&mut self, what: &str, condition: impl Fn(&Client) -> bool) {
        within(what, async {
            while !condition(self) {
                if !self.pump().await {
                    assert!(
                        condition(self),
                        "connection closed ({:?}) while waiting for {what}",
                        self.closed
                    );
                    return;
                }
            }
        })
        .await
    }

    /// Waits for the server to close the connection and returns the close code and reason.
    pub async fn closed_with(&mut self) -> (u16, String) {
        within("the server to close the connection", async {
            while self.pump().await {}
        })
        .await;
        self.closed.clone().expect("closed")
    }

    /// A round trip: asks for presence and handles everything up to the answer, so whatever
    /// was sent before has been handled by the server.
    pub async fn round_trip(&mut self) {
        self.send_raw(vec![protocol::MSG_QUERY_AWARENESS as u8])
            .await;
        within("a round trip", async {
            loop {
                let Some(Ok(message)) = self.ws.next().await else {
                    panic!("closed during a round trip")
                };
                if let Message::Binary(data) = message {
                    self.handle(&data).await;
                    if data.first() == Some(&(protocol::MSG_AWARENESS as u8)) {
                        return;
                    }
                }
            }
        })
        .await
    }

    pub fn ws_mut(&mut self) -> &mut WebSocketStream<MaybeTlsStream<TcpStream>> {
        &mut self.ws
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// A browser session: a client that sends the session cookie, and the session's CSRF token.
pub struct Session {
    pub http: reqwest_lite::Client,
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// Signs in through the sign-in form, as a browser does.
    pub async fn sign_in(&self, email: &str, password: &str) -> Session {
        let (status, head, body) = self
            .anonymous()
            .post_form(
                "/inloggen",
                &form(&[("email", email), ("password", password)]),
            )
            .await;
        assert_eq!(status, 303, "signing in as {email}: {body}");
        let cookie = head
            .lines()
            .find_map(|line| line.strip_prefix("set-cookie: "))
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let http = self.anonymous().with_header("Cookie", &cookie);
        let (_, _, page) = http.page("/tokens").await;
        Session {
            csrf: csrf_of(&page),
            http,
            cookie,
        }
    }
}

impl TestApp {
    /// Connects to a canvas as a page of this server does: with the session cookie and the
    /// server's own Origin; completes the handshake.
    pub async fn connect_as_browser(&self, session: &Session, id: &str) -> Client {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("ws://{}/sync/{id}", self.address)
            .into_client_request()
            .expect("request");
        let headers = request.headers_mut();
        headers.insert("Cookie", session.cookie.parse().expect("cookie"));
        let origin = format!("http://{}", self.address);
        headers.insert("Origin", origin.parse().expect("origin"));
        let (ws, _) = within("connecting", tokio_tungstenite::connect_async(request))
            .await
            .expect("upgrade");
        let mut client = Client::from_stream(ws);
        client.handshake().await;
        client
    }
}

/// The first quoted value in `page` after `marker` (for example the key in the first
/// `name="reden_…"` field), up to the next double quote.
pub fn quoted_after(page: &str, marker: &str) -> String {
    page.split(marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{marker} on the page"))
        .to_owned()
}

/// The CSRF token in a page's forms.
/// Posts a form as `person` (a bearer token needs no CSRF token): status, head and page.
pub async fn post_as(
    app: &TestApp,
    person: &Person,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    app.as_person(person).post_form(path, &form(fields)).await
}

pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a csrf field")
        .to_owned()
}

/// An `application/x-www-form-urlencoded` body.
pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Audit events stored, oldest first, as (event, account e-mail, detail).
/// The texts of `person`'s notifications, oldest first.
pub async fn notifications_of(app: &TestApp, person: &Person) -> Vec<String> {
    sqlx::query_scalar(&sql(
        "SELECT text FROM notifications WHERE account_id = ? ORDER BY id",
    ))
    .bind(person.id)
    .fetch_all(&app.db().await)
    .await
    .expect("notifications")
}

pub async fn audit_events(app: &TestApp) -> Vec<(String, String, String)> {
    sqlx::query_as(&sql(
        "SELECT l.event, COALESCE(a.email, ''), l.detail FROM audit_log l \
         LEFT JOIN accounts a ON a.id = l.account_id ORDER BY l.id",
    ))
    .fetch_all(&app.db().await)
    .await
    .expect("audit log")
}

/// The HTTP status of a WebSocket upgrade: 101 when accepted.
pub async fn upgrade_status(url: &SyncUrl) -> u16 {
    upgrade_status_with(url, &[]).await
}

/// A WebSocket opened with extra headers, kept open; the HTTP status when it is refused.
pub async fn open_with(
    url: &SyncUrl,
    headers: &[(&str, &str)],
) -> Result<WebSocketStream<MaybeTlsStream<TcpStream>>, u16> {
    match within(
        "the upgrade",
        tokio_tungstenite::connect_async(url.request(headers)),
    )
    .await
    {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(error) => panic!("upgrade failed: {error}"),
    }
}

/// The HTTP status of a WebSocket upgrade with extra headers.
pub async fn upgrade_status_with(url: &SyncUrl, headers: &[(&str, &str)]) -> u16 {
    match open_with(url, headers).await {
        Ok(_) => 101,
        Err(status) => status,
    }
}

/// The sync URL of a canvas with a token, and `query` (`""` or `"?..."`) before it.
pub fn ws_url(address: &str, token: &str, id: &str, query: &str) -> SyncUrl {
    SyncUrl {
        url: format!("ws://{address}/sync/{id}{query}"),
        token: Some(token.to_owned()),
    }
}

/// Where a script's socket goes and the token it sends as `Authorization: Bearer` (tokens never
/// travel in the URL).
#[derive(Debug, Clone)]
pub struct SyncUrl {
    pub url: String,
    pub token: Option<String>,
}

impl SyncUrl {
    /// A URL without a token, e.g. with a `?ticket=`.
    pub fn bare(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            token: None,
        }
    }

    /// The upgrade request, with `headers` added.
    pub fn request(
        &self,
        headers: &[(&str, &str)],
    ) -> tokio_tungstenite::tungstenite::handshake::client::Request {
        use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue};
        let mut request = self.url.as_str().into_client_request().expect("request");
        if let Some(token) = &self.token {
            let value = HeaderValue::from_str(&format!("Bearer {token}")).expect("header");
            request.headers_mut().insert("Authorization", value);
        }
        for (name, value) in headers {
            let name: tokio_tungstenite::tungstenite::http::HeaderName =
                name.parse().expect("header name");
            request
                .headers_mut()
                .insert(name, HeaderValue::from_str(value).expect("header value"));
        }
        request
    }
}

pub fn sync_step1(sv: &StateVector) -> Vec<u8> {
    let mut out = vec![0, 0];
    let encoded = sv.encode_v1();
    protocol::write_var_uint(&mut out, encoded.len() as u64);
    out.extend_from_slice(&encoded);
    out
}

/// A team with an aanjager in a fresh province and gemeente, as the owner of canvases a store
/// test makes.
pub async fn canvas_owner(store: &dyn doorbraak::store::Database) -> doorbraak::store::CanvasOwner {
    let province = store.create_province("Provincie").await.expect("province");
    let gemeente = store
        .create_gemeente("Gemeente", province)
        .await
        .expect("gemeente");
    let team = store
        .create_team("Doorbraakteam", gemeente)
        .await
        .expect("team");
    let account = store
        .create_account("aanjager@gemeente.nl", "", None, false)
        .await
        .expect("account");
    store
        .set_membership(
            team,
            account.id,
            doorbraak::access::policy::TeamRole::Aanjager,
        )
        .await
        .expect("membership");
    doorbraak::store::CanvasOwner {
        team,
        brought_in_by: account.id,
    }
}

/// Sends SIGTERM to a server started with [`start_binary`], as systemd stops it.
pub fn terminate(server: &tokio::process::Child) {
    let pid = server.id().expect("pid").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(sent.success(), "SIGTERM");
}

/// The real binary, started on a database with `extra` flags; returns the child and its address.
pub async fn start_binary(database_url: &str, extra: &[&str]) -> (tokio::process::Child, String) {
    start_binary_logging(database_url, extra, None).await
}

/// A fresh database of the backend the suites run on ([`on_postgres`]): a SQLite file in a
/// temporary folder, or a fresh PostgreSQL database (dropped afterwards); the folder is there
/// either way, for what else a test writes (logs).
pub struct TestDatabase {
    pub folder: TempDir,
    pub url: String,
    _postgres: Option<TestPostgres>,
}

impl TestDatabase {
    /// The folder.
    pub fn path(&self) -> &std::path::Path {
        self.folder.path()
    }

    pub async fn new() -> Self {
        let folder = tempfile::tempdir().expect("temp dir");
        if on_postgres() {
            let database = TestPostgres::new().await;
            return Self {
                folder,
                url: database.url.clone(),
                _postgres: Some(database),
            };
        }
        let url = format!("sqlite://{}/doorbraak.db", folder.path().display());
        Self {
            folder,
            url,
            _postgres: None,
        }
    }
}

/// The real binary on a fresh database with [`People`], and a canvas the aanjager started.
pub struct BinaryCanvas {
    /// The database and its folder: bind it for as long as the server runs (dropped, it
    /// removes the folder and a PostgreSQL database).
    pub folder: TestDatabase,
    pub database_url: String,
    pub people: People,
    pub server: tokio::process::Child,
    pub address: String,
    pub id: String,
    /// Where the server's stderr goes, when started with a `RUST_LOG`.
    pub log: std::path::PathBuf,
}

/// Starts [`BinaryCanvas`]; with `rust_log`, the server logs at that filter to `log`.
pub async fn binary_with_canvas(label: &str, rust_log: Option<&str>) -> BinaryCanvas {
    let folder = TestDatabase::new().await;
    let database_url = folder.url.clone();
    let people = seed_people(&database_url).await;
    let log = folder.path().join("stderr.log");
    let logging = rust_log.map(|filter| (filter, log.as_path()));
    let (server, address) = start_binary_logging(&database_url, &[], logging).await;
    let http = reqwest_lite::Client::new(address.parse().expect("address"))
        .with_token(&people.aanjager.token);
    let (status, created) = http
        .post_json("/api/canvases", &serde_json::json!({ "label": label }))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    BinaryCanvas {
        folder,
        database_url,
        people,
        server,
        address,
        id,
        log,
    }
}

/// [`start_binary`] with `RUST_LOG` set and stderr written to `log` when given.
pub async fn start_binary_logging(
    database_url: &str,
    extra: &[&str],
    log: Option<(&str, &std::path::Path)>,
) -> (tokio::process::Child, String) {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_doorbraak"));
    command
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ])
        .args(extra)
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some((filter, path)) = log {
        let file = std::fs::File::create(path).expect("log file");
        command.env("RUST_LOG", filter).stderr(file);
    }
    let mut child = command.spawn().expect("start the doorbraak binary");
    let stdout = child.stdout.take().expect("stdout");
    let line = within("the server to announce its address", async {
        tokio::io::BufReader::new(stdout)
            .lines()
            .next_line()
            .await
            .expect("read")
            .expect("a line")
    })
    .await;
    let address = line.rsplit("http://").next().expect("address").to_owned();
    (child, address)
}

/// A server-sent event stream read over a raw connection, as a browser's `EventSource` would.
pub struct EventStream {
    stream: TcpStream,
    pub seen: String,
}

impl EventStream {
    /// Opens `path` as `person` (bearer token) and waits until the stream has started.
    pub async fn open(app: &TestApp, person: &Person, path: &str) -> Self {
        let credential = format!("Authorization: Bearer {}", person.token);
        Self::open_with(app, &credential, path).await
    }

    /// Opens `path` with the browser session's cookie.
    pub async fn open_in(app: &TestApp, session: &Session, path: &str) -> Self {
        Self::open_with(app, &format!("Cookie: {}", session.cookie), path).await
    }

    async fn open_with(app: &TestApp, credential: &str, path: &str) -> Self {
        use tokio::io::AsyncWriteExt;
        let mut stream = TcpStream::connect(app.address).await.expect("connect");
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\n{credential}\r\n\r\n",
            app.address
        );
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut events = Self {
            stream,
            seen: String::new(),
        };
        events.wait_for("text/event-stream").await;
        events
    }

    /// Reads until `text` has arrived, failing after [`PATIENCE`] or if the stream ends first.
    pub async fn wait_for(&mut self, text: &str) {
        use tokio::io::AsyncReadExt;
        let mut buffer = [0u8; 1024];
        within(&format!("{text:?} on the event stream"), async {
            while !self.seen.contains(text) {
                let n = self.stream.read(&mut buffer).await.expect("read");
                assert!(n > 0, "the stream ended before {text:?}: {}", self.seen);
                self.seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        })
        .await;
    }

    /// Reads until `text` has arrived `n` times.
    pub async fn wait_for_count(&mut self, text: &str, n: usize) {
        use tokio::io::AsyncReadExt;
        let mut buffer = [0u8; 1024];
        within(&format!("{n} × {text:?} on the event stream"), async {
            while self.seen.matches(text).count() < n {
                let read = self.stream.read(&mut buffer).await.expect("read");
                assert!(
                    read > 0,
                    "the stream ended before {n} × {text:?}: {}",
                    self.seen
                );
                self.seen
                    .push_str(&String::from_utf8_lossy(&buffer[..read]));
            }
        })
        .await;
    }

    /// Waits until the server ends the stream (the end of a chunked body, or the connection).
    pub async fn ended(&mut self) {
        use tokio::io::AsyncReadExt;
        let mut buffer = [0u8; 1024];
        within("the server to end the event stream", async {
            loop {
                match self.stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buffer[..n])),
                }
                if self.seen.ends_with("0\r\n\r\n") {
                    return;
                }
            }
        })
        .await;
    }

    /// How many `werkwijze` events arrived so far.
    pub fn announcements(&self) -> usize {
        self.seen.matches("event: werkwijze").count()
    }
}

/// The PostgreSQL server of the tests (`DOORBRAAK_TEST_POSTGRES_URL`, which the test command
/// sets; the local server by default).
pub fn postgres_server_url() -> String {
    std::env::var("DOORBRAAK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A fresh, empty database of its own on the test PostgreSQL server, dropped when this goes out
/// of scope (also when the test fails).
pub struct TestPostgres {
    /// The database's URL.
    pub url: String,
    name: String,
    server: String,
}

impl TestPostgres {
    pub async fn new() -> Self {
        use sqlx::Connection;
        let server = postgres_server_url();
        let name = format!("doorbraak_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {server} (scripts/postgres.sh): {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let (base, rest) = server.rsplit_once('/').expect("a database in the URL");
        let query = rest
            .split_once('?')
            .map(|(_, q)| format!("?{q}"))
            .unwrap_or_default();
        Self {
            url: format!("{base}/{name}{query}"),
            name,
            server,
        }
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop runs inside the test's runtime: the database goes on a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                use sqlx::Connection;
                let mut admin = sqlx::PgConnection::connect(&server).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .map(|_| ())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}
