"""Regeneration you can trust, as a maintainer meets it: throwaway upstream commits with one change each.

Each scenario commits one change on top of the pinned upstream commit, in a clone of the upstream history
(../shared/upstream), and checks it the way `make check-upstream` does: repinned and regenerated in a scratch copy
of the pipeline. It then asserts what the maintainer sees: the report, the surface diff (one line where one thing
changed), and whether the normal build (`make generate`'s steps, run in the scratch copy) passes or refuses.
"""

from __future__ import annotations

import difflib
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from _pipeline import BUNDLED_DIR, ROOT, SURFACE_DIR, load_manifest
from check_upstream import EXIT_MOVED, Check, newest_commit
from fetch_specs import Source
from scratch import ScratchPipeline
from surface_diff import compare

PINNED = load_manifest()["source"]
BUNDLE = ROOT.parent / "shared" / "upstream" / "krakenfx-api-specs.bundle"
SPOT = "kraken_spot_api"
SCRIPTS_ENV = {key: value for key, value in os.environ.items() if key not in ("SPECS_MIRROR", "UPSTREAM_GIT")}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BUNDLE.is_file(), reason=f"no upstream history at {BUNDLE}"),
]


class Upstream:
    """A clone of upstream whose tracked branch can be moved to a throwaway commit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        subprocess.run(["git", "clone", "-q", "-b", PINNED["branch"], str(BUNDLE), str(root)], check=True)
        assert self.git("rev-parse", "HEAD") == PINNED["commit"]

    def git(self, *args: str) -> str:
        identity = ["-c", "user.name=maintainer", "-c", "user.email=maintainer@example.org"]
        done = subprocess.run(
            ["git", "-C", str(self.root), *identity, *args], check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    def commit(self, change: Callable[[Path], None]) -> str:
        """One change on top of the pinned commit; the tracked branch now points at it."""
        self.git("checkout", "-q", "--detach", PINNED["commit"])
        change(self.root)
        self.git("commit", "-qam", "throwaway change")
        head = self.git("rev-parse", "HEAD")
        self.git("branch", "-f", PINNED["branch"], head)
        return head

    def reset(self) -> None:
        self.git("branch", "-f", PINNED["branch"], PINNED["commit"])


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    clone = Upstream(tmp_path_factory.mktemp("upstream") / "api-specs")
    yield clone
    clone.reset()


def edit(*edits: tuple[str, str, str]) -> Callable[[Path], None]:
    """Replace text in upstream files: (path, old, new) each, ``old`` found exactly where the test expects it."""

    def change(root: Path) -> None:
        for relative, old, new in edits:
            path = root / relative
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{relative} no longer contains {old!r}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def checked(upstream: Upstream, tmp_path: Path, change: Callable[[Path], None]) -> Check:
    check = Check(
        ScratchPipeline(tmp_path), upstream.commit(change), Source(mirror=None, url_base=None, git=str(upstream.root))
    )
    check.run()
    return check


def surface_diff(check: Check, package: str = SPOT) -> list[str]:
    """The ``+``/``-`` lines of the surface diff a maintainer reviews."""
    old = (SURFACE_DIR / f"{package}.txt").read_text(encoding="utf-8").splitlines()
    lines = difflib.unified_diff(old, check.surfaces[package].splitlines(), lineterm="", n=0)
    return [line for line in lines if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def report(check: Check) -> str:
    return "\n".join(check.report())


HEARTBEAT = """  /public/Heartbeat:
    get:
      tags:
        - Market Data
      summary: Heartbeat
      operationId: getHeartbeat
      responses:
        "200":
          description: Alive.
          content:
            application/json:
              schema:
                type: object
                properties:
                  result:
                    type: object
                    properties:
                      alive:
                        type: boolean
                  error:
                    $ref: "./schemas/objects/errors/error.yaml"
"""


def test_added_endpoint_is_reported_and_generates(upstream: Upstream, tmp_path: Path) -> None:
    check = checked(upstream, tmp_path, edit(("spot-rest/openapi_v3.yaml", "paths:\n", "paths:\n" + HEARTBEAT)))
    text = report(check)
    assert "operations added (1):\n    get_heartbeat: GET /public/Heartbeat -> GetHeartbeatResponse | None" in text
    assert "removed" not in text
    assert all(
        change.what == "added" for change in compare((SURFACE_DIR / f"{SPOT}.txt").read_text(), check.surfaces[SPOT])
    )
    assert check.scratch.run("surface.py", SPOT) is None  # `make generate` passes: additions are never fatal


def _drop_path(path: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        spec = root / "spot-rest" / "openapi_v3.yaml"
        lines = spec.read_text(encoding="utf-8").splitlines(keepends=True)
        start = lines.index(f"  {path}:\n")
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  /"))
        spec.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")

    return change


def test_removed_endpoint_fails_the_build_until_acknowledged(upstream: Upstream, tmp_path: Path) -> None:
    check = checked(upstream, tmp_path, _drop_path("/public/Spread"))
    text = report(check)
    assert "operations removed (1):\n    get_recent_spreads: GET /public/Spread" in text
    assert '- {removed: "operation get_recent_spreads", reason: "..."}' in text
    failure = check.scratch.run("surface.py", SPOT)
    assert failure is not None
    assert failure.step == "surface"
    assert "operation get_recent_spreads" in failure.message
    assert "specs/removals.yaml" in failure.message
    acknowledgements = check.scratch.root / "specs" / "removals.yaml"
    acknowledgements.write_text(
        f"{SPOT}:\n  - removed: operation get_recent_spreads\n    reason: Kraken retired the spread endpoint\n",
        encoding="utf-8",
    )
    assert check.scratch.run("surface.py", SPOT) is None


ADD = "spot-rest/schemas/requests/trading/orders/add.yaml"
PAIRS = "spot-rest/schemas/objects/public/assets/pairs.yaml"
WSNAME = "  wsname:\n    description: WebSocket pair name (if available)\n"
DECIMALS = "  pair_decimals:\n    description: Number of decimal places for prices in this pair\n    type: "
BALANCE = "spot-rest/schemas/objects/user/account/balance.yaml"
SETTLE = ("spot-rest/partials/properties/ordertype.yaml", "  - settle-position\n", "")

# One upstream change each; the surface diff a maintainer reviews, a line of the report, and what the normal
# build says: None when it passes, else the acknowledgement it asks for.
ONE_LINE_CHANGES = [
    pytest.param(
        [
            (ADD, "properties:\n", "properties:\n  reason:\n    type: string\n"),
            (ADD, "  - ordertype\n", "  - ordertype\n  - reason\n"),
        ],
        ["+field AddOrderRequest.reason: str"],
        "fields added (1):\n    AddOrderRequest.reason: str",
        None,
        id="added-required-field",
    ),
    pytest.param(
        [(PAIRS, DECIMALS + "integer", DECIMALS + "string")],
        ["-field AssetPair.pair_decimals: int | Unset", "+field AssetPair.pair_decimals: str | Unset"],
        "fields retyped (1):\n    AssetPair.pair_decimals: int | Unset  ->  str | Unset",
        None,
        id="field-type-change",
    ),
    pytest.param(
        # Balances are decimal strings, read as Decimal by our fix: a change to numbers would not change the type
        # users see (correctly); to integers it does.
        [(BALANCE, "  type: string\n  description: balance", "  type: integer\n  description: balance")],
        ["-model AccountBalance: dict[str, Decimal]", "+model AccountBalance: dict[str, int]"],
        "models retyped (1):\n    AccountBalance: dict[str, Decimal]  ->  dict[str, int]",
        None,
        id="map-value-type-change",
    ),
    pytest.param(
        [SETTLE],
        ['-member Ordertype.SETTLE_POSITION: "settle-position"'],
        'enum values removed (1):\n    Ordertype.SETTLE_POSITION: "settle-position"',
        '- {removed: "member Ordertype.SETTLE_POSITION", reason: "..."}',
        id="removed-enum-value",
    ),
    pytest.param(
        [(PAIRS, WSNAME, WSNAME.replace("\n", "\n    deprecated: true\n", 1))],
        ["-field AssetPair.wsname: str | Unset", "+field AssetPair.wsname: str | Unset  (deprecated)"],
        "fields deprecated (1):\n    AssetPair.wsname: str | Unset  ->  str | Unset  (deprecated)",
        None,
        id="deprecation",
    ),
]


@pytest.mark.parametrize(("edits", "diff", "reported", "refused"), ONE_LINE_CHANGES)
def test_one_upstream_change_is_one_visible_change(
    upstream: Upstream,
    tmp_path: Path,
    edits: list[tuple[str, str, str]],
    diff: list[str],
    reported: str,
    refused: str | None,
) -> None:
    check = checked(upstream, tmp_path, edit(*edits))
    assert surface_diff(check) == diff
    assert reported in report(check)
    failure = check.scratch.run("surface.py", SPOT)  # the step of `make generate` that compares surfaces
    if refused is None:
        assert failure is None
    else:
        assert failure is not None
        assert refused in failure.message
        assert refused in report(check)


def test_fix_made_stale_is_reported_and_fails_the_build(upstream: Upstream, tmp_path: Path) -> None:
    check = checked(
        upstream,
        tmp_path,
        edit(("spot-rest/schemas/responses/user/orders/query.yaml", "    result:\n", "    orders:\n")),
    )
    text = report(check)
    assert "error: specs/fixes/kraken_spot.overlay.yaml: fix 'query-orders-result-is-a-map' is stale" in text
    assert "schemas.responses.user.orders.query'].properties.result.oneOf: matches nothing" in text
    failure = check.scratch.run("apply_fixes.py", SPOT)
    assert failure is not None
    assert "1 stale fix" in failure.message
    assert "query-orders-result-is-a-map" in failure.message


def test_fix_made_redundant_warns_in_the_check_and_fails_the_build(upstream: Upstream, tmp_path: Path) -> None:
    check = checked(upstream, tmp_path, edit(("spot-rest/openapi_v3.yaml", "type: ISO 3166-1 alpha-2", "type: string")))
    assert "warning: specs/fixes/kraken_spot.overlay.yaml: fix 'country-code-type' is redundant" in report(check)
    assert surface_diff(check) == []  # the fix wrote what upstream now says
    failure = check.scratch.run("apply_fixes.py", SPOT)
    assert failure is not None
    assert "1 redundant fix(es): upstream corrected the defect; delete them" in failure.message


RECENT = """  /public/Recent:
    get:
      tags:
        - Market Data
      operationId: getRecent
      responses:
        "200":
          description: Recent.
          content:
            application/json:
              schema:
                $ref: "./schemas/responses/public/recent.yaml"
"""


def test_new_file_that_shifts_the_bundlers_names_leaves_every_fix_applied(upstream: Upstream, tmp_path: Path) -> None:
    def new_endpoint(root: Path) -> None:
        answer = {
            "type": "object",
            "properties": {"result": {"type": "object", "properties": {"at": {"type": "integer"}}}},
        }
        (root / "spot-rest/schemas/responses/public/recent.yaml").write_text(yaml.safe_dump(answer), encoding="utf-8")
        edit(("spot-rest/openapi_v3.yaml", "paths:\n", "paths:\n" + RECENT))(root)
        upstream.git("add", "spot-rest/schemas/responses/public/recent.yaml")

    check = checked(upstream, tmp_path, new_endpoint)
    raw = "kraken_spot_api/spot.yaml"
    pinned_raw = yaml.safe_load((BUNDLED_DIR / raw).read_text(encoding="utf-8"))["components"]["schemas"]
    moved_raw = yaml.safe_load((check.scratch.build / "bundled" / raw).read_text(encoding="utf-8"))["components"][
        "schemas"
    ]
    assert pinned_raw["recent-2"] != moved_raw["recent-2"]  # Redocly renumbered: 'recent-2' is another schema now
    assert {verdict["status"] for verdict in check.verdicts} == {"applied"}
    assert "fixes (" not in report(check)
    assert {change.what for change in compare((SURFACE_DIR / f"{SPOT}.txt").read_text(), check.surfaces[SPOT])} == {
        "added"
    }


# --- the command and the workflow's use of it ----------------------------------------------------------


def _run_check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "check_upstream.py", *args],
        cwd=ROOT / "scripts", capture_output=True, text=True, env=env or SCRIPTS_ENV, check=False,
    )  # fmt: skip


def test_an_unmoved_branch_exits_0(upstream: Upstream) -> None:
    upstream.reset()
    done = _run_check("--git", str(upstream.root))
    assert (done.returncode, done.stdout.strip()) == (
        0,
        f"upstream: krakenfx/api-specs {PINNED['branch']} is still at {PINNED['commit'][:12]}",
    )


def test_make_check_upstream_prints_the_report_exits_moved_and_changes_nothing(upstream: Upstream) -> None:
    watched = [ROOT / "specs" / "upstream.lock.json", *sorted(SURFACE_DIR.glob("*.txt"))]
    before = [path.read_bytes() for path in watched]
    head = upstream.commit(edit(SETTLE))
    done = subprocess.run(
        ["make", "--no-print-directory", "check-upstream", f"UPSTREAM_GIT={upstream.root}"],
        cwd=ROOT, capture_output=True, text=True, env=SCRIPTS_ENV, check=False,
    )  # fmt: skip
    assert (
        f"upstream moved: krakenfx/api-specs {PINNED['branch']} {PINNED['commit'][:12]} (pinned) -> {head[:12]}"
        in done.stdout
    )
    assert "Error 3" in done.stderr  # the script's status; make's own is 2 for any failed recipe
    assert [path.read_bytes() for path in watched] == before


def test_apply_writes_the_repin_and_the_surface_keeping_the_branch(upstream: Upstream, tmp_path: Path) -> None:
    head = upstream.commit(edit(SETTLE))
    tree = ScratchPipeline(tmp_path / "tree")  # stands for the workflow's checkout
    report_file = tmp_path / "report.md"
    done = subprocess.run(
        [sys.executable, "check_upstream.py", "--git", str(upstream.root), "--apply", "--report", str(report_file)],
        cwd=tree.root / "scripts", capture_output=True, text=True, env=SCRIPTS_ENV, check=False,
    )  # fmt: skip
    assert done.returncode == EXIT_MOVED, done.stderr
    lock = json.loads(tree.lock.read_text(encoding="utf-8"))
    assert lock["source"] == {**PINNED, "commit": head}
    assert "member Ordertype.SETTLE_POSITION" not in (tree.root / "specs" / "surface" / f"{SPOT}.txt").read_text()
    assert report_file.read_text(encoding="utf-8").startswith("## Upstream moved\n\n```text\nupstream moved:")


def test_repin_keeps_the_tracked_branch(upstream: Upstream, tmp_path: Path) -> None:
    head = upstream.commit(edit(SETTLE))
    tree = ScratchPipeline(tmp_path / "tree")
    done = subprocess.run(
        [sys.executable, "repin_specs.py", "--commit", head, "--git", str(upstream.root)],
        cwd=tree.root / "scripts", capture_output=True, text=True, env=SCRIPTS_ENV, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(tree.lock.read_text(encoding="utf-8"))["source"] == {**PINNED, "commit": head}


def test_the_workflow_opens_a_pull_request_only_when_upstream_moved() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "upstream.yml").read_text(encoding="utf-8"))
    assert {"schedule", "workflow_dispatch"} <= set(workflow[True])  # YAML reads the key `on` as True
    steps = workflow["jobs"]["check"]["steps"]
    check = next(step for step in steps if step.get("id") == "check")
    assert "check_upstream.py --apply --report" in check["run"]
    opening = next(step for step in steps if "gh pr create" in step.get("run", ""))
    assert opening["if"] == f"steps.check.outputs.status == '{EXIT_MOVED}'"
    assert "git add specs/upstream.lock.json specs/surface" in opening["run"]


# --- online: GitHub's API ---------------------------------------------------------------------------


class _FakeGitHub(http.server.BaseHTTPRequestHandler):
    answer = PINNED["commit"]
    seen: ClassVar[list[tuple[str, str, str]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Accept", ""), self.headers.get("Authorization", "")))
        body = self.answer.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


def test_the_newest_commit_comes_from_githubs_api(monkeypatch: pytest.MonkeyPatch) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _FakeGitHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{server.server_port}")
        monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
        assert newest_commit("krakenfx", "api-specs", "feature/openapi-spec", None) == PINNED["commit"]
    finally:
        server.shutdown()
    assert _FakeGitHub.seen == [
        ("/repos/krakenfx/api-specs/commits/heads/feature/openapi-spec", "application/vnd.github.sha", "Bearer t0ken")
    ]
