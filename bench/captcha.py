"""How long the ALTCHA proof of work takes a browser: Debian's Chromium, as on a desktop and with
the CPU slowed 4× (the throttling Lighthouse uses to stand for a mid-range phone).

Prints the hashes per second measured and the ALTCHA_MAX_NUMBER that gives about one second of
work on the slowed CPU on average (the secret number is uniform in [0, max], so a solve takes
max/2 hashes on average). No Django: a throwaway HTTP server serves the vendored widget.

    .venv/bin/python bench/captcha.py [--runs 5]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import altcha.v1 as altcha
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "vendor" / "altcha"
NUMBER = 200_000  # the secret each challenge hides: hashes to find it
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def page_for(challenge: dict) -> str:
    return f"""<!doctype html><html><body>
<altcha-widget id="w" challengejson='{json.dumps(challenge)}' workerurl="/worker.js" auto="onload"></altcha-widget>
<script type="module" src="/altcha.js"></script>
<script>
  window.solved = null;
  document.getElementById('w').addEventListener('statechange', (e) => {{
    if (e.detail.state === 'verified') window.solved = performance.now();
  }});
</script></body></html>"""


def measure(throttle: float, runs: int) -> list[float]:
    seconds: list[float] = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        for name in ("altcha.js", "worker.js", "altcha.css"):
            shutil.copy(VENDOR / name, Path(folder) / name)
        handler = functools.partial(QuietHandler, directory=folder)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for run in range(runs):
            challenge = altcha.create_challenge(
                altcha.ChallengeOptions(hmac_key="bench", max_number=NUMBER * 2, number=NUMBER)
            ).to_dict()
            (Path(folder) / f"p{run}.html").write_text(page_for(challenge))
            page = browser.new_page()
            cdp = page.context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
            page.goto(f"http://127.0.0.1:{server.server_port}/p{run}.html")
            start = page.evaluate("performance.now()")
            page.wait_for_function("window.solved !== null", timeout=120_000)
            seconds.append((page.evaluate("window.solved") - start) / 1000)
            page.close()
        browser.close()
        server.shutdown()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for label, rate in (("desktop (this machine)", 1.0), ("mid-range phone (CPU ÷4)", 4.0)):
        times = measure(rate, args.runs)
        median = statistics.median(times)
        rate_hps = NUMBER / median
        print(f"{label}: {median:.2f} s for {NUMBER:,} hashes → {rate_hps:,.0f} hashes/s")
        if rate > 1:
            print(f"  ALTCHA_MAX_NUMBER for a 1 s average solve: {int(rate_hps * 2):,}")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"({time.perf_counter() - start:.0f} s)")
