"""The package's shape: one home per idea, checked on the source.

These tests read the package's source with :mod:`ast` (nothing is imported),
so they hold for every module, including ones no other test imports.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "backkit"
MAX_BODY_LINES = 80  # a function longer than this has more than one job

def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Ids of nodes under ``if TYPE_CHECKING:`` (imported for annotations only)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    return skip


def _imports(module: str) -> list[tuple[str, str, int]]:
    """(imported module, imported name or "", line) for every backkit import in ``module``.

    Imports inside functions count too: a cycle through a lazy import is
    still two modules that need each other.
    """
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("backkit"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    found.append((sub, "", node.lineno))
                else:
                    found.append((target, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, "", node.lineno) for a in node.names if a.name.startswith("backkit")]
    return found


def _owner(target: str) -> str:
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target


def test_no_module_uses_another_modules_private_names():
    offences = []
    for module, path in MODULES.items():
        for target, name, line in _imports(module):
            owner = _owner(target)
            if owner == module:
                continue
            private_module = any(p.startswith("_") for p in target.split(".")[1:])
            if name.startswith("_") and not name.startswith("__"):
                offences.append(f"{path.name}:{line} imports {name} from {target}")
            elif private_module and not (
                # a package's own private modules are its business; the top
                # level's (backkit._checks, ._lazy, ...) are the whole kit's
                owner.startswith(module.rpartition(".")[0] + ".")
                or owner.count(".") == 1
            ):
                offences.append(f"{path.name}:{line} imports the private module {target}")
        # attribute access like ``log._query(...)`` on another module or object
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {
            a.asname or a.name
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for a in node.names
            if getattr(node, "level", 0)
            or (getattr(node, "module", "") or "").startswith("backkit")
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                offences.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert not offences, "\n".join(offences)


def test_no_import_cycles():
    graph = {m: {_owner(t) for t, _, _ in _imports(m)} - {m, ""} for m in MODULES}
    # the package's __init__ re-exports lazily; an edge to "backkit" itself
    # (``from backkit import x``) is an edge to the module that defines x
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)


def _long_functions() -> list[str]:
    out = []
    for path in MODULES.values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # the docstring does not count
            if body:
                lines = body[-1].end_lineno - body[0].lineno + 1
                if lines > MAX_BODY_LINES:
                    out.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}")
    return out


def test_no_function_body_over_80_lines():
    assert not _long_functions()


def test_the_catalogue_plans_routine_and_log_agree_on_the_limits():
    import datetime as dt

    import backkit
    from backkit._checks import LIMITS
    from backkit.errors import PlanError, RoutineError

    sets, reps, hold = int(LIMITS["sets"].hi), int(LIMITS["reps"].hi), LIMITS["hold_seconds"].hi
    # the largest dose is accepted everywhere ...
    item = backkit.PlanItem("bridge", sets, reps, hold)
    backkit.build_routine("bridge", sets=sets, reps=reps, hold_seconds=hold)
    log = backkit.SessionLog(":memory:")
    log.record(
        exercise_id="bridge",
        sets_planned=item.sets,
        reps_planned=item.reps,
        hold_s_planned=item.hold_seconds,
        started_at=dt.datetime(2024, 5, 6, 8, 0),
    )
    # ... and one more is refused everywhere, with the same limit in the message
    for field, over, limit in (("sets", sets + 1, sets), ("reps", reps + 1, reps)):
        with pytest.raises(PlanError, match=f"from 1 to {limit}"):
            backkit.PlanItem("bridge", **{field: over})
        with pytest.raises(RoutineError, match=f"from 1 to {limit}"):
            backkit.build_routine("bridge", **{field: over})
        with pytest.raises(backkit.LogValidationError, match=f"from 1 to {limit}"):
            log.record(exercise_id="bridge", **{f"{field}_planned": over})
    with pytest.raises(PlanError, match=f"{hold:g}"):
        backkit.PlanItem("bridge", hold_seconds=hold + 1)
    with pytest.raises(RoutineError, match=f"{hold:g}"):
        backkit.build_routine("bridge", hold_seconds=hold + 1)
    with pytest.raises(backkit.LogValidationError, match=f"{hold:g}"):
        log.record(exercise_id="bridge", hold_s_planned=hold + 1)


def test_every_error_raised_on_purpose_is_a_backkit_error():
    """Every ``raise SomeError(...)`` in the package names an error from backkit.errors.

    Allowed besides: re-raising (``raise``), ``KeyError``-free built-ins for
    programming mistakes are not allowed either: a caller's bad argument is a
    BackkitError too, so the command line can show it as one line.
    """
    import backkit.errors as errors

    ours = {n for n in dir(errors) if isinstance(getattr(errors, n), type)}
    # AttributeError: the module __getattr__ protocol; NotImplementedError: abstract methods
    allowed = ours | {"AttributeError", "NotImplementedError"}
    offences = []
    for path in MODULES.values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name and name[0].isupper() and name not in allowed:
                    offences.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {name}")
    assert not offences, "\n".join(offences)


# -- each vocabulary written once (issue 23) -------------------------------------

#: Each vocabulary, as a literal, and the one module allowed to write it out
#: (None: composed from another, so no module writes it). Order is ignored, so
#: a reordered copy counts as a copy.
VOCABULARIES = {
    "safety.ACTIONS": (("none", "clinician", "urgent", "emergency"), "backkit.safety"),
    "exercises.SIDEDNESS": (("per-side", "both"), "backkit.exercises"),
    "exercises.BODY_SIDES": (("left", "right"), "backkit.exercises"),
    "log.BOUT_SIDES": (("left", "right", "both"), None),
}

#: Public names that two modules still give two meanings (a follow-up renames
#: them); listed so that no new one appears unseen.
SHARED_NAMES = {
    "ACTIONS": {"backkit.safety", "backkit.widgets.timer_view"},
    "STATUSES": {"backkit.log", "backkit.outcomes"},
}


def _trees() -> dict[str, ast.Module]:
    return {m: ast.parse(p.read_text(encoding="utf-8")) for m, p in MODULES.items()}


def _string_sequences(tree: ast.AST) -> list[tuple[tuple[str, ...], int]]:
    """Every literal tuple, list or set of strings in ``tree``: (its words sorted, line)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and node.elts:
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            words = [v for v in values if isinstance(v, str)]
            if len(words) == len(node.elts):
                out.append((tuple(sorted(words)), node.lineno))
    return out


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_each_vocabulary_is_written_out_in_its_home_only(name):
    words, home = VOCABULARIES[name]
    found = [
        f"{module}:{line}"
        for module, tree in _trees().items()
        for seq, line in _string_sequences(tree)
        if seq == tuple(sorted(words))
    ]
    assert [f.partition(":")[0] for f in found] == ([home] if home else []), (
        f"{name} {words} is written out in {found}: import it from {home or 'its home'}"
    )


def test_a_public_vocabulary_name_has_one_meaning():
    """No two modules define the same public constant as a tuple of words (SIDES had three)."""
    where: dict[str, set[str]] = {}
    for module, tree in _trees().items():
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Tuple)
                and any(isinstance(e, (ast.Constant, ast.Starred)) for e in node.value.elts)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.isupper() and target.id[0] != "_":
                        where.setdefault(target.id, set()).add(module)
    shared = {name: modules for name, modules in where.items() if len(modules) > 1}
    assert shared == SHARED_NAMES


def test_there_is_one_source_class():
    found = [
        f"{module}:{node.lineno}"
        for module, tree in _trees().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "Source"
    ]
    assert [f.partition(":")[0] for f in found] == ["backkit.exercises"], found


#: strftime codes that write part of a day (not the time of day).
_DAY_CODES = re.compile(r"%[-#]?[aAbBcdDehjmuUwWxyY]")
#: Day formats that are not shown to people: the compact stamps in ids and
#: file names ("session-20261207-0930"), and UTC text in SQL (store's format).
_NOT_SHOWN = re.compile(r"%Y%m%d(-%H%M(%S)?)?|%Y-%m-%dT%H:%M:%f")
#: Modules another engineer is restructuring: how many day formats each still
#: has, to be replaced by backkit.config.day_text (then removed from here).
_DAY_FORMATS_PENDING: dict[str, int] = {}


def _writes_a_day(tree: ast.AST) -> list[ast.Constant]:
    """The strings and f-string format specs in ``tree`` that write a day with strftime codes."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _DAY_CODES.search(_NOT_SHOWN.sub("", node.value))
    ]


def _day_formats() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for module, tree in _trees().items():
        for node in _writes_a_day(tree):
            out.setdefault(module, []).append(f"{node.lineno}: {str(node.value)[:60]!r}")
    return out


def test_days_are_written_for_people_in_one_place():
    """Only backkit.config writes a day (day_text, month_text, minute_text); all else calls it."""
    found = _day_formats()
    found.pop("backkit.config", None)
    pending = {m: len(found.pop(m, [])) for m in _DAY_FORMATS_PENDING}
    assert not found, found
    assert pending == _DAY_FORMATS_PENDING, "update _DAY_FORMATS_PENDING (fewer is progress)"


def test_the_day_format_check_finds_a_day_format():
    # the check above is only as good as its scanner: it must see each way a day is written
    written = [
        'f"{day.day} {day:%b %Y}"',
        'day.strftime("%d/%m/%Y")',
        'f"{when:%A}"',
        'f"{when:%Y-%m-%d %H:%M}"',
    ]
    for source in written:
        assert _writes_a_day(ast.parse(source)), source
    assert not _writes_a_day(ast.parse('f"session-{t:%Y%m%d-%H%M} at {t:%H:%M}"'))


def test_the_vocabulary_checks_find_a_copy():
    copy = ast.parse('LEVELS = ("emergency", "urgent", "clinician", "none")')
    words = tuple(sorted(VOCABULARIES["safety.ACTIONS"][0]))
    assert [seq for seq, _ in _string_sequences(copy)] == [words]
