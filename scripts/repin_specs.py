"""Re-pin the upstream specs to a commit: rewrite specs/upstream.lock.json from what the entries reference.

The manifest lists every file reachable by ``$ref`` from the entry documents named in
specs/pipeline.yaml, with its sha256, so "the specs changed" is one reviewed diff of the manifest.
"""

from __future__ import annotations

import argparse
import json
import posixpath
from typing import Any

import yaml

from _pipeline import MANIFEST, PipelineError, load_packages, run_step
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


def pin(source: Source, owner: str, repo: str, commit: str, entries: list[str]) -> dict[str, str]:
    hashes: dict[str, str] = {}
    pending = list(entries)
    while pending:
        path = posixpath.normpath(pending.pop())
        if path in hashes:
            continue
        data = source.read(owner, repo, commit, path)
        hashes[path] = sha256_of(data)
        try:
            document = yaml.safe_load(data)
        except yaml.YAMLError as exc:
            raise PipelineError(f"{path} at {commit} is not valid YAML: {exc}") from None
        base = posixpath.dirname(path)
        pending.extend(posixpath.join(base, ref) for ref in _external_refs(document))
    return dict(sorted(hashes.items()))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commit", required=True)
    parser.add_argument("--owner", default="krakenfx")
    parser.add_argument("--repo", default="api-specs")
    parser.add_argument("--branch", default="", help="recorded for readers only")
    parser.add_argument("--mirror")
    parser.add_argument("--url-base")
    args = parser.parse_args(argv)
    entries = [section.path for package in load_packages() for section in package.sections]
    source = source_from_env(args.mirror, args.url_base)
    files = pin(source, args.owner, args.repo, args.commit, entries)
    manifest = {
        "source": {"owner": args.owner, "repo": args.repo, "commit": args.commit, "branch": args.branch},
        "files": files,
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"pinned {len(files)} files of {args.owner}/{args.repo}@{args.commit} in {MANIFEST.name}")


if __name__ == "__main__":
    run_step(main)
