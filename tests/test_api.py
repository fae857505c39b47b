"""The public API: every stochastic function takes ``rng``; everything is documented."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap

import pytest

from conftest import ROOT

MODULES = ["cxlib", "cxlib.params", "cxlib.records", "cxlib.data", "cxlib.loyalty", "cxlib.feedback", "cxlib.plots",
           "cxlib.widgets", "cxlib.notebooks", "cxlib.course", "cxlib.cli", "cxlib.batch", "cxlib.clv",
           "cxlib.exercises", "cxlib.grading", "cxlib.sandbox"]


def _public_functions():
    for modname in MODULES:
        module = importlib.import_module(modname)
        names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and obj.__module__.startswith("cxlib"):
                yield f"{modname}.{name}", obj


PUBLIC = dict(_public_functions())


def _code_without_docstring(func) -> str:
    node = ast.parse(textwrap.dedent(inspect.getsource(func))).body[0]
    if ast.get_docstring(node) is not None:
        node.body = node.body[1:]
    return ast.unparse(node)


def _stochastic(functions: dict) -> set[str]:
    """Functions that draw random numbers, directly (check_rng) or through another."""
    sources = {q: _code_without_docstring(f) for q, f in functions.items()}
    short = {q: q.rsplit(".", 1)[1] for q in functions}
    found = {q for q, src in sources.items() if "check_rng(" in src}
    grew = True
    while grew:
        grew = False
        for q, src in sources.items():
            if q not in found and any(re.search(rf"\b{short[s]}\(", src) for s in found if s != q):
                found.add(q)
                grew = True
    return found


def test_the_walk_finds_the_known_stochastic_functions():
    found = _stochastic(PUBLIC)
    assert "cxlib.data.customer_panel" in found
    assert "cxlib.loyalty.confounding_demo" in found


@pytest.mark.parametrize("qualname", sorted(_stochastic(PUBLIC)))
def test_every_stochastic_function_takes_rng(qualname):
    sig = inspect.signature(PUBLIC[qualname])
    assert "rng" in sig.parameters, f"{qualname} draws random numbers but has no rng argument"
    assert sig.parameters["rng"].kind in (inspect.Parameter.KEYWORD_ONLY,
                                          inspect.Parameter.POSITIONAL_OR_KEYWORD)


def test_no_global_or_unseeded_numpy_randomness_in_the_library():
    offenders = []
    for path in (ROOT / "cxlib").glob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for call in re.findall(r"np\.random\.(\w+)", line):
                if call == "Generator" or (call == "default_rng" and path.name == "_rng.py"):
                    continue
                offenders.append(f"{path.name}:{n}: np.random.{call}")
    assert not offenders, offenders


@pytest.mark.parametrize("qualname", sorted(PUBLIC))
def test_public_functions_are_documented(qualname):
    doc = inspect.getdoc(PUBLIC[qualname]) or ""
    assert len(doc.splitlines()[0]) > 10 if doc else False, f"{qualname} has no docstring"
