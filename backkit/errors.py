"""Every error backkit raises on purpose, in one place.

All of them derive from :class:`BackkitError` (itself a ``ValueError``, so
code that caught ``ValueError`` keeps working). An error carries its context
as fields (``where``: the file, object or row it is about; ``problem``: what is
wrong), and its message is built from those fields. To say the same error of
another place (a temporary copy's errors named after the original file, say),
build a new one with :meth:`BackkitError.at`; never edit message text.

The command line turns a :class:`BackkitError` or an ``OSError`` into one line
and a non-zero exit; anything else is a bug and is shown in full.

Messages are written in English and kept in English where they are kept
(``err.problem``, ``Problem.message``, ``err.args``: code compares them, files
and the log store them); they are said in the person's language
(:func:`backkit.config.language`) where they are shown: ``str(err)``,
``str(problem)``, ``str(warning)`` and :func:`shown`. A message with values in
it is a :class:`Message`, which remembers its template to translate it then.

Examples
--------
>>> from backkit.errors import BackkitError, LogFileError
>>> err = LogFileError("/tmp/copy.sqlite", "is not a backkit log")
>>> str(err)
'/tmp/copy.sqlite: is not a backkit log'
>>> str(err.at("patient.sqlite"))
'patient.sqlite: is not a backkit log'
>>> isinstance(err, BackkitError) and isinstance(err, ValueError)
True
>>> import pickle
>>> str(pickle.loads(pickle.dumps(err)))
'/tmp/copy.sqlite: is not a backkit log'
"""

from __future__ import annotations

import difflib
import gettext
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import languages

__all__ = [
    "AnalysisError",
    "AppError",
    "BackkitError",
    "CatalogueError",
    "CheckInError",
    "ConfigError",
    "LogError",
    "LogFileError",
    "LogFileWarning",
    "LogValidationError",
    "Message",
    "OutputFolderError",
    "PlanError",
    "Problem",
    "ReportError",
    "RoutineError",
    "SafetyGateError",
    "SampleDataError",
    "UnknownExerciseError",
    "UsageError",
    "ValidationError",
    "did_you_mean",
    "shown",
]


class Message(str):
    """English words that are said in the person's language when shown.

    The string itself is the English message (what code compares and files
    store); :meth:`shown` is the same message translated, at the moment it is
    shown, from its template (marked ``N_`` where it is written, so
    ``pybabel extract`` finds it) and its values. A value that is itself a
    :class:`Message` is translated too; any other value is shown as it is.

    Parameters
    ----------
    template : str
        The English message, with ``{name}`` placeholders.
    **params
        The values of the placeholders.

    Examples
    --------
    >>> from backkit.errors import Message
    >>> rule = Message("a whole number from {lo} to {hi}", lo=0, hi=10)
    >>> text = Message("must be {rule}", rule=rule)
    >>> text, text.shown()
    ('must be a whole number from 0 to 10', 'must be a whole number from 0 to 10')
    >>> Message.ngettext("{n} row", "{n} rows", 2, n=2)
    '2 rows'
    """

    template: str
    plural: str | None
    number: int
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Message:
        """The message ``template`` with ``params`` (a message as it is: returned unchanged)."""
        if isinstance(template, Message) and not params:
            return template
        return cls._make(template, None, 1, params)

    @classmethod
    def ngettext(cls, singular: str, plural: str, n: int, /, **params: Any) -> Message:
        """The singular or plural message for the count ``n`` (``pybabel`` extracts both)."""
        return cls._make(singular, plural, n, params)

    @classmethod
    def _make(cls, template: str, plural: str | None, n: int, params: dict[str, Any]) -> Message:
        english = plural if plural is not None and n != 1 else template
        # without values the template is the text itself (and braces in it are literal)
        self = super().__new__(cls, english.format(**params) if params else english)
        self.template, self.plural, self.number, self.params = template, plural, n, params
        return self

    def shown(self) -> str:
        """The message in the person's language (:func:`backkit.config.language`)."""
        if not self.template:  # gettext("") is the catalogue's header, not words
            return ""
        catalogue = _catalogue()
        if self.plural is None:
            words = catalogue.gettext(self.template)
        else:
            words = catalogue.ngettext(self.template, self.plural, self.number)
        if not self.params:
            return words
        return words.format(
            **{k: v.shown() if isinstance(v, Message) else v for k, v in self.params.items()}
        )


def shown(text: Any) -> str:
    """``text`` (a message, a path, a place) as a person reads it, in their language.

    A :class:`Message` is translated with its values; other text is looked up
    in the catalogue as it is (a fixed message) and otherwise shown unchanged.

    Examples
    --------
    >>> from backkit.errors import shown
    >>> shown("is required"), shown(None)
    ('is required', 'None')
    """
    if isinstance(text, Message):
        return text.shown()
    if isinstance(text, str) and text:
        return _catalogue().gettext(text)
    return str(text)


def _catalogue() -> gettext.NullTranslations:
    """The messages' catalogue in the person's language; English when it is not one spoken.

    A wrong ``$BACKKIT_LANG`` is itself said in English (by :func:`backkit.config.language`).
    """
    return languages.current()


def N_(message: str) -> str:
    """Mark ``message`` for ``pybabel extract``, as :func:`backkit.i18n.N_` does.

    This module cannot import :mod:`backkit.i18n`, which imports
    :mod:`backkit.config`, which imports this module.
    """
    return message


def did_you_mean(value: Any, options: Iterable[str]) -> str:
    """Return `` Did you mean 'x'?`` for the option closest to ``value``, or ``""``.

    Examples
    --------
    >>> did_you_mean("squats", ["bridge", "squat"])
    " Did you mean 'squat'?"
    >>> did_you_mean("zzz", ["bridge", "squat"])
    ''
    """
    options = [str(o) for o in options]
    text = str(value).strip().lower()
    close = difflib.get_close_matches(text, options, n=1, cutoff=0.5)
    if not close:  # a prefix ("knee" for "knee-to-chest") is a clear enough hint
        close = [o for o in options if text and o.startswith(text)][:1]
    return Message(N_(" Did you mean {option}?"), option=repr(close[0])) if close else ""


@dataclass(frozen=True)
class Problem:
    """One bad value: where it came from, the field, the value and what is wrong.

    Examples
    --------
    >>> from backkit.errors import Problem
    >>> str(Problem("record", "pain_after", 11, "must be a whole number from 0 to 10"))
    'record: pain_after = 11: must be a whole number from 0 to 10'
    """

    where: str  # "record", "rows[2]" or "file log.csv, row 5"
    field: str
    value: Any
    message: str

    def __str__(self) -> str:
        return self._line(shown)

    def _line(self, say: Any) -> str:
        return f"{say(self.where)}: {self.field} = {self.value!r}: {say(self.message)}"


class BackkitError(ValueError):
    """Base class of every error backkit raises on purpose.

    Parameters
    ----------
    problem : str
        What is wrong, as a person reads it.
    where : str or path-like, optional
        The file, object or row the problem is in; the message starts with it.
    """

    def __init__(self, problem: str, *, where: str | Path | None = None):
        self.problem = problem
        self.where = where
        super().__init__(self._message())

    def _message(self) -> str:
        return f"{self.where}: {self.problem}" if self.where is not None else self.problem

    def __str__(self) -> str:
        # the English message stays in .args (what pickles and what code compares);
        # the person reads it in their language, the file or place first
        return self._shown()

    def _shown(self) -> str:
        problem = shown(self.problem)
        return f"{shown(self.where)}: {problem}" if self.where is not None else problem

    def at(self, where: str | Path | None) -> BackkitError:
        """Return a copy of this error said of ``where`` instead (this one is unchanged)."""
        return _rebuild(type(self), {**self.__dict__, "where": where})

    def __reduce__(self) -> tuple:
        # Subclasses take other constructor arguments: rebuild from the fields,
        # so errors copy and pickle (multiprocessing) whatever their signature.
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls: type[BackkitError], fields: dict[str, Any]) -> BackkitError:
    new = cls.__new__(cls)
    new.__dict__.update(fields)
    new.args = (new._message(),)
    return new


class ConfigError(BackkitError):
    """An environment setting (``$BACKKIT_TZ``, ...) has a value backkit cannot use."""


class CatalogueError(BackkitError):
    """A catalogue entry is malformed; the message names the file, exercise and field."""


class UnknownExerciseError(BackkitError, KeyError):
    """An exercise id that is not in the catalogue (also a ``KeyError``).

    Parameters
    ----------
    value : object
        The id that was asked for.
    valid : sequence of str
        The ids there are; the message suggests the closest.

    Examples
    --------
    >>> from backkit.errors import UnknownExerciseError
    >>> print(UnknownExerciseError("brige", ["bridge", "squat"]))
    unknown exercise id 'brige'. Did you mean 'bridge'? Valid ids: bridge, squat
    """

    def __init__(self, value: Any, valid: Sequence[str], *, where: str | Path | None = None):
        self.value = value
        self.valid = list(valid)
        hint = did_you_mean(value, self.valid)
        super().__init__(
            Message(
                N_("unknown exercise id {value}.{hint} Valid ids: {ids}"),
                value=repr(value),
                hint=hint,
                ids=", ".join(self.valid),
            ),
            where=where,
        )

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return self._shown()


class PlanError(BackkitError):
    """A plan is invalid; the message names where (file or object), the field and the value."""


class RoutineError(BackkitError):
    """A routine cannot be built from the exercise and dose given."""


class SafetyGateError(BackkitError):
    """A session was started without a current warning-sign screening, or with a "yes" unresolved.

    :mod:`backkit.gate` says why; nothing was started or stored.
    """


class SampleDataError(BackkitError):
    """A sample-data argument is invalid; the message names it and its value."""


class ReportError(BackkitError):
    """A clinician report cannot be made; nothing was written."""


class AppError(BackkitError):
    """The no-code app cannot start."""


class LogError(BackkitError):
    """Base class of the session log's errors."""


class LogFileError(LogError):
    """The file is not a backkit log, is damaged, or is too new; it was not changed.

    Parameters
    ----------
    path : path-like
        The file.
    problem : str
        What is wrong with it.
    """

    def __init__(self, path: str | Path, problem: str):
        super().__init__(problem, where=path)

    @property
    def path(self) -> Path:
        """The file the error is about."""
        return Path(self.where)  # type: ignore[arg-type]


_SHOWN = 100  # problems spelled out in a message; all stay in .problems


class ValidationError(BackkitError):
    """One or more values were rejected; nothing was written.

    ``problems`` lists every :class:`Problem` found (every bad row of an
    import, not just the first); ``rows`` lists the places that had one.

    Parameters
    ----------
    problems : sequence of Problem
        Every problem found.
    header : str, optional
        A first line (for example "file x.csv: 3 of 40 rows were refused").
    """

    def __init__(self, problems: Sequence[Problem], *, header: str = ""):
        self.problems = list(problems)
        self.header = header
        self.rows = list(dict.fromkeys(p.where for p in self.problems))
        super().__init__(self._lines(translate=False))

    def _lines(self, translate: bool = True) -> str:
        say = shown if translate else str
        lines = [p._line(say) for p in self.problems[:_SHOWN]]
        if len(self.problems) > _SHOWN:
            more = len(self.problems) - _SHOWN
            lines.append(
                say(
                    # Translators: the English says "problems" even for 1; say it rightly
                    Message.ngettext(
                        "... and {n} more problems (every one is in this error's .problems list)",
                        "... and {n} more problems (every one is in this error's .problems list)",
                        more,
                        n=more,
                    )
                )
            )
        header = say(self.header)
        return "\n".join([header, *lines] if header else lines)

    def _shown(self) -> str:
        lines = self._lines()
        return f"{shown(self.where)}: {lines}" if self.where is not None else lines


class LogValidationError(ValidationError, LogError):
    """A bout (or an import's rows) was refused by the session log; nothing was written.

    Examples
    --------
    >>> import backkit
    >>> log = backkit.SessionLog(":memory:")
    >>> try:
    ...     log.record(exercise_id="bridge", pain_after=11)
    ... except backkit.LogValidationError as err:
    ...     print(err)
    record: pain_after = 11: must be a whole number from 0 to 10
    """


class CheckInError(ValidationError):
    """A weekly check-in (outcome scores) was refused; nothing was written."""


class OutputFolderError(BackkitError):
    """A file's folder is missing outside the data home, or is not a folder; nothing was made.

    The kit creates a missing folder only inside the person's data home
    (:func:`backkit.config.output_folder`), so a mistyped output path never
    leaves new folders, with health data in them, where nobody looks.

    Parameters
    ----------
    path : path-like
        The file (or folder) that was to be written; the message starts with it.
    folder : path-like
        The folder that is missing or is not a folder.
    problem : str
        What is wrong, and what to do.

    Examples
    --------
    >>> from backkit.errors import OutputFolderError
    >>> err = OutputFolderError("/x/r.html", "/x", "the folder /x does not exist")
    >>> str(err), str(err.folder)
    ('/x/r.html: the folder /x does not exist', '/x')
    """

    def __init__(self, path: str | Path, folder: str | Path, problem: str):
        self.folder = Path(folder)
        super().__init__(problem, where=path)


class UsageError(BackkitError):
    """A command or option of the ``backkit`` command cannot be used as given."""


class AnalysisError(BackkitError):
    """An analysis, adherence or chart function was given an argument it cannot use.

    The message starts with the function's name and names the argument and its value.
    """


class LogFileWarning(UserWarning):
    """A log opened, but something about its file needs the person's attention.

    Raised as a warning (``warnings.warn``), never as an error: the log can
    still be read. ``path`` names the file. Examples: a log that was not
    closed cleanly and whose ``-wal`` file is missing or damaged (its last
    writes may be lost), or rows with damaged cells left out of what was read.
    """

    def __init__(self, path: str | Path, message: str):
        super().__init__(f"{path}: {message}")
        self.path = Path(path)
        self.message = message

    def __str__(self) -> str:  # what ``warnings`` prints: in the person's language
        return f"{self.path}: {shown(self.message)}"
