//! Errors: the JSON error every endpoint returns (`{"message","code","type"}`), and the
//! server's own failures at start-up.
//!
//! User input can only ever produce a 4xx; a 500 means a bug or a broken index, and its
//! message is logged rather than shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use thiserror::Error;

/// An error answered to a client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Machine-readable kind (`invalid_parameter`, `not_found`, ...).
    pub kind: &'static str,
    pub message: String,
    /// The parameter at fault, when there is one.
    pub param: Option<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    message: &'a str,
    code: u16,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    param: Option<&'a str>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            message: message.into(),
            param: None,
        }
    }

    /// A 400 naming the parameter at fault.
    pub fn bad_param(param: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            param: Some(param.to_string()),
            ..ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", message)
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// A failure of the server itself; the detail goes to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {detail}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to answer this request; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            message: &self.message,
            code: self.status.as_u16(),
            kind: self.kind,
            param: self.param.as_deref(),
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<polsearch_core::CoreError> for ApiError {
    fn from(e: polsearch_core::CoreError) -> ApiError {
        match e {
            polsearch_core::CoreError::InvalidRequest(msg) => {
                let param = ["year_min", "year_max", "offset", "limit", "q"]
                    .into_iter()
                    .find(|p| msg.starts_with(p));
                ApiError {
                    param: param.map(str::to_string),
                    ..ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", msg)
                }
            }
            other => ApiError::internal(other),
        }
    }
}

/// Failures that stop the server from starting or running.
#[derive(Debug, Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error(transparent)]
    Core(#[from] polsearch_core::CoreError),
    #[error(transparent)]
    Analytics(#[from] crate::analytics::AnalyticsError),
}
