"""Figure 4: how long `python app.py` takes to synthesize, and how it grows with services.

Each sample is `python app.py` in a fresh interpreter (jsii starts its Node.js process
there), with cdk.json's context passed as CDK_CONTEXT_JSON, as the CDK CLI does, into a
temporary CDK_OUTDIR; cdk-nag's AwsSolutions checks run on every synth (app.py). Not
included: the CDK CLI itself (`cdk synth` starts Node.js, then runs the same command).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import scratch, synth_app

SINGLE_SAMPLES = 5
SERVICE_COUNTS = (1, 5, 10)


@dataclass(frozen=True)
class SynthSample:
    services: int
    seconds: float
    stacks: int
    resources: int
    template_bytes: int


@dataclass
class SynthResult:
    single: list[SynthSample] = field(default_factory=list)
    by_services: dict[int, SynthSample] = field(default_factory=dict)

    @property
    def single_median(self) -> float:
        return statistics.median(s.seconds for s in self.single)

    def fit(self) -> tuple[float, float]:
        """Least-squares line through every sample, (services, seconds): (seconds at 0 services,
        seconds per added service)."""
        points = [(1, s.seconds) for s in self.single] + [(n, s.seconds) for n, s in self.by_services.items()]
        mean_x = statistics.fmean(x for x, _ in points)
        mean_y = statistics.fmean(y for _, y in points)
        spread = sum((x - mean_x) ** 2 for x, _ in points)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0
        return mean_y - slope * mean_x, slope

    def per_added_service(self) -> float:
        return self.fit()[1]


def services_context(count: int) -> dict[str, object]:
    return {"services": [{"service_name": f"svc{index}"} for index in range(1, count + 1)]}


def synth_sample(services: int, overrides: dict[str, object]) -> SynthSample:
    outdir = tempfile.mkdtemp(prefix="synth-", dir=scratch())
    try:
        synth = synth_app(overrides, Path(outdir))
        templates = synth.templates()
        return SynthSample(
            services=services,
            seconds=synth.seconds,
            stacks=len(templates),
            resources=sum(len(t.get("Resources", {})) for t in templates.values()),
            template_bytes=sum(p.stat().st_size for p in Path(outdir).glob("*.template.json")),
        )
    finally:
        shutil.rmtree(outdir, ignore_errors=True)


def measure_synth(samples: int = SINGLE_SAMPLES, service_counts: tuple[int, ...] = SERVICE_COUNTS) -> SynthResult:
    """The single-service samples interleaved with the multi-service ones, so a change in the
    machine's load affects both alike."""
    result = SynthResult()
    pending = list(service_counts)
    for _ in range(samples):
        result.single.append(synth_sample(1, {}))
        if pending:
            count = pending.pop(0)
            result.by_services[count] = synth_sample(count, services_context(count))
    for count in pending:
        result.by_services[count] = synth_sample(count, services_context(count))
    return result
