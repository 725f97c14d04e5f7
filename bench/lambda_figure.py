"""Figure 5: the Lambda asset's size, and each handler's cold import and first invocation.

- Asset: the directory CDK staged for the functions (in a synthesized assembly), zipped as the
  CDK CLI does before upload (every file, deflate at zlib's default level, fixed timestamps).
  The Powertools layer (a public AWS layer, not ours to upload) is not in it.
- Cold start: per sample, a fresh interpreter (bench/cold_start_child.py) imports the handler
  module and calls it once with a representative event against moto in-process.
- Bytecode: on Lambda the asset ships no bytecode (`**/*.pyc` is excluded, /var/task is
  read-only), so each cold start compiles our modules. The samples run from the staged asset
  with PYTHONDONTWRITEBYTECODE=1, so they compile ours every time too (libraries use this
  machine's bytecode cache); compiling every .py of the asset is also timed on its own.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import ROOT, STACK

HANDLERS = ("workflow", "alarm_event")
SAMPLE_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Asset:
    files: int
    raw_bytes: int
    zip_bytes: int
    python_files: int
    python_lines: int
    compile_ms: float


@dataclass
class ColdStart:
    handler: str
    samples: list[dict[str, float]] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(sample[key] for sample in self.samples)

    def maximum(self, key: str) -> float:
        return max(sample[key] for sample in self.samples)


@dataclass
class LambdaResult:
    asset: Asset
    cold: dict[str, ColdStart]


def staged_lambda_asset(assembly: Path, stack: str = STACK) -> Path:
    """The asset directory CDK staged for the shifter's functions."""
    manifest = json.loads((assembly / f"{stack}.assets.json").read_text())
    for asset in manifest.get("files", {}).values():
        source: Path = assembly / str(asset["source"]["path"])
        if (source / "cutover" / "shifter" / "handlers" / "workflow.py").is_file():
            return source
    raise FileNotFoundError(f"no staged asset with cutover/shifter/handlers/workflow.py in {assembly}")


def zip_like_cdk(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(directory).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def measure_asset(directory: Path) -> Asset:
    files = [p for p in directory.rglob("*") if p.is_file()]
    sources = [p for p in files if p.suffix == ".py"]
    started = time.perf_counter()
    for path in sources:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    compile_ms = (time.perf_counter() - started) * 1000
    return Asset(
        files=len(files),
        raw_bytes=sum(p.stat().st_size for p in files),
        zip_bytes=len(zip_like_cdk(directory)),
        python_files=len(sources),
        python_lines=sum(len(p.read_text().splitlines()) for p in sources),
        compile_ms=compile_ms,
    )


def cold_sample(handler: str, asset: Path) -> dict[str, float]:
    """One fresh interpreter with the staged asset first on sys.path, as on Lambda."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(asset), str(ROOT)]),
        "PYTHONDONTWRITEBYTECODE": "1",  # our modules compile at every sample, as on Lambda
    }
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "bench.cold_start_child", handler],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=SAMPLE_TIMEOUT_SECONDS,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"cold-start sample of {handler} failed: {(result.stderr or result.stdout)[-2000:]}")
    sample: dict[str, float] = json.loads(lines[-1])
    return sample


def measure_lambda(assembly: Path, samples: int) -> LambdaResult:
    asset_dir = staged_lambda_asset(assembly)
    cold = {handler: ColdStart(handler) for handler in HANDLERS}
    for _ in range(samples):
        for handler in HANDLERS:  # interleaved, so drift affects both alike
            cold[handler].samples.append(cold_sample(handler, asset_dir))
    return LambdaResult(asset=measure_asset(asset_dir), cold=cold)
