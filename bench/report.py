"""The parameters of a run, its results, and their rendering as Markdown (bench/RESULTS.md).

Each figure renders on its own, so bench/run.py prints it as soon as it is measured."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from bench.cost import (
    ASSUMED_AWS_INVOCATION_SECONDS,
    BAKE_SECONDS,
    LISTENER_AND_ALARM_CALLS,
    POLL_INTERVAL_SECONDS,
    STRATEGIES,
    TERMINATION_WAIT_SECONDS,
    TIME_SCALE,
    CostResult,
    Deployment,
)
from bench.growth import STEP_BAKE_SECONDS, GrowthResult
from bench.judge import JudgeResult
from bench.judge_report import render_judge
from bench.lambda_figure import LambdaResult
from bench.reaction import BAKE_SECONDS as REACTION_BAKE_SECONDS
from bench.reaction import ReactionResult
from bench.synth_figure import SynthResult
from bench.transitions import TransitionsResult
from bench.transitions_report import render_transitions

CLOUDWATCH_EVENTS_DOC = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html"


@dataclass(frozen=True)
class Parameters:
    """How much of each figure a run measures. FULL is what RESULTS.md is made with."""

    name: str
    reaction_trials: int  # per path
    reaction_bake_wait_scale: float  # 1.0: the bake's poll Wait in real time
    cost_runs: int  # deployments per strategy
    growth_steps: tuple[int, ...]
    cold_samples: int  # per handler
    synth_samples: int  # single-service synths
    synth_service_counts: tuple[int, ...]
    judge_deployments: int = 1_000  # simulated A/A canaries per traffic level
    judge_trials: int = 200  # per regression, and at 1 request/s
    transitions_quick: bool = False  # figure 8: two transitions without the control, not all


FULL = Parameters(
    name="full",
    reaction_trials=20,
    reaction_bake_wait_scale=1.0,
    cost_runs=3,
    growth_steps=(1, 5, 20),
    cold_samples=10,
    synth_samples=5,
    synth_service_counts=(1, 5, 10),
)
QUICK = Parameters(
    name="quick",
    # 5, not 3: a clean-clone run met an event-path median of 0.9 s over 3 trials (locally 126, 188 and
    # 557 ms): the event path has a tail not explained yet; one slow trial no longer decides the median.
    reaction_trials=5,
    # 0.5: the 5 s poll interval passes in 2.5 s. At 0.2 (1 s) a poll 0.81 s into the interval beat an
    # event trial whose event path took 0.57 s (clean clone, 2026-12-03): the event path has a tail.
    reaction_bake_wait_scale=0.5,
    cost_runs=1,
    growth_steps=(1, 5),
    cold_samples=2,
    synth_samples=1,
    synth_service_counts=(2,),  # with the single-service sample standing for 1
    judge_deployments=50,
    judge_trials=20,
    transitions_quick=True,
)


@dataclass
class Results:
    parameters: Parameters
    machine: dict[str, str]
    reaction: ReactionResult | None = None
    cost: CostResult | None = None
    growth: GrowthResult | None = None
    lambda_: LambdaResult | None = None
    synth: SynthResult | None = None
    judge: JudgeResult | None = None
    transitions: TransitionsResult | None = None
    elapsed_seconds: float = 0.0


def usd(value: float) -> str:
    return f"${value:.5f}" if value < 0.01 else f"${value:.2f}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# ---------------------------------------------------------------------------- header
def render_header(results: Results) -> list[str]:
    machine = results.machine
    lines = [
        "# Cutover benchmarks",
        "",
        "Written by `python -m bench.run` (`make bench`); bench/README.md says what each figure means,",
        "how it is measured and what local AWS cannot measure. Everything runs on local AWS (moto) with",
        "the real synthesized state machine and the real Lambda handlers in-process: no AWS account.",
        "",
        *table(
            ["machine", ""],
            [
                ["date", machine["date"]],
                ["CPU", f"{machine['cpu']}, {machine['cores']} cores"],
                ["OS", machine["os"]],
                ["Python", machine["python"]],
                ["moto / boto3", f"{machine['moto']} / {machine['boto3']}"],
                ["aws-cdk-lib / Powertools", f"{machine['aws-cdk-lib']} / {machine['aws-lambda-powertools']}"],
                [
                    "load average (1 min), start / end",
                    f"{machine['load']} / {machine.get('load at end', '?')} (the machine's other work slows timings)",
                ],
                ["run", f"{results.parameters.name}, {results.elapsed_seconds:.0f} s"],
            ],
        ),
        "",
    ]
    if results.parameters.name != "full":
        lines += [f"**{results.parameters.name} run: few trials, not the published figures.**", ""]
    return lines


# ---------------------------------------------------------------------------- figure 1
NEAR_POLL = 0.7  # an alarm this far into a poll interval or later meets the bake's next check


def _listener_split(result: ReactionResult) -> list[str]:
    split = result.listener_split()
    if split is None:
        return []
    listener, rest = split
    events = [t for t in result.trials if t.path == "event"]
    near = [t.reaction_ms for t in events if t.delay_seconds >= NEAR_POLL * result.effective_poll_seconds]
    far = [t.reaction_ms for t in events if t.delay_seconds < NEAR_POLL * result.effective_poll_seconds]
    lines = [
        f"Where an event trial's time goes: the alarm listener Lambda (from the alarm until it answered, having "
        f"failed the bake's task token) median {statistics.median(listener):.0f} ms, max {max(listener):.0f} ms; "
        f"from then until the read-back (the interpreter failing the bake's branch, the rollback's steps up to "
        f"ModifyListener, the read-back) median {statistics.median(rest):.0f} ms, max {max(rest):.0f} ms.",
    ]
    if near and far:
        lines.append(
            f"Event trials whose alarm came in the last {100 - NEAR_POLL * 100:.0f} % of a poll interval (when "
            f"the bake's own check may run at the same moment, in the same interpreter) took a median "
            f"{statistics.median(near):.0f} ms ({len(near)} trials) against {statistics.median(far):.0f} ms "
            f"for the others ({len(far)})."
        )
    return [*lines, ""]


def render_reaction(result: ReactionResult) -> list[str]:
    poll = result.poll_interval_seconds
    effective = result.effective_poll_seconds
    trials = len(result.of("event"))
    rows = []
    for path, description, expected in (
        ("event", "event: alarm event → alarm listener → task token failed", "event"),
        ("polling", f"polling: no event; DescribeAlarms every {effective:g} s", "poll"),
    ):
        runs = [t for t in result.trials if t.path == path]
        as_expected = sum(1 for t in runs if t.triggered_by == expected)
        rows.append(
            [
                description,
                str(len(runs)),
                f"{result.median(path):.0f}",
                f"{result.mean(path):.0f}",
                f"{result.maximum(path):.0f}",
                f"{as_expected}/{len(runs)}",
            ]
        )
    scale_note = (
        "in real time"
        if result.bake_wait_scale == 1.0
        else f"at {result.bake_wait_scale:g}x its seconds, so it passes every {effective:g} s of wall time"
    )
    return [
        "## 1. Alarm reaction time: event path vs polling path",
        "",
        *table(
            ["path", "trials", "median ms", "mean ms", "max ms", "rolled back by that path"],
            rows,
        ),
        "",
        f"**The event path reacts {result.ratio:.0f}x faster** (median {result.median('event'):.0f} ms against "
        f"{result.median('polling'):.0f} ms; worst {result.maximum('event'):.0f} ms against "
        f"{result.maximum('polling'):.0f} ms). Polling waits for the next poll: on average half the interval "
        f"({effective / 2:.1f} s here) plus the same processing.",
        "",
        "Measured from the moment the new side's 5xx alarm is set to ALARM until DescribeListeners reads 100 % "
        "back on the old side (polled every ~5 ms).",
        "",
        *_listener_split(result),
        "How, exactly:",
        f'- The local stack is synthesized with `strategy_defaults={{"poll_interval_seconds": {poll}}}` '
        "(5 s is the configuration's minimum; the default is 60 s).",
        f"- The bake's poll Wait (`Bake: poll wait`) runs {scale_note}; every other Wait "
        "(stability and health loops) stays compressed 1000x, so a trial spends its time in the bake. "
        "Retry back-off is recorded, not slept.",
        f"- Each trial deploys a canary with `bake_seconds` {REACTION_BAKE_SECONDS} (and no smoke tests). Once the "
        "first bake has begun "
        '(the lock item holds its task token, `task_key == "step:0"`), it sleeps a uniformly random time '
        "within one poll interval (an event trial: within its first `poll - 1 s`, so the poll cannot "
        "win the race; `bench.reaction.EVENT_MARGIN_SECONDS`), then sets the alarm. The event trials "
        "also deliver the "
        "*CloudWatch Alarm State Change* event to the alarm listener Lambda, as EventBridge would "
        "(`LocalCutover.deliver_alarm_event`); the polling trials deliver nothing.",
        f"- {trials} trials per path, alternating; both Lambdas warm (one unmeasured event trial first); "
        "the last column checks, from each execution's cause, which path rolled it back.",
        "",
        "Not measured locally (moto cannot): CloudWatch evaluating the metric, EventBridge delivering the "
        "event, Lambda cold starts and network latency of AWS API calls, and the ALB's nodes applying the "
        "listener change (the read-back is the control plane).",
        "",
        "On AWS, estimated (not measured):",
        "- Before either path starts, the alarm must change state: CloudWatch evaluates each period and the "
        "stack's alarms need 2 breaching periods of 60 s (`alarms.period_seconds`, `evaluation_periods`). "
        "This is the same for both paths. "
        "([CloudWatch alarms](https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html))",
        "- Event path: CloudWatch sends an event to EventBridge whenever an alarm changes state, and "
        "guarantees its delivery to EventBridge "
        f"([Alarm events and EventBridge]({CLOUDWATCH_EVENTS_DOC})); "
        "EventBridge is documented as delivering events in near-real time, with no latency figure "
        "([EventBridge FAQs](https://aws.amazon.com/eventbridge/faqs/)). Then the alarm listener (plus a "
        "cold start if it has one, figure 5) and the rollback task: the local figure above, plus a few "
        "AWS API round trips.",
        "- Polling path: up to one poll interval, half on average: 30 s (at most 60 s) at the default "
        "`poll_interval_seconds` of 60, plus the same processing. The event path saves that on every "
        "alarm-triggered rollback; the poll loop stays as the backstop because event delivery has no "
        "latency promise.",
        "",
    ]


# ---------------------------------------------------------------------------- figures 2 and 3
def _other_services(deployment: Deployment) -> list[str]:
    describe_alarms = deployment.calls("cloudwatch.DescribeAlarms")
    dynamodb = deployment.calls_of_service("dynamodb")
    return [
        f"- Execution logs (level ALL, with execution data): the {deployment.label} execution's history is "
        f"{deployment.history_bytes / 1e6:.2f} MB of JSON; ingested at $0.50 per GB "
        "([pricing](https://aws.amazon.com/cloudwatch/pricing/)) that is "
        f"≈ {usd(deployment.usd_logs)}, {deployment.usd_logs / deployment.usd_step_functions:.0%} of its "
        "transitions' charge: not negligible (an estimate: the log's format is not the history's). The "
        "state carried from state to state, logged with every event (`include_execution_data`), makes it large.",
        "- EventBridge: alarm state changes are AWS service events on the default bus, which EventBridge "
        "does not charge for ([pricing](https://aws.amazon.com/eventbridge/pricing/)); no custom events are put.",
        "- Elastic Load Balancing and ECS API calls (ModifyListener, Describe*, UpdateService, "
        "RegisterTaskDefinition): no per-request charge. SSM Parameter Store: standard parameters at "
        "standard throughput, no charge.",
        f"- CloudWatch DescribeAlarms: {describe_alarms} calls per {deployment.label} deployment; even at "
        f"CloudWatch's $0.01 per 1,000 API requests that is {usd(describe_alarms * 0.01 / 1000)}.",
        f"- DynamoDB (on-demand): {dynamodb} requests per {deployment.label} deployment, small items; even "
        f"at a generous 4 write request units each and $0.625 per million "
        f"([pricing](https://aws.amazon.com/dynamodb/pricing/on-demand/)) that is "
        f"{usd(dynamodb * 4 * 0.625 / 1e6)}.",
        "- SNS: 2 publishes and Secrets Manager: 1 GetSecretValue per deployment: millionths of a dollar.",
    ]


def _strategy_rows(result: CostResult, cells: Callable[[str, Deployment], list[str]]) -> list[list[str]]:
    """A row per strategy: its name, its shifts, then the `cells` of its typical deployment."""
    return [[name, str(result.typical(name).shifts), *cells(name, result.typical(name))] for name in STRATEGIES]


def render_cost(result: CostResult) -> list[str]:
    def cost(name: str, d: Deployment) -> list[str]:
        return [
            str(d.transitions),
            str(d.invocations),
            f"{result.median_handler_ms(name):.0f}",
            f"{d.billed_gb_seconds:.3f}",
            usd(d.usd_step_functions),
            usd(d.usd_lambda),
            f"**{usd(d.usd_total)}**",
            usd(d.usd_total * 1000),
            usd(d.usd_step_functions + d.usd_lambda_if(ASSUMED_AWS_INVOCATION_SECONDS)),
        ]

    rows = _strategy_rows(result, cost)
    unstable = [name for name in STRATEGIES if not result.counts_stable(name)]
    longest = result.typical(max(STRATEGIES, key=lambda n: result.typical(n).transitions))
    return [
        "## 2. Cost per deployment",
        "",
        *table(
            [
                "strategy",
                "shifts",
                "state transitions",
                "Lambda invocations",
                "handler ms (median)",
                "billed GB-s",
                "Step Functions",
                "Lambda",
                "total",
                "per 1,000 deployments",
                f"total if each invocation took {ASSUMED_AWS_INVOCATION_SECONDS:g} s",
            ],
            rows,
        ),
        "",
        f"Each deployment succeeds with `bake_seconds` {BAKE_SECONDS} per step, a {POLL_INTERVAL_SECONDS} s poll "
        f"interval and the {TERMINATION_WAIT_SECONDS} s termination wait (stack defaults, written out in "
        "`strategy_defaults`); canary is 10 → 100, linear is `linear_step` 20 (5 shifts). Time is compressed "
        f"({TIME_SCALE:g}): counts do not depend on it. {result.runs} run(s) per strategy after one unmeasured "
        "warm-up deployment; "
        + ("counts were identical in every run. " if not unstable else f"counts varied for {', '.join(unstable)}. ")
        + "State transitions are the `*StateEntered` events of the execution's history (what Standard "
        "Workflows bill, retries included). Lambda invocations come from the in-process runtime; handler "
        "time is the wall time of each invocation locally (our code plus moto answering in-process), billed "
        "at 512 MB rounded up to the millisecond. On AWS each API call is a network round trip, so "
        "invocations last longer: the last column assumes 1 s each (an assumption for scale). Waiting costs "
        "nothing: Wait states and the bake's task token are not billed by duration.",
        "",
        "Prices: the public us-east-1 list (eu-west-1, the stack's default region, is the same for these): "
        "Step Functions Standard $0.025 per 1,000 state transitions "
        "([pricing](https://aws.amazon.com/step-functions/pricing/)); Lambda x86 $0.20 per 1M requests and "
        "$0.0000166667 per GB-second ([pricing](https://aws.amazon.com/lambda/pricing/)). Free tiers are "
        "ignored.",
        "",
        "Other services, per deployment:",
        *_other_services(longest),
        "",
    ]


def render_api_calls(result: CostResult) -> list[str]:
    columns = [op.split(".", 1)[1] for op in LISTENER_AND_ALARM_CALLS]
    header = ["strategy", "shifts", *columns, "DynamoDB", "SSM", "ECS", "all calls"]

    def calls(_name: str, d: Deployment) -> list[str]:
        return [
            *[str(d.calls(op)) for op in LISTENER_AND_ALARM_CALLS],
            str(d.calls_of_service("dynamodb")),
            str(d.calls_of_service("ssm")),
            str(d.calls_of_service("ecs")),
            str(sum(d.api_calls.values())),
        ]

    rows = _strategy_rows(result, calls)
    canary, linear = result.typical("canary"), result.typical("linear")
    added = linear.shifts - canary.shifts
    if added > 0:

        def per_step(value: float) -> str:
            return f"{value / added:.1f}"

        rows.append(
            [
                "**per added shift step** (linear minus canary)",
                "1",
                *[per_step(linear.calls(op) - canary.calls(op)) for op in LISTENER_AND_ALARM_CALLS],
                per_step(linear.calls_of_service("dynamodb") - canary.calls_of_service("dynamodb")),
                per_step(linear.calls_of_service("ssm") - canary.calls_of_service("ssm")),
                per_step(linear.calls_of_service("ecs") - canary.calls_of_service("ecs")),
                per_step(sum(linear.api_calls.values()) - sum(canary.api_calls.values())),
            ]
        )
    every = sorted({op for name in STRATEGIES for op in result.typical(name).api_calls})
    detail = table(
        ["operation", *STRATEGIES],
        [[op, *[str(result.typical(name).calls(op)) for name in STRATEGIES]] for op in every],
    )
    return [
        "## 3. AWS API calls per deployment and per shift step",
        "",
        *table(header, rows),
        "",
        "The same deployments as figure 2, counted by a botocore `before-call` hook on the handlers' own "
        "clients (one per call, not per retry attempt). Each shift is one ModifyListener plus a "
        "DescribeListeners read-back; each bake polls DescribeAlarms once per poll interval "
        f"({BAKE_SECONDS} s / {POLL_INTERVAL_SECONDS} s = {BAKE_SECONDS // POLL_INTERVAL_SECONDS} per step), and the "
        f"final wait ({TERMINATION_WAIT_SECONDS} s) watches alarms too. DescribeTargetHealth runs before traffic "
        "moves (emulated targets are healthy at the first check). Every operation:",
        "",
        *detail,
        "",
    ]


# ---------------------------------------------------------------------------- figure 4
def render_synth(result: SynthResult) -> list[str]:
    single = result.single
    rows = [
        [
            f"1 service, cdk.json context (median of {len(single)})",
            str(single[0].stacks),
            str(single[0].resources),
            f"{single[0].template_bytes / 1024:.0f}",
            f"{result.single_median:.1f} (min {min(s.seconds for s in single):.1f}, "
            f"max {max(s.seconds for s in single):.1f})",
        ]
    ]
    for count, sample in sorted(result.by_services.items()):
        rows.append(
            [
                f"{count} service(s), `services` context",
                str(sample.stacks),
                str(sample.resources),
                f"{sample.template_bytes / 1024:.0f}",
                f"{sample.seconds:.1f}",
            ]
        )
    fixed, per_service = result.fit()
    return [
        "## 4. Synth time",
        "",
        *table(["app", "stacks", "resources", "template KB", "seconds"], rows),
        "",
        f"Growth: about **{per_service:.2f} s per added service** on top of {fixed:.1f} s that any app pays "
        "(interpreter, jsii's Node.js process, aws-cdk-lib import): a least-squares line through every sample; "
        "cdk-nag runs on every stack. The multi-service runs are one sample each, interleaved with the "
        "single-service ones. Each sample is `python app.py` in a fresh interpreter with cdk.json's "
        "context as CDK_CONTEXT_JSON (as the CDK CLI passes it), a temporary CDK_OUTDIR and "
        "CDK_DISABLE_VERSION_CHECK=1; the CDK CLI's own start-up (`cdk synth`) is not included.",
        "",
    ]


# ---------------------------------------------------------------------------- figure 5
def render_lambda(result: LambdaResult) -> list[str]:
    asset = result.asset
    rows = []
    for handler, cold in result.cold.items():
        total = [s["import_ms"] + s["first_invoke_ms"] + s["first_aws_step_ms"] for s in cold.samples]
        rows.append(
            [
                f"`cutover.shifter.handlers.{handler}`",
                str(len(cold.samples)),
                f"{cold.median('import_ms'):.0f} (max {cold.maximum('import_ms'):.0f})",
                f"{cold.median('first_invoke_ms'):.1f}",
                f"{cold.median('first_aws_step_ms'):.0f}" if handler == "workflow" else "—",
                f"{sorted(total)[(len(total) - 1) // 2]:.0f}",
            ]
        )
    return [
        "## 5. Lambda: asset size and cold start",
        "",
        *table(
            ["asset", "files", "Python lines", "unzipped KB", "zipped KB", "compile ms"],
            [
                [
                    "`cutover/shifter/` as staged by CDK (both functions)",
                    str(asset.files),
                    str(asset.python_lines),
                    f"{asset.raw_bytes / 1024:.0f}",
                    f"**{asset.zip_bytes / 1024:.0f}** ({asset.zip_bytes:,} bytes)",
                    f"{asset.compile_ms:.0f}",
                ]
            ],
        ),
        "",
        *table(
            [
                "handler",
                "samples",
                "cold import ms (median)",
                "first invoke ms",
                "first AWS step ms",
                "import + invokes ms",
            ],
            rows,
        ),
        "",
        "The asset is zipped as the CDK CLI zips it (every file of the staged directory, deflate at zlib's "
        "default level); the Powertools layer (public, pinned) is not part of it. Each cold-start sample is "
        "a fresh interpreter with the staged asset first on `sys.path` and PYTHONDONTWRITEBYTECODE=1, so "
        "our modules compile every time, as on Lambda where the asset carries no bytecode; the libraries "
        "(Powertools, pydantic, boto3) load from this machine's bytecode cache. "
        "*Import*: the handler module with everything it imports. *First invoke*: the workflow's first "
        "step (`validate`: input parsing and the plan, no AWS call) or the alarm listener's event (parsing, "
        "the first boto3 client, a DynamoDB GetItem against moto in-process). *First AWS step*: the "
        "workflow's `acquire_lock` (first boto3 client and a DynamoDB PutItem). Not measured: Lambda's own "
        "init (sandbox, runtime bootstrap, layer), and network latency to AWS APIs.",
        "",
    ]


# ---------------------------------------------------------------------------- figure 6
def render_growth(result: GrowthResult) -> list[str]:
    runs = min(len(deployments) for deployments in result.runs_of.values())
    stable = "counts identical in every run" if result.counts_stable() else "**counts varied between runs**"
    rows = []
    previous: tuple[int, Deployment] | None = None
    for count, d in sorted(result.by_steps.items()):
        increment = "—"
        if previous is not None:
            increment = f"{(d.transitions - previous[1].transitions) / (count - previous[0]):.1f}"
        rows.append(
            [
                str(count),
                str(d.transitions),
                increment,
                str(d.invocations),
                str(sum(d.api_calls.values())),
                f"{d.wait_seconds:.0f}",
                f"{d.wall_seconds:.2f}",
                usd(d.usd_total),
            ]
        )
        previous = (count, d)
    return [
        "## 6. Growth with the number of steps",
        "",
        *table(
            [
                "steps",
                "state transitions",
                "transitions per added step",
                "Lambda invocations",
                "API calls",
                "in Wait states, s",
                "local wall s (compressed, median)",
                "cost",
            ],
            rows,
        ),
        "",
        f"Each added step costs **{result.marginal('transitions'):.1f} state transitions** "
        f"({usd(result.marginal('usd_total'))}), {result.marginal('invocations'):.1f} Lambda invocations and "
        f"{result.marginal('wall_seconds') * 1000:.0f} ms of local wall time"
        + (": linear, nothing grows faster than the steps. " if result.linear() else ". ")
        + f"An explicit `steps` strategy of equal increments up to 100 %, each baking {STEP_BAKE_SECONDS} s "
        "(one poll at the 60 s interval), `termination_wait_seconds` 0 (the final wait is then the ALB "
        f"propagation delay, 60 s); {runs} run(s) per step count, {stable}. Time "
        f"compressed ({TIME_SCALE:g}): the wall column is the local "
        "orchestration overhead (moto's interpreter, our handlers, moto's APIs); the Wait column is the "
        "Wait states' requested seconds (stability and health loops, bakes, final wait), which the same "
        "execution would spend on AWS.",
        "",
    ]


def render(results: Results) -> str:
    lines = render_header(results)
    if results.reaction is not None:
        lines += render_reaction(results.reaction)
    if results.cost is not None:
        lines += render_cost(results.cost) + render_api_calls(results.cost)
    if results.synth is not None:
        lines += render_synth(results.synth)
    if results.lambda_ is not None:
        lines += render_lambda(results.lambda_)
    if results.growth is not None:
        lines += render_growth(results.growth)
    if results.judge is not None:
        lines += render_judge(results.judge)
    if results.transitions is not None:
        lines += render_transitions(results.transitions)
    return "\n".join(lines).rstrip() + "\n"
