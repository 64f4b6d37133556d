//! Extraction isolation under stress, end to end: a live `polsearch serve` receives
//! pathological PDFs built here, byte-level mutants of the sample corpus, and (when present)
//! a sample of ../shared/hostile-pdf, all uploaded at once from several threads together
//! with good documents while another thread keeps searching. Every hostile file must cost
//! at most itself: indexed, or refused with its name and a reason, never a 5xx to a search,
//! a dead server, a lost good upload or a hang. And `serve` killed with SIGKILL in the
//! middle of uploads starts again with every document of its corpus exactly once.
//!
//! The random choices (mutations, the shared sample, kill moments) come from one seed,
//! printed by each test; `HOSTILE_SEED=N` reruns with another. `HOSTILE_ALL=1` uploads every
//! file of ../shared/hostile-pdf instead of a sample.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use common::server::{enc, Resp, Server, TOKEN};
use common::*;
use polsearch_core::record::stored_documents;
use polsearch_core::Store;

/// Worker limits low enough that a looping or ballooning PDF is stopped quickly.
const SERVE_FLAGS: &[&str] = &[
    "--rate-limit",
    "0",
    "--pdf-timeout",
    "3",
    "--pdf-memory-mb",
    "768",
    "--threads",
    "2",
];

/// The documents of `write_small_corpus`.
const BASE_IDS: [&str; 4] = [
    "pdf/stormwater.pdf",
    "pdf/parking.pdf",
    "water-shutoffs.md",
    "web/welcoming.html",
];

fn seed() -> u64 {
    let seed = std::env::var("HOSTILE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_0008);
    println!("seed {seed} (HOSTILE_SEED={seed} reproduces this run)");
    seed
}

// ---------------------------------------------------------------------------------------
// Pathological PDFs, written byte by byte.
// ---------------------------------------------------------------------------------------

/// A PDF of numbered objects with a correct xref table, so that a parser gets past the
/// structure to the hostile part. `trailer` is added to the trailer dictionary.
fn raw_pdf(objects: &[(u32, Vec<u8>)], trailer: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = HashMap::new();
    for (num, body) in objects {
        offsets.insert(*num, out.len());
        out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = objects.iter().map(|o| o.0).max().unwrap_or(0) + 1;
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    for n in 0..size {
        match offsets.get(&n) {
            Some(off) => out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 65535 f \n"),
        }
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R {trailer} >>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

/// A stream object with a truthful /Length.
fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut b = format!("<< /Length {} {dict} >>\nstream\n", data.len()).into_bytes();
    b.extend_from_slice(data);
    b.extend_from_slice(b"\nendstream");
    b
}

/// Catalog (1), pages (2), one page (3) with `page_extra` in its dictionary and
/// `resources_extra` in its resources, a font (4), the content stream (5), then `more`.
fn one_page(
    content: Vec<u8>,
    page_extra: &str,
    resources_extra: &str,
    more: Vec<(u32, Vec<u8>)>,
) -> Vec<u8> {
    let mut objects = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (
            3,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> {resources_extra} >> /Contents 5 0 R {page_extra} >>"
            )
            .into_bytes(),
        ),
        (
            4,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ),
        (5, content),
    ];
    objects.extend(more);
    raw_pdf(&objects, "")
}

const TEXT: &[u8] = b"BT /F1 12 Tf 72 700 Td (A hostile page about stormwater) Tj ET";

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).expect("deflate in memory");
    z.finish().expect("deflate in memory")
}

/// `GiB` gibibytes of zeros through a streaming zlib encoder, never held in memory.
fn zlib_zeros(gib: usize) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    for _ in 0..gib * 1024 {
        z.write_all(&block).expect("deflate in memory");
    }
    z.finish().expect("deflate in memory")
}

/// An xref chain that loops: one section whose /Prev is itself, or two pointing at each
/// other, appended to `base` as incremental updates. Offsets are written with ten digits so
/// that each section's length is known before the offsets in it.
fn with_xref_loop(mut base: Vec<u8>, mutual: bool) -> Vec<u8> {
    let section = |prev: usize| {
        format!(
            "xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 6 /Root 1 0 R /Prev {prev:010} >>\n"
        )
    };
    let a = base.len();
    let len = section(0).len();
    if mutual {
        let b = a + len;
        base.extend_from_slice(section(b).as_bytes());
        base.extend_from_slice(section(a).as_bytes());
        base.extend_from_slice(format!("startxref\n{b}\n%%EOF\n").as_bytes());
    } else {
        base.extend_from_slice(section(a).as_bytes());
        base.extend_from_slice(format!("startxref\n{a}\n%%EOF\n").as_bytes());
    }
    base
}

/// The pathological PDFs, by name.
fn pathological() -> Vec<(String, Vec<u8>)> {
    const DEEP: usize = 100_000;
    let mut out: Vec<(&str, Vec<u8>)> = Vec::new();
    let text = || stream("", TEXT);

    let arrays = format!("/Deep {}{}", "[".repeat(DEEP), "]".repeat(DEEP));
    out.push(("deep-arrays", one_page(text(), &arrays, "", vec![])));
    let dicts = format!("/Deep {}{}", "<< /A ".repeat(DEEP), ">> ".repeat(DEEP));
    out.push(("deep-dicts", one_page(text(), &dicts, "", vec![])));
    let unclosed = format!("/Deep {}", "[<< /A ".repeat(DEEP));
    out.push(("deep-unclosed", one_page(text(), &unclosed, "", vec![])));
    let mut saves = "q ".repeat(DEEP).into_bytes();
    saves.extend_from_slice(TEXT);
    saves.extend_from_slice(" Q".repeat(DEEP).as_bytes());
    out.push((
        "deep-content-saves",
        one_page(stream("", &saves), "", "", vec![]),
    ));
    let tj = format!(
        "BT /F1 12 Tf 72 700 Td {}(deep){} TJ ET",
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    );
    out.push((
        "deep-content-arrays",
        one_page(stream("", tj.as_bytes()), "", "", vec![]),
    ));

    // Declared sizes in the gigabytes: a stream /Length, a page count, an image.
    let mut lying = b"<< /Length 8000000000 >>\nstream\n".to_vec();
    lying.extend_from_slice(TEXT);
    lying.extend_from_slice(b"\nendstream");
    out.push(("huge-length", one_page(lying, "", "", vec![])));
    let mut count = one_page(text(), "", "", vec![]);
    let at = find(&count, b"/Count 1").expect("the page count is written");
    count.splice(at..at + 8, b"/Count 2147483647".iter().copied());
    // The splice moved the offsets after it; the xref is wrong by 9 bytes, which parsers
    // repair (and which is one more oddity to survive).
    out.push(("huge-page-count", count));
    let image = stream(
        "/Type /XObject /Subtype /Image /Width 200000 /Height 200000 /BitsPerComponent 8 /ColorSpace /DeviceRGB /Filter /FlateDecode",
        &zlib(&[0u8; 4096]),
    );
    out.push((
        "huge-image",
        one_page(
            stream("", b"q 612 0 0 792 0 0 cm /Im1 Do Q"),
            "",
            "/XObject << /Im1 6 0 R >>",
            vec![(6, image)],
        ),
    ));
    out.push((
        "huge-startxref",
        one_page(text(), "", "", vec![])
            .into_iter()
            .chain(b"startxref\n99999999999999999999\n%%EOF\n".iter().copied())
            .collect(),
    ));

    // Reference cycles.
    let cycle = raw_pdf(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [6 0 R 3 0 R] /Count 2 >>".to_vec()),
            (
                6,
                b"<< /Type /Pages /Kids [2 0 R 6 0 R] /Parent 2 0 R /Count 2 >>".to_vec(),
            ),
            (
                3,
                b"<< /Type /Page /Parent 6 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
                    .to_vec(),
            ),
            (
                4,
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
            ),
            (5, stream("", TEXT)),
        ],
        "",
    );
    out.push(("cycle-kids-parent", cycle));
    out.push((
        "cycle-self-reference",
        one_page(
            b"5 0 R".to_vec(),
            "/Loop 6 0 R",
            "",
            vec![(6, b"<< /Self 6 0 R /Next [6 0 R] >>".to_vec())],
        ),
    ));
    out.push((
        "cycle-xref-prev-self",
        with_xref_loop(one_page(text(), "", "", vec![]), false),
    ));
    out.push((
        "cycle-xref-prev-mutual",
        with_xref_loop(one_page(text(), "", "", vec![]), true),
    ));
    // A form XObject that draws itself: an endless operator loop through Do.
    let form = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /X1 6 0 R >> >>",
        b"/X1 Do",
    );
    let mut draw = b"/X1 Do ".to_vec();
    draw.extend_from_slice(TEXT);
    out.push((
        "cycle-form-draws-itself",
        one_page(
            stream("", &draw),
            "",
            "/XObject << /X1 6 0 R >>",
            vec![(6, form)],
        ),
    ));

    // Decompression bombs: 1 GiB of zeros once deflated (about 1 MB), and the same deflated
    // twice (a few KB on disk).
    let gib = zlib_zeros(1);
    let twice = zlib(&gib);
    println!(
        "flate bomb: {} bytes -> 1 GiB; double flate bomb: {} bytes",
        gib.len(),
        twice.len()
    );
    out.push((
        "bomb-flate",
        one_page(stream("/Filter /FlateDecode", &gib), "", "", vec![]),
    ));
    out.push((
        "bomb-flate-twice",
        one_page(
            stream("/Filter [/FlateDecode /FlateDecode]", &twice),
            "",
            "",
            vec![],
        ),
    ));

    // Huge repetition: two million text-showing operators (about 80 MB of content, a few
    // hundred KB compressed).
    let flood = b"BT /F1 12 Tf 72 700 Td (flood) Tj ET\n".repeat(2_000_000);
    out.push((
        "flood-operators",
        one_page(
            stream("/Filter /FlateDecode", &zlib(&flood)),
            "",
            "",
            vec![],
        ),
    ));

    out.into_iter()
        .map(|(n, b)| (format!("{n}.pdf"), b))
        .collect()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Byte-level mutants of the sample corpus's PDFs: bit flips, truncations, duplicated and
/// deleted chunks.
fn mutants(rng: &mut fastrand::Rng, count: usize) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/pdf");
    let mut bases: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus/pdf")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    bases.sort();
    assert!(!bases.is_empty(), "no PDFs in {}", dir.display());
    (0..count)
        .map(|i| {
            let base = &bases[rng.usize(..bases.len())];
            let mut b = std::fs::read(base).expect("read corpus pdf");
            let len = b.len();
            let kind = match i % 4 {
                0 => {
                    for _ in 0..rng.usize(1..=16) {
                        let at = rng.usize(8..len);
                        b[at] ^= 1 << rng.u8(0..8);
                    }
                    "flip"
                }
                1 => {
                    b.truncate(rng.usize(len / 20..len - 1).max(16));
                    "truncate"
                }
                2 => {
                    for _ in 0..rng.usize(1..=4) {
                        let start = rng.usize(8..b.len() - 1);
                        let end = (start + rng.usize(1..4096)).min(b.len());
                        let chunk = b[start..end].to_vec();
                        let at = rng.usize(8..b.len());
                        b.splice(at..at, chunk);
                    }
                    "duplicate"
                }
                _ => {
                    for _ in 0..rng.usize(1..=4) {
                        let start = rng.usize(8..b.len() - 1);
                        let end = (start + rng.usize(1..4096)).min(b.len() - 1);
                        b.drain(start..end);
                    }
                    "delete"
                }
            };
            let stem = base.file_stem().and_then(|s| s.to_str()).unwrap_or("pdf");
            (format!("mutant-{i:02}-{kind}-{stem}.pdf"), b)
        })
        .collect()
}

/// Good documents, each with a word found nowhere else: PDFs and Markdown notes.
fn good_docs(tag: &str, n: usize) -> Vec<(String, Vec<u8>, String)> {
    (0..n)
        .map(|i| {
            let word = format!("quokka{tag}{i}zx");
            let body = format!("This brief on {word} covers bike lanes and stormwater fees.");
            if i % 2 == 0 {
                let bytes = pdf(
                    Some(&format!("Good brief {tag} {i}")),
                    &[&[&body], &["A second page on transit."]],
                );
                (format!("good-{tag}-{i}.pdf"), bytes, word)
            } else {
                let bytes = format!("# Good note {tag} {i}\n\n{body}\n").into_bytes();
                (format!("good-{tag}-{i}.md"), bytes, word)
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Uploading at once while searching.
// ---------------------------------------------------------------------------------------

/// An agent for uploads: they queue for the one indexing run at a time, so their deadline
/// (a hang guard) is longer than the helper's.
fn upload_agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(300)))
            .build(),
    )
}

fn upload(agent: &ureq::Agent, s: &Server, name: &str, body: &[u8]) -> Result<Resp, String> {
    let req = agent
        .post(s.url(&format!("/api/documents?filename={}", enc(name))))
        .header("Authorization", format!("Bearer {TOKEN}"));
    Server::try_read(req.send(body))
}

struct Storm {
    /// Each upload's name and its answer (or transport error).
    results: Vec<(String, Result<Resp, String>)>,
    searches: usize,
    /// Searches or health checks that did not answer 200, and transport errors.
    search_problems: Vec<String>,
}

/// Uploads `files` from `uploaders` threads at once while one thread searches and checks
/// health until the uploads are done.
fn storm(s: &Server, files: Vec<(String, Vec<u8>)>, uploaders: usize, words: &[String]) -> Storm {
    let queue = Mutex::new(files);
    let results = Mutex::new(Vec::new());
    let done = AtomicBool::new(false);
    let mut searches = 0;
    let mut search_problems = Vec::new();
    std::thread::scope(|scope| {
        let searcher = scope.spawn(|| {
            let mut queries: Vec<String> = ["stormwater", "parking minimums", "water shutoffs"]
                .iter()
                .map(|q| q.to_string())
                .collect();
            queries.extend(words.iter().cloned());
            let mut n = 0;
            let mut problems = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let q = &queries[n % queries.len()];
                for path in [format!("/api/search?q={}", enc(q)), "/healthz".to_string()] {
                    match Server::try_read(s.agent.get(s.url(&path)).call()) {
                        Ok(r) if r.status == 200 => {}
                        Ok(r) => problems.push(format!("{path}: {} {}", r.status, r.text())),
                        Err(e) => problems.push(format!("{path}: {e}")),
                    }
                }
                n += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            (n, problems)
        });
        let workers: Vec<_> = (0..uploaders)
            .map(|_| {
                scope.spawn(|| {
                    let agent = upload_agent();
                    loop {
                        let next = queue.lock().expect("queue").pop();
                        let Some((name, bytes)) = next else { break };
                        let r = upload(&agent, s, &name, &bytes);
                        results.lock().expect("results").push((name, r));
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("uploader thread");
        }
        done.store(true, Ordering::Relaxed);
        let (n, problems) = searcher.join().expect("searcher thread");
        searches = n;
        search_problems = problems;
    });
    Storm {
        results: results.into_inner().expect("results"),
        searches,
        search_problems,
    }
}

fn is_pdf(bytes: &[u8]) -> bool {
    polsearch_extract::Format::sniff(Path::new("x.pdf"), &bytes[..bytes.len().min(1024)])
        == Some(polsearch_extract::Format::Pdf)
}

fn assert_exactly_once(index: &Path) -> Vec<String> {
    let store = Store::open(index).expect("the index opens");
    let searcher = store.index.reader().expect("reader").searcher();
    let docs = stored_documents(&searcher, &store.fields).expect("stored documents");
    let mut seen: HashMap<String, usize> = HashMap::new();
    for d in &docs {
        *seen.entry(d.id.clone()).or_default() += 1;
    }
    let dups: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dups.is_empty(), "duplicated documents: {dups:?}");
    let mut ids: Vec<String> = seen.into_keys().collect();
    ids.sort();
    ids
}

/// Uploads `hostile` and a few good documents at once, then checks that each hostile file
/// was indexed or refused with its name and a reason, that every good one is searchable,
/// that searches never failed, and that the index holds each document once.
fn hostile_storm(label: &str, hostile: Vec<(String, Vec<u8>)>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    write_small_corpus(&corpus);
    let mut s = Server::start(tmp.path(), &corpus, SERVE_FLAGS);
    let good = good_docs(label, 6);
    let words: Vec<String> = good.iter().map(|g| g.2.clone()).collect();
    let sniffed_pdf: HashMap<String, bool> = hostile
        .iter()
        .map(|(n, b)| (n.clone(), is_pdf(b)))
        .collect();
    let mut files = hostile.clone();
    // Good documents first, last and in between, so some wait behind hostile ones.
    for (i, (name, bytes, _)) in good.iter().enumerate() {
        let at = (i * files.len()) / good.len().max(1);
        files.insert(at, (name.clone(), bytes.clone()));
    }
    let total = files.len();
    println!(
        "{label}: uploading {} hostile and {} good files from 4 threads",
        hostile.len(),
        good.len()
    );
    let st = storm(&s, files, 4, &words);
    assert_eq!(st.results.len(), total);
    println!("{label}: {} search rounds during the uploads", st.searches);
    assert!(
        st.search_problems.is_empty(),
        "searches or health checks failed during the uploads:\n{}",
        st.search_problems.join("\n")
    );
    assert!(s.alive(), "the server died");

    let by_name: HashMap<&str, &Result<Resp, String>> =
        st.results.iter().map(|(n, r)| (n.as_str(), r)).collect();
    let mut problems = Vec::new();
    let mut expected: Vec<String> = BASE_IDS.iter().map(|s| s.to_string()).collect();
    for (name, _, word) in &good {
        match by_name[name.as_str()] {
            Ok(r) if r.status == 201 => {}
            Ok(r) => problems.push(format!("good {name}: {} {}", r.status, r.text())),
            Err(e) => problems.push(format!("good {name}: {e}")),
        }
        let found = s.search(&[("q", word)]);
        let hits: Vec<&str> = found["hits"]
            .as_array()
            .map(|h| h.iter().filter_map(|h| h["id"].as_str()).collect())
            .unwrap_or_default();
        if hits != [format!("uploads/{name}").as_str()] {
            problems.push(format!("good {name}: search for {word} found {hits:?}"));
        }
        expected.push(format!("uploads/{name}"));
    }
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for (name, _) in &hostile {
        let r = match by_name[name.as_str()] {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
        let message = v["message"].as_str().unwrap_or("");
        let kind = v["type"].as_str().unwrap_or("");
        let stored = corpus.join("uploads").join(name);
        match (r.status, kind) {
            (201, _) => {
                expected.push(format!("uploads/{name}"));
                let doc = s.get(&format!(
                    "/api/documents/{}",
                    enc(&format!("uploads/{name}"))
                ));
                if doc.status != 200 {
                    problems.push(format!(
                        "{name}: uploaded (201) but not found: {}",
                        doc.status
                    ));
                }
                *outcomes.entry("indexed".into()).or_default() += 1;
            }
            (422, "extraction_failed") => {
                let reason = message
                    .strip_prefix(&format!("{name} could not be indexed: "))
                    .unwrap_or("");
                if reason.trim().is_empty() {
                    problems.push(format!(
                        "{name}: a failure without its name and reason: {v}"
                    ));
                }
                if stored.exists() {
                    problems.push(format!("{name}: failed but left in the corpus"));
                }
                let gist: String = reason.chars().take(60).collect();
                println!("  not indexed: {name}: {reason}");
                *outcomes.entry(format!("failed: {gist}")).or_default() += 1;
            }
            // A mutant whose header was destroyed is no longer a PDF: refused as such.
            (415, "content_mismatch") if !sniffed_pdf[name] => {
                *outcomes.entry("refused: not a PDF".into()).or_default() += 1;
            }
            (status, _) => problems.push(format!("{name}: unexpected {status}: {}", r.text())),
        }
    }
    println!("{label} outcomes:");
    for (k, n) in &outcomes {
        println!("  {n:3} {k}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let health = s.get("/healthz");
    assert_eq!(health.status, 200, "{}", health.text());
    assert_eq!(
        health.json()["documents"].as_u64(),
        Some(expected.len() as u64),
        "{}",
        health.text()
    );
    expected.sort();
    assert_eq!(assert_exactly_once(&tmp.path().join("index")), expected);
    s.kill();
}

#[test]
fn pathological_and_mutant_pdfs_uploaded_at_once_cost_only_themselves() {
    let mut rng = fastrand::Rng::with_seed(seed());
    let mut hostile = pathological();
    hostile.extend(mutants(&mut rng, 24));
    hostile.sort();
    hostile_storm("built", hostile);
}

#[test]
fn shared_hostile_pdfs_uploaded_at_once_cost_only_themselves() {
    let Some(dir) = shared("hostile-pdf") else {
        return;
    };
    let mut rng = fastrand::Rng::with_seed(seed());
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("hostile-pdf")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let all = paths.len();
    rng.shuffle(&mut paths);
    if std::env::var_os("HOSTILE_ALL").is_none() {
        paths.truncate(60);
    }
    println!("../shared/hostile-pdf: {} of {all} files", paths.len());
    let hostile = paths
        .iter()
        .map(|p| {
            let stem: String = p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("file")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                .take(150)
                .collect();
            let bytes = std::fs::read(p).expect("read hostile pdf");
            (format!("shared-{stem}.pdf"), bytes)
        })
        .collect();
    hostile_storm("shared", hostile);
}

// ---------------------------------------------------------------------------------------
// SIGKILL during uploads.
// ---------------------------------------------------------------------------------------

/// SIGKILL by pid (the uploader threads still hold the server helper).
fn sigkill(pid: u32) {
    let st = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(st.success(), "kill -9 {pid} failed");
}

/// Running `extract-worker` processes started by process `parent` (their command line
/// names it; once it is dead they belong to init, so their parent id says nothing).
fn workers_of(parent: u32) -> Vec<String> {
    let tag = format!("--parent {parent} ");
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    procs
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains("extract-worker") && c.contains(&tag))
        .collect()
}

/// Corpus-relative paths of the files indexing would see (hidden ones are skipped).
fn corpus_paths(root: &Path) -> HashSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut HashSet<String>) {
        for e in std::fs::read_dir(dir).expect("read corpus dir").flatten() {
            let p = e.path();
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out);
            } else if let Ok(rel) = p.strip_prefix(root) {
                out.insert(rel.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = HashSet::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn serve_killed_during_uploads_restarts_with_each_document_once() {
    let mut rng = fastrand::Rng::with_seed(seed());
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    write_small_corpus(&corpus);
    let good = good_docs("kill", 18);
    // One file whose extraction takes long (its worker is stopped at the limit), so that
    // some kills land while a worker runs.
    let slow = pathological()
        .into_iter()
        .filter(|(n, _)| n == "bomb-flate.pdf" || n == "flood-operators.pdf")
        .collect::<Vec<_>>();
    let mut pending: Vec<(String, Vec<u8>)> = good
        .iter()
        .map(|(n, b, _)| (n.clone(), b.clone()))
        .chain(slow.iter().cloned())
        .collect();
    rng.shuffle(&mut pending);
    let mut kills = 0;
    for round in 0..4 {
        let log = tmp.path().join(format!("serve-{round}.log"));
        let mut s = Server::start_at(&index, &log, &corpus, SERVE_FLAGS);
        let batch: Vec<_> = pending.drain(..pending.len().min(6)).collect();
        let delay = Duration::from_millis(rng.u64(100..2500));
        let results = Mutex::new(Vec::new());
        let server_pid = s.pid();
        std::thread::scope(|scope| {
            for chunk in batch.chunks(2) {
                let (results, s) = (&results, &s);
                scope.spawn(move || {
                    let agent = upload_agent();
                    for (name, bytes) in chunk {
                        let r = upload(&agent, s, name, bytes);
                        results.lock().expect("results").push((name.clone(), r));
                    }
                });
            }
            std::thread::sleep(delay);
            // The uploads in flight then see their connection closed.
            sigkill(server_pid);
            kills += 1;
        });
        s.kill();
        // A worker must not outlive its server: it would go on burning CPU and memory
        // for a run that no longer exists. Its death is asynchronous, hence the wait.
        let mut orphans = workers_of(server_pid);
        for _ in 0..20 {
            if orphans.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
            orphans = workers_of(server_pid);
        }
        assert!(
            orphans.is_empty(),
            "workers outlived the killed server: {orphans:?}"
        );
        let results = results.into_inner().expect("results");
        let answered = results.iter().filter(|(_, r)| r.is_ok()).count();
        println!(
            "round {round}: killed after {} ms; {answered} of {} uploads answered",
            delay.as_millis(),
            batch.len()
        );
        // What was not answered may or may not have reached the corpus: upload it again
        // after the restart (409 then says it had).
        for (name, bytes) in batch {
            if !results.iter().any(|(n, r)| *n == name && r.is_ok()) {
                pending.push((name, bytes));
            }
        }
    }
    println!(
        "{kills} kills; {} uploads left for the last start",
        pending.len()
    );

    let log = tmp.path().join("serve-final.log");
    let mut s = Server::start_at(&index, &log, &corpus, SERVE_FLAGS);
    let startup = std::fs::read_to_string(&log).unwrap_or_default();
    let on_disk = corpus_paths(&corpus);
    let indexed: HashSet<String> = assert_exactly_once(&index).into_iter().collect();
    for path in &on_disk {
        assert!(
            indexed.contains(path) || startup.contains(&format!("not indexed: {path}: ")),
            "{path} is in the corpus but neither indexed nor reported; log:\n{startup}"
        );
    }
    for id in &indexed {
        assert!(
            on_disk.contains(id),
            "{id} is indexed but not in the corpus"
        );
    }
    assert_eq!(
        s.search(&[("q", "stormwater")])["hits"][0]["id"],
        "pdf/stormwater.pdf"
    );

    // The uploads that never got an answer, once more: now every good document is there
    // exactly once.
    let agent = upload_agent();
    for (name, bytes) in &pending {
        let r = upload(&agent, &s, name, bytes).expect("the restarted server answers");
        let slow_one = slow.iter().any(|(n, _)| n == name);
        assert!(
            matches!(r.status, 201 | 409) || (slow_one && r.status == 422),
            "{name}: {} {}",
            r.status,
            r.text()
        );
    }
    for (name, _, word) in &good {
        let found = s.search(&[("q", word)]);
        assert_eq!(
            found["hits"][0]["id"],
            format!("uploads/{name}"),
            "{word}: {found}"
        );
        assert_eq!(found["total"], 1, "{word}: {found}");
    }
    let ids = assert_exactly_once(&index);
    for (name, _, _) in &good {
        assert!(ids.contains(&format!("uploads/{name}")), "{name} lost");
    }
    for base in BASE_IDS {
        assert!(ids.iter().any(|i| i == base), "{base} lost");
    }
    s.kill();
}
