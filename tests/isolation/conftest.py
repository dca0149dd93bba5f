import pytest

from ptrade_fast.errors import IsolationError


def pytest_collection_modifyitems(config, items):
    try:
        from ptrade_fast.isolate import availability
        availability()
    except IsolationError as exc:
        skip = pytest.mark.skip(reason=f"isolation cannot be enforced here: {exc}")
        for item in items:
            if "needs_isolation" in item.keywords:
                item.add_marker(skip)
