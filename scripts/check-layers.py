#!/usr/bin/env python3
"""File-level import graph of the crate: prints strongly connected components larger than one."""
import os, re, sys
root = sys.argv[1] if len(sys.argv) > 1 else "server"
files = {}
for d, _, fs in os.walk(root):
    if "/bin" in d: continue
    for f in fs:
        if f.endswith(".rs") and f not in ("main.rs",) or (f=="main.rs" and d!=root):
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)[:-3]
            parts = rel.split("/")
            if parts[-1] == "mod": parts = parts[:-1]
            if parts == ["lib"]: parts = []
            files["::".join(parts)] = p
mods = set(files)
def resolve(path):
    # longest prefix that is a module
    parts = path.split("::")
    for i in range(len(parts), 0, -1):
        m = "::".join(parts[:i])
        if m in mods: return m
    return None
def strip_tests(src):
    # drop #[cfg(test)] mod tests { ... } at end
    i = src.find("#[cfg(test)]\nmod tests")
    return src if i < 0 else src[:i]
edges = {m: set() for m in mods}
def expand(prefix, body):
    # expand a use tree body like {a, b::{c, d}, e::f}
    out = []; depth = 0; cur = ""
    for ch in body:
        if ch == "{": depth += 1
        if ch == "}": depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip()); cur = ""
        else: cur += ch
    if cur.strip(): out.append(cur.strip())
    res = []
    for item in out:
        item = item.split(" as ")[0].strip()
        if "{" in item:
            head, rest = item.split("{", 1)
            head = head.rstrip(":").strip()
            res += expand(prefix + "::" + head if head else prefix, rest[:rest.rfind("}")])
        else:
            res.append(prefix + "::" + item if item else prefix)
    return res
for m, p in files.items():
    src = strip_tests(open(p).read())
    src = re.sub(r"//[^\n]*", "", src)
    selfparts = m.split("::") if m else []
    for u in re.finditer(r"\buse\s+(crate|super)((?:::)?[^;]*);", src, re.S):
        kind, rest = u.group(1), u.group(2).strip()
        rest = re.sub(r"\s+", "", rest)
        if rest.startswith("::"): rest = rest[2:]
        if kind == "super":
            isdir = p.endswith("mod.rs")
            base = selfparts if isdir else selfparts[:-1]
            base = base[:-1] if isdir else base
            base = selfparts[:-1]
            prefix = "::".join(base)
        else: prefix = ""
        if rest.startswith("{"):
            paths = expand(prefix, rest[1:rest.rfind("}")])
        else:
            paths = expand(prefix, rest)
        for path in paths:
            path = path.strip(":")
            t = resolve(path)
            if t is not None and t != m: edges[m].add(t)
    for u in re.finditer(r"\bcrate::([a-z_][a-z_0-9]*(?:::[a-z_][a-z_0-9]*)*)", src):
        t = resolve(u.group(1))
        if t is not None and t != m: edges[m].add(t)
if "--mods" in sys.argv:
    for m, p in files.items():
        for d in re.finditer(r"^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+([a-z_0-9]+)\s*;", strip_tests(open(p).read()), re.M):
            child = (m + "::" if m else "") + d.group(1)
            if child in mods: edges[m].add(child)
# a parent module file (mod.rs) implicitly depends on nothing by declaring children; ignore pub use re-exports? keep
if "--top" in sys.argv:
    top = lambda m: m.split("::")[0]
    e2 = {}
    for m in mods: e2.setdefault(top(m), set())
    for m, ws in edges.items():
        for w in ws:
            if top(w) != top(m): e2[top(m)].add(top(w))
    edges = e2; mods = set(e2)
    if "-v" in sys.argv:
        for k in sorted(edges): print(k, "->", sorted(edges[k]))
# Tarjan
sys.setrecursionlimit(10000)
index = {}; low = {}; st = []; on = set(); comps = []; c = [0]
def sc(v):
    index[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
    for w in edges[v]:
        if w not in index: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = st.pop(); on.discard(w); comp.append(w)
            if w == v: break
        comps.append(comp)
for v in mods:
    if v not in index: sc(v)
bad = [c for c in comps if len(c) > 1]
for comp in bad:
    print(len(comp), sorted(comp))
    cs = set(comp)
    if "-v" in sys.argv:
        for v in sorted(comp):
            print("  ", v or "<lib>", "->", sorted(w for w in edges[v] if w in cs))
sys.exit(1 if bad else 0)
