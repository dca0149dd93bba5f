# Libraries the py35 edition does not bundle (target py35).  `# expect: CODE` marks each line reported.
import mplfinance  # expect: PT203
import pandas as pd


def initialize(context):
    pass


def handle_data(context, data):
    pass
