"""The harness's flags file is what the example service reads: a flip keeps the other flags."""

from __future__ import annotations

from pathlib import Path

from cutover_service.flags import read_flags

from cutover.local.feature_flags import FlagsFile


def test_setting_flags_keeps_the_others_and_the_service_reads_the_result(tmp_path: Path) -> None:
    flags = FlagsFile(tmp_path / "flags" / "feature-flags.json")
    assert flags.read() == {} and read_flags(str(flags.path)).flags == {}
    flags.set({"appointment_reminders": True, "dark_mode": True})
    assert flags.set({"appointment_reminders": False}) == {"appointment_reminders": False, "dark_mode": True}
    reading = read_flags(str(flags.path))
    assert (reading.flags, reading.error) == ({"appointment_reminders": False, "dark_mode": True}, None)
    assert [path.name for path in flags.path.parent.iterdir()] == ["feature-flags.json"]  # no partial file left
