"""``backkit app`` as an adversary on the same computer, or a web page elsewhere, sees it.

One real ``backkit app`` (the console script, ``--quick``) serves the whole module:

- its token is on no process's command line (any local user can read those);
- the address without the token shows backkit's short page, not Jupyter's login form;
- a request whose ``Host:`` is not a loopback name is refused, static files too
  (a page on another site that points its own name at 127.0.0.1 gets nothing);
- the app page, loaded in Chromium and its widgets drawn, requests nothing
  beyond 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.client
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from formtools import answer_red_flags

from conftest import AppProcess

pytestmark = pytest.mark.browser


class RunningApp(AppProcess):
    """The app once it says where it serves: its ``url`` and ``token``."""

    def __init__(self, tmp: Path):
        super().__init__(tmp, tmp / "log.sqlite")
        found = self.wait_for(r"serving at (http://127\.0\.0\.1:\d+/\?token=(\S+))", timeout=90)
        self.url, self.token = found[1], found[2]

    def get(self, path: str, host: str | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": host} if host else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        result = response.status, response.getheader("Location") or "", response.read().decode()
        connection.close()
        return result


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = RunningApp(tmp_path_factory.mktemp("app"))
    yield running
    running.stop()


def _command_lines() -> dict[str, str]:
    lines = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):  # gone meanwhile
                lines[proc.name] = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    return lines


def test_the_token_is_on_no_command_line_and_not_left_on_disk(app):
    lines = _command_lines()
    servers = [pid for pid, line in lines.items() if "backkit.appserver" in line]
    assert servers, "the Voila process runs"
    assert [line for line in lines.values() if app.token in line] == []
    environ = Path(f"/proc/{servers[0]}/environ").read_bytes().split(b"\0")
    assert not any(app.token.encode() in item for item in environ)
    token_file = next(
        item.split(b"=", 1)[1].decode()
        for item in environ
        if item.startswith(b"BACKKIT_APP_TOKEN_FILE=")
    )
    assert not Path(token_file).exists(), "read once, then deleted"


def test_the_address_without_the_token_shows_backkits_page(app, page):
    status, location, _ = app.get("/")
    assert (status, location) == (302, "/login?next=%2F")  # no kernel started for it
    response = page.goto(f"http://127.0.0.1:{app.port}/")
    assert response.status == 403
    text = page.locator("body").inner_text()
    assert "backkit" in text
    assert "whole address printed in the terminal" in text
    assert "password" not in text.lower() and "jupyter server list" not in text
    assert page.locator("form, input").count() == 0, "nothing to type a guess into"
    wrong = app.get("/?token=not-the-token")
    assert (wrong[0], wrong[1]) == (302, "/login?next=%2F%3Ftoken%3Dnot-the-token")


def test_the_page_without_the_token_speaks_the_browsers_language(app, browser, no_english):
    context = browser.new_context(locale="pt-BR")
    try:
        page = context.new_page()
        response = page.goto(f"http://127.0.0.1:{app.port}/")
        assert response.status == 403
        assert page.evaluate("document.documentElement.lang") == "pt-BR"
        text = page.locator("body").inner_text()
        assert "endereço completo mostrado no terminal" in text
        no_english(text, "the page without the token")
    finally:
        context.close()


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:80",
        "192.168.1.20",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
    ],
)
def test_a_foreign_host_header_is_refused(app, host):
    for path in (
        "/",
        f"/?token={app.token}",
        "/voila/static/voila.js",
        f"/api/kernels?token={app.token}",
        "/login",
    ):
        status, _, body = app.get(path, host=host)
        assert status == 403, (host, path, status)
        assert "only to addresses of this computer" in body


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_loopback_names_are_served(app, host):
    status, _, _ = app.get("/voila/static/voila.js", host=f"{host}:{app.port}")
    assert status == 200


def test_the_app_page_requests_nothing_beyond_127_0_0_1(app, page):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.goto(app.url)
    # the app asks the warning-sign questions before it shows the timer
    check = page.locator(".bk-app .bk-safety-check")
    check.locator(".bk-screening-save").wait_for(timeout=90_000)
    answer_red_flags(check)
    check.locator(".bk-screening-save").click()
    page.locator(".bk-app .bk-timer .bk-start").wait_for(timeout=30_000)
    page.locator(".bk-app-stats").first.wait_for(timeout=30_000)
    page.wait_for_timeout(2000)  # late fonts, icons, lazy modules
    assert len(requests) > 10, "the page's own files were recorded"
    outside = sorted(
        {
            url
            for url in requests
            if not (
                url.startswith(("data:", "blob:"))
                or (urlsplit(url).hostname == "127.0.0.1" and urlsplit(url).port == app.port)
            )
        }
    )
    assert outside == []
    # ipywidgets' icons still draw: Voila bundles the Font Awesome font
    fonts = [url for url in requests if re.search(r"\.(woff2?|ttf)(\?|$)", url)]
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in fonts)
