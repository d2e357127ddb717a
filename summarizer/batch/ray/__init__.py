"""Run the batch on a Ray cluster (``pip install "summarizer[ray]"``): this machine or many.

- :func:`summarize_dataset` is a stage for your own Ray Data pipeline: any source
  (``read_json``, ``read_parquet``, a bucket), rows in, result and error columns out.
- :func:`run_on_ray` is ``summarizer batch --via ray``: an archive into the same output file
  the local runner writes, resumable, cached, with one writer.
- :func:`shared_limiter` is the one rate budget every actor of a run shares.

Modules: ``stage`` (the actors' work), ``budget`` (the shared limiter), ``driver`` (archive in,
file out), ``session`` (connecting to Ray). Importing this package imports Ray.
"""

from summarizer.batch.ray.budget import SharedLimiter, shared_limiter
from summarizer.batch.ray.driver import RayOptions, run_on_ray
from summarizer.batch.ray.stage import OUTPUT_SCHEMA, SummarizeRows, summarize_dataset

__all__ = [
    "OUTPUT_SCHEMA",
    "RayOptions",
    "SharedLimiter",
    "SummarizeRows",
    "run_on_ray",
    "shared_limiter",
    "summarize_dataset",
]
