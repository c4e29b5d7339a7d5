"""The HTML report in a real browser: headless Chromium lays the charts out."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from itil_ci.report import ReportData, render_html

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason=f"{CHROMIUM} is absent (Debian package 'chromium'; the CI script installs it)",
)

# Runs after layout; writes each chart's rendered size into the DOM for --dump-dom.
_MEASURE = """
<script>
window.addEventListener("load", function () {
  var out = {};
  document.querySelectorAll("svg.chart").forEach(function (el) {
    var r = el.getBoundingClientRect();
    out[el.id] = [Math.round(r.width), Math.round(r.height), el.querySelectorAll("path").length];
  });
  var pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def _chromium(tmp_path: Path, url: str, *extra: str) -> str:
    profile = tmp_path / "profile"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1200,900",
        "--virtual-time-budget=5000",
        *extra,
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_charts_render_with_a_size_in_chromium(tmp_path: Path, data: ReportData) -> None:
    page = render_html(data)
    # The report itself has no script; the test adds one to measure the layout.
    assert "<script" not in page
    path = tmp_path / "report.html"
    path.write_text(page.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    dom = _chromium(tmp_path, path.as_uri(), "--dump-dom")
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    sizes = json.loads(found.group(1).replace("&quot;", '"'))
    expected = {
        "chart-value-effort",
        "chart-kpi-0",
        "chart-control-0",
        "chart-pareto-0",
        "chart-comparison-0",
    }
    assert set(sizes) == expected
    for chart, (width, height, paths) in sizes.items():
        assert width > 200, (chart, width)
        assert height > 80, (chart, height)
        assert paths > 5, (chart, paths)  # axes, lines and markers were drawn
    # The hostile title reached the DOM as text, not as an element.
    assert '<img src="x"' not in dom
    assert "&lt;script&gt;alert" in dom


def test_screenshot_is_written(tmp_path: Path, data: ReportData) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_html(data), encoding="utf-8")
    shot = tmp_path / "report.png"
    _chromium(tmp_path, path.as_uri(), f"--screenshot={shot}")
    assert shot.stat().st_size > 10_000  # a blank 1200x900 PNG is about 5 kB
