"""What may import what (docs/architecture.md, "Packages"): the CLI and the Lambda code never
need the CDK, the local-AWS harness or the example service, so a user's `pip install cutover`
runs them, and the Lambda asset holds only cutover/__init__.py and cutover/shifter/."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cutover"

HARNESS_AND_EXAMPLE = ("cutover.local", "moto", "cutover_service", "example_service", "service")
CDK = ("cutover.cdk", "aws_cdk", "constructs", "cdk_nag", "jsii")
# Each part of the package, and the modules it must not import (a name and its submodules).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "shifter": (*HARNESS_AND_EXAMPLE, *CDK, "cutover.cli", "cutover.config", "cutover.image_repositories"),
    "cli": (*HARNESS_AND_EXAMPLE, *CDK),
    "config.py": (*HARNESS_AND_EXAMPLE, *CDK, "cutover.cli"),
    "image_repositories.py": (*HARNESS_AND_EXAMPLE, *CDK, "cutover.cli"),
    "cdk": (*HARNESS_AND_EXAMPLE, "cutover.cli"),
}


# Parsed in a fresh interpreter: CPython 3.11's AST constructor checks its recursion depth and
# raises a spurious "SystemError: AST constructor recursion depth mismatch" when a tracer or other
# threads run during a parse (python/cpython#106905; pytest-dev/pytest#11724, under coverage). The
# unit tier runs under coverage with moto's threads alive, and a clean-clone run hit it (2026-12-06).
PARSE_IMPORTS = """
import ast, json, sys
names = {}
for path in sys.argv[1:]:
    found = []
    for node in ast.walk(ast.parse(open(path).read(), path)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    names[path] = found
print(json.dumps(names))
"""


@functools.cache
def _imports_of_the_package() -> dict[str, list[str]]:
    paths = [str(path) for path in sorted(PACKAGE.rglob("*.py"))]
    result = subprocess.run(
        [sys.executable, "-c", PARSE_IMPORTS, *paths], capture_output=True, text=True, check=True, timeout=120
    )
    parsed: dict[str, list[str]] = json.loads(result.stdout)
    return parsed


def imported_modules(path: Path) -> list[str]:
    """Every module a file of the package imports, wherever the import statement is (functions too)."""
    return _imports_of_the_package()[str(path)]


def _matches(name: str, forbidden: str) -> bool:
    return name == forbidden or name.startswith(forbidden + ".")


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_each_part_of_the_package_imports_only_what_it_may(part: str) -> None:
    location = PACKAGE / part
    files = sorted(location.rglob("*.py")) if location.is_dir() else [location]
    assert files, part
    violations = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in imported_modules(path)
        if any(_matches(name, forbidden) for forbidden in FORBIDDEN[part])
    ]
    assert violations == []


def test_the_package_root_imports_nothing() -> None:
    """cutover/__init__.py is in the Lambda asset and in every import of the CLI."""
    assert imported_modules(PACKAGE / "__init__.py") == []


def test_the_cli_loaded_with_all_its_commands_has_imported_no_cdk_harness_or_example_service() -> None:
    """The AST rule above, checked on what Python actually loads (imports of imports too)."""
    probe = (
        "import sys, cutover.cli.main, cutover.config, cutover.image_repositories\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'aws_cdk', 'constructs', 'cdk_nag', 'jsii', 'moto', 'cutover_service', 'example_service', "
        "'aws_lambda_powertools'} "
        "or m.startswith(('cutover.local', 'cutover.cdk')))))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.split() == []
