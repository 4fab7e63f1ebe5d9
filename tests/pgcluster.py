"""Private PostgreSQL 15 clusters for the tests that stop a server or replicate one: initdb into a
temporary directory, on a free port of 127.0.0.1, owned by `postgres` when the tests run as root
(PostgreSQL refuses to run as root). A streaming replica is made the way an operator makes one
(pg_basebackup -R from the primary, hot standby)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.serving import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass
class Cluster:
    root: Path
    port: int
    as_owner: list[str]
    database: str

    def run(self, *command: str) -> None:
        done = subprocess.run([*self.as_owner, *command], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    def pg_ctl(self, *args: str) -> None:
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.root / "data"), *args)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-o", options, "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description is not None else []


def _owned_directory(prefix: str) -> tuple[Path, list[str]]:
    root = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() != 0:
        return root, []
    owner = pwd.getpwnam("postgres")
    os.chown(root, owner.pw_uid, owner.pw_gid)
    return root, ["runuser", "-u", "postgres", "--"]


def _remove(cluster: Cluster) -> None:
    subprocess.run(
        [*cluster.as_owner, str(PG_BIN / "pg_ctl"), "-D", str(cluster.root / "data"), "-m", "immediate", "stop"],
        capture_output=True,
        timeout=60,
    )
    shutil.rmtree(cluster.root, ignore_errors=True)


@contextmanager
def pg_cluster(database: str, prefix: str = "espace_pg_") -> Iterator[Cluster]:
    """A running primary with one empty database; stopped and removed on the way out."""
    assert (PG_BIN / "initdb").exists(), f"PostgreSQL 15 is needed ({PG_BIN})"
    root, as_owner = _owned_directory(prefix)
    cluster = Cluster(root=root, port=free_port(), as_owner=as_owner, database=database)
    try:
        cluster.run(str(PG_BIN / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "postgres", "--no-sync")
        cluster.start()
        cluster.run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", database)
        yield cluster
    finally:
        _remove(cluster)


@contextmanager
def pg_replica(primary: Cluster) -> Iterator[Cluster]:
    """A hot standby of `primary`, streaming from it (pg_basebackup -R), once it accepts reads."""
    root, as_owner = _owned_directory("espace_pg_replica_")
    replica = Cluster(root=root, port=free_port(), as_owner=as_owner, database=primary.database)
    try:
        replica.run(
            str(PG_BIN / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
            *("-D", str(root / "data"), "-R", "-X", "stream", "--no-sync", "--checkpoint", "fast"),
        )
        replica.start()
        deadline = time.monotonic() + 30
        while replica.query("SELECT pg_is_in_recovery()") != [(True,)]:
            assert time.monotonic() < deadline, "the replica did not come up as a standby"
            time.sleep(0.2)
        yield replica
    finally:
        _remove(replica)
