"""The HTML report in a real headless browser: the chart's bars must be in the rendered DOM.

Skips only when no chromium binary is on PATH (CI installs Debian's chromium)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH")
def test_chart_bars_render_in_headless_chromium(run, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    page = tmp_path / "costs.html"
    assert run("cost-report", "--all", "--format", "html", "--output", str(page)).exit_code == 0
    shot = tmp_path / "shot.png"
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(base + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    bars = re.findall(r'<rect class="bar" data-tier="([^"]+)" data-category="([^"]+)"', dom.stdout)
    tiers = {t for t, _ in bars}
    assert tiers == {"dev", "1k-dau", "5k-dau", "10k-dau", "25k-dau", "50k-dau", "100k-dau"}
    assert {"compute", "database", "cache"} <= {c for _, c in bars}
    snap = subprocess.run(base + [f"--screenshot={shot}", "--window-size=1000,900", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert snap.returncode == 0 and shot.stat().st_size > 5_000
