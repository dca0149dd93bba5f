"""The precomputed FactorTable adjusts whole windows exactly as adjusting security by security does."""
import numpy as np
import pytest

from ptrade_fast.data import adjust
from ptrade_fast.data.store import DataStore

PRICE = ("open", "close", "high_limit")


@pytest.fixture(scope="module")
def store():
    return DataStore.open()          # the bundled sample


@pytest.fixture(scope="module")
def codes(store):
    """Securities with price-moving events (the ones adjusting changes) plus a few without; the per-code
    reference is slow, so a sample of them."""
    evented = [c for c in store.codes if not adjust.price_events(store.exrights(c)).empty]
    plain = [c for c in store.codes if c not in set(evented)]
    assert len(evented) >= 20, "the sample must hold ex-rights events for this test to mean anything"
    return sorted(evented[::max(1, len(evented) // 24)] + plain[:4])


_EVENTS = {}


def _per_code(store, codes, dates, data, how, anchor):
    out = {f: v.copy() for f, v in data.items()}
    for j, code in enumerate(codes):
        if code not in _EVENTS:
            _EVENTS[code] = adjust.price_events(store.exrights(code))
        ev = _EVENTS[code]
        if ev.empty:
            continue
        for f, v in out.items():
            if f in PRICE:            # prices only: volume stays as traded (docs/engine.md, "fq")
                v[:, j] = adjust.adjust(v[:, j], dates, ev, how, anchor=anchor)
    return out


@pytest.mark.parametrize("how", ["pre", "post", "dypre"])
@pytest.mark.parametrize("count", [1, 5, 60, 400])
def test_window_matches_per_code(store, codes, how, count):
    sids = store.sids(codes)
    table = store.adjust_factors()
    cal = store.calendar[store.calendar >= np.datetime64("2005-01-04")]
    for end in cal[count::max(1, len(cal) // 5)]:
        dates, rows = store.daily_history(sids, ["open", "close", "high_limit", "volume"], end, count)
        data = {f: v.astype(float) for f, v in rows.items()}
        anchor = cal[min(len(cal) - 1, int(np.searchsorted(cal, end)) + 3)]
        want = _per_code(store, codes, dates, data, how, anchor)
        got = table.apply({f: v.copy() for f, v in data.items()}, sids, dates, how, anchor, PRICE)
        for f in want:
            assert np.array_equal(got[f], want[f], equal_nan=True), (how, count, str(end), f)


def test_unknown_code_and_bad_fq(store):
    table = store.adjust_factors()
    sids = np.array([-1, 0])
    dates = store.calendar[-3:]
    data = {"close": np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])}
    got = table.apply({"close": data["close"].copy()}, sids, dates, "post", dates[-1], PRICE)
    assert np.array_equal(got["close"][:, 0], data["close"][:, 0])
    with pytest.raises(ValueError, match="fq must be None, 'pre', 'post' or 'dypre', was 'back'"):
        table.apply(data, sids, dates, "back", dates[-1], PRICE)


def test_year_grids_match_the_event_search(store):
    """Windows of consecutive trading days read the event in force from per-year grids: the same (A, B) as
    searching the events, across year ends and for unknown codes (sid −1)."""
    table = store.adjust_factors()
    cal = store.calendar.astype(np.int64)
    rng = np.random.default_rng(7)
    evented = store.sids([c for c in store.codes if not adjust.price_events(store.exrights(c)).empty])
    for _ in range(200):
        n = int(rng.integers(1, 300))
        i0 = int(rng.integers(0, len(cal) - n))
        sids = np.concatenate([rng.choice(evented, 8), rng.integers(-1, store.n_sids, 8)])
        days = cal[i0:i0 + n]
        got_a, got_b = table._window(sids, days)
        want_a, want_b = table._at(sids, days)
        assert np.array_equal(got_a, np.broadcast_to(want_a, got_a.shape)), (i0, n)
        assert np.array_equal(got_b, np.broadcast_to(want_b, got_b.shape)), (i0, n)
    # Days that are not consecutive trading days (a weekly resample's labels) take the event search.
    days = cal[10:200:5]
    shape = (len(days), 5)
    assert np.array_equal(np.broadcast_to(table._window(evented[:5], days)[0], shape),
                          np.broadcast_to(table._at(evented[:5], days)[0], shape))


def test_empty_window(store):
    """The data's first day has no history before it: adjusting an empty window gives the empty window."""
    table = store.adjust_factors()
    sids = store.sids([c for c in store.codes if not adjust.price_events(store.exrights(c)).empty][:3])
    empty = {"close": np.empty((0, 3))}
    for how in ("pre", "post", "dypre"):
        got = table.apply(dict(empty), sids, store.calendar[:0], how, store.calendar[0], PRICE)
        assert got["close"].shape == (0, 3)
