"""The CLI runs against the same local AWS as the workflow tests (tests/workflow/conftest.py)."""

from tests.workflow.conftest import cutover, notifications, recorder, test_route

__all__ = ["cutover", "notifications", "recorder", "test_route"]
