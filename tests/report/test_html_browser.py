"""The HTML report in a real browser: headless Chromium, offline, must draw every chart without a
console error. Skipped, with the reason, where Chromium is not installed; CI installs it
(``apt-get install -y chromium``) so there it runs."""
from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import zlib

import numpy as np
import pytest

pytest.importorskip("plotly", reason="the HTML report embeds plotly.js")

from ptrade_fast.report.figures import BENCHMARK_COLOR, STRATEGY_COLOR  # noqa: E402
from ptrade_fast.report.html import write_report  # noqa: E402

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)")

CHART_IDS = ["chart-equity", "chart-excess", "chart-drawdown", "chart-monthly", "chart-positions"]

# Inserted after <head> in a copy of the report: records every resource the page fetched or failed
# to fetch, and writes them into <html data-probe> once the page settled.
PROBE = """<script>window.__failed=[];
addEventListener('error',function(e){if(e.target&&e.target!==window){__failed.push(e.target.src||e.target.href||'?')}},true);
addEventListener('load',function(){setTimeout(function(){document.documentElement.setAttribute('data-probe',
JSON.stringify({failed:__failed,resources:performance.getEntriesByType('resource').map(function(r){return r.name})}))},500)});
</script>"""


def run_chromium(url: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage",
           "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
           "--virtual-time-budget=15000", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if ":CONSOLE" in line and re.search(r"uncaught|error", line, re.IGNORECASE)]


@pytest.fixture(scope="module")
def report_path(synthetic_report_folder):
    return write_report(synthetic_report_folder[0], synthetic_report_folder[1] / "report.html")


def test_every_chart_is_drawn_and_nothing_is_fetched(report_path, tmp_path):
    probed = tmp_path / "probed.html"
    probed.write_text(report_path.read_text(encoding="utf-8").replace("<head>", "<head>" + PROBE, 1),
                      encoding="utf-8")

    proc = run_chromium(probed.as_uri(), tmp_path, "--dump-dom")

    dom = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console_errors(proc.stderr) == []
    for div_id in CHART_IDS:
        div = re.search(rf'<div id="{div_id}"[^>]*class="([^"]*)"', dom)
        assert div and "js-plotly-plot" in div.group(1), f"{div_id} was not plotted"
        after = dom.split(f'id="{div_id}"', 1)[1]
        assert 'class="main-svg"' in after.split('<div id="chart-', 1)[0], f"{div_id} has no svg"
    probe = json.loads(html.unescape(re.search(r'data-probe="([^"]*)"', dom).group(1)))
    assert probe == {"failed": [], "resources": []}


def test_probe_would_see_a_page_that_fetches(tmp_path):
    page = tmp_path / "fetches.html"
    page.write_text("<html><head>" + PROBE + '</head><body><img src="http://example.invalid/a.png">'
                    "<script>undefinedFunction()</script></body></html>")

    proc = run_chromium(page.as_uri(), tmp_path, "--dump-dom")

    probe = json.loads(html.unescape(re.search(r'data-probe="([^"]*)"', proc.stdout).group(1)))
    assert probe["failed"] == ["http://example.invalid/a.png"]
    assert any("undefinedFunction" in line for line in console_errors(proc.stderr))


def test_screenshot_shows_the_curves(report_path, tmp_path):
    shot = tmp_path / "shot.png"

    proc = run_chromium(report_path.as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1400,3000")

    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    assert console_errors(proc.stderr) == []
    pixels = decode_png(shot.read_bytes())[..., :3].astype(np.int16)
    assert pixels.shape[:2] == (3000, 1400)
    non_white = np.any(pixels < 245, axis=-1).mean()
    assert non_white > 0.10, f"page looks blank: {non_white:.1%} non-white"
    for color in (STRATEGY_COLOR, BENCHMARK_COLOR):
        rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
        near = np.all(np.abs(pixels - rgb) <= 12, axis=-1).sum()
        assert near > 500, f"{color} line barely visible: {near} pixels"


# ---------------------------------------------------------------------------
# A small PNG decoder (8-bit RGB/RGBA, no interlace), so the test needs no imaging library
# ---------------------------------------------------------------------------

def decode_png(data: bytes) -> np.ndarray:
    """Decode a PNG into an (height, width, channels) uint8 array.

    Rows are unfiltered all at once along anti-diagonals: pixel (r, c) depends only on (r, c-1),
    (r-1, c) and (r-1, c-1), which all lie on the two previous diagonals.
    """
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
    bpp = 3 if color == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8).reshape(height, width * bpp + 1)
    filters = raw[:, 0].astype(np.int32)
    x = raw[:, 1:].reshape(height, width, bpp).astype(np.int32)
    out = np.zeros((height + 1, width + 1, bpp), np.int32)   # one zero row above, one zero column left
    for d in range(height + width - 1):
        r = np.arange(max(0, d - width + 1), min(height - 1, d) + 1)
        c = d - r
        a, b, ul = out[r + 1, c], out[r, c + 1], out[r, c]
        p = a + b - ul
        pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - ul)
        paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, ul))
        f = filters[r][:, None]
        pred = np.select([f == 1, f == 2, f == 3, f == 4], [a, b, (a + b) // 2, paeth], 0)
        out[r + 1, c + 1] = (x[r, c] + pred) % 256
    return out[1:, 1:].astype(np.uint8)


def test_png_decoder_reads_every_filter_type():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(6, 5, 3), dtype=np.int32)
    rows = []
    for y in range(6):
        f = y % 5
        cur = img[y].reshape(-1)
        up = img[y - 1].reshape(-1) if y else np.zeros_like(cur)
        left = np.concatenate([[0, 0, 0], cur[:-3]])
        ul = np.concatenate([[0, 0, 0], up[:-3]])
        p = left + up - ul
        paeth = np.where((abs(p - left) <= abs(p - up)) & (abs(p - left) <= abs(p - ul)), left,
                         np.where(abs(p - up) <= abs(p - ul), up, ul))
        pred = [0, left, up, (left + up) // 2, paeth][f]
        rows.append(bytes([f]) + bytes(((cur - pred) % 256).astype(np.uint8)))
    raw = zlib.compress(b"".join(rows))
    ihdr = struct.pack(">IIBBBBB", 5, 6, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + b"".join(struct.pack(">I", len(body)) + kind + body + b"\0\0\0\0"
                                          for kind, body in ((b"IHDR", ihdr), (b"IDAT", raw), (b"IEND", b"")))

    assert np.array_equal(decode_png(png), img.astype(np.uint8))
