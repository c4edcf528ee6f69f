"""App nodes started from deploy/systemd/hub-app@.service and deploy/systemd/hub.env.example, the way
systemd would start them on separate machines: the unit's ExecStart, WorkingDirectory, Environment
and EnvironmentFile, with the instance name (%i) the node's port and only the install paths
(/srv/hub/..., /var/lib/hub, /etc/hub) replaced by the drill's."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks import PROJECT_ROOT, wait_for_http

UNIT_FILE = PROJECT_ROOT / "deploy" / "systemd" / "hub-app@.service"
ENV_EXAMPLE = PROJECT_ROOT / "deploy" / "systemd" / "hub.env.example"


def render_unit(*, port: int, state_root: Path, env_file: Path, text: str | None = None) -> str:
    """The unit of instance `port` with the drill's install paths (python, app, state dir, env file)."""
    text = UNIT_FILE.read_text() if text is None else text
    for old, new in (("/srv/hub/venv/bin/python", sys.executable), ("/srv/hub/app", str(PROJECT_ROOT)),
                     ("/var/lib/hub", str(state_root)), ("/etc/hub/hub.env", str(env_file))):
        if old not in text:
            raise ValueError(f"the unit file no longer has {old}: update the drill's substitutions")
        text = text.replace(old, new)
    return text.replace("%i", str(port))


def render_env(overrides: dict[str, str], *, text: str | None = None) -> str:
    """hub.env.example with the drill's values; every key set must be one the example has (so the
    drill cannot quietly depend on a setting the operator's file lacks), except REFLEX_API_URL."""
    text = ENV_EXAMPLE.read_text() if text is None else text
    keys = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    lines = []
    for line in text.splitlines():
        key = line.split("=", 1)[0]
        lines.append(f"{key}={overrides[key]}" if key in overrides and "=" in line else line)
    for key, value in overrides.items():
        if key not in keys:
            if key != "REFLEX_API_URL":
                raise ValueError(f"{key} is not in deploy/systemd/hub.env.example")
            lines.append(f"{key}={value}")
    return "\n".join(lines) + "\n"


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


@dataclass
class Service:
    """The [Service] settings the drill runs a node with."""

    working_directory: str
    environment: dict[str, str]
    environment_file: str
    exec_start: list[str]
    stop_timeout: float


def parse_unit(text: str) -> Service:
    section, settings, environment = "", {}, {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        if section != "[Service]" or "=" not in line:
            continue
        key, value = line.split("=", 1)
        if key == "Environment":
            name, _, setting = value.partition("=")
            environment[name] = setting
        else:
            settings[key] = value
    return Service(settings["WorkingDirectory"], environment, settings["EnvironmentFile"],
                   shlex.split(settings["ExecStart"]), float(settings.get("TimeoutStopSec", "90")))


def _expand(argument: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda match: env.get(match.group(1), ""), argument)


class Node:
    """One app node: `systemctl start hub-app@<port>` done by hand."""

    def __init__(self, port: int, state_root: Path, env_file: Path):
        self.port = port
        self.directory = state_root / f"node-{port}"
        self.unit = render_unit(port=port, state_root=state_root, env_file=env_file)
        self.service = parse_unit(self.unit)
        self.process: subprocess.Popen | None = None
        self.log_path = self.directory / "node.log"
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        # What systemd gives a service: no variables of the shell that started the drill.
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("HUB_", "REFLEX_", "GRANIAN_"))}
        env.update(read_env_file(Path(self.service.environment_file)))
        env.update(self.service.environment)
        return env

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)  # StateDirectory=
        env = self.environment()
        command = [_expand(argument, env) for argument in self.service.exec_start]
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n--- start {self.starts}: {shlex.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(command, cwd=self.service.working_directory, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 600) -> float:
        started = time.monotonic()
        wait_for_http(self.url + "/ping", timeout=timeout, process=self.process, log_path=self.log_path)
        wait_for_http(self.url + "/", timeout=120, process=self.process, log_path=self.log_path)
        return time.monotonic() - started

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def answers(self) -> bool:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(self.url + "/ping", timeout=2) as response:
                return response.status == 200
        return False

    def kill(self) -> None:
        """The machine is gone: every process of the node at once (SIGKILL)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def terminate(self) -> float:
        """`systemctl stop` (KillMode=mixed): SIGTERM to the main process, SIGKILL to what is left
        after TimeoutStopSec. Returns the seconds the node took to stop."""
        if not self.alive():
            return 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=self.service.stop_timeout)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        return time.monotonic() - started
