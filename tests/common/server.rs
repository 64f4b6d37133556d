//! A running `polsearch serve` for the end-to-end HTTP tests: started on a free port,
//! requests through ureq, killed when dropped.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use super::{bin, path_str};

/// The admin token every test server is started with.
pub const TOKEN: &str = "secret";

/// A running `polsearch serve`, killed when dropped (also when a test panics).
pub struct Server {
    child: Child,
    pub base: String,
    pub log: PathBuf,
    pub agent: ureq::Agent,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("---- server log ({}) ----\n{log}", self.log.display());
        }
    }
}

pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}), status {}: {}",
                self.status,
                self.text().chars().take(500).collect::<String>()
            )
        })
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Server {
    /// Starts `polsearch serve` (which indexes `corpus` first) and waits for its port.
    /// These tests send requests back to back, so the rate limit is off unless `extra`
    /// sets one.
    pub fn start(tmp: &Path, corpus: &Path, extra: &[&str]) -> Server {
        Server::start_at(&tmp.join("index"), &tmp.join("server.log"), corpus, extra)
    }

    /// [`Server::start`] with the index folder and the log file (stderr) named: a server
    /// started again on the same index after a kill.
    pub fn start_at(index: &Path, log: &Path, corpus: &Path, extra: &[&str]) -> Server {
        let index = index.to_path_buf();
        let log = log.to_path_buf();
        let log_file = std::fs::File::create(&log).expect("log file");
        let mut cmd = bin();
        for (k, _) in std::env::vars() {
            if k.starts_with("POLSEARCH_") {
                cmd.env_remove(k);
            }
        }
        let mut child = cmd
            .args([
                "serve",
                "--corpus",
                path_str(corpus),
                "--index",
                path_str(&index),
                "--addr",
                "127.0.0.1:0",
            ])
            .args(if extra.is_empty() {
                &["--rate-limit", "0"][..]
            } else {
                extra
            })
            .env("POLSEARCH_ADMIN_TOKEN", TOKEN)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("polsearch serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(120)))
                .build(),
        );
        let mut server = Server {
            child,
            base: String::new(),
            log,
            agent,
        };
        // Read the first line on a thread (with a deadline), then keep draining stdout.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            let mut line = String::new();
            let _ = r.read_line(&mut line);
            let _ = tx.send(line);
            let _ = std::io::copy(&mut r, &mut std::io::sink());
        });
        let line = rx
            .recv_timeout(Duration::from_secs(300))
            .expect("polsearch serve printed its address in time");
        let addr = line
            .trim()
            .strip_prefix("polsearch listening on ")
            .unwrap_or_else(|| panic!("unexpected first line of stdout: {line:?}"));
        assert!(addr.starts_with("http://127.0.0.1:"), "{addr}");
        server.base = addr.to_string();
        server
    }

    /// Kills the server with SIGKILL (what `Child::kill` sends on Unix) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn read(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>, what: &str) -> Resp {
        Self::try_read(resp).unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    /// The response, or the transport error as text (a server that died mid-request).
    pub fn try_read(
        resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Resp, String> {
        let mut resp = resp.map_err(|e| format!("transport error {e}"))?;
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let content_type = headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut body = Vec::new();
        resp.body_mut()
            .as_reader()
            .read_to_end(&mut body)
            .map_err(|e| format!("reading the body: {e}"))?;
        Ok(Resp {
            status,
            content_type,
            headers,
            body,
        })
    }

    pub fn get(&self, path: &str) -> Resp {
        Self::read(self.agent.get(self.url(path)).call(), path)
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &[u8]) -> Resp {
        let mut req = self.agent.post(self.url(path));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::read(req.send(body), path)
    }

    pub fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        let mut req = self.agent.delete(self.url(path));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        Self::read(req.call(), path)
    }

    pub fn put(&self, path: &str) -> Resp {
        Self::read(self.agent.put(self.url(path)).send_empty(), path)
    }

    /// `GET /api/search` with these parameters, asserting a 200 with JSON.
    pub fn search(&self, params: &[(&str, &str)]) -> Value {
        let path = format!("/api/search?{}", query_string(params));
        let r = self.get(&path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert!(r.content_type.starts_with("application/json"), "{path}");
        r.json()
    }
}

/// Percent-encodes everything but ASCII letters, digits and `-._~`.
pub fn enc(s: &str) -> String {
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

pub fn query_string(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}
