"""deploy/systemd/hub-backup.service and .timer, the nightly backup the README tells an operator to
install: systemd accepts both (systemd-analyze verify, with the install paths pointed at this
checkout), the service's own command lines (as systemd unescapes them) write a dated backup folder
that restore accepts, and keep the newest 14."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

from hub_app.db import make_engine
from hub_app.migrations import upgrade
from hub_app.services.backups import read_manifest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
UNITS = PROJECT_ROOT / "deploy" / "systemd"


def rendered(name: str) -> str:
    """The unit with the installed paths (/srv/hub/...) pointing at this checkout and its Python."""
    text = (UNITS / name).read_text()
    return text.replace("/srv/hub/venv/bin/python", sys.executable).replace("/srv/hub/app", str(PROJECT_ROOT))


def setting(unit: str, key: str) -> str:
    return re.search(rf"^{key}=(.*)$", unit, re.MULTILINE).group(1)


def run_as_systemd(command_line: str, env: dict) -> subprocess.CompletedProcess:
    """One Exec line, unescaped as systemd does ($$ and %% are a literal $ and %)."""
    argv = shlex.split(command_line.replace("$$", "$").replace("%%", "%"))
    return subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_systemd_accepts_the_service_and_the_timer(tmp_path):
    for name in ("hub-backup.service", "hub-backup.timer"):
        (tmp_path / name).write_text(rendered(name))
    checked = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "hub-backup.service"),
                              str(tmp_path / "hub-backup.timer")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "hub-backup" not in checked.stderr, checked.stderr
    timer = rendered("hub-backup.timer")
    calendar = subprocess.run(["systemd-analyze", "calendar", setting(timer, "OnCalendar")],
                              capture_output=True, text=True, check=True).stdout
    assert "19:30:00 UTC" in calendar  # 02:30 in Jakarta


def test_the_service_writes_a_dated_backup_and_keeps_the_newest_fourteen(tmp_path):
    unit = rendered("hub-backup.service")
    root = tmp_path / "backups"
    root.mkdir()
    database = tmp_path / "hub.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    engine.dispose()
    (tmp_path / "uploads" / "avatars").mkdir(parents=True)
    (tmp_path / "uploads" / "avatars" / "a1.webp").write_bytes(b"avatar")
    env = {"PATH": "/usr/bin:/bin", "HUB_DATABASE_URL": f"sqlite:///{database}",
           "HUB_UPLOAD_DIR": str(tmp_path / "uploads"), "HUB_BACKUP_ROOT": str(root)}
    assert setting(unit, "Environment") == "HUB_BACKUP_ROOT=/var/backups/hub"

    older = [f"2026-10-{day:02d}T193000Z" for day in range(1, 16)]  # fifteen earlier nights
    for name in older:
        (root / name).mkdir()
    done = run_as_systemd(setting(unit, "ExecStart"), env)
    assert done.returncode == 0, done.stderr
    made = sorted(set(path.name for path in root.iterdir()) - set(older))
    assert len(made) == 1 and re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z", made[0])
    manifest = read_manifest(root / made[0])
    assert manifest["engine"] == "sqlite" and "uploads/avatars/a1.webp" in manifest["files"]

    pruned = run_as_systemd(setting(unit, "ExecStartPost"), env)
    assert pruned.returncode == 0, pruned.stderr
    assert sorted(path.name for path in root.iterdir()) == older[-13:] + made
