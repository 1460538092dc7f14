"""The YAML reader refuses what is not a small, plain plan or catalogue, in one line.

Each attack from issue 15 is a real file on disk read through the public
loaders (``Plan.load``, ``backkit.load_exercises``).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

import backkit
from backkit._yaml import MAX_BYTES, parse_yaml
from backkit.errors import CatalogueError, PlanError
from backkit.plan import Plan

PLAN = "name: Back basics\nexercises: [bridge, squat]\n"
BILLION_LAUGHS = textwrap.dedent(
    """\
    name: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
    i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
    exercises: *i
    """
)


def plan_file(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "plan.yaml"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def refused(tmp_path: Path, content: str | bytes) -> str:
    """Load ``content`` as a plan; return the one-line message it is refused with."""
    path = plan_file(tmp_path, content)
    with pytest.raises(PlanError) as caught:
        Plan.load(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message and len(message) < 400, message
    return message


class TestFilesThatAreNotPlans:
    def test_a_png_is_named_as_a_picture(self, tmp_path):
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
        assert "is a PNG picture, not a plan" in refused(tmp_path, png)

    def test_another_binary_file(self, tmp_path):
        assert "is a binary file, not a plan" in refused(tmp_path, b"name: x\x00\x01\x02")

    def test_text_that_is_not_utf8(self, tmp_path):
        assert "is not UTF-8 text" in refused(tmp_path, "name: Plán\n".encode("latin-1"))

    def test_a_100_mb_file_is_refused_at_once_without_reading_it(self, tmp_path):
        path = tmp_path / "huge.yaml"
        with open(path, "wb") as f:
            f.write(PLAN.encode())
            f.truncate(100 * 1024 * 1024)
        code = textwrap.dedent(
            f"""
            import time
            from backkit.plan import Plan
            start = time.perf_counter()
            try:
                Plan.load({str(path)!r})
            except Exception as err:
                print(type(err).__name__, err)
            print(time.perf_counter() - start)
            # this process's own peak (ru_maxrss would count a big parent's, from fork)
            status = open("/proc/self/status").read()
            print(status.split("VmHWM:")[1].split()[0])
            """
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        assert (
            out[0].startswith("PlanError") and "is 100.0 MB; a plan file is at most 1 MB" in out[0]
        )
        assert float(out[1]) < 5  # seconds (25 s before the size check; loose for a busy machine)
        assert int(out[2]) < 200 * 1024  # KiB of this interpreter's peak memory
        assert MAX_BYTES == 1024 * 1024


class TestYamlAttacks:
    def test_billion_laughs_is_refused_from_its_events(self, tmp_path):
        start = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        message = refused(tmp_path, BILLION_LAUGHS)
        assert "repeats values through YAML aliases" in message
        assert time.perf_counter() - start < 1
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 50 * 1024  # KiB

    def test_billion_laughs_as_a_catalogue(self, tmp_path):
        path = tmp_path / "catalogue.yaml"
        path.write_text(BILLION_LAUGHS)
        with pytest.raises(CatalogueError, match="repeats values through YAML aliases"):
            backkit.load_exercises(path)

    def test_the_few_anchors_yaml_dump_writes_still_load(self, tmp_path):
        shared = ["bridge"]
        text = yaml.safe_dump({"name": "P", "exercises": shared, "notes": None}) + "\n"
        dumped = yaml.dump({"a": shared, "b": shared})  # PyYAML writes &id001 / *id001
        assert "&id001" in dumped
        assert parse_yaml(dumped, "x.yaml", PlanError) == {"a": shared, "b": shared}
        assert Plan.load(plan_file(tmp_path, text)).items[0].exercise_id == "bridge"

    def test_10000_deep_nesting(self, tmp_path):
        message = refused(tmp_path, PLAN + "notes: " + "[" * 10_000 + "]" * 10_000 + "\n")
        assert "nest" in message

    def test_duplicate_keys_name_the_key_and_lines(self, tmp_path):
        message = refused(tmp_path, PLAN + "name: Other plan\n")
        assert "key 'name' appears twice (lines 1 and 3); keep one" in message

    def test_duplicate_keys_in_one_flow_mapping(self, tmp_path):
        text = "name: P\nexercises: [{id: bridge, sets: 2, sets: 3}]\n"
        assert "key 'sets' appears twice" in refused(tmp_path, text)

    def test_the_python_loader_refuses_the_same(self):
        with pytest.raises(PlanError, match="appears twice"):
            parse_yaml("a: 1\na: 2\n", "x.yaml", PlanError)


class TestPlanValues:
    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ("start: 2025-02-30", "'2025-02-30' is not a real date"),
            ("start: 1000-01-01", "'1000-01-01' is not between 2000-01-01 and 2199-12-31"),
            ("end: 9999-12-31", "'9999-12-31' is not between 2000-01-01 and 2199-12-31"),
            ("weekdays: [[mon]]", "field 'weekdays': ['mon'] is not a day"),
            ("weekdays: {mon: 1}", "field 'weekdays': {'mon': 1} must be a list of days"),
            ("start: 2025-01-20 trailing", "is not a date (write it as YYYY-MM-DD)"),
        ],
    )
    def test_refused_naming_the_field_and_value(self, tmp_path, line, message):
        assert message in refused(tmp_path, PLAN + line + "\n")

    def test_a_good_plan_still_loads(self, tmp_path):
        plan = Plan.load(plan_file(tmp_path, PLAN + "start: 2025-01-06\nweekdays: [mon, thu]\n"))
        assert str(plan.start) == "2025-01-06" and plan.weekdays == ("mon", "thu")

    def test_the_python_api_refuses_nested_weekdays_too(self):
        with pytest.raises(PlanError, match="is not a day"):
            Plan("P", items=["bridge"], weekdays=[["mon"]])


class TestCatalogueFiles:
    def test_an_empty_catalogue(self, tmp_path):
        path = tmp_path / "catalogue.yaml"
        path.write_text("exercises: []\n")
        with pytest.raises(CatalogueError, match="lists no exercises"):
            backkit.load_exercises(path)

    def test_a_png_as_catalogue(self, tmp_path):
        path = tmp_path / "catalogue.yaml"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
        with pytest.raises(CatalogueError, match="is a PNG picture, not a catalogue"):
            backkit.load_exercises(path)
