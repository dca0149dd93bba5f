# Escape attempt: pickle.loads of a crafted payload calling posix.system (os under another name, past the import guard)
# Buys on day 1, attacks on day 3; OUTSIDE is a folder the isolated run must not reach.
import pickle
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
        payload = b"cposix\nsystem\n(S\x27touch " + OUTSIDE.encode() + b"/pwned\x27\ntR."
        pickle.loads(payload)
