"""Reliability tests run on the workflow harness (tests/workflow/conftest.py)."""

from tests.workflow.conftest import cutover, notifications, recorder, test_route

__all__ = ["cutover", "notifications", "recorder", "test_route"]
