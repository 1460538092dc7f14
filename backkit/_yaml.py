"""Reading the kit's human-edited YAML files with errors that name the file and line."""

from __future__ import annotations

from typing import Any


def parse_yaml(text: str, where: str, error: type[ValueError]) -> Any:
    """Parse YAML ``text``; a syntax error becomes ``error`` naming ``where`` and the line.

    The parser's own traceback is suppressed: a person editing a catalogue or
    a plan needs the file and line, not PyYAML's internals.
    """
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise error(f"{where}: not valid YAML{line}: {problem}") from None
