"""ptrade_fast._core.futures: legs, margin, settlement, expiry, fees, and futures orders through OrderBook.match."""
import numpy as np
import pytest

from ptrade_fast import _core as pc
from ptrade_fast._core.fills import FillBuffer, MatchParams
from ptrade_fast._core.book import OrderBook
from ptrade_fast._core.fees import FeeTable
from ptrade_fast._core.futures import FuturesFeeTable, FuturesLedger, notional
from ptrade_fast._core.ledger import Ledger

CNY = 10000
PT = 10000          # one index point in price units
LONG, SHORT = 1, -1
BUY, SELL = pc.SIDE_BUY, pc.SIDE_SELL


def account(cash=1_000_000 * CNY, n=2, multiplier=300.0, rate=0.12):
    led = Ledger(n, cash)
    fut = FuturesLedger(n, led)
    fut.multiplier[:] = multiplier
    fut.margin_rate[:] = rate
    return led, fut


def if_fees(n=2, open_rate=0.000023, close_rate=0.000023, close_today_rate=0.00023, by_volume=0):
    fees = FuturesFeeTable(n)
    fees.by_volume[:] = by_volume
    fees.open_rate[:] = open_rate
    fees.close_rate[:] = close_rate
    fees.close_today_rate[:] = close_today_rate
    return fees


def settle(fut, price, sid=0):
    px = np.zeros(fut.n_sids, dtype=np.int64)
    px[sid] = price
    valid = np.zeros(fut.n_sids, dtype=np.uint8)
    valid[sid] = 1
    return fut.settle_day(px, valid)


# -- the worked example ----------------------------------------------------------------------------

def test_open_settle_close_of_two_if_lots_matches_hand_computed_numbers():
    led, fut = account(cash=1_000_000 * CNY)
    fees = if_fees()

    # open 2 lots at 3200.0: notional 1,920,000; margin 12 % = 230,400; fee 0.23 bp = 44.16
    fee_open = fees.fee(0, 0, 2, notional(3200 * PT, 2, 300.0))
    assert fee_open == 4416 * 100
    assert fut.open(0, LONG, 2, 3200 * PT, fee_open) == 230_400 * CNY
    assert led.cash == (1_000_000 - 230_400 - 44.16) * CNY
    assert fut.long_margin[0] == 230_400 * CNY and fut.long_today[0] == 2
    assert fut.long_basis_total[0] == fut.long_today_basis[0] == 1_920_000 * CNY

    # settle at 3210.0: +6,000 into cash; margin re-evaluated at 3210 (231,120): cash pays 720 more
    cash0 = led.cash
    assert settle(fut, 3210 * PT) == 6_000 * CNY
    assert led.cash - cash0 == (6_000 - 720) * CNY
    assert fut.long_margin[0] == 231_120 * CNY
    assert fut.long_today[0] == 0 and fut.long_today_basis[0] == 0
    assert fut.long_basis_total[0] == 1_926_000 * CNY and fut.settle_price[0] == 3210 * PT

    # close next day at 3190.0: P&L vs 3210 = -12,000; all margin back; close fee 44.02 (yesterday's rate)
    fee_close = fut.close_fee(fees, 0, LONG, 2, 3190 * PT)
    assert fee_close == 4402 * 100
    cash1 = led.cash
    assert fut.close(0, LONG, 2, 3190 * PT, fee_close) == -12_000 * CNY
    assert led.cash - cash1 == 231_120 * CNY - 12_000 * CNY - fee_close
    assert fut.long_amount[0] == 0 and fut.long_margin[0] == 0 and fut.long_basis_total[0] == 0
    assert fut.long_realised[0] == -12_000 * CNY

    # whole round trip: -6,000 of P&L and the two fees
    assert led.cash == (1_000_000 - 6_000) * CNY - fee_open - fee_close
    assert led.total_fees == fee_open + fee_close


def test_short_leg_gains_when_the_price_falls():
    led, fut = account()
    fut.open(0, SHORT, 1, 4000 * PT, 0)
    assert settle(fut, 3990 * PT) == 3_000 * CNY
    assert fut.close(0, SHORT, 1, 3980 * PT, 0) == 3_000 * CNY
    assert led.cash == (1_000_000 + 6_000) * CNY and fut.short_margin[0] == 0


# -- closes: yesterday first, close today, fee split ------------------------------------------------

def test_close_takes_carried_lots_first_and_charges_close_today_rate_on_the_rest():
    led, fut = account(multiplier=300.0)
    fees = if_fees(close_rate=0.0001, close_today_rate=0.001)
    fut.open(0, LONG, 1, 3000 * PT, 0)
    settle(fut, 3000 * PT)
    fut.open(0, LONG, 2, 3100 * PT, 0)                          # today's lots at 3100
    assert fut.closable(0, LONG) == 3 and fut.closable(0, LONG, close_today=True) == 2

    # 2 lots: 1 carried (ref 3000) + 1 today (ref 3100), at 3050 -> +15,000 - 15,000 = 0
    v1 = notional(3050 * PT, 1, 300.0)
    assert fut.close_fee(fees, 0, LONG, 2, 3050 * PT) == fees.fee(0, 1, 1, v1) + fees.fee(0, 2, 1, v1)
    assert fut.close(0, LONG, 2, 3050 * PT, 0) == 0
    assert fut.long_amount[0] == 1 and fut.long_today[0] == 1
    assert fut.long_today_basis[0] == fut.long_basis_total[0] == notional(3100 * PT, 1, 300.0)


def test_close_today_takes_only_todays_lots():
    led, fut = account()
    fut.open(0, LONG, 1, 3000 * PT, 0)
    settle(fut, 3000 * PT)
    fut.open(0, LONG, 1, 3100 * PT, 0)
    assert fut.close(0, LONG, 1, 3120 * PT, 0, close_today=True) == 20 * 300 * CNY
    assert fut.long_amount[0] == 1 and fut.long_today[0] == 0
    assert fut.long_basis_total[0] == notional(3000 * PT, 1, 300.0)
    with pytest.raises(ValueError, match="today lots"):
        fut.close(0, LONG, 1, 3120 * PT, 0, close_today=True)


def test_closing_more_than_held_is_a_fault():
    _, fut = account()
    fut.open(0, SHORT, 1, 3000 * PT, 0)
    with pytest.raises(ValueError, match="short leg"):
        fut.close(0, SHORT, 2, 3000 * PT, 0)
    with pytest.raises(ValueError):
        fut.close(0, LONG, 1, 3000 * PT, 0)


def test_partial_close_releases_proportional_margin_and_basis():
    led, fut = account(rate=0.1)
    fut.open(0, LONG, 3, 3000 * PT, 0)
    m = int(fut.long_margin[0])
    fut.close(0, LONG, 1, 3000 * PT, 0)
    assert fut.long_margin[0] == m - m // 3 and fut.long_basis_total[0] == notional(3000 * PT, 2, 300.0)


# -- fees ------------------------------------------------------------------------------------------

def test_fee_by_volume_is_cny_per_lot():
    fees = if_fees(by_volume=1, open_rate=3.0, close_rate=3.0, close_today_rate=0.0)
    assert fees.fee(0, 0, 5, 10**12) == 15 * CNY
    assert fees.fee(0, 2, 5, 10**12) == 0


def test_fee_by_value_rounds_half_up_to_a_cent():
    fees = if_fees(open_rate=0.000025)
    assert fees.fee(0, 0, 1, 2_000_00 * CNY) == 5 * CNY                # 200,000 x 0.25 bp = 5.00
    assert fees.fee(0, 0, 1, 1_002 * CNY) == 300                       # 0.02505 -> 0.03


# -- settlement, margin calls, expiry, valuation ---------------------------------------------------

def test_settlement_loss_can_make_cash_negative_and_flags_a_margin_call():
    led, fut = account(cash=0, rate=0.1)
    fut.open(0, LONG, 1, 3000 * PT, 0)                          # overdraws by the margin, booked directly
    led.cash = 0
    assert fut.margin_call_sids().tolist() == []
    settle(fut, 2900 * PT)                                      # -30,000 of P&L, margin falls by 3,000
    assert led.cash == (-30_000 + 3_000) * CNY
    assert fut.shortfall() == 27_000 * CNY
    assert fut.margin_call_sids().tolist() == [0]


def test_invalid_settlement_keeps_basis_but_ends_the_day():
    led, fut = account()
    fut.open(0, LONG, 1, 3000 * PT, 0)
    cash = led.cash
    assert fut.settle_day(np.zeros(2, np.int64), np.zeros(2, np.uint8)) == 0
    assert led.cash == cash and fut.long_today[0] == 0
    assert fut.long_basis_total[0] == notional(3000 * PT, 1, 300.0) and fut.settle_price[0] == 0


def test_expiry_closes_both_legs_at_the_final_settlement_without_fees():
    led, fut = account()
    fut.open(0, LONG, 2, 3000 * PT, 0)
    fut.open(0, SHORT, 1, 3010 * PT, 0)
    fees_before = led.total_fees
    assert fut.expire(0, 3020 * PT) == (2 * 20 - 10) * 300 * CNY
    assert fut.long_amount[0] == fut.short_amount[0] == 0
    assert fut.long_margin[0] == fut.short_margin[0] == 0 and fut.margin_total() == 0
    assert led.cash == (1_000_000 + 9_000) * CNY and led.total_fees == fees_before


def test_equity_is_cash_plus_margin_plus_floating_pnl():
    led, fut = account()
    fut.open(0, LONG, 1, 3000 * PT, 0)
    fut.open(1, SHORT, 1, 2000 * PT, 0)
    fut.mark(np.array([3010 * PT, 2010 * PT]), np.ones(2, np.uint8))
    lo, so = np.zeros(2, np.int64), np.zeros(2, np.int64)
    assert fut.floating_pnl(long_out=lo, short_out=so) == 0
    assert lo.tolist() == [3000 * CNY, 0] and so.tolist() == [0, -3000 * CNY]
    assert fut.equity_value() == 1_000_000 * CNY


def test_fractional_multiplier_rounds_the_notional_half_up():
    assert notional(10001, 3, 0.5) == 15002       # 15001.5 -> 15002
    assert notional(10001, 3, 300.0) == 10001 * 3 * 300


def test_ledger_must_share_its_sid_count():
    with pytest.raises(ValueError, match="sids"):
        FuturesLedger(3, Ledger(2))


# -- through the order book ------------------------------------------------------------------------

class Market:
    """Two futures sids (IF-like), one bar at a time: close 3000.0, big volume, no limits."""

    def __init__(self, cash=1_000_000 * CNY, **params):
        self.ledger, self.fut = account(cash)
        self.fees = FeeTable(2)
        self.ffees = if_fees()
        self.book = OrderBook(capacity=4)
        self.fills = FillBuffer(capacity=2)
        self.params = MatchParams(**params)

    def bar(self, close=3000 * PT, volume=10**6, high_limit=0, low_limit=0, tradable=1):
        def a(v, dtype=np.int64):
            return np.full(2, v, dtype=dtype)
        return self.book.match(self.ledger, self.fees, a(close), a(close), a(close), a(volume), a(high_limit),
                               a(low_limit), a(tradable, np.uint8), self.params, self.fills,
                               futures=self.fut, futures_fees=self.ffees)

    def order(self, otype, side, amount, limit=0, sid=0):
        return self.book.add(sid, side, amount, limit, 1, 0, otype=otype)


def test_buy_open_then_sell_close_through_the_book():
    m = Market()
    m.order(pc.OTYPE_FUT_OPEN, BUY, 2)
    assert m.bar() == 1
    f = m.fills.columns()
    assert f["otype"].tolist() == [pc.OTYPE_FUT_OPEN] and f["qty"].tolist() == [2]
    assert f["value"].tolist() == [notional(3000 * PT, 2, 300.0)]
    assert f["commission"][0] == m.ffees.fee(0, 0, 2, f["value"][0]) and f["stamp_duty"][0] == 0
    assert m.fut.long_amount[0] == 2 and m.book.status[0] == ord("8")

    m.order(pc.OTYPE_FUT_CLOSE, SELL, 5)
    m.bar(close=3010 * PT)
    assert m.book.reason[1] == pc.R_POSITION_CLIPPED and m.book.filled[1] == 2
    assert m.fut.long_amount[0] == 0 and m.fut.long_realised[0] == 2 * 10 * 300 * CNY


def test_sell_open_opens_a_short_leg_and_buy_close_closes_it():
    m = Market()
    m.order(pc.OTYPE_FUT_OPEN, SELL, 1)
    m.bar()
    assert m.fut.short_amount[0] == 1 and m.fut.long_amount[0] == 0
    m.order(pc.OTYPE_FUT_CLOSE_TODAY, BUY, 1)
    m.bar(close=2990 * PT)
    assert m.fut.short_amount[0] == 0 and m.fut.short_realised[0] == 10 * 300 * CNY


def test_open_is_clipped_to_what_cash_covers_with_margin_and_fee():
    m = Market(cash=250_000 * CNY)                     # one lot needs 108,000 margin + fee
    m.order(pc.OTYPE_FUT_OPEN, BUY, 5)
    m.bar()
    assert m.book.filled[0] == 2 and m.book.reason[0] == pc.R_CASH_CLIPPED
    assert m.ledger.cash >= 0
    m.order(pc.OTYPE_FUT_OPEN, BUY, 1)
    m.bar()
    assert m.book.status[1] == ord("6") and m.book.reason[1] == pc.R_NO_CASH


def test_close_without_a_position_is_cancelled_with_no_position():
    m = Market()
    m.order(pc.OTYPE_FUT_CLOSE, BUY, 1)
    m.bar()
    assert m.book.status[0] == ord("6") and m.book.reason[0] == pc.R_NO_POSITION


def test_buy_open_is_blocked_at_a_locked_limit_up():
    m = Market()
    m.order(pc.OTYPE_FUT_OPEN, BUY, 1)
    m.bar(high_limit=3000 * PT)
    assert m.book.reason[0] == pc.R_LIMIT_UP_LOCKED and m.fut.long_amount[0] == 0


def test_futures_orders_need_the_futures_ledger_at_match():
    m = Market()
    m.order(pc.OTYPE_FUT_OPEN, BUY, 1)
    a = np.full(2, 3000 * PT, dtype=np.int64)
    with pytest.raises(ValueError, match="futures"):
        m.book.match(m.ledger, m.fees, a, a, a, a, a * 0, a * 0, np.ones(2, np.uint8), m.params, m.fills)
    with pytest.raises(ValueError, match="share"):
        m.book.match(Ledger(2), m.fees, a, a, a, a, a * 0, a * 0, np.ones(2, np.uint8), m.params, m.fills,
                     futures=m.fut, futures_fees=m.ffees)


def test_add_refuses_an_unknown_order_type():
    with pytest.raises(ValueError, match="otype"):
        OrderBook().add(0, BUY, 1, 0, 1, 0, otype=8)
