"""CSV import refuses to guess: ambiguous dates need a format, bad numbers and broken OHLC rows are named."""
from __future__ import annotations

import textwrap

import pytest

from ptrade_fast.data.importers.csv import read_csv

HEADER = "code,date,open,high,low,close,volume,money\n"


def _csv(tmp_path, body):
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


def test_a_day_month_date_is_refused_without_an_explicit_format(tmp_path):
    path = _csv(tmp_path, """
        600000.SS,02/01/2024,10,10.5,9.9,10.2,1000,10200
    """)
    with pytest.raises(ValueError, match=r"bars.csv: column 'date': line 2: dates like '02/01/2024' are ambiguous "
                                         r"or not ISO .*--date-format '%d/%m/%Y'"):
        read_csv(path)


def test_an_explicit_date_format_reads_day_first(tmp_path):
    path = _csv(tmp_path, """
        600000.SS,02/01/2024,10,10.5,9.9,10.2,1000,10200
        600000.SS,03/01/2024,10.2,10.6,10.1,10.4,1000,10400
    """)
    df = read_csv(path, date_format="%d/%m/%Y")
    assert [str(d)[:10] for d in df["date"]] == ["2024-01-02", "2024-01-03"]


def test_iso_dates_need_no_format(tmp_path):
    path = _csv(tmp_path, """
        600000.SS,2024/01/02,10,10.5,9.9,10.2,1000,10200
        600000.SS,2024-01-03,10.2,10.6,10.1,10.4,1000,10400
    """)
    assert [str(d)[:10] for d in read_csv(path)["date"]] == ["2024-01-02", "2024-01-03"]


def test_a_row_with_high_below_low_is_reported_not_swapped(tmp_path):
    path = _csv(tmp_path, """
        600000.SS,2024-01-02,10,10.5,9.9,10.2,1000,10200
        600000.SS,2024-01-03,10.2,9.8,10.6,10.4,1000,10400
    """)
    with pytest.raises(ValueError, match=r"bars.csv: 1 row\(s\) whose high/low do not bracket open and close "
                                         r"\(line 3: open 10.2 high 9.8 low 10.6 close 10.4\); the importer does "
                                         r"not swap or repair prices"):
        read_csv(path)


def test_a_value_that_is_not_a_number_names_file_line_and_column(tmp_path):
    path = _csv(tmp_path, """
        600000.SS,2024-01-02,10,10.5,9.9,10.2,1000,10200
        600000.SS,2024-01-03,10.2,10.6,10.1,ten,1000,10400
    """)
    with pytest.raises(ValueError, match=r"bars.csv: line 3, column 'close': 'ten' is not a number"):
        read_csv(path)
