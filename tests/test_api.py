"""The public API, walked from the one registry (cxlib.MODULES): every module registered,
every stochastic function takes ``rng``, everything public is documented with runnable
Examples (which pytest --doctest-modules runs)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import textwrap

import pytest

import cxlib
from conftest import ROOT

MODULES = ["cxlib"] + [f"cxlib.{name}" for name in cxlib.MODULES]


def _public_objects():
    for modname in MODULES:
        module = importlib.import_module(modname)
        names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__.startswith("cxlib"):
                yield f"{modname}.{name}", obj


PUBLIC = dict(_public_objects())
FUNCTIONS = {q: f for q, f in PUBLIC.items() if inspect.isfunction(f)}


def test_every_public_module_is_in_the_registry():
    on_disk = {info.name for info in pkgutil.iter_modules(cxlib.__path__) if not info.name.startswith("_")}
    missing = on_disk - set(cxlib.MODULES)
    assert not missing, (f"cxlib/{sorted(missing)[0]} is not registered: add it to cxlib.TOPICS (a topic) or "
                         "cxlib.MACHINERY in cxlib/__init__.py, so that it is importable lazily and checked here")
    assert set(cxlib.MODULES) <= on_disk, f"registered but missing: {set(cxlib.MODULES) - on_disk}"


@pytest.mark.parametrize("topic", sorted(cxlib.TOPICS))
def test_every_topic_has_its_tests_and_its_lessons(topic):
    assert sorted((ROOT / "tests").glob(f"test_{topic}*.py")), f"no tests/test_{topic}*.py for cxlib.{topic}"
    for stem in cxlib.TOPICS[topic]:
        assert (ROOT / "notebooks" / f"{stem}.ipynb").is_file(), f"cxlib.TOPICS[{topic!r}] names a missing lesson {stem}"


def test_every_lesson_belongs_to_a_topic():
    registered = {stem for stems in cxlib.TOPICS.values() for stem in stems}
    lessons = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert lessons == registered, f"notebooks without a topic: {lessons - registered}"


def _code_without_docstring(func) -> str:
    node = ast.parse(textwrap.dedent(inspect.getsource(func))).body[0]
    if ast.get_docstring(node) is not None:
        node.body = node.body[1:]
    return ast.unparse(node)


def _stochastic(functions: dict) -> set[str]:
    """Functions that draw random numbers, directly (check_rng) or through another."""
    sources = {q: _code_without_docstring(f) for q, f in functions.items()}
    short = {q: q.rsplit(".", 1)[1] for q in functions}
    found = {q for q, src in sources.items() if "check_rng(" in src or "seed_from(" in src}
    grew = True
    while grew:
        grew = False
        for q, src in sources.items():
            if q not in found and any(re.search(rf"\b{short[s]}\(", src) for s in found if s != q):
                found.add(q)
                grew = True
    return found


def test_the_walk_finds_the_known_stochastic_functions():
    found = _stochastic(FUNCTIONS)
    assert {"cxlib.data.customer_panel", "cxlib.loyalty.confounding_demo", "cxlib.feedback.simulate",
            "cxlib.clv.simulate_bgnbd", "cxlib.widgets.confounding_explorer"} <= found


@pytest.mark.parametrize("qualname", sorted(_stochastic(FUNCTIONS)))
def test_every_stochastic_function_takes_rng(qualname):
    sig = inspect.signature(FUNCTIONS[qualname])
    assert "rng" in sig.parameters, f"{qualname} draws random numbers but has no rng argument"
    assert sig.parameters["rng"].kind in (inspect.Parameter.KEYWORD_ONLY,
                                          inspect.Parameter.POSITIONAL_OR_KEYWORD)


def test_no_global_or_unseeded_numpy_randomness_in_the_library():
    offenders = []
    for path in (ROOT / "cxlib").rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for call in re.findall(r"np\.random\.(\w+)", line):
                if call == "Generator" or (call == "default_rng" and path.name == "_rng.py"):
                    continue
                offenders.append(f"{path.relative_to(ROOT)}:{n}: np.random.{call}")
    assert not offenders, offenders


@pytest.mark.parametrize("qualname", sorted(PUBLIC))
def test_public_objects_are_documented_with_runnable_examples(qualname):
    doc = inspect.getdoc(PUBLIC[qualname]) or ""
    assert doc and len(doc.splitlines()[0]) > 10, f"{qualname} has no docstring"
    assert re.search(r"^Examples\n-{8}$", doc, re.M), f"{qualname} has no numpydoc Examples section"
    examples = doc.split("Examples\n--------", 1)[1]
    calls = [ln for ln in examples.splitlines() if ln.strip().startswith(">>>")]
    assert calls, f"{qualname}'s Examples has no >>> lines"
    runnable = [ln for ln in calls if "+SKIP" not in ln]
    assert runnable, f"{qualname}'s Examples are all skipped"
    for line in calls:
        if "+SKIP" in line:
            reason = re.sub(r"#\s*doctest:\s*\+SKIP", "", line.split("#", 1)[1] if "#" in line else "")
            assert re.search(r"[A-Za-z]{3,}", reason), \
                f"{qualname}: a skipped example must say why in a comment beside it: {line.strip()}"
