"""Feature flags: a server reads FEATURE_FLAGS_FILE at each request and shows the flags a user sees."""

from __future__ import annotations

import json
from pathlib import Path

from cutover_service.flags import FlagsReading, read_flags
from cutover_service.settings import Settings

from tests.service.conftest import Launch


def test_a_flip_in_the_file_shows_on_health_and_get_version_without_a_restart(launch: Launch, tmp_path: Path) -> None:
    flags_file = tmp_path / "flags.json"
    server = launch({"FEATURE_FLAGS_FILE": str(flags_file), "DRAIN_PROPAGATION_SECONDS": "0"})
    server.wait_for_startup()
    assert server.get("/health").json()["flags"] == {}  # no file written yet: no flag on

    flags_file.write_text(json.dumps({"appointment_reminders": True}))
    health = server.get("/health")
    assert health.status == 200 and health.json()["flags"] == {"appointment_reminders": True}
    version = server.call_tool("get_version", {}).json()["result"]["structuredContent"]
    assert version["flags"] == {"appointment_reminders": True}

    flags_file.write_text(json.dumps({"appointment_reminders": False}))
    assert server.get("/health").json()["flags"] == {"appointment_reminders": False}

    flags_file.write_text("{not json")
    broken = server.get("/health")
    assert broken.status == 200, "a broken flags file must not fail the health check"
    assert broken.json()["flags"] == {} and "is not JSON" in broken.json()["flags_error"]


def test_flags_are_off_without_a_file_and_a_bad_file_is_reported(tmp_path: Path) -> None:
    assert read_flags("") == FlagsReading()
    assert read_flags(str(tmp_path / "missing.json")) == FlagsReading()
    (tmp_path / "list.json").write_text("[true]")
    (tmp_path / "strings.json").write_text('{"reminders": "on"}')
    for bad in ("list.json", "strings.json"):
        reading = read_flags(str(tmp_path / bad))
        assert reading.flags == {} and reading.error is not None and "true/false" in reading.error
    assert read_flags(str(tmp_path)).error is not None  # a directory: unreadable, reported
    assert FlagsReading({"a": True}, "x").shown() == {"flags": {"a": True}, "flags_error": "x"}


def test_the_flags_file_comes_from_the_environment() -> None:
    assert Settings.from_env({}).feature_flags_file == ""
    assert Settings.from_env({"FEATURE_FLAGS_FILE": " /run/flags.json "}).feature_flags_file == "/run/flags.json"
