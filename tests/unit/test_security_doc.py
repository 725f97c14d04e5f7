"""`make security` skips exactly the checkov checks docs/security.md accepts, each with a reason."""

from __future__ import annotations

import re

from tests.synth import ROOT


def accepted_in_makefile() -> set[str]:
    (line,) = [line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("CHECKOV_ACCEPTED :=")]
    return {check.strip() for check in line.split(":=", 1)[1].split(",")}


def accepted_in_doc() -> dict[str, str]:
    table = (ROOT / "docs" / "security.md").read_text().split("## Accepted findings", 1)[1]
    rows = re.findall(r"^\| (CKV_[A-Z0-9_]+) \| [^|]+ \| (.+) \|$", table, flags=re.MULTILINE)
    return dict(rows)


def test_the_makefile_skips_exactly_the_documented_checks() -> None:
    assert accepted_in_makefile() == set(accepted_in_doc())


def test_every_accepted_check_says_why() -> None:
    for check, reason in accepted_in_doc().items():
        assert len(reason) >= 80, check
