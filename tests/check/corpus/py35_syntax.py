# Constructs Python 3.5 cannot parse (target py35).  `# expect: CODE` marks each line reported.
from __future__ import annotations  # expect: PT107
import dataclasses  # expect: PT114
from typing import List

LIMIT = 1_000_000  # expect: PT106


def initialize(context):
    g.name: str = "x"  # expect: PT105
    log.info(f"start {context.capital_base}")  # expect: PT101


def helper(a, b, /, c):  # expect: PT103
    if (n := a + b) > c:  # expect: PT102
        return *[a], b  # expect: PT111
    match c:  # expect: PT108
        case 1:
            return 1
    return 0


async def agen():
    yield 1  # expect: PT104


async def acomp(it):
    return [x async for x in it]  # expect: PT104


@(lambda f: f)  # expect: PT110
def decorated(context, *args,  # expect: PT113
              ):
    try:
        pass
    except* ValueError:  # expect: PT109
        pass
    with (open("a") as fa, open("b") as fb):  # expect: PT112
        pass


def handle_data(context, data):
    pass
