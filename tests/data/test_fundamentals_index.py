"""The vectorised point-in-time index of FundamentalsStore agrees with a plain pandas reading of the rule."""
import types

import numpy as np
import pandas as pd
import pytest

from ptrade_fast.data.fundamentals import FundamentalsStore, merge_table, write_table


def _reports(seed=3, n_codes=40):
    rng = np.random.default_rng(seed)
    rows = []
    ends = pd.to_datetime(["2019-03-31", "2019-06-30", "2019-09-30", "2019-12-31", "2020-03-31", "2020-06-30"])
    for c in range(n_codes):
        code = f"{600000 + c:06d}.SS"
        for end in ends[rng.random(len(ends)) < 0.8]:
            publ = end + pd.Timedelta(days=int(rng.integers(5, 120)))   # annual reports can come after Q1
            rtype = {3: "1", 6: "2", 9: "3", 12: "4"}[end.month]
            rows.append((code, end.date(), publ.date(), rtype, 0, float(rng.normal())))
            if rng.random() < 0.3:
                rows.append((code, end.date(), (publ + pd.Timedelta(days=40)).date(), rtype, 1, float(rng.normal())))
    return pd.DataFrame(rows, columns=["code", "end_date", "publ_date", "report_type", "revision", "basic_eps"])


def _expected(df, code, day, rtypes=None, latest=False):
    d = pd.Timestamp(day).date()
    first = df[(df.code == code) & (df.revision == 0) & (df.publ_date < d)]
    if rtypes:
        first = first[first.report_type.isin(rtypes)]
    if first.empty:
        return np.nan, None
    best = first.sort_values(["end_date", "publ_date"]).iloc[-1]
    if latest:
        best = df[(df.code == code) & (df.end_date == best.end_date)].sort_values("revision").iloc[-1]
    return best.basic_eps, best.end_date


@pytest.fixture()
def fund(tmp_path):
    df = _reports()
    write_table(tmp_path, "eps", df)
    return FundamentalsStore(types.SimpleNamespace(root=tmp_path)), df


@pytest.mark.parametrize("rtypes,latest", [(None, False), (None, True), (["4"], False), (["1", "3"], True)])
def test_latest_reports_follow_the_point_in_time_rule(fund, rtypes, latest):
    store, df = fund
    codes = sorted(set(df.code)) + ["000001.SZ"]            # one code without reports
    for day in pd.date_range("2019-03-01", "2020-12-31", freq="41D"):
        got = store.latest_reports("eps", codes, np.datetime64(day.date()), rtypes, 1 if latest else None)
        for code in codes:
            want, end = _expected(df, code, day, rtypes, latest)
            value = got.at[code, "basic_eps"]
            assert (np.isnan(want) and np.isnan(value)) or value == want, (code, day)
            if end is not None:
                assert pd.Timestamp(got.at[code, "end_date"]).date() == end


def test_merge_table_adds_and_replaces_rows(tmp_path):
    df = _reports(n_codes=3)
    write_table(tmp_path, "eps", df.iloc[:5])
    changed = df.iloc[3:8].copy()
    changed["basic_eps"] = 9.0
    merge_table(tmp_path, "eps", changed)
    out = pd.read_parquet(tmp_path / "fundamentals" / "eps.parquet")
    assert len(out) == 8 and out["basic_eps"].tolist()[:3] == df["basic_eps"].tolist()[:3]
    assert (out.set_index(["code", "end_date", "revision"]).loc[
        list(changed.set_index(["code", "end_date", "revision"]).index), "basic_eps"] == 9.0).all()
