"""The FHIR R4 export: the sample log as one Bundle, validated with fhir.resources (R4B)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import backkit
from backkit import fhir, sample
from backkit.report import Privacy

R4B = pytest.importorskip("fhir.resources.R4B.bundle", reason="the fhir extra is not installed")


@pytest.fixture(scope="module")
def data() -> dict:
    frame = sample.sample_log(weeks=2)
    outcomes = sample.sample_checkins(weeks=2)
    privacy = Privacy("Patient A", date_shift=7, redact=["Lifting my daughter"])
    return fhir.bundle(frame, outcomes=outcomes, plan=sample.sample_plan(), privacy=privacy)


def resources(data: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def test_the_bundle_validates_against_the_r4b_models(data):
    model = R4B.Bundle.model_validate(data)
    assert model.type == "collection"
    kinds = {e.resource.__resource_type__ for e in model.entry}
    assert kinds == {"Patient", "Observation", "QuestionnaireResponse", "CarePlan"}


def test_checks_the_models_do_not_make(data):
    assert fhir.problems(data) == []
    for obs in resources(data, "Observation"):
        assert obs["status"] == "final"
        assert obs["code"]["coding"] == [fhir.PAIN_CODE]
        assert fhir.PAIN_CODE == {"system": "http://loinc.org", "code": "72514-3",
                                  "display": "Pain severity - 0-10 verbal numeric rating "
                                  "[Score] - Reported"}  # fmt: skip
        q = obs["valueQuantity"]
        assert q["unit"] == q["code"] == "{score}" and q["system"] == "http://unitsofmeasure.org"
        assert 0 <= q["value"] <= 10 and isinstance(q["value"], int)
        assert obs["effectiveDateTime"][-6] in "+-"  # a UTC offset


def test_every_pain_rating_is_one_observation(data):
    frame = sample.sample_log(weeks=2)
    ratings = int(frame["pain_before"].notna().sum() + frame["pain_after"].notna().sum())
    assert len(resources(data, "Observation")) == ratings


def test_the_plan_is_a_care_plan_with_its_activities(data):
    (plan,) = resources(data, "CarePlan")
    assert plan["intent"] == "plan" and plan["status"] in {"active", "completed"}
    assert len(plan["activity"]) == 7
    first = plan["activity"][0]["detail"]
    assert first["status"] == "scheduled"
    assert first["code"]["text"] == "Supine hamstring stretch"
    assert first["scheduledTiming"]["repeat"] == {"frequency": 7, "period": 1, "periodUnit": "wk"}
    assert plan["period"]["start"] == "2025-02-24"  # shifted by 7 days


def test_check_ins_are_questionnaire_responses(data):
    responses = resources(data, "QuestionnaireResponse")
    assert len(responses) == 2
    assert {r["status"] for r in responses} == {"completed"}
    links = {i["linkId"] for r in responses for i in r["item"]}
    assert {"pain_average", "pain_worst"} <= links
    assert any(link.startswith("psfs: ") for link in links)


def test_pseudonymised_and_date_shifted(data):
    (patient,) = resources(data, "Patient")
    assert patient["name"] == [{"text": "Patient A"}]
    assert set(patient) == {"resourceType", "id", "name", "meta"}
    first = min(o["effectiveDateTime"] for o in resources(data, "Observation"))
    assert first.startswith("2025-02-24")  # the sample starts 2025-02-17
    text = json.dumps(resources(data, "Observation") + resources(data, "QuestionnaireResponse"))
    assert "sample data" not in text  # the patient's notes are left out
    for r in data["entry"]:
        subject = r["resource"].get("subject")
        assert subject is None or subject["reference"] == f"urn:uuid:{patient['id']}"


def test_a_bad_status_is_caught_by_our_checks(data):
    broken = json.loads(json.dumps(data))
    resources(broken, "Observation")[0]["status"] = "done"
    R4B.Bundle.model_validate(broken)  # the model takes it
    assert fhir.problems(broken) == ["Observation 2: status 'done' is not an R4 code"]
    with pytest.raises(backkit.errors.LogError, match="status 'done'"):
        fhir.validate(broken)


def run(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    environ = dict(os.environ, BACKKIT_HOME=str(home), **env)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          env=environ, cwd=home, timeout=300)  # fmt: skip


def test_export_command_writes_an_owner_only_bundle(tmp_path):
    log = tmp_path / "log.sqlite"
    with backkit.SessionLog(log) as opened:
        frame = sample.sample_log(weeks=1)
        opened.record_many(frame.astype(object).where(frame.notna(), None).to_dict("records"))
        sample.record_sample_checkins(opened, weeks=1)
    plan = sample.sample_plan().save(tmp_path / "plan.yaml")
    out = run("-m", "backkit", "export", "--format", "fhir", "out.json", "--log", str(log),
              "--plan", str(plan), "--pseudonym", "Patient B", home=tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr
    written = tmp_path / "out.json"
    assert written.stat().st_mode & 0o777 == 0o600
    data = json.loads(written.read_text())
    R4B.Bundle.model_validate(data)
    assert fhir.problems(data) == []
    assert len(resources(data, "QuestionnaireResponse")) == 1


def test_without_the_extra_the_command_says_how_to_install_it(tmp_path):
    # a path entry that hides fhir.resources, as if the extra were not installed
    hide = tmp_path / "hide" / "fhir"
    hide.mkdir(parents=True)
    (hide / "__init__.py").write_text("")
    code = "import sys; from backkit.cli import main; sys.exit(main(sys.argv[1:]))"
    repo = str(Path(backkit.__file__).parents[1])
    out = run("-c", code, "export", "--format", "fhir", "x.json", home=tmp_path,
              PYTHONPATH=os.pathsep.join([str(hide.parent), repo]))  # fmt: skip
    assert out.returncode == 2 or out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'backkit[fhir]'" in lines[0], out.stderr
    assert not (tmp_path / "x.json").exists()


def test_with_no_fhir_package_at_all_the_command_says_how_to_install_it(tmp_path):
    # the usual case: neither fhir nor fhir.resources can be imported (the import
    # system answers as it does for a package that is not installed)
    code = (
        "import sys\n"
        "class NoFhir:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'fhir' or name.startswith('fhir.'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, NoFhir())\n"
        "from backkit.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    out = run("-c", code, "export", "--format", "fhir", "x.json", home=tmp_path)
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 1 and len(lines) == 1, out.stderr
    assert lines[0] == (
        "backkit export: error: the FHIR export needs fhir.resources: pip install 'backkit[fhir]'"
    )
    assert not (tmp_path / "x.json").exists()
