"""The download step refuses anything that is not exactly the pinned upstream file."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from _pipeline import ROOT, PipelineError, load_manifest
from fetch_specs import Source, fetch, sha256_of
from repin_specs import pin

# The mirror the build reads (`make SPECS_MIRROR=...`, as CI does), else the one beside the checkout.
MIRROR = Path(os.environ.get("SPECS_MIRROR") or ROOT.parent / "shared" / "mirror")
needs_mirror = pytest.mark.skipif(not MIRROR.is_dir(), reason=f"no spec mirror at {MIRROR} (set SPECS_MIRROR)")


def _tiny_mirror(tmp_path: Path, content: bytes) -> tuple[Source, dict[str, object]]:
    root = tmp_path / "mirror"
    target = root / "acme" / "specs" / "c0ffee" / "api" / "entry.yaml"
    target.parent.mkdir(parents=True)
    target.write_bytes(content)
    manifest = {
        "source": {"owner": "acme", "repo": "specs", "commit": "c0ffee"},
        "files": {"api/entry.yaml": sha256_of(b"openapi: 3.0.0\n")},
    }
    return Source(mirror=str(root), url_base=None), manifest


def test_matching_file_is_written(tmp_path: Path) -> None:
    source, manifest = _tiny_mirror(tmp_path, b"openapi: 3.0.0\n")
    assert fetch(manifest, source, tmp_path / "out") == 1
    assert (tmp_path / "out" / "api" / "entry.yaml").read_bytes() == b"openapi: 3.0.0\n"
    assert fetch(manifest, source, tmp_path / "out") == 0  # cached and still verified


def test_hash_mismatch_is_refused_naming_file_hashes_and_remedy(tmp_path: Path) -> None:
    source, manifest = _tiny_mirror(tmp_path, b"openapi: 3.1.0\n")
    with pytest.raises(PipelineError) as caught:
        fetch(manifest, source, tmp_path / "out")
    message = str(caught.value)
    assert "api/entry.yaml" in message
    assert sha256_of(b"openapi: 3.0.0\n") in message
    assert sha256_of(b"openapi: 3.1.0\n") in message
    assert "make repin" in message
    assert not (tmp_path / "out" / "api" / "entry.yaml").exists()


def test_tampered_cached_file_is_fetched_again(tmp_path: Path) -> None:
    source, manifest = _tiny_mirror(tmp_path, b"openapi: 3.0.0\n")
    out = tmp_path / "out"
    fetch(manifest, source, out)
    (out / "api" / "entry.yaml").write_bytes(b"tampered")
    assert fetch(manifest, source, out) == 1
    assert (out / "api" / "entry.yaml").read_bytes() == b"openapi: 3.0.0\n"


def test_file_missing_from_mirror_is_refused(tmp_path: Path) -> None:
    source, manifest = _tiny_mirror(tmp_path, b"openapi: 3.0.0\n")
    manifest["files"] = {"api/other.yaml": "0" * 64}
    with pytest.raises(PipelineError, match=r"api/other.yaml: not found in the mirror"):
        fetch(manifest, source, tmp_path / "out")


def test_missing_mirror_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="is not a directory"):
        Source(mirror=str(tmp_path / "nowhere"), url_base=None)


@pytest.mark.parametrize("base", ["ftp://example.org", "example.org/raw", "s3://bucket"])
def test_unknown_source_is_refused(base: str) -> None:
    with pytest.raises(PipelineError, match="unknown spec source"):
        Source(mirror=None, url_base=base)


def _git_upstream(tmp_path: Path, content: bytes) -> tuple[Path, str]:
    repository = tmp_path / "upstream"
    (repository / "api").mkdir(parents=True)
    (repository / "api" / "entry.yaml").write_bytes(content)
    git = ["git", "-C", str(repository), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "entry"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    return repository, head


def test_files_are_read_from_a_git_repository_at_the_pinned_commit(tmp_path: Path) -> None:
    repository, commit = _git_upstream(tmp_path, b"openapi: 3.0.0\n")
    source = Source(mirror=None, url_base=None, git=str(repository))
    pinned = {"owner": "acme", "repo": "specs", "commit": commit}
    manifest = {"source": pinned, "files": {"api/entry.yaml": sha256_of(b"openapi: 3.0.0\n")}}
    assert fetch(manifest, source, tmp_path / "out") == 1
    with pytest.raises(PipelineError, match=r"api/other.yaml: not in .* at "):
        source.read("acme", "specs", commit, "api/other.yaml")
    with pytest.raises(PipelineError, match="is not a git repository"):
        Source(mirror=None, url_base=None, git=str(tmp_path / "out"))


@needs_mirror
def test_committed_manifest_pins_exactly_what_the_entries_reference() -> None:
    manifest = load_manifest()
    pinned = manifest["source"]
    entries = sorted(path for path in manifest["files"] if path.endswith(("openapi_v3.yaml", "public.yml")))
    files = pin(Source(mirror=str(MIRROR), url_base=None), pinned["owner"], pinned["repo"], pinned["commit"], entries)
    assert files == manifest["files"]


def test_a_failed_download_says_how_to_build_offline(tmp_path: Path) -> None:
    _, manifest = _tiny_mirror(tmp_path, b"openapi: 3.0.0\n")
    with socket.create_server(("127.0.0.1", 0)) as closed:  # a port nobody listens on, once this is closed
        port = closed.getsockname()[1]
    with pytest.raises(PipelineError, match=r"download from http://127\.0\.0\.1:\d+/.* failed.*SPECS_MIRROR"):
        fetch(manifest, Source(mirror=None, url_base=f"http://127.0.0.1:{port}"), tmp_path / "out")


@pytest.mark.slow
def test_make_reads_a_relative_mirror_from_where_it_was_given(tmp_path: Path) -> None:
    """`make SPECS_MIRROR=<relative path>`: the steps run in scripts/, but the path means the caller's directory."""
    relative = os.path.relpath(MIRROR, ROOT)
    shown = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "--no-print-directory", "-f", "Makefile", "-f", "-", "show-mirror",
         f"SPECS_MIRROR={relative}"],
        input="show-mirror:\n\t@echo $(SPECS_MIRROR)\n",
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert Path(shown.stdout.strip()) == MIRROR.resolve()


@pytest.mark.parametrize("version", ["v18.19.0", None])
def test_make_says_which_node_it_needs(tmp_path: Path, version: str | None) -> None:
    """Redocly needs Node >= 20.19: too old or missing, `make` says so instead of failing inside npm."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if version is not None:  # an old node: it reports its version, and fails the version check
        fake = bin_dir / "node"
        fake.write_text(f'#!/bin/sh\n[ "$1" = --version ] && echo {version} && exit 0\nexit 1\n')
        fake.chmod(0o755)
    for tool in ("make", "sh"):
        (bin_dir / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    for name in ("Makefile", "package.json", "package-lock.json"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    run = subprocess.run(
        ["make", "-s", "node_modules/.installed"], cwd=tmp_path, env={"PATH": str(bin_dir)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode != 0
    assert "Node.js >= 20.19" in run.stderr
    assert (version or "no node") in run.stderr
