"""Shared fixtures of the sweep tests: the test strategy and a year of the bundled real data."""
import pytest

from sweep_checks import SPAN, STRATEGY


@pytest.fixture
def strategy():
    return STRATEGY


@pytest.fixture
def span():
    return dict(SPAN)
