"""The HTML report in a real browser: headless Chromium lays the charts out."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
from pathlib import Path

import pytest

from itil_ci._demo import run_demo
from itil_ci.report import ReportData, render_html
from tests._browser import CHROMIUM, require_chromium


@pytest.fixture(autouse=True)
def _chromium_present() -> None:
    require_chromium()


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


def _chromium(tmp_path: Path, url: str, *extra: str, size: str = "1200,900") -> str:
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
        f"--window-size={size}",
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


# The demo report in a 1280 x 800 viewport: page height, the KPI summary and every chart.
_LAYOUT = """
<script>
window.addEventListener("load", function () {
  function shown(el) {
    var r = el.getBoundingClientRect(), st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== "hidden" && st.display !== "none"
      && !el.closest("details:not([open])");
  }
  var out = {height: document.documentElement.scrollHeight, charts: {}, figures: 0};
  document.querySelectorAll("svg.chart").forEach(function (el) {
    var r = el.getBoundingClientRect();
    out.charts[el.id] = [Math.round(r.width), Math.round(r.height), shown(el)];
  });
  out.figures = document.querySelectorAll("figure").length;
  var table = document.getElementById("kpi-summary-table");
  if (table) {
    var r = table.getBoundingClientRect();
    out.summary = {
      rows: table.querySelectorAll("tbody tr").length,
      icons: table.querySelectorAll("svg.icon").length,
      sparklines: table.querySelectorAll("svg.spark").length,
      top: Math.round(r.top + window.scrollY),
      height: Math.round(r.height),
      shown: shown(table),
    };
  }
  var pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""

VIEWPORT = (1280, 800)


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    return run_demo(out / "demo.sqlite", out).html


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_demo_report_is_one_page_with_every_chart_shown(tmp_path: Path, demo_report: Path) -> None:
    size = demo_report.stat().st_size
    assert size < 1_000_000, size
    page = demo_report.read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", _LAYOUT + "</body>"), encoding="utf-8")
    dom = _chromium(tmp_path, probe.as_uri(), "--dump-dom", size=f"{VIEWPORT[0]},{VIEWPORT[1]}")
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    layout = json.loads(found.group(1).replace("&quot;", '"'))
    height = layout["height"]
    print(f"demo report: {size:,} bytes, {height:,} px high ({height / VIEWPORT[1]:.1f} screens)")
    assert height < 8 * VIEWPORT[1], height
    # The KPI summary leads: one row per KPI of the demo (4 kinds x 5 services), each with a
    # sparkline and a variation icon; the two KPIs of the initiative also have an assurance.
    summary = layout["summary"]
    assert summary["shown"]
    assert summary["rows"] == 20
    assert summary["sparklines"] == 20
    assert summary["icons"] == 20 + 2
    assert summary["top"] < VIEWPORT[1]  # it starts on the first screen
    # Every chart is there, drawn with a size and not folded away: the value/effort matrix,
    # the two KPIs of the initiative, the Pareto chart and the two before/after comparisons.
    charts = layout["charts"]
    assert set(charts) == {
        "chart-value-effort",
        "chart-kpi-0",
        "chart-kpi-1",
        "chart-pareto-0",
        "chart-comparison-0",
        "chart-comparison-1",
    }
    assert layout["figures"] == len(charts)
    for chart, (width, tall, shown) in charts.items():
        assert shown, chart
        assert width > 300, (chart, width)
        assert tall > 100, (chart, tall)
    # A screenshot of the whole page, kept as a test artefact.
    where = Path(os.environ.get("ITIL_CI_SCREENSHOTS") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    shot = where / "demo-report.png"
    _chromium(
        tmp_path,
        demo_report.as_uri(),
        "--hide-scrollbars",
        f"--screenshot={shot}",
        size=f"{VIEWPORT[0]},{height}",
    )
    print(f"screenshot of the demo report: {shot}")
    assert _png_size(shot) == (VIEWPORT[0], height)
    assert shot.stat().st_size > 100_000  # a blank page of this size is a few kB
