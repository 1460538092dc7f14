"""The Voila server behind ``backkit app``: run as ``python -m backkit.appserver``.

It is Voila with four changes, each for the person's privacy:

- **The token never appears on a command line** (``/proc/PID/cmdline`` is
  readable by every local user): it is read from the 0600 file named by
  ``$BACKKIT_APP_TOKEN_FILE``, which is deleted once read.
- **Only loopback names are served.** A request whose ``Host:`` is not
  ``127.0.0.1``, ``localhost`` or ``::1`` (as a web page on another site would
  send after rebinding its name to 127.0.0.1) is refused with 403, static files
  included.
- **An address without the token shows a short backkit page** saying to use the
  address printed in the terminal, instead of Jupyter's login form (which
  suggests passwords and ``jupyter server list``, and accepts guesses).
- **Nothing is loaded from outside this computer:** ``backkit app`` selects the
  kit's Voila template (``backkit/data/jupyter/voila/templates/backkit``), which
  has no CDN links.

Only :func:`serve <backkit.app.serve>` starts it; it is not part of the public API.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import tornado.web
from voila.app import Voila

from . import languages
from .i18n import N_

__all__ = ["TOKEN_FILE_ENV", "BackkitVoila", "is_loopback_host", "main", "page"]

#: Names the file holding the app's token (0600, deleted once read).
TOKEN_FILE_ENV = "BACKKIT_APP_TOKEN_FILE"

_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>backkit</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em}}
</style></head><body><h1>backkit</h1>{body}</body></html>
"""
#: The short pages the server answers with, each its paragraphs (HTML) as messages.
NO_TOKEN_PAGE = (
    N_("This address needs the key that <code>backkit app</code> made for it."),
    N_(
        "Open the app with the <b>whole address printed in the terminal</b> where you ran "
        "<code>backkit app</code>: it starts with <code>http://127.0.0.1:</code> and ends "
        "with <code>?token=</code> and a long code."
    ),
    N_("Lost it? Stop the app with Ctrl-C and run <code>backkit app</code> again."),
)
FOREIGN_HOST_PAGE = (
    N_(
        "The backkit app answers only to addresses of this computer "
        "(<code>127.0.0.1</code> or <code>localhost</code>)."
    ),
)


def page(paragraphs: Sequence[str], accept_language: str = "") -> str:
    """One of the server's short pages, in the language of the app (as its kernels speak).

    That is ``$BACKKIT_LANG`` (``backkit app --lang``), else the first language
    of the browser's ``Accept-Language`` the kit speaks, else English.

    Examples
    --------
    >>> "Lost it?" in page(NO_TOKEN_PAGE, "en-GB")
    True
    >>> '<html lang="pt-PT">' in page(FOREIGN_HOST_PAGE, "pt-PT,pt;q=0.9")
    True
    """
    locale = languages.locale(languages.tag(accept_language))
    words = languages.catalogue(locale)
    body = "".join(f"<p>{words.gettext(p)}</p>" for p in paragraphs)
    return _PAGE.format(lang=locale.replace("_", "-"), body=body)


def is_loopback_host(host: str) -> bool:
    """Return whether an HTTP ``Host:`` value names this computer's loopback.

    Examples
    --------
    >>> [is_loopback_host(h) for h in ("127.0.0.1:8866", "localhost", "[::1]:80", "127.1.2.3")]
    [True, True, True, True]
    >>> [is_loopback_host(h) for h in ("evil.example:8866", "192.168.1.5", "", "localhost.evil")]
    [False, False, False, False]
    """
    host = host.strip().lower()
    if host.startswith("["):  # [v6]:port
        host = host[1 : host.find("]")] if "]" in host else ""
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Page(tornado.web.RequestHandler):
    """A short page with a status, for every method, in the browser's language."""

    def initialize(self, status: int, page: Sequence[str]) -> None:
        self.status, self.paragraphs = status, page

    def _send(self, *args: str) -> None:
        self.set_status(self.status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Vary", "Accept-Language")
        self.finish(page(self.paragraphs, self.request.headers.get("Accept-Language", "")))

    get = post = put = delete = patch = head = _send


class BackkitVoila(Voila):
    """Voila with the token from a file, loopback names only and a backkit no-token page."""

    def initialize(self, argv: Sequence[str] | None = None) -> None:
        """Set Voila up; read the token from the file :data:`TOKEN_FILE_ENV` names, delete it."""
        super().initialize(argv)
        path = os.environ.pop(TOKEN_FILE_ENV, "")  # kernels need not know where it was
        if path:
            self.token = Path(path).read_text(encoding="utf-8").strip()
            Path(path).unlink(missing_ok=True)  # no secret left on disk

    def init_settings(self) -> dict:
        """Return Voila's settings with Jupyter's Host check on, for ``localhost`` only."""
        settings = super().init_settings()
        # Voila sets allow_remote_access=True, which turns Jupyter's Host check off.
        settings["allow_remote_access"] = False
        settings["local_hostnames"] = ["localhost"]
        return settings

    def init_handlers(self) -> list:
        """Return Voila's handlers, with login and logout answered by the no-token page."""
        # Earlier rules win: these replace Jupyter's login and logout forms.
        pages = [
            (rf"{self.base_url.rstrip('/')}/(?:login|logout)", _Page,
             {"status": 403, "page": NO_TOKEN_PAGE}),
        ]  # fmt: skip
        return [*pages, *super().init_handlers()]

    def listen(self) -> None:
        """Refuse (403) every request whose ``Host:`` is not a loopback name, then listen."""
        # One gate before every handler (tornado's static files do not check Host).
        app = self.app
        find_handler = app.find_handler

        def gated(request, **kwargs):
            if not is_loopback_host(request.host or ""):
                self.log.warning("refused a request for Host %r", request.host)
                return app.get_handler_delegate(
                    request, _Page, {"status": 403, "page": FOREIGN_HOST_PAGE}
                )
            return find_handler(request, **kwargs)

        app.find_handler = gated
        super().listen()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the server (``python -m backkit.appserver NOTEBOOK [voila options]``)."""
    BackkitVoila.launch_instance(argv=list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
