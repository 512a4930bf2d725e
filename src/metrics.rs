//! What operations watch, in the Prometheus text format (`/metrics`, see README →
//! Operations): requests and their latency per route template and status class, the
//! database pool, the background jobs and the outbox. One set per process, filled where
//! things happen (`record_request`, `record_acquire`, `record_job`) and read when scraped.
//! Labels are route templates, methods, status classes and job names — never a path with
//! an id in it, never anything about a person.

use std::sync::LazyLock;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The content type of what `encode` writes.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Latency buckets in seconds: 5 ms to 10 s.
const SECONDS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 7.5, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobName {
    job: &'static str,
}

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram>,
    acquire: Histogram,
    acquire_timeouts: Counter,
    pool_size: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    job_runs: Family<JobLabels, Counter>,
    job_last_success: Family<JobName, Gauge<f64, AtomicU64>>,
    job_lag: Family<JobName, Gauge<f64, AtomicU64>>,
    mails_waiting: Gauge,
    mail_oldest: Gauge<f64, AtomicU64>,
    mails_failed: Gauge,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("korps");
    let requests = Family::<RequestLabels, Counter>::default();
    registry.register(
        "http_requests",
        "HTTP requests answered, by method, route template and status class",
        requests.clone(),
    );
    let latency = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
        Histogram::new(SECONDS.iter().copied())
    });
    registry.register(
        "http_request_duration_seconds",
        "Time from the request's arrival to its response's head, by method, route template and status class",
        latency.clone(),
    );
    let acquire = Histogram::new(SECONDS.iter().copied());
    registry.register(
        "db_pool_acquire_seconds",
        "Time a transaction waited for a database connection",
        acquire.clone(),
    );
    let acquire_timeouts = Counter::default();
    registry.register(
        "db_pool_timeouts",
        "Transactions that got no database connection in time",
        acquire_timeouts.clone(),
    );
    let pool_size = Gauge::default();
    registry.register(
        "db_pool_connections",
        "Database connections open (in use and idle)",
        pool_size.clone(),
    );
    let pool_idle = Gauge::default();
    registry.register(
        "db_pool_idle_connections",
        "Database connections open and idle",
        pool_idle.clone(),
    );
    let pool_max = Gauge::default();
    registry.register(
        "db_pool_max_connections",
        "The most database connections the pool opens",
        pool_max.clone(),
    );
    let job_runs = Family::<JobLabels, Counter>::default();
    registry.register(
        "job_runs",
        "Background job runs by this instance, by job and outcome",
        job_runs.clone(),
    );
    let job_last_success = Family::<JobName, Gauge<f64, AtomicU64>>::default();
    registry.register(
        "job_last_success_timestamp_seconds",
        "When a background job last ran without error on this instance (Unix time)",
        job_last_success.clone(),
    );
    let job_lag = Family::<JobName, Gauge<f64, AtomicU64>>::default();
    registry.register(
        "job_lag_seconds",
        "Seconds since a background job last ran without error on this instance",
        job_lag.clone(),
    );
    let mails_waiting = Gauge::default();
    registry.register(
        "mails_waiting",
        "Mails in the outbox not yet sent and not given up",
        mails_waiting.clone(),
    );
    let mail_oldest = Gauge::<f64, AtomicU64>::default();
    registry.register(
        "mail_oldest_waiting_seconds",
        "Age of the oldest mail waiting in the outbox (0 when none waits)",
        mail_oldest.clone(),
    );
    let mails_failed = Gauge::default();
    registry.register(
        "mails_failed",
        "Mails given up on after their tries (shown on the outbox page for a resend)",
        mails_failed.clone(),
    );
    Metrics {
        registry,
        requests,
        latency,
        acquire,
        acquire_timeouts,
        pool_size,
        pool_idle,
        pool_max,
        job_runs,
        job_last_success,
        job_lag,
        mails_waiting,
        mail_oldest,
        mails_failed,
    }
});

/// A status code's class: "2xx" … "5xx".
fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The method as a label with a fixed set of values (others are "other").
fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// One answered request. `route` is the route's template (`/borgere/{id}`), or None
/// when no route matched (counted as "unmatched", so a scan of random paths adds one
/// series, not thousands).
pub fn record_request(method: &str, route: Option<&str>, status: u16, took: Duration) {
    let labels = RequestLabels {
        method: method_label(method),
        route: route.unwrap_or("unmatched").to_string(),
        status: status_class(status),
    };
    METRICS.requests.get_or_create(&labels).inc();
    METRICS
        .latency
        .get_or_create(&labels)
        .observe(took.as_secs_f64());
}

/// A transaction waited `took` for its connection; `timed_out` when it got none.
pub fn record_acquire(took: Duration, timed_out: bool) {
    METRICS.acquire.observe(took.as_secs_f64());
    if timed_out {
        METRICS.acquire_timeouts.inc();
    }
}

/// A background job ran; `ok` when it ended without error.
pub fn record_job(job: &'static str, ok: bool) {
    let outcome = if ok { "ok" } else { "failed" };
    METRICS
        .job_runs
        .get_or_create(&JobLabels { job, outcome })
        .inc();
    if ok {
        METRICS
            .job_last_success
            .get_or_create(&JobName { job })
            .set(unix_now());
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs_f64())
        .unwrap_or_default()
}

/// What is read at the moment of scraping.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snapshot {
    pub pool_size: u32,
    pub pool_idle: usize,
    pub pool_max: u32,
    /// None when the outbox could not be read (the database is away): the last values stay.
    pub outbox: Option<Outbox>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Outbox {
    pub waiting: i64,
    pub oldest_seconds: f64,
    pub failed: i64,
}

/// When the outbox was last read for a scrape.
static OUTBOX_READ: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);

/// Whether the outbox figures were read within `age` (then a scrape reuses them).
pub fn outbox_is_fresh(age: Duration) -> bool {
    OUTBOX_READ
        .lock()
        .map(|read| read.is_some_and(|at| at.elapsed() < age))
        .unwrap_or(false)
}

/// Everything, in the Prometheus text format.
pub fn encode(snapshot: Snapshot) -> String {
    let metrics = &*METRICS;
    metrics.pool_size.set(i64::from(snapshot.pool_size));
    metrics
        .pool_idle
        .set(i64::try_from(snapshot.pool_idle).unwrap_or(i64::MAX));
    metrics.pool_max.set(i64::from(snapshot.pool_max));
    if let Some(outbox) = snapshot.outbox {
        if let Ok(mut read) = OUTBOX_READ.lock() {
            *read = Some(std::time::Instant::now());
        }
        metrics.mails_waiting.set(outbox.waiting);
        metrics.mail_oldest.set(outbox.oldest_seconds);
        metrics.mails_failed.set(outbox.failed);
    }
    let now = unix_now();
    for job in JOBS {
        let last = metrics
            .job_last_success
            .get(&JobName { job })
            .map(|gauge| gauge.get());
        if let Some(last) = last {
            metrics
                .job_lag
                .get_or_create(&JobName { job })
                .set((now - last).max(0.0));
        }
    }
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &metrics.registry);
    text
}

/// The background jobs, as named in `record_job`.
pub const JOBS: [&str; 4] = ["reminders", "outbox", "sessions", "retention"];
