"""Project 7's interview story, "how I knew it worked online": facts from reports/online.json."""

from __future__ import annotations

from course.stories.projects import ProjectStory, readme_answer
from course.stories.results import Fact, Facts, Results, format_share


def _money(value: float) -> str:
    return f"{value:+,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def facts(r: Results) -> Facts:
    discount = r.number("experiment.arms.discount.revenue.estimate")
    return {
        "population": Fact(f"{r.number('design.population'):,.0f}", "customers in the month", "`design`"),
        "mde": Fact(f"${r.number('design.mde_month'):.2f}", "one month's MDE", "`design.mde_month`"),
        "mde_cuped": Fact(f"${r.number('design.mde_month_cuped'):.2f}", "the MDE with CUPED", "`design`"),
        "discount": Fact(_money(discount), "the discount's revenue effect per customer", "`experiment.arms`"),
        "retention": Fact(
            f"{r.number('experiment.arms.discount.retention.estimate'):+.3f}",
            "the discount's retention effect",
            "`experiment.arms`",
        ),
        "coverage": Fact(format_share(r.number("coverage.plain")), "interval coverage", "`coverage.plain`"),
        "srm_p": Fact(f"{r.number('srm.srm.p_value'):.1e}", "the broken log's SRM p-value", "`srm.srm`"),
        "fpr_naive": Fact(format_share(r.number("peeking.fpr_naive")), "naive peeking FPR", "`peeking`"),
        "fpr_msprt": Fact(format_share(r.number("peeking.fpr_msprt")), "mSPRT FPR", "`peeking`"),
        "profit_uplift": Fact(_money(r.number("uplift.profit_uplift")), "uplift list profit", "`uplift`"),
        "profit_risk": Fact(_money(r.number("uplift.profit_risk")), "risk list profit", "`uplift`"),
        "capacity": Fact(f"{r.number('uplift.capacity'):,.0f}", "offers available", "`uplift.capacity`"),
        "regret_ts": Fact(f"{r.number('bandit.mean_regret.thompson'):.0f}", "Thompson regret", "`bandit`"),
        "regret_eq": Fact(
            f"{r.number('bandit.mean_regret.equal_split'):.0f}", "equal split regret", "`bandit`"
        ),
    }


STORIES = (
    ProjectStory(
        "evaluation",
        "How did you know it worked online?",
        (
            """The retention team wanted to send a discount, a call or a free upgrade to customers at risk of
            leaving, and asked which one to roll out.""",
            """Decide with an experiment whose metrics were fixed in advance: 90-day revenue per customer as
            the primary metric, complaints and retention as guardrails, the contact cost subtracted.""",
            """I sized it first (one month of {population} customers gives an MDE of {mde}, {mde_cuped} with
            CUPED), randomised by customer within contract and plan, checked the split before any effect
            (the team's previous log failed it, p = {srm_p}), and validated the method on the simulator:
            the 95 % interval held the true effect {coverage} of the time over re-run experiments.""",
            """No offer shipped to everyone: the discount kept customers ({retention} retention) but cost
            {discount} in revenue per customer. Targeted by uplift, {capacity} discounts earned
            {profit_uplift} where the riskiest {capacity} customers would have earned {profit_risk}.""",
        ),
        (
            (
                "Why not just look at the dashboard every day?",
                """Because daily looks at a fixed-sample test find a difference in {fpr_naive} of identical
                arms; the always-valid mSPRT kept it at {fpr_msprt}, at a cost in power.""",
            ),
            (
                "Why not let a bandit decide?",
                """It did lose less on the way (regret {regret_ts} against {regret_eq} for an equal split),
                but it gives no unbiased effect estimate and our reward arrives 135 days late.""",
            ),
        ),
        (
            readme_answer("Ship or not: the memo"),
            readme_answer("Who to target with the discount"),
        ),
    ),
)
