"""The files in deploy/ are the ones the README tells an operator to install and the ones `make drill`
runs (benchmarks/drill.py renders them with only ports and paths changed): nginx accepts the site
file (`nginx -t` with a certificate made as the drill makes it), systemd accepts the unit
(`systemd-analyze verify`, where systemd is installed), and the settings the env file sets are the
portal's settings and pass its production checks."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks._drill_nodes import ENV_EXAMPLE, UNIT_FILE, parse_unit, read_env_file, render_env, render_unit
from benchmarks._drill_stack import SITE_FILE, ensure_nginx, main_config, make_certificate, render_site
from hub_app.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_nginx_accepts_the_site_file_as_the_drill_renders_it(tmp_path):
    cert, key = make_certificate(tmp_path / "tls")
    (tmp_path / "tmp").mkdir()
    site = tmp_path / "hub.conf"
    site.write_text(render_site(node_ports=[18001, 18002, 18003], https_port=18443, http_port=18080, cert=cert,
                                key=key, directory=tmp_path))
    config = tmp_path / "nginx.conf"
    config.write_text(main_config(tmp_path, site))
    checked = subprocess.run([str(ensure_nginx()), "-t", "-c", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    rendered = site.read_text()
    # One upstream line per node; nothing but ports and paths differ from the installed file.
    assert re.findall(r"server 127\.0\.0\.1:(\d+) max_fails=0;", rendered) == ["18001", "18002", "18003"]
    installed = SITE_FILE.read_text()
    for line in ("proxy_set_header Upgrade $http_upgrade;", "proxy_read_timeout 1h;",
                 "proxy_next_upstream error timeout http_502 http_503;", "location = /ready {",
                 "location = /health {", "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"):
        assert line in installed and line in rendered


def test_the_site_file_keeps_the_websocket_and_failover_rules():
    text = SITE_FILE.read_text()
    event = text[text.index("location /_event"):]
    event = event[:event.index("}")]
    assert "proxy_read_timeout 1h;" in event
    assert "map $http_upgrade $hub_connection" in text and "proxy_set_header Connection $hub_connection;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    # nginx gives a location none of the server's proxy_set_header lines once it sets one itself:
    # the websocket then lost its Upgrade/Connection headers (a 500 from the node). So only the
    # server block sets them.
    locations = text[re.search(r"^\s*location ", text, flags=re.MULTILINE).start():]
    assert "proxy_set_header" not in locations
    upstream = text[text.index("upstream hub_nodes"):]
    upstream = upstream[:upstream.index("}")]
    # No stickiness (state is in Redis): no ip_hash, hash or sticky rules.
    assert not re.search(r"\b(ip_hash|hash|sticky)\b", upstream)
    assert "return 404;" in text[text.index("location = /metrics"):]


def test_the_unit_is_what_the_drill_starts(tmp_path):
    env_file = tmp_path / "hub.env"
    env_file.write_text(render_env({"HUB_NODE_HOST": "127.0.0.1"}))
    unit = render_unit(port=8001, state_root=tmp_path / "state", env_file=env_file)
    service = parse_unit(unit)
    assert service.exec_start[1:5] == ["-m", "reflex", "run", "--env"]
    assert "--frontend-port" in service.exec_start and "8001" in service.exec_start
    assert service.environment["REFLEX_WEB_WORKDIR"] == str(tmp_path / "state" / "node-8001" / "web")
    assert service.working_directory == str(PROJECT_ROOT)
    assert Path(service.exec_start[0]).exists()
    if shutil.which("systemd-analyze"):
        path = tmp_path / "hub-app@8001.service"
        path.write_text(unit)
        checked = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        assert "hub-app@8001.service" not in checked.stderr, checked.stderr


def test_the_env_file_sets_only_settings_the_portal_has_and_passes_its_production_checks():
    values = read_env_file(ENV_EXAMPLE)
    fields = {f"HUB_{name.upper()}" for name in Settings.model_fields}
    own = {"HUB_NODE_HOST"}  # read by the unit's ExecStart, not by the portal
    assert {key for key in values if key.startswith("HUB_")} - fields - own == set()
    settings = Settings(**{key.removeprefix("HUB_").lower(): value for key, value in values.items()
                           if key in fields})
    assert settings.environment == "production" and settings.secure_cookies
    assert settings.trusted_proxy_hops == 1
    with pytest.raises(ValueError):
        render_env({"HUB_NO_SUCH_SETTING": "1"})


def test_the_readme_installs_the_files_the_drill_runs():
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index("### Deploying"):]
    for path in (SITE_FILE, UNIT_FILE, ENV_EXAMPLE):
        assert path.exists()
        assert str(path.relative_to(PROJECT_ROOT)) in section
