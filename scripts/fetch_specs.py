"""Download the pinned upstream spec files and refuse any whose sha256 differs from the manifest.

Source, first given wins: a local mirror laid out like the raw-file URLs, ``<mirror>/<owner>/<repo>/<commit>/<path>``
(``--mirror`` or ``SPECS_MIRROR``); a local clone or bare repository of upstream, read with git (``--git`` or
``UPSTREAM_GIT``); a raw-file URL base (``--url-base`` or ``SPECS_URL_BASE``, default GitHub's).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from _pipeline import UPSTREAM_DIR, PipelineError, load_manifest, run_step

DEFAULT_URL_BASE = "https://raw.githubusercontent.com"
_REPIN_HINT = (
    "If upstream really changed, re-pin deliberately with `make repin COMMIT=<sha>` and review the diff "
    "of specs/upstream.lock.json; otherwise the download is corrupt or the mirror is wrong."
)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Source:
    """Where upstream files come from: a local mirror directory, a git repository or a URL base."""

    def __init__(self, *, mirror: str | None, url_base: str | None, git: str | None = None) -> None:
        self._mirror: Path | None = None
        self._git: Path | None = None
        self._url_base = ""
        if mirror:
            root = Path(mirror)
            if not root.is_dir():
                raise PipelineError(f"spec mirror {mirror!r} is not a directory (set by --mirror or SPECS_MIRROR)")
            self._mirror = root
        elif git:
            self._git = git_repository(git)
        else:
            base = (url_base or DEFAULT_URL_BASE).rstrip("/")
            if not base.startswith(("https://", "http://", "file://")):
                raise PipelineError(
                    f"unknown spec source {base!r}: give an http(s):// or file:// URL base, or a mirror directory"
                )
            self._url_base = base

    def describe(self) -> str:
        if self._mirror:
            return f"mirror {self._mirror}"
        return f"git repository {self._git}" if self._git else f"URL base {self._url_base}"

    def read(self, owner: str, repo: str, commit: str, path: str) -> bytes:
        relative = f"{owner}/{repo}/{commit}/{path}"
        if self._mirror is not None:
            candidate = self._mirror / relative
            if not candidate.is_file():
                raise PipelineError(f"{path}: not found in the mirror (looked for {candidate})")
            return candidate.read_bytes()
        if self._git is not None:
            return git_read(self._git, commit, path)
        url = f"{self._url_base}/{relative}"
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                body: bytes = response.read()
                return body
        except (urllib.error.URLError, OSError) as exc:
            raise PipelineError(
                f"{path}: download from {url} failed: {exc}. Without access to GitHub, read the pinned files from a "
                "local mirror laid out <owner>/<repo>/<commit>/<path>: make SPECS_MIRROR=<dir> (or --mirror)"
            ) from None


def git_repository(path: str) -> Path:
    """A local clone or bare repository of upstream, checked to be one."""
    root = Path(path).resolve()
    found = subprocess.run(["git", "-C", str(root), "rev-parse", "--git-dir"], capture_output=True, check=False)
    if found.returncode != 0:
        raise PipelineError(f"{path} is not a git repository (set by --git or UPSTREAM_GIT)")
    return root


def git_read(repository: Path, commit: str, path: str) -> bytes:
    shown = subprocess.run(["git", "-C", str(repository), "show", f"{commit}:{path}"], capture_output=True, check=False)
    if shown.returncode != 0:
        raise PipelineError(f"{path}: not in {repository} at {commit}: {shown.stderr.decode(errors='replace').strip()}")
    return shown.stdout


def source_from_env(mirror: str | None = None, url_base: str | None = None, git: str | None = None) -> Source:
    return Source(
        mirror=mirror or os.environ.get("SPECS_MIRROR") or None,
        url_base=url_base or os.environ.get("SPECS_URL_BASE") or None,
        git=git or os.environ.get("UPSTREAM_GIT") or None,
    )


def fetch(manifest: dict[str, Any], source: Source, dest: Path) -> int:
    """Write every pinned file under ``dest``; return how many had to be fetched (the rest were cached)."""
    pin = manifest["source"]
    fetched = 0
    for path, expected in sorted(manifest["files"].items()):
        target = dest / path
        if target.is_file() and sha256_of(target.read_bytes()) == expected:
            continue
        data = source.read(pin["owner"], pin["repo"], pin["commit"], path)
        actual = sha256_of(data)
        if actual != expected:
            raise PipelineError(
                f"{path}: sha256 mismatch from {source.describe()}\n  expected {expected}\n  actual   {actual}\n"
                f"  {_REPIN_HINT}"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        fetched += 1
    return fetched


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mirror", help="local mirror directory (default: $SPECS_MIRROR)")
    parser.add_argument("--git", help="local clone or bare repository of upstream (default: $UPSTREAM_GIT)")
    parser.add_argument("--url-base", help=f"raw-file URL base (default: $SPECS_URL_BASE or {DEFAULT_URL_BASE})")
    parser.add_argument("--dest", type=Path, default=UPSTREAM_DIR)
    args = parser.parse_args(argv)
    manifest = load_manifest()
    source = source_from_env(args.mirror, args.url_base, args.git)
    fetched = fetch(manifest, source, args.dest)
    total = len(manifest["files"])
    print(
        f"specs: {total} pinned files verified ({fetched} fetched from {source.describe()}, {total - fetched} cached)"
    )


if __name__ == "__main__":
    run_step(main)
