"""Connect to Ray for one run: this machine by default, or the cluster at an address."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import ray
from ray.data import DataContext

from summarizer.errors import ConfigError

__all__ = ["ray_session"]


@contextlib.contextmanager
def ray_session(address: str | None = None) -> Iterator[float]:
    """Yield the cluster's CPU count, connected for the duration of the ``with``.

    Ray already initialised in this process (a script, a test) is used as it is and left
    running; otherwise this starts Ray on this machine (``address=None``) or joins the cluster
    at ``address`` (``auto``, ``ray://host:10001``), and disconnects at the end.

    Raises:
        ConfigError: No cluster answers at ``address``.
    """
    started = not ray.is_initialized()
    if started:
        try:
            ray.init(
                address=address,
                include_dashboard=False,
                logging_level=logging.WARNING,
                configure_logging=True,
            )
        except (ConnectionError, RuntimeError) as exc:
            raise ConfigError(
                f"cannot reach a Ray cluster at {address!r}: {exc}. Start one with "
                "`ray start --head`, or leave --ray-address out to run on this machine."
            ) from exc
    context = DataContext.get_current()
    context.enable_progress_bars = False  # the run's own bar says how far it is
    context.print_on_execution_start = False
    # The stage's own error (an endpoint that cannot be reached...) reaches the driver as
    # itself, not as Ray Data's UserCodeException, so the run can say what stopped it.
    context.raise_original_map_exception = True
    try:
        resources = ray.cluster_resources()  # type: ignore[no-untyped-call]
        yield float(resources.get("CPU", 1.0))
    finally:
        if started:
            ray.shutdown()
