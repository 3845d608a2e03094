//! The daemons' HTTP server: `GET /metrics` is the registry in Prometheus' text format;
//! `GET /healthz` and `/readyz` are the probes (200 `ok`, or 503 saying why: see
//! [`crate::health`]). Anything else is an error status. One task accepts
//! connections, one task serves each (hyper, HTTP/1.1).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;

use crate::health::Health;

/// The content type of prometheus-client's text encoding.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Binds `address` and serves `registry` and `health` there from a background task. A bind
/// failure is logged and returns: metrics must not stop time synchronisation.
pub async fn spawn_server(address: SocketAddr, registry: Arc<Registry>, health: Health) {
    match TcpListener::bind(address).await {
        Ok(listener) => {
            tracing::info!("metrics on http://{address}/metrics");
            tokio::spawn(serve(listener, registry, health));
        }
        Err(e) => tracing::error!("no metrics: cannot bind {address}: {e}"),
    }
}

async fn serve(listener: TcpListener, registry: Arc<Registry>, health: Health) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, most likely: wait rather than spin.
                tracing::warn!("metrics: accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let (registry, health) = (registry.clone(), health.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let response = respond(&registry, &health, request.method(), request.uri().path());
                async move { Ok::<_, Infallible>(response) }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("metrics connection: {e}");
            }
        });
    }
}

/// `GET /metrics` is the encoded registry, `/healthz` and `/readyz` the probes; anything
/// else is an error status.
fn respond(
    registry: &Registry,
    health: &Health,
    method: &Method,
    path: &str,
) -> Response<Full<Bytes>> {
    let probe = |ok: bool, why: &str| {
        if ok {
            (StatusCode::OK, "text/plain", "ok\n".to_owned())
        } else {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain",
                format!("{why}\n"),
            )
        }
    };
    let (status, content_type, body) = if !matches!(path, "/metrics" | "/healthz" | "/readyz") {
        (
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found\n".to_owned(),
        )
    } else if method != Method::GET && method != Method::HEAD {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "method not allowed\n".to_owned(),
        )
    } else if path == "/healthz" {
        probe(
            health.alive(std::time::Instant::now()),
            "the main loop has stopped beating",
        )
    } else if path == "/readyz" {
        probe(health.ready(), health.not_ready_because())
    } else {
        let mut text = String::new();
        match prometheus_client::encoding::text::encode(&mut text, registry) {
            Ok(()) => (StatusCode::OK, CONTENT_TYPE, text),
            Err(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain",
                "cannot encode the metrics\n".to_owned(),
            ),
        }
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::metrics::counter::Counter;

    #[test]
    fn only_get_metrics_and_the_probes_are_served() {
        let mut registry = Registry::default();
        let counter: Counter = Counter::default();
        counter.inc();
        registry.register("things", "Things counted", counter);
        let health = Health::new("nothing applied yet");
        let get = |path| respond(&registry, &health, &Method::GET, path);
        let r = get("/metrics");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[hyper::header::CONTENT_TYPE], CONTENT_TYPE);
        assert_eq!(get("/").status(), StatusCode::NOT_FOUND);
        assert_eq!(
            respond(&registry, &health, &Method::POST, "/metrics").status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
        // Alive from the start; ready when the daemon says so.
        assert_eq!(get("/healthz").status(), StatusCode::OK);
        assert_eq!(get("/readyz").status(), StatusCode::SERVICE_UNAVAILABLE);
        health.set_ready(true);
        assert_eq!(get("/readyz").status(), StatusCode::OK);
    }
}
