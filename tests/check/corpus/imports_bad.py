# Imports the platform refuses or does not have.  `# expect: CODE` marks each line reported.
import os  # expect: PT201
import importlib
import json
import numpy as np
import talib
from subprocess import run  # expect: PT201
import requests  # expect: PT205
import lightgbm  # expect: PT202
from . import sibling  # expect: PT204
import corpus_helper  # expect: PT204


def initialize(context):
    sock = importlib.import_module("socket")  # expect: PT201
    g.c = __import__("ctypes")  # expect: PT201


def handle_data(context, data):
    pass
