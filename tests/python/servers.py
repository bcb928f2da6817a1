"""Real servers for the connector tests (and the benchmark), started on 127.0.0.1 on free ports
in temporary directories and stopped afterwards: a PostgreSQL server from Debian's packages."""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bindir():
    """Where Debian's PostgreSQL server binaries are (`make test` installs them)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise RuntimeError(
            "no PostgreSQL server: install Debian's `postgresql` package (`make postgres`)"
        )
    return os.path.dirname(found[-1])


class PostgresServer:
    """A PostgreSQL server of its own: a fresh cluster in a temporary directory, listening on
    127.0.0.1 only, every statement logged (`statements()`), password authentication over TCP.
    PostgreSQL refuses to run as root, so as root it runs as the `postgres` user."""

    USER = "spark_admin"

    def __init__(self, password="s3cr3t-Pg-pw"):
        self.password = password
        self.bindir = postgres_bindir()
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="sqldb-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.as_user = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        pwfile = os.path.join(self.dir, "pw")
        with open(pwfile, "w") as out:
            out.write(password)
        if self.as_user:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        self._run(
            [f"{self.bindir}/initdb", "-D", self.data, "-U", self.USER, f"--pwfile={pwfile}",
             "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"]
        )
        os.remove(pwfile)
        self._run(
            [f"{self.bindir}/pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
             "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
             "-c log_statement=all -c fsync=off -c synchronous_commit=off "
             "-c full_page_writes=off -c max_connections=200",
             "start"]
        )
        self.url = f"postgresql://127.0.0.1:{self.port}/postgres"

    def _run(self, argv):
        ran = subprocess.run(self.as_user + argv, capture_output=True, text=True)
        if ran.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{ran.stdout}\n{ran.stderr}")
        return ran.stdout

    def sql(self, text, database="postgres"):
        """Runs `text` with psql as the admin (over the Unix socket); its output, unaligned."""
        return self._run(
            [f"{self.bindir}/psql", "-h", self.dir, "-p", str(self.port), "-U", self.USER,
             "-d", database, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", text]
        ).strip()

    def statements(self):
        """Everything the server logged (each statement, with its parameters)."""
        with open(self.log, errors="replace") as log:
            return log.read()

    def stop(self):
        try:
            self._run([f"{self.bindir}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


if __name__ == "__main__":
    server = PostgresServer()
    try:
        print(server.sql("SELECT version()"))
        time.sleep(0)
    finally:
        server.stop()
