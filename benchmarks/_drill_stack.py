"""The drill's servers besides the app nodes: its own PostgreSQL cluster and Redis (so restarting
them disturbs nobody else's tests on this machine), an SMTP server that counts what arrives, a
self-signed certificate, and nginx running deploy/nginx/hub.conf with only ports and paths changed."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from benchmarks import PROJECT_ROOT, port_range

SITE_FILE = PROJECT_ROOT / "deploy" / "nginx" / "hub.conf"
NGINX = Path("/usr/sbin/nginx")
PG_BIN = Path(os.environ.get("HUB_DRILL_PG_BIN", "/usr/lib/postgresql/15/bin"))


_CLAIMED: set[int] = set()


def claim_port() -> int:
    """A free port of the benchmarks' range not handed out before in this run (several servers are
    given their ports before any of them listens)."""
    for port in port_range():
        if port not in _CLAIMED and not _port_open(port) and _bindable(port):
            _CLAIMED.add(port)
            return port
    raise RuntimeError(f"no free port in {port_range()}")


def _wait(check, what: str, timeout: float = 60) -> float:
    """Polls check() until it is true; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(Exception):
            if check():
                return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f} s")


def ensure_nginx() -> Path:
    """nginx from Debian's package, installed if missing (as the Makefile installs chromium)."""
    if not NGINX.exists():
        command = "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx"
        if os.geteuid() != 0:
            command = f"sudo sh -c '{command}'"
        subprocess.run(command, shell=True, check=True)
    return NGINX


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for two days."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


# --------------------------------------------------------------------------------------------
# nginx


def render_site(*, node_ports: list[int], https_port: int, http_port: int, cert: Path, key: Path,
                directory: Path, text: str | None = None) -> str:
    """deploy/nginx/hub.conf with the drill's ports and paths: the listen ports, the upstream's
    node lines (one per node, as the file's example lines), certificate, cache and log paths."""
    text = SITE_FILE.read_text() if text is None else text
    node_lines = re.findall(r"^(\s*)server 127\.0\.0\.1:\d+ (.*);$", text, flags=re.MULTILINE)
    if not node_lines:
        raise ValueError("the site file has no `server 127.0.0.1:<port> ...;` lines in its upstream")
    indent, options = node_lines[0]
    servers = "\n".join(f"{indent}server 127.0.0.1:{port} {options};" for port in node_ports)
    text = re.sub(r"(^\s*server 127\.0\.0\.1:\d+ .*;\n)+", servers + "\n", text, count=1, flags=re.MULTILINE)
    replacements = [
        (r"listen 443 ", f"listen 127.0.0.1:{https_port} "),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"/etc/ssl/hub/fullchain\.pem", str(cert)),
        (r"/etc/ssl/hub/privkey\.pem", str(key)),
        (r"/var/cache/nginx/hub", str(directory / "cache")),
        (r"/var/log/nginx/", str(directory) + "/"),
    ]
    for pattern, value in replacements:
        text, count = re.subn(pattern, value.replace("\\", "\\\\"), text)
        if not count:
            raise ValueError(f"the site file no longer has {pattern!r}: update the drill's substitutions")
    return text


def main_config(directory: Path, site: Path) -> str:
    """What /etc/nginx/nginx.conf gives a site on Debian, with the drill's own pid, logs and temp dirs."""
    temp = directory / "tmp"
    return f"""worker_processes 1;
worker_rlimit_nofile 16384;
pid {directory / 'nginx.pid'};
error_log {directory / 'error.log'} warn;
events {{ worker_connections 8192; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""


class Proxy:
    """nginx in the foreground (its own process group), the one public https address."""

    def __init__(self, directory: Path, node_ports: list[int]):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "tmp").mkdir(exist_ok=True)
        self.cert, self.key = make_certificate(directory / "tls")
        self.https_port, self.http_port = claim_port(), claim_port()
        site = directory / "hub.conf"
        site.write_text(render_site(node_ports=node_ports, https_port=self.https_port, http_port=self.http_port,
                                    cert=self.cert, key=self.key, directory=directory))
        self.config = directory / "nginx.conf"
        self.config.write_text(main_config(directory, site))
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def test(self) -> subprocess.CompletedProcess:
        return subprocess.run([str(ensure_nginx()), "-t", "-c", str(self.config)], capture_output=True, text=True)

    def start(self) -> None:
        checked = self.test()
        if checked.returncode:
            raise RuntimeError(f"nginx -t refused the rendered site file:\n{checked.stderr}")
        self.process = subprocess.Popen([str(NGINX), "-c", str(self.config), "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        _wait(lambda: _port_open(self.https_port), "nginx")

    def stop(self) -> None:
        _stop_group(self.process, signal.SIGQUIT)


# --------------------------------------------------------------------------------------------
# PostgreSQL and Redis of the drill's own


class Postgres:
    """A cluster of its own (initdb as the postgres user), trust auth on 127.0.0.1."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.data = directory / "data"
        self.port = claim_port()
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        self._as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                           "-E", "UTF8", "--locale=C.UTF-8"])
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = "
                       f"'{directory}'\nmax_connections = 200\nfsync = on\nshared_buffers = 128MB\n")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/hub_drill"

    def _as_postgres(self, command: list[str], **kwargs) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)

    def _ctl(self, *args: str) -> None:
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "server.log"),
                           "-w", *args])

    def ready(self) -> bool:
        command = [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"]
        return subprocess.run(command).returncode == 0

    def start(self) -> None:
        self._ctl("start")
        _wait(self.ready, "PostgreSQL")

    def create_database(self) -> None:
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q", "-c",
                        "CREATE DATABASE hub_drill"], check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", mode)


class Redis:
    """redis-server with no persistence: a restart loses every tab's state, as the drill wants."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.port = claim_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        _wait(self.ping, "Redis")

    def ping(self) -> bool:
        import redis as redis_lib

        client = redis_lib.Redis.from_url(self.url, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()

    def stop(self) -> None:
        _stop_group(self.process, signal.SIGKILL)


# --------------------------------------------------------------------------------------------
# SMTP


class MailCounter:
    """A real SMTP server (aiosmtpd) that keeps every message that arrives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, str]] = []  # (recipient, subject)
        self._lock = threading.Lock()
        self.port = claim_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's handler name)
        from email import message_from_bytes

        message = message_from_bytes(envelope.content)
        with self._lock:
            for recipient in envelope.rcpt_tos:
                self.messages.append((recipient, str(message.get("Subject", ""))))
        return "250 OK"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.controller.stop()

    def received(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self.messages)


# --------------------------------------------------------------------------------------------


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _bindable(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _stop_group(process: subprocess.Popen | None, sig: int) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
