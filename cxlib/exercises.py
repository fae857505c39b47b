"""Exercises: questions with public checks, recorded answers, student versions, copies.

For students (in an exercise notebook)::

    from cxlib import exercises
    exercises.question("q1", points=2, kind="number", rtol=0.01, sign="positive",
                       hint="Fit revenue on loyalty alone.")
    exercises.answer("q1", slope)        # records the answer and runs the public checks

:func:`answer` stores the value under the question's id (a record named ``answer.q1``
in the cell's outputs), so a notebook whose cells were reordered, deleted, duplicated
or retyped is graded on what it answered (the last answer to an id wins), not on
where.  :func:`check` runs the *public* checks only (type, shape, sign, a sanity
range, the allowed choices) and answers in one sentence; passing them means "worth
submitting", never "correct": the grader compares the answer with the reference
solution run on the student's own data (``cx grade``, :mod:`cxlib.grading`).

For instructors: :func:`build` turns an exercise *source* (with solutions) into the
student version, and :func:`assign` writes one personalised copy per student with a
seed derived from a course secret (:func:`student_seed`).  ``exercises/README.md``
documents the source format.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import math
import numbers
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cxlib.records import record, to_json

__all__ = [
    "Question",
    "question",
    "answer",
    "check",
    "message",
    "problem",
    "matches",
    "questions_from_records",
    "answers_from_records",
    "build",
    "build_all",
    "student_seed",
    "read_secret",
    "read_roster",
    "submission_name",
    "inject_seed",
    "personalise",
    "assign",
]

KINDS = ("number", "integer", "vector", "choice")
SIGNS = ("positive", "negative", "nonnegative", "nonpositive")
ANSWER = "answer."
QUESTION = "question."
PASSED = "public checks passed: your answer will be graded against your own data"
STUB = 'raise NotImplementedError("write your answer here")'
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
_REGISTRY: dict[str, Question] = {}


# ---------------------------------------------------------------------------
# Questions and their public checks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One question: how it is checked in public and graded in private.

    Attributes
    ----------
    id : str
        Short identifier (``q1``): letters, digits and ``_``, starting with a letter.
    points : float
        Marks for a matching answer (all or nothing).
    kind : str
        ``"number"``, ``"integer"``, ``"vector"`` (a 1-D list of numbers) or
        ``"choice"`` (one of ``choices``, for multiple-choice interpretation).
    rtol, atol : float
        Grading tolerance: an answer matches the reference ``ref`` when
        ``|answer - ref| <= atol + rtol * |ref|`` (elementwise for vectors).  ``rtol``
        defaults to 1e-6, and to 0 (exact) for ``integer`` questions.
    choices : tuple of str, optional
        The allowed answers of a ``choice`` question.
    length : int, optional
        The required length of a ``vector`` answer.
    sign : str, optional
        Public check: ``"positive"``, ``"negative"``, ``"nonnegative"`` or ``"nonpositive"``.
    low, high : float, optional
        Public sanity range (inclusive); wide enough never to give the answer away.
    hint : str
        Shown when a public check fails and in the grading feedback.

    Examples
    --------
    In a notebook, declare questions with :func:`question`, which checks the
    settings; the class itself holds them, and travels through the records as a dict:

    >>> q = Question("q1", points=2.0, sign="positive", hint="Fit revenue on loyalty alone.")
    >>> q.id, q.points, q.kind, q.rtol
    ('q1', 2.0, 'number', 1e-06)
    >>> q.to_dict()["sign"]
    'positive'
    >>> Question.from_dict({"id": "q2", "kind": "choice", "choices": ["a", "b"], "points": 2})
    Question(id='q2', points=2.0, kind='choice', rtol=1e-06, atol=0.0, choices=('a', 'b'),
             length=None, sign=None, low=None, high=None, hint='')
    """

    id: str
    points: float = 1.0
    kind: str = "number"
    rtol: float = 1e-6
    atol: float = 0.0
    choices: tuple[str, ...] | None = None
    length: int | None = None
    sign: str | None = None
    low: float | None = None
    high: float | None = None
    hint: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["choices"] = list(self.choices) if self.choices is not None else None
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k != "id"}
        return _make_question(data["id"], **known)


def _check_id(qid: Any) -> str:
    if not isinstance(qid, str) or not _ID.match(qid):
        raise ValueError(
            f"question id must be a short name of letters, digits and '_' starting with a letter "
            f"(such as 'q1'); got {qid!r}"
        )
    return qid


def _make_question(id: str, **spec: Any) -> Question:
    """A checked :class:`Question` from its fields (defaults as in :func:`question`)."""
    from cxlib import params

    _check_id(id)
    unknown = sorted(set(spec) - set(Question.__dataclass_fields__))
    if unknown:
        raise TypeError(f"unknown question settings {unknown}; valid: {sorted(Question.__dataclass_fields__)[1:]}")
    defaults = {name: f.default for name, f in Question.__dataclass_fields__.items() if name != "id"}
    spec = {**defaults, "rtol": None, **spec}  # rtol None: chosen by kind below
    points, kind, rtol, atol = spec["points"], spec["kind"], spec["rtol"], spec["atol"]
    choices, length, sign, low, high, hint = (spec[k] for k in ("choices", "length", "sign", "low", "high", "hint"))
    kind = params.choice("kind", kind, KINDS)
    points = params.real("points", points, min=0)
    if rtol is None:  # whole numbers match exactly unless told otherwise
        rtol = 0.0 if kind == "integer" else 1e-6
    rtol = params.real("rtol", rtol, min=0)
    atol = params.real("atol", atol, min=0)
    if sign is not None:
        sign = params.choice("sign", sign, SIGNS)
    if low is not None:
        low = params.real("low", low)
    if high is not None:
        high = params.real("high", high)
    if low is not None and high is not None and low > high:
        raise ValueError(f"low must not exceed high; got low={low!r}, high={high!r}")
    if length is not None:
        length = params.integer("length", length, min=1)
    if not isinstance(hint, str):
        raise TypeError(f"hint must be a string; got {hint!r} ({type(hint).__name__})")
    if kind == "choice":
        if choices is None or isinstance(choices, str) or len(choices) < 2:
            raise ValueError(f"choices must list at least two options for a choice question; got {choices!r}")
        if not all(isinstance(c, str) and c.strip() for c in choices):
            raise TypeError(f"choices must be non-empty strings; got {choices!r}")
        choices = tuple(choices)
    elif choices is not None:
        raise ValueError(f"choices only apply to kind='choice'; got kind={kind!r} with choices={choices!r}")
    if length is not None and kind != "vector":
        raise ValueError(f"length only applies to kind='vector'; got kind={kind!r} with length={length!r}")
    return Question(id=id, points=points, kind=kind, rtol=rtol, atol=atol, choices=choices,
                    length=length, sign=sign, low=low, high=high, hint=hint)


def question(
    qid: str,
    *,
    points: float = 1.0,
    kind: str = "number",
    rtol: float | None = None,
    atol: float = 0.0,
    choices: Sequence[str] | None = None,
    length: int | None = None,
    sign: str | None = None,
    low: float | None = None,
    high: float | None = None,
    hint: str = "",
) -> Question:
    """Declare a question (its points, tolerance, public checks and hint).

    Run it before :func:`answer` / :func:`check` for the same id.  The declaration is
    also recorded (``question.<id>``), which is how the grader learns points and
    tolerances from the trusted run of the source; a student's copy of it is never
    used for grading.  See :class:`Question` for the arguments.

    Examples
    --------
    >>> q = question("q1", points=2, kind="number", rtol=0.01, sign="positive")
    >>> q.points, q.sign
    (2.0, 'positive')
    """
    spec = _make_question(qid, points=points, kind=kind, rtol=rtol, atol=atol, choices=choices, length=length,
                          sign=sign, low=low, high=high, hint=hint)
    _REGISTRY[spec.id] = spec
    record(QUESTION + spec.id, spec.to_dict(), show=False)
    return spec


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, Mapping):
        return f"a dict of {len(value)} items"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, numbers.Real):
        return f"{float(value):.6g}"
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"an array of shape {tuple(shape)}"
    return f"a {type(value).__name__}"


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        shape = getattr(value, "shape", None)
        if shape == () and hasattr(value, "item"):  # a 0-d numpy array
            return _as_number(value.item())
        return None
    return float(value)


def _as_vector(value: Any) -> list[float] | None:
    if isinstance(value, (str, bytes, Mapping)) or _as_number(value) is not None:
        return None
    try:
        items = list(value.tolist() if hasattr(value, "tolist") else value)
    except TypeError:
        return None
    numbers_ = [_as_number(v) for v in items]
    return None if any(v is None for v in numbers_) else numbers_  # type: ignore[return-value]


def _sign_ok(x: float, sign: str | None) -> bool:
    return {
        None: True,
        "positive": x > 0,
        "negative": x < 0,
        "nonnegative": x >= 0,
        "nonpositive": x <= 0,
    }[sign]


def problem(spec: Question, value: Any) -> str | None:
    """What the public checks find wrong with ``value`` (one phrase), or None.

    The checks never look at the reference answer.

    Parameters
    ----------
    spec : Question
        The question, with its public checks.
    value : object
        The student's answer.

    Returns
    -------
    str or None
        A phrase such as ``"the answer should be positive, and yours is -2.5"``, or
        ``None`` when every public check passes.

    Examples
    --------
    >>> problem(_make_question("q1", sign="positive"), -2.5)
    'the answer should be positive, and yours is -2.5'
    >>> problem(_make_question("q2", kind="choice", choices=["a", "b"]), "a") is None
    True
    >>> problem(Question("q3", kind="vector", length=2), [1.0, 2.0, 3.0])
    'the answer should hold 2 numbers; yours holds 3'
    >>> problem(Question("q4", kind="integer"), "12")
    "the answer should be a single number; yours is '12'"
    """
    if value is None:
        return "there is no answer yet (pass your answer as the second argument)"
    if spec.kind == "choice":
        if not isinstance(value, str):
            return f"the answer should be one of {_options(spec.choices)} (a string); yours is {_describe(value)}"
        if value.strip().lower() not in {c.lower() for c in spec.choices or ()}:
            return f"the answer should be one of {_options(spec.choices)}; yours is {_describe(value)}"
        return None
    if spec.kind == "vector":
        vec = _as_vector(value)
        if vec is None:
            return f"the answer should be a list of numbers; yours is {_describe(value)}"
        if spec.length is not None and len(vec) != spec.length:
            return f"the answer should hold {spec.length} numbers; yours holds {len(vec)}"
        xs = vec
    else:
        x = _as_number(value)
        if x is None:
            return f"the answer should be a single number; yours is {_describe(value)}"
        if spec.kind == "integer" and (not math.isfinite(x) or x != int(x)):
            return f"the answer should be a whole number; yours is {_describe(value)}"
        xs = [x]
    for x in xs:
        if not math.isfinite(x):
            return f"the answer should be finite; yours contains {x}"
        if not _sign_ok(x, spec.sign):
            return f"the answer should be {spec.sign}, and yours is {_describe(x)}" if len(xs) == 1 else \
                f"every number should be {spec.sign}; yours include {_describe(x)}"
        if (spec.low is not None and x < spec.low) or (spec.high is not None and x > spec.high):
            return f"the answer should lie {_range(spec)}; yours is {_describe(x)}" if len(xs) == 1 else \
                f"every number should lie {_range(spec)}; yours include {_describe(x)}"
    return None


def _options(choices: Sequence[str] | None) -> str:
    items = [repr(c) for c in choices or ()]
    return ", ".join(items[:-1]) + f" or {items[-1]}" if len(items) > 1 else "".join(items)


def _range(spec: Question) -> str:
    if spec.low is not None and spec.high is not None:
        return f"between {spec.low:g} and {spec.high:g}"
    return f"at least {spec.low:g}" if spec.low is not None else f"at most {spec.high:g}"


def message(spec: Question | None, qid: str, value: Any) -> tuple[bool, str]:
    """The one-sentence verdict of the public checks: ``(passed, sentence)``.

    :func:`check` prints the sentence; the grader puts it in the feedback.

    Parameters
    ----------
    spec : Question or None
        The question; ``None`` when it has not been declared.
    qid : str
        The question's id, which starts the sentence.
    value : object
        The student's answer.

    Returns
    -------
    tuple of (bool, str)

    Examples
    --------
    >>> q = Question("q1", sign="positive", hint="Divide revenue by customers.")
    >>> message(q, "q1", 2.0)
    (True, 'q1: public checks passed: your answer will be graded against your own data.')
    >>> message(q, "q1", -2.0)
    (False, 'q1: not yet: the answer should be positive, and yours is -2. Hint: Divide revenue by customers.')
    >>> message(None, "q9", 1.0)
    (False, "q9: I don't know this question yet: run the cell that declares it (exercises.question('q9', ...)) first, then check again.")
    """
    if spec is None:
        return False, (f"{qid}: I don't know this question yet: run the cell that declares it "
                       f"(exercises.question({qid!r}, ...)) first, then check again.")
    found = problem(spec, value)
    if found is None:
        return True, f"{qid}: {PASSED}."
    hint = f" Hint: {spec.hint}" if spec.hint else ""
    return False, f"{qid}: not yet: {found}.{hint}"


def check(qid: str, value: Any) -> bool:
    """Run the public checks of question ``qid`` on ``value``; print one kind sentence.

    Returns True when they pass.  Passing says the answer is worth submitting, not
    that it is right: it is graded against the reference answer from your own data.
    Unlike :func:`answer`, nothing is recorded.

    Parameters
    ----------
    qid : str
        The id given to :func:`question`.
    value : object
        The answer to check.

    Returns
    -------
    bool

    Examples
    --------
    >>> q = question("q1", sign="positive", hint="Divide revenue by customers.")
    >>> check("q1", 12.5)
    q1: public checks passed: your answer will be graded against your own data.
    True
    >>> check("q1", [12.5])
    q1: not yet: the answer should be a single number; yours is a list of 1 items. Hint: Divide revenue by customers.
    False
    """
    qid = _check_id(qid)
    passed, sentence = message(_REGISTRY.get(qid), qid, value)
    print(sentence)
    return passed


def answer(qid: str, value: Any) -> None:
    """Record ``value`` as the answer to ``qid`` and run the public checks on it.

    The last answer recorded for an id is the one graded.  Returns nothing, so that
    ``exercises.answer(...)`` as the last line of a cell shows only the check's sentence,
    not an ``Out[n]:`` echo of the value.

    Parameters
    ----------
    qid : str
        The id given to :func:`question`.
    value : object
        The answer; anything :func:`cxlib.records.to_json` accepts.

    Examples
    --------
    Declare the question, then answer it; the check's sentence is printed:

    >>> q = question("q1", points=2, rtol=0.01, sign="positive", hint="Fit revenue on loyalty alone.")
    >>> answer("q1", 1.84)
    q1: public checks passed: your answer will be graded against your own data.
    >>> answer("q1", -0.4)
    q1: not yet: the answer should be positive, and yours is -0.4. Hint: Fit revenue on loyalty alone.

    Both answers are recorded (as ``answer.q1``); the grader takes the last.
    """
    qid = _check_id(qid)
    record(ANSWER + qid, to_json(value, _where=f"answer to {qid!r}"), show=False)
    check(qid, value)


# ---------------------------------------------------------------------------
# Grading helpers (pure: used outside any student kernel)
# ---------------------------------------------------------------------------


def questions_from_records(records: Mapping[str, Any]) -> dict[str, Question]:
    """The questions declared in an executed notebook's records, in order.

    Parameters
    ----------
    records : mapping
        ``{name: value}``, as :func:`cxlib.records.read_records` returns it.

    Returns
    -------
    dict of str to Question
        By question id.

    Examples
    --------
    >>> records = {
    ...     "question.q1": Question("q1", points=2.0, sign="positive").to_dict(),
    ...     "slope": 1.84,
    ...     "answer.q1": 1.84,
    ... }
    >>> questions = questions_from_records(records)
    >>> list(questions), questions["q1"].points, questions["q1"].sign
    (['q1'], 2.0, 'positive')
    """
    return {
        name[len(QUESTION):]: Question.from_dict(value)
        for name, value in records.items()
        if name.startswith(QUESTION) and isinstance(value, Mapping)
    }


def answers_from_records(records: Mapping[str, Any]) -> dict[str, Any]:
    """The answers recorded in an executed notebook, by question id.

    Parameters
    ----------
    records : mapping
        ``{name: value}``, as :func:`cxlib.records.read_records` returns it.

    Returns
    -------
    dict
        ``{question id: answer}``; other records are left out.

    Examples
    --------
    >>> records = {"question.q1": {"id": "q1"}, "slope": 1.84, "answer.q1": 1.84, "answer.q2": "b"}
    >>> answers_from_records(records)
    {'q1': 1.84, 'q2': 'b'}
    """
    return {name[len(ANSWER):]: value for name, value in records.items() if name.startswith(ANSWER)}


def matches(spec: Question, value: Any, reference: Any) -> bool:
    """Whether ``value`` matches the ``reference`` answer within the question's tolerance.

    An answer that fails a public check never matches.

    Parameters
    ----------
    spec : Question
        The question, with its tolerance (``rtol``, ``atol``).
    value : object
        The student's answer.
    reference : object
        The answer of the reference solution on the student's data.

    Returns
    -------
    bool

    Examples
    --------
    >>> q = _make_question("q1", rtol=0.01)
    >>> matches(q, 1.005, 1.0), matches(q, 1.02, 1.0)
    (True, False)
    >>> v = _make_question("q2", kind="vector", rtol=0.01)
    >>> matches(v, [1.0, 2.0], [1.001, 2.01]), matches(v, [1.0], [1.0, 2.0])
    (True, False)

    Choices match regardless of case and surrounding spaces:

    >>> c = _make_question("q3", kind="choice", choices=["a", "b"])
    >>> matches(c, " B", "b")
    True
    """
    if reference is None or problem(spec, value) is not None:
        return False
    if spec.kind == "choice":
        return isinstance(reference, str) and value.strip().lower() == reference.strip().lower()
    if spec.kind == "vector":
        got, ref = _as_vector(value), _as_vector(reference)
        if got is None or ref is None or len(got) != len(ref):
            return False
        return all(abs(g - r) <= spec.atol + spec.rtol * abs(r) for g, r in zip(got, ref))
    got, ref = _as_number(value), _as_number(reference)
    if got is None or ref is None:
        return False
    return abs(got - ref) <= spec.atol + spec.rtol * abs(ref)


# ---------------------------------------------------------------------------
# Instructors: student versions from sources
# ---------------------------------------------------------------------------

_BEGIN = re.compile(r"^(\s*)#\s*BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*#\s*END SOLUTION\s*$")
MARKDOWN_STUB = "_Write your answer here._"


def _strip_solutions(source: str, where: str) -> str:
    out: list[str] = []
    inside = False
    for n, line in enumerate(source.splitlines(), 1):
        begin = _BEGIN.match(line)
        if begin:
            if inside:
                raise ValueError(f"{where}, line {n}: '# BEGIN SOLUTION' inside another solution region")
            inside = True
            indent = begin.group(1)
            out.append(f"{indent}# write your answer here (what the lines below use), then delete the next line")
            out.append(f"{indent}{STUB}")
        elif _END.match(line):
            if not inside:
                raise ValueError(f"{where}, line {n}: '# END SOLUTION' without a '# BEGIN SOLUTION' before it")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: '# BEGIN SOLUTION' is never closed by '# END SOLUTION'")
    return "\n".join(out)


def build(source: str | os.PathLike) -> str:
    """The student version of an exercise source, as notebook JSON text.

    Code between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` becomes a stub that raises
    ``NotImplementedError("write your answer here")``; markdown cells tagged
    ``solution`` become a prompt to write; cells tagged ``hidden`` are removed; outputs
    and execution counts are cleared.  The result depends only on the source, so a
    committed student version can be checked for staleness by rebuilding it.

    Parameters
    ----------
    source : path
        The exercise source (``.ipynb``), with solutions.

    Returns
    -------
    str
        The student version, to write to ``exercises/student/``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    >>> source = pathlib.Path(tempfile.mkdtemp()) / "01_mean.ipynb"
    >>> nbformat.write(new_notebook(cells=[
    ...     new_code_cell('revenue = [10.0, 14.0]\\nexercises.question("q1", sign="positive")'),
    ...     new_code_cell("# BEGIN SOLUTION\\nmean = sum(revenue) / len(revenue)\\n# END SOLUTION\\n"
    ...                   'exercises.answer("q1", mean)'),
    ...     new_markdown_cell("The mean is 12.", metadata={"tags": ["solution"]}),
    ...     new_markdown_cell("Instructor notes.", metadata={"tags": ["hidden"]}),
    ... ]), source)
    >>> student = nbformat.reads(build(source), as_version=4)
    >>> for cell in student.cells:
    ...     print(cell.source, end="\\n---\\n")
    revenue = [10.0, 14.0]
    exercises.question("q1", sign="positive")
    ---
    # write your answer here (what the lines below use), then delete the next line
    raise NotImplementedError("write your answer here")
    exercises.answer("q1", mean)
    ---
    _Write your answer here._
    ---
    """
    import nbformat

    path = Path(source)
    nb = nbformat.read(path, as_version=4)
    cells = []
    for i, cell in enumerate(nb.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "hidden" in tags:
            continue
        if cell.cell_type == "code":
            cell.source = _strip_solutions(cell.source, f"{path.name}, cell {i}")
            cell.outputs = []
            cell.execution_count = None
        elif "solution" in tags:
            cell.source = MARKDOWN_STUB
        cell.metadata.pop("execution", None)
        if "tags" in cell.metadata:
            kept = [t for t in cell.metadata["tags"] if t not in ("solution", "hidden")]
            if kept:
                cell.metadata["tags"] = kept
            else:
                del cell.metadata["tags"]
        cells.append(cell)
    nb.cells = cells
    nb.metadata.get("cxcourse", {}).pop("instructor", None)
    return nbformat.writes(nb) + "\n"


def build_all(source_dir: str | os.PathLike, student_dir: str | os.PathLike, *, check_only: bool = False) -> list[Path]:
    """Build every ``NN_topic.ipynb`` of ``source_dir`` into ``student_dir``.

    Returns the student files written, or with ``check_only=True`` those that are
    missing or stale (nothing is written).  A student version that is already up to
    date is left alone.  ``cx exercises build`` calls this.

    Parameters
    ----------
    source_dir : path
        The folder of exercise sources (``exercises/source``).
    student_dir : path
        Where the student versions go (``exercises/student``), created if needed.
    check_only : bool, default False
        Only report what would change.

    Returns
    -------
    list of pathlib.Path

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> course = pathlib.Path(tempfile.mkdtemp())
    >>> (course / "source").mkdir()
    >>> for name in ["01_mean.ipynb", "02_median.ipynb"]:
    ...     nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), course / "source" / name)
    >>> [p.name for p in build_all(course / "source", course / "student", check_only=True)]
    ['01_mean.ipynb', '02_median.ipynb']
    >>> [p.name for p in build_all(course / "source", course / "student")]
    ['01_mean.ipynb', '02_median.ipynb']
    >>> build_all(course / "source", course / "student", check_only=True)
    []
    """
    from cxlib._io import atomic_write

    source_dir, student_dir = Path(source_dir), Path(student_dir)
    sources = sorted(source_dir.glob("[0-9][0-9]_*.ipynb"))
    if not sources:
        raise FileNotFoundError(f"no exercise sources (NN_topic.ipynb) in {str(source_dir)!r}")
    changed = []
    for src in sources:
        target = student_dir / src.name
        text = build(src)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        changed.append(target)
        if not check_only:
            student_dir.mkdir(parents=True, exist_ok=True)
            atomic_write(target, text)
    return changed


# ---------------------------------------------------------------------------
# Instructors: personalised copies
# ---------------------------------------------------------------------------

_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")


def student_seed(secret: bytes, student_id: str) -> int:
    """The seed of one student: an HMAC of the student id under the course secret.

    Without the secret, one student's seed tells nothing about another's.

    Parameters
    ----------
    secret : bytes
        The course secret (:func:`read_secret`).
    student_id : str
        The student's id, as in the roster.

    Returns
    -------
    int
        A seed between 0 and 2**31 - 2; the same for the same secret and id.

    Examples
    --------
    >>> student_seed(b"course secret", "ada")
    84252758
    >>> student_seed(b"course secret", "ada") == student_seed(b"course secret", "ada")
    True
    >>> student_seed(b"course secret", "ada") != student_seed(b"course secret", "bob")
    True
    """
    digest = hmac.new(secret, student_id.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") % (2**31 - 1)


def read_secret(path: str | os.PathLike, *, create: bool = False) -> bytes:
    """Read the course secret (any text, at least 16 characters) from ``path``.

    With ``create=True`` a missing file is created with a fresh random secret,
    readable by its owner only.

    Parameters
    ----------
    path : path
        The secret file (``.cx-secret`` by default in ``cx assign``).
    create : bool, default False
        Create a missing file instead of raising ``FileNotFoundError``.

    Returns
    -------
    bytes
        The secret, without surrounding whitespace.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / ".cx-secret"
    >>> secret = read_secret(path, create=True)
    >>> len(secret), oct(path.stat().st_mode & 0o777)
    (64, '0o600')
    >>> read_secret(path) == secret
    True
    >>> read_secret(path.with_name("elsewhere"))
    Traceback (most recent call last):
    ...
    FileNotFoundError: secret file '...elsewhere' does not exist; use the file that `cx assign` wrote ...
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise FileNotFoundError(
                f"secret file {str(path)!r} does not exist; use the file that `cx assign` wrote "
                "(seeds come from it, so grading needs the same secret)"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    secret = path.read_bytes().strip()
    if len(secret) < 16:
        raise ValueError(f"secret file {str(path)!r} holds {len(secret)} characters; use at least 16")
    return secret


def read_roster(path: str | os.PathLike) -> list[dict[str, str]]:
    """Read a roster CSV: one row per student, a ``student_id`` column, others kept.

    Ids must be unique and use letters, digits and ``. _ @ + -`` only (at most 64
    characters), since they become part of file names.

    Parameters
    ----------
    path : path
        The CSV file.

    Returns
    -------
    list of dict
        One ``{column: text}`` per student, in file order.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> roster = pathlib.Path(tempfile.mkdtemp()) / "roster.csv"
    >>> _ = roster.write_text("student_id,name\\nada,Ada Lovelace\\nbob,Bob Moog\\n")
    >>> read_roster(roster)
    [{'student_id': 'ada', 'name': 'Ada Lovelace'}, {'student_id': 'bob', 'name': 'Bob Moog'}]
    >>> _ = roster.write_text("student_id\\nada\\nada\\n")
    >>> read_roster(roster)
    Traceback (most recent call last):
    ...
    ValueError: roster '...roster.csv', line 3: student_id 'ada' appears twice
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"roster {str(path)!r} does not exist")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "student_id" not in reader.fieldnames:
            raise ValueError(
                f"roster {str(path)!r} needs a 'student_id' column; its columns are {reader.fieldnames or []}"
            )
        rows = [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    seen: set[str] = set()
    for n, row in enumerate(rows, 2):
        sid = row["student_id"]
        if not _STUDENT_ID.match(sid):
            raise ValueError(
                f"roster {str(path)!r}, line {n}: student_id {sid!r} is not valid (use letters, digits "
                "and . _ @ + -, at most 64 characters, starting with a letter or digit)"
            )
        if sid in seen:
            raise ValueError(f"roster {str(path)!r}, line {n}: student_id {sid!r} appears twice")
        seen.add(sid)
    if not rows:
        raise ValueError(f"roster {str(path)!r} lists no students")
    return rows


def submission_name(source: str | os.PathLike, student_id: str) -> str:
    """The file name of a student's copy (and of the submission): ``NN_topic-<id>.ipynb``.

    Examples
    --------
    >>> submission_name("exercises/source/02_loyalty_and_revenue.ipynb", "ada")
    '02_loyalty_and_revenue-ada.ipynb'
    """
    return f"{Path(source).stem}-{student_id}.ipynb"


def inject_seed(nb: Any, seed: int) -> Any:
    """Inject ``seed`` with papermill (prepare only, no kernel), after the ``parameters`` cell.

    A cell papermill injected earlier is replaced; without a ``parameters`` cell the
    seed goes first.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook; it may be changed in place (see :func:`personalise` for a copy).
    seed : int
        The student's seed.

    Returns
    -------
    nbformat.NotebookNode
        The notebook with the injected cell (tagged ``injected-parameters``).

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> nb = new_notebook(cells=[
    ...     new_code_cell("seed: int = 0  # your personal seed", metadata={"tags": ["parameters"]}),
    ...     new_code_cell("print(seed)"),
    ... ])
    >>> nb = inject_seed(inject_seed(nb, 42), 7)
    >>> [cell.source for cell in nb.cells]
    ['seed: int = 0  # your personal seed', '# Parameters\\nseed = 7\\n', 'print(seed)']
    >>> nb.cells[1].metadata.tags
    ['injected-parameters']
    """
    from papermill.parameterize import parameterize_notebook

    nb.metadata.setdefault("papermill", {})  # papermill expects what its own reader adds
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    nb = parameterize_notebook(nb, {"seed": int(seed)}, kernel_name="python3", language="python",
                               report_mode=False)
    for cell in nb.cells:
        if not cell.metadata.get("tags"):
            cell.metadata.pop("tags", None)
    return nb


def personalise(student: Any, seed: int, *, name: str = "notebook") -> Any:
    """A copy of the student version ``student`` (a parsed notebook, left unchanged)
    with ``seed`` injected (see :func:`inject_seed`).

    Parameters
    ----------
    student : nbformat.NotebookNode
        The student version, with a cell tagged ``parameters``.
    seed : int
        The student's seed (:func:`student_seed`).
    name : str
        The notebook's name, for the message.

    Returns
    -------
    nbformat.NotebookNode

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> student = new_notebook(cells=[
    ...     new_code_cell("seed: int = 0  # your personal seed", metadata={"tags": ["parameters"]}),
    ...     new_code_cell("print(seed)"),
    ... ])
    >>> copy = personalise(student, 42)
    >>> [cell.source for cell in copy.cells]
    ['seed: int = 0  # your personal seed', '# Parameters\\nseed = 42\\n', 'print(seed)']
    >>> len(student.cells)
    2
    >>> personalise(new_notebook(cells=[new_code_cell("x = 1")]), 42, name="01_mean.ipynb")
    Traceback (most recent call last):
    ...
    ValueError: 01_mean.ipynb has no cell tagged 'parameters', so no seed can be injected
    """
    import copy

    if not any("parameters" in c.metadata.get("tags", []) for c in student.cells):
        raise ValueError(f"{name} has no cell tagged 'parameters', so no seed can be injected")
    return inject_seed(copy.deepcopy(student), seed)


def assign(
    source: str | os.PathLike,
    roster: str | os.PathLike,
    out: str | os.PathLike,
    *,
    secret_file: str | os.PathLike,
) -> list[dict[str, Any]]:
    """Write one personalised student notebook per roster row, and ``manifest.csv``.

    Each copy is the student version of ``source`` (:func:`build`) with that student's
    seed injected by papermill.  Returns the manifest rows (``student_id``, the roster's
    other columns, ``seed``, ``file``).  ``cx assign`` calls this.

    Parameters
    ----------
    source : path
        The exercise source, with solutions.
    roster : path
        The roster CSV (:func:`read_roster`).
    out : path
        The folder for the copies and ``manifest.csv``, created if needed.
    secret_file : path
        The course secret (:func:`read_secret`), created if missing; keep it for
        grading.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nbformat.write(new_notebook(cells=[
    ...     new_code_cell("seed: int = 0  # your personal seed", metadata={"tags": ["parameters"]}),
    ...     new_code_cell("# BEGIN SOLUTION\\nanswer = seed % 7\\n# END SOLUTION"),
    ... ]), folder / "01_mean.ipynb")
    >>> _ = (folder / "roster.csv").write_text("student_id,name\\nada,Ada Lovelace\\nbob,Bob Moog\\n")
    >>> _ = (folder / "secret").write_text("a course secret of at least 16 characters\\n")
    >>> manifest = assign(folder / "01_mean.ipynb", folder / "roster.csv", folder / "handout",
    ...                   secret_file=folder / "secret")
    >>> manifest[0]
    {'student_id': 'ada', 'name': 'Ada Lovelace', 'seed': 328663820, 'file': '01_mean-ada.ipynb'}
    >>> sorted(p.name for p in (folder / "handout").iterdir())
    ['01_mean-ada.ipynb', '01_mean-bob.ipynb', 'manifest.csv']
    >>> copy = nbformat.read(folder / "handout" / "01_mean-ada.ipynb", as_version=4)
    >>> copy.cells[1].source
    '# Parameters\\nseed = 328663820\\n'
    """
    import nbformat

    from cxlib._io import atomic_write, atomic_write_csv

    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(f"source {str(source)!r} does not exist")
    rows = read_roster(roster)
    secret = read_secret(secret_file, create=True)
    student = nbformat.reads(build(source), as_version=4)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for row in rows:
        seed = student_seed(secret, row["student_id"])
        nb = personalise(student, seed, name=source.name)
        name = submission_name(source, row["student_id"])
        atomic_write(out / name, nbformat.writes(nb) + "\n")
        manifest.append({**row, "seed": seed, "file": name})
    atomic_write_csv(out / "manifest.csv", list(dict.fromkeys(k for row in manifest for k in row)), manifest)
    return manifest
