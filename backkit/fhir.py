"""FHIR R4 export: a patient's log, check-ins and plan as one Bundle, pseudonymised.

:func:`bundle` builds a FHIR R4 ``Bundle`` (``type: collection``) as plain
data; :func:`write_bundle` validates it against the ``fhir.resources`` R4B
models (``pip install backkit[fhir]``; R4B is R4 with fixes, the same JSON
for these resources), checks what the models do not (:func:`problems`) and
writes the JSON file. ``backkit export --format fhir OUT.json`` does both.

What goes in:

- a ``Patient`` with the pseudonym only (:class:`backkit.report.Privacy`:
  the real name only when given, dates shifted, notes left out unless asked);
- each pain rating of the log as an ``Observation``: LOINC 72514-3 "Pain
  severity - 0-10 verbal numeric rating [Score] - Reported", a
  ``valueQuantity`` in UCUM ``{score}``, ``effectiveDateTime`` with its UTC
  offset (the bout's start for the rating before, its end for the one after);
- each weekly check-in (pain, PSFS activities, custom measures) as a
  ``QuestionnaireResponse``, one item per score;
- the plan as a ``CarePlan`` (intent ``plan``) with one activity per exercise:
  its dose in words and its days as a ``Timing``.

Examples
--------
>>> import backkit
>>> from backkit.fhir import bundle, problems
>>> b = bundle(backkit.sample_log(weeks=1), plan=backkit.sample_plan())
>>> b["type"], sorted({e["resource"]["resourceType"] for e in b["entry"]})
('collection', ['CarePlan', 'Observation', 'Patient'])
>>> problems(b)
[]
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from . import config
from .errors import LogError
from .i18n import N_, ngettext
from .i18n import gettext as _

if TYPE_CHECKING:
    import pandas as pd

    from .plan import Plan
    from .report import Privacy

__all__ = [
    "LOINC",
    "PAIN_CODE",
    "UCUM",
    "bundle",
    "problems",
    "validate",
    "write_bundle",
]

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
#: The pain-severity code of every pain Observation.
PAIN_CODE = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
_SCORE = {"unit": "{score}", "system": UCUM, "code": "{score}"}
_CATEGORY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
_NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4c61-9a57-0b8f1d2e7c41")  # backkit's FHIR ids
# Codes the R4 value sets allow (the models take any string)
_STATUS = {
    "Observation": {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                    "entered-in-error", "unknown"},
    "CarePlan": {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error",
                 "unknown"},
    "QuestionnaireResponse": {"in-progress", "completed", "amended", "entered-in-error",
                              "stopped"},
}  # fmt: skip
_ACTIVITY_STATUS = {"not-started", "scheduled", "in-progress", "on-hold", "completed",
                    "cancelled", "stopped", "unknown", "entered-in-error"}  # fmt: skip
_INSTALL = N_("the FHIR export needs fhir.resources: pip install 'backkit[fhir]'")
# The words of a check-in's scores in a QuestionnaireResponse (other measures: their names).
_LABELS = {
    "pain_average": N_("average pain (0-10)"),
    "pain_worst": N_("worst pain (0-10)"),
    "psfs": N_("PSFS activity"),
}
# A bout's side in the words of a pain Observation (the keys: backkit.exercises.BODY_SIDES).
_SIDES = {"left": N_("left side"), "right": N_("right side")}


def _id(*parts: Any) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in parts)))


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def _when(stamp: Any) -> str:
    return stamp.to_pydatetime().isoformat(timespec="seconds")


def _pain_observation(
    patient: str, score: Any, when: Any, text: str, key: tuple[Any, ...]
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": _id(patient, *key),
        "status": "final",
        "category": [_CATEGORY],
        "code": {"coding": [PAIN_CODE], "text": _("Pain severity (0-10)")},
        "subject": {"reference": f"urn:uuid:{patient}"},
        "effectiveDateTime": _when(when),
        "valueQuantity": {"value": int(score), **_SCORE},
        "note": [{"text": text}],
    }


def _pain_observations(frame: pd.DataFrame, patient: str) -> list[dict[str, Any]]:
    """One Observation per pain rating of the log: each bout's, and each session's if any."""
    from .exercises import BODY_SIDES, exercise_ids, get_exercise

    known = set(exercise_ids())
    out = []
    rows = frame.reset_index(drop=True)
    for i, row in enumerate(rows.itertuples(index=False)):
        ex = str(row.exercise_id)
        name = get_exercise(ex).name if ex in known else ex
        side = _(_SIDES[row.side]) if row.side in BODY_SIDES else ""
        ended = row.ended_at if _present(row.ended_at) else row.started_at
        for column, when, before in (
            ("pain_before", row.started_at, True),
            ("pain_after", ended, False),
        ):
            score = getattr(row, column)
            if _present(score):
                if before:
                    said = (
                        _("Pain before the exercise: {name} ({side})")
                        if side
                        else _("Pain before the exercise: {name}")
                    )
                else:
                    said = (
                        _("Pain after the exercise: {name} ({side})")
                        if side
                        else _("Pain after the exercise: {name}")
                    )
                text = said.format(name=name, side=side)
                out.append(
                    _pain_observation(patient, score, when, text, (row.session_id, i, column))
                )
    for column, words in (("session_pain_before", "before"), ("session_pain_after", "after")):
        # whole-session ratings, when the log has them (one per session, not per bout)
        if column not in rows:
            continue
        rated = rows[rows[column].notna()].groupby("session_id", sort=False)
        for session_id, group in rated:
            when = group["started_at"].min() if words == "before" else group["started_at"].max()
            score = group[column].iloc[0]
            text = (
                _("Pain before the session") if words == "before" else _("Pain after the session")
            )
            out.append(_pain_observation(patient, score, when, text, (session_id, column)))
    return out


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        return bool(value == value)  # NaN, NaT and pd.NA are not equal to themselves
    except TypeError:
        return False  # pd.NA raises in a boolean context


def _questionnaire_responses(outcomes: pd.DataFrame, patient: str) -> list[dict[str, Any]]:
    """One QuestionnaireResponse per check-in, one item per score."""
    out = []
    for checkin_id, rows in outcomes.groupby("checkin_id", sort=False):
        items = []
        for row in rows.itertuples(index=False):
            measure = str(row.measure)
            item = f": {row.item}" if _present(row.item) else ""
            label = _(_LABELS[measure]) if measure in _LABELS else measure
            score = float(cast(float, row.score))  # the score column is numeric
            value = {"valueInteger": int(score)} if score.is_integer() else {"valueDecimal": score}
            items.append(
                {
                    "linkId": f"{measure}{item}" if item else measure,
                    "text": f"{label}{item}",
                    "answer": [value],
                }
            )
        day = rows["date"].iloc[0]
        out.append(
            {
                "resourceType": "QuestionnaireResponse",
                "id": _id(patient, checkin_id),
                "status": "completed",
                "subject": {"reference": f"urn:uuid:{patient}"},
                "authored": day.date().isoformat(),
                "item": items,
            }
        )
    return out


def _care_plan(plan: Plan, patient: str, today: dt.date) -> dict[str, Any]:
    from .exercises import get_exercise
    from .ics import BYDAY

    activities = []
    for item in plan.items:
        ex = get_exercise(item.exercise_id)
        dose = _("{exercise}: {dose}").format(
            exercise=ex.name, dose=plan.dose_text(item.exercise_id)
        )
        repeat: dict[str, Any]
        weekdays = [BYDAY[d.weekday()].lower() for d in _plan_days(plan, item.exercise_id)]
        if plan.weekdays is None and plan.days_per_week is not None:
            repeat = {"frequency": plan.days_per_week, "period": 1, "periodUnit": "wk"}
        else:
            repeat = {"frequency": 1, "period": 1, "periodUnit": "d", "dayOfWeek": weekdays}
        activities.append(
            {
                "detail": {
                    "kind": "ServiceRequest",
                    "code": {"text": ex.name},
                    "status": "scheduled",
                    "description": dose,
                    "scheduledTiming": {"repeat": repeat},
                }
            }
        )
    status = "completed" if plan.end is not None and plan.end < today else "active"
    period = {"start": plan.start.isoformat()}
    if plan.end is not None:
        period["end"] = plan.end.isoformat()
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": _id(patient, "plan", plan.id),
        "status": status,
        "intent": "plan",
        "title": plan.name,
        "subject": {"reference": f"urn:uuid:{patient}"},
        "period": period,
        "activity": activities,
    }
    by = _("Prescribed by {author}").format(author=plan.author) if plan.author else ""
    notes = [n for n in (by, plan.notes) if n]
    if notes:
        resource["note"] = [{"text": n} for n in notes]
    return resource


def _plan_days(plan: Plan, exercise_id: str | None = None) -> list[dt.date]:
    """The dates of the plan's first week on which (the exercise) is due, via ``due_on``."""
    out = []
    for offset in range(7):
        day = plan.start + dt.timedelta(days=offset)
        due = [item.exercise_id for item in plan.due_on(day)]
        if due and (exercise_id is None or exercise_id in due):
            out.append(day)
    return sorted(out, key=lambda d: d.weekday())


def bundle(
    frame: pd.DataFrame,
    *,
    outcomes: pd.DataFrame | None = None,
    plan: Plan | None = None,
    privacy: Privacy | None = None,
) -> dict[str, Any]:
    """Return the FHIR R4 Bundle (``type: collection``) of a log, its check-ins and plan.

    Parameters
    ----------
    frame : DataFrame
        The session log (:meth:`backkit.SessionLog.frame`).
    outcomes : DataFrame, optional
        The check-ins (:func:`backkit.outcomes.outcomes_frame`).
    plan : Plan, optional
        The plan, as a CarePlan.
    privacy : Privacy, optional
        How to de-identify (default ``Privacy()``: the pseudonym "Patient", no
        date shift, no notes). Applied before anything is converted.

    Returns
    -------
    dict
        The Bundle as plain JSON data (``json.dumps`` writes it).
    """
    from .config import today
    from .report import Privacy

    privacy = privacy or Privacy()
    frame = privacy.log(frame)
    outcomes = privacy.outcomes(outcomes)
    plan = privacy.plan(plan)
    patient = _id("patient", privacy.name)
    entries = [
        _entry(
            {
                "resourceType": "Patient",
                "id": patient,
                "name": [{"text": privacy.name}],
                "meta": {
                    "tag": [
                        {
                            "code": "pseudonymised" if not privacy.real_name else "named",
                            "display": "backkit export",
                        }
                    ]
                },
            }
        )
    ]
    entries += [_entry(r) for r in _pain_observations(frame, patient)]
    if outcomes is not None and len(outcomes):
        entries += [_entry(r) for r in _questionnaire_responses(outcomes, patient)]
    if plan is not None:
        entries.append(_entry(_care_plan(plan, patient, today() + privacy.days)))
    return {
        "resourceType": "Bundle",
        "id": _id("bundle", patient, len(entries)),
        "type": "collection",
        "timestamp": config.now().isoformat(timespec="seconds"),
        "entry": entries,
    }


def problems(data: Mapping[str, Any]) -> list[str]:
    """Check a Bundle for what the FHIR models accept but R4 does not: a list of problems.

    Status codes in their value sets, pain values 0-10 in UCUM ``{score}``,
    LOINC codes with the LOINC system URI, times with a UTC offset, and every
    subject pointing at the Bundle's Patient.

    Examples
    --------
    >>> from backkit.fhir import problems
    >>> found = problems({"resourceType": "Bundle", "type": "collection", "entry": [
    ...     {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Observation",
    ...      "status": "done", "code": {"coding": [{"system": "loinc", "code": "72514-3"}]},
    ...      "valueQuantity": {"value": 11, "unit": "points"}}}]})
    >>> for line in found:
    ...     print(line)
    Observation 1: status 'done' is not an R4 code
    Observation 1: LOINC code 72514-3 without the system http://loinc.org
    Observation 1: value 11 is not a 0-10 score
    Observation 1: unit 'points' is not UCUM {score}
    Observation 1: no effectiveDateTime
    """
    out = []
    if data.get("type") != "collection":
        out.append(f"Bundle: type {data.get('type')!r} is not 'collection'")
    patients = {
        e["fullUrl"] for e in data.get("entry", []) if e["resource"]["resourceType"] == "Patient"
    }
    for n, entry in enumerate(data.get("entry", []), start=1):
        r = entry["resource"]
        kind = r["resourceType"]
        where = f"{kind} {n}"
        if kind in _STATUS and r.get("status") not in _STATUS[kind]:
            out.append(f"{where}: status {r.get('status')!r} is not an R4 code")
        subject = r.get("subject", {}).get("reference")
        if subject is not None and subject not in patients:
            out.append(f"{where}: subject {subject} is not the Bundle's Patient")
        if kind == "Observation":
            out += _observation_problems(where, r)
        if kind == "CarePlan":
            for activity in r.get("activity", []):
                status = activity.get("detail", {}).get("status")
                if status not in _ACTIVITY_STATUS:
                    out.append(f"{where}: activity status {status!r} is not an R4 code")
    return out


def _observation_problems(where: str, r: Mapping[str, Any]) -> list[str]:
    out = []
    for coding in r.get("code", {}).get("coding", []):
        if coding.get("code") == PAIN_CODE["code"] and coding.get("system") != LOINC:
            out.append(f"{where}: LOINC code {coding['code']} without the system {LOINC}")
    value = r.get("valueQuantity")
    if value is not None:
        v = value.get("value")
        if not isinstance(v, (int, float)) or not 0 <= v <= 10:
            out.append(f"{where}: value {v} is not a 0-10 score")
        if value.get("unit") != "{score}" or value.get("system", UCUM) != UCUM:
            out.append(f"{where}: unit {value.get('unit')!r} is not UCUM {{score}}")
    when = r.get("effectiveDateTime")
    if when is None:
        out.append(f"{where}: no effectiveDateTime")
    elif dt.datetime.fromisoformat(when.replace("Z", "+00:00")).tzinfo is None:
        out.append(f"{where}: effectiveDateTime {when} has no UTC offset")
    return out


def validate(data: Mapping[str, Any]) -> Any:
    """Validate a Bundle with the ``fhir.resources`` R4B models; return the model.

    Raises
    ------
    LogError
        When ``fhir.resources`` is not installed, the models reject the
        Bundle, or :func:`problems` finds something.
    """
    try:
        from fhir.resources.R4B.bundle import Bundle
    except ImportError:
        raise LogError(_(_INSTALL), where="export") from None
    try:
        model = Bundle.model_validate(dict(data))
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        first = str(err).splitlines()[:3]
        raise LogError(
            _("the FHIR Bundle is not valid R4: {reason}").format(reason=" ".join(first)),
            where="export",
        ) from None
    found = problems(data)
    if found:
        raise LogError(
            ngettext(
                "the FHIR Bundle has {n} problems: {first}",
                "the FHIR Bundle has {n} problems: {first}",
                len(found),
            ).format(n=len(found), first=found[0]),
            where="export",
        )
    return model


def write_bundle(data: Mapping[str, Any], path: str | Path) -> Path:
    """Validate a Bundle (:func:`validate`) and write it as JSON, readable by its owner only."""
    from .store import write_atomically

    validate(data)
    text = json.dumps(data, indent=1, ensure_ascii=False, default=_json_default)

    def write(tmp: Path) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o600)

    return write_atomically(path, write)


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)
