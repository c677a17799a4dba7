"""Re-pin the upstream specs to a commit: rewrite specs/upstream.lock.json from what the entries reference.

The manifest lists every file reachable by ``$ref`` from the entry documents named in specs/pipeline.yaml,
with its sha256, so "the specs changed" is one reviewed diff of the manifest. It also records the upstream
branch that `make check-upstream` follows; a repin keeps it unless ``--branch`` names another.
"""

from __future__ import annotations

import argparse
import json
import posixpath
from pathlib import Path
from typing import Any

import yaml

from _pipeline import MANIFEST, PipelineError, load_packages, parse_yaml, run_step
from fetch_specs import Source, sha256_of, source_from_env


def _external_refs(node: Any) -> set[str]:
    """Every file part of a ``$ref`` that points outside its own document."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and not value.startswith("#"):
                found.add(value.split("#", 1)[0])
            else:
                found |= _external_refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _external_refs(item)
    return found


def pin(
    source: Source, owner: str, repo: str, commit: str, entries: list[str], keep: dict[str, bytes] | None = None
) -> dict[str, str]:
    """sha256 of every file the entries reach; ``keep`` collects their content when given."""
    hashes: dict[str, str] = {}
    pending = list(entries)
    while pending:
        path = posixpath.normpath(pending.pop())
        if path in hashes:
            continue
        data = source.read(owner, repo, commit, path)
        hashes[path] = sha256_of(data)
        if keep is not None:
            keep[path] = data
        try:
            document = parse_yaml(data)
        except yaml.YAMLError as exc:
            raise PipelineError(f"{path} at {commit} is not valid YAML: {exc}") from None
        base = posixpath.dirname(path)
        pending.extend(posixpath.join(base, ref) for ref in _external_refs(document))
    return dict(sorted(hashes.items()))


def pin_packages(
    source: Source, owner: str, repo: str, commit: str, keep: dict[str, bytes] | None = None
) -> dict[str, dict[str, str]]:
    """The pinned files of each package built from upstream documents."""
    return {
        package.name: pin(source, owner, repo, commit, [section.path for section in package.sections], keep)
        for package in load_packages()
        if package.sections
    }


def write_manifest(path: Path, source: dict[str, str], files: dict[str, str]) -> None:
    manifest = {"source": source, "files": dict(sorted(files.items()))}
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str]) -> None:
    current = json.loads(MANIFEST.read_text(encoding="utf-8"))["source"] if MANIFEST.exists() else {}
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commit", required=True)
    parser.add_argument("--owner", default=current.get("owner", "krakenfx"))
    parser.add_argument("--repo", default=current.get("repo", "api-specs"))
    parser.add_argument("--branch", default=current.get("branch", ""), help="the branch check-upstream follows")
    parser.add_argument("--mirror")
    parser.add_argument("--url-base")
    parser.add_argument("--git", help="local clone or bare repository of upstream (default: $UPSTREAM_GIT)")
    args = parser.parse_args(argv)
    if not args.branch:
        raise PipelineError("no upstream branch recorded in specs/upstream.lock.json: give one with --branch")
    source = source_from_env(args.mirror, args.url_base, args.git)
    per_package = pin_packages(source, args.owner, args.repo, args.commit)
    files = {path: sha for pinned in per_package.values() for path, sha in pinned.items()}
    pinned = {"owner": args.owner, "repo": args.repo, "commit": args.commit, "branch": args.branch}
    write_manifest(MANIFEST, pinned, files)
    print(f"pinned {len(files)} files of {args.owner}/{args.repo}@{args.commit} ({args.branch}) in {MANIFEST.name}")


if __name__ == "__main__":
    run_step(main)
