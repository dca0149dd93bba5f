"""ptrade_fast._core.margin: financing, securities lending, accrual, available margin and maintenance ratio, and margin
orders through OrderBook.match."""
import numpy as np
import pytest

from ptrade_fast import _core as pc
from ptrade_fast._core.fills import FillBuffer, MatchParams
from ptrade_fast._core.book import OrderBook
from ptrade_fast._core.fees import FeeTable
from ptrade_fast._core.ledger import Ledger
from ptrade_fast._core.margin import MarginLedger

CNY = 10000
BUY, SELL = pc.SIDE_BUY, pc.SIDE_SELL


def account(cash=100_000 * CNY, n=3):
    led = Ledger(n, cash)
    mgn = MarginLedger(n, led)
    mgn.fin_eligible[:] = 1
    mgn.slo_eligible[:] = 1
    mgn.fin_quota = mgn.slo_quota = 10**7 * CNY
    return led, mgn


# -- financing ---------------------------------------------------------------------------------------

def test_financed_buy_puts_shares_in_the_ledger_and_the_cost_into_debt():
    led, mgn = account()
    mgn.fin_buy(0, 1000, 10 * CNY, 5 * CNY)
    assert led.amount[0] == 1000 and led.enable_amount[0] == 0            # T+1 like any purchase
    assert led.cash == 100_000 * CNY and led.cost_total[0] == 10_005 * CNY
    assert mgn.fin_debt[0] == 10_005 * CNY and mgn.fin_amount[0] == 1000
    assert led.total_fees == 5 * CNY


def test_interest_accrues_actual_over_360_rounded_half_up_to_a_cent():
    led, mgn = account()
    mgn.fin_buy(0, 1000, 10 * CNY, 5 * CNY)
    mgn.fin_rate = 0.06
    # 10,005 x 6 % x 30 / 360 = 50.025 -> 50.03
    assert mgn.accrue(30) == (5003 * 100, 0)
    assert mgn.fin_interest == 5003 * 100


def test_sell_to_repay_pays_interest_then_principal_then_cash():
    led, mgn = account()
    mgn.fin_buy(0, 1000, 10 * CNY, 5 * CNY)
    mgn.fin_interest = 5003 * 100
    led.roll_day()
    # proceeds 11,000 - 16 = 10,984: interest 50.03, principal 10,005, 928.97 left for cash
    assert mgn.fin_sell(0, 1000, 11 * CNY, 16 * CNY) == (5003 * 100, 10_005 * CNY)
    assert mgn.fin_interest == 0 and mgn.fin_debt[0] == 0 and mgn.fin_amount[0] == 0
    assert led.cash == 100_000 * CNY + 92897 * 100


def test_sell_to_repay_with_small_proceeds_repays_part_of_the_principal():
    led, mgn = account()
    mgn.fin_buy(0, 1000, 10 * CNY, 0)
    led.roll_day()
    assert mgn.fin_sell(0, 300, 10 * CNY, 0) == (0, 3_000 * CNY)
    assert mgn.fin_debt[0] == 7_000 * CNY and mgn.fin_amount[0] == 700 and led.cash == 100_000 * CNY


def test_direct_refund_pays_interest_then_lending_fee_then_principal_within_cash():
    led, mgn = account(cash=1_000 * CNY)
    mgn.fin_buy(0, 100, 10 * CNY, 0)
    mgn.fin_buy(1, 100, 10 * CNY, 0)
    mgn.fin_interest, mgn.slo_fee = 10 * CNY, 5 * CNY
    assert mgn.direct_refund(1_500 * CNY) == 1_000 * CNY                  # capped by cash
    assert (mgn.fin_interest, mgn.slo_fee) == (0, 0)
    assert mgn.fin_debt.tolist() == [15 * CNY, 1_000 * CNY, 0] and led.cash == 0


# -- securities lending ----------------------------------------------------------------------------

def test_short_sale_freezes_the_proceeds_and_buy_to_return_releases_them_in_proportion():
    led, mgn = account()
    mgn.slo_sell(1, 1000, 20 * CNY, 6 * CNY)
    assert (mgn.slo_amount[1], mgn.slo_basis[1], mgn.slo_proceeds[1]) == (1000, 20_000 * CNY, 19_994 * CNY)
    assert led.cash == 100_000 * CNY and led.amount[1] == 0 and led.total_fees == 6 * CNY

    # return 400 at 18.00 with 5.00 fee: releases 19,994 x 0.4 = 7,997.60, costs 7,205
    assert mgn.slo_buy(1, 400, 18 * CNY, 5 * CNY) == 7_997_6000 - 7_205 * CNY
    assert mgn.slo_amount[1] == 600 and mgn.slo_basis[1] == 12_000 * CNY
    assert mgn.slo_proceeds[1] == 19_994 * CNY - 7_997_6000
    assert led.cash == 100_000 * CNY + 792_6000


def test_buy_to_return_beyond_the_borrowed_amount_is_a_fault():
    _, mgn = account()
    mgn.slo_sell(1, 100, 20 * CNY, 0)
    with pytest.raises(ValueError, match="slo_amount"):
        mgn.slo_buy(1, 200, 20 * CNY, 0)


def test_direct_return_hands_over_held_shares_and_releases_the_proceeds():
    led, mgn = account()
    led.set_position(1, 600, 600, 11_000 * CNY, 18 * CNY)
    mgn.slo_sell(1, 600, 20 * CNY, 0)
    assert mgn.direct_return(1, 600) == 12_000 * CNY
    assert led.amount[1] == 0 and led.cost_total[1] == 0
    assert led.realised_pnl[1] == 1_000 * CNY                             # proceeds 12,000 - cost 11,000
    assert mgn.slo_amount[1] == 0 and mgn.slo_proceeds[1] == 0 and mgn.slo_basis[1] == 0
    assert led.cash == 112_000 * CNY


def test_lending_fee_accrues_on_the_short_value_at_open():
    _, mgn = account()
    mgn.slo_sell(1, 1000, 20 * CNY, 0)
    mgn.slo_rate = 0.09
    assert mgn.accrue(1) == (0, 5 * CNY)                                  # 20,000 x 9 % / 360


# -- available margin and maintenance ratio --------------------------------------------------------

def test_available_margin_follows_the_documented_formula():
    led, mgn = account(cash=100_000 * CNY)
    mgn.haircut[:] = [0.7, 0.5, 0.5]
    led.set_position(0, 1000, 1000, 9_000 * CNY, 10 * CNY)              # own collateral
    mgn.fin_buy(1, 1000, 20 * CNY, 0)                                     # financed, cost 20,000
    mgn.slo_sell(2, 500, 20 * CNY, 0)                                     # short, 10,000 at open
    prices = np.array([10 * CNY, 21 * CNY, 22 * CNY])
    # 100,000 + 1,000 x 10 x 0.7 + (21,000 - 20,000) x 0.5 - 20,000 x 1.0
    #         + (10,000 - 11,000) in full - 11,000 x 1.0
    assert mgn.available_margin(prices) == (100_000 + 7_000 + 500 - 20_000 - 1_000 - 11_000) * CNY
    mgn.fin_ratio = 0.8
    assert mgn.available_margin(prices) == (100_000 + 7_000 + 500 - 16_000 - 1_000 - 11_000) * CNY
    mgn.fin_interest = 1 * CNY
    assert mgn.available_margin(prices) == (100_000 + 7_000 + 500 - 16_000 - 1_000 - 11_000 - 1) * CNY


def test_maintenance_ratio_is_assets_over_debt():
    led, mgn = account(cash=10_000 * CNY)
    mgn.fin_buy(0, 1000, 10 * CNY, 0)
    mgn.slo_sell(1, 100, 50 * CNY, 0)
    prices = np.array([9 * CNY, 60 * CNY, 0])
    # (10,000 + 5,000 proceeds + 9,000 stock) / (10,000 debt + 6,000 short value)
    assert mgn.maintenance_ratio(prices) == pytest.approx(24_000 / 16_000)
    assert MarginLedger(2).maintenance_ratio() == float("inf")


# -- through the order book ------------------------------------------------------------------------

class Market:
    """Three sids at 10 CNY, no fees, big volume; margin valued at the last mark (10 CNY)."""

    def __init__(self, cash=10_000 * CNY, **params):
        self.ledger, self.mgn = account(cash)
        self.mgn.mark(np.full(3, 10 * CNY, dtype=np.int64), np.ones(3, np.uint8))
        self.fees = FeeTable(3)
        self.book = OrderBook(capacity=4)
        self.fills = FillBuffer(capacity=2)
        self.params = MatchParams(**params)

    def bar(self, close=10 * CNY, volume=10**7):
        def a(v, dtype=np.int64):
            return np.full(3, v, dtype=dtype)
        return self.book.match(self.ledger, self.fees, a(close), a(close), a(close), a(volume), a(0), a(0),
                               a(1, np.uint8), self.params, self.fills, margin=self.mgn)

    def order(self, otype, side, amount, limit=0, sid=0):
        return self.book.add(sid, side, amount, limit, 100, 0, otype=otype)


def test_financed_buy_is_clipped_to_available_margin_over_the_financing_ratio():
    m = Market(cash=10_000 * CNY)                                     # ratio 100 %: 10,000 of credit
    m.order(pc.OTYPE_FIN_BUY, BUY, 2000)
    m.bar()
    assert m.book.filled[0] == 1000 and m.book.reason[0] == pc.R_MARGIN_CLIPPED
    assert m.mgn.fin_debt[0] == 10_000 * CNY and m.ledger.cash == 10_000 * CNY
    assert m.fills.columns()["otype"].tolist() == [pc.OTYPE_FIN_BUY]
    m.order(pc.OTYPE_FIN_BUY, BUY, 100)
    m.bar()
    assert m.book.status[1] == ord("6") and m.book.reason[1] == pc.R_NO_MARGIN


def test_financed_buy_is_clipped_to_the_quota_left():
    m = Market(cash=10**6 * CNY)
    m.mgn.fin_quota = 5_000 * CNY
    m.order(pc.OTYPE_FIN_BUY, BUY, 1000)
    m.bar()
    assert m.book.filled[0] == 500 and m.book.reason[0] == pc.R_MARGIN_CLIPPED


def test_orders_on_ineligible_securities_are_cancelled_with_not_eligible():
    m = Market()
    m.mgn.fin_eligible[0] = 0
    m.mgn.slo_eligible[1] = 0
    m.order(pc.OTYPE_FIN_BUY, BUY, 100, sid=0)
    m.order(pc.OTYPE_SLO_SELL, SELL, 100, sid=1)
    m.bar()
    assert m.book.reason.tolist() == [pc.R_NOT_ELIGIBLE] * 2 and m.book.filled.tolist() == [0, 0]


def test_short_sale_priced_below_the_latest_price_is_refused():
    m = Market()
    m.order(pc.OTYPE_SLO_SELL, SELL, 100, limit=99_000)               # 9.90 < last 10.00
    m.order(pc.OTYPE_SLO_SELL, SELL, 100, limit=10 * CNY)
    m.bar()
    assert m.book.reason[0] == pc.R_SHORT_BELOW_LAST and m.book.filled[0] == 0
    assert m.book.filled[1] == 100 and m.mgn.slo_amount[0] == 100


def test_short_sale_is_clipped_to_margin_and_quota():
    m = Market(cash=10_000 * CNY)
    m.mgn.slo_quota = 3_000 * CNY
    m.order(pc.OTYPE_SLO_SELL, SELL, 1000)
    m.bar()
    assert m.book.filled[0] == 300 and m.book.reason[0] == pc.R_MARGIN_CLIPPED
    assert m.mgn.slo_proceeds[0] == 3_000 * CNY and m.ledger.cash == 10_000 * CNY


def test_buy_to_return_is_clipped_to_the_borrowed_amount():
    m = Market()
    m.order(pc.OTYPE_SLO_SELL, SELL, 300)
    m.bar()
    m.order(pc.OTYPE_SLO_BUY, BUY, 500)
    m.order(pc.OTYPE_SLO_BUY, BUY, 100)
    m.bar(close=9 * CNY)
    assert m.book.filled[1] == 300 and m.book.reason[1] == pc.R_POSITION_CLIPPED
    assert m.book.reason[2] == pc.R_NO_POSITION
    assert m.mgn.slo_amount[0] == 0 and m.ledger.cash == 10_300 * CNY


def test_sell_to_repay_is_clipped_to_enable_amount():
    m = Market(cash=100_000 * CNY)
    m.order(pc.OTYPE_FIN_BUY, BUY, 500)
    m.bar()
    m.ledger.roll_day()
    m.order(pc.OTYPE_FIN_SELL, SELL, 800)
    m.bar(close=11 * CNY)
    assert m.book.filled[1] == 500 and m.book.reason[1] == pc.R_POSITION_CLIPPED
    assert m.mgn.fin_debt[0] == 0 and m.ledger.cash == 100_500 * CNY


def test_margin_orders_need_the_margin_ledger_and_the_right_side():
    m = Market()
    m.order(pc.OTYPE_FIN_BUY, BUY, 100)
    a = np.full(3, 10 * CNY, dtype=np.int64)
    with pytest.raises(ValueError, match="margin"):
        m.book.match(m.ledger, m.fees, a, a, a, a, a * 0, a * 0, np.ones(3, np.uint8), m.params, m.fills)
    with pytest.raises(ValueError, match="side"):
        m.book.add(0, SELL, 100, 0, 100, 0, otype=pc.OTYPE_FIN_BUY)
