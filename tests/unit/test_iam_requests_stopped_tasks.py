"""How local IAM authorizes the shifter's reading of a side's stopped tasks (ListTasks, DescribeTasks)."""

from __future__ import annotations

from cutover.local.iam_requests import Permission, permissions_for
from tests.unit.test_iam_requests import ACCOUNT, REGION, SCOPE

CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/cutover-demo"


def test_list_tasks_is_authorized_on_any_resource_within_the_cluster_condition() -> None:
    params = {"cluster": "cutover-demo", "serviceName": "demo-green", "desiredStatus": "STOPPED"}
    assert permissions_for("ecs", "ListTasks", params, SCOPE) == [
        Permission("ecs:ListTasks", "*", {"ecs:cluster": CLUSTER})
    ]


def test_describe_tasks_is_authorized_on_each_task() -> None:
    task = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/cutover-demo/0123abcd"
    by_id = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/cutover-demo/4567ef"
    params = {"cluster": "cutover-demo", "tasks": [task, "4567ef"]}
    assert permissions_for("ecs", "DescribeTasks", params, SCOPE) == [
        Permission("ecs:DescribeTasks", task, {"ecs:cluster": CLUSTER}),
        Permission("ecs:DescribeTasks", by_id, {"ecs:cluster": CLUSTER}),
    ]
