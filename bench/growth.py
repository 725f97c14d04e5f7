"""Figure 6: how a deployment grows with its number of steps.

The same local stack as figures 2 and 3 (poll interval 60 s). An explicit steps strategy
with n steps of equal increments up to 100 %, each baking 10 s (one poll), and
termination_wait_seconds 0 (the final wait is then the ALB propagation delay, 60 s, one
poll). Time is compressed (time_scale 0.001): the wall duration is the local orchestration
overhead (moto's interpreter, our handlers, moto's APIs); the Wait seconds are what the
same execution would spend waiting on AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.cost import Deployment, Session, deployment_session
from bench.harness import REPOSITORY

STEP_COUNTS = (1, 5, 20)
STEP_BAKE_SECONDS = 10


def steps_strategy(count: int) -> dict[str, object]:
    weights = [round(100 * (index + 1) / count) for index in range(count)]
    return {"steps": [{"weight": weight, "bake_seconds": STEP_BAKE_SECONDS} for weight in weights]}


@dataclass
class GrowthResult:
    by_steps: dict[int, Deployment] = field(default_factory=dict)  # the run with the median wall time
    runs_of: dict[int, list[Deployment]] = field(default_factory=dict)  # every run

    def counts_stable(self) -> bool:
        return all(
            len({(d.transitions, d.invocations, tuple(sorted(d.api_calls.items()))) for d in runs}) == 1
            for runs in self.runs_of.values()
        )

    def marginal(self, attribute: str) -> float:
        """Per added step, between the fewest and the most steps measured."""
        low, high = min(self.by_steps), max(self.by_steps)
        values = {n: float(getattr(self.by_steps[n], attribute)) for n in (low, high)}
        return (values[high] - values[low]) / (high - low)

    def linear(self) -> bool:
        """Whether every step count's transitions lie exactly on one line."""
        counts = sorted(self.by_steps)
        if len(counts) < 3:
            return len(counts) == 2
        slope = self.marginal("transitions")
        first = self.by_steps[counts[0]].transitions
        return all(abs(self.by_steps[n].transitions - (first + slope * (n - counts[0]))) < 1e-9 for n in counts[1:])


def measure_growth(
    step_counts: tuple[int, ...] = STEP_COUNTS, runs: int = 1, session: Session | None = None
) -> GrowthResult:
    """`runs` deployments per step count (interleaved); counts are the same in every run,
    the wall time is the median run's."""
    if session is None:
        with deployment_session() as own:
            return measure_growth(step_counts, runs, own)
    measured: dict[int, list[Deployment]] = {count: [] for count in step_counts}
    for run in range(runs):
        for count in step_counts:
            execution_input = {
                "image": f"{REPOSITORY}:steps-{count}-{run}",
                "strategy": steps_strategy(count),
                "termination_wait_seconds": 0,
            }
            name = f"growth-{count}-{run}"
            deployment = session.instruments.run(session.local, execution_input, name, f"{count} steps")
            if deployment.status != "SUCCEEDED":
                raise RuntimeError(f"{count}-step deployment ended {deployment.status}")
            measured[count].append(deployment)
    result = GrowthResult()
    for count, deployments in measured.items():
        ordered = sorted(deployments, key=lambda d: d.wall_seconds)
        result.by_steps[count] = ordered[(len(ordered) - 1) // 2]
        result.runs_of[count] = deployments
    return result
