"""The private ECR repositories the tests, the demo and the benchmarks deploy images from.

Local AWS runs as account 123456789012 in eu-west-1 (moto's default account); every local
synth (`make synth-local`, tests, bench) grants these through the `ecr_repositories` context
key, as a user would for the repositories their deployments use (README "Configuration").
"""

from __future__ import annotations

from typing import Final

LOCAL_ECR_REPOSITORIES: Final = ("app", "shop")
