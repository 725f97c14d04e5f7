"""The shifter's Lambda asset, staged from the imported `cutover` package.

The handlers are `cutover.shifter.handlers.*`, so the asset's root holds `cutover/__init__.py`
(dependency-free) and `cutover/shifter/`. They are found through the package, wherever it is
installed (a checkout or site-packages), never through the working directory, and copied into
a directory named after their content: a synth of the same code stages the same directory once,
and CDK's asset hash, computed from the files, does not depend on where they were staged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import cutover

PACKAGE = Path(cutover.__file__).resolve().parent
SHIFTER = PACKAGE / "shifter"
# Not code: what the interpreter writes next to the sources of a checkout.
_NOT_SHIPPED = ("__pycache__",)
_NOT_SHIPPED_SUFFIXES = (".pyc",)


def lambda_files() -> list[Path]:
    """The asset's files, relative to its root (the directory that holds `cutover/`)."""
    files = [PACKAGE / "__init__.py", *(path for path in SHIFTER.rglob("*") if path.is_file())]
    return sorted(
        path.relative_to(PACKAGE.parent)
        for path in files
        if not any(part in _NOT_SHIPPED for part in path.parts) and path.suffix not in _NOT_SHIPPED_SUFFIXES
    )


def staged_lambda_code() -> Path:
    """A directory holding exactly `lambda_files()`, for `lambda_.Code.from_asset`."""
    root = PACKAGE.parent
    files = lambda_files()
    digest = hashlib.sha256()
    for relative in files:
        digest.update(relative.as_posix().encode() + b"\0" + (root / relative).read_bytes() + b"\0")
    parent = Path(tempfile.gettempdir()) / "cutover-lambda-assets"
    parent.mkdir(mode=0o700, exist_ok=True)
    target = parent / digest.hexdigest()[:32]
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=parent))
    for relative in files:
        destination = staging / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / relative, destination)
    try:
        os.rename(staging, target)  # atomic: a concurrent synth (xdist workers) sees all of it or none
    except OSError:  # another process staged the same content first
        shutil.rmtree(staging, ignore_errors=True)
    return target
