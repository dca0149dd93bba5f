import datetime as dt

import pytest

from ptrade_fast.api.futures_info import FutureParams, FuturesInfoAPI
from ptrade_fast.data.store import DataStore
from ptrade_fast.model.phases import PhaseError
from ptrade_fast.engine.runtime import Runtime


class ListLog:
    def __init__(self):
        self.warnings = []

    def warning(self, message):
        self.warnings.append(message)


@pytest.fixture(scope="module")
def store():
    return DataStore.open()


def make_api(store, day=dt.date(2016, 11, 8), phase="handle", **options):
    rt = Runtime(store, "1d", options, log=ListLog())
    rt.phase, rt.trade_date, rt.bar_index = phase, day, 0
    return FuturesInfoAPI(rt)


# -- get_instruments ---------------------------------------------------------------------------------

def test_get_instruments_returns_the_future_params_of_the_real_contract(store):
    p = make_api(store).get_instruments("IF1706.CCFX")
    assert isinstance(p, FutureParams)
    assert p.to_dict() == {
        "contract_code": "IF1706.CCFX", "contract_name": "沪深300股指期货1706", "exchange": "中金所",
        "trade_unit": 300, "contract_multiplier": 300.0, "delivery_date": "2017-06-16",
        "listing_date": "2016-10-24", "trade_code": "IF", "margin_rate": 0.40,
    }
    assert isinstance(p.trade_unit, int) and isinstance(p.contract_multiplier, float)


def test_get_instruments_accepts_the_cfx_alias(store):
    api = make_api(store)
    assert api.get_instruments("IF1706.CFX") == api.get_instruments("IF1706.CCFX")


def test_margin_rate_is_the_exchange_rate_on_the_simulated_date(store):
    assert make_api(store, day=dt.date(2024, 6, 3)).get_instruments("IF2406.CCFX").margin_rate == 0.10
    assert make_api(store, day=dt.date(2017, 3, 1)).get_instruments("IF1706.CCFX").margin_rate == 0.20


def test_margin_rates_option_takes_precedence(store):
    api = make_api(store, day=dt.date(2024, 6, 3), margin_rates={"IF": 0.15})
    assert api.get_instruments("IF2406.CCFX").margin_rate == 0.15


def test_contracts_outside_the_data_are_described_from_the_rules(store):
    p = make_api(store, day=dt.date(2024, 6, 3)).get_instruments("CU2407.XSGE")
    assert (p.exchange, p.trade_code, p.trade_unit, p.contract_multiplier) == ("上期所", "CU", 5, 5.0)
    assert p.delivery_date == "2024-07-15"
    ic = make_api(store, day=dt.date(2024, 6, 3)).get_instruments("IC2409.CCFX")
    assert ic.delivery_date == "2024-09-20" and ic.contract_multiplier == 200.0 and ic.margin_rate == 0.12


def test_unknown_product_gives_none_with_a_warning(store):
    api = make_api(store)
    assert api.get_instruments("ZZ2406.CCFX") is None
    assert "ZZ" in api.rt.log.warnings[0]


@pytest.mark.parametrize("bad, exc", [(2406, TypeError), ("600570.SS", ValueError), ("IF2406", ValueError)])
def test_get_instruments_rejects_non_futures_codes_naming_contract(store, bad, exc):
    with pytest.raises(exc, match="contract"):
        make_api(store).get_instruments(bad)


def test_get_instruments_is_refused_outside_its_phases_and_warns_in_initialize(store):
    api = make_api(store, phase="init")
    assert api.get_instruments("IF1706.CCFX").trade_code == "IF"
    assert "get_instruments" in api.rt.log.warnings[0]
    with pytest.raises(PhaseError, match="get_instruments cannot be called in initialize"):
        make_api(store, phase="init", strict_phases=True).get_instruments("IF1706.CCFX")


# -- get_dominant_contract ----------------------------------------------------------------------------

def test_dominant_contract_defaults_to_the_simulated_date(store):
    assert make_api(store, day=dt.date(2024, 6, 3)).get_dominant_contract("IF") == "IF2406.CCFX"
    assert make_api(store, day=dt.date(2024, 6, 20)).get_dominant_contract("IF") == "IF2407.CCFX"


def test_dominant_contract_on_a_named_date_in_either_format(store):
    api = make_api(store, day=dt.date(2024, 6, 3))
    assert api.get_dominant_contract("IF", "20240603") == api.get_dominant_contract("IF", "2024-06-03")
    assert api.get_dominant_contract("IF2406.CCFX", "2024-06-03") == "IF2406.CCFX"


def test_dominant_contract_is_none_on_failure(store):
    api = make_api(store, day=dt.date(2024, 6, 3))
    assert api.get_dominant_contract("IH") is None
    assert api.get_dominant_contract("IF", "2021-01-04") is None
    assert api.get_dominant_contract("not a product") is None


def test_dominant_contract_rejects_bad_arguments(store):
    api = make_api(store, day=dt.date(2024, 6, 3))
    with pytest.raises(TypeError, match="contract"):
        api.get_dominant_contract(None)
    with pytest.raises(ValueError, match="date"):
        api.get_dominant_contract("IF", "someday")


def test_dominant_contract_warns_in_order_callbacks_and_strict_phases_refuses(store):
    api = make_api(store, day=dt.date(2024, 6, 3), phase="on_order")
    assert api.get_dominant_contract("IF") == "IF2406.CCFX"
    assert "get_dominant_contract is not on Ptrade's whitelist for on_order_response" in api.rt.log.warnings[0]
    with pytest.raises(PhaseError, match="get_dominant_contract cannot be called in on_order_response"):
        make_api(store, phase="on_order", strict_phases=True).get_dominant_contract("IF")
