"""`manage.py task_worker`: django-tasks-db's worker, plus a heartbeat and the recovery of the
tasks of dead workers (espace.core.worker). Use it instead of `db_worker`."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, connections
from django.utils.crypto import get_random_string

from espace.core.exceptions import DATABASE_DOWN_ERRORS
from espace.core.worker import tasks_requeue_orphans, tasks_requeue_own, worker_beat, worker_gone

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Exécute les tâches en arrière-plan (courriels, courriers, analyses) et relance celles d'un worker arrêté net."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="secondes entre deux lectures de la file vide")
        parser.add_argument("--worker-id", default="", help="identifiant unique du worker (tiré au hasard par défaut)")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"] or f"w-{get_random_string(24)}"
        self._recover(worker_id)  # at once: a worker restarted after a crash picks up what it left
        stop = threading.Event()
        beating = threading.Thread(target=self._beat_forever, args=(worker_id, stop), daemon=True)
        beating.start()
        try:
            self._work(worker_id, interval=options["interval"], verbosity=options["verbosity"])
        finally:
            stop.set()
            beating.join(timeout=5)
            self._leave(worker_id)

    def _work(self, worker_id: str, *, interval: float, verbosity: int) -> None:
        """django-tasks-db's worker loop stops on a database error: here it waits for the database
        (back-off up to 30 s) and goes on, so a PostgreSQL restart needs no worker restart."""
        pause = 1.0
        while True:
            try:
                call_command(
                    "db_worker",
                    queue_name="*",
                    interval=interval,
                    reload=False,
                    worker_id=worker_id,
                    verbosity=verbosity,
                )
                return
            except DATABASE_DOWN_ERRORS as error:
                logger.warning("Database unavailable (%s): worker %s waits %.0f s", error, worker_id, pause)
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, 30.0)
                try:
                    # A task cut by the outage was claimed by this worker and is running no more.
                    tasks_requeue_own(worker_id)
                    pause = 1.0
                except DATABASE_DOWN_ERRORS:
                    connections.close_all()

    def _leave(self, worker_id: str) -> None:
        # A stop signal may have cut a query mid-way: a fresh connection for the last words.
        connections.close_all()
        try:
            worker_gone(worker_id)
        except DATABASE_DOWN_ERRORS:  # its row goes stale and the others take back what it held
            logger.exception("Worker %s could not sign off", worker_id)

    def _beat_forever(self, worker_id: str, stop: threading.Event) -> None:
        interval = settings.TASK_WORKER_HEARTBEAT.total_seconds()
        while not stop.wait(interval):
            self._recover(worker_id)
            connection.close()  # this thread's own connection: never held between beats

    def _recover(self, worker_id: str) -> None:
        try:
            worker_beat(worker_id)
            tasks_requeue_orphans()
        except Exception:  # the database may be away for a while: beat again next time
            logger.exception("Heartbeat of worker %s failed", worker_id)
