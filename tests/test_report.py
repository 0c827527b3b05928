"""Reports: self-contained, charts that load and are not blank, Chinese names, rendered in headless Chromium."""
from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import numpy as np
import pytest

from conftest import SCENARIOS, TESTS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHECK = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e.type)), true);
window.addEventListener('load', () => {
  const imgs = [...document.images];
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length;
  document.title = `CHECK images=${imgs.length} broken=${broken} errors=${window.__errors.length}`;
});
</script>"""


@pytest.fixture(scope="module")
def west_report(tmp_path_factory):
    from typer.testing import CliRunner

    from optimizer.cli import app

    out = tmp_path_factory.mktemp("r") / "west"
    r = CliRunner().invoke(app, ["solve", str(SCENARIOS / "west.yaml"), "--out", str(out), "--report"])
    assert r.exit_code == 0, r.output
    return out / "report.html"


def _images(text: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r"src='data:image/png;base64,([^']+)'", text)]


def test_report_is_self_contained(west_report):
    text = west_report.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text and "<link" not in text
    assert "四川" in text and "west: optimal" in text and "Binding targets" in text
    imgs = _images(text)
    assert len(imgs) >= 5
    import matplotlib.image as mpimg

    for png in imgs:
        pixels = mpimg.imread(io.BytesIO(png), format="png")
        assert pixels.std() > 0.01, "a chart is blank"


def test_charts_use_a_cjk_font_or_say_so(west_report):
    from optimizer.postprocess.report import cjk_font

    text = west_report.read_text(encoding="utf-8")
    assert (cjk_font() is not None) != ("No CJK font was found" in text)


def test_compare_sweep_and_sharing_reports(invoke, tmp_path):
    assert invoke("solve", SCENARIOS / "city-sharing.yaml", "--out", tmp_path / "city").exit_code == 0
    assert invoke("report", tmp_path / "city").exit_code == 0
    assert "Facility sharing" in (tmp_path / "city" / "report.html").read_text(encoding="utf-8")
    tiny = TESTS / "scenarios" / "tiny.yaml"
    assert invoke("compare", tiny, SCENARIOS / "west.yaml", "--out", tmp_path / "cmp").exit_code == 0
    assert invoke("report", tmp_path / "cmp").exit_code == 0
    assert "Inputs that differ" in (tmp_path / "cmp" / "report.html").read_text(encoding="utf-8")
    assert invoke("sweep", tiny, "--vary", "resources.fiscal.budget=8:10:1", "--out", tmp_path / "sw").exit_code == 0
    r = invoke("report", tmp_path / "sw", "--out", tmp_path / "sweep.html")
    assert r.exit_code == 0 and "trade-off curve" in (tmp_path / "sweep.html").read_text(encoding="utf-8")


def test_report_of_missing_folder_is_bad_input(invoke, tmp_path):
    r = invoke("report", tmp_path / "nothing")
    assert r.exit_code == 1 and "expected a result folder" in r.output


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (.ci/run installs Debian's chromium)")
def test_report_renders_in_headless_chromium(west_report, tmp_path):
    page = tmp_path / "check.html"
    page.write_text(west_report.read_text(encoding="utf-8").replace("<head>", "<head>" + CHECK, 1), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000"]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    m = re.search(r"CHECK images=(\d+) broken=(\d+) errors=(\d+)", dom.stdout)
    assert m, dom.stderr[-2000:]
    images, broken, errors = map(int, m.groups())
    assert images >= 5 and broken == 0 and errors == 0
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1200,1600", west_report.as_uri()],
                   capture_output=True, timeout=120)
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)
    assert pixels.std() > 0.02, "the screenshot is blank"
    assert np.mean(pixels[..., :3] < 0.5) > 0.005, "almost nothing dark on the page: no text rendered"


def test_a_cjk_font_installed_after_the_font_cache_is_found(monkeypatch, tmp_path):
    """fonts-wqy-zenhei installed after matplotlib wrote its cache: the cache lists no CJK font, opt reads the
    system's fonts once more, finds it, and rewrites the cache (here a copy in tmp_path) so the next run does."""
    import matplotlib
    from matplotlib import font_manager as fm

    from optimizer.postprocess.report import CJK_FONTS, cjk_font

    on_system = [p for p in fm.findSystemFonts() if any(k in p.lower() for k in ("wqy", "cjk", "droid", "simhei"))]
    if not on_system:
        pytest.skip("no CJK font installed on this machine")
    stale = [f for f in fm.fontManager.ttflist if f.fname not in on_system]  # the cache as before the install
    monkeypatch.setattr(fm.fontManager, "ttflist", stale)
    monkeypatch.setattr(matplotlib, "get_cachedir", lambda: str(tmp_path))
    name = cjk_font()
    assert name in CJK_FONTS
    cache = tmp_path / f"fontlist-v{fm.FontManager.__version__}.json"
    assert name in cache.read_text(encoding="utf-8")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (.ci/run installs Debian's chromium)")
def test_the_chinese_report_leads_with_the_headline_in_chromium(tmp_path):
    """opt solve --lang zh --report: rendered in headless Chromium, the page's text has the Chinese title, the
    headline's verdict and a number of its money table (west: 3,000.00 亿元 a year), the provinces in one order
    (by group, then per-capita spending) and the binding targets grouped under the plan's terms."""
    from typer.testing import CliRunner

    from optimizer.cli import app

    out = tmp_path / "west"
    r = CliRunner().invoke(app, ["solve", str(SCENARIOS / "west.yaml"), "--out", str(out), "--report", "--lang", "zh"])
    assert r.exit_code == 0, r.output
    page = out / "report.html"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000"]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", "", dom.stdout, flags=re.S)))
    assert "西部12省" in text and "全部目标达成：是" in text.replace(" ", "") and "west：最优" in text, text[:2000]
    assert "分地区分年度资金（亿元）" in text and "3,000.00" in text and "21,000.00" in text
    assert text.index("全部目标达成") < text.index("分地区分年度资金") < text.index("起约束作用的目标")
    assert "民生支出占比（6项；" in text.replace(" ", "")  # the livelihood floor binds 2025-2030: one line, its years
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
                   capture_output=True, timeout=120)
    import matplotlib.image as mpimg

    assert mpimg.imread(shot).std() > 0.02, "the screenshot is blank"


def test_one_province_order_in_the_report():
    import pandas as pd

    from optimizer.postprocess.report import region_order

    scenario = {"regions": [{"id": "a", "name": "甲", "group": "east"}, {"id": "b", "name": "乙", "group": "west"},
                            {"id": "c", "name": "丙", "group": "east"}]}
    kpis = pd.DataFrame({"year": [2030] * 4, "kpi": ["public_service_max_min_ratio", "per_capita_public_service",
                                                     "per_capita_public_service", "per_capita_public_service"],
                         "scope": ["regions", "甲", "乙", "丙"], "value": [1.2, 900.0, 100.0, 500.0]})
    assert region_order(scenario, kpis) == ["丙", "甲", "乙"]  # east first (as listed), lowest spending first


def test_the_report_charts_follow_the_one_province_order(monkeypatch, tmp_path):
    """The allocation bars and the unserved heatmap draw their provinces in region_order (the money table's),
    and the heatmap's scale is in 10k person-services with each cell's value written on it."""
    import matplotlib.axes

    from optimizer.postprocess import report as rep

    drawn: dict[str, list] = {}
    real_ordered = rep._ordered

    def spy(pivot, part, order):
        out = real_ordered(pivot, part, order)
        drawn.setdefault("orders", []).append((list(out.index), order))
        return out

    monkeypatch.setattr(rep, "_ordered", spy)
    texts = []
    real_text = matplotlib.axes.Axes.text
    monkeypatch.setattr(matplotlib.axes.Axes, "text", lambda self, x, y, s, *a, **k: (texts.append(s), real_text(self, x, y, s, *a, **k))[1])
    from optimizer.run import solve_scenario

    solve_scenario(SCENARIOS / "west.yaml", out=tmp_path / "w", with_report=True)
    assert drawn["orders"]
    for rows, order in drawn["orders"]:
        assert rows[::-1] == order[: len(rows)]  # barh draws bottom-up: reversed, the report's order
    assert "24,922" in texts  # 四川 elderly care: 249.22 million person-services over the years, in 10k
