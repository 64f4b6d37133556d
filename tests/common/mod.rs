//! Helpers shared by the end-to-end tests: running the binary, temp corpora, ../shared.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use polsearch_pdfgen::{Block, PdfDoc, PdfPage};
use serde_json::Value;

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_polsearch"))
}

/// Runs `polsearch` with `args`, asserting success, and returns stdout parsed as JSON.
pub fn run_json(args: &[&str]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "polsearch {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout of {args:?} is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// `polsearch index --corpus CORPUS --index INDEX --json EXTRA...`: the summary.
pub fn index_json(corpus: &Path, index: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "index",
        "--corpus",
        path_str(corpus),
        "--index",
        path_str(index),
        "--json",
    ];
    args.extend_from_slice(extra);
    run_json(&args)
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("polsearch runs")
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// `../shared/<sub>` next to the repository, or `None` with a printed notice.
pub fn shared(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(sub);
    if p.exists() {
        Some(p)
    } else {
        println!("NOTICE: {} is absent; skipping this test", p.display());
        None
    }
}

pub fn pdf(title: Option<&str>, pages: &[&[&str]]) -> Vec<u8> {
    let mut doc = PdfDoc::new();
    doc.info_title = title.map(str::to_string);
    doc.pages = pages
        .iter()
        .map(|paras| PdfPage {
            blocks: paras
                .iter()
                .map(|p| Block::Paragraph((*p).to_string()))
                .collect(),
        })
        .collect();
    doc.to_bytes()
}

/// A small corpus: two PDFs, a Markdown note, an HTML page.
pub fn write_small_corpus(root: &Path) {
    std::fs::create_dir_all(root.join("pdf")).expect("mkdir");
    std::fs::create_dir_all(root.join("web")).expect("mkdir");
    std::fs::write(
        root.join("pdf/stormwater.pdf"),
        pdf(
            Some("Managing Stormwater with Green Infrastructure"),
            &[
                &["Cover page. A brief for mayors on runoff and sewers."],
                &["Combined sewer overflows pollute rivers after heavy rain in older cities."],
                &["Stormwater fees fund green infrastructure such as bioswales, rain gardens and permeable pavement."],
            ],
        ),
    )
    .expect("write pdf");
    std::fs::write(
        root.join("pdf/parking.pdf"),
        pdf(
            Some("Parking Reform"),
            &[
                &["Minimum parking requirements raise the cost of new housing."],
                &["Cities that removed parking minimums saw more homes built near transit."],
            ],
        ),
    )
    .expect("write pdf");
    std::fs::write(
        root.join("water-shutoffs.md"),
        "# Water Shutoff Protections\n\nSeveral cities adopted a moratorium on water shutoffs for low-income households.\n\n## Affordability programs\n\nIncome-based water rates cap bills at a share of household income.\n",
    )
    .expect("write md");
    std::fs::write(
        root.join("web/welcoming.html"),
        "<html lang=\"en\"><head><title>Welcoming Cities | Mayors Network</title></head><body><nav>Home About Contact</nav><main><h1 id=\"top\">Welcoming Cities</h1><p>Immigrant integration offices help newcomers with language access and legal services.</p><h2 id=\"lang\">Language access</h2><p>Interpretation and translation of city services for residents who speak Spanish or Vietnamese.</p></main><footer>Copyright footer text</footer></body></html>",
    )
    .expect("write html");
}

pub mod server;
