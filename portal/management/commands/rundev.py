"""`python manage.py rundev`: the development server with a Celery worker (and beat) beside it.

`make run` uses it so that "Audit now" works on the embedded defaults without holding the
editor's request: the worker takes the run from the broker (Redis, or the local filesystem
transport when REDIS_URL is unset) and the page shows the results when it is done. The worker
stops with the server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


class Command(BaseCommand):
    help = "Run the development server with a Celery worker and beat beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-worker", action="store_true", help="Only the web server (tasks stay queued)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = None if options["no_worker"] else self.start_worker()
        # Stopped by a signal (a terminal closing, `kill`, a supervisor): leave through `finally`
        # so the worker does not outlive the server.
        for stop in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(stop, _exit_cleanly)
        try:
            # The autoreloader would restart the server in a child process and leave the
            # worker's parent behind; the worker does not reload either, so neither does this.
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(30)

    def start_worker(self) -> subprocess.Popen:
        schedule = settings.BASE_DIR / "var" / "celerybeat-schedule"
        schedule.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--beat",
            f"--schedule={schedule}",
            "--concurrency=2",
            "--loglevel=INFO",
        ]
        self.stdout.write(f"Starting the worker: {' '.join(command[1:])}")
        # Its own process group, so stopping it also stops its pool processes.
        return subprocess.Popen(command, cwd=settings.BASE_DIR, start_new_session=True)  # noqa: S603
