"""The cxlib feedback-loop model written as a Mesa 3 agent-based model: the benchmark's peer.

This is the model of :mod:`cxlib.feedback` (see its module docstring, steps 1-9) the way a
researcher would write it in Mesa: one ``Customer`` agent per customer, holding its own
satisfaction, and a ``FeedbackModel`` holding quality, the feedback backlog and the period's
counters.  Each period the customers step (problem, voice, recovery, satisfaction, churn
decision) in random order, then the model does the firm-level steps (NPS, referrals,
acquisition, acting on the backlog, quality, removing churned customers, adding new ones) and
a ``DataCollector`` records the period's row.

Parameters come from a :class:`cxlib.feedback.Params` and the firm's behaviour from a
:class:`cxlib.feedback.Policy`, so both implementations use the very same values and policy
semantics.  Random numbers differ from cxlib's (the model's ``self.random`` for per-agent
draws, ``self.rng`` for the Poisson arrivals), so the two agree statistically, not run by run.

Mesa is a benchmark-only dependency: ``.venv/bin/pip install -c constraints.txt -e ".[bench]"``.

Run one replication::

    python benchmarks/feedback_mesa.py
"""

from __future__ import annotations

import math
from collections import deque

import mesa
import numpy as np
import pandas as pd

from cxlib.feedback import PERIOD_COLUMNS, Params, Policy

__all__ = ["Customer", "FeedbackModel", "run_mesa"]

_INT_COLUMNS = ["period", "active", "new", "churned", "feedback_received", "feedback_acted", "backlog", "recovered"]


def _logistic(x: float) -> float:
    """1 / (1 + exp(-x)) without overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class Customer(mesa.Agent):
    """One customer: meets the product, perhaps has a problem, perhaps voices it, may leave."""

    def __init__(self, model: FeedbackModel, satisfaction: float, cohort: bool) -> None:
        super().__init__(model)
        self.satisfaction = satisfaction
        self.cohort = cohort  # active at the start of the simulation
        self.churned = False

    def step(self) -> None:
        model = self.model
        p = model.params
        quality = model.quality
        # 1-4: problem, voice, recovery -> the period's experience
        experience = 6.0 + 4.0 * quality
        if self.random.random() < p.problem_rate * (1.0 - quality):
            if self.random.random() < p.feedback_rate:
                model.voiced += 1
                if self.random.random() < model.policy.recovery_probability(self.satisfaction):
                    model.recovered += 1
                    experience = p.satisfaction_recovered
                else:
                    experience = p.satisfaction_unresolved
            else:
                experience = p.satisfaction_silent
        # 5: satisfaction moves towards experience
        w = p.satisfaction_weight
        self.satisfaction = (1.0 - w) * self.satisfaction + w * experience
        # 6: churn decision (acted on by the model at the end of the period)
        if model.logit5 is None:  # churn_at_5 is 0 or 1
            leave = p.churn_at_5 >= 1.0
        else:
            leave = self.random.random() < _logistic(model.logit5 - p.churn_slope * (self.satisfaction - 5.0))
        self.churned = leave


class FeedbackModel(mesa.Model):
    """The firm and its customer base; ``step()`` is one period."""

    def __init__(self, params: Params | None = None, policy: Policy | None = None, seed: int | None = None) -> None:
        super().__init__(seed=seed)
        self.params = p = Params() if params is None else params
        self.policy = Policy() if policy is None else policy
        self.quality = p.initial_quality
        self.backlog: deque[list[int]] = deque()  # [arrival period, items], oldest first
        self.logit5 = math.log(p.churn_at_5 / (1 - p.churn_at_5)) if 0 < p.churn_at_5 < 1 else None
        self.period = 0
        self.voiced = self.recovered = 0
        # the period's row, read by the DataCollector
        self.row: dict[str, float] = dict.fromkeys(PERIOD_COLUMNS, 0)
        Customer.create_agents(self, p.n_customers, satisfaction=p.initial_satisfaction, cohort=True)
        self.datacollector = mesa.DataCollector(
            model_reporters={c: (lambda m, c=c: m.row[c]) for c in PERIOD_COLUMNS}
        )

    def step(self) -> None:
        p = self.params
        t = self.period
        n = len(self.agents)
        quality = self.quality  # the quality this period's customers experience
        self.voiced = self.recovered = 0
        # 1-6: every customer's own step, in random order
        self.agents.shuffle_do("step")
        # 7: word of mouth (NPS over this period's customers, after their update)
        promoters = self.agents.select(lambda a: a.satisfaction >= 9.0)
        detractors = self.agents.select(lambda a: a.satisfaction <= 6.0)
        staying_promoters = promoters.select(lambda a: not a.churned)
        referrals = sum(1 for _ in staying_promoters if self.random.random() < p.referral_rate)
        n_new = int(self.rng.poisson(p.acquisition)) + referrals
        # 8: acting on feedback
        received = self.voiced
        if received:
            self.backlog.append([t, received])
        ready = sum(items for arrival, items in self.backlog if arrival <= t - p.action_delay)
        act = self.policy.to_act(ready, p.action_capacity)
        left = act
        while left:
            take = min(left, self.backlog[0][1])
            self.backlog[0][1] -= take
            left -= take
            if self.backlog[0][1] == 0:
                self.backlog.popleft()
        # 9: money, and the period's row
        churned = self.agents.select(lambda a: a.churned)
        n_churned = len(churned)
        revenue = p.price * n
        cost = p.cost_per_action * act + p.cost_per_recovery * self.recovered + p.cost_per_feedback * received
        self.row = {
            "period": t + 1,
            "active": n - n_churned + n_new,
            "new": n_new,
            "churned": n_churned,
            "quality": quality,
            "mean_satisfaction": self.agents.agg("satisfaction", np.mean) if n else math.nan,
            "nps": 100.0 * (len(promoters) - len(detractors)) / n if n else math.nan,
            "feedback_received": received,
            "feedback_acted": act,
            "backlog": sum(items for _, items in self.backlog),
            "revenue": revenue,
            "cost": cost,
            "profit": revenue - cost,
            "recovered": self.recovered,
            "compensation": 0.0,  # lesson 04's generosity is not modelled here (the default policy pays none)
        }
        self.datacollector.collect(self)
        # next period: quality improves, churned customers leave, new ones arrive
        if act:
            self.quality = 1.0 - (1.0 - self.quality) * (1.0 - p.improvement) ** act
        churned.do("remove")
        Customer.create_agents(self, n_new, satisfaction=p.initial_satisfaction, cohort=False)
        self.period += 1
        if self.period >= p.n_periods:
            self.running = False

    @property
    def cohort_retention(self) -> float:
        """Share of the customers active at the start who are still active."""
        return sum(1 for a in self.agents if a.cohort) / self.params.n_customers

    def periods(self) -> pd.DataFrame:
        """One row per period, with the columns of ``cxlib.feedback.Result.periods``."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)[list(PERIOD_COLUMNS)]
        frame[_INT_COLUMNS] = frame[_INT_COLUMNS].astype(np.int64)
        frame[[c for c in PERIOD_COLUMNS if c not in _INT_COLUMNS]] = frame[
            [c for c in PERIOD_COLUMNS if c not in _INT_COLUMNS]
        ].astype(np.float64)
        return frame


def run_mesa(params: Params | None = None, policy: Policy | None = None, seed: int | None = None) -> pd.DataFrame:
    """Run the Mesa model for ``params.n_periods`` periods; return its periods table."""
    model = FeedbackModel(params, policy, seed=seed)
    model.run_model()
    return model.periods()


if __name__ == "__main__":  # pragma: no cover
    import time

    params = Params(n_customers=10_000, n_periods=52, acquisition=120.0)
    start = time.perf_counter()
    table = run_mesa(params, seed=1)
    print(f"Mesa {mesa.__version__}: {params.n_customers:,} customers x {params.n_periods} periods "
          f"in {time.perf_counter() - start:.2f} s")
    print(table.iloc[[0, 12, 25, 38, 51]].to_string(index=False))
