"""Data for the lessons: a synthetic customer panel with known truth, and the CDNOW files.

Two kinds of data, in the order the course uses them (known truth first):

* :func:`customer_panel` simulates customers whose revenue depends on loyalty,
  tenure and segment through equations we wrote down, so every estimate can be
  checked against the true value (``Panel.truth``).  :data:`DATASHEET` documents
  every column and the generating equations.
* :func:`load` reads a real data set listed in ``datasets/manifest.json`` (the CDNOW
  transactions of Fader, Hardie & Lee, 2005; the published retention series of Fader &
  Hardie, 2007) after checking its sha256 checksum; :func:`read_cdnow` reads any file
  in the CDNOW layout; :func:`verify` and :func:`list_datasets` back the
  ``cx datasets`` command.

The datasets directory is ``$CXCOURSE_DATASETS`` when that environment variable is
set, else ``datasets/`` at the repository root (:data:`DATASETS_DIR`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from cxlib import params
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "SEGMENTS",
    "DEFAULT_SEGMENT_SHARES",
    "SEGMENT_BASE",
    "LOYALTY_SHIFT",
    "ORDER_VALUE",
    "LOG_TENURE_MEAN",
    "LOG_TENURE_SD",
    "CONFOUNDER_MEAN",
    "CONFOUNDER_SD",
    "DATASHEET",
    "DATASETS_DIR",
    "Panel",
    "customer_panel",
    "datasets_dir",
    "list_datasets",
    "verify",
    "read_cdnow",
    "load",
]

# ---------------------------------------------------------------------------
# The synthetic customer panel
# ---------------------------------------------------------------------------

#: The customer segments, in the order of the ``segment`` categories.
SEGMENTS: tuple[str, ...] = ("budget", "mainstream", "premium")
#: Default share of customers in each segment.
DEFAULT_SEGMENT_SHARES: dict[str, float] = {"budget": 0.5, "mainstream": 0.35, "premium": 0.15}
#: Segment part of expected annual revenue, dollars per year.
SEGMENT_BASE: dict[str, float] = {"budget": 150.0, "mainstream": 300.0, "premium": 600.0}
#: Segment shift of the latent loyalty (multiplied by ``confounding``).
LOYALTY_SHIFT: dict[str, float] = {"budget": -0.5, "mainstream": 0.0, "premium": 0.8}
#: Mean order value by segment, dollars per order.
ORDER_VALUE: dict[str, float] = {"budget": 25.0, "mainstream": 40.0, "premium": 80.0}
#: Population mean of log(tenure_months) for tenure = 1 + floor(Gamma(2, 12)) (exact: 2.946).
LOG_TENURE_MEAN: float = 2.95
#: Population standard deviation of log(tenure_months) (exact: 0.763).
LOG_TENURE_SD: float = 0.76
#: Population mean and standard deviation of the confounder index ``0.8 * z + shift[segment]``
#: at the default segment shares (exact: -0.134 and 0.922), used to standardise it.
CONFOUNDER_MEAN: float = -0.134
CONFOUNDER_SD: float = 0.922

_COLUMNS = (
    "customer_id",
    "segment",
    "tenure_months",
    "satisfaction",
    "loyalty",
    "nps",
    "orders",
    "revenue",
)

DATASHEET = """\
# Datasheet: the synthetic customer panel (`cxlib.data.customer_panel`)

**What it is.** One row per customer of a fictional retailer, simulated so that the true
effect of loyalty on revenue is known.  Nothing in it is real; it exists so that lesson 02
can show an estimate recovering (or missing) a known value before it turns to real data.

**Why.** Loyal customers have usually been customers for longer and tend to sit in the
richer segments, and both of those raise revenue on their own.  A regression of revenue on
loyalty alone therefore mixes the effect of loyalty with the effects of tenure and segment
(confounding); adding them as controls removes the bias.  The generator lets you turn the
confounding up and down and see this happen.

## Columns

| column | type | unit / range | meaning |
| --- | --- | --- | --- |
| `customer_id` | int64 | 1..n | row identifier |
| `segment` | categorical | budget, mainstream, premium | customer segment (categories in that order) |
| `tenure_months` | int64 | months, >= 1 | time since the first purchase |
| `satisfaction` | int64 | 0-10 | satisfaction score, a noisy report of loyalty |
| `loyalty` | float64 | 0-100, one decimal | a 0-100 loyalty index; in a real study it would be built from survey items such as satisfaction, likelihood to recommend and repurchase intent |
| `nps` | int64 | 0-10 | likelihood to recommend (the NPS question), a noisy report of loyalty |
| `orders` | int64 | orders per year, >= 0 | number of orders in the year |
| `revenue` | float64 | dollars per year, >= 0, cents | revenue from the customer in the year |

## Generating equations

For each customer, independently (all draws from one seeded generator):

1. `segment ~ Categorical(segment_shares)`; default shares budget 0.5, mainstream 0.35, premium 0.15.
2. `tenure_months = 1 + floor(G)`, `G ~ Gamma(shape=2, scale=12)` (mean tenure 24.5 months).
3. `z = (log(tenure_months) - 2.95) / 0.76`: standardised log tenure; 2.95 and 0.76 are
   the population mean and standard deviation of log tenure, fixed constants (exact values
   2.946 and 0.763), so `z` does not depend on the sample.
4. `w = (0.8 * z + shift[segment] + 0.134) / 0.922`, with shift budget -0.5, mainstream 0.0,
   premium +0.8: the confounder index, standardised with its population mean and standard
   deviation at the default shares (fixed constants).
   `L = confounding * w + sqrt(1 - confounding**2) * e`, `e ~ Normal(0, 1)`: the latent loyalty
   has variance 1 whatever the confounding, and `confounding` is its correlation with `w`.
5. `loyalty = clip(round(50 + 15 * L, 1), 0, 100)`.
6. `satisfaction = clip(round(loyalty / 10 + Normal(0, 1.2)), 0, 10)`;
   `nps = clip(round(loyalty / 10 + 0.5 + Normal(0, 1.5)), 0, 10)`.
   They do **not** enter revenue.
7. `mu = base[segment] + loyalty_effect * loyalty + tenure_effect * tenure_months`
   (expected annual revenue, dollars), base budget 150, mainstream 300, premium 600.
8. `lam = mu / v[segment]` with mean order value v budget 25, mainstream 40, premium 80 dollars;
   `orders ~ Poisson(lam * H)`, `H ~ Gamma(shape=1/dispersion, scale=dispersion)`, i.e. a
   negative binomial with mean `lam` and variance `lam + dispersion * lam**2` (NB2);
   `dispersion = 0` gives `orders ~ Poisson(lam)`.
9. Each order's value is `Gamma(shape=4, scale=v/4)` (mean v, coefficient of variation 0.5),
   so `revenue = Gamma(shape=4 * orders, scale=v/4)` (0 when `orders == 0`), rounded to cents.

## Truth

`E[revenue | loyalty, tenure_months, segment] = mu` exactly, so an OLS regression of
`revenue ~ loyalty + tenure_months + C(segment)` is correctly specified: its loyalty
coefficient estimates `loyalty_effect` (dollars per year per loyalty point, default 4.0) and
its tenure coefficient `tenure_effect` (dollars per year per month of tenure, default 5.0).
The variance of revenue grows with `mu` (heteroskedasticity), so use robust (HC3) standard
errors.  With `confounding > 0`, loyalty rises with tenure and segment, so the naive
regression `revenue ~ loyalty` over-states the effect (bias upward); with `confounding = 0`
loyalty is independent of tenure and segment and the naive slope is unbiased too.
`Panel.truth` holds all true values used.

## Defaults and limits

`n_customers=2000` (10 to 10,000,000), `loyalty_effect=4.0` (0-20), `tenure_effect=5.0`
(0-50), `confounding=0.6` (0-0.95), `dispersion=0.5` (0-10).  Non-negative effects keep
`mu > 0`.  Loyalty is clipped at 0 and 100, which touches under 0.1% of customers (the
latent loyalty has standard deviation 1, so the index has standard deviation 15 around 50).

The bias of the naive slope, `cov(base[segment] + tenure_effect * tenure, loyalty) /
var(loyalty)`, grows in proportion to `confounding`, because the variance of loyalty does
not change with it: confounding 0 gives no bias, and doubling it doubles the bias.
"""


@dataclass(frozen=True, eq=False)
class Panel:
    """A simulated customer panel and the truth it was generated from.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per customer; columns as in :data:`DATASHEET`.
    truth : dict
        The true parameter values (see :func:`customer_panel`).
    """

    data: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    @property
    def n_customers(self) -> int:
        """Number of customers (rows)."""
        return len(self.data)

    def datasheet(self) -> str:
        """Return :data:`DATASHEET` followed by the truth of this panel (markdown)."""
        t = self.truth
        lines = [
            DATASHEET,
            "## This panel",
            "",
            f"- customers: {self.n_customers:,}",
            f"- loyalty_effect: {t['loyalty_effect']:g} dollars per year per loyalty point",
            f"- tenure_effect: {t['tenure_effect']:g} dollars per year per month of tenure",
            f"- confounding: {t['confounding']:g}; dispersion: {t['dispersion']:g}",
            f"- segment shares: {t['segment_shares']}",
            f"- bias of the naive estimate: {t['bias_direction']}",
        ]
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        t = self.truth
        counts = self.data["segment"].value_counts(sort=False)
        segs = ", ".join(f"{k} {v:,}" for k, v in counts.items())
        return (
            f"Panel({self.n_customers:,} customers: {segs}; "
            f"truth loyalty_effect={t['loyalty_effect']!r}, tenure_effect={t['tenure_effect']!r}, "
            f"confounding={t['confounding']!r}, dispersion={t['dispersion']!r})"
        )


def customer_panel(
    n_customers: int = 2000,
    *,
    loyalty_effect: float = 4.0,
    tenure_effect: float = 5.0,
    confounding: float = 0.6,
    dispersion: float = 0.5,
    segment_shares: Mapping[str, float] | None = None,
    rng: None | int | np.random.Generator = None,
) -> Panel:
    """Simulate customers whose revenue depends on loyalty, tenure and segment.

    The generating equations (see :data:`DATASHEET` for units) are::

        segment       ~ Categorical(segment_shares)
        tenure_months = 1 + floor(Gamma(shape=2, scale=12))
        z             = (log(tenure_months) - 2.95) / 0.76
        w             = (0.8 * z + shift[segment] + 0.134) / 0.922
        L             = confounding * w + sqrt(1 - confounding**2) * Normal(0, 1)
        loyalty       = clip(round(50 + 15 * L, 1), 0, 100)
        satisfaction  = clip(round(loyalty / 10 + Normal(0, 1.2)), 0, 10)
        nps           = clip(round(loyalty / 10 + 0.5 + Normal(0, 1.5)), 0, 10)
        mu            = base[segment] + loyalty_effect * loyalty + tenure_effect * tenure_months
        orders        ~ Poisson(mu / v[segment] * Gamma(1 / dispersion, dispersion))
        revenue       = Gamma(shape=4 * orders, scale=v[segment] / 4)   (0 if no orders)

    with shift = (-0.5, 0, 0.8), base = (150, 300, 600) dollars per year and mean order
    value v = (25, 40, 80) dollars for (budget, mainstream, premium).  Hence
    ``E[revenue | loyalty, tenure_months, segment] = mu`` exactly: an OLS regression of
    revenue on loyalty, tenure_months and C(segment) is correctly specified, while
    revenue on loyalty alone is biased upward whenever ``confounding > 0``.

    Parameters
    ----------
    n_customers : int, default 2000
        Number of customers, 10 to 10,000,000.
    loyalty_effect : float, default 4.0
        True effect of one loyalty point on expected annual revenue (dollars), 0 to 20.
    tenure_effect : float, default 5.0
        True effect of one month of tenure on expected annual revenue (dollars), 0 to 50.
    confounding : float, default 0.6
        How strongly tenure and segment drive loyalty: the correlation of the latent
        loyalty with the confounder index ``w``, 0 (loyalty is independent of both) to
        0.95.  The bias of the naive slope is proportional to it.
    dispersion : float, default 0.5
        NB2 over-dispersion of the order counts, 0 (Poisson) to 10.
    segment_shares : mapping, optional
        Share of each segment, e.g. ``{"budget": 0.6, "premium": 0.4}`` (missing
        segments get 0; the shares must sum to 1).  Default
        :data:`DEFAULT_SEGMENT_SHARES`.
    rng : None, int or numpy.random.Generator
        Seed or generator (see :func:`cxlib.check_rng`).  The same seed gives the
        same panel; the same seed with another ``confounding`` uses the same random
        draws (common random numbers), so only the confounding changes.

    Returns
    -------
    Panel
        ``data`` with columns customer_id, segment, tenure_months, satisfaction,
        loyalty, nps, orders, revenue; ``truth`` a dict with keys ``loyalty_effect``,
        ``tenure_effect``, ``segment_base``, ``order_value``, ``loyalty_shift``,
        ``segment_shares``, ``confounding``, ``dispersion`` and ``bias_direction``
        (``"upward"`` or ``"none"``: the direction of the bias of the naive slope).

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. ``n_customers=2.5`` or ``"100"``).
    ValueError
        If an argument is out of range, or ``segment_shares`` names an unknown
        segment or does not sum to 1.

    Examples
    --------
    >>> from cxlib.data import customer_panel
    >>> panel = customer_panel(500, rng=1)
    >>> panel
    Panel(500 customers: budget 259, mainstream 175, premium 66; truth loyalty_effect=4.0, tenure_effect=5.0, confounding=0.6, dispersion=0.5)
    >>> panel.data.columns.tolist()
    ['customer_id', 'segment', 'tenure_months', 'satisfaction', 'loyalty', 'nps', 'orders', 'revenue']
    >>> panel.truth["loyalty_effect"], panel.truth["bias_direction"]
    (4.0, 'upward')
    >>> panel.data["loyalty"].between(0, 100).all()
    np.True_
    >>> customer_panel(5)
    Traceback (most recent call last):
    ...
    ValueError: n_customers must be an integer between 10 and 10000000; got 5
    """
    n = params.integer("n_customers", n_customers, min=10, max=10_000_000)
    b_loyal = params.real("loyalty_effect", loyalty_effect, min=0, max=20)
    b_tenure = params.real("tenure_effect", tenure_effect, min=0, max=50)
    conf = params.real("confounding", confounding, min=0, max=0.95)
    disp = params.real("dispersion", dispersion, min=0, max=10)
    shares = params.shares(
        "segment_shares",
        DEFAULT_SEGMENT_SHARES if segment_shares is None else segment_shares,
        SEGMENTS,
    )
    gen = check_rng(rng)

    import pandas as pd

    probs = np.array([shares[s] for s in SEGMENTS])
    probs = probs / probs.sum()
    seg = gen.choice(len(SEGMENTS), size=n, p=probs)
    shift = np.array([LOYALTY_SHIFT[s] for s in SEGMENTS])[seg]
    base = np.array([SEGMENT_BASE[s] for s in SEGMENTS])[seg]
    value = np.array([ORDER_VALUE[s] for s in SEGMENTS])[seg]

    tenure = 1 + np.floor(gen.gamma(shape=2.0, scale=12.0, size=n)).astype(np.int64)
    z = (np.log(tenure) - LOG_TENURE_MEAN) / LOG_TENURE_SD
    w = (0.8 * z + shift - CONFOUNDER_MEAN) / CONFOUNDER_SD
    latent = conf * w + np.sqrt(1.0 - conf**2) * gen.standard_normal(n)
    loyalty = np.clip(np.round(50.0 + 15.0 * latent, 1), 0.0, 100.0)
    satisfaction = np.clip(np.round(loyalty / 10 + gen.normal(0.0, 1.2, n)), 0, 10)
    nps = np.clip(np.round(loyalty / 10 + 0.5 + gen.normal(0.0, 1.5, n)), 0, 10)

    mu = base + b_loyal * loyalty + b_tenure * tenure
    lam = mu / value
    if disp > 0:
        lam = lam * gen.gamma(shape=1.0 / disp, scale=disp, size=n)
    orders = gen.poisson(lam).astype(np.int64)
    bought = orders > 0
    revenue = gen.gamma(shape=np.where(bought, 4.0 * orders, 1.0), scale=value / 4.0)
    revenue = np.where(bought, np.round(revenue, 2), 0.0)

    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1, dtype=np.int64),
            "segment": pd.Categorical.from_codes(seg, categories=list(SEGMENTS)),
            "tenure_months": tenure,
            "satisfaction": satisfaction.astype(np.int64),
            "loyalty": loyalty,
            "nps": nps.astype(np.int64),
            "orders": orders,
            "revenue": revenue,
        },
        columns=list(_COLUMNS),
    )
    # Bias of the naive slope = cov(base[segment] + tenure_effect * tenure, loyalty) / var(loyalty):
    # positive whenever loyalty depends on tenure or segment and those move revenue.
    several_segments = sum(s > 0 for s in shares.values()) > 1
    upward = conf > 0 and (b_tenure > 0 or several_segments)
    truth = {
        "loyalty_effect": b_loyal,
        "tenure_effect": b_tenure,
        "segment_base": dict(SEGMENT_BASE),
        "order_value": dict(ORDER_VALUE),
        "loyalty_shift": dict(LOYALTY_SHIFT),
        "segment_shares": shares,
        "confounding": conf,
        "dispersion": disp,
        "bias_direction": "upward" if upward else "none",
    }
    return Panel(data=frame, truth=truth)


# ---------------------------------------------------------------------------
# Real data sets: the manifest, checksums and the CDNOW reader
# ---------------------------------------------------------------------------


def _default_datasets_dir() -> Path:
    env = os.environ.get("CXCOURSE_DATASETS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "datasets"


#: The datasets directory at import time: ``$CXCOURSE_DATASETS`` or ``<repo>/datasets``.
DATASETS_DIR: Path = _default_datasets_dir()

_MANIFEST = "manifest.json"
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
    {'cdnow_master': True, 'cdnow_sample': True, 'retention_series': True}
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
        ``"cdnow_sample"`` (a 1/10 sample: 2,357 customers, 6,919 transactions) or
        ``"retention_series"`` (survivors of two cohorts of 1,000 customers over 12
        years, Fader & Hardie 2007).  See :func:`list_datasets` and the datasheets in
        ``datasets/`` (``cdnow.md``, ``retention_series.md``).

    Returns
    -------
    pandas.DataFrame
        For the CDNOW files, as returned by :func:`read_cdnow`; for data sets of format
        ``"csv"`` in the manifest, the file as read by :func:`pandas.read_csv`.

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
    >>> load("cdnow_mastr")
    Traceback (most recent call last):
    ...
    ValueError: dataset 'cdnow_mastr' is not known; valid choices are 'cdnow_master', 'cdnow_sample', 'retention_series'; did you mean 'cdnow_master'?
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
        return pd.read_csv(io.BytesIO(raw))
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
