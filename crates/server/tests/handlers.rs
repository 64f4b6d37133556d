//! Handler tests: the router answered in process with `tower::ServiceExt::oneshot`, over a
//! small index built in a temporary folder (PDFs extracted in process, no binary spawned).

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use polsearch_core::Store;
use polsearch_indexer::{IndexOptions, Isolation, NoProgress};
use polsearch_pdfgen::{Block, PdfDoc, PdfPage};
use polsearch_server::{router, AppState, ServerConfig};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

const TOKEN: &str = "t0ken";

fn pdf(title: &str, pages: &[&str]) -> Vec<u8> {
    let mut doc = PdfDoc::new();
    doc.info_title = Some(title.to_string());
    doc.pages = pages
        .iter()
        .map(|p| PdfPage {
            blocks: vec![Block::Paragraph((*p).to_string())],
        })
        .collect();
    doc.to_bytes()
}

fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

/// Six documents: a 3-page PDF whose page 3 alone says "quokka", water, housing, both,
/// Spanish, and an HTML page.
fn write_corpus(root: &Path) {
    write(
        root,
        "pdf/budget.pdf",
        pdf(
            "Capital Budget Briefing",
            &[
                "Cover page of the capital budget briefing for the city council.",
                "Bond financing pays for roads, bridges and parks over thirty years.",
                "A quokka exhibit at the city zoo is funded from the parks capital budget.",
            ],
        ),
    );
    write(
        root,
        "water.md",
        "---\ntitle: Water Shutoff Protections\ndate: 2021-05-01\n---\n\n# Water Shutoff Protections\n\nSeveral cities adopted a moratorium on water shutoffs for low-income households. Water utility customers with arrears keep their water service. The water department offers a water affordability program and water bill discounts.\n",
    );
    write(
        root,
        "housing.md",
        "---\ntitle: Tenant Protections and Eviction Prevention\ndate: 2019-03-02\n---\n\n# Tenant Protections\n\nRenters facing eviction get a right to counsel. The housing authority funds affordable housing and housing vouchers for tenants, and landlords must show just cause before an eviction.\n",
    );
    write(
        root,
        "both.md",
        "---\ntitle: Water Bills and Affordable Housing\ndate: 2021-08-20\n---\n\n# Water Bills and Affordable Housing\n\nWater bills weigh on renters in affordable housing. The water utility and the housing authority share a water affordability program so that tenants in public housing keep water service and avoid water shutoffs.\n",
    );
    write(
        root,
        "agua.md",
        "---\ntitle: Tarifas de agua\ndate: 2020-01-15\nlang: es\n---\n\n# Tarifas de agua\n\nLa ciudad aprobó un programa de asequibilidad del agua que limita las facturas del agua potable a una parte del ingreso del hogar y suspende los cortes de servicio para las familias inscritas.\n",
    );
    write(
        root,
        "web/heat.html",
        "<html lang=\"en\"><head><title>Extreme Heat Plan</title></head><body><main><h1 id=\"top\">Extreme Heat Plan</h1><p>Cooling centers open when the heat index passes 100 degrees.</p><h2 id=\"trees\">Tree canopy</h2><p>Planting street trees lowers summer temperatures in dense neighborhoods.</p></main></body></html>",
    );
}

struct Fixture {
    _tmp: TempDir,
    corpus: PathBuf,
    app: Router,
}

fn fixture_with(admin: Option<&str>, extra_notes: usize) -> Fixture {
    fixture_cfg(admin, extra_notes, |_, _| {})
}

/// A fixture whose server configuration `cfg` may change (given the temp folder).
fn fixture_cfg(
    admin: Option<&str>,
    extra_notes: usize,
    cfg: impl FnOnce(&mut ServerConfig, &Path),
) -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    write_corpus(&corpus);
    for i in 0..extra_notes {
        write(
            &corpus,
            &format!("notes/note-{i:03}.txt"),
            format!("Note {i}. The lemur count at the zoo was taken again today."),
        );
    }
    let mut opts = IndexOptions::new(corpus.clone(), index.clone(), Isolation::InProcess);
    opts.threads = 2;
    opts.writer_memory = 50 * 1024 * 1024;
    let summary = polsearch_indexer::run(&opts, &NoProgress).expect("index");
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    assert_eq!(summary.indexed, 6 + extra_notes);
    let store = Store::open(&index).expect("open index");
    let mut config = ServerConfig {
        corpus: Some(corpus.clone()),
        admin_token: admin.map(str::to_string),
        reindex: Some(opts),
        ..Default::default()
    };
    cfg(&mut config, tmp.path());
    let state = AppState::new(store, config).expect("state");
    Fixture {
        _tmp: tmp,
        corpus,
        app: router(state),
    }
}

fn fixture() -> Fixture {
    fixture_with(Some(TOKEN), 0)
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}), status {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn send(app: &Router, req: Request<Body>) -> Resp {
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Resp {
    send(app, Request::get(uri).body(Body::empty()).expect("request")).await
}

async fn admin(
    app: &Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: impl Into<Body>,
) -> Resp {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    send(app, b.body(body.into()).expect("request")).await
}

/// Asserts the JSON error shape and returns the body.
fn assert_error(r: &Resp, status: u16, kind: &str) -> Value {
    assert_eq!(r.status.as_u16(), status, "{}", r.text());
    let ct = r
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("application/json"), "content-type {ct:?}");
    let v = r.json();
    assert_eq!(v["code"], status, "{v}");
    assert_eq!(v["type"], kind, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    v
}

/// Percent-encodes everything but ASCII letters, digits and `-._~`.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().unwrap_or("").to_string())
        .collect()
}

fn has_keys(v: &Value, keys: &[&str]) {
    let o = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"));
    for k in keys {
        assert!(o.contains_key(*k), "missing {k:?} in {v}");
    }
}

#[tokio::test]
async fn search_returns_the_documented_shape() {
    let f = fixture();
    let r = get(&f.app, "/api/search?q=water").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    has_keys(&v, &["query", "total", "took_ms", "hits", "facets"]);
    assert_eq!(v["query"], "water");
    assert_eq!(v["total"], 2, "water.md and both.md: {v}");
    assert!(v["took_ms"].is_number());
    let hits = v["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    for h in hits {
        has_keys(
            h,
            &[
                "id", "title", "url", "type", "year", "language", "topics", "score", "snippet",
                "passages",
            ],
        );
        assert!(h["topics"].is_array() && h["score"].is_number(), "{h}");
        for p in h["passages"].as_array().expect("passages") {
            has_keys(p, &["page", "anchor", "snippet", "url"]);
        }
    }
    has_keys(
        &v["facets"],
        &["topic", "type", "year", "language", "place"],
    );
    for dim in ["topic", "type", "year", "language", "place"] {
        for fc in v["facets"][dim].as_array().expect("facet list") {
            assert!(fc["value"].is_string() && fc["count"].is_u64(), "{fc}");
        }
    }
    let topics: Vec<&str> = v["facets"]["topic"]
        .as_array()
        .expect("topics")
        .iter()
        .filter_map(|t| t["value"].as_str())
        .collect();
    assert!(topics.contains(&"water"), "{topics:?}");
    let years: Vec<&str> = v["facets"]["year"]
        .as_array()
        .expect("years")
        .iter()
        .filter_map(|t| t["value"].as_str())
        .collect();
    assert!(years.contains(&"2021"), "{years:?}");
}

#[tokio::test]
async fn pdf_passage_carries_its_page_and_the_file_is_served() {
    let f = fixture();
    let v = get(&f.app, "/api/search?q=quokka").await.json();
    assert_eq!(ids(&v), ["pdf/budget.pdf"], "{v}");
    let hit = &v["hits"][0];
    assert_eq!(hit["pages"], 3, "{hit}");
    let p = &hit["passages"][0];
    assert_eq!(p["page"], 3, "{hit}");
    assert!(
        p["snippet"].as_str().unwrap_or("").contains("<mark>"),
        "{p}"
    );
    let url = p["url"].as_str().expect("passage url");
    assert!(url.ends_with("#page=3"), "{url}");
    let file = url.split('#').next().unwrap_or("");
    assert_eq!(file, "/documents/pdf%2Fbudget.pdf/file");
    let r = get(&f.app, file).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
        Some(&b"application/pdf"[..])
    );
    assert!(r.body.starts_with(b"%PDF"));

    // The document route by id, with a slash percent-encoded in one segment.
    let d = get(&f.app, "/api/documents/pdf%2Fbudget.pdf").await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text());
    let d = d.json();
    assert_eq!(d["id"], "pdf/budget.pdf");
    assert_eq!(d["title"], "Capital Budget Briefing");
}

#[tokio::test]
async fn filters_narrow_results() {
    let f = fixture();
    let all = get(&f.app, "/api/search?q=&limit=100").await.json();
    assert_eq!(all["total"], 6, "{all}");
    let lang_es = get(&f.app, "/api/search?q=agua&lang=es").await.json();
    assert_eq!(ids(&lang_es), ["agua.md"], "{lang_es}");
    let en_only = get(&f.app, "/api/search?q=agua&lang=en").await.json();
    assert_eq!(en_only["total"], 0, "{en_only}");
    let y = get(
        &f.app,
        "/api/search?q=&year_min=2021&year_max=2021&limit=100",
    )
    .await
    .json();
    let mut got = ids(&y);
    got.sort();
    assert_eq!(got, ["both.md", "water.md"], "{y}");
    let y = get(&f.app, "/api/search?q=&year_min=2020&limit=100")
        .await
        .json();
    assert_eq!(y["total"], 3, "{y}");
    let y = get(&f.app, "/api/search?q=&year_max=2019&limit=100")
        .await
        .json();
    assert_eq!(ids(&y), ["housing.md"], "{y}");
    let t = get(&f.app, "/api/search?q=&topic=housing&limit=100")
        .await
        .json();
    let mut got = ids(&t);
    got.sort();
    assert_eq!(got, ["both.md", "housing.md"], "{t}");
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_parameter() {
    let f = fixture();
    for (qs, param) in [
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("offset=-3", "offset"),
        ("offset=99999999", "offset"),
        ("offset=99999999999999999999999999", "offset"),
        ("year_min=x", "year_min"),
        ("year_max=20x1", "year_max"),
        ("year_min=2022&year_max=2020", "year_min"),
        ("passages=99", "passages"),
        ("passages=-1", "passages"),
    ] {
        let r = get(&f.app, &format!("/api/search?q=water&{qs}")).await;
        let v = assert_error(&r, 400, "invalid_parameter");
        assert_eq!(v["param"], param, "{qs}: {v}");
    }
    let r = get(&f.app, "/api/suggest?q=wa&limit=0").await;
    assert_eq!(assert_error(&r, 400, "invalid_parameter")["param"], "limit");
    let r = get(&f.app, "/api/related/water.md?limit=abc").await;
    assert_eq!(assert_error(&r, 400, "invalid_parameter")["param"], "limit");
    let long = "w".repeat(20_001);
    let r = get(&f.app, &format!("/api/search?q={long}")).await;
    assert_eq!(assert_error(&r, 400, "invalid_parameter")["param"], "q");
}

#[tokio::test]
async fn huge_limit_is_capped_at_100() {
    let f = fixture_with(Some(TOKEN), 110);
    let r = get(&f.app, "/api/search?q=lemur&limit=100000").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["total"], 110, "{}", v["total"]);
    assert_eq!(v["hits"].as_array().map(Vec::len), Some(100));
    let v = get(&f.app, "/api/search?q=lemur&limit=100&offset=100")
        .await
        .json();
    assert_eq!(v["hits"].as_array().map(Vec::len), Some(10));
}

#[tokio::test]
async fn unknown_routes_methods_and_ids_answer_json() {
    let f = fixture();
    for uri in ["/nope", "/api/search/extra", "/api", "/documents/x"] {
        assert_error(&get(&f.app, uri).await, 404, "not_found");
    }
    let put = send(
        &f.app,
        Request::put("/api/search?q=water")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_error(&put, 405, "method_not_allowed");
    let del = send(
        &f.app,
        Request::delete("/healthz")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_error(&del, 405, "method_not_allowed");
    for uri in [
        "/api/documents/no-such-doc.md",
        "/api/documents/..%2F..%2Fetc%2Fpasswd",
        "/documents/no-such-doc.md/file",
        "/documents/..%2F..%2Fetc%2Fpasswd/file",
        "/api/related/no-such-doc.md",
    ] {
        assert_error(&get(&f.app, uri).await, 404, "not_found");
    }
}

#[tokio::test]
async fn healthz_metrics_and_openapi() {
    let f = fixture();
    let h = get(&f.app, "/healthz").await;
    assert_eq!(h.status, StatusCode::OK);
    let h = h.json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["documents"], 6);

    assert_eq!(
        get(&f.app, "/api/search?q=water").await.status,
        StatusCode::OK
    );
    let m = get(&f.app, "/metrics").await;
    assert_eq!(m.status, StatusCode::OK);
    let text = m.text();
    assert!(text.contains("polsearch_http_requests_total"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("polsearch_http_requests_total")
                && l.contains("route=\"/api/search\"")
                && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(text.contains("polsearch_documents 6"), "{text}");

    let o = get(&f.app, "/api/openapi.json").await;
    assert_eq!(o.status, StatusCode::OK);
    let spec = o.json();
    let paths = spec["paths"].as_object().expect("paths");
    // Every route registered in lib.rs is described.
    let lib = include_str!("../src/lib.rs");
    let routes: Vec<&str> = lib
        .split(".route(")
        .skip(1)
        .filter_map(|s| s.trim_start().strip_prefix('"'))
        .filter_map(|s| s.split('"').next())
        .collect();
    assert!(routes.len() >= 9, "{routes:?}");
    for r in routes {
        assert!(paths.contains_key(r), "openapi.json lacks {r}");
    }
}

#[tokio::test]
async fn suggest_and_related() {
    let f = fixture();
    let r = get(&f.app, "/api/suggest?q=capital%20bud").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let texts: Vec<&str> = v["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .filter_map(|s| s["text"].as_str())
        .collect();
    assert!(texts.contains(&"Capital Budget Briefing"), "{v}");

    let r = get(&f.app, "/api/related/water.md").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["id"], "water.md");
    let related = ids(&v);
    assert!(!related.contains(&"water.md".to_string()), "{related:?}");
}

#[tokio::test]
async fn admin_needs_the_right_token() {
    let f = fixture();
    let up = "/api/documents?filename=new.md";
    let r = admin(&f.app, Method::POST, up, None, "# New\n\nText.\n").await;
    assert_error(&r, 401, "unauthorized");
    let r = admin(&f.app, Method::POST, up, Some("wrong"), "# New\n\nText.\n").await;
    assert_error(&r, 403, "forbidden");
    let r = admin(&f.app, Method::DELETE, "/api/documents/water.md", None, "").await;
    assert_error(&r, 401, "unauthorized");
    let r = admin(
        &f.app,
        Method::DELETE,
        "/api/documents/water.md",
        Some("t0ken-but-longer"),
        "",
    )
    .await;
    assert_error(&r, 403, "forbidden");
    // A token that is not "Bearer ..." counts as none.
    let r = send(
        &f.app,
        Request::post(up)
            .header(header::AUTHORIZATION, format!("Basic {TOKEN}"))
            .body(Body::from("# New\n"))
            .expect("request"),
    )
    .await;
    assert_error(&r, 401, "unauthorized");
    assert!(!f.corpus.join("uploads/new.md").exists());
    assert!(f.corpus.join("water.md").exists());
}

#[tokio::test]
async fn admin_is_disabled_without_a_token() {
    let f = fixture_with(None, 0);
    for token in [None, Some(TOKEN), Some("")] {
        let r = admin(
            &f.app,
            Method::POST,
            "/api/documents?filename=new.md",
            token,
            "# New\n",
        )
        .await;
        assert_error(&r, 403, "admin_disabled");
        let r = admin(&f.app, Method::DELETE, "/api/documents/water.md", token, "").await;
        assert_error(&r, 403, "admin_disabled");
    }
    assert!(f.corpus.join("water.md").exists());
}

#[tokio::test]
async fn upload_names_and_contents_are_checked() {
    let f = fixture();
    let post = |name: &str, body: Vec<u8>| {
        let uri = format!("/api/documents?filename={}", enc(name));
        let app = f.app.clone();
        async move { admin(&app, Method::POST, &uri, Some(TOKEN), body).await }
    };
    let md =
        b"# Wombat Crossings\n\nThe wombat crossing program adds signs on rural roads.\n".to_vec();

    // A path is reduced to its last component: stored under uploads/, never outside.
    let r = post("../x.md", md.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    assert_eq!(v["id"], "uploads/x.md", "{v}");
    assert!(f.corpus.join("uploads/x.md").is_file());
    assert!(!f.corpus.join("../x.md").exists());
    assert!(!f.corpus.join("x.md").exists());
    let s = get(&f.app, "/api/search?q=wombat").await.json();
    assert_eq!(ids(&s), ["uploads/x.md"], "{s}");

    let r = post("..\\..\\y.md", md.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["id"], "uploads/y.md");

    // The same name again is a conflict, not an overwrite.
    let r = post("x.md", b"# Other\n\nOther text.\n".to_vec()).await;
    assert_error(&r, 409, "exists");
    assert_eq!(
        std::fs::read(f.corpus.join("uploads/x.md")).expect("read"),
        md
    );

    for bad in [".hidden.md", "", "a/", "x:y.md", "tab\there.md"] {
        let r = post(bad, md.clone()).await;
        let v = assert_error(&r, 400, "invalid_parameter");
        assert_eq!(v["param"], "filename", "{bad:?}: {v}");
    }
    let r = post("x.exe", md.clone()).await;
    assert_error(&r, 415, "unsupported_type");
    let r = post("noext", md.clone()).await;
    assert_error(&r, 415, "unsupported_type");
    let r = post("fake.pdf", md.clone()).await;
    assert_error(&r, 415, "content_mismatch");
    let real_pdf = pdf("Hidden PDF", &["A PDF under another name."]);
    let r = post("sneaky.md", real_pdf).await;
    assert_error(&r, 415, "content_mismatch");
    let r = post("latin1.txt", vec![0x63, 0x61, 0x66, 0xe9, 0x20, 0xff]).await;
    assert_error(&r, 415, "content_mismatch");
    let r = post("empty.md", Vec::new()).await;
    assert_eq!(assert_error(&r, 400, "invalid_parameter")["param"], "file");

    // No file name at all.
    let r = admin(
        &f.app,
        Method::POST,
        "/api/documents",
        Some(TOKEN),
        md.clone(),
    )
    .await;
    assert_eq!(
        assert_error(&r, 400, "invalid_parameter")["param"],
        "filename"
    );

    // Nothing rejected was left in the corpus.
    let mut left: Vec<String> = std::fs::read_dir(f.corpus.join("uploads"))
        .expect("uploads")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["x.md", "y.md"]);
}

#[tokio::test]
async fn multipart_upload_then_delete() {
    let f = fixture();
    let boundary = "XyZboundary42";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"okapi.md\"\r\nContent-Type: text/markdown\r\n\r\n# Okapi Habitat\n\nThe okapi habitat plan protects forest corridors.\n\r\n--{boundary}--\r\n"
    );
    let r = send(
        &f.app,
        Request::post("/api/documents")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    assert_eq!(v["id"], "uploads/okapi.md");
    assert_eq!(v["title"], "Okapi Habitat");
    assert_eq!(v["summary"]["indexed"], 1, "{v}");
    let s = get(&f.app, "/api/search?q=okapi").await.json();
    assert_eq!(ids(&s), ["uploads/okapi.md"]);

    let r = admin(
        &f.app,
        Method::DELETE,
        "/api/documents/uploads%2Fokapi.md",
        Some(TOKEN),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["deleted"], "uploads/okapi.md");
    assert!(!f.corpus.join("uploads/okapi.md").exists());
    let s = get(&f.app, "/api/search?q=okapi").await.json();
    assert_eq!(s["total"], 0, "{s}");
    let r = get(&f.app, "/api/documents/uploads%2Fokapi.md").await;
    assert_error(&r, 404, "not_found");
    let r = admin(
        &f.app,
        Method::DELETE,
        "/api/documents/uploads%2Fokapi.md",
        Some(TOKEN),
        "",
    )
    .await;
    assert_error(&r, 404, "not_found");
}

fn header_of<'a>(r: &'a Resp, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Every `href` of an `<a>` whose opening tag contains `marker`, entity-decoded.
fn links_with(html: &str, marker: &str) -> Vec<String> {
    html.split("<a ")
        .skip(1)
        .filter_map(|tag| {
            let tag = tag.split('>').next()?;
            if !tag.contains(marker) {
                return None;
            }
            let href = tag.split("href=\"").nth(1)?.split('"').next()?;
            Some(href.replace("&amp;", "&"))
        })
        .collect()
}

fn count_of(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

#[tokio::test]
async fn page_shows_results_facets_and_pages_without_javascript() {
    let f = fixture();
    let r = get(&f.app, "/?q=water").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(header_of(&r, "content-type").starts_with("text/html"));
    let csp = header_of(&r, "content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = r.text();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    // Two documents speak of water; each is a result with its snippet.
    assert_eq!(count_of(&html, "<li class=\"result\">"), 2, "{html}");
    assert!(html.contains("<mark>"), "{html}");
    assert!(html.contains("Water Shutoff Protections"));
    assert!(
        html.contains("value=\"water\""),
        "the query stays in the box"
    );
    // Topic facets are links with counts; choosing housing narrows to the one document
    // that is about both.
    let housing = links_with(&html, "data-value=\"housing\"");
    assert_eq!(housing.len(), 1, "{html}");
    assert!(housing[0].contains("topic=housing"), "{housing:?}");
    let narrowed = get(&f.app, &housing[0]).await.text();
    assert_eq!(
        count_of(&narrowed, "<li class=\"result\">"),
        1,
        "{narrowed}"
    );
    assert!(narrowed.contains("Water Bills and Affordable Housing"));
    assert!(
        narrowed.contains("aria-current=\"true\""),
        "the chosen value is marked"
    );
    assert!(
        narrowed.contains("name=\"topic\" value=\"housing\""),
        "a new query keeps it"
    );
    // Its link now removes the filter again.
    let back = links_with(&narrowed, "data-value=\"housing\"");
    assert!(!back[0].contains("topic=housing"), "{back:?}");
    assert!(narrowed.contains("class=\"clear-filters\""));
}

#[tokio::test]
async fn page_links_passages_to_their_pdf_page() {
    let f = fixture();
    let html = get(&f.app, "/?q=quokka").await.text();
    let pages = links_with(&html, "class=\"passage-link\"");
    assert_eq!(pages, ["/documents/pdf%2Fbudget.pdf/file#page=3"], "{html}");
    assert!(html.contains(">Page 3<"), "{html}");
}

#[tokio::test]
async fn page_paginates() {
    let f = fixture_with(Some(TOKEN), 25);
    let html = get(&f.app, "/?q=lemur").await.text();
    assert_eq!(count_of(&html, "<li class=\"result\">"), 10);
    assert!(html.contains("Page 1 of 3"), "{html}");
    let next = links_with(&html, "rel=\"next\"");
    assert_eq!(next, ["/?q=lemur&page=2"]);
    let last = get(&f.app, "/?q=lemur&page=3").await.text();
    assert_eq!(count_of(&last, "<li class=\"result\">"), 5);
    assert!(last.contains("start=\"21\""), "{last}");
    assert!(links_with(&last, "rel=\"next\"").is_empty());
}

#[tokio::test]
async fn page_escapes_what_it_is_given_and_never_refuses_a_url() {
    let f = fixture();
    let r = get(
        &f.app,
        &format!("/?q={}", enc("<script>alert(1)</script> \"><img src=x>")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x>"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    for qs in [
        "page=-1",
        "page=abc",
        "page=99999999999999999999",
        "year_min=x&year_max=1e9",
        "q=%FF%FE&topic=%00",
        "q=((((%22&lang=zz",
        "fragment=1&q=water",
    ] {
        let r = get(&f.app, &format!("/?{qs}")).await;
        assert_eq!(r.status, StatusCode::OK, "/?{qs}: {}", r.text());
    }
}

#[tokio::test]
async fn page_fragment_is_the_swappable_part() {
    let f = fixture();
    let html = get(&f.app, "/?q=water&fragment=1").await.text();
    assert!(html.starts_with("<div class=\"layout\">"), "{html}");
    assert!(!html.contains("<html"));
    assert_eq!(count_of(&html, "<li class=\"result\">"), 2);
}

#[tokio::test]
async fn no_results_offer_a_correction_and_a_broader_search() {
    let f = fixture();
    let html = get(&f.app, "/?q=watr+shutofs&topic=housing").await.text();
    assert!(html.contains("class=\"did-you-mean\""), "{html}");
    let fix = links_with(&html, "");
    assert!(
        fix.iter().any(|l| l.starts_with("/?q=water+shutoffs")),
        "{fix:?}"
    );
    let r = get(&f.app, "/api/search?q=watr+shutofs").await.json();
    assert_eq!(r["did_you_mean"], "water shutoffs", "{r}");
    // Known words and acronyms are not "corrected".
    let r = get(&f.app, "/api/search?q=water+ADU").await.json();
    assert!(r.get("did_you_mean").is_none(), "{r}");
    let html = get(&f.app, "/?q=zebra+unicorn&topic=housing").await.text();
    assert!(html.contains("id=\"no-results\""), "{html}");
    assert!(html.contains("Search without the filter Topic"), "{html}");
}

#[tokio::test]
async fn widget_and_assets_are_served_from_the_binary() {
    let f = fixture();
    let r = get(&f.app, "/widget.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(header_of(&r, "content-type").starts_with("text/javascript"));
    assert!(!r.body.is_empty());
    for a in ["/assets/page.css", "/assets/page.js"] {
        assert_eq!(get(&f.app, a).await.status, StatusCode::OK, "{a}");
    }
    assert_error(
        &get(&f.app, "/assets/..%2FCargo.toml").await,
        404,
        "not_found",
    );
}

async fn with_origin(app: &Router, method: Method, uri: &str, origin: &str) -> Resp {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::ORIGIN, origin)
        .header(header::HOST, "search.example.org")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header("access-control-request-method", "GET")
        .body(Body::empty())
        .expect("request");
    send(app, req).await
}

#[tokio::test]
async fn cors_answers_listed_origins_only_and_never_for_admin() {
    let f = fixture_cfg(Some(TOKEN), 0, |c, _| {
        c.cors_origins = vec!["https://www.city.example".into()];
    });
    let ok = with_origin(
        &f.app,
        Method::GET,
        "/api/search?q=water",
        "https://www.city.example",
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(
        header_of(&ok, "access-control-allow-origin"),
        "https://www.city.example"
    );
    let pre = with_origin(
        &f.app,
        Method::OPTIONS,
        "/api/suggest?q=wa",
        "https://www.city.example",
    )
    .await;
    assert!(pre.status.is_success(), "{}", pre.status);
    assert!(header_of(&pre, "access-control-allow-methods").contains("GET"));

    let no = with_origin(
        &f.app,
        Method::GET,
        "/api/search?q=water",
        "https://evil.example",
    )
    .await;
    assert_error(&no, 403, "origin_not_allowed");
    assert_eq!(header_of(&no, "access-control-allow-origin"), "");
    // The server's own pages are not foreign.
    let own = with_origin(
        &f.app,
        Method::GET,
        "/api/search?q=water",
        "https://search.example.org",
    )
    .await;
    assert_eq!(own.status, StatusCode::OK);

    // Admin routes refuse any foreign origin, listed or not, before looking at the token.
    for (m, uri) in [
        (Method::DELETE, "/api/documents/water.md"),
        (Method::POST, "/api/documents?filename=x.md"),
        (Method::GET, "/api/stats"),
    ] {
        let r = with_origin(&f.app, m.clone(), uri, "https://www.city.example").await;
        assert_error(&r, 403, "origin_not_allowed");
        assert_eq!(
            header_of(&r, "access-control-allow-origin"),
            "",
            "{m} {uri}"
        );
    }
    assert!(f.corpus.join("water.md").exists());
}

#[tokio::test]
async fn analytics_count_settled_searches_and_need_the_token() {
    let f = fixture_cfg(Some(TOKEN), 0, |c, tmp| {
        c.analytics = Some(tmp.join("analytics/searches.redb"));
    });
    for uri in [
        "/api/search?q=Water",
        "/api/search?q=water&topic=water",
        "/?q=water++",
        "/api/search?q=zebra+unicorn",
        // Per-keystroke requests are not counted.
        "/api/search?q=wat&typing=1",
        "/?q=wate&fragment=1&typing=1",
    ] {
        assert_eq!(get(&f.app, uri).await.status, StatusCode::OK, "{uri}");
    }
    assert_error(&get(&f.app, "/api/stats").await, 401, "unauthorized");
    assert_error(
        &admin(
            &f.app,
            Method::GET,
            "/api/stats?days=0",
            Some(TOKEN),
            Body::empty(),
        )
        .await,
        400,
        "invalid_parameter",
    );
    let r = admin(
        &f.app,
        Method::GET,
        "/api/stats?days=30",
        Some(TOKEN),
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let s = r.json();
    assert_eq!(s["searches"], 4, "{s}");
    assert_eq!(s["top_queries"][0]["query"], "water", "{s}");
    assert_eq!(s["top_queries"][0]["count"], 3, "{s}");
    assert_eq!(s["zero_result_queries"][0]["query"], "zebra unicorn", "{s}");
    assert_eq!(s["top_filters"][0]["filter"], "topic:water", "{s}");
    assert!(
        !s.to_string().contains("wat\""),
        "typing queries are not recorded: {s}"
    );

    // The page for people: a form, then the same report.
    let form = get(&f.app, "/admin/stats").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("type=\"password\""));
    let post = |body: &'static str| {
        Request::post("/admin/stats")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request")
    };
    let wrong = send(&f.app, post("token=nope&days=30")).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(!wrong.text().contains("zebra"));
    let page = send(&f.app, post("token=t0ken&days=30")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(
        html.contains("zebra unicorn") && html.contains("topic:water"),
        "{html}"
    );
}

#[tokio::test]
async fn memo_mode_returns_cited_passages_across_documents() {
    let f = fixture_with(Some(TOKEN), 0);
    let r = get(&f.app, "/api/passages?q=where+is+the+quokka+exhibit+funded").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let first = &v["passages"][0];
    assert_eq!(first["id"], "pdf/budget.pdf", "{v}");
    assert_eq!(first["page"], 3, "{v}");
    let cite = first["citation"].as_str().expect("citation");
    assert!(
        cite.starts_with("Capital Budget Briefing (") && cite.ends_with("), p. 3"),
        "{cite}"
    );
    assert!(
        first["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>")),
        "{v}"
    );
    assert_eq!(first["url"], "/documents/pdf%2Fbudget.pdf/file#page=3");

    // Passages from several documents, at most `per_document` from each.
    let v = get(
        &f.app,
        "/api/passages?q=water+affordability+program&per_document=1&limit=10",
    )
    .await
    .json();
    let ids: Vec<&str> = v["passages"]
        .as_array()
        .expect("passages")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert!(ids.len() >= 2, "{v}");
    assert_eq!(ids.len(), unique.len(), "{ids:?}");

    assert_error(
        &get(&f.app, "/api/passages").await,
        400,
        "invalid_parameter",
    );
    assert_error(
        &get(&f.app, "/api/passages?q=-water").await,
        400,
        "invalid_parameter",
    );
    for qs in ["per_document=0", "per_document=99", "limit=-1"] {
        let r = get(&f.app, &format!("/api/passages?q=water&{qs}")).await;
        assert_error(&r, 400, "invalid_parameter");
    }
}

/// A repeated search is answered from the cache of recent answers, byte for byte; a commit
/// (here an upload) makes the old answer unreachable, so the new document shows at once.
#[tokio::test]
async fn repeated_searches_come_from_the_cache_until_the_index_changes() {
    let f = fixture();
    let cache = |r: &Resp| header_of(r, "x-polsearch-cache").to_string();
    let first = get(&f.app, "/api/search?q=capybara+habitat").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(cache(&first), "miss");
    let before = first.json()["total"].as_u64().expect("total");
    let again = get(&f.app, "/api/search?q=capybara+habitat").await;
    assert_eq!(cache(&again), "hit");
    assert_eq!(again.body, first.body);
    // The same search written another way is the same entry; another limit is not.
    let same = get(&f.app, "/api/search?limit=10&q=capybara%20habitat").await;
    assert_eq!(cache(&same), "hit");
    let other = get(&f.app, "/api/search?q=capybara+habitat&limit=5").await;
    assert_eq!(cache(&other), "miss");

    let r = admin(
        &f.app,
        Method::POST,
        "/api/documents?filename=capybara.md",
        Some(TOKEN),
        "# Capybara Habitat\n\nA capybara habitat along the river.\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let after = get(&f.app, "/api/search?q=capybara+habitat").await;
    assert_eq!(cache(&after), "miss", "a commit invalidates cached answers");
    let v = after.json();
    assert_eq!(v["total"].as_u64(), Some(before + 1), "{v}");
    assert!(ids(&v).contains(&"uploads/capybara.md".to_string()), "{v}");
}

#[tokio::test]
async fn a_corpus_file_that_fails_to_index_is_listed_and_can_be_deleted() {
    let f = fixture();
    // A file in the corpus that cannot be indexed, as a crash between storing an upload and
    // indexing it would leave one: it has no document, yet its name is taken.
    write(
        &f.corpus,
        "uploads/broken.pdf",
        b"%PDF-1.7\nthis is not a PDF body at all\n%%EOF\n",
    );
    let r = admin(
        &f.app,
        Method::POST,
        "/api/documents?filename=tapir.md",
        Some(TOKEN),
        "# Tapir Survey\n\nThe tapir survey counted tracks.\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let failed = r.json()["summary"]["failed"].clone();
    assert_eq!(failed[0]["path"], "uploads/broken.pdf", "{failed}");

    let r = admin(&f.app, Method::GET, "/api/failures", None, "").await;
    assert_error(&r, 401, "unauthorized");
    let r = admin(&f.app, Method::GET, "/api/failures", Some(TOKEN), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let listed = v["failures"].as_array().expect("failures");
    assert_eq!(listed.len(), 1, "{v}");
    assert_eq!(listed[0]["path"], "uploads/broken.pdf");
    assert!(
        !listed[0]["error"].as_str().unwrap_or("").is_empty(),
        "a failure says why: {v}"
    );

    // Its name is taken until it is deleted, and it can be deleted by its path.
    let upload_broken = || {
        admin(
            &f.app,
            Method::POST,
            "/api/documents?filename=broken.pdf",
            Some(TOKEN),
            pdf(
                "Fixed Report",
                &["The fixed report has a page about tapirs."],
            ),
        )
    };
    assert_error(&upload_broken().await, 409, "exists");
    let r = admin(
        &f.app,
        Method::DELETE,
        "/api/documents/uploads%2Fbroken.pdf",
        Some(TOKEN),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["deleted"], "uploads/broken.pdf");
    assert!(!f.corpus.join("uploads/broken.pdf").exists());
    let v = admin(&f.app, Method::GET, "/api/failures", Some(TOKEN), "")
        .await
        .json();
    assert_eq!(v["failures"], serde_json::json!([]), "{v}");
    let r = upload_broken().await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let s = get(&f.app, "/api/search?q=tapirs").await.json();
    assert!(ids(&s).contains(&"uploads/broken.pdf".to_string()), "{s}");

    // Only files that failed can be deleted this way: any other path is still a 404.
    write(&f.corpus, "uploads/never-indexed.txt", "not indexed yet");
    let r = admin(
        &f.app,
        Method::DELETE,
        "/api/documents/uploads%2Fnever-indexed.txt",
        Some(TOKEN),
        "",
    )
    .await;
    assert_error(&r, 404, "not_found");
    assert!(f.corpus.join("uploads/never-indexed.txt").exists());
}

#[tokio::test]
async fn a_failed_upload_is_not_left_among_the_failures() {
    let f = fixture();
    let r = admin(
        &f.app,
        Method::POST,
        "/api/documents?filename=bad.pdf",
        Some(TOKEN),
        &b"%PDF-1.4\ngarbage without objects\n"[..],
    )
    .await;
    assert_error(&r, 422, "extraction_failed");
    assert!(!f.corpus.join("uploads/bad.pdf").exists());
    let v = admin(&f.app, Method::GET, "/api/failures", Some(TOKEN), "")
        .await
        .json();
    assert_eq!(v["failures"], serde_json::json!([]), "{v}");
}
