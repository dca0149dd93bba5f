"""print_metrics_table: two columns aligned in terminal cells, CJK labels counted as double width."""
import io

from ptrade_fast.report.cli_support import display_width, format_metrics_table, print_metrics_table


def test_values_end_in_the_same_terminal_column(five_days):
    lines = format_metrics_table(five_days.metrics).splitlines()

    assert len(lines) == len(five_days.metrics)
    assert len({display_width(line) for line in lines}) == 1
    assert lines[0].startswith("开始日期 Start") and lines[0].endswith("2024-01-02")


def test_print_goes_to_the_given_file(five_days):
    out = io.StringIO()

    print_metrics_table({"sharpe": 1.23456, "max_drawdown": 0.1, "custom": 2.0}, file=out)

    assert out.getvalue().splitlines() == [
        "夏普比率 Sharpe" + " " * 9 + "1.235",
        "最大回撤 Max drawdown" + " " * 2 + "10.00%",
        "custom" + " " * 18 + "2.000",
    ]


def test_display_width_counts_cjk_as_two():
    assert display_width("胜率 ab") == 7
