"""Benchmarks: synthetic councils at named sizes, and a harness that times the real stack.

``python -m bench.run --size S`` (``make bench SIZE=S``) generates the data, serves it with
gunicorn and prints the figures; see docs/performance.md.
"""
