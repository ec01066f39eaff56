"""Benchmarks for kg (issue 7): ``python -m bench.run`` (``make bench``); see docs/scale.md."""
