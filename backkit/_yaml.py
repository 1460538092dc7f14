"""Reading the kit's human-edited YAML files with errors that name the file and line.

Plans and catalogues are written by hand or received from someone else, so
the reader refuses, with one line naming the file, everything that is not a
small, plain YAML document: a file over :data:`MAX_BYTES` (checked before it
is read), a binary file (a PNG picked by mistake), text that is not UTF-8,
aliases (``*a``) that would repeat more than :data:`MAX_ALIASED` values (a
400-byte "billion laughs" file expands to gigabytes; it is refused from its
events, before anything is built), nesting deeper than :data:`MAX_DEPTH`, and
a key that appears twice in one mapping (YAML would silently keep the last).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import BackkitError

__all__ = ["MAX_ALIASED", "MAX_BYTES", "MAX_DEPTH", "parse_yaml", "read_yaml"]

#: The largest plan or catalogue file read. The built-in catalogue of seven
#: exercises is about 28 KB and a plan about 1 KB, so 1 MiB leaves room for a
#: catalogue thirty times larger, while a file that is not a plan (a video, a
#: log, a 100 MB accident) is refused at once, before it is read into memory.
MAX_BYTES = 1024 * 1024
#: The deepest nesting of lists and mappings accepted. The kit's files nest
#: at most six levels; a 10,000-deep list would exhaust Python's recursion.
MAX_DEPTH = 50
#: The most values aliases (``*a``) may add by repeating an anchor's value.
#: ``yaml.dump`` writes shared values as anchors, a handful per file; a
#: "billion laughs" file repeats one 10**9 times.
MAX_ALIASED = 10_000

_BINARY_MAGIC = {
    b"\x89PNG": "a PNG picture",
    b"\xff\xd8\xff": "a JPEG picture",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip file (an Excel workbook, a Word document, ...)",
    b"SQLite format 3\x00": "an SQLite database (a session log?)",
}


def read_yaml(path: str | Path, error: type[BackkitError], what: str) -> Any:
    """Read and parse the YAML file ``path``; every refusal is ``error`` naming the file.

    ``what`` says what the file should be ("plan", "catalogue"), for messages.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from backkit._yaml import read_yaml
    >>> from backkit.errors import PlanError
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "p.yaml"
    >>> _ = file.write_bytes(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00")
    >>> read_yaml(file, PlanError, "plan")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    backkit.errors.PlanError: .../p.yaml: is a PNG picture, not a plan (a YAML text file)
    """
    path = Path(path).expanduser()
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            if size > MAX_BYTES:
                raise error(
                    f"is {size / 1024 / 1024:.1f} MB; a {what} file is at most "
                    f"{MAX_BYTES // 1024 // 1024} MB. Is this the right file?",
                    where=path,
                )
            f.seek(0)
            data = f.read(MAX_BYTES + 1)
    except OSError as err:
        raise error(f"cannot read the {what}: {err.strerror}", where=path) from None
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise error(f"is {kind}, not a {what} (a YAML text file)", where=path)
    if b"\x00" in data:
        raise error(f"is a binary file, not a {what} (a YAML text file)", where=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise error(
            f"is not UTF-8 text (byte {err.start + 1}: {err.reason}); save the {what} as UTF-8",
            where=path,
        ) from None
    return parse_yaml(text, str(path), error)


def parse_yaml(text: str, where: str, error: type[BackkitError]) -> Any:
    """Parse YAML ``text``; a syntax error becomes ``error`` naming ``where`` and the line.

    The parser's own traceback is suppressed: a person editing a catalogue or
    a plan needs the file and line, not PyYAML's internals. Alias bombs,
    deep nesting and repeated keys are refused (see the module docstring).

    Examples
    --------
    >>> from backkit._yaml import parse_yaml
    >>> from backkit.errors import CatalogueError
    >>> parse_yaml("a: [1, 2", "demo.yaml", CatalogueError)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    backkit.errors.CatalogueError: demo.yaml: not valid YAML at line ...: ...
    >>> parse_yaml("name: a\\nname: b\\n", "plan.yaml", CatalogueError)
    Traceback (most recent call last):
    ...
    backkit.errors.CatalogueError: plan.yaml: key 'name' appears twice (lines 1 and 2); keep one
    """
    import yaml

    if len(text) > MAX_BYTES:
        raise error(f"is {len(text)} characters long; at most {MAX_BYTES}", where=where)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        _check_events(yaml.parse(text, Loader=loader), where, error)
        return yaml.load(text, Loader=_loader(loader, where, error))  # a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise error(f"not valid YAML{line}: {problem}", where=where) from None


def _check_events(events: Any, where: str, error: type[BackkitError]) -> None:
    """Refuse alias bombs and deep nesting from the event stream, before building anything.

    Each alias (``*a``) counts as many values as its anchor's subtree, so a
    "billion laughs" file is refused after a few hundred events, while the
    few shared values ``yaml.dump`` writes as anchors still load.
    """
    import yaml

    depth = expanded = 0
    sizes: dict[str | None, int] = {}  # an AliasEvent's anchor is typed Optional
    open_at: list[tuple[str | None, int]] = []
    for event in events:
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            expanded += sizes.get(event.anchor, 1)
            if expanded > MAX_ALIASED:
                raise error(
                    f"repeats values through YAML aliases ('*', line {line}) more than "
                    f"{MAX_ALIASED} times; write the values out instead",
                    where=where,
                )
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise error(
                    f"nests lists or mappings more than {MAX_DEPTH} deep (line {line}); "
                    "is this the right file?",
                    where=where,
                )
            open_at.append((event.anchor, expanded))
            expanded += 1
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
            anchor, start = open_at.pop()
            if anchor is not None:
                sizes[anchor] = expanded - start
        elif isinstance(event, yaml.ScalarEvent):
            expanded += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1


def _loader(base: type, where: str, error: type[BackkitError]) -> type:
    """A safe loader whose mappings refuse a repeated key, naming it and its lines."""

    class Loader(base):
        def construct_mapping(self, node: Any, deep: bool = False) -> dict:
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                    seen[key] = line
                except TypeError:
                    continue  # an unhashable key: PyYAML's own error says so
                if first is not None:
                    raise error(
                        f"key {key!r} appears twice (lines {first} and {line}); keep one",
                        where=where,
                    )
            return super().construct_mapping(node, deep=deep)

    # Dates stay text: the kit reads them with its own parser, which says what
    # is wrong with 2025-02-30 instead of PyYAML raising a bare ValueError.
    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_scalar)
    return Loader
