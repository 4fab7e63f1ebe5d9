"""gunicorn started as deployed (`config.wsgi`, DEBUG and the rest from `env`), for the production
smoke test, the fault and deployment tests and the load and soak benches: one way to start it, wait
for `/sante/` and stop it, one way to read its workers' memory; and a browser that speaks to such
nodes as if through the load balancer."""

from __future__ import annotations

import html
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
HOST = "prets.example.org"  # the name the load balancer answers to
PASSWORD = "Bonjour-Prets-42"  # tests.accounts.factories.PASSWORD
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(
    env: dict[str, str], *, workers: int = 2, log: Path | None = None, cwd: Path = ROOT
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Serve `cwd`'s code (the project by default) on a free port; yield (base URL, the master process)
    once `/sante/` answers 200 (RuntimeError, with the end of the log, if it does not within 30 s); stop
    it on the way out. Its output goes to `log` when given, else nowhere."""
    port = free_port()
    output = log.open("w") if log is not None else subprocess.DEVNULL
    command = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "--workers", str(workers), "--log-level", "warning"],
        cwd=cwd,
        env={**env, "WEB_CONCURRENCY": str(workers)},
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _healthy(base):
            if server.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text()[-3000:] if log is not None else "(no log)"
                raise RuntimeError(f"gunicorn did not start: {tail}")
            time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)
        if log is not None:
            output.close()  # type: ignore[union-attr]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/sante/", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:  # refused while starting; HTTPError (a 503) is an OSError too
        return False


def workers_rss(master: int) -> list[int]:
    """Resident memory (kB) of each gunicorn worker (the master's children), from /proc."""
    children: list[int] = []
    for task in Path(f"/proc/{master}/task").iterdir():
        children += [int(pid) for pid in (task / "children").read_text().split()]
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]))
    return sizes


class Browser:
    """One person's browser: one cookie jar, whichever node the load balancer picks for a request."""

    def __init__(self, address: str) -> None:
        self.session = requests.Session()
        self.session.headers.update(
            {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": address, "Origin": f"https://{HOST}"}
        )

    def get(self, node: str, path: str) -> requests.Response:
        return self._kept(self.session.get(node + path, allow_redirects=False, timeout=30))

    def _kept(self, response: requests.Response) -> requests.Response:
        """The load balancer speaks HTTPS to browsers, the test plain HTTP to the nodes behind it:
        the session's `Secure` cookies are sent back over it (requests would keep them for HTTPS)."""
        for cookie in self.session.cookies:
            cookie.secure = False
        return response

    def post(self, node: str, path: str, data: dict, *, form: str | None = None, files=None) -> requests.Response:  # type: ignore[no-untyped-def]
        """Read the form (its CSRF token) from `form` (else `path`) on the same node, then post it."""
        page = self.get(node, form or path)
        found = TOKEN.search(page.text)
        assert found, (form or path, page.status_code, page.text[:500])
        answer = self.session.post(
            node + path,
            data={"csrfmiddlewaretoken": found.group(1), **data},
            files=files,
            headers={"Referer": f"https://{HOST}{form or path}"},
            allow_redirects=False,
            timeout=30,
        )
        return self._kept(answer)

    def log_in(self, node: str, username: str, password: str = PASSWORD) -> requests.Response:
        return self.post(node, "/connexion/", {"username": username, "password": password})


def text(response: requests.Response) -> str:
    return html.unescape(response.text).replace("\u202f", " ").replace("\xa0", " ")
