"""The HTML report in a real headless browser (Debian's chromium, installed by .ci/run): each kind of
report renders to a PNG kept as a CI artefact in artifacts/, and its DOM has the title, every tier's bar
and total, the legend, round axis ticks and, for a comparison, the headline delta.

Skips only when no chromium binary is on PATH."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
#: Screenshots a person (or CI's artefact upload) can look at; git-ignored, documented in docs/costing.md.
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
TIERS = ["dev", "1k-dau", "5k-dau", "10k-dau", "25k-dau", "50k-dau", "100k-dau"]

KINDS = {
    "all": (["--all"], "Monthly cost per tier in us-east-1", TIERS),
    "tier": (["--profile", "50k"], "Monthly cost: 50k-dau in us-east-1 (50,000 DAU)", ["50k-dau"]),
    "compare": (["--compare", "25k", "100k"], "Cost change: 25k-dau → 100k-dau in us-east-1", ["25k-dau", "100k-dau"]),
}


def _browser(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run(base + list(args), capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH")
@pytest.mark.parametrize("kind", list(KINDS))
def test_report_renders_in_headless_chromium(run, tmp_path, monkeypatch, kind):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    args, title, tiers = KINDS[kind]
    page = tmp_path / f"cost-report-{kind}.html"
    assert run("cost-report", *args, "--format", "html", "--output", str(page)).exit_code == 0
    data = json.loads(run("cost-report", *args, "--json").stdout)
    dom = _browser(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert f"<title>{title}</title>" in html and f'<h1 id="title">{title}</h1>' in html
    bars = re.findall(r'<rect class="bar" data-tier="([^"]+)" data-category="([^"]+)"', html)
    assert sorted({t for t, _ in bars}, key=tiers.index) == tiers
    assert {"compute", "database"} <= {c for _, c in bars}
    estimates = data.get("profiles") or ([data["before"], data["after"]] if "before" in data else [data])
    for e in estimates:
        total = f"${e['total_monthly']:,.2f}"
        assert f'data-tier="{e["profile"]}" data-total="{e["total_monthly"]:.2f}"' in html
        assert re.search(rf'<text class="total"[^>]*>{re.escape(total)}</text>', html), total
    ticks = re.findall(r'<text class="tick"[^>]*>\$([0-9,.]+)</text>', html)
    assert ticks[0] == "0" and all(float(t.replace(",", "")) % 1 == 0 for t in ticks)  # round ticks
    legend = re.findall(r'<span data-category="([^"]+)">', html)
    assert {c for _, c in bars} == set(legend)
    assert 'id="provenance"' in html and "bundled with chatops" in html
    if kind == "compare":
        assert re.search(r'id="headline">\+\$[0-9,.]+/month \(\+[0-9.]+ %\)</p>', html)
        assert 'data-change="added"' in html and 'data-change="removed"' in html
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"cost-report-{kind}.png"
    shot.unlink(missing_ok=True)
    snap = _browser(tmp_path, f"--screenshot={shot}", "--window-size=1200,1400", page.as_uri())
    assert snap.returncode == 0 and shot.stat().st_size > 10_000, snap.stderr[-2000:]
