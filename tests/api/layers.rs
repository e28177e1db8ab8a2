//! The shape of the code, checked on every run: no file-level import circle, no role
//! comparison outside `access/`, and no process-global lock, semaphore or registry.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// Every module file of the library (not the binaries), by module path (`http::teams`).
fn modules() -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("read server/") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "bin") {
                    walk(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("server");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut modules = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&root).expect("under server/");
        let mut parts: Vec<String> = relative
            .with_extension("")
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if parts == ["main"] {
            continue;
        }
        if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
            parts.pop();
        }
        modules.insert(parts.join("::"), file);
    }
    modules
}

/// The source without its unit tests and comments.
fn code(path: &Path) -> String {
    let source = fs::read_to_string(path).expect("read source");
    let source = match source.find("#[cfg(test)]\nmod tests") {
        Some(at) => &source[..at],
        None => &source[..],
    };
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a `use` tree names: `a::{b, c::{d}}` gives `a::b` and `a::c::d`.
fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let mut depth = 0;
    let mut item = String::new();
    let mut items = Vec::new();
    for c in tree.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            items.push(std::mem::take(&mut item));
        } else {
            item.push(c);
        }
    }
    items.push(item);
    for item in items {
        let item = item
            .split(" as ")
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let join = |rest: &str| {
            if prefix.is_empty() {
                rest.to_owned()
            } else if rest.is_empty() {
                prefix.to_owned()
            } else {
                format!("{prefix}::{rest}")
            }
        };
        match item.split_once('{') {
            Some((head, rest)) => {
                let inner = &rest[..rest.rfind('}').unwrap_or(rest.len())];
                expand(&join(head.trim_end_matches(':')), inner, out);
            }
            None => out.push(join(&item)),
        }
    }
}

/// The module files each module file imports.
fn imports(modules: &BTreeMap<String, PathBuf>) -> BTreeMap<String, BTreeSet<String>> {
    let resolve = |path: &str| -> Option<String> {
        let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
        (1..=parts.len())
            .rev()
            .map(|n| parts[..n].join("::"))
            .find(|candidate| modules.contains_key(candidate))
    };
    let mut edges = BTreeMap::new();
    for (module, file) in modules {
        let source: String = code(file).split_whitespace().collect::<Vec<_>>().join(" ");
        let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
        let mut paths = Vec::new();
        for statement in source.split(';') {
            let Some(at) = statement.find("use ") else {
                continue;
            };
            let tree: String = statement[at + 4..]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if let Some(rest) = tree.strip_prefix("crate::") {
                expand("", rest, &mut paths);
            } else if let Some(rest) = tree.strip_prefix("super::") {
                expand(parent, rest, &mut paths);
            } else if tree == "super" || tree.starts_with("super::{") {
                expand(parent, tree.trim_start_matches("super::"), &mut paths);
            }
        }
        let mut rest = source.as_str();
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + 7..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(path);
        }
        let targets: BTreeSet<String> = paths
            .iter()
            .filter_map(|path| resolve(path))
            .filter(|target| target != module && !target.is_empty())
            .collect();
        edges.insert(module.clone(), targets);
    }
    edges
}

/// Every path by which a node of `edges` reaches itself again, one per node.
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut circles = Vec::new();
    for start in edges.keys() {
        // Depth-first search for a path back to `start`.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((module, path)) = stack.pop() {
            for next in edges.get(&module).into_iter().flatten() {
                if next == start {
                    circles.push(path.join(" -> ") + " -> " + start);
                    stack.clear();
                    break;
                }
                if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    circles
}

/// The imports between the top-level folders and files of `server/`.
fn layer_imports() -> BTreeMap<String, BTreeSet<String>> {
    let top = |module: &str| module.split("::").next().unwrap_or_default().to_owned();
    let mut layers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, targets) in imports(&modules()) {
        let from = top(&module);
        let entry = layers.entry(from.clone()).or_default();
        entry.extend(targets.iter().map(|t| top(t)).filter(|t| *t != from));
    }
    layers
}

#[test]
fn the_layers_import_one_way() {
    let layers = layer_imports();
    let circles = circles(&layers);
    assert!(circles.is_empty(), "layer circles:\n{}", circles.join("\n"));
    // The use cases know nothing of HTTP or pages; storage and the rules know no use case.
    for (layer, forbidden) in [
        ("services", ["http", "views", "app"].as_slice()),
        ("store", &["services", "http", "views", "state"]),
        ("workflow", &["services", "http", "views", "store", "state"]),
        ("access", &["services", "http", "views", "store", "state"]),
    ] {
        let imported = layers.get(layer).cloned().unwrap_or_default();
        for other in forbidden {
            assert!(!imported.contains(*other), "{layer} imports {other}");
        }
    }
}

#[test]
fn no_file_imports_itself_through_others() {
    let modules = modules();
    let edges = imports(&modules);
    assert!(
        edges
            .get("http::teams")
            .is_some_and(|e| e.contains("state")),
        "the parser must see imports at all: {:?}",
        edges.get("http::teams")
    );
    let circles = circles(&edges);
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn roles_are_compared_only_in_access() {
    let patterns = [
        "== TeamRole::",
        "!= TeamRole::",
        "TeamRole::Aanjager |",
        "TeamRole::Projectleider |",
        ".policy.beheerder",
        ".policy.pmm",
        ".policy.coach_of",
        "coach_of ==",
        ".memberships.iter().any(",
    ];
    let mut found = Vec::new();
    for (module, file) in modules() {
        if module.starts_with("access") || module.starts_with("store") || module.starts_with("demo")
        {
            continue;
        }
        let source: String = code(&file).split_whitespace().collect::<Vec<_>>().join(" ");
        let source = source.replace(" .", ".");
        for pattern in patterns {
            if source.contains(pattern) {
                found.push(format!("{module}: {pattern}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "role comparisons outside access/:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_static_holds_a_lock_a_semaphore_or_a_registry() {
    let mut found = Vec::new();
    for (module, file) in modules() {
        for line in code(&file).lines() {
            let line = line.trim();
            let holds = [
                "Mutex",
                "RwLock",
                "Semaphore",
                "HashMap",
                "HashSet",
                "Notify",
            ]
            .iter()
            .any(|kind| line.contains(kind));
            if line.contains("static ") && !line.contains("'static") && holds {
                found.push(format!("{module}: {line}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "process-global state:\n{}",
        found.join("\n")
    );
}
