//! End to end over HTTP: `polsearch serve` started as a child process on a small corpus made
//! here, then searched, filtered, faceted, uploaded to and attacked with hostile input.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::server::{enc, Resp, Server, TOKEN};
use common::*;
use serde_json::Value;

fn ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().unwrap_or("").to_string())
        .collect()
}

fn facet(v: &Value, dim: &str) -> Vec<(String, u64)> {
    v["facets"][dim]
        .as_array()
        .unwrap_or_else(|| panic!("facets.{dim} in {v}"))
        .iter()
        .map(|f| {
            (
                f["value"].as_str().expect("value").to_string(),
                f["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

fn count_of(v: &Value, dim: &str, value: &str) -> Option<u64> {
    facet(v, dim)
        .into_iter()
        .find(|(x, _)| x == value)
        .map(|(_, c)| c)
}

/// Asserts the JSON error shape.
fn assert_error(r: &Resp, status: u16, kind: &str) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    assert!(
        r.content_type.starts_with("application/json"),
        "{}",
        r.content_type
    );
    let v = r.json();
    assert_eq!(v["code"], status, "{v}");
    assert_eq!(v["type"], kind, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    v
}

/// The small corpus of `write_small_corpus` plus: a 4-page PDF whose page 3 alone says
/// "pangolin", an HTML page whose text holds a literal `<script>`, documents on water, on
/// housing and on both, one in Spanish, with years 2019–2021.
fn write_corpus(root: &Path) {
    write_small_corpus(root);
    std::fs::write(
        root.join("pdf/annual-report.pdf"),
        pdf(
            Some("Annual Report of the Parks Department"),
            &[
                &["Annual report of the parks department. Letter from the director."],
                &["Trail maintenance and playground inspections across the park system."],
                &["The pangolin habitat at the nature center opened to visitors this spring."],
                &["Appendix: budget tables for park maintenance and programs."],
            ],
        ),
    )
    .expect("write pdf");
    std::fs::write(
        root.join("web/minutes.html"),
        "<html lang=\"en\"><head><title>Council Minutes on Web Safety</title></head><body><main><h1 id=\"minutes\">Council Minutes</h1><p>The clerk reported that someone pasted &lt;script&gt;alert(1)&lt;/script&gt; into the zebrafish hearing notice on the city website.</p></main></body></html>",
    )
    .expect("write html");
    std::fs::write(
        root.join("housing.md"),
        "---\ntitle: Tenant Protections and Eviction Prevention\ndate: 2019-03-02\n---\n\n# Tenant Protections\n\nRenters facing eviction get a right to counsel. The housing authority funds affordable housing and housing vouchers for tenants, and landlords must show just cause before an eviction. Affordable housing and tenant protections keep renters housed.\n",
    )
    .expect("write md");
    std::fs::write(
        root.join("water-housing.md"),
        "---\ntitle: Water Bills and Affordable Housing\ndate: 2021-08-20\n---\n\n# Water Bills and Affordable Housing\n\nWater bills weigh on renters in affordable housing. The water utility and the housing authority share a water affordability program so that tenants in public housing keep water service and avoid water shutoffs for low-income households.\n",
    )
    .expect("write md");
    std::fs::write(
        root.join("water-rates.md"),
        "---\ntitle: Income-Based Water Rates\ndate: 2021-02-11\n---\n\n# Income-Based Water Rates\n\nIncome-based water rates cap water bills at a share of household income. Water shutoffs fall when low-income households enroll in the water affordability program of the water utility.\n",
    )
    .expect("write md");
    std::fs::write(
        root.join("agua.md"),
        "---\ntitle: Tarifas de agua\ndate: 2020-01-15\nlang: es\n---\n\n# Tarifas de agua\n\nLa ciudad aprobó un programa de asequibilidad del agua que limita las facturas del agua potable a una parte del ingreso del hogar y suspende los cortes de servicio para las familias inscritas.\n",
    )
    .expect("write md");
}

fn start(tmp: &tempfile::TempDir) -> (Server, PathBuf) {
    let corpus = tmp.path().join("corpus");
    write_corpus(&corpus);
    (Server::start(tmp.path(), &corpus, &[]), corpus)
}

/// Every facet value's count must equal the `total` of the same search with that value as
/// the only selection of its dimension (the other dimensions' selections kept).
fn check_facets(s: &Server, params: &[(&str, &str)]) -> Value {
    let v = s.search(params);
    let without = |names: &[&str]| -> Vec<(&str, &str)> {
        params
            .iter()
            .filter(|(k, _)| !names.contains(k))
            .copied()
            .collect()
    };
    let checks: [(&str, &[&str]); 5] = [
        ("topic", &["topic"]),
        ("language", &["lang", "language"]),
        ("year", &["year_min", "year_max"]),
        ("type", &["type"]),
        ("place", &["place"]),
    ];
    for (dim, names) in checks {
        for (value, count) in facet(&v, dim) {
            let mut p = without(names);
            match dim {
                "language" => p.push(("lang", &value)),
                "year" => {
                    p.push(("year_min", &value));
                    p.push(("year_max", &value));
                }
                _ => p.push((dim, &value)),
            }
            p.push(("limit", "100"));
            let r = s.search(&p);
            assert_eq!(
                r["total"].as_u64(),
                Some(count),
                "facet {dim}={value} of search {params:?} says {count}, but the search {p:?} finds {}",
                r["total"]
            );
            assert_eq!(
                r["hits"].as_array().map(Vec::len),
                Some(count as usize),
                "{p:?}"
            );
        }
    }
    v
}

#[test]
fn search_facets_passages_files_suggest_related() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (s, _corpus) = start(&tmp);

    let h = s.get("/healthz").json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["documents"], 10, "{h}");

    // Without filters, then with each kind of filter.
    let all = s.search(&[("q", ""), ("limit", "100")]);
    assert_eq!(all["total"], 10, "{all}");
    let water = s.search(&[("q", "water"), ("limit", "100")]);
    let water_ids = ids(&water);
    for id in ["water-shutoffs.md", "water-rates.md", "water-housing.md"] {
        assert!(water_ids.contains(&id.to_string()), "{id}: {water_ids:?}");
    }
    let w = s.search(&[("q", "water"), ("topic", "housing"), ("limit", "100")]);
    assert!(ids(&w).contains(&"water-housing.md".to_string()), "{w}");
    assert!(!ids(&w).contains(&"water-rates.md".to_string()), "{w}");
    let es = s.search(&[("q", ""), ("lang", "es")]);
    assert_eq!(ids(&es), ["agua.md"], "{es}");
    let y = s.search(&[
        ("q", "water"),
        ("year_min", "2021"),
        ("year_max", "2021"),
        ("limit", "100"),
    ]);
    let mut got = ids(&y);
    got.sort();
    assert_eq!(got, ["water-housing.md", "water-rates.md"], "{y}");
    let y = s.search(&[("q", ""), ("year_max", "2019")]);
    assert_eq!(ids(&y), ["housing.md"], "{y}");
    let none = s.search(&[("q", "water"), ("lang", "vi")]);
    assert_eq!(none["total"], 0);

    // Facet counts count documents, disjunctively within a facet.
    for params in [
        vec![("q", "")],
        vec![("q", "water")],
        vec![("q", "housing")],
        vec![("q", "water"), ("topic", "water")],
        vec![("q", ""), ("topic", "water"), ("lang", "en")],
        vec![("q", ""), ("topic", "housing"), ("year_min", "2020")],
        vec![("q", "water"), ("topic", "water"), ("topic", "housing")],
        vec![("q", ""), ("lang", "es"), ("year_min", "2019")],
        vec![("q", "city"), ("lang", "en"), ("year_max", "2021")],
    ] {
        check_facets(&s, &params);
    }
    let v = check_facets(&s, &[("q", ""), ("topic", "water")]);
    let topics = facet(&v, "topic");
    assert!(topics.len() >= 2, "several topic values: {topics:?}");
    // With water selected, housing is still listed, counted as query AND housing.
    let housing = s.search(&[("q", ""), ("topic", "housing"), ("limit", "100")]);
    assert!(housing["total"].as_u64().unwrap_or(0) >= 2, "{housing}");
    assert_eq!(
        count_of(&v, "topic", "housing"),
        housing["total"].as_u64(),
        "{topics:?}"
    );
    // And the other dimensions are counted within the selection.
    let water_only = s.search(&[("q", ""), ("topic", "water"), ("limit", "100")]);
    let lang_total: u64 = facet(&v, "language").iter().map(|(_, c)| c).sum();
    assert_eq!(Some(lang_total), water_only["total"].as_u64(), "{v}");
    assert!(
        facet(&all, "year").len() >= 3,
        "years 2019-2021: {:?}",
        facet(&all, "year")
    );
    assert!(
        facet(&all, "language").len() >= 2,
        "{:?}",
        facet(&all, "language")
    );

    // The page that says it, and a link to that page of the served file.
    let r = s.search(&[("q", "pangolin")]);
    assert_eq!(ids(&r), ["pdf/annual-report.pdf"], "{r}");
    let hit = &r["hits"][0];
    assert_eq!(hit["pages"], 4, "{hit}");
    let p = &hit["passages"][0];
    assert_eq!(p["page"], 3, "{hit}");
    let url = p["url"].as_str().expect("passage url");
    assert!(url.ends_with("#page=3"), "{url}");
    let file = url.split('#').next().unwrap_or_default();
    let f = s.get(file);
    assert_eq!(f.status, 200, "{file}");
    assert_eq!(f.content_type, "application/pdf");
    assert!(f.body.starts_with(b"%PDF"));
    assert_eq!(f.header("x-content-type-options"), Some("nosniff"));

    // Snippets are escaped HTML: the page's literal <script> never comes back as markup.
    for q in ["zebrafish", "script alert", "clerk hearing notice"] {
        let path = format!("/api/search?q={}", enc(q));
        let r = s.get(&path);
        assert_eq!(r.status, 200);
        assert!(!r.text().contains("<script"), "{path}: {}", r.text());
        let v = r.json();
        assert_eq!(
            ids(&v).first().map(String::as_str),
            Some("web/minutes.html"),
            "{v}"
        );
        let hit = &v["hits"][0];
        let mut snippets = vec![hit["snippet"].as_str().expect("snippet")];
        for p in hit["passages"].as_array().expect("passages") {
            snippets.push(p["snippet"].as_str().expect("passage snippet"));
        }
        for sn in &snippets {
            // The only markup is <mark>; everything else is escaped text.
            let plain = sn.replace("<mark>", "").replace("</mark>", "");
            assert!(!plain.contains(['<', '>']), "{q}: {sn}");
            assert!(
                plain.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{q}: {sn}"
            );
        }
    }
    let d = s.get("/api/documents/web%2Fminutes.html?text=full");
    assert_eq!(d.status, 200, "{}", d.text());
    assert!(!d.text().contains("<script"), "{}", d.text());
    let f = s.get("/documents/web%2Fminutes.html/file");
    assert_eq!(f.status, 200);
    assert!(
        f.content_type.starts_with("text/html"),
        "{}",
        f.content_type
    );
    assert!(
        f.header("content-security-policy")
            .is_some_and(|c| c.contains("sandbox")),
        "served HTML is sandboxed: {:?}",
        f.headers
    );

    // Suggestions complete a title from its first letters.
    let r = s.get("/api/suggest?q=annual%20rep");
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let texts: Vec<&str> = v["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .filter_map(|x| x["text"].as_str())
        .collect();
    assert!(
        texts.contains(&"Annual Report of the Parks Department"),
        "{v}"
    );

    // Related documents: others, never the document itself.
    let r = s.get("/api/related/water-rates.md");
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let related = ids(&v);
    assert!(!related.is_empty(), "no related documents: {v}");
    assert!(
        !related.contains(&"water-rates.md".to_string()),
        "{related:?}"
    );
    let r = s.get("/api/related/no-such.md");
    assert_error(&r, 404, "not_found");
}

#[test]
fn upload_search_delete_and_admin_auth() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (s, corpus) = start(&tmp);
    let body = b"# Narwhal Tusk Policy\n\nThe narwhal tusk policy limits ivory imports through the port.\n";
    let up = "/api/documents?filename=new.md";

    assert_error(&s.post(up, None, body), 401, "unauthorized");
    assert_error(&s.post(up, Some("wrong"), body), 403, "forbidden");
    assert_error(
        &s.delete("/api/documents/agua.md", None),
        401,
        "unauthorized",
    );
    assert_error(
        &s.delete("/api/documents/agua.md", Some("wrong")),
        403,
        "forbidden",
    );
    assert!(corpus.join("agua.md").exists());
    assert_eq!(s.search(&[("q", "narwhal")])["total"], 0);

    let r = s.post(up, Some(TOKEN), body);
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    assert_eq!(v["id"], "uploads/new.md", "{v}");
    assert_eq!(v["title"], "Narwhal Tusk Policy", "{v}");
    assert!(corpus.join("uploads/new.md").is_file());
    let found = s.search(&[("q", "narwhal")]);
    assert_eq!(ids(&found), ["uploads/new.md"], "{found}");
    assert_eq!(s.get("/healthz").json()["documents"], 11);
    let f = s.get("/documents/uploads%2Fnew.md/file");
    assert_eq!(f.status, 200);
    assert_eq!(f.body, body);

    assert_error(&s.post(up, Some(TOKEN), body), 409, "exists");
    assert_error(
        &s.post("/api/documents?filename=fake.pdf", Some(TOKEN), body),
        415,
        "content_mismatch",
    );

    let r = s.delete("/api/documents/uploads%2Fnew.md", Some(TOKEN));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["deleted"], "uploads/new.md");
    assert!(!corpus.join("uploads/new.md").exists());
    assert_eq!(s.search(&[("q", "narwhal")])["total"], 0);
    assert_eq!(s.get("/healthz").json()["documents"], 10);
    assert_error(
        &s.delete("/api/documents/uploads%2Fnew.md", Some(TOKEN)),
        404,
        "not_found",
    );
}

#[test]
fn bad_parameters_and_hostile_inputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (s, _corpus) = start(&tmp);

    for (qs, param) in [
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=99999999999999999999999", "limit"),
        ("offset=-3", "offset"),
        ("offset=99999999", "offset"),
        ("year_min=x", "year_min"),
        ("year_max=1e3", "year_max"),
        ("year_min=2022&year_max=2020", "year_min"),
        ("passages=99", "passages"),
    ] {
        let r = s.get(&format!("/api/search?q=water&{qs}"));
        let v = assert_error(&r, 400, "invalid_parameter");
        assert_eq!(v["param"], param, "{qs}: {v}");
    }
    let r = s.get("/api/search?q=water&limit=100000");
    assert_eq!(r.status, 200);
    assert!(r.json()["hits"].as_array().map_or(0, Vec::len) <= 100);
    assert_error(&s.get("/no/such/route"), 404, "not_found");
    assert_error(&s.put("/api/search?q=water"), 405, "method_not_allowed");
    assert_error(&s.get("/api/documents/no-such-id"), 404, "not_found");

    // Nothing a client sends may produce a 5xx (or kill the server).
    let ten_kb = "water housing ".repeat(730);
    assert!(ten_kb.len() >= 10_000);
    let nested = format!("{}water{}", "(".repeat(5000), ")".repeat(5000));
    let quotes = "\"".repeat(5001);
    let mixed = "((\"water (\"housing\" OR -(\"(( NOT OR \"\"))".repeat(300);
    let ors = "water OR ".repeat(2000);
    let nots = "-water ".repeat(2000);
    let fields = "title:\"water topic:water year:1900-2100 lang:en type:plan ".repeat(200);
    let long_phrase = format!("\"{}\"", "housing water ".repeat(1500));
    let mut queries: Vec<String> = vec![
        ten_kb,
        nested,
        quotes,
        mixed,
        ors,
        nots,
        fields,
        long_phrase,
        "🚰💧 water ñandú 水 مياه".into(),
        "\u{0}\u{1}\u{1f}\u{7f}\u{85}water\u{2028}\u{feff}".into(),
        "year:99999999999999999999 year:2021-1990 year:-5 year:..".into(),
        "topic: topic:/ topic:// topic:a/b/c/d/e/f lang: type:".into(),
        "* ? ~ ^ \\ : / [ ] { } + - ! && || AND OR NOT".into(),
        "title:".into(),
        "\"".into(),
        "-".into(),
        "OR".into(),
        "NOT".into(),
        "\u{202e}gnisuoh\u{202d}".into(),
        "a".repeat(5000),
    ];
    queries.push("x".repeat(19_999));
    let mut raw: Vec<String> = Vec::new();
    for q in &queries {
        for extra in ["", "&topic=water", "&lang=en&year_min=2000", "&passages=10"] {
            raw.push(format!("/api/search?q={}{extra}", enc(q)));
        }
        raw.push(format!("/api/suggest?q={}", enc(q)));
    }
    for qs in [
        "q=%FF%FE",
        "q=%FF%FEwater&topic=%FF",
        "q=%C0%AF%E2%82",
        "q=water&foo=bar&&&=&==&topic=&lang=&type=&place=",
        "q=water&limit=100000",
        "q=water&offset=-1",
        "q=water&offset=10000",
        "q=water&offset=10001",
        "q=water&limit=100&offset=9999",
        "q=water&year_min=0&year_max=9999",
        "q=water&year_min=99999999999999999999",
        "q=water&passages=0",
        "q=&topic=%2F&topic=%2F%2F&topic=a%2Fb%2Fc%2Fd",
        "q=&topic=%00&lang=%00&type=%00&place=%00",
        "q=&place=Austin%2C%20TX&type=plan&type=report",
        "q=water&lang=EN&language=es",
        "q=%25&limit=%20%2010%20",
        "q",
        "",
    ] {
        raw.push(format!("/api/search?{qs}"));
        raw.push(format!("/api/suggest?{qs}"));
    }
    let long_id = "a".repeat(5000);
    for id in [
        "%00",
        "%FF%FE",
        "..%2F..%2Fetc%2Fpasswd",
        "..",
        "%2E%2E",
        "pdf%2F..%2F..%2Fserver.log",
        "%2Fetc%2Fpasswd",
        long_id.as_str(),
        "%F0%9F%9A%B0",
        "water-shutoffs.md%00.pdf",
    ] {
        raw.push(format!("/api/documents/{id}"));
        raw.push(format!("/api/documents/{id}?text=full"));
        raw.push(format!("/documents/{id}/file"));
        raw.push(format!("/api/related/{id}"));
        raw.push(format!("/api/related/{id}?limit=50"));
    }
    let mut failures = Vec::new();
    for path in &raw {
        let r = s.get(path);
        let shown: String = path.chars().take(120).collect();
        if r.status >= 500 {
            failures.push(format!("{} for GET {shown}: {}", r.status, r.text()));
        } else if path.starts_with("/api/") && serde_json::from_slice::<Value>(&r.body).is_err() {
            failures.push(format!("non-JSON {} for GET {shown}", r.status));
        }
    }
    // Still alive and answering after all that.
    let h = s.get("/healthz");
    assert_eq!(h.status, 200, "server died: {}", h.text());
    assert!(
        failures.is_empty(),
        "{} of {} hostile requests failed:\n{}",
        failures.len(),
        raw.len(),
        failures.join("\n")
    );
}

#[test]
fn a_client_past_its_rate_limit_gets_429_and_the_server_keeps_answering() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    write_small_corpus(&corpus);
    let s = Server::start(tmp.path(), &corpus, &["--rate-limit", "2"]);
    let statuses: Vec<u16> = (0..30)
        .map(|_| s.get("/api/search?q=stormwater").status)
        .collect();
    assert!(statuses.contains(&200), "{statuses:?}");
    assert!(
        statuses.iter().all(|c| *c == 200 || *c == 429),
        "{statuses:?}"
    );
    let limited = s.get("/api/search?q=stormwater");
    let v = assert_error(&limited, 429, "rate_limited");
    assert!(
        limited.header("retry-after").is_some(),
        "{:?} {v}",
        limited.headers
    );
    // The page, the files and health checks are not rate limited.
    assert_eq!(s.get("/healthz").status, 200);
    assert_eq!(s.get("/").status, 200);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(
        s.get("/api/search?q=stormwater").status,
        200,
        "the quota refills"
    );
}
