"""Reading the kit's human-edited YAML files with errors that name the file and line."""

from __future__ import annotations

from typing import Any

from .errors import BackkitError


def parse_yaml(text: str, where: str, error: type[BackkitError]) -> Any:
    """Parse YAML ``text``; a syntax error becomes ``error`` naming ``where`` and the line.

    The parser's own traceback is suppressed: a person editing a catalogue or
    a plan needs the file and line, not PyYAML's internals.

    Examples
    --------
    >>> from backkit._yaml import parse_yaml
    >>> from backkit.errors import CatalogueError
    >>> parse_yaml("a: [1, 2", "demo.yaml", CatalogueError)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    backkit.errors.CatalogueError: demo.yaml: not valid YAML at line 1: ...
    """
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise error(f"not valid YAML{line}: {problem}", where=where) from None
