"""The person's own copies of the kit's notebooks: the workspace in the data home.

The kit's notebooks (``notebooks/`` in a checkout, ``backkit/notebooks`` in an
installed wheel) are its source and are never run in place: a run writes the
person's pain scores into a notebook's outputs, which would land in git or in
site-packages. ``backkit lab`` opens :func:`workspace_dir` instead, after
:func:`prepare` has

- copied every notebook there on first launch (files 0600, folders 0700),
  with the Portuguese copies (``notebooks/pt/``) in its ``pt/`` folder;
- refreshed the copies when the kit's notebooks change (a new version),
  but only copies the person has not edited: an edited notebook is kept and
  the kit's new one is put beside it (``04_bridge-backkit-0.2.0.ipynb``),
  and the returned :class:`Workspace` says so.

When the kit speaks Portuguese (:func:`backkit.config.language`), ``backkit
lab`` opens :func:`start_notebook`'s ``pt/00_start_here.ipynb``.

``backkit workspace`` runs :func:`prepare` alone and prints the folder; on a
JupyterHub, ``backkit-singleuser`` (:mod:`backkit.hub`) runs it as the person
before their server starts there.

A small manifest (``.backkit-workspace.json``) remembers which version and
which content each copy had when the kit wrote it; that is how an edited copy
is told from an untouched one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ._version import __version__
from .config import LANGUAGES, data_home, language, notebooks_dir, output_folder
from .i18n import gettext as _
from .i18n import ngettext
from .store import write_atomically

__all__ = [
    "MANIFEST",
    "START",
    "WORKSPACE",
    "Workspace",
    "prepare",
    "start_notebook",
    "workspace_dir",
]

#: The workspace's folder name inside the data home.
WORKSPACE = "notebooks"
#: What the kit wrote, per file: the content's SHA-256 (hidden from Jupyter's file browser).
MANIFEST = ".backkit-workspace.json"
#: The notebook a person starts at; each language's copy has the same name in its folder.
START = "00_start_here.ipynb"


@dataclass(frozen=True)
class Workspace:
    """What :func:`prepare` did: the folder and the files it made, refreshed or kept."""

    path: Path
    version: str
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    #: (the person's edited notebook, the kit's new one put beside it)
    kept: tuple[tuple[str, str], ...] = field(default=())

    def messages(self) -> list[str]:
        """One line per thing a person should know, for the terminal."""
        lines = []
        if self.created:
            n = len(self.created)
            lines.append(
                # Translators: the English says "notebooks" even for 1 (as the kit always
                # has); give the singular and the plural of your language
                ngettext(
                    "copied {n} notebooks to your workspace {folder}",
                    "copied {n} notebooks to your workspace {folder}",
                    n,
                ).format(n=n, folder=self.path)
            )
        if self.updated:
            n = len(self.updated)
            lines.append(
                # Translators: the English says "notebooks" even for 1 (as the kit always
                # has); give the singular and the plural of your language
                ngettext(
                    "updated {n} notebooks to backkit {version}",
                    "updated {n} notebooks to backkit {version}",
                    n,
                ).format(n=n, version=self.version)
            )
        for theirs, new in self.kept:
            lines.append(
                _("kept your edited {notebook}; backkit {version}'s version is beside it: {new}")
                .format(notebook=theirs, version=self.version, new=new)
            )  # fmt: skip
        return lines


def workspace_dir() -> Path:
    """Return the workspace folder (``<data home>/notebooks``); not created here.

    Examples
    --------
    >>> import os
    >>> workspace_dir() == Path(os.environ["BACKKIT_HOME"]) / "notebooks"
    True
    """
    return data_home(create=False) / WORKSPACE


def start_notebook(lang: str | None = None) -> str:
    """Return the start notebook's path in the workspace, in ``lang`` (default: the kit's).

    English is the workspace's own folder; another language's copies are in
    the folder named by its code.

    Examples
    --------
    >>> start_notebook("en")
    '00_start_here.ipynb'
    >>> start_notebook("pt")
    'pt/00_start_here.ipynb'
    """
    lang = lang or language()
    return START if lang == "en" else f"{lang}/{START}"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        files = json.loads((path / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # none yet, or damaged: every existing file then counts as the person's
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _write(path: Path, data: bytes) -> None:
    # write_atomically's temporary file is made 0600 before any byte is written
    write_atomically(path, lambda tmp: tmp.write_bytes(data))


def _beside(name: str, version: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}-backkit-{version}.{suffix}" if dot else f"{name}-backkit-{version}"


def _sources(source: Path) -> dict[str, bytes]:
    """The kit's notebooks by their path in the workspace: ``a.ipynb``, ``pt/a.ipynb``."""
    folders = [source, *(source / lang for lang in LANGUAGES if lang != "en")]
    files = [
        p
        for folder in folders
        if folder.is_dir()
        for p in sorted(folder.iterdir())
        if p.suffix in (".ipynb", ".md") and p.is_file()
    ]
    return {p.relative_to(source).as_posix(): p.read_bytes() for p in files}


def prepare(path: str | Path | None = None, *, source: str | Path | None = None) -> Workspace:
    """Make or refresh the person's workspace; return what was done.

    Parameters
    ----------
    path : path, optional
        The workspace (default :func:`workspace_dir`). Outside the data home
        only this folder is created: its parent must exist
        (:func:`backkit.config.output_folder`).
    source : path, optional
        The kit's notebooks (default :func:`backkit.config.notebooks_dir`).

    Returns
    -------
    Workspace
        The folder, and the notebooks created, updated or kept (edited by the person),
        named by their path in it (``pt/04_bridge.ipynb`` for a Portuguese copy).

    Examples
    --------
    >>> import tempfile
    >>> ws = prepare(Path(tempfile.mkdtemp()) / "ws")
    >>> "00_start_here.ipynb" in ws.created, "pt/00_start_here.ipynb" in ws.created
    (True, True)
    >>> ws.updated, ws.kept
    ((), ())
    >>> prepare(ws.path).messages()
    []
    """
    path = Path(path) if path is not None else workspace_dir()
    # in the data home its folders are made; elsewhere only the one folder named
    output_folder(path, is_folder=True)
    written = _read_manifest(path)
    record = dict(written)
    created, updated, kept = [], [], []
    for name, data in _sources(Path(source) if source is not None else notebooks_dir()).items():
        target = path / name
        new = _digest(data)
        if target.parent != path and not target.parent.is_dir():
            output_folder(target.parent, is_folder=True)  # a language's folder, 0700
        if not target.exists():
            _write(target, data)
            created.append(name)
        elif written.get(name) != new:  # the kit's notebook changed since it was copied
            theirs = _digest(target.read_bytes())
            if theirs == new:
                pass  # already the same
            elif theirs == written.get(name):  # untouched since the kit wrote it
                _write(target, data)
                updated.append(name)
            else:
                other = _beside(name, __version__)
                _write(path / other, data)
                kept.append((name, other))
                continue  # their file is still "edited" against the old copy: keep the record
        record[name] = new
    if record != written or not (path / MANIFEST).exists():
        manifest = {"backkit": __version__, "files": record}
        _write(path / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    return Workspace(path, __version__, tuple(created), tuple(updated), tuple(kept))
