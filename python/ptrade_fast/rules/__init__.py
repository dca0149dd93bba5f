"""Dated market rules (instrument parameters, price limits), resolved into plain arrays for the kernels."""
