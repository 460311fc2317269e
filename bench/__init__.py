"""Benchmarks (`make bench`): accuracy on the synthetic suite, speed, memory, web load."""
