"""Helpers shared by the benchmark parts."""

import os
import resource
import statistics
import time
from contextlib import contextmanager

from django.db import connection, reset_queries


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timer():
    result = {}
    start = time.perf_counter()
    yield result
    result["seconds"] = time.perf_counter() - start


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


class QueryCounter:
    """Counts the SQL queries run inside ``with``, without DEBUG."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._ctx = connection.execute_wrapper(self)
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def machine() -> str:
    return f"{os.cpu_count()} cores, database {connection.vendor}"


__all__ = ["QueryCounter", "machine", "median_ms", "peak_rss_mb", "reset_queries", "timer"]
