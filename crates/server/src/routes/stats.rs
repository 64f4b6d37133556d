//! What people search for: `GET /api/stats?days=30` (admin token) and the page
//! `/admin/stats`, where a person pastes the token into a form (a browser cannot send a
//! bearer header from a link) and reads the same report.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use maud::{html, Markup, DOCTYPE};

use crate::analytics::{Stats, RETENTION_DAYS};
use crate::error::ApiError;
use crate::page::html_response;
use crate::page::render::{head, site_header};
use crate::params::Params;
use crate::routes::admin::{authorize, check_token};
use crate::routes::blocking;
use crate::state::AppState;

const DEFAULT_DAYS: u64 = 30;

async fn report(state: &AppState, days: u64) -> Result<Stats, ApiError> {
    let a = state
        .analytics
        .clone()
        .ok_or_else(|| ApiError::not_found("search analytics are turned off on this server"))?;
    blocking(move || a.stats(days).map_err(ApiError::internal)).await
}

pub async fn api_stats(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<Stats>, ApiError> {
    authorize(&state, &headers)?;
    let days = Params::parse(raw.as_deref())
        .number("days", 1, RETENTION_DAYS)?
        .unwrap_or(DEFAULT_DAYS);
    Ok(Json(report(&state, days).await?))
}

/// `GET /admin/stats`: the token form.
pub async fn page(State(state): State<AppState>) -> Response {
    html_response(StatusCode::OK, shell(&state, None, None).into_string())
}

/// `POST /admin/stats` (form `token`, `days`): the report, or the form again with the reason.
///
/// The body is taken as a `Result` so that a form over the route's size limit (or a body
/// that breaks off) is answered by this page with the reason, not by axum in plain text.
pub async fn page_post(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let status = e.status();
            let reason = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "the form is too large"
            } else {
                "the form could not be read"
            };
            return html_response(status, shell(&state, Some(reason), None).into_string());
        }
    };
    let form = Params::parse(Some(&String::from_utf8_lossy(&body)));
    let token = form.get("token").filter(|t| !t.is_empty());
    let days = form
        .number("days", 1, RETENTION_DAYS)
        .ok()
        .flatten()
        .unwrap_or(DEFAULT_DAYS);
    if let Err(e) = check_token(&state, token) {
        return html_response(
            e.status,
            shell(&state, Some(&e.message), None).into_string(),
        );
    }
    match report(&state, days).await {
        Ok(stats) => html_response(
            StatusCode::OK,
            shell(&state, None, Some(&stats)).into_string(),
        ),
        Err(e) => html_response(
            e.status,
            shell(&state, Some(&e.message), None).into_string(),
        ),
    }
}

fn shell(state: &AppState, error: Option<&str>, stats: Option<&Stats>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(&format!("Search analytics — {}", state.config.site_name), false))
            body {
                (site_header(&state.config.site_name, "Search analytics for staff"))
                main id="main" class="wrap admin-stats" {
                    h1 { "What people search for" }
                    @match stats {
                        Some(s) => (report_markup(s)),
                        None => (token_form(error)),
                    }
                }
            }
        }
    }
}

fn token_form(error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error {
            p class="form-error" role="alert" { (e) }
        }
        form class="stats-form" action="/admin/stats" method="post" {
            p {
                label for="token" { "Admin token" }
                input type="password" id="token" name="token" autocomplete="current-password" required;
            }
            p {
                label for="days" { "Period" }
                select id="days" name="days" {
                    option value="7" { "Last 7 days" }
                    option value="30" selected { "Last 30 days" }
                    option value="90" { "Last 90 days" }
                    option value="365" { "Last year" }
                }
            }
            button type="submit" { "Show analytics" }
        }
    }
}

fn report_markup(s: &Stats) -> Markup {
    let share = if s.searches == 0 {
        0.0
    } else {
        s.zero_result_searches as f64 * 100.0 / s.searches as f64
    };
    html! {
        p class="stats-summary" {
            strong { (s.searches) } " searches in the last " (s.days) " days; "
            strong { (s.zero_result_searches) } " (" (format!("{share:.0}")) "%) found nothing."
        }
        section {
            h2 { "Top queries" }
            (query_table(&s.top_queries, true))
        }
        section {
            h2 { "Queries that found nothing" }
            p { "What the library is missing, or how people word things it calls otherwise." }
            (query_table(&s.zero_result_queries, false))
        }
        section {
            h2 { "Filters used" }
            @if s.top_filters.is_empty() {
                p { "No filters used in this period." }
            } @else {
                table {
                    thead { tr { th scope="col" { "Filter" } th scope="col" { "Searches" } } }
                    tbody {
                        @for f in &s.top_filters {
                            tr { td { (f.filter) } td { (f.count) } }
                        }
                    }
                }
            }
        }
    }
}

fn query_table(rows: &[crate::analytics::QueryStat], with_results: bool) -> Markup {
    html! {
        @if rows.is_empty() {
            p { "None in this period." }
        } @else {
            table {
                thead {
                    tr {
                        th scope="col" { "Query" }
                        th scope="col" { "Searches" }
                        @if with_results { th scope="col" { "Average results" } }
                    }
                }
                tbody {
                    @for r in rows {
                        tr {
                            td {
                                a href=(crate::page::query::PageQuery { q: r.query.clone(), page: 1, ..Default::default() }.url()) { (r.query) }
                            }
                            td { (r.count) }
                            @if with_results { td { (r.avg_results) } }
                        }
                    }
                }
            }
        }
    }
}
