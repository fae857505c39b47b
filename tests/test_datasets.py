"""cxlib.data's real data sets: manifest, checksums, the CDNOW reader, CXCOURSE_DATASETS."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib import data
from cxlib.data import customer_panel, load, read_cdnow

COLUMNS = ["customer_id", "segment", "tenure_months", "satisfaction", "loyalty", "nps", "orders", "revenue"]


# ---------------------------------------------------------------------------
# CDNOW: the real files
# ---------------------------------------------------------------------------


def test_load_master():
    tx = load("cdnow_master")
    assert tx.shape == (69_659, 4)
    assert list(tx.columns) == ["customer_id", "date", "cds", "amount"]
    assert [str(t) for t in tx.dtypes] == ["int64", "datetime64[ns]", "int64", "float64"]
    assert tx["customer_id"].nunique() == 23_570
    assert tx["customer_id"].min() == 1 and tx["customer_id"].max() == 23_570
    assert tx["date"].min() == pd.Timestamp("1997-01-01") and tx["date"].max() == pd.Timestamp("1998-06-30")
    assert (tx["amount"] >= 0).all() and (tx["cds"] >= 1).all()
    assert tx.groupby("customer_id")["date"].min().max() <= pd.Timestamp("1997-03-31")
    assert tx.set_index("customer_id")["date"].groupby(level=0).is_monotonic_increasing.all()
    assert tx["customer_id"].is_monotonic_increasing


def test_load_sample_is_a_subset_of_master():
    sample, master = load("cdnow_sample"), load("cdnow_master")
    assert sample.shape == (6_919, 5)
    assert list(sample.columns) == ["customer_id", "sample_id", "date", "cds", "amount"]
    assert sample["customer_id"].nunique() == 2_357
    assert sorted(sample["sample_id"].unique()) == list(range(1, 2358))
    assert (sample["amount"] >= 0).all()
    assert sample["date"].between("1997-01-01", "1998-06-30").all()
    sub = master[master["customer_id"].isin(sample["customer_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(sub, sample.drop(columns="sample_id"))


def test_list_and_verify():
    table = data.list_datasets()
    assert list(table.columns) == ["name", "file", "rows", "sha256", "description"]
    assert table.set_index("name")["rows"].to_dict() == {"cdnow_master": 69_659, "cdnow_sample": 6_919,
                                                         "retention_series": 13}
    assert data.verify() == {"cdnow_master": True, "cdnow_sample": True, "retention_series": True}
    assert data.verify("cdnow_sample") == {"cdnow_sample": True}
    manifest = json.loads((data.datasets_dir() / "manifest.json").read_text())
    for entry in manifest.values():
        assert entry["format"] in ("cdnow_master", "cdnow_sample", "csv") and len(entry["sha256"]) == 64


def _copy_datasets(tmp_path: Path) -> Path:
    target = tmp_path / "datasets"
    shutil.copytree(data.datasets_dir(), target, ignore=shutil.ignore_patterns("*.md"))
    return target


def test_env_var_redirects_and_verify_catches_edits(tmp_path, monkeypatch):
    target = _copy_datasets(tmp_path)
    monkeypatch.setenv("CXCOURSE_DATASETS", str(target))
    assert data.datasets_dir() == target
    with open(target / "CDNOW_sample.txt", "ab") as fh:
        fh.write(b" 23569 2357 19980630  1   1.00\r\n")
    assert data.verify(strict=False) == {"cdnow_master": True, "cdnow_sample": False, "retention_series": True}
    with pytest.raises(ValueError, match="failed its checksum.*re-copy"):
        data.verify("cdnow_sample")
    with pytest.raises(ValueError, match="CDNOW_sample.txt' failed its checksum"):
        load("cdnow_sample")
    (target / "CDNOW_master.txt").unlink()
    with pytest.raises(FileNotFoundError, match="CDNOW_master.txt' does not exist"):
        data.verify("cdnow_master")
    assert data.verify(strict=False)["cdnow_master"] is False


GOOD_MASTER = " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 19970112  5   77.00\r\n"


@pytest.mark.parametrize(
    "content, kwargs, fragments",
    [
        (GOOD_MASTER, {"sha256": "0" * 64}, ["failed its checksum", "expected sha256 " + "0" * 64, "got ", "corrupted or edited", "re-copy"]),
        (GOOD_MASTER + " 00003 19970102  2\r\n", {}, ["line 4", "has 3 columns", "expects 4"]),
        (" 00001 0001 19970101  1   11.77\n", {}, ["line 1", "has 5 columns", "expects 4"]),
        (" 00001 19970101  1   11.77\n", {"format": "sample"}, ["line 1", "has 4 columns", "expects 5"]),
        (GOOD_MASTER + " 00003 1997-01-02  2  3.00\r\n", {}, ["line 4", "date '1997-01-02'", "yyyymmdd"]),
        (GOOD_MASTER + " 00003 19970231  2  3.00\r\n", {}, ["line 4", "date '19970231'", "yyyymmdd"]),
        (GOOD_MASTER + " 00003 19970102  2  -3.50\r\n", {}, ["line 4", "amount is negative", "-3.50", ">= 0"]),
        (GOOD_MASTER + " 00003 19970102  2  abc\r\n", {}, ["line 4", "amount 'abc'", "not a number"]),
        (GOOD_MASTER + " 00003 19970102  -2  3.50\r\n", {}, ["line 4", "number of CDs is negative", "-2"]),
        (" 00001 19970101  1   11.77\n 0000x 19970101  1   11.77\n", {}, ["line 2", "customer id '0000x'", "not an integer"]),
        (" 1.5 19970101  1   11.77\n", {}, ["line 1", "customer id '1.5'", "not an integer"]),
        ("", {}, ["is empty"]),
        ("\n\n", {}, ["is empty"]),
        (" customer_id  date number_of_cds  dollar_value\n", {}, ["is empty"]),
    ],
)
def test_bad_cdnow_files(tmp_path, content, kwargs, fragments):
    path = tmp_path / "bad.txt"
    path.write_bytes(content.encode())
    with pytest.raises(ValueError) as info:
        read_cdnow(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_good_small_file_and_checksum_accepted(tmp_path):
    import hashlib

    path = tmp_path / "ok.txt"
    path.write_bytes(GOOD_MASTER.encode())
    tx = read_cdnow(path, sha256=hashlib.sha256(GOOD_MASTER.encode()).hexdigest().upper())
    assert tx["customer_id"].tolist() == [1, 2]
    assert tx["amount"].tolist() == [11.77, 77.0]
    assert tx["cds"].tolist() == [1, 5]


def test_missing_file_names_path_and_lists_directory(tmp_path):
    (tmp_path / "CDNOW_master.txt").write_text(GOOD_MASTER)
    missing = tmp_path / "CDNOW_mastr.txt"
    with pytest.raises(FileNotFoundError) as info:
        read_cdnow(missing)
    message = str(info.value)
    assert str(missing) in message and "does not exist" in message and "CDNOW_master.txt" in message


def test_unknown_dataset_lists_names_and_suggests():
    with pytest.raises(ValueError) as info:
        load("cdnow_mastr")
    message = str(info.value)
    assert "'cdnow_mastr'" in message and "'cdnow_master', 'cdnow_sample'" in message
    assert "did you mean 'cdnow_master'?" in message


def test_bad_format_argument(tmp_path):
    path = tmp_path / "ok.txt"
    path.write_text(GOOD_MASTER)
    with pytest.raises(ValueError, match="format 'mastr' is not known; valid choices are 'master', 'sample'"):
        read_cdnow(path, format="mastr")
