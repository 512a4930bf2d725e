//! Load on the national views: `clients` concurrent clients (50 by default), in one
//! session of national staff, ask one view as fast as they can for `seconds`; prints
//! the median, the 99th percentile and the requests per second of every view, and how
//! long its figures took to read the first time. Run by `scripts/bench-national.sh`.
//!
//!   cargo run --release --example bench_national -- BASE_URL [clients] [seconds]

use std::time::{Duration, Instant};

use reqwest::Client;

const PASSWORD: &str = "korps-demo-2026";

async fn login(base: &str, email: &str) -> Client {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let token = csrf_token(&client, &format!("{base}/login")).await;
    let answer = client
        .post(format!("{base}/login"))
        .header("Origin", base)
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .expect("a login answer");
    assert_eq!(answer.status().as_u16(), 303, "logged in as {email}");
    // National staff have a second factor: the demo accounts' (README, Demo).
    if answer.headers()["location"] == "/login/kode" {
        let token = csrf_token(&client, &format!("{base}/login/kode")).await;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        let code = korps::auth::totp::code_at(&korps::auth::totp::demo_secret(), now);
        let answer = client
            .post(format!("{base}/login/kode"))
            .header("Origin", base)
            .form(&[("code", code.as_str()), ("csrf_token", &token)])
            .send()
            .await
            .expect("a code answer");
        assert_eq!(answer.status().as_u16(), 303, "the demo code for {email}");
    }
    client
}

async fn csrf_token(client: &Client, url: &str) -> String {
    let page = client
        .get(url)
        .send()
        .await
        .expect("a form")
        .text()
        .await
        .expect("its text");
    page.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a csrf token")
        .to_string()
}

/// One view under load: (median, p99, max) in ms and requests per second.
async fn load(clients: &[Client], url: &str, seconds: u64) -> (f64, f64, f64, f64, usize) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .iter()
        .cloned()
        .map(|client| {
            let url = url.to_string();
            tokio::spawn(async move {
                let mut times = Vec::new();
                let mut failed = 0;
                while Instant::now() < until {
                    let t = Instant::now();
                    match client.get(&url).send().await {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            times.push(t.elapsed().as_secs_f64() * 1000.0);
                        }
                        _ => failed += 1,
                    }
                }
                (times, failed)
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut failed = 0;
    for task in tasks {
        let (t, f) = task.await.expect("a client task");
        times.extend(t);
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    (
        at(0.5),
        at(0.99),
        *times.last().unwrap_or(&0.0),
        times.len() as f64 / elapsed,
        failed,
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args.get(1).expect("the base URL").trim_end_matches('/');
    let clients: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(50);
    let seconds: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(10);

    let first = login(base, "national@example.org").await;
    let t = Instant::now();
    let page = first
        .get(format!("{base}/nationalt-overblik"))
        .send()
        .await
        .expect("the national page")
        .text()
        .await
        .expect("its text");
    let country_first_read = t.elapsed().as_secs_f64() * 1000.0;
    let municipality = page
        .split("area=")
        .filter_map(|rest| rest.get(..36))
        .find(|id| id.chars().filter(|c| *c == '-').count() == 4)
        .expect("a municipality's id")
        .to_string();
    // One session (logins are rate limited per address), fifty connections.
    let sessions = vec![first; clients];

    let views = [
        ("country", "/nationalt-overblik".to_string()),
        ("region", "/nationalt-overblik?area=midtjylland".to_string()),
        (
            "municipality",
            format!("/nationalt-overblik?area={municipality}"),
        ),
        ("one kind", "/nationalt-overblik?kind=mentor".to_string()),
        (
            "a quarter",
            "/nationalt-overblik?from=07-2026&to=09-2026".to_string(),
        ),
        ("API, JSON", "/api/v1/statistik".to_string()),
        (
            "API, CSV",
            "/api/v1/statistik.csv?area=syddanmark".to_string(),
        ),
    ];
    println!(
        "{clients} concurrent clients, {seconds} s per view (p99 target: under 300 ms, at least 200 requests/s)"
    );
    println!(
        "{:<14} {:>10} {:>9} {:>9} {:>9} {:>8} {:>7}",
        "view", "first read", "median", "p99", "max", "req/s", "failed"
    );
    for (name, path) in views {
        let url = format!("{base}{path}");
        // The first request reads the figures of its period and kind (or finds them kept).
        let t = Instant::now();
        let status = sessions[0].get(&url).send().await.map(|r| r.status());
        let mut first_read = t.elapsed().as_secs_f64() * 1000.0;
        if name == "country" {
            // Read when the bench looked up a municipality's id.
            first_read = country_first_read;
        }
        assert!(
            status.as_ref().is_ok_and(|s| s.is_success()),
            "{path}: {status:?}"
        );
        let (median, p99, max, rate, failed) = load(&sessions, &url, seconds).await;
        println!(
            "{name:<14} {first_read:>7.0} ms {median:>6.1} ms {p99:>6.1} ms {max:>6.1} ms {rate:>8.0} {failed:>7}"
        );
    }
}
