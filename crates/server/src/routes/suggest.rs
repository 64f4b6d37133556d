//! `GET /api/suggest?q=prefix`: completions for a search box, called on every keystroke.
//!
//! The suggester is rebuilt in the background when the index changes; until the new one is
//! ready the previous one answers, so a keystroke never waits for a rebuild.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::Json;
use polsearch_core::{Suggester, Suggestion};
use serde::Serialize;

use crate::error::ApiError;
use crate::params::Params;
use crate::routes::blocking;
use crate::state::AppState;

/// Longest prefix looked at.
const MAX_PREFIX_CHARS: usize = 200;

#[derive(Serialize)]
pub struct Suggestions {
    pub query: String,
    pub suggestions: Vec<Suggestion>,
}

pub async fn suggest(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Suggestions>, ApiError> {
    let p = Params::parse(raw.as_deref());
    let q = p.text("q", MAX_PREFIX_CHARS)?;
    let limit = p.number("limit", 1, 20)?.unwrap_or(8) as usize;
    let suggester = match current(&state) {
        Some(s) => s,
        None => {
            let st = state.clone();
            blocking(move || build(&st)).await?
        }
    };
    Ok(Json(Suggestions {
        suggestions: suggester.suggest(&q, limit),
        query: q,
    }))
}

fn build(state: &AppState) -> Result<Arc<Suggester>, ApiError> {
    let s = Arc::new(Suggester::build(&state.store, &state.searcher())?);
    if let Ok(mut slot) = state.suggester.write() {
        *slot = Some(s.clone());
    }
    Ok(s)
}

/// The suggester on hand, starting a rebuild when the index has moved on.
fn current(state: &AppState) -> Option<Arc<Suggester>> {
    let generation = state.searcher().generation().generation_id();
    let have = state.suggester.read().ok().and_then(|s| s.clone());
    if have.as_ref().is_none_or(|s| s.generation() != generation) {
        refresh(state);
    }
    have
}

/// Rebuilds the suggester in the background, once at a time.
pub fn refresh(state: &AppState) {
    if state.suggester_building.swap(true, Ordering::SeqCst) {
        return;
    }
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        match build(&st) {
            Ok(s) => tracing::info!(
                "suggestions rebuilt: {} entries in {:.2} s",
                s.len(),
                started.elapsed().as_secs_f64()
            ),
            Err(e) => tracing::warn!("rebuilding suggestions failed: {}", e.message),
        }
        st.suggester_building.store(false, Ordering::SeqCst);
    });
}

/// A correction of `query` when some of its words are unknown to the library, from the
/// suggester on hand (built first if there is none yet). Runs on the blocking pool.
pub fn did_you_mean(state: &AppState, query: &str) -> Option<String> {
    if query.trim().is_empty() {
        return None;
    }
    let s = match current(state) {
        Some(s) => s,
        None => build(state).ok()?,
    };
    s.correct(&state.store, &state.searcher(), query)
}
