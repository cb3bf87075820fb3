#!/usr/bin/env python3
"""Layering check: every evfeed file includes headers of its own stage or earlier ones.

usage: check_includes.py SOURCE_DIR [--selftest]

Reads the `#include "evfeed/X.hpp"` lines of include/evfeed/*.hpp(.in), src/*.cpp and
src/*.hpp, places every file in a stage with the table below (the same table as the
"Layers" block of ARCHITECTURE.md, which is compared with it) and fails (exit 1) when a
file includes a header of a later stage, or when a header or source is not in the table:
a new module has to be placed before it can be included. Exit 0 otherwise.

--selftest copies the tree to a temporary folder and checks the check: a wrong include
injected into src/page.cpp and an unplaced module must fail, the untouched copy must pass.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Stages, lowest first. Names are modules: include/evfeed/NAME.hpp (version: the generated
# version.hpp, from version.hpp.in) and src/NAME.cpp, which belongs to its header's stage.
# Sources without a header of their own are listed with ".cpp".
STAGES = [
    ("Load", ["diagnostic", "log", "text", "parallel", "version", "fsutil", "page", "shortcodes", "front_matter", "git_history"]),
    ("Model", ["time", "site", "site_profile", "permalink", "schema", "markdown", "event", "event_codec", "recurrence", "model"]),
    ("Resources", ["resources"]),
    ("Render", ["ui_text", "index_assets", "render", "render_ics.cpp", "render_feeds.cpp", "render_html.cpp", "vtimezone.cpp"]),
    ("Publish", ["publish", "parse_cache", "pipeline", "build"]),
    ("Serve", ["metrics", "snapshot", "handler", "live_site", "server"]),
    ("App", ["main.cpp", "server.cpp"]),  # server.cpp: the only Beast unit; server.hpp is Serve
]

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"](?:evfeed/)?([A-Za-z0-9_./-]+\.hpp)[">]')


def stage_tables():
    rank = {name: i for i, (name, _) in enumerate(STAGES)}
    headers, sources = {}, {}  # module -> stage, "x.cpp" -> stage
    for stage, names in STAGES:
        for n in names:
            table = sources if n.endswith(".cpp") else headers
            if n in table:
                raise SystemExit(f"check_includes.py: {n} is in two stages")
            table[n] = stage
    return rank, headers, sources


def evfeed_includes(path, src_headers):
    """(line number, header module) for every include of an evfeed header."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            m = INCLUDE_RE.match(line)
            if not m:
                continue
            inc = m.group(1)
            if 'evfeed/' in line.split("include", 1)[1]:
                out.append((lineno, inc[:-4]))
            elif '"' in line and inc[:-4] in src_headers:  # a private header beside the .cpp
                out.append((lineno, inc[:-4]))
    return out


def check(root, quiet=False):
    """Returns the list of problems (strings); prints them unless quiet."""
    rank, header_stage, source_stage = stage_tables()
    inc_dir = os.path.join(root, "include", "evfeed")
    src_dir = os.path.join(root, "src")
    problems = []
    if not os.path.isdir(inc_dir) or not os.path.isdir(src_dir):
        return [f"{root}: no include/evfeed or src folder"]

    files = []  # (relative path, module or None, stage or None)
    existing_headers = set()
    for name in sorted(os.listdir(inc_dir)):
        for ext in (".hpp", ".hpp.in"):
            if name.endswith(ext):
                mod = name[: -len(ext)]
                existing_headers.add(mod)
                files.append((f"include/evfeed/{name}", header_stage.get(mod)))
    src_headers = set()
    for name in sorted(os.listdir(src_dir)):
        if name.endswith(".hpp"):
            mod = name[:-4]
            src_headers.add(mod)
            existing_headers.add(mod)
            files.append((f"src/{name}", header_stage.get(mod)))
    for name in sorted(os.listdir(src_dir)):
        if name.endswith(".cpp"):
            stage = source_stage.get(name, header_stage.get(name[:-4]))
            if name in source_stage or name[:-4] in existing_headers:
                files.append((f"src/{name}", stage))
            else:
                files.append((f"src/{name}", None))

    for rel, stage in files:
        if stage is None:
            problems.append(f"{rel}: not in the stage table of tests/arch/check_includes.py "
                            "(place the new module in a stage there and in ARCHITECTURE.md)")
    for mod in header_stage:
        if mod not in existing_headers:
            problems.append(f"include/evfeed/{mod}.hpp: in the stage table but not in the tree "
                            "(remove it from the table and ARCHITECTURE.md)")
    for name in source_stage:
        if not os.path.exists(os.path.join(src_dir, name)):
            problems.append(f"src/{name}: in the stage table but not in the tree")

    for rel, stage in files:
        if stage is None:
            continue
        for lineno, mod in evfeed_includes(os.path.join(root, rel), src_headers):
            inc_stage = header_stage.get(mod)
            if inc_stage is None:
                problems.append(f"{rel}:{lineno}: includes {mod}.hpp, which is not in the stage table")
            elif rank[inc_stage] > rank[stage]:
                problems.append(f"{rel}: includes {mod}.hpp (stage {inc_stage}) from stage {stage}")

    problems += check_doc(root, header_stage, source_stage)
    if not quiet:
        for p in problems:
            print(p)
    return problems


def check_doc(root, header_stage, source_stage):
    """ARCHITECTURE.md's "Layers" block must list the same modules per stage."""
    doc = os.path.join(root, "ARCHITECTURE.md")
    if not os.path.exists(doc):
        return []
    rows = {}
    row_re = re.compile(r"^\s*(\d+)\s+(" + "|".join(s for s, _ in STAGES) + r")\s{2,}(.*)$")
    with open(doc, encoding="utf-8") as f:
        for line in f:
            m = row_re.match(line)
            if m:
                rows[m.group(2)] = (int(m.group(1)), set(m.group(3).split()))
    problems = []
    for i, (stage, names) in enumerate(STAGES, 1):
        if stage not in rows:
            problems.append(f"ARCHITECTURE.md: no row '{i} {stage}  ...' in the Layers block")
            continue
        num, listed = rows[stage]
        if num != i or listed != set(names):
            problems.append(f"ARCHITECTURE.md: row '{num} {stage}' lists {' '.join(sorted(listed))}; "
                            f"check_includes.py has {i} {stage}: {' '.join(sorted(names))}")
    return problems


def run_child(root):
    """Runs this script on `root` as the test does; returns (exit status, output lines)."""
    p = subprocess.run([sys.executable, os.path.abspath(__file__), root],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, [l for l in p.stdout.splitlines() if l and not l.startswith("ok:")]


def copy_tree(root, dest):
    shutil.copytree(os.path.join(root, "include"), os.path.join(dest, "include"))
    shutil.copytree(os.path.join(root, "src"), os.path.join(dest, "src"))
    if os.path.exists(os.path.join(root, "ARCHITECTURE.md")):
        shutil.copy(os.path.join(root, "ARCHITECTURE.md"), dest)


def selftest(root):
    failures = []

    def expect(cond, what):
        print(("PASS " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="evfeed-arch-") as tmp:
        clean = os.path.join(tmp, "clean")
        copy_tree(root, clean)
        rc, base = run_child(clean)
        label = "untouched copy passes (exit 0)"
        if rc != 0:
            label = "copy without the tree's own violations passes (exit 0)"
            # The tree itself breaks the layering (arch.include_order reports it): test the
            # pass path on a copy without those include lines.
            print(f"note: the untouched copy has {len(base)} problem(s) of its own:")
            for line in base:
                print("  " + line)
            for line in base:
                m = re.match(r"^(src/[^:]+|include/evfeed/[^:]+): includes (\S+) \(stage", line)
                if not m:
                    continue
                path = os.path.join(clean, m.group(1))
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                text = re.sub(r'(?m)^\s*#\s*include\s*"evfeed/' + re.escape(m.group(2)) + r'".*\n', "", text)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            print("note: those include lines removed from the copy for the pass-path check")
        rc, out = run_child(clean)
        expect(rc == 0 and not out, label + (f": {out}" if out else ""))

        bad = os.path.join(tmp, "bad_include")
        shutil.copytree(clean, bad)
        page = os.path.join(bad, "src", "page.cpp")
        with open(page, encoding="utf-8") as f:
            text = f.read()
        text = text.replace('#include "evfeed/page.hpp"\n',
                            '#include "evfeed/page.hpp"\n#include "evfeed/server.hpp"\n', 1)
        assert '"evfeed/server.hpp"' in text, "src/page.cpp has no #include \"evfeed/page.hpp\" to inject after"
        with open(page, "w", encoding="utf-8") as f:
            f.write(text)
        rc, out = run_child(bad)
        want = "src/page.cpp: includes server.hpp (stage Serve) from stage Load"
        expect(rc == 1 and out == [want],
               f'#include "evfeed/server.hpp" injected into src/page.cpp fails (exit {rc}): {out}')

        unplaced = os.path.join(tmp, "unplaced")
        shutil.copytree(clean, unplaced)
        with open(os.path.join(unplaced, "include", "evfeed", "zz_new.hpp"), "w") as f:
            f.write('#pragma once\n#include "evfeed/text.hpp"\n')
        with open(os.path.join(unplaced, "src", "zz_new.cpp"), "w") as f:
            f.write('#include "evfeed/zz_new.hpp"\n')
        with open(os.path.join(unplaced, "src", "model.cpp"), "a") as f:
            f.write('#include "evfeed/zz_new.hpp"\n')
        rc, out = run_child(unplaced)
        expect(rc == 1 and len(out) == 3 and all("not in the stage table" in l for l in out),
               f"a module missing from the table fails (exit {rc}): {out}")

        doc = os.path.join(tmp, "doc_mismatch")
        shutil.copytree(clean, doc)
        arch = os.path.join(doc, "ARCHITECTURE.md")
        if os.path.exists(arch):
            with open(arch, encoding="utf-8") as f:
                text = f.read()
            with open(arch, "w", encoding="utf-8") as f:
                f.write(re.sub(r"(?m)^(\s*3 Resources\s{2,}.*)$", r"\1 snapshot", text, count=1))
            rc, out = run_child(doc)
            expect(rc == 1 and len(out) == 1 and out[0].startswith("ARCHITECTURE.md: row '3 Resources'"),
                   f"ARCHITECTURE.md out of step with the table fails (exit {rc}): {out}")

    print("selftest: " + ("ok" if not failures else f"{len(failures)} failure(s)"))
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source_dir")
    ap.add_argument("--selftest", action="store_true")
    args = ap.parse_args()
    root = os.path.abspath(args.source_dir)
    if args.selftest:
        return selftest(root)
    problems = check(root)
    if problems:
        return 1
    print(f"ok: every include points to its own stage or an earlier one ({' < '.join(s for s, _ in STAGES)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
