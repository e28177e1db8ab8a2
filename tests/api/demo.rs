//! `--demo` seeds the scooter case once, however often the server starts with it.

use doorbraak::demo::DEMO_CANVAS_ID;

use crate::helpers::*;

#[tokio::test]
async fn the_demo_canvas_is_seeded_once() {
    let folder = tempfile::tempdir().expect("temp dir");
    let database_url = format!("sqlite://{}/doorbraak.db", folder.path().display());
    for start in 0..2 {
        let (mut server, address) = start_binary(&database_url, &["--demo"]).await;
        let http = reqwest_lite::Client::new(address.parse().expect("address"));
        let (_, list) = http.get("/api/canvases").await;
        assert_eq!(
            list.as_array().map(Vec::len),
            Some(1),
            "start {start}: {list}"
        );
        assert_eq!(list[0]["id"], DEMO_CANVAS_ID);
        let (status, canvas) = http.get(&format!("/api/canvases/{DEMO_CANVAS_ID}")).await;
        assert_eq!(status, 200);
        assert_eq!(
            canvas["steps"]["valueTriangle"]["returnLines"]
                .as_array()
                .map(Vec::len),
            Some(3)
        );
        assert_eq!(
            canvas["steps"]["actionPlan"].as_array().map(Vec::len),
            Some(3)
        );
        server.kill().await.expect("stop");
    }
}
