"""The synthetic service-profit chain of lesson 09: stores, employees and customers with known paths.

:func:`service_chain` simulates a retail chain in which an empowerment programme (given to
whole stores, at random or by the managers' choice) raises employees' engagement, engaged
employees serve customers better, better service satisfies customers, and satisfied
customers bring revenue, with store random effects at every level and an optional
unmeasured confounder of engagement and satisfaction.  Every equation and true value is in
:data:`SERVICE_DATASHEET`; ``ServiceChain.truth`` holds the true effects, the ICC and what a
naive analysis converges to, so lesson 09 can show each estimate recovering (or missing) it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SERVICE_DATASHEET", "SERVICE_CONSTANTS", "ServiceChain", "service_chain"]

#: The fixed parts of the generating equations (see :data:`SERVICE_DATASHEET`).
SERVICE_CONSTANTS: dict[str, float] = {
    "leader_between": 0.4,  # engagement per unit of the manager's leading-by-example score
    "leader_within": 0.2,  # engagement per unit of an employee's own view above the store's
    "rating_sd": 0.75,  # sd of an employee's rating around the manager's score
    "engagement_store_sd": 0.4,  # sd of the stores' random effect on engagement
    "engagement_sd": 1.0,  # sd of the employees' residual engagement
    "quality_store_sd": 0.2,  # sd of the stores' random effect on service quality
    "quality_sd": 0.8,  # sd of the customers' residual service quality
    "satisfaction_store_sd": 0.3,  # sd of the stores' random effect on satisfaction
    "satisfaction_sd": 0.8,  # sd of the customers' residual satisfaction
    "revenue_per_satisfaction": 20.0,  # store revenue (thousands a month) per point of mean satisfaction
    "revenue_sd": 5.0,  # sd of the stores' revenue around that line (thousands a month)
}

SERVICE_DATASHEET = """\
# Datasheet: the synthetic service-profit chain (`cxlib.data.service_chain`)

**What it is.** A fictional retail chain: `n_stores` stores, each with a manager,
`employees_per_store` employees and `customers_per_store` surveyed customers, each customer
served by one employee of the store.  Nothing in it is real; it exists so that lesson 09 can
test the service-profit chain's claim ("empowered, recognised employees feel a sense of
ownership, leading to increased engagement and improved customer experiences") on data whose
true paths are known, before it turns to the JOBS II and framing experiments.

**Why.** The chain has the structure of real employee-customer data: the programme is given
to whole stores, employees are nested in stores and customers in employees, so rows are not
independent (intervals that treat them as independent are too narrow); the programme may be
chosen by managers, and the better leaders choose it more often (a mediation analysis that
ignores that is biased); and an unmeasured trait of employees may raise both their
engagement and their customers' satisfaction (the indirect effect is then wrong, and no test
on the data can tell).

## Tables

`stores` (one row per store): `store_id` (int, 1..n_stores), `programme` (int 0/1: the
store runs the empowerment programme), `leading_by_example` (float, mean 0, sd 1: the
manager's leading-by-example score, L), `n_employees`, `n_customers` (int), `engagement` (mean
of its employees), `satisfaction` (mean of its customers), `revenue` (thousands a month).

`employees` (one row per employee): `employee_id` (int, 1..n_stores x employees_per_store),
`store_id`, `programme`, `leader_rating` (float: how much the employee sees the manager lead
by example, around 4 on a 1-7-like scale, not bounded), `engagement` (float, around 4),
`disposition` (float, standard normal: the employee's cheerfulness, which nobody records; an
analyst never has it, it is here only so the lesson can show what adjusting for it would do).

`customers` (one row per customer): `customer_id`, `store_id`, `employee_id` (who served
them), `programme`, `leading_by_example` (their store's L), `engagement` (of the employee who
served them), `service_quality` (float, the customer's rating, around 3.5), `satisfaction`
(float, around 6.4).

## Generating equations

All draws are independent unless written otherwise, from one seeded generator.  Store s,
employee i of store s, customer j served by employee i (chosen uniformly among the store's
employees):

1. `L_s ~ Normal(0, 1)` (`leading_by_example`).
2. Programme.  `assignment="randomised"`: exactly `floor(n_stores / 2)` stores, chosen at
   random, run it.  `assignment="chosen"`: `programme_s = 1` when
   `choice_strength * L_s + z_s > 0`, `z_s ~ Normal(0, 1)` (the manager's other reasons,
   unrecorded and irrelevant to outcomes): half the stores on average, the better leaders
   more often.
3. `leader_rating_i = 4 + L_s + w_i`, `w_i ~ Normal(0, 0.75^2)` (the employee's own view).
4. `engagement_i = 4 + a programme_s + 0.4 L_s + 0.2 w_i + u_s + k U_i + e_i`, with
   `a = programme_effect`, store effect `u_s ~ Normal(0, 0.4^2)`, residual
   `e_i ~ Normal(0, 1)`, the unmeasured `U_i ~ Normal(0, 1)` (`disposition`) and
   `k = confounder`.
5. `service_quality_j = 1 + theta engagement_i + q_s + h_j`, `theta = engagement_quality`,
   `q_s ~ Normal(0, 0.2^2)`, `h_j ~ Normal(0, 0.8^2)`.
6. `satisfaction_j = 4.5 + phi service_quality_j + c programme_s + d L_s + v_s + k U_i + g_j`,
   `phi = quality_satisfaction`, `c = direct_effect`, `d = leader_satisfaction`,
   `v_s ~ Normal(0, 0.3^2)`, `g_j ~ Normal(0, 0.8^2)`.
7. `revenue_s = 50 + 20 * mean(satisfaction of the store's customers) + r_s`,
   `r_s ~ Normal(0, 5^2)` (thousands a month).

## Truth

`ServiceChain.truth` (defaults in brackets):

* `acme` = a theta phi [0.15]: the average causal mediation effect of the programme on a
  customer's satisfaction through the engagement of the employee who serves them;
  `ade` = c [0.10] (what the programme does for customers in other ways: empowered staff fix
  problems on the spot); `total` = acme + ade [0.25]; `prop_mediated` [0.6];
  `paths` (a, theta, phi, b = theta phi, c, d, k and the constants);
  `revenue_effect` = 20 x total [5.0 thousand a month].
* `icc_engagement`: the intraclass correlation of engagement between stores,
  `B / (B + W)` with `B = a^2 / 4 + 0.4^2 + 2 a 0.4 C + 0.4^2` and
  `W = 0.2^2 0.75^2 + k^2 + 1`, `C = cov(programme, L)` (0 when randomised,
  `choice_strength / sqrt(1 + choice_strength^2) / sqrt(2 pi)` when chosen) [0.27];
  `design_effect_engagement` = `1 + (employees_per_store - 1) icc_engagement` [3.98];
  `icc_satisfaction`, likewise for customers' satisfaction, the mean of a store's
  `employees_per_store` employees' own contributions counted between stores [0.15].
* `between_effect` 0.4 and `within_effect` 0.2 (of the leader rating on engagement), and
  `between_effect_observed`: what a regression on the store mean of `employees_per_store`
  ratings estimates, `(0.4 V + 0.2 s) / (V + s)` with `s = 0.75^2 / employees_per_store`
  and `V = var(L | programme)` (the mean of a dozen ratings is a slightly noisy measure of L).
* `naive`: what the customer-level mediation without covariates,
  `mediation(customers, "programme", "engagement", "satisfaction")`, converges to as the
  stores grow: `a` (programme -> engagement), `b`, `acme`, `ade`, `total`.  Equal to the truth
  when the programme is randomised, `confounder = 0` and `leader_satisfaction = 0`; otherwise
  `a + 0.4 D` for a, `theta phi + G` for b, `c + d D - G (a + 0.4 D)` for the ADE, with
  `D = E[L | programme 1] - E[L | programme 0]` and
  `G = (k^2 + d 0.4 V) / var(engagement | programme)`.  `adjusted`: the same with
  `leading_by_example` as a covariate (the choice is then ignorable; only the confounder
  remains).

With `confounder > 0` the indirect effect is overstated and the direct effect understated
by the same amount, the total stays right, and every observable table (the models' fits,
residuals, tests) looks as it does without a confounder.

## Defaults and limits

`n_stores=80` (4 to 5,000), `employees_per_store=12` (2 to 200), `customers_per_store=60`
(2 to 5,000), `assignment="randomised"` or `"chosen"`, `choice_strength=1.5` (0 to 5),
`confounder=0` (0 to 1), `programme_effect=0.5` (-2 to 2), `engagement_quality=0.6`,
`quality_satisfaction=0.5` (each -2 to 2), `direct_effect=0.1` (-2 to 2),
`leader_satisfaction=0` (-2 to 2).
"""


@dataclass(frozen=True, eq=False)
class ServiceChain:
    """A simulated service-profit chain: stores, employees, customers, and the truth.

    Attributes
    ----------
    stores, employees, customers : pandas.DataFrame
        The three tables of :data:`SERVICE_DATASHEET`.
    truth : dict
        The true values (see :func:`service_chain`).

    Examples
    --------
    >>> from cxlib.data import service_chain
    >>> chain = service_chain(n_stores=10, rng=1)
    >>> chain
    ServiceChain(10 stores, 120 employees, 600 customers; randomised programme in 5 stores; truth acme=0.15, ade=0.1)
    >>> print(chain.datasheet().splitlines()[0])
    # Datasheet: the synthetic service-profit chain (`cxlib.data.service_chain`)
    """

    stores: pd.DataFrame
    employees: pd.DataFrame
    customers: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    def datasheet(self) -> str:
        """Return :data:`SERVICE_DATASHEET` followed by the truth of this chain (markdown)."""
        t = self.truth
        lines = [
            SERVICE_DATASHEET,
            "## This chain",
            "",
            f"- {len(self.stores):,} stores, {len(self.employees):,} employees, {len(self.customers):,} customers",
            f"- programme {t['assignment']} in {int(self.stores['programme'].sum()):,} stores",
            f"- true ACME {t['acme']:.4g}, ADE {t['ade']:.4g}, total {t['total']:.4g}; "
            f"ICC of engagement {t['icc_engagement']:.3f}; confounder {t['paths']['confounder']:g}",
        ]
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        t = self.truth
        return (f"ServiceChain({len(self.stores):,} stores, {len(self.employees):,} employees, "
                f"{len(self.customers):,} customers; {t['assignment']} programme in "
                f"{int(self.stores['programme'].sum()):,} stores; truth acme={t['acme']:.4g}, ade={t['ade']:.4g})")


def _limits(a: float, b: float, c: float, d: float, k: float, var_l: float, diff_l: float,
            rest: float) -> dict[str, float]:
    """What the customer-level mediation converges to when ``L`` enters the models with
    conditional variance ``var_l`` and mean difference ``diff_l`` between the arms, and the
    confounder is left out (see the datasheet)."""
    lb = SERVICE_CONSTANTS["leader_between"]
    a_lim = a + lb * diff_l
    var_e = lb**2 * var_l + rest + k**2
    g = (k**2 + d * lb * var_l) / var_e
    b_lim = b + g
    ade = c + d * diff_l - g * a_lim
    return {"a": a_lim, "b": b_lim, "acme": a_lim * b_lim, "ade": ade, "total": a_lim * b_lim + ade}


def service_chain(
    n_stores: int = 80,
    employees_per_store: int = 12,
    customers_per_store: int = 60,
    *,
    assignment: str = "randomised",
    choice_strength: float = 1.5,
    confounder: float = 0.0,
    programme_effect: float = 0.5,
    engagement_quality: float = 0.6,
    quality_satisfaction: float = 0.5,
    direct_effect: float = 0.1,
    leader_satisfaction: float = 0.0,
    rng: None | int | np.random.Generator = None,
) -> ServiceChain:
    """Simulate a chain of stores: programme -> engagement -> service -> satisfaction -> revenue.

    The generating equations (units and the fixed constants in :data:`SERVICE_DATASHEET`)::

        L_s ~ N(0, 1)                                    manager's leading by example
        programme_s: half the stores at random, or 1{choice_strength L_s + N(0,1) > 0}
        leader_rating_i = 4 + L_s + w_i,  w_i ~ N(0, .75^2)
        engagement_i = 4 + a programme + .4 L_s + .2 w_i + u_s + k U_i + N(0, 1)
        service_quality_j = 1 + theta engagement_i + q_s + N(0, .8^2)
        satisfaction_j = 4.5 + phi quality_j + c programme + d L_s + v_s + k U_i + N(0, .8^2)
        revenue_s = 50 + 20 mean(satisfaction_s) + N(0, 5^2)
        u_s ~ N(0, .4^2), q_s ~ N(0, .2^2), v_s ~ N(0, .3^2), U_i ~ N(0, 1) unrecorded

    Parameters
    ----------
    n_stores : int, default 80
        Stores, 4 to 5,000.
    employees_per_store : int, default 12
        Employees in each store, 2 to 200.
    customers_per_store : int, default 60
        Surveyed customers of each store, 2 to 5,000; each served by one of its employees,
        chosen at random.
    assignment : {"randomised", "chosen"}, default "randomised"
        Who decides which stores run the programme: a coin (exactly half the stores), or
        the managers, the better leaders more often.
    choice_strength : float, default 1.5
        With ``assignment="chosen"``: how strongly leading by example drives the choice, 0
        (not at all: as good as random) to 5.
    confounder : float, default 0
        k, the effect of the employees' unrecorded disposition on both their engagement and
        their customers' satisfaction (per sd), 0 to 1.
    programme_effect : float, default 0.5
        a, the programme's effect on engagement, -2 to 2.
    engagement_quality : float, default 0.6
        theta, service quality per point of engagement, -2 to 2.
    quality_satisfaction : float, default 0.5
        phi, satisfaction per point of service quality, -2 to 2.
    direct_effect : float, default 0.1
        c, the programme's effect on satisfaction not through engagement, -2 to 2.
    leader_satisfaction : float, default 0
        d, the manager's leading by example's own effect on customers' satisfaction, -2 to 2
        (nonzero: L also confounds engagement and satisfaction).
    rng : None, int or numpy.random.Generator
        Seed or generator (see :func:`cxlib.check_rng`).  The same seed with other settings
        draws the same random numbers (common random numbers): only what the settings change
        differs.

    Returns
    -------
    ServiceChain
        ``stores``, ``employees``, ``customers`` and ``truth``, a dict with keys ``acme``,
        ``ade``, ``total``, ``prop_mediated``, ``revenue_effect``, ``paths``,
        ``icc_engagement``, ``icc_satisfaction``, ``design_effect_engagement``,
        ``between_effect``, ``within_effect``, ``between_effect_observed``, ``naive``,
        ``adjusted``, ``assignment``, ``choice_strength``, ``n_stores``,
        ``employees_per_store``, ``customers_per_store``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range (the message names it).

    Examples
    --------
    >>> from cxlib.data import service_chain
    >>> chain = service_chain(rng=3)
    >>> chain.customers.columns.tolist()
    ['customer_id', 'store_id', 'employee_id', 'programme', 'leading_by_example', 'engagement', 'service_quality', 'satisfaction']
    >>> t = chain.truth
    >>> round(t["acme"], 3), t["ade"], round(t["total"], 3), round(t["icc_engagement"], 3)
    (0.15, 0.1, 0.25, 0.272)
    >>> round(service_chain(assignment="chosen", rng=3).truth["naive"]["acme"], 3)
    0.309
    >>> service_chain(assignment="chose")
    Traceback (most recent call last):
    ...
    ValueError: assignment 'chose' is not known; valid choices are 'randomised', 'chosen'; did you mean 'chosen'?
    """
    n_s = params.integer("n_stores", n_stores, min=4, max=5_000)
    m = params.integer("employees_per_store", employees_per_store, min=2, max=200)
    n_c = params.integer("customers_per_store", customers_per_store, min=2, max=5_000)
    how = params.choice("assignment", assignment, ("randomised", "chosen"))
    gamma = params.real("choice_strength", choice_strength, min=0, max=5)
    k = params.real("confounder", confounder, min=0, max=1)
    a = params.real("programme_effect", programme_effect, min=-2, max=2)
    theta = params.real("engagement_quality", engagement_quality, min=-2, max=2)
    phi = params.real("quality_satisfaction", quality_satisfaction, min=-2, max=2)
    c = params.real("direct_effect", direct_effect, min=-2, max=2)
    d = params.real("leader_satisfaction", leader_satisfaction, min=-2, max=2)
    gen = check_rng(rng)

    import pandas as pd

    K = SERVICE_CONSTANTS
    n_e = n_s * m
    n_cust = n_s * n_c
    # every draw is made whatever the settings (common random numbers)
    L = gen.standard_normal(n_s)
    z = gen.standard_normal(n_s)
    order = gen.permutation(n_s)
    u = K["engagement_store_sd"] * gen.standard_normal(n_s)
    q = K["quality_store_sd"] * gen.standard_normal(n_s)
    v = K["satisfaction_store_sd"] * gen.standard_normal(n_s)
    r = K["revenue_sd"] * gen.standard_normal(n_s)
    w = K["rating_sd"] * gen.standard_normal(n_e)
    U = gen.standard_normal(n_e)
    e = K["engagement_sd"] * gen.standard_normal(n_e)
    served = gen.integers(0, m, size=n_cust)
    h = K["quality_sd"] * gen.standard_normal(n_cust)
    g = K["satisfaction_sd"] * gen.standard_normal(n_cust)

    if how == "randomised":
        prog = np.zeros(n_s)
        prog[order[: n_s // 2]] = 1.0
    else:
        prog = (gamma * L + z > 0).astype(float)
    store_of_emp = np.repeat(np.arange(n_s), m)
    engagement = (4.0 + a * prog[store_of_emp] + K["leader_between"] * L[store_of_emp] + K["leader_within"] * w
                  + u[store_of_emp] + k * U + e)
    rating = 4.0 + L[store_of_emp] + w
    store_of_cust = np.repeat(np.arange(n_s), n_c)
    emp = store_of_cust * m + served
    quality = 1.0 + theta * engagement[emp] + q[store_of_cust] + h
    satisfaction = (4.5 + phi * quality + c * prog[store_of_cust] + d * L[store_of_cust] + v[store_of_cust]
                    + k * U[emp] + g)
    mean_sat = np.bincount(store_of_cust, weights=satisfaction, minlength=n_s) / n_c
    mean_eng = np.bincount(store_of_emp, weights=engagement, minlength=n_s) / m
    revenue = 50.0 + K["revenue_per_satisfaction"] * mean_sat + r

    ids = np.arange(1, n_s + 1, dtype=np.int64)
    stores = pd.DataFrame({"store_id": ids, "programme": prog.astype(np.int64), "leading_by_example": L,
                           "n_employees": np.full(n_s, m, dtype=np.int64),
                           "n_customers": np.full(n_s, n_c, dtype=np.int64),
                           "engagement": mean_eng, "satisfaction": mean_sat, "revenue": revenue})
    employees = pd.DataFrame({"employee_id": np.arange(1, n_e + 1, dtype=np.int64), "store_id": ids[store_of_emp],
                              "programme": prog[store_of_emp].astype(np.int64), "leader_rating": rating,
                              "engagement": engagement, "disposition": U})
    customers = pd.DataFrame({"customer_id": np.arange(1, n_cust + 1, dtype=np.int64),
                              "store_id": ids[store_of_cust], "employee_id": emp.astype(np.int64) + 1,
                              "programme": prog[store_of_cust].astype(np.int64),
                              "leading_by_example": L[store_of_cust], "engagement": engagement[emp],
                              "service_quality": quality, "satisfaction": satisfaction})

    # --- the truth (closed forms; see the datasheet) ---
    b = theta * phi
    cov_pl = gamma / math.sqrt(1 + gamma**2) / math.sqrt(2 * math.pi) if how == "chosen" else 0.0
    diff_l = 4 * cov_pl  # E[L | programme 1] - E[L | programme 0] (each arm is half the stores)
    var_l = 1 - diff_l**2 / 4  # var(L | programme)
    lb, lw, sw = K["leader_between"], K["leader_within"], K["rating_sd"]
    su, se_ = K["engagement_store_sd"], K["engagement_sd"]
    between_e = a**2 / 4 + lb**2 + 2 * a * lb * cov_pl + su**2
    within_e = lw**2 * sw**2 + k**2 + se_**2
    icc_e = between_e / (between_e + within_e)
    tot_p, tot_l = b * a + c, b * lb + d  # store-level coefficients of programme and L on satisfaction
    between_s = (tot_p**2 / 4 + tot_l**2 + 2 * tot_p * tot_l * cov_pl + b**2 * su**2
                 + phi**2 * K["quality_store_sd"] ** 2 + K["satisfaction_store_sd"] ** 2)
    var_emp = b**2 * (lw**2 * sw**2 + se_**2) + (b * k + k) ** 2  # what the serving employee adds
    within_s = var_emp + phi**2 * K["quality_sd"] ** 2 + K["satisfaction_sd"] ** 2
    # a store has only m employees: the mean of their contributions varies between stores
    between_s, within_s = between_s + var_emp / m, within_s - var_emp / m
    s_mean = sw**2 / m
    rest = lw**2 * sw**2 + su**2 + se_**2  # var(engagement | programme, L) without the confounder
    total = a * b + c
    truth = {
        "acme": a * b,
        "ade": c,
        "total": total,
        "prop_mediated": a * b / total if total != 0 else math.nan,
        "revenue_effect": K["revenue_per_satisfaction"] * total,
        "paths": {"a": a, "theta": theta, "phi": phi, "b": b, "direct": c, "leader_satisfaction": d,
                  "confounder": k, **K},
        "icc_engagement": icc_e,
        "icc_satisfaction": between_s / (between_s + within_s),
        "design_effect_engagement": 1 + (m - 1) * icc_e,
        "between_effect": lb,
        "within_effect": lw,
        "between_effect_observed": (lb * var_l + lw * s_mean) / (var_l + s_mean),
        "naive": _limits(a, b, c, d, k, var_l, diff_l, rest),
        "adjusted": _limits(a, b, c, 0.0, k, 0.0, 0.0, rest),
        "assignment": how,
        "choice_strength": gamma,
        "n_stores": n_s,
        "employees_per_store": m,
        "customers_per_store": n_c,
    }
    return ServiceChain(stores=stores, employees=employees, customers=customers, truth=truth)
