"""Settings from environment variables, parsed once at start-up into a frozen dataclass.

Every variable, its default and the reason for it are documented in service/README.md.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from cutover_service.contract import CONTAINER_PORT, FEATURE_FLAGS_FILE_VARIABLE, SIDE_VARIABLE

_T = TypeVar("_T", int, float)

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LOG_LEVELS: dict[str, LogLevel] = {
    "DEBUG": "DEBUG",
    "INFO": "INFO",
    "WARNING": "WARNING",
    "ERROR": "ERROR",
    "CRITICAL": "CRITICAL",
}


class SettingsError(ValueError):
    """An environment variable has a value the service cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    host: str = "0.0.0.0"
    port: int = CONTAINER_PORT
    service_version: str = "v1"
    side: str = "unknown"
    drain_propagation_seconds: float = 10.0
    drain_timeout_seconds: int = 20
    error_rate: float = 0.0
    extra_latency_ms: int = 0
    startup_delay_seconds: float = 0.0
    live_lag_threshold_ms: int = 1000
    keep_alive_timeout_seconds: int = 65
    log_level: LogLevel = "INFO"
    feature_flags_file: str = ""  # read at each request that shows the flags (flags.py)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `environ` (default: the process environment); raise SettingsError."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            host=_text(env, "HOST", defaults.host),
            port=_number(env, "PORT", int, defaults.port, low=1, high=65535),
            service_version=_text(env, "SERVICE_VERSION", defaults.service_version),
            side=_text(env, SIDE_VARIABLE, defaults.side),
            drain_propagation_seconds=_number(
                env, "DRAIN_PROPAGATION_SECONDS", float, defaults.drain_propagation_seconds, low=0
            ),
            drain_timeout_seconds=_number(env, "DRAIN_TIMEOUT_SECONDS", int, defaults.drain_timeout_seconds, low=0),
            error_rate=_number(env, "ERROR_RATE", float, defaults.error_rate, low=0, high=1),
            extra_latency_ms=_number(env, "EXTRA_LATENCY_MS", int, defaults.extra_latency_ms, low=0),
            startup_delay_seconds=_number(env, "STARTUP_DELAY_SECONDS", float, defaults.startup_delay_seconds, low=0),
            live_lag_threshold_ms=_number(env, "LIVE_LAG_THRESHOLD_MS", int, defaults.live_lag_threshold_ms, low=1),
            keep_alive_timeout_seconds=_number(
                env, "KEEP_ALIVE_TIMEOUT_SECONDS", int, defaults.keep_alive_timeout_seconds, low=1
            ),
            log_level=_log_level(env, defaults.log_level),
            feature_flags_file=_text(env, FEATURE_FLAGS_FILE_VARIABLE, defaults.feature_flags_file),
        )

    def public_summary(self) -> dict[str, object]:
        """The settings as logged at start-up (none of them is secret)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip()
    return value or default


def _number(
    env: Mapping[str, str],
    name: str,
    kind: Callable[[str], _T],
    default: _T,
    *,
    low: float | None = None,
    high: float | None = None,
) -> _T:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a valid {getattr(kind, '__name__', 'number')}") from None
    if not math.isfinite(value) or (low is not None and value < low) or (high is not None and value > high):
        bounds = f"[{'' if low is None else low}, {'' if high is None else high}]"
        raise SettingsError(f"{name}={raw!r} is outside {bounds}")
    return value


def _log_level(env: Mapping[str, str], default: LogLevel) -> LogLevel:
    value = env.get("LOG_LEVEL", "").strip().upper() or default
    if value not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL={value!r} is not one of {', '.join(LOG_LEVELS)}")
    return LOG_LEVELS[value]
