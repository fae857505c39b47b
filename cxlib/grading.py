"""Grade a folder of exercise submissions: sandboxed runs, trusted references, atomic results.

``cx grade SOURCE SUBMISSIONS --roster ROSTER.csv --out DIR`` (and :func:`grade`):

1. **Match** each ``.ipynb`` under SUBMISSIONS to a roster student (see
   :func:`match_submissions`); students without a submission are graded ``missing``,
   files matching no student are listed in ``DIR/unmatched.txt`` and printed.
2. **Prepare** each submission outside any kernel: parse it (invalid JSON is an
   ``error``), clear its stored outputs, restore the source's kernel, drop any seed
   cell it carries and inject the student's own seed (derived from the course secret),
   so a student cannot choose their data.
3. **Run** it inside the bubblewrap sandbox (:mod:`cxlib.sandbox`) under limits on
   wall time, CPU, memory, processes and output; every cell runs, also after one fails.
4. **Grade** outside the sandbox: read the answers the run recorded (by question id,
   the last one wins) and compare them, with each question's tolerance, with the
   reference answers of the *source* run with solutions at the same seed (trusted,
   not sandboxed, cached per seed in ``DIR/references/``).  Nothing a submission
   outputs is executed or trusted beyond being a recorded value.
5. **Write** ``DIR/grades.csv`` (one row per roster student: points per question,
   ``total``, ``max_points``, ``status``, ``reason``, ``file``) after every graded
   submission, atomically; ``DIR/feedback/<student_id>.md`` for each student;
   ``DIR/runs/<student_id>.ipynb`` the executed submission (for the instructor).

``status`` is ``ok`` (the notebook ran through), ``error`` (a cell raised, or the file
is not a notebook), ``timeout``, ``memory`` or ``missing``.  Points are given for every
recorded answer that matches, whatever the status: a student whose last cell loops
forever keeps the marks of the answers before it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxlib import exercises
from cxlib._io import atomic_write, atomic_write_csv

__all__ = ["Submission", "match_submissions", "prepare", "references", "grade", "GradeReport"]

STATUSES = ("ok", "error", "timeout", "memory", "missing")
#: Submissions bigger than this are not read (a notebook of exercises is a few hundred KB).
MAX_SUBMISSION_BYTES = 20 * 2**20


# ---------------------------------------------------------------------------
# Matching submissions to students
# ---------------------------------------------------------------------------


@dataclass
class Submission:
    """One roster student's submission: the file to grade (None when missing) and a note.

    :func:`match_submissions` makes one per student; the note says when other files
    of the same student were passed over.

    Examples
    --------
    >>> from pathlib import Path
    >>> sub = Submission("ada", Path("submissions/02_loyalty_and_revenue-ada.ipynb"))
    >>> sub.student_id, sub.path.name, sub.note
    ('ada', '02_loyalty_and_revenue-ada.ipynb', '')
    >>> Submission("bob", None)
    Submission(student_id='bob', path=None, note='')
    """

    student_id: str
    path: Path | None
    note: str = ""


def _candidates(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*.ipynb")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def match_submissions(folder: str | os.PathLike, student_ids: Sequence[str]) -> tuple[dict[str, Submission], list[Path]]:
    """Match the notebooks under ``folder`` to students.

    A file belongs to student ``S`` when its name (without ``.ipynb``) is ``S`` or ends
    with ``-S`` (``cx assign`` names copies ``NN_topic-S.ipynb``), or when it lies in a
    folder named ``S`` (as many learning platforms download them).  The longest
    matching id wins.  Folders and files starting with ``.`` (such as
    ``.ipynb_checkpoints``) are skipped.  When a student has several files, the most
    recently modified is graded and the others are named in the submission's note.

    Returns
    -------
    (dict, list)
        ``{student_id: Submission}`` for every student (``path`` None when missing) and
        the files that match no student.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ["02_loyalty-ada.ipynb", "bob/homework.ipynb", "cy.ipynb", "late/02_loyalty-cy.ipynb",
    ...              "notes.ipynb", ".ipynb_checkpoints/02_loyalty-ada-checkpoint.ipynb"]:
    ...     (folder / name).parent.mkdir(exist_ok=True)
    ...     _ = (folder / name).write_text("{}")
    >>> os.utime(folder / "cy.ipynb", (1_700_000_000, 1_700_000_000))  # cy's first try, a day older
    >>> found, unmatched = match_submissions(folder, ["ada", "bob", "cy", "dee"])
    >>> {sid: sub.path and sub.path.relative_to(folder).as_posix() for sid, sub in found.items()}
    {'ada': '02_loyalty-ada.ipynb', 'bob': 'bob/homework.ipynb', 'cy': 'late/02_loyalty-cy.ipynb', 'dee': None}
    >>> found["cy"].note
    '2 files found; graded the newest, 02_loyalty-cy.ipynb, not cy.ipynb'
    >>> [p.name for p in unmatched]
    ['notes.ipynb']
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions folder {str(folder)!r} does not exist")
    ids = sorted(student_ids, key=len, reverse=True)
    found: dict[str, list[Path]] = {sid: [] for sid in student_ids}
    unmatched = []
    for path in _candidates(folder):
        stem = path.stem
        parents = {p.name for p in path.relative_to(folder).parents}
        sid = next((s for s in ids if stem == s or stem.endswith("-" + s)), None)
        sid = sid or next((s for s in ids if s in parents), None)
        if sid is None:
            unmatched.append(path)
        else:
            found[sid].append(path)
    out = {}
    for sid in student_ids:
        files = sorted(found[sid], key=lambda p: p.stat().st_mtime, reverse=True)
        note = ""
        if len(files) > 1:
            note = f"{len(files)} files found; graded the newest, {files[0].name}, not " + ", ".join(
                str(f.relative_to(folder)) for f in files[1:])
        out[sid] = Submission(sid, files[0] if files else None, note)
    return out, unmatched


# ---------------------------------------------------------------------------
# Preparing a submission (outside any kernel)
# ---------------------------------------------------------------------------


class SubmissionError(ValueError):
    """The submission cannot be run (not a notebook, too big)."""


def prepare(text: str, source_nb: Any, seed: int) -> str:
    """Clean a submission and inject the student's seed; return notebook JSON text.

    Stored outputs and execution counts are cleared, the kernel and language are
    reset to the source's, a previously injected parameters cell is removed, and the
    seed is injected by papermill after the cell tagged ``parameters`` (or at the top
    when the student deleted it).

    Parameters
    ----------
    text : str
        The submitted file's text.
    source_nb : nbformat.NotebookNode
        The exercise source (its kernelspec is used).
    seed : int
        The student's seed (:func:`cxlib.exercises.student_seed`).

    Returns
    -------
    str
        The notebook to run, as JSON text.

    Raises
    ------
    SubmissionError
        A ``ValueError`` when ``text`` is not a notebook.

    Examples
    --------
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook, new_output
    >>> source = new_notebook(cells=[
    ...     new_code_cell("seed: int = 0  # your personal seed", metadata={"tags": ["parameters"]}),
    ...     new_code_cell("answer = 10 + seed % 7"),
    ... ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    >>> submitted = new_notebook(cells=[
    ...     new_code_cell("seed: int = 0  # your personal seed", metadata={"tags": ["parameters"]}),
    ...     new_code_cell("answer = 12", execution_count=3,
    ...                   outputs=[new_output("stream", name="stdout", text="12\\n")]),
    ... ], metadata={"kernelspec": {"name": "my-own-kernel", "display_name": "Mine"}})
    >>> clean = nbformat.reads(prepare(nbformat.writes(submitted), source, 328663820), as_version=4)
    >>> [cell.source for cell in clean.cells]
    ['seed: int = 0  # your personal seed', '# Parameters\\nseed = 328663820\\n', 'answer = 12']
    >>> clean.cells[2].outputs, clean.cells[2].execution_count, clean.metadata.kernelspec["name"]
    ([], None, 'python3')
    >>> prepare("{not a notebook", source, 328663820)
    Traceback (most recent call last):
    ...
    cxlib.grading.SubmissionError: not a valid notebook: ...
    """
    import warnings

    import nbformat

    try:
        with warnings.catch_warnings():  # duplicate cell ids and the like: the cells are rebuilt below
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - anything unreadable is "not a notebook"
        raise SubmissionError(f"not a valid notebook: {str(exc).splitlines()[0][:200]}") from None
    if not isinstance(nb.get("cells"), list):
        raise SubmissionError("not a valid notebook: it has no list of cells")
    cells = []
    for cell in nb.cells:
        if not isinstance(cell, Mapping) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), Mapping) else {}
        tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
        if "injected-parameters" in tags:
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if cell["cell_type"] == "code":
            new = nbformat.v4.new_code_cell(src)
        elif cell["cell_type"] == "markdown":
            new = nbformat.v4.new_markdown_cell(src)
        else:
            new = nbformat.v4.new_raw_cell(src)
        if "parameters" in tags:
            new.metadata["tags"] = ["parameters"]
        cells.append(new)
    clean = nbformat.v4.new_notebook(cells=cells)
    clean.metadata["kernelspec"] = dict(source_nb.metadata.get("kernelspec", {}))
    clean.metadata["language_info"] = {"name": "python"}
    return nbformat.writes(exercises.inject_seed(clean, seed))


# ---------------------------------------------------------------------------
# Reference answers: the source with solutions, at each student's seed
# ---------------------------------------------------------------------------


def _source_key(source: Path) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()[:16]


def references(
    source: str | os.PathLike,
    seeds: Sequence[int],
    cache: str | os.PathLike,
    *,
    jobs: int | None = None,
    timeout: float | None = None,
    progress: bool = True,
) -> dict[int, dict[str, Any]]:
    """Run the source with its solutions at each seed (cached); questions and answers.

    Returns ``{seed: {"questions": {id: Question}, "answers": {id: value}, "status",
    "reason"}}``.  The cache file depends on the source's content, so editing the
    source reruns its references.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> def exercise(answer):
    ...     return new_notebook(cells=[
    ...         new_code_cell("seed: int = 0  # your personal seed", metadata={"tags": ["parameters"]}),
    ...         new_code_cell("from cxlib import exercises\\nexercises.question('q1', points=2, sign='positive')"),
    ...         new_code_cell(f"exercises.answer('q1', {answer})"),
    ...     ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    >>> nbformat.write(exercise("10 + seed % 7"), folder / "01_mean.ipynb")
    >>> refs = references(folder / "01_mean.ipynb", [17], folder / "references")  # runs the source in a Jupyter kernel per seed  # doctest: +SKIP
    >>> refs[17]["status"], refs[17]["answers"], refs[17]["questions"]["q1"]["points"]  # needs the run above  # doctest: +SKIP
    ('ok', {'q1': 13}, 2.0)

    The source must declare ``seed`` as a parameter; that is checked before anything
    runs:

    >>> nbformat.write(new_notebook(cells=[
    ...     new_code_cell("n_customers: int = 500  # customers", metadata={"tags": ["parameters"]}),
    ... ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}),
    ...    folder / "02_noseed.ipynb")
    >>> references(folder / "02_noseed.ipynb", [17], folder / "references")
    Traceback (most recent call last):
    ...
    ValueError: reference run 1 {'seed': 17}: unknown parameter 'seed' for 02_noseed.ipynb; valid parameters
    are n_customers
    """
    from tqdm.auto import tqdm

    from cxlib import batch
    from cxlib.records import read_records

    source = Path(source)
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    key = _source_key(source)
    out: dict[int, dict[str, Any]] = {}
    todo = []
    for seed in sorted(set(seeds)):
        path = cache / f"{source.stem}-{key}-{seed}.json"
        if path.exists():
            out[seed] = json.loads(path.read_text(encoding="utf-8"))
        else:
            todo.append(seed)
    tasks = batch.plan(source, [{"seed": s} for s in todo], where="reference run") if todo else []
    bar = tqdm(total=len(tasks), desc="reference runs", unit="run", disable=not progress or not tasks, file=sys.stderr)
    try:
        for task, outcome in batch.execute_tasks(tasks, jobs=jobs, timeout=timeout):
            seed = task.params["seed"]
            records = read_records(json.loads(outcome["notebook"])) if outcome.get("notebook") else {}
            entry = {
                "status": outcome["status"], "reason": outcome.get("reason"),
                "questions": {k: q.to_dict() for k, q in exercises.questions_from_records(records).items()},
                "answers": exercises.answers_from_records(records),
            }
            if outcome["status"] == "ok":
                atomic_write(cache / f"{source.stem}-{key}-{seed}.json", json.dumps(entry, indent=1) + "\n")
            out[seed] = entry
            bar.update(1)
    finally:
        bar.close()
    return out


# ---------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------


def run_submission(text: str, limits: Any, sandbox: bool, hide: Sequence[str]) -> dict[str, Any]:
    """Worker: run one prepared submission in the sandbox (see :func:`cxlib.sandbox.run_notebook`)."""
    from cxlib.sandbox import run_notebook

    return run_notebook(text, limits, sandbox=sandbox, hide=hide)


def score(questions: Mapping[str, exercises.Question], reference: Mapping[str, Any],
          answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Grade recorded ``answers`` against ``reference`` answers; one row per question."""
    rows = []
    for qid, spec in questions.items():
        given = qid in answers
        value = answers.get(qid)
        problem = exercises.problem(spec, value) if given else None
        ok = given and exercises.matches(spec, value, reference.get(qid))
        if ok:
            result = "matches the answer from your data"
        elif not given:
            result = "no answer recorded"
        elif problem is not None:
            result = f"public checks fail: {problem}"
        else:
            result = "does not match the answer from your data" + _tolerance_text(spec)
        rows.append({"question": qid, "points": spec.points if ok else 0.0, "max": spec.points,
                     "result": result, "hint": "" if ok else spec.hint})
    return rows


def _tolerance_text(spec: exercises.Question) -> str:
    if spec.kind == "choice":
        return ""
    parts = []
    if spec.rtol >= 1e-4:
        parts.append(f"{spec.rtol:.3g} relative" if spec.rtol < 0.01 else f"{spec.rtol * 100:g}%")
    if spec.atol > 0:
        parts.append(f"{spec.atol:g} absolute")
    return f" (within {' + '.join(parts)})" if parts else ""


@dataclass
class GradeReport:
    """What :func:`grade` did: the table and the files that matched no student.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per roster student, as in ``grades.csv``.
    unmatched : list of Path
        Files that match no student.
    out : Path, optional
        The output folder.
    questions : dict
        Points of each question.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "student_id": ["ada", "bob", "cy"], "q1": [2.0, 0.0, 0.0], "total": [2.0, 0.0, 0.0],
    ...     "max_points": [2.0, 2.0, 2.0], "status": ["ok", "ok", "missing"],
    ...     "reason": ["", "", "no submission found"]})
    >>> report = GradeReport(table, questions={"q1": 2.0})
    >>> report.table["total"].tolist(), report.unmatched
    ([2.0, 0.0, 0.0], [])
    >>> print(report.summary())
    3 students: 2 ok, 1 missing
      ada                       2 / 2      ok
      bob                       0 / 2      ok
      cy                        0 / 2      missing  (no submission found)
    full marks per question, of the submissions: q1 1/2
    """

    table: Any
    unmatched: list[Path] = field(default_factory=list)
    out: Path | None = None
    questions: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        t = self.table
        counts = t["status"].value_counts()
        lines = [f"{len(t)} students: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES if s in counts)]
        for row in t.itertuples():
            reason = f"  ({row.reason})" if isinstance(row.reason, str) and row.reason else ""
            lines.append(f"  {row.student_id:<20} {row.total:>6g} / {row.max_points:<6g} {row.status}{reason}")
        submitted = t[t["status"] != "missing"]
        if self.questions and len(submitted):
            parts = [f"{q} {(submitted[q] == pts).sum()}/{len(submitted)}" for q, pts in self.questions.items()
                     if q in submitted]
            lines.append("full marks per question, of the submissions: " + ", ".join(parts))
        if self.unmatched:
            lines.append(f"{len(self.unmatched)} files match no student (listed in unmatched.txt):")
            lines += [f"  {p}" for p in self.unmatched]
        if self.out is not None:
            lines.append(f"grades: {self.out / 'grades.csv'}; feedback: {self.out / 'feedback'}/")
        return "\n".join(lines)


def grade(
    source: str | os.PathLike,
    submissions: str | os.PathLike,
    roster: str | os.PathLike,
    out: str | os.PathLike,
    *,
    secret_file: str | os.PathLike,
    jobs: int | None = None,
    timeout: float = 300.0,
    memory_mb: int = 2048,
    sandbox: bool = True,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> GradeReport:
    """Grade every roster student's submission of ``source`` (see the module docstring).

    Parameters
    ----------
    source : path
        The exercise source (with solutions): the reference answers come from it.
    submissions : path
        Folder of submitted notebooks (matched by :func:`match_submissions`).
    roster : path
        CSV with a ``student_id`` column.
    out : path
        Output folder: ``grades.csv``, ``feedback/``, ``runs/``, ``references/``,
        ``unmatched.txt``.
    secret_file : path
        The course secret used by ``cx assign`` (seeds are derived from it).
    jobs : int, optional
        Submissions run at once (default: CPU cores).
    timeout : float, default 300
        Wall-clock seconds per submission (and per reference run).
    memory_mb : int, default 2048
        Memory (address space) per process of a submission, in MiB.
    sandbox : bool, default True
        False runs submissions without isolation: unsafe for untrusted work.

    Raises
    ------
    cxlib.sandbox.SandboxUnavailable
        With ``sandbox=True`` when bubblewrap is missing or cannot run here.

    Examples
    --------
    A source with one question, a roster of three and two submissions:

    >>> import pathlib, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> def exercise(answer):
    ...     return new_notebook(cells=[
    ...         new_code_cell("seed: int = 0  # your personal seed", metadata={"tags": ["parameters"]}),
    ...         new_code_cell("from cxlib import exercises\\nexercises.question('q1', points=2, sign='positive')"),
    ...         new_code_cell(f"exercises.answer('q1', {answer})"),
    ...     ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    >>> nbformat.write(exercise("10 + seed % 7"), folder / "01_mean.ipynb")
    >>> (folder / "submissions").mkdir()
    >>> nbformat.write(exercise("10 + seed % 7"), folder / "submissions" / "01_mean-ada.ipynb")
    >>> nbformat.write(exercise("-1"), folder / "submissions" / "01_mean-bob.ipynb")
    >>> _ = (folder / "roster.csv").write_text("student_id\\nada\\nbob\\ncy\\n")
    >>> _ = (folder / "secret").write_text("a course secret of at least 16 characters\\n")
    >>> report = grade(folder / "01_mean.ipynb", folder / "submissions", folder / "roster.csv",
    ...                folder / "grades", secret_file=folder / "secret")  # runs each submission in a bubblewrap sandbox  # doctest: +SKIP
    >>> print(report.summary())  # needs the grading above  # doctest: +SKIP
    3 students: 2 ok, 1 missing
      ada                       2 / 2      ok
      bob                       0 / 2      ok
      cy                        0 / 2      missing  (no submission found)
    full marks per question, of the submissions: q1 1/2
    grades: .../grades/grades.csv; feedback: .../grades/feedback/

    Bad settings are refused before anything runs:

    >>> grade(folder / "01_mean.ipynb", folder / "submissions", folder / "roster.csv", folder / "grades",
    ...       secret_file=folder / "secret", memory_mb=100)
    Traceback (most recent call last):
    ...
    ValueError: memory_mb must be an integer >= 256; got 100
    """
    import nbformat
    import pandas as pd
    from tqdm.auto import tqdm

    from cxlib import batch, params
    from cxlib.records import read_records
    from cxlib.sandbox import Limits, check_available

    say = log or print
    timeout = params.real("timeout", timeout, min=0, min_inclusive=False)
    memory_mb = params.integer("memory_mb", memory_mb, min=256)
    sandbox = params.boolean("sandbox", sandbox)
    if sandbox:
        check_available()
    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(f"source {str(source)!r} does not exist")
    source_nb = nbformat.read(source, as_version=4)
    rows = exercises.read_roster(roster)
    secret = exercises.read_secret(secret_file)
    seeds = {r["student_id"]: exercises.student_seed(secret, r["student_id"]) for r in rows}
    matched, unmatched = match_submissions(submissions, list(seeds))
    out = Path(out)
    for sub in ("feedback", "runs"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    atomic_write(out / "unmatched.txt", "".join(f"{p}\n" for p in unmatched))

    present = [sid for sid in seeds if matched[sid].path is not None]
    refs = references(source, [seeds[s] for s in present], out / "references", jobs=jobs, timeout=timeout,
                      progress=progress)
    ref_questions = {seed: {k: exercises.Question.from_dict(v) for k, v in entry["questions"].items()}
                     for seed, entry in refs.items()}
    questions_all: dict[str, exercises.Question] = {}
    for qs in ref_questions.values():
        for qid, q in qs.items():
            questions_all.setdefault(qid, q)
    if not questions_all and present:
        bad = next(iter(refs.values()))
        raise RuntimeError(f"the source {source.name} declared no questions when run at a student's seed "
                           f"({bad['status']}: {bad.get('reason')}); run it with `cx run` to see why")

    table: dict[str, dict[str, Any]] = {}
    roster_rows = {r["student_id"]: r for r in rows}
    extra_cols = [c for c in rows[0] if c != "student_id"]

    def finish(sid: str, status: str, reason: str | None, notebook: str | None) -> None:
        sub = matched[sid]
        ref = refs.get(seeds[sid]) if sub.path is not None else None
        qs = (ref_questions.get(seeds[sid]) if ref is not None else None) or questions_all
        answers: dict[str, Any] = {}
        if notebook:
            try:
                answers = exercises.answers_from_records(read_records(json.loads(notebook)))
            except (ValueError, TypeError):
                answers = {}
        if ref is not None and ref["status"] != "ok":
            status, reason = "error", f"the reference solution failed at this seed: {ref.get('reason')}"
        scored = score(qs, (ref or {}).get("answers", {}), answers)
        reasons = [r for r in (reason, sub.note) if r]
        row = {"student_id": sid, **{c: roster_rows[sid].get(c, "") for c in extra_cols}}
        row.update({s["question"]: s["points"] for s in scored})
        row.update(total=sum(s["points"] for s in scored), max_points=sum(s["max"] for s in scored),
                   status=status, reason="; ".join(reasons), seed=seeds[sid],
                   file=str(sub.path.relative_to(submissions)) if sub.path is not None else "")
        table[sid] = row
        atomic_write(out / "feedback" / f"{sid}.md", _feedback(source.stem, sid, row, scored))
        if notebook:
            atomic_write(out / "runs" / f"{sid}.ipynb", notebook)
        _write_grades(out, [table[s] for s in seeds if s in table], list(questions_all), extra_cols)

    calls, whose = [], []
    limits = Limits(timeout=timeout, memory_mb=memory_mb)
    hide = [str(p) for p in (source.resolve(), Path(secret_file).resolve(), Path(submissions).resolve(),
                             out.resolve(), Path(roster).resolve())]
    for sid in seeds:
        sub = matched[sid]
        if sub.path is None:
            finish(sid, "missing", "no submission found", None)
            continue
        try:
            if sub.path.stat().st_size > MAX_SUBMISSION_BYTES:
                raise SubmissionError(f"the file is larger than {MAX_SUBMISSION_BYTES // 2**20} MB")
            text = prepare(sub.path.read_text(encoding="utf-8", errors="replace"), source_nb, seeds[sid])
        except SubmissionError as exc:
            finish(sid, "error", str(exc), None)
            continue
        calls.append((run_submission, (text, limits, sandbox, hide)))
        whose.append(sid)
    bar = tqdm(total=len(calls), desc="grading", unit="submission", disable=not progress or not calls,
               file=sys.stderr)
    try:
        for i, outcome in batch.map_calls(calls, jobs=jobs):
            status = outcome["status"] if outcome["status"] in STATUSES else "error"
            finish(whose[i], status, outcome.get("reason"), outcome.get("notebook"))
            bar.update(1)
            if not progress:
                say(f"graded {whose[i]}: {status}")
    finally:
        bar.close()
    final = pd.DataFrame([table[s] for s in seeds])
    return GradeReport(final, unmatched, out, {q: spec.points for q, spec in questions_all.items()})


def _write_grades(out: Path, rows: list[dict[str, Any]], qids: list[str], extra: list[str]) -> None:
    columns = ["student_id", *extra, *qids, "total", "max_points", "status", "reason", "seed", "file"]
    atomic_write_csv(out / "grades.csv", columns, ({c: row.get(c, 0.0 if c in qids else "") for c in columns}
                                                   for row in rows))


def _feedback(name: str, sid: str, row: Mapping[str, Any], scored: list[dict[str, Any]]) -> str:
    status_text = {
        "ok": "your notebook ran from top to bottom",
        "error": "your notebook did not run cleanly",
        "timeout": "your notebook ran out of time",
        "memory": "your notebook ran out of memory",
        "missing": "no submission was found for you",
    }[row["status"]]
    lines = [
        f"# Feedback on {name}: {sid}",
        "",
        f"**{row['total']:g} of {row['max_points']:g} points.** Run: {status_text}"
        + (f" ({row['reason']})." if row.get("reason") else "."),
        "",
        "Each answer was compared with the answer computed from *your own* data (your seed).",
    ]
    if row["status"] in ("error", "timeout", "memory"):
        lines.append("Every cell was run even after a failing one, so answers recorded elsewhere still count.")
    lines += ["", "| question | points | result | hint |", "| --- | --- | --- | --- |"]
    for s in scored:
        cell = lambda t: str(t).replace("|", "\\|").replace("\n", " ")  # noqa: E731
        lines.append(f"| {s['question']} | {s['points']:g} / {s['max']:g} | {cell(s['result'])} | {cell(s['hint'])} |")
    return "\n".join(lines) + "\n"
