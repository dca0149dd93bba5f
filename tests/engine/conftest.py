import pytest

from engine_data import weekdays


@pytest.fixture
def days10():
    return weekdays("2024-03-04", 10)
