"""Benchmarks: the pipeline (`make bench`), the app's queries and Dagster's
overhead. Each prints its figures; none asserts a time."""
