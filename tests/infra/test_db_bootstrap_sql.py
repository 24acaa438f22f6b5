"""The bootstrap SQL against a real PostgreSQL server, run as RDS runs it: by a master that is not a
superuser (CREATEROLE, CREATEDB, owner of the database), through psql, twice (it must be idempotent).

Skips, with the reason, when the PostgreSQL server binaries (initdb, pg_ctl) or psql 15+ (for \\getenv)
are not on the machine. As root (CI), the server runs as the `postgres` OS user (it refuses root).
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from chatops.infra.db_bootstrap import BOOTSTRAP_SQL
from tests.support.aws_servers import free_port

PASSWORDS = {"APP_PASSWORD": "AppPassw0rd", "READONLY_PASSWORD": "ReadOnlyPassw0rd"}


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return found or (candidates[0] if candidates else None)


def _psql_major(psql: str) -> int:
    match = re.search(r"(\d+)", subprocess.run([psql, "--version"], capture_output=True, text=True).stdout)
    return int(match.group(1)) if match else 0


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict[str, str]]:
    initdb, pg_ctl, psql = _binary("initdb"), _binary("pg_ctl"), shutil.which("psql")
    if not (initdb and pg_ctl and psql):
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) or psql are not installed")
    if _psql_major(psql) < 15:
        pytest.skip("psql 15 or later is needed (\\getenv)")
    as_user: list[str] = []
    base = tmp_path_factory.mktemp("pg")
    if os.geteuid() == 0:
        if shutil.which("runuser") is None or subprocess.run(["id", "postgres"], capture_output=True).returncode:
            pytest.skip("running as root without a `postgres` OS user to run the server as")
        as_user = ["runuser", "-u", "postgres", "--"]
        # pytest's root-owned temp tree is closed to other users: use a directory of /tmp itself.
        base = Path(tempfile.mkdtemp(prefix="chatops-pg-"))
        shutil.chown(base, "postgres")
    data, port = base / "data", str(free_port())
    subprocess.run([*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "postgres"], check=True,
                   capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-w", "-l", str(base / "log"), "-o",
                    f"-k {base} -p {port} -c listen_addresses=''", "start"], check=True, capture_output=True)
    env = {**os.environ, "PGHOST": str(base), "PGPORT": port}
    try:
        # What RDS creates: a master with CREATEROLE and CREATEDB but not superuser, owning the database.
        for sql in ("CREATE ROLE chatadmin LOGIN CREATEROLE CREATEDB", "CREATE DATABASE chat OWNER chatadmin"):
            subprocess.run([psql, "-U", "postgres", "-d", "postgres", "-c", sql], env=env, check=True,
                           capture_output=True)
        yield {**env, "PSQL": psql}
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _psql(server: dict[str, str], user: str, *commands: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    args = [server["PSQL"], "--no-psqlrc", "-U", user, "-d", "chat", "-v", "ON_ERROR_STOP=1", "-At"]
    for command in commands:
        args += ["-c", command]
    return subprocess.run(args, env=server, input=stdin, capture_output=True, text=True)


def _bootstrap(server: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**server, "PGUSER": "chatadmin", "PGDATABASE": "chat", "APP_ROLE": "chat_app",
           "READONLY_ROLE": "chat_readonly", **PASSWORDS}
    return subprocess.run([server["PSQL"], "--no-psqlrc", "--quiet"], env=env, input=BOOTSTRAP_SQL,
                          capture_output=True, text=True)


def test_the_sql_runs_as_a_non_superuser_master_and_again(server):
    first, second = _bootstrap(server), _bootstrap(server)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr  # idempotent: a second run changes nothing and fails nothing
    assert "roles chat_app and chat_readonly ready" in second.stdout
    roles = _psql(server, "postgres", "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                                      "WHERE rolname LIKE 'chat\\_%' ORDER BY 1").stdout.split()
    assert roles == ["chat_app|f|f|f", "chat_readonly|f|f|f"]


def test_the_app_role_owns_its_schema_work_and_the_read_only_role_only_reads(server):
    assert _bootstrap(server).returncode == 0
    app = _psql(server, "chat_app", "CREATE TABLE IF NOT EXISTS messages (id serial PRIMARY KEY, body text)",
                "INSERT INTO messages (body) VALUES ('hello')")
    assert app.returncode == 0, app.stderr
    # Tables the app creates later are readable by the read-only role (default privileges).
    assert _psql(server, "chat_readonly", "SELECT count(*) > 0 FROM messages").stdout.strip() == "t"
    write = _psql(server, "chat_readonly", "SET default_transaction_read_only = off",
                  "INSERT INTO messages (body) VALUES ('no')")
    assert write.returncode != 0 and "permission denied for table messages" in write.stderr
    create = _psql(server, "chat_readonly", "SET default_transaction_read_only = off", "CREATE TABLE t (x int)")
    assert create.returncode != 0 and "permission denied for schema public" in create.stderr
