//! Static assets embedded in the binary at build time (see `build.rs`): Det Fælles
//! Designsystem (npm `dkfds`, under `dkfds/`) and our own files from `static/`.
//!
//! URLs carry a hash over all assets (`/static/{ASSET_VERSION}/{path}`), so they can be
//! cached forever: a new build with changed assets gets new URLs.
//!
//! Templates link assets with [`url`], e.g. `url("dkfds/css/dkfds.min.css")`; the
//! router serves them with `.route("/static/{version}/{*path}", get(assets::serve))`.

use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// Cache policy for URLs that carry the current [`ASSET_VERSION`].
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The URL of an embedded asset, e.g. `url("korps.css")` → `/static/1a2b3c4d5e6f/korps.css`.
///
/// `path` is relative to the static root. Debug builds panic on a path that is not
/// embedded, so a typo in a template shows up at once instead of as a silent 404.
pub fn url(path: &str) -> String {
    let path = path.trim_start_matches('/');
    debug_assert!(get(path).is_some(), "no embedded asset {path:?}");
    format!("/static/{ASSET_VERSION}/{path}")
}

/// The bytes and content type of an embedded asset.
pub fn get(path: &str) -> Option<(&'static [u8], &'static str)> {
    ASSETS
        .binary_search_by(|(p, _, _)| (*p).cmp(path))
        .ok()
        .map(|i| (ASSETS[i].1, ASSETS[i].2))
}

/// Handler for `GET /static/{version}/{*path}`.
///
/// Unknown paths answer 404. A stale `version` (a page rendered by an older build) still
/// gets the current file, but with `Cache-Control: no-cache` so it is not kept forever.
pub async fn serve(Path((version, path)): Path<(String, String)>) -> Response {
    let nosniff = (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let Some((bytes, content_type)) = get(path.trim_start_matches('/')) else {
        return (
            StatusCode::NOT_FOUND,
            [
                nosniff,
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                ),
            ],
            "Not found",
        )
            .into_response();
    };
    let cache = if version == ASSET_VERSION {
        IMMUTABLE
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            nosniff,
        ],
        Body::from(bytes),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our stylesheet's blocks are all closed: one missing brace silently swallows every
    /// rule after it (it once hid the bell's badge and the answers' line breaks).
    #[test]
    fn every_block_of_our_stylesheet_is_closed() {
        let (bytes, _) = get("korps.css").expect("korps.css is embedded");
        let css = std::str::from_utf8(bytes).expect("UTF-8");
        let mut depth = 0i32;
        let mut rest = css;
        while let Some(at) = rest.find(['{', '}', '/']) {
            let (c, after) = (rest.as_bytes()[at], &rest[at + 1..]);
            rest = after;
            match c {
                b'/' if after.starts_with('*') => {
                    let end = after.find("*/").expect("a closed comment");
                    rest = &after[end + 2..];
                }
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    assert!(depth >= 0, "a '}}' without its '{{'");
                }
                _ => {}
            }
            if c == b'{' {
                // A rule inside a rule is a missing '}' (we nest only in @media).
                let before = &css[..css.len() - rest.len() - 1];
                let selector = before.rsplit(['}', '{', ';']).next().unwrap_or("").trim();
                let selector = selector.rsplit("*/").next().unwrap_or("").trim();
                assert!(
                    depth == 1 || (depth == 2 && open_media(before)),
                    "a block opened inside another: {selector:?}"
                );
            }
        }
        assert_eq!(depth, 0, "every block is closed");
    }

    /// Whether the block enclosing the end of `before` is an @media or @supports block.
    fn open_media(before: &str) -> bool {
        let mut depth = 0;
        for (i, c) in before.char_indices().rev() {
            match c {
                '}' => depth += 1,
                '{' if depth == 0 => {
                    let head = before[..i].rsplit(['}', ';']).next().unwrap_or("");
                    let head = head.rsplit("*/").next().unwrap_or("").trim();
                    return head.starts_with("@media") || head.starts_with("@supports");
                }
                '{' => depth -= 1,
                _ => {}
            }
        }
        false
    }

    async fn fetch(version: &str, path: &str) -> Response {
        serve(Path((version.to_owned(), path.to_owned()))).await
    }

    fn hdr(res: &Response, name: header::HeaderName) -> &str {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    async fn body(res: Response) -> Vec<u8> {
        axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(ASSETS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn version_is_short_hex() {
        assert_eq!(ASSET_VERSION.len(), 12);
        assert!(ASSET_VERSION.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn url_carries_the_version() {
        assert_eq!(
            url("dkfds/css/dkfds.min.css"),
            format!("/static/{ASSET_VERSION}/dkfds/css/dkfds.min.css")
        );
    }

    #[test]
    fn dkfds_and_own_files_are_embedded() {
        for path in [
            "dkfds/css/dkfds.min.css",
            "dkfds/js/dkfds.min.js",
            "dkfds/img/all-svg-icons.svg",
            "dkfds/fonts/IBMPlexSans/complete/woff2/IBMPlexSans-Regular.woff2",
            "korps.css",
            "korps.js",
        ] {
            let (bytes, _) = get(path).unwrap_or_else(|| panic!("{path} is not embedded"));
            assert!(!bytes.is_empty(), "{path} is empty");
        }
        assert!(
            ASSETS
                .iter()
                .any(|(p, _, t)| p.ends_with(".woff2") && *t == "font/woff2")
        );
    }

    /// The CSS's relative url(...)s (fonts, icons) must resolve under the served layout.
    #[test]
    fn every_url_in_the_dkfds_css_is_served() {
        let (css, _) = get("dkfds/css/dkfds.min.css").unwrap();
        let css = std::str::from_utf8(css).unwrap();
        let mut checked = 0;
        for chunk in css.split("url(").skip(1) {
            let raw = chunk[..chunk.find(')').unwrap()].trim_matches(|c| c == '"' || c == '\'');
            let raw = raw.split(['?', '#']).next().unwrap();
            if raw.is_empty() || raw.starts_with("data:") {
                continue;
            }
            let mut parts = vec!["dkfds", "css"];
            for seg in raw.split('/') {
                match seg {
                    ".." => assert!(parts.pop().is_some(), "{raw} leaves the static root"),
                    "." | "" => {}
                    s => parts.push(s),
                }
            }
            let resolved = parts.join("/");
            assert!(
                get(&resolved).is_some(),
                "url({raw}) → {resolved} is not embedded"
            );
            checked += 1;
        }
        assert!(
            checked > 10,
            "expected fonts and icons in the dkfds CSS, found {checked} url()s"
        );
    }

    #[tokio::test]
    async fn serves_css_with_immutable_caching() {
        let res = fetch(ASSET_VERSION, "dkfds/css/dkfds.min.css").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(hdr(&res, header::CONTENT_TYPE), "text/css; charset=utf-8");
        assert_eq!(hdr(&res, header::CACHE_CONTROL), IMMUTABLE);
        assert_eq!(hdr(&res, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(body(res).await, get("dkfds/css/dkfds.min.css").unwrap().0);
    }

    #[tokio::test]
    async fn serves_fonts_and_scripts_with_their_types() {
        let res = fetch(
            ASSET_VERSION,
            "dkfds/fonts/IBMPlexSans/complete/woff2/IBMPlexSans-Regular.woff2",
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(hdr(&res, header::CONTENT_TYPE), "font/woff2");
        let res = fetch(ASSET_VERSION, "dkfds/js/dkfds.min.js").await;
        assert_eq!(
            hdr(&res, header::CONTENT_TYPE),
            "text/javascript; charset=utf-8"
        );
        let res = fetch(ASSET_VERSION, "dkfds/img/all-svg-icons.svg").await;
        assert_eq!(hdr(&res, header::CONTENT_TYPE), "image/svg+xml");
    }

    #[tokio::test]
    async fn stale_version_is_served_but_not_cached() {
        let res = fetch("0123456789ab", "korps.css").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(hdr(&res, header::CACHE_CONTROL), "no-cache");
        assert_eq!(hdr(&res, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    }

    #[tokio::test]
    async fn unknown_paths_are_404() {
        for path in [
            "nope.css",
            "dkfds/css/../../build.rs",
            "",
            "dkfds/css",
            "../Cargo.toml",
        ] {
            let res = fetch(ASSET_VERSION, path).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path:?}");
            assert_eq!(hdr(&res, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        }
    }
}
