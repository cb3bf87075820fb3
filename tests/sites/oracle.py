#!/usr/bin/env python3
"""Ask the real generator (Hugo or Jekyll) which pages of a site it publishes.

    oracle.py SITE_DIR OUT.tsv [--environment ENV] [--generator hugo|jekyll]

Writes one line per regular content page of the site, sorted by path:

    <path relative to SITE_DIR>\t<absolute permalink or ->\t<1 if the generator
    wrote an output file for the page, else 0>[\t<type and layout>]

The fourth column, when there is one, is the page's type and layout as the
generator resolves them: Hugo's from the page's output, when it holds
<meta name="oracle-type" content="..."> (a fixture's layout writes
`{{ .Type }} {{ .Layout }}` there, cascade included); Jekyll's from the
page's data (`type`, `layout`, front matter defaults included).

The site is copied to a temporary directory and built there; SITE_DIR is never
written to.

Hugo (hugo.toml|yaml|json, config.toml|yaml|json or config/_default/):
  * `hugo --quiet --environment ENV -d TMP/public` is the real build;
  * `hugo list all` (CSV, columns found by header name) gives every regular
    page, published or not, with its permalink;
  * a page is published when the file its URL maps to exists in TMP/public
    (<path>/index.html, or the file itself for ugly URLs and other
    extensions): no publishing rule is reimplemented here. The path under
    public/ comes from a second `hugo list all` with HUGO_BASEURL set to a
    root URL, so a baseURL with a sub-path needs no parsing of the config;
    a multihost site (a baseURL per language, `multihost = true` in `hugo
    config`) writes each language under public/<lang>/, its URLs relative
    to that language's baseURL;
  * files under the content mounts (`hugo config mounts`) that Hugo does not
    list as pages (e.g. Markdown files inside a leaf bundle, which are page
    resources) are listed with permalink "-" and 0. Section and home pages
    (_index.*) are never listed.
Jekyll (_config.yml|_config.yaml): see jekyll_oracle.rb (Jekyll::Site.new,
  site.process; URL = url + baseurl + document url).

ENV defaults to what the generator itself uses: "production" for Hugo
(`hugo` builds), "development" for Jekyll (JEKYLL_ENV). Both generators run
with TZ=UTC and without HUGO_* / JEKYLL_* variables from the caller, so the
result does not depend on the machine (pass --keep-env to keep them).

Exit status: 0 success, 3 the generator is not installed (a test can SKIP),
2 usage error, 1 any other failure (message on stderr).
"""

import argparse
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
EXIT_FAIL, EXIT_USAGE, EXIT_MISSING = 1, 2, 3
TIMEOUT = 600

HUGO_CONFIGS = ["hugo.toml", "hugo.yaml", "hugo.json",
                "config.toml", "config.yaml", "config.json"]
JEKYLL_CONFIGS = ["_config.yml", "_config.yaml"]
HUGO_CONTENT_EXTS = {".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".html", ".htm",
                     ".org", ".adoc", ".asciidoc", ".ad", ".pandoc", ".pdc", ".rst"}
# Output folders and caches of the generators: not copied to the scratch site (.git is:
# enableGitInfo reads the history).
SKIP_TOP = {"public", "_site", ".jekyll-cache", ".sass-cache",
            ".hugo_build.lock", "node_modules"}


class Failure(Exception):
    def __init__(self, message, code=EXIT_FAIL):
        super().__init__(message)
        self.code = code


def detect(site):
    hugo = any(os.path.isfile(os.path.join(site, c)) for c in HUGO_CONFIGS) \
        or os.path.isdir(os.path.join(site, "config", "_default"))
    jekyll = any(os.path.isfile(os.path.join(site, c)) for c in JEKYLL_CONFIGS)
    if hugo and jekyll:
        raise Failure(f"{site}: looks like both a Hugo and a Jekyll site; pass --generator",
                      EXIT_USAGE)
    if hugo:
        return "hugo"
    if jekyll:
        return "jekyll"
    raise Failure(f"{site}: no Hugo config (hugo.*, config.*, config/_default/) "
                  f"and no Jekyll _config.yml", EXIT_USAGE)


def run(cmd, cwd, env, what):
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Failure(f"{what}: timed out after {TIMEOUT} s: {' '.join(cmd)}")
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip()
        out = p.stdout.decode("utf-8", "replace").strip()
        raise Failure(f"{what} failed (exit {p.returncode}): {' '.join(cmd)}\n"
                      f"{err or out}")
    return p.stdout.decode("utf-8")


def clean_env(keep_env):
    env = dict(os.environ)
    if not keep_env:
        for k in list(env):
            if k.startswith(("HUGO_", "JEKYLL_")):
                del env[k]
        env["TZ"] = "UTC"
    return env


# ---------------------------------------------------------------- Hugo ----

ORACLE_BASE = "http://oracle.invalid/"


def multihost_bases(config_text):
    """{language: baseURL} of a multihost site (a baseURL per language), else {}.

    `hugo config` prints `multihost = true` and the languages as Go maps
    (`languages = map[en:map[baseurl:https://en.example.org/ ...] ...]`)."""
    if not re.search(r'^\s*"?multihost"?\s*[=:]\s*true\b', config_text, re.M):
        return {}
    line = next((l for l in config_text.splitlines() if l.startswith("languages = map[")), "")
    bases = dict(re.findall(r"([A-Za-z0-9_-]+):map\[[^\]]*?baseurl:(\S+?)[ \]]", line))
    if not bases:
        raise Failure("multihost site, but no `languages = map[...]` line with baseURLs in `hugo config` "
                      "(read for TOML configs only)")
    return bases


def hugo_output_file(public, site_relative_url):
    """The file in public/ that the page with this URL (relative to the site
    root, i.e. with the baseURL path removed) is written to, if any."""
    rel = urllib.parse.unquote(urllib.parse.urlsplit(site_relative_url).path).lstrip("/")
    if rel == "" or rel.endswith("/"):
        candidates = [rel + "index.html"]
    elif os.path.splitext(rel)[1]:
        candidates = [rel]
    else:
        candidates = [rel, rel + "/index.html", rel + ".html"]
    for c in candidates:
        full = os.path.join(public, c)
        if os.path.isfile(full):
            return full
    return None


def output_type(output_file):
    """The oracle-type meta of an output page ("" when there is none)."""
    if not output_file or not output_file.endswith(".html"):
        return ""
    with open(output_file, encoding="utf-8", errors="replace") as f:
        m = re.search(r'<meta name="oracle-type" content="([^"]*)">', f.read())
    return m.group(1).strip() if m else ""


def hugo_list_all(site, common, env, what):
    """Rows (path, permalink) of `hugo list all`, columns found by name."""
    listing = run(["hugo", "list", "all", *common], site, env, what)
    lines = listing.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("path,")), None)
    if start is None:
        raise Failure(f"{what}: no CSV header line starting with 'path,'\n" + listing)
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:]) + "\n"))
    for col in ("path", "permalink"):
        if col not in (reader.fieldnames or []):
            raise Failure(f"{what}: no column {col!r} in header {reader.fieldnames}")
    rows = []
    for rec in reader:
        path = rec["path"]
        if os.path.isabs(path):
            path = os.path.relpath(path, site)
        rows.append((path.replace(os.sep, "/"), rec["permalink"] or "-"))
    return rows


def hugo_content_dirs(mounts_text, site):
    """Content folders of the project itself, from `hugo config mounts`."""
    dirs = []
    dec = json.JSONDecoder()
    i, text = 0, mounts_text
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        try:
            obj, i = dec.raw_decode(text, i)
        except json.JSONDecodeError as e:
            raise Failure(f"hugo config mounts: cannot parse JSON: {e}")
        if obj.get("path") != "project":
            continue
        for m in obj.get("mounts") or []:
            if m.get("target", "").split("/")[0] == "content":
                src = m.get("source", "")
                dirs.append(src if os.path.isabs(src) else os.path.join(site, src))
    return dirs


def is_section_file(path):
    return os.path.basename(path).split(".")[0] == "_index"


def hugo_oracle(work, site, env_name, env):
    public = os.path.join(work, "public")
    common = ["--environment", env_name, "--source", site]
    env = dict(env, HUGO_CACHEDIR=os.path.join(work, "hugo_cache"))  # not $TMPDIR/hugo_cache
    run(["hugo", "--quiet", *common, "--destination", public], site, env, "hugo build")
    bases = multihost_bases(run(["hugo", "config", *common], site, env, "hugo config"))
    mounts_text = run(["hugo", "config", "mounts", *common], site, env, "hugo config mounts")
    real = hugo_list_all(site, common, env, "hugo list all")
    if bases:
        # Multihost: each language is written to public/<lang>/, its URLs relative to its baseURL.
        def output_of(path, permalink):
            hits = [(len(b), lang, b) for lang, b in bases.items() if permalink.startswith(b)]
            if not hits:
                return None
            _, lang, base = max(hits)
            return hugo_output_file(os.path.join(public, lang), "/" + permalink[len(base):])
    else:
        # The same pages under a root baseURL: the paths they are written to under public/.
        env_root = dict(env, HUGO_BASEURL=ORACLE_BASE)
        rooted = {}
        for path, url in hugo_list_all(site, common, env_root, "hugo list all (root baseURL)"):
            if url != "-" and not url.startswith(ORACLE_BASE):
                raise Failure(f"{path}: permalink {url} ignores the baseURL override, cannot find its output file")
            rooted.setdefault(path, []).append(url[len(ORACLE_BASE) - 1:] if url != "-" else "-")

        def output_of(path, permalink):
            cands = rooted.get(path) or ["-"]
            # Same path listed twice (one file in two languages): take the rooted
            # URL that is a suffix of this permalink.
            rel = next((c for c in cands if c != "-" and permalink.endswith(c)), cands[0])
            if rel in cands and len(cands) > 1:
                cands.remove(rel)
            return hugo_output_file(public, rel) if rel != "-" else None

    rows = set()
    listed = set()
    for path, permalink in real:
        listed.add(path)
        if is_section_file(path):
            continue
        out = output_of(path, permalink)
        rows.add((path, permalink, 1 if out else 0, output_type(out)))

    # Content files that Hugo does not treat as pages at all.
    for cdir in hugo_content_dirs(mounts_text, site):
        if not os.path.isdir(cdir):
            continue
        for root, dirnames, files in os.walk(cdir):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in files:
                if name.startswith((".", "#")) or name.endswith("~"):
                    continue
                if os.path.splitext(name)[1].lower() not in HUGO_CONTENT_EXTS:
                    continue
                path = os.path.relpath(os.path.join(root, name), site).replace(os.sep, "/")
                if path in listed or is_section_file(path):
                    continue
                rows.add((path, "-", 0, ""))
    return rows


# -------------------------------------------------------------- Jekyll ----

def jekyll_oracle(work, site, env_name, env):
    env = dict(env)
    env["JEKYLL_ENV"] = env_name
    tsv = os.path.join(work, "jekyll.tsv")
    run(["ruby", os.path.join(HERE, "jekyll_oracle.rb"), site,
         os.path.join(work, "_site"), tsv], work, env, "jekyll")
    rows = set()
    with open(tsv, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) not in (3, 4) or parts[2] not in ("0", "1"):
                raise Failure(f"jekyll_oracle.rb: bad line {n}: {line!r}")
            rows.add((parts[0], parts[1], int(parts[2]), parts[3] if len(parts) == 4 else ""))
    return rows


def generator_installed(gen):
    if gen == "hugo":
        return shutil.which("hugo") is not None
    if shutil.which("ruby") is None:
        return False
    p = subprocess.run(["ruby", "-e", 'require "jekyll"'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p.returncode == 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", help="site root (Hugo or Jekyll)")
    ap.add_argument("out", help="TSV to write ('-' for stdout)")
    ap.add_argument("--environment", "-e",
                    help="build environment (default: production for Hugo, "
                         "development for Jekyll)")
    ap.add_argument("--generator", choices=["hugo", "jekyll"],
                    help="skip detection")
    ap.add_argument("--keep-env", action="store_true",
                    help="keep TZ, HUGO_* and JEKYLL_* from the environment")
    ap.add_argument("--keep-temp", action="store_true",
                    help="do not delete the scratch directory (its path goes to stderr)")
    args = ap.parse_args(argv)

    try:
        site = os.path.abspath(args.site)
        if not os.path.isdir(site):
            raise Failure(f"{args.site}: not a directory", EXIT_USAGE)
        gen = args.generator or detect(site)
        if not generator_installed(gen):
            what = "hugo" if gen == "hugo" else "ruby with the jekyll gem"
            raise Failure(f"{what} is not installed", EXIT_MISSING)
        env_name = args.environment or ("production" if gen == "hugo" else "development")
        env = clean_env(args.keep_env)

        work = tempfile.mkdtemp(prefix="evfeed-oracle-")
        try:
            copy = os.path.join(work, "site")
            shutil.copytree(site, copy, symlinks=True,
                            ignore=lambda d, names: [n for n in names
                                                     if d == site and n in SKIP_TOP])
            if gen == "hugo":
                rows = hugo_oracle(work, copy, env_name, env)
            else:
                rows = jekyll_oracle(work, copy, env_name, env)
        finally:
            if args.keep_temp:
                print(f"oracle: scratch directory kept: {work}", file=sys.stderr)
            else:
                shutil.rmtree(work, ignore_errors=True)

        for path, *_ in rows:
            if "\t" in path or "\n" in path:
                raise Failure(f"path with a tab or newline cannot go in a TSV: {path!r}")
        text = "".join("\t".join(str(c) for c in row if c != "") + "\n" for row in sorted(rows))
        if args.out == "-":
            sys.stdout.write(text)
        else:
            with open(args.out, "w", encoding="utf-8") as f:
                f.write(text)
        return 0
    except Failure as e:
        print(f"oracle: {e}", file=sys.stderr)
        return e.code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
