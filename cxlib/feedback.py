"""A feedback-loop simulation of a customer base, vectorised over customers.

The readings claim that collecting and acting on customer feedback makes a business
better over time (``000_6dbbfaf15ab60b2f.txt``, technique 4; ``003_76b12731695d8fc6.txt``,
technique 7; ``004_0656c6b687fc57ea.txt``, *Customer Feedback Loops*), and that how
people think about customers decides what a firm does with what it hears
(``001_54a63cd485e4840b.txt``: the fixed, organisational, compliance and technical
mindsets against a customer-centric one; lesson 04).  This module turns those claims
into a model that can be run, varied and argued with.

The model, period by period
---------------------------
Each of ``n`` active customers, with satisfaction ``s_i`` (0-10), meets the product,
whose quality is ``Q_t`` (0-1), and, if something goes wrong, the service:

1. **Problems.**  Customer ``i`` has a problem with probability
   ``problem_rate * (1 - Q_t)``.  A problem is about one of three kinds (:data:`KINDS`):
   customer *pain* (time, emotions, money, risk, convenience), *revenue* (a failed
   payment, a broken checkout) or *technical* detail.  Each kind ``k`` has its own
   quality ``Q_k``; with shares ``s_k`` (``share_revenue``, ``share_technical``, pain the
   rest) the overall quality is ``Q_t = 1 - sum_k s_k (1 - Q_k)`` and a problem is of
   kind ``k`` with probability ``s_k (1 - Q_k) / (1 - Q_t)``.  By default every problem
   is about pain (lesson 03's model).
2. **Voice.**  A customer with a problem tells the firm with probability
   ``feedback_rate``; the others stay silent.
3. **Service recovery.**  A voiced problem is resolved with the probability the
   policy gives (``Policy.recovery_probability``, by default ``Policy.recovery``); the
   firm pays ``g * claim`` of compensation on it, ``g`` the policy's ``generosity``.
4. **Experience.**  The period's experience ``e_i`` is ``e_ok = 6 + 4 Q_t`` without a
   problem, ``satisfaction_silent`` for a silent problem, ``satisfaction_unresolved``
   for one voiced but not resolved and, for a resolved one,
   ``e_rec = satisfaction_recovered + g (satisfaction_compensated - satisfaction_recovered)``,
   capped at ``e_ok`` when ``recovery_paradox`` is False (see below).  A revenue or
   technical problem moves the experience only ``severity_revenue`` or
   ``severity_technical`` of the way: ``e_i = e_ok + severity_k (e - e_ok)``.
5. **Satisfaction** moves towards experience:
   ``s_i <- (1 - satisfaction_weight) s_i + satisfaction_weight e_i``.
6. **Churn.**  Customer ``i`` leaves with probability
   ``logistic(logit(churn_at_5) - churn_slope (s_i - 5))``: falling as satisfaction rises.
7. **Word of mouth.**  NPS is ``100 (promoters - detractors) / n`` with promoters
   ``s_i >= 9`` and detractors ``s_i <= 6`` (satisfaction stands in for likelihood to
   recommend).  Each promoter who stays brings a new customer with probability
   ``referral_rate``: the reinforcing loop.  On top, ``Poisson(acquisition)`` new
   customers arrive from marketing.  New customers start at ``initial_satisfaction``.
8. **Acting on feedback.**  Voiced problems join a backlog.  Items become *ready*
   ``action_delay + Policy.extra_delay`` periods after they arrive; the firm acts on
   ``A_t = Policy.to_act(ready, action_capacity)`` of the ready items of the kinds it
   acts on (``Policy.act_on``): at most ``action_capacity`` (times
   ``Policy.capacity_share``), the kind ``Policy.priority`` first, else oldest first.
   Each item of kind ``k`` acted on closes a share ``improvement`` of that kind's
   quality gap, so ``Q_k <- 1 - (1 - Q_k) (1 - improvement) ** A_k``: diminishing
   returns, and quality changes only through action.  Fewer problems then mean more
   satisfied customers, less churn and more promoters: the balancing loop of a
   shrinking backlog and the reinforcing loop of word of mouth.
9. **Money.**  ``revenue_t = price * (n - B_t)``, ``B_t`` customers with a revenue
   problem; ``cost_t = cost_per_action A_t + (cost_per_recovery + g claim) R_t +
   cost_per_feedback V_t`` with ``R_t`` resolved and ``V_t`` voiced problems;
   ``profit_t = revenue_t - cost_t``.

Mindsets as policies (lesson 04)
--------------------------------
:class:`Policy` has one classmethod per mindset of seed 001, each documented with the
sentence it encodes and the levers that encode it (:func:`mindsets` tabulates them):
:meth:`Policy.fixed`, :meth:`Policy.organisational`, :meth:`Policy.compliance`,
:meth:`Policy.technical`, :meth:`Policy.customer_centric` and the limit case
:meth:`Policy.lose_every_fight`.  :func:`compare` runs them on common random numbers;
:func:`policy_summary` gives means, Monte Carlo standard errors and paired differences;
:func:`policy_clv` a customer lifetime value per run; :func:`generosity_curve` and
:func:`breakeven_generosity` ask whether a firm "can afford to be generous".

The service recovery paradox -- a customer whose problem is resolved well ends more
satisfied than one who never had a problem -- is an assumption here, switched by
``Params.recovery_paradox`` (default True, which keeps lesson 03's model unchanged).
The evidence is mixed: de Matos, Henrique & Rossi's meta-analysis (2007, Journal of
Service Research 10(1), 60-77) found a positive mean effect on satisfaction but none on
repurchase intentions or word of mouth.  In this model churn and referral follow
satisfaction, so with the paradox on, generosity reaches them too: the optimistic
reading.  Switch it off to see how much of an answer rests on it.

Randomness: common random numbers that are real
------------------------------------------------
Every random event is tied to *who* it happens to and *when*: customer ``i``'s draw
for "problem" in week ``t`` is a fixed function of the seed, the customer, the week and
the purpose (a counter-based generator: SplitMix64 indexed by customer and week; each
64-bit draw gives two 32-bit uniforms, see ``cxlib._feedback_draws``).  So two policies
run with the same seed face the same customers' luck: the same customer has the same
problem in the same week under both, if she is still there, and differences between
the runs come from the policies.
Customers are identified by their position at the start (``0 .. n_customers - 1``) or
by how they arrived (the ``j``-th marketing or referral arrival of week ``t``), never
by a running count, so newcomers line up across policies too.  The number of
marketing arrivals of each week, ``Poisson(acquisition)``, is drawn once per seed from
its own stream, the same for every policy; each staying promoter refers with her own
draw; what a problem is about has its own stream, drawn only when problems come in
several kinds.  The same seed gives identical results, and ``history=True`` draws
nothing extra.

Memory grows with the number of customers, not with customers x periods: only the
active customers' satisfaction is kept (and their ids and cohort flag), unless
``history=True`` asks for every customer-period.

The code lives in private modules: ``_feedback_model`` (parameters, policies, one
run), ``_feedback_draws`` (the keyed random numbers), ``_feedback_runs`` (Monte Carlo,
comparisons, bands) and ``_feedback_mindsets`` (lesson 04's summaries and searches).
"""

from cxlib._feedback_mindsets import (
    DISCOUNT,
    RUN_METRICS,
    YOUR_POLICY,
    breakeven_generosity,
    explore_policy,
    generosity_curve,
    mindsets,
    policy_clv,
    policy_summary,
    run_totals,
)
from cxlib._feedback_model import (
    KINDS,
    PERIOD_COLUMNS,
    PRIORITIES,
    READINGS,
    Params,
    Policy,
    Result,
    _check_inputs,
    simulate,
)
from cxlib._feedback_runs import bands, breakeven_period, compare, explore, monte_carlo

__all__ = [
    "Params",
    "Policy",
    "Result",
    "simulate",
    "monte_carlo",
    "compare",
    "bands",
    "breakeven_period",
    "explore",
    "explore_policy",
    "mindsets",
    "run_totals",
    "policy_clv",
    "policy_summary",
    "generosity_curve",
    "breakeven_generosity",
    "PERIOD_COLUMNS",
    "KINDS",
    "PRIORITIES",
    "READINGS",
    "RUN_METRICS",
    "DISCOUNT",
    "YOUR_POLICY",
]
