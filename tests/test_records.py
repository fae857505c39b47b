import json

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from cxlib.records import MIMETYPE, read_records, record, to_json

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


def _nb_with(*payloads, as_text=False):
    outputs = [
        {"output_type": "display_data", "metadata": {},
         "data": {MIMETYPE: json.dumps(p) if as_text else p, "text/plain": "x"}}
        for p in payloads
    ]
    return {"cells": [{"cell_type": "markdown", "source": "hi"},
                      {"cell_type": "code", "outputs": outputs}]}


@given(json_values)
def test_plain_json_round_trips(value):
    assert to_json(value) == value
    assert json.loads(json.dumps(to_json(value))) == value


def test_numpy_and_pandas_conversions():
    assert to_json(np.float32(0.5)) == 0.5 and type(to_json(np.int64(3))) is int
    assert to_json(np.array([[1, 2], [3, 4]])) == [[1, 2], [3, 4]]
    assert to_json(np.bool_(True)) is True
    assert to_json(pd.Series([1.0, 2.0], index=["a", "b"])) == {"a": 1.0, "b": 2.0}
    df = pd.DataFrame({"x": [1, 2], "y": ["u", "v"]})
    assert to_json(df) == [{"x": 1, "y": "u"}, {"x": 2, "y": "v"}]
    named = pd.DataFrame({"estimate": [1.5]}, index=pd.Index(["loyalty"], name="term"))
    assert to_json(named) == [{"term": "loyalty", "estimate": 1.5}]
    assert to_json([np.nan, np.inf, 1.0]) == [None, None, 1.0]
    assert to_json((1, 2)) == [1, 2]


@pytest.mark.parametrize(
    "value, fragment",
    [(object(), "of type object cannot be stored"),
     ({"a": {(1, 2): 3}}, "has a key (1, 2) of type tuple"),
     ([1, lambda: 0], "record 'r'[1] of type function cannot be stored")],
)
def test_unsupported_values_are_refused_clearly(value, fragment):
    with pytest.raises(TypeError) as info:
        record("r", value)
    assert fragment in str(info.value)
    assert "accepted are" in str(info.value) or "keys must be" in str(info.value)


@pytest.mark.parametrize("name", ["", "1st", "has space", None, "a/b"])
def test_bad_names_are_refused(name):
    with pytest.raises(ValueError, match=r"^record name must be a short identifier.*got "):
        record(name, 1)


def test_record_outside_a_kernel_prints_one_line(capsys):
    assert record("slope", np.float64(2.5)) is None  # nothing for a notebook cell to echo
    assert capsys.readouterr().out == "recorded: slope = 2.5\n"
    record("quiet", 1, show=False)
    assert capsys.readouterr().out == ""


def test_read_records_last_value_wins_and_keeps_first_order():
    nb = _nb_with({"name": "a", "value": 1}, {"name": "b", "value": [1, 2]}, {"name": "a", "value": 3})
    assert read_records(nb) == {"a": 3, "b": [1, 2]}
    assert list(read_records(nb)) == ["a", "b"]


def test_read_records_from_file_and_text_payload(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("record('k', {'x': 1})", outputs=[
        nbformat.v4.new_output("display_data", data={MIMETYPE: json.dumps({"name": "k", "value": {"x": 1}})})
    ]))
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert read_records(path) == {"k": {"x": 1}}
    assert read_records(str(path)) == {"k": {"x": 1}}
    assert read_records(nbformat.read(path, as_version=4)) == {"k": {"x": 1}}


def test_read_records_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_records(tmp_path / "missing.ipynb")
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="is not valid notebook JSON"):
        read_records(bad)
    with pytest.raises(TypeError, match="got int"):
        read_records(3)


def test_the_recorded_line_formats_values_as_the_tables_do(capsys):
    from cxlib.records import format_value

    record("pi", 3.141592653589793)
    record("ci", [0.123456789, 2.5])
    out = capsys.readouterr().out.splitlines()
    assert out == [f"recorded: pi = {format_value(3.141592653589793)}", "recorded: ci = [0.123457, 2.5]"]
    assert out[0] == "recorded: pi = 3.14159"
