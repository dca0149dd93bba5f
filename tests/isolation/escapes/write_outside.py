# Escape attempt: writing a file outside the allowed folders
# Buys on day 1, attacks on day 3; OUTSIDE is a folder the isolated run must not reach.

OUTSIDE = "__OUTSIDE__"


def initialize(context):
    g.day = 0
    set_universe(["600570.SS"])


def handle_data(context, data):
    g.day += 1
    if g.day == 1:
        order_value("600570.SS", 100000)
    if g.day == 3:
        log.info("attacking")
        with open(OUTSIDE + "/pwned", "w") as fh:
            fh.write("owned")
