//! The floors of Korps (docs/architecture.md): every module of `src/` imports only from
//! its own floor or the floors below, and no two top-level modules import each other, not
//! even through others. This test reads every `crate::…` path in `src/` (in `use` lines
//! and inline) and names the file and line of each import against the order, and every
//! circle among the top-level modules.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Bottom up. A module may import from its own floor and every floor below it.
const FLOORS: &[(&str, &[&str])] = &[
    (
        "base",
        &[
            "cache", "config", "clock", "error", "i18n", "metrics", "state", "vocab",
        ],
    ),
    ("db", &["db"]),
    ("web kit", &["web"]),
    ("auth, audit and mail", &["audit", "auth", "mail"]),
    (
        "features",
        &[
            "account",
            "applications",
            "audit_log",
            "calendar",
            "citizens",
            "coaching",
            "corps",
            "courses",
            "dashboards",
            "exports",
            "home",
            "inbox",
            "insight",
            "loans",
            "login",
            "matching",
            "municipalities",
            "reminders",
            "retention",
            "staff",
            "statistics",
            "tools",
            "training",
        ],
    ),
    ("app and CLI", &["app", "demo", "jobs"]),
];

/// One import of a top-level module by another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    from: String,
    to: String,
    file: String,
    line: usize,
}

/// The floor index of a top-level module, if it has one.
fn floor_of(module: &str) -> Option<usize> {
    FLOORS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// Every `.rs` file below `dir`, with its path relative to `dir`.
fn rust_files(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).expect("reading src") {
            let path: PathBuf = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let relative = path
                    .strip_prefix(dir)
                    .expect("below src")
                    .to_string_lossy()
                    .replace('\\', "/");
                found.push((relative, fs::read_to_string(&path).expect("reading a file")));
            }
        }
    }
    found.sort();
    found
}

/// The top-level module a file belongs to (`courses/repo.rs` → `courses`); `None` for the
/// crate root files that only declare modules or run the command line.
fn module_of(file: &str) -> Option<String> {
    let first = file.split('/').next()?;
    let name = first.trim_end_matches(".rs");
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The line without its comment (a `//` outside a string literal).
fn code_part(line: &str) -> &str {
    let mut in_string = false;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
        i += 1;
    }
    line
}

/// The top-level modules named on one line: `crate::x` and `crate::{x, y::z}`.
fn crate_modules(line: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        // Not part of a longer identifier (`korps_crate::`).
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Only the first segment of each item of the group, up to its closing brace.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphabetic() || c == '_') => {
                        let ident: String = group[i..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        names.push(ident);
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let ident: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !ident.is_empty() {
                names.push(ident);
            }
        }
    }
    names
}

/// Every import of one top-level module by another in `files` (relative path, text).
fn imports(files: &[(String, String)]) -> Vec<Import> {
    let mut found = Vec::new();
    for (file, text) in files {
        let Some(from) = module_of(file) else {
            continue;
        };
        for (number, line) in text.lines().enumerate() {
            for to in crate_modules(code_part(line)) {
                if to != from {
                    found.push(Import {
                        from: from.clone(),
                        to,
                        file: format!("src/{file}"),
                        line: number + 1,
                    });
                }
            }
        }
    }
    found
}

/// Imports against the floor order, and of modules that belong to no floor.
fn floor_violations(imports: &[Import], modules: &BTreeSet<String>) -> Vec<String> {
    let mut problems: Vec<String> = modules
        .iter()
        .filter(|module| floor_of(module).is_none())
        .map(|module| format!("src/{module}: on no floor; add it to FLOORS"))
        .collect();
    for import in imports {
        let (Some(from), Some(to)) = (floor_of(&import.from), floor_of(&import.to)) else {
            continue;
        };
        if to > from {
            problems.push(format!(
                "{}:{}: `{}` ({}) imports `{}` ({}), a floor above it",
                import.file, import.line, import.from, FLOORS[from].0, import.to, FLOORS[to].0
            ));
        }
    }
    problems
}

/// Every circle among top-level modules, each named once with the import lines that
/// close it.
fn circles(imports: &[Import]) -> Vec<String> {
    let mut graph: BTreeMap<&str, BTreeMap<&str, &Import>> = BTreeMap::new();
    for import in imports {
        graph
            .entry(&import.from)
            .or_default()
            .entry(&import.to)
            .or_insert(import);
    }
    let mut seen: BTreeSet<Vec<&str>> = BTreeSet::new();
    let mut found = Vec::new();
    for &start in graph.keys() {
        // Depth-first search for paths that come back to `start` through modules
        // ordered after it, so that each circle is found from its smallest module only.
        let mut stack: Vec<Vec<&str>> = vec![vec![start]];
        while let Some(path) = stack.pop() {
            let last = *path.last().expect("non-empty");
            for (&next, _) in graph.get(last).into_iter().flatten() {
                if next == start {
                    if seen.insert(path.clone()) {
                        let mut lines = Vec::new();
                        for pair in path.windows(2).chain(std::iter::once(&[last, start][..])) {
                            let import = graph[pair[0]][pair[1]];
                            lines.push(format!(
                                "  {} → {} ({}:{})",
                                pair[0], pair[1], import.file, import.line
                            ));
                        }
                        found.push(format!(
                            "circle {} → {}:\n{}",
                            path.join(" → "),
                            start,
                            lines.join("\n")
                        ));
                    }
                } else if next > start && !path.contains(&next) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push(longer);
                }
            }
        }
    }
    found
}

fn check(files: &[(String, String)]) -> Vec<String> {
    let modules: BTreeSet<String> = files.iter().filter_map(|(f, _)| module_of(f)).collect();
    let imports = imports(files);
    let mut problems = floor_violations(&imports, &modules);
    problems.extend(circles(&imports));
    problems
}

#[test]
fn every_import_goes_down_and_no_modules_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = check(&rust_files(&src));
    assert!(
        problems.is_empty(),
        "imports against docs/architecture.md:\n{}",
        problems.join("\n")
    );
}

fn file(path: &str, text: &str) -> (String, String) {
    (path.to_string(), text.to_string())
}

#[test]
fn an_import_from_a_floor_above_is_named_with_file_and_line() {
    let files = [
        file("web/page.rs", "//! kit\n\nuse crate::auth::CurrentUser;\n"),
        file("auth/mod.rs", "use crate::web::Page;\n"),
    ];
    let problems = check(&files);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("src/web/page.rs:3: `web` (web kit) imports `auth`"));
    assert!(problems[1].starts_with("circle auth → web → auth"));
}

#[test]
fn a_circle_through_three_features_is_found_once_and_comments_do_not_count() {
    let files = [
        file("loans/mod.rs", "fn f() { crate::courses::repo::get(); }\n"),
        file("courses/mod.rs", "use crate::{clock, tools::form};\n"),
        file(
            "tools/mod.rs",
            "use crate::loans::model::hours; // crate::home\n",
        ),
        file("home/mod.rs", "// use crate::loans;\nuse crate::db;\n"),
    ];
    let problems = check(&files);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("circle courses → tools → loans → courses"));
    assert!(problems[0].contains("src/tools/mod.rs:1"));
}

#[test]
fn grouped_imports_name_each_module_and_unknown_modules_are_refused() {
    assert_eq!(
        crate_modules("use crate::{auth::{CurrentUser, Role}, web::Page, db};"),
        ["auth", "web", "db"]
    );
    let problems = check(&[file("mystery/mod.rs", "")]);
    assert_eq!(problems, ["src/mystery: on no floor; add it to FLOORS"]);
}
