#!/usr/bin/env python3
"""evfeed --site against the real generators, page by page.

For every fixture site under tests/fixtures/sites/ and for feeds/ (the default site), the oracle (tests/sites/oracle.py) runs
Debian's hugo or jekyll and lists each content page with the link it really gets and
whether it is really published; `evfeed check --site DIR --list` lists each event page
with evfeed's link and decision. Every event page must agree on both; every page the
generator has under evfeed's event sections must be an event page; `evfeed build --site DIR
--out OUT` with no other flag must work. Exit 0 pass, 1 fail, 77 when a generator is missing
(no fixture could be checked).

Usage: site_oracle.py EVFEED_BIN SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

evfeed, source = sys.argv[1], sys.argv[2]
sites_dir = os.path.join(source, "tests", "fixtures", "sites")
oracle = os.path.join(source, "tests", "sites", "oracle.py")
failures = 0
checked = 0
summary = []


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def with_git_history(site, tmp):
    """A scratch copy of `site` with the commits its git-history.txt describes (see there)."""
    copy = os.path.join(tmp, os.path.basename(site))
    shutil.copytree(site, copy)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=tmp)

    def git(*args, date=None, committer=None):
        e = dict(env)
        if date:
            e.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=committer or date)
        subprocess.run(["git", "-c", "user.name=Fixture", "-c", "user.email=fixture@example.org",
                        "-c", "init.defaultBranch=main", *args], cwd=copy, env=e, check=True,
                       capture_output=True)

    git("init", "-q", ".")
    seen, branch, branches = set(), "main", {"main"}

    def switch(to):
        nonlocal branch
        if to != branch:
            git("checkout", "-q", *([to] if to in branches else ["-b", to]))
            branches.add(to)
            branch = to

    for line in open(os.path.join(site, "git-history.txt"), encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        kind, rest = line.split(None, 1)
        if kind == "merge":
            switch("main")
            git("merge", "-q", "--no-ff", "-m", "merge side", "side", date=rest.strip())
            continue
        author, committer, files = rest.strip().split(None, 2)
        switch("side" if kind == "side" else "main")
        for f in files.split("|"):
            if f in seen:
                with open(os.path.join(copy, f), "a", encoding="utf-8") as out:
                    out.write("\n")
            seen.add(f)
            git("add", "--", f)
        git("commit", "-q", "-m", kind, date=author, committer=committer)
    switch("main")
    return copy


def read_tsv(text):
    rows = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        rows[parts[0]] = parts[1:]
    return rows


# The fixtures, and feeds/: the embedded default site is a small Hugo site of its own.
sites = [(name, os.path.join(sites_dir, name)) for name in sorted(os.listdir(sites_dir))]
sites.append(("feeds", os.path.join(source, "feeds")))
for name, site in sites:
    if not os.path.isdir(site):
        continue
    with tempfile.TemporaryDirectory(prefix="evfeed-oracle-") as tmp:
        if os.path.exists(os.path.join(site, "git-history.txt")):
            site = with_git_history(site, tmp)
        out_tsv = os.path.join(tmp, "oracle.tsv")
        o = subprocess.run([sys.executable, oracle, site, out_tsv], capture_output=True, text=True)
        if o.returncode == 3:
            print(f"SKIP {name}: generator not installed ({o.stderr.strip()})")
            continue
        if o.returncode != 0:
            fail(f"{name}: the oracle failed ({o.returncode}): {o.stderr.strip()[:2000]}")
            continue
        truth = read_tsv(open(out_tsv, encoding="utf-8").read())
        e = subprocess.run([evfeed, "check", "--site", site, "--list", "--verbose"], capture_output=True, text=True)
        if e.returncode != 0:
            fail(f"{name}: evfeed check exited {e.returncode}: {e.stderr.strip()[:2000]}")
            continue
        roots = [line.split("events in ", 1)[1].split(" [")[0] for line in e.stdout.splitlines()
                 if line.startswith("  events in ")]
        # The type names that make a page of another section an event, as evfeed says them
        # (at least "event": an evfeed that reads no page by its type must fail here).
        event_types = {"event"}
        for line in e.stdout.splitlines():
            if line.startswith("  event pages by their type or layout ("):
                event_types = set(line.split("(", 1)[1].split(")", 1)[0].split(", "))
        ours = {k: v for k, v in read_tsv(e.stdout).items() if len(v) >= 2 and v[0].startswith("http")}
        checked += 1
        links = published = 0
        for path, (link, pub, *why) in sorted(ours.items()):
            if path not in truth:
                fail(f"{name}: evfeed lists {path}, the generator has no such page")
                continue
            t_link, t_pub = truth[path][0], truth[path][1]
            if t_link == link:
                links += 1
            else:
                fail(f"{name}: {path}: link {link}, {('hugo' if 'content/' in path else 'jekyll')} writes {t_link}")
            if t_pub == pub:
                published += 1
            else:
                fail(f"{name}: {path}: evfeed publishes {pub} ({' '.join(why)}), the generator {t_pub}")
        for path, (t_link, t_pub, *t_type) in sorted(truth.items()):
            in_events = any(path.startswith(r + "/") for r in roots)
            if in_events and path not in ours and t_link != "-":
                fail(f"{name}: the generator publishes {path} in an event section, evfeed has no event for it")
            # Outside the event sections, a page is an event by the type or layout the generator
            # gives it (own or handed down: a Hugo fixture's layout writes both into the page,
            # Jekyll's oracle reads them from the page's data). The names that
            # mean "event" are evfeed's rule (it prints them); the type of each page is Hugo's.
            if t_type and not in_events and t_pub == "1":
                typed = any(w in event_types for w in t_type[0].lower().split())
                gen = "Hugo" if "content/" in path else "Jekyll"
                if typed and path not in ours:
                    fail(f"{name}: {path} is of {gen} type/layout '{t_type[0]}', evfeed has no event for it")
                if not typed and path in ours:
                    fail(f"{name}: {path} is of {gen} type/layout '{t_type[0]}', yet evfeed made it an event")
        summary.append(f"{name}: links matched {links}/{len(ours)}, published matched {published}/{len(ours)}"
                       f" (event sections: {', '.join(roots)})")
        # Zero flags beyond --site and --out.
        b = subprocess.run([evfeed, "build", "--quiet", "--site", site, "--out", os.path.join(tmp, "out"),
                            "--state-dir", os.path.join(tmp, "state")],
                           capture_output=True, text=True)
        if b.returncode != 0 or not os.path.exists(os.path.join(tmp, "out", "calendar.ics")):
            fail(f"{name}: evfeed build --site --out exited {b.returncode}: {b.stderr.strip()[:2000]}")
        elif name == "hugo-cascade":  # [taxonomies] tag, format: their values are the tags, categories not
            rss = open(os.path.join(tmp, "out", "rss.xml"), encoding="utf-8").read()
            if "<category>summer</category>" not in rss or "<category>outdoor</category>" not in rss \
                    or "<category>food</category>" in rss:
                fail(f"{name}: rss.xml categories are not the site's taxonomies (tags, formats)")

        # evfeed's own rule (not the generator's): a section whose _index hands down an event
        # type is an event section, one that hands down another type is not.
        if name == "hugo-cascade" and ("content/gatherings" not in roots or "content/blog" in roots):
            fail(f"{name}: event sections {roots}: want content/gatherings (cascade type: event), not content/blog")

# evfeed's flags may publish more than the site: each such event is named with the setting.
wow = os.path.join(sites_dir, "hugo-wowchemy")
if os.path.isdir(wow) and checked:
    w = subprocess.run([evfeed, "check", "--site", wow, "--future"], capture_output=True, text=True)
    hits = [l for l in w.stderr.splitlines() if "symposium-2099" in l and "buildFuture = true" in l]
    if not hits:
        fail("check --site hugo-wowchemy --future does not warn that the site hides symposium-2099: " + w.stderr[:1000])

for line in summary:
    print(line)
if checked == 0:
    print("SKIP: no generator installed")
    sys.exit(77)
print(f"{failures} failure(s)")
sys.exit(1 if failures else 0)
