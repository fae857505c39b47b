"""cxlib.exercises: public checks, recorded answers, student versions, personalised copies."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from conftest import ROOT, answer_student_copy
from cxlib import exercises
from cxlib.exercises import PASSED, _make_question, build, matches, problem
from cxlib.records import read_records

SOURCES = sorted((ROOT / "exercises" / "source").glob("[0-9][0-9]_*.ipynb"))
CX = str(Path(sys.executable).with_name("cx"))


# ---------------------------------------------------------------------------- questions


@pytest.mark.parametrize(
    ("kwargs", "value", "expected"),
    [
        ({"sign": "positive"}, -2.5, "the answer should be positive, and yours is -2.5"),
        ({}, [1, 2], "the answer should be a single number; yours is a list of 2 items"),
        ({}, "3.2", "the answer should be a single number; yours is '3.2'"),
        ({}, True, "the answer should be a single number; yours is True"),
        ({}, float("nan"), "the answer should be finite; yours contains nan"),
        ({"low": 0, "high": 1}, 3.0, "the answer should lie between 0 and 1; yours is 3"),
        ({"low": 0}, -1.0, "the answer should lie at least 0; yours is -1"),
        ({"kind": "integer"}, 2.5, "the answer should be a whole number; yours is 2.5"),
        ({"kind": "vector", "length": 2}, [1.0, 2.0, 3.0], "the answer should hold 2 numbers; yours holds 3"),
        ({"kind": "vector"}, "12", "the answer should be a list of numbers; yours is '12'"),
        ({"kind": "vector", "sign": "nonnegative"}, [1.0, -2.0], "every number should be nonnegative; yours include -2"),
        ({"kind": "choice", "choices": ["a", "b"]}, "c", "the answer should be one of 'a' or 'b'; yours is 'c'"),
        ({"kind": "choice", "choices": ["a", "b"]}, 1, "the answer should be one of 'a' or 'b' (a string); yours is 1"),
        ({}, None, "there is no answer yet (pass your answer as the second argument)"),
    ],
)
def test_public_checks_name_what_is_wrong(kwargs, value, expected):
    assert problem(_make_question("q1", **kwargs), value) == expected


@pytest.mark.parametrize(
    ("kwargs", "value"),
    [
        ({"sign": "positive", "low": 0, "high": 10}, 2.5),
        ({}, np.float64(-1.5)),
        ({}, np.array(3.0)),
        ({"kind": "integer"}, 4.0),
        ({"kind": "integer"}, np.int64(4)),
        ({"kind": "vector", "length": 3}, np.array([1.0, 2.0, 3.0])),
        ({"kind": "vector"}, (1, 2)),
        ({"kind": "choice", "choices": ["a", "b"]}, " B "),
    ],
)
def test_public_checks_accept_good_values(kwargs, value):
    assert problem(_make_question("q1", **kwargs), value) is None


def test_matches_uses_the_tolerance_and_never_public_failures():
    q = _make_question("q1", rtol=0.01, atol=0.5)
    assert matches(q, 100.0 + 1.5, 100.0)  # 0.5 + 0.01 * 100 = 1.5
    assert not matches(q, 100.0 + 1.6, 100.0)
    assert matches(q, 0.4, 0.0) and not matches(q, 0.6, 0.0)
    assert not matches(q, "100", 100.0)  # fails the public checks: never a match
    assert not matches(q, 1.0, None)  # no reference: no match
    v = _make_question("q2", kind="vector", rtol=1e-6)
    assert matches(v, [1.0, 2.0], [1.0, 2.0]) and not matches(v, [1.0, 2.0], [1.0, 2.1])
    assert not matches(v, [1.0], [1.0, 2.0])
    c = _make_question("q3", kind="choice", choices=["a", "b"])
    assert matches(c, "A", "a") and not matches(c, "b", "a")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "text"}, "kind"),
        ({"points": -1}, "points"),
        ({"rtol": -0.1}, "rtol"),
        ({"sign": "up"}, "sign"),
        ({"low": 2, "high": 1}, "low must not exceed high"),
        ({"kind": "choice"}, "choices must list at least two"),
        ({"kind": "choice", "choices": ["a", ""]}, "choices must be non-empty strings"),
        ({"choices": ["a", "b"]}, "choices only apply to kind='choice'"),
        ({"length": 2}, "length only applies to kind='vector'"),
        ({"hint": 3}, "hint must be a string"),
    ],
)
def test_bad_question_declarations_fail_clearly(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        _make_question("q1", **kwargs)


@pytest.mark.parametrize("qid", ["", "1q", "q 1", "q-1", None, "x" * 33])
def test_bad_question_ids_fail_clearly(qid):
    with pytest.raises(ValueError, match="question id must be a short name"):
        exercises.answer(qid, 1.0)


def test_check_says_passed_never_correct_and_never_the_reference(capsys):
    exercises.question("t1", kind="number", sign="positive", hint="Divide revenue by customers.")
    assert exercises.check("t1", 2.0) is True
    out = capsys.readouterr().out
    assert out.strip() == f"t1: {PASSED}."
    assert "correct" not in out.lower()
    assert exercises.check("t1", -2.0) is False
    out = capsys.readouterr().out.strip()
    assert out == "t1: not yet: the answer should be positive, and yours is -2. Hint: Divide revenue by customers."


def test_check_of_an_undeclared_question_says_what_to_run(capsys):
    assert exercises.check("never_declared", 1.0) is False
    assert "run the cell that declares it" in capsys.readouterr().out


def test_integer_questions_match_exactly_by_default():
    q = _make_question("q1", kind="integer")
    assert q.rtol == 0 and matches(q, 2_000_000, 2_000_000) and not matches(q, 2_000_001, 2_000_000)
    assert _make_question("q2").rtol == 1e-6


def test_question_round_trips_through_records():
    spec = _make_question("q7", points=3, kind="vector", length=2, rtol=0.01, atol=0.1, sign="positive",
                          low=0, high=9, hint="h")
    again = exercises.Question.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert again == spec
    c = _make_question("q8", kind="choice", choices=["a", "b"])
    assert exercises.Question.from_dict(c.to_dict()) == c


def test_answers_are_recorded_by_id_and_the_last_wins(tmp_path):
    """A notebook answering q1 twice (a duplicated cell) and in reversed order is read by id."""
    from conftest import make_notebook

    nb = make_notebook(tmp_path / "n.ipynb", "seed: int = 0  # seed", [
        "from cxlib import exercises\nexercises.question('q2', kind='choice', choices=['a', 'b'])\n"
        "exercises.answer('q2', 'b')",
        "exercises.question('q1')\nexercises.answer('q1', 1.0)",
        "exercises.answer('q1', 2.0)",
    ])
    from cxlib.notebooks import execute

    result = execute(nb, tmp_path / "out.ipynb")
    assert result.ok, result.error
    records = read_records(tmp_path / "out.ipynb")
    assert exercises.answers_from_records(records) == {"q2": "b", "q1": 2.0}
    assert list(exercises.questions_from_records(records)) == ["q2", "q1"]
    printed = "".join(o.get("text", "") for c in nbformat.read(tmp_path / "out.ipynb", 4).cells
                      for o in c.get("outputs", []))
    assert printed.count(PASSED) == 3


# ---------------------------------------------------------------------------- student versions


def test_build_replaces_solutions_removes_hidden_and_clears_outputs(exercise_source):
    nb = nbformat.reads(build(exercise_source), as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "float(x.mean())" not in text and "x.min()" not in text.split("hint")[0]
    assert text.count('raise NotImplementedError("write your answer here")') == 3
    assert "instructor only" not in text
    assert exercises.MARKDOWN_STUB in text and "2 / sqrt(200)" not in text
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    assert all("solution" not in c.metadata.get("tags", []) for c in nb.cells)
    assert [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    # deterministic: building twice gives the same text (the staleness check relies on it)
    assert build(exercise_source) == build(exercise_source)


def test_build_keeps_the_indentation_of_a_solution_region(tmp_path):
    from conftest import make_notebook

    path = make_notebook(tmp_path / "s.ipynb", "seed: int = 0  # seed", [
        "def f(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION\n"
    ])
    src = nbformat.reads(build(path), as_version=4).cells[-1].source
    assert src == ("def f(x):\n    # write your answer here (what the lines below use), then delete the next line\n"
                   '    raise NotImplementedError("write your answer here")')


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("# BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n# END SOLUTION", "without a '# BEGIN SOLUTION'"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "inside another solution region"),
    ],
)
def test_build_rejects_broken_solution_markers(tmp_path, body, message):
    from conftest import make_notebook

    path = make_notebook(tmp_path / "s.ipynb", "seed: int = 0  # seed", [body])
    with pytest.raises(ValueError, match=message):
        build(path)


def test_build_all_writes_then_reports_stale(tmp_path, exercise_source):
    student = tmp_path / "student"
    written = exercises.build_all(exercise_source.parent, student)
    assert [p.name for p in written] == [exercise_source.name]
    assert exercises.build_all(exercise_source.parent, student, check_only=True) == []
    nb = nbformat.read(exercise_source, 4)
    nb.cells[0].source += "\n\nAn edit."
    nbformat.write(nb, exercise_source)
    assert exercises.build_all(exercise_source.parent, student, check_only=True) == [student / exercise_source.name]


def test_committed_student_versions_are_up_to_date():
    """exercises/student/ must be what `cx exercises build` makes from exercises/source/."""
    assert SOURCES, "no exercise sources in exercises/source"
    stale = exercises.build_all(ROOT / "exercises" / "source", ROOT / "exercises" / "student", check_only=True)
    assert stale == [], f"stale student versions (run `cx exercises build`): {stale}"
    students = sorted(p.name for p in (ROOT / "exercises" / "student").glob("*.ipynb"))
    assert students == [p.name for p in SOURCES], "a student version has no source"


def test_cli_exercises_build_check(tmp_path, exercise_source):
    student = tmp_path / "student"
    args = [CX, "exercises", "build", "--source", str(exercise_source.parent), "--student", str(student)]
    stale = subprocess.run(args + ["--check"], capture_output=True, text=True)
    assert stale.returncode == 1 and "stale or missing" in stale.stderr
    built = subprocess.run(args, capture_output=True, text=True)
    assert built.returncode == 0 and "wrote" in built.stdout
    assert subprocess.run(args + ["--check"], capture_output=True, text=True).returncode == 0


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_sources_are_clean_and_declare_4_to_6_questions(source):
    nb = nbformat.read(source, 4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{source.name} is not clean"
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0].source.startswith("seed: int = ")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    n = text.count("exercises.question(")
    assert 4 <= n <= 6, f"{source.name} declares {n} questions"
    assert 'kind="choice"' in text, f"{source.name} has no interpretation (choice) question"
    assert nb.metadata.get("cxcourse", {}).get("question")


# ---------------------------------------------------------------------------- seeds, rosters, copies


def test_student_seed_depends_on_secret_and_id():
    a = exercises.student_seed(b"s" * 32, "ada")
    assert a == exercises.student_seed(b"s" * 32, "ada")
    assert a != exercises.student_seed(b"t" * 32, "ada")
    assert a != exercises.student_seed(b"s" * 32, "bob")
    assert 0 <= a < 2**31
    # known value: HMAC-SHA256 ("s"*32, "ada"), first 4 bytes, mod 2**31 - 1
    import hashlib
    import hmac

    digest = hmac.new(b"s" * 32, b"ada", hashlib.sha256).digest()
    assert a == int.from_bytes(digest[:4], "big") % (2**31 - 1)


def test_read_secret_creates_a_private_file_and_rejects_short_ones(tmp_path):
    path = tmp_path / "secret"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        exercises.read_secret(path)
    secret = exercises.read_secret(path, create=True)
    assert len(secret) == 64 and (path.stat().st_mode & 0o777) == 0o600
    assert exercises.read_secret(path) == secret
    path.write_text("short\n")
    with pytest.raises(ValueError, match="use at least 16"):
        exercises.read_secret(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name\nada\n", "needs a 'student_id' column"),
        ("student_id\n../etc\n", "line 2: student_id '../etc' is not valid"),
        ("student_id\nada\nada\n", "line 3: student_id 'ada' appears twice"),
        ("student_id\n", "lists no students"),
    ],
)
def test_bad_rosters_fail_clearly(tmp_path, text, message):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        exercises.read_roster(path)


def test_assign_writes_one_personalised_copy_per_student(tmp_path, exercise_source):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\nada,Ada L\nbob,Bob K\ncy,Cy M\n")
    secret = tmp_path / "secret"
    manifest = exercises.assign(exercise_source, roster, tmp_path / "out", secret_file=secret)
    assert [m["student_id"] for m in manifest] == ["ada", "bob", "cy"]
    key = exercises.read_secret(secret)
    with (tmp_path / "out" / "manifest.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["name"] for r in rows] == ["Ada L", "Bob K", "Cy M"]
    for row in rows:
        assert int(row["seed"]) == exercises.student_seed(key, row["student_id"])
        nb = nbformat.read(tmp_path / "out" / row["file"], 4)
        assert row["file"] == f"09_tiny-{row['student_id']}.ipynb"
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and f"seed = {row['seed']}" in injected[0].source
        assert "BEGIN SOLUTION" not in json.dumps(nb)
    assert len({r["seed"] for r in rows}) == 3


def test_assigned_copy_fails_at_its_first_stub_then_passes_when_answered(tmp_path, exercise_source):
    from cxlib.notebooks import execute

    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\nada\n")
    exercises.assign(exercise_source, roster, tmp_path / "out", secret_file=tmp_path / "secret")
    copy = tmp_path / "out" / "09_tiny-ada.ipynb"
    result = execute(copy, tmp_path / "run.ipynb")
    assert result.status == "failed" and "NotImplementedError: write your answer here" in result.error
    answered = tmp_path / "answered.ipynb"
    answered.write_text(answer_student_copy(copy.read_text()))
    result = execute(answered, tmp_path / "run2.ipynb")
    assert result.ok, result.error
    seed = exercises.student_seed(exercises.read_secret(tmp_path / "secret"), "ada")
    x = np.random.default_rng(seed).normal(10, 2, size=200)
    assert exercises.answers_from_records(result.records)["q1"] == pytest.approx(x.mean(), rel=1e-12)


def test_cli_assign_creates_the_secret_and_prints_the_manifest(tmp_path, exercise_source):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\nada\nbob\n")
    proc = subprocess.run([CX, "assign", str(exercise_source), "--roster", str(roster), "--out",
                           str(tmp_path / "out"), "--secret-file", str(tmp_path / "s")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "created the course secret" in proc.stdout and "2 notebooks and manifest.csv" in proc.stdout
    bad = subprocess.run([CX, "assign", str(exercise_source), "--roster", str(tmp_path / "nope.csv"), "--out",
                          str(tmp_path / "out")], capture_output=True, text=True)
    assert bad.returncode == 2 and "roster" in bad.stderr and "does not exist" in bad.stderr
    assert "Traceback" not in bad.stderr


# ---------------------------------------------------------------------------- every source and student version runs


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
@pytest.mark.parametrize("seed", [0, 7])
def test_source_with_solutions_answers_every_question_and_passes_its_checks(tmp_path, source, seed):
    from cxlib.notebooks import execute

    result = execute(source, tmp_path / "out.ipynb", {"seed": seed}, timeout=300)
    assert result.ok, result.error
    questions = exercises.questions_from_records(result.records)
    answers = exercises.answers_from_records(result.records)
    assert 4 <= len(questions) <= 6
    assert set(answers) == set(questions), "a declared question has no recorded answer"
    for qid, spec in questions.items():
        assert problem(spec, answers[qid]) is None, f"{source.name} {qid}: {problem(spec, answers[qid])}"
        assert matches(spec, answers[qid], answers[qid])
    assert any(q.kind == "choice" for q in questions.values())


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_numeric_answers_differ_between_seeds(tmp_path, source):
    """Every student gets their own numbers: a copied answer does not match another seed."""
    from cxlib.notebooks import execute

    runs = [execute(source, tmp_path / f"out{s}.ipynb", {"seed": s}, timeout=300) for s in (1, 2)]
    assert all(r.ok for r in runs), [r.error for r in runs]
    questions = exercises.questions_from_records(runs[0].records)
    a, b = (exercises.answers_from_records(r.records) for r in runs)
    numeric = [q for q, spec in questions.items() if spec.kind != "choice"]
    assert len(numeric) >= 2
    differ = [q for q in numeric if not matches(questions[q], a[q], b[q])]
    assert len(differ) >= len(numeric) - 1, f"answers that do not depend on the seed: {set(numeric) - set(differ)}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_student_version_fails_cleanly_at_its_first_stub(tmp_path, source):
    from cxlib.notebooks import execute

    student = ROOT / "exercises" / "student" / source.name
    result = execute(student, tmp_path / "out.ipynb", timeout=300)
    assert result.status == "failed"
    assert "NotImplementedError: write your answer here" in result.error
    executed = nbformat.read(tmp_path / "out.ipynb", 4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "NotImplementedError"
    first_stub = next(i for i, c in enumerate(executed.cells) if "NotImplementedError(" in c.source)
    assert any(o.output_type == "error" for o in executed.cells[first_stub].outputs)
