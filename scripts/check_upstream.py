"""Has the upstream branch we track moved? If so, show what a repin would change, changing nothing here.

The newest commit of the branch recorded in specs/upstream.lock.json comes from GitHub's API (``GITHUB_TOKEN``
is used when set), or with ``--git``/``UPSTREAM_GIT`` from a local clone or bare repository of upstream;
``--commit`` names one instead. When it is the pinned commit, the exit status is 0. Otherwise the repin happens
in a scratch copy of the pipeline (scripts/scratch.py): upstream files are read from ``SPECS_MIRROR`` when it
holds that commit, else from the git repository, else from the raw-file URL base; the packages whose files
changed are regenerated there, and a review report is printed: pinned files changed; fixes gone stale or
redundant; operations, parameters, models, fields and enum values added, removed, retyped and deprecated; and
the removals that `make generate` will refuse until specs/removals.yaml acknowledges them. The exit status is
then 3, "upstream moved". ``--report FILE`` also writes the report as Markdown, ``--apply`` also writes the new
lock and surface summaries into the working tree (the scheduled workflow does, to open a pull request).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from _pipeline import MANIFEST, SURFACE_DIR, PipelineError, load_manifest, load_packages, load_yaml, run_step
from fetch_specs import Source, git_repository
from repin_specs import pin_packages, write_manifest
from scratch import Failure, ScratchPipeline
from surface import summary
from surface_diff import acknowledgement_entries, compare, load_acknowledgements, render, unacknowledged

EXIT_MOVED = 3
GITHUB_API = "https://api.github.com"


def newest_commit(owner: str, repo: str, branch: str, git: str | None) -> str:
    """The commit the branch points at now: in the local repository when given, else on GitHub."""
    if git:
        repository = str(git_repository(git))
        for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
            found = subprocess.run(
                ["git", "-C", repository, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if found.returncode == 0:
                return found.stdout.strip()
        raise PipelineError(f"{git} has no branch {branch!r} (nor origin/{branch})")
    api = os.environ.get("GITHUB_API_URL", GITHUB_API).rstrip("/")
    # "heads/<branch>" is the documented spelling of a branch for this endpoint; ours has a slash in its name.
    url = f"{api}/repos/{owner}/{repo}/commits/heads/{urllib.parse.quote(branch, safe='/')}"
    headers = {"Accept": "application/vnd.github.sha", "User-Agent": "exchange-clients check-upstream"}
    if os.environ.get("GITHUB_TOKEN"):
        headers["Authorization"] = f"Bearer {os.environ['GITHUB_TOKEN']}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            sha: str = response.read().decode("ascii", "replace").strip()
    except (urllib.error.URLError, OSError) as exc:
        raise PipelineError(
            f"cannot ask GitHub for the newest commit of {branch} ({url}): {exc}. Offline, give a local clone "
            "or bare repository of upstream: make check-upstream UPSTREAM_GIT=<path>"
        ) from None
    if not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise PipelineError(f"GitHub answered {sha[:80]!r} for the newest commit of {branch}, not a commit id")
    return sha


def file_source(owner: str, repo: str, commit: str, git: str | None) -> Source:
    mirror = os.environ.get("SPECS_MIRROR")
    if mirror and (Path(mirror) / owner / repo / commit).is_dir():
        return Source(mirror=mirror, url_base=None)
    return Source(mirror=None, url_base=os.environ.get("SPECS_URL_BASE") or None, git=git)


def _file_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    lines = [f"  added    {path}" for path in sorted(new.keys() - old.keys())]
    lines += [f"  removed  {path}" for path in sorted(old.keys() - new.keys())]
    lines += [f"  changed  {path}" for path in sorted(old.keys() & new.keys()) if old[path] != new[path]]
    return lines


def _fix_lines(verdicts: list[dict[str, Any]]) -> list[str]:
    lines = []
    for verdict in verdicts:
        if verdict["status"] == "applied":
            continue
        level = "error" if verdict["status"] == "stale" else "warning"
        lines.append(f"  {level}: {verdict['file']}: fix {verdict['fix']!r} is {verdict['status']}")
        lines += [
            f"    action {a['index']} ({a['status']}): {a['target']}" + (f": {a['detail']}" if a["detail"] else "")
            for a in verdict["actions"]
            if a["status"] != "changed"
        ]
    return lines


class Check:
    """One comparison of the pinned commit with another, run in a scratch pipeline."""

    def __init__(self, scratch: ScratchPipeline, commit: str, source: Source) -> None:
        self.scratch = scratch
        self.commit = commit
        self.manifest = load_manifest()
        pinned = self.manifest["source"]
        contents: dict[str, bytes] = {}
        self.per_package = pin_packages(source, pinned["owner"], pinned["repo"], commit, contents)
        self.files = {path: sha for files in self.per_package.values() for path, sha in files.items()}
        mirror = scratch.root / "mirror" / pinned["owner"] / pinned["repo"] / commit
        for path, data in contents.items():
            (mirror / path).parent.mkdir(parents=True, exist_ok=True)
            (mirror / path).write_bytes(data)
        write_manifest(scratch.lock, {**pinned, "commit": commit}, self.files)
        self.verdicts: list[dict[str, Any]] = []
        self.failures: dict[str, Failure] = {}
        self.surfaces: dict[str, str] = {}

    def changed_packages(self) -> list[str]:
        old = self.manifest["files"]
        return [name for name, files in self.per_package.items() if any(old.get(p) != sha for p, sha in files.items())]

    def run(self) -> None:
        fetched = self.scratch.run("fetch_specs.py", "--mirror", str(self.scratch.root / "mirror"))
        for package in self.changed_packages():
            failure = fetched or self.scratch.regenerate(package, report_only=True)
            report = self.scratch.build / "fixes.json"
            if report.exists():
                self.verdicts += json.loads(report.read_text(encoding="utf-8"))
                report.unlink()
            if failure:
                self.failures[package] = failure
                continue
            spec = load_yaml(self.scratch.final_spec(package))
            self.surfaces[package] = summary(package, self.scratch.generated(package), spec)

    def report(self) -> list[str]:
        pinned = self.manifest["source"]
        lines = [
            f"upstream moved: {pinned['owner']}/{pinned['repo']} {pinned['branch']} "
            f"{pinned['commit'][:12]} (pinned) -> {self.commit[:12]}",
            "",
            "pinned files:",
            *(_file_changes(self.manifest["files"], self.files) or ["  none changed"]),
        ]
        fixes = _fix_lines(self.verdicts)
        if fixes:
            lines += ["", "fixes (stale: the build fails until reviewed; redundant: delete them):", *fixes]
        acknowledged = load_acknowledgements()
        changed = self.changed_packages()
        for package in load_packages():
            lines.append("")
            if package.name not in changed:
                why = "no upstream file changed" if package.sections else "not built from upstream"
                lines.append(f"{package.name}: {why}")
            elif package.name in self.failures:
                failure = self.failures[package.name]
                lines += [f"{package.name}: regeneration stopped at {failure.step}:", f"  {failure.message}"]
            else:
                lines += self._package_lines(package.name, acknowledged.get(package.name, []))
        lines += [
            "",
            f"next: make repin COMMIT={self.commit}, then follow README.md, 'When upstream moves'.",
        ]
        return lines

    def _package_lines(self, package: str, patterns: list[str]) -> list[str]:
        committed = SURFACE_DIR / f"{package}.txt"
        old = committed.read_text(encoding="utf-8") if committed.exists() else ""
        changes = compare(old, self.surfaces[package])
        if not changes:
            return [f"{package}: regenerated, the API surface is unchanged"]
        lines = [f"{package}: regenerated, the API surface changes:", *(f"  {line}" for line in render(changes))]
        refused = unacknowledged(changes, patterns)
        if refused:
            lines.append("  removals `make generate` refuses until specs/removals.yaml acknowledges them:")
            lines += acknowledgement_entries(refused, "    ")
        return lines

    def apply(self) -> None:
        MANIFEST.write_text(self.scratch.lock.read_text(encoding="utf-8"), encoding="utf-8")
        for package, text in self.surfaces.items():
            (SURFACE_DIR / f"{package}.txt").write_text(text, encoding="utf-8")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--git", default=os.environ.get("UPSTREAM_GIT") or None, help="local upstream repository")
    parser.add_argument("--commit", help="compare with this commit instead of the branch's newest")
    parser.add_argument("--report", type=Path, help="also write the report to this file (Markdown)")
    parser.add_argument("--apply", action="store_true", help="write the new lock and surface into the working tree")
    args = parser.parse_args(argv)
    pinned = load_manifest()["source"]
    if not pinned.get("branch"):
        raise PipelineError(f"{MANIFEST.name} records no upstream branch: repin with --branch <name>")
    commit = args.commit or newest_commit(pinned["owner"], pinned["repo"], pinned["branch"], args.git)
    if commit == pinned["commit"]:
        print(f"upstream: {pinned['owner']}/{pinned['repo']} {pinned['branch']} is still at {commit[:12]}")
        return
    with tempfile.TemporaryDirectory(prefix="check-upstream-") as tmp:
        check = Check(
            ScratchPipeline(Path(tmp)), commit, file_source(pinned["owner"], pinned["repo"], commit, args.git)
        )
        check.run()
        lines = check.report()
        if args.apply:
            check.apply()
    print("\n".join(lines))
    if args.report:
        args.report.write_text("## Upstream moved\n\n```text\n" + "\n".join(lines) + "\n```\n", encoding="utf-8")
    raise SystemExit(EXIT_MOVED)


if __name__ == "__main__":
    run_step(main)
