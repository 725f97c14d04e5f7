"""Ten deployments started at once: exactly one runs; nine fail fast naming the holder.

The harness serializes moto's DynamoDB writes (cutover/local/moto_patches.py), because
AWS applies a conditional write atomically and moto does not across threads."""

from __future__ import annotations

from cutover.local.runtime import LocalCutover

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v{}"


def test_ten_deployments_at_once_one_runs_nine_fail_fast(cutover: LocalCutover) -> None:
    # A long bake (an hour, ~4 s compressed) keeps the winner holding the lock while the
    # others start, however slowly the machine runs them.
    document = {"strategy": "all-at-once", "bake_seconds": 3600}
    arns = [cutover.start({"image": IMAGE.format(n), **document}, f"race-{n}") for n in range(10)]
    executions = [cutover.wait(arn, timeout_seconds=120) for arn in arns]
    succeeded = [e for e in executions if e.status == "SUCCEEDED"]
    assert len(succeeded) == 1, [(e.arn, e.status, e.error) for e in executions]
    winner = succeeded[0].arn
    losers = [e for e in executions if e.arn != winner]
    assert {(e.status, e.error) for e in losers} == {("FAILED", "DeploymentInProgress")}
    assert all(winner in (e.cause or "") for e in losers), [e.cause for e in losers]
    image = IMAGE.format(winner.rsplit("-", 1)[-1])
    assert cutover.weights() == {"blue": 0, "green": 100}
    assert cutover.service("green")["image"] == image
    assert cutover.lock() is None
    assert len(cutover.deployments()) == 1  # the losers changed nothing
