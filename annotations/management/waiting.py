"""Queue extraction from a command and wait for the workers with a progress bar (tqdm on a terminal, a
plain line every few seconds otherwise). Shared by `ingest --distributed` and `extract --distributed`.

Broker trouble is a CommandError of one line; the stories stay marked, so running the command again
sends what is left. Ctrl-C stops the waiting, not the workers.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from kombu.exceptions import OperationalError as BrokerError

from annotations.services.distributed import ExtractionProgress, failures, queue_extraction
from core.queue import needs_postgresql

POLL_SECONDS = 1.0


def check_distributed() -> None:
    if reason := needs_postgresql():
        raise CommandError(reason)


def queue_or_fail(story_ids: list[int], *, rerun: str):
    try:
        return queue_extraction(story_ids)
    except BrokerError as error:
        raise CommandError(
            f"The broker cannot be reached ({error}). The stories are stored and marked; start the broker"
            f" and run `{rerun}` to queue what is left."
        ) from None


def wait_for_extraction(
    command: BaseCommand, token, total: int, *, verbosity: int, rerun: str
) -> ExtractionProgress:
    """Poll the database until every queued story is extracted or failed; returns the last counts."""
    progress = ExtractionProgress.of(token, total)
    bar = None
    if verbosity and command.stdout.isatty():
        from tqdm import tqdm

        bar = tqdm(
            total=total, unit=" stories", desc="extracting", file=command.stdout._out, dynamic_ncols=True
        )
    last_line, shown = time.monotonic(), 0
    try:
        while not progress.done:
            time.sleep(POLL_SECONDS)
            progress = ExtractionProgress.of(token, total)
            settled = progress.extracted + progress.failed
            if bar is not None:
                bar.update(settled - shown)
                bar.set_postfix_str(f"{progress.failed} failed", refresh=False)
            elif verbosity and time.monotonic() - last_line >= 5:
                last_line = time.monotonic()
                command.stdout.write(
                    f"... {progress.extracted} of {total} extracted, {progress.failed} failed"
                )
            shown = settled
    except KeyboardInterrupt:
        raise CommandError(
            f"Stopped waiting ({progress.extracted} of {total} extracted); the workers carry on. "
            f"Run `{rerun}` to wait again."
        ) from None
    finally:
        if bar is not None:
            bar.update(progress.extracted + progress.failed - shown)
            bar.close()
    for story_id, title, reason in failures(token):
        command.stderr.write(command.style.ERROR(f"FAILED story {story_id} ({title}): {reason}"))
    return progress
