"""A backend worker that dies is replaced; the other workers keep serving.

Reflex 0.10.1 starts Granian (reflex/utils/exec.py, run_granian_backend_prod) without
`respawn_failed_workers`, and Granian's default is False: when one worker process dies (the
kernel's out-of-memory killer, a crash in a native library), the supervisor stops every other
worker and exits, and the whole portal is down until someone restarts it. Reflex offers no setting
for it, and Granian reads its GRANIAN_* environment variables only in its own command line, which
Reflex does not use. So this module makes respawning the default of the `granian.server.Server`
class that Reflex imports when it starts the backend. rxconfig.py calls
`respawn_failed_workers_by_default()`: rxconfig is imported before the backend starts in every way
the portal is served (`reflex run --env prod` / `make run`, tests/browser/serve.py, production with
GRANIAN_WORKERS=N), so this one call covers them all, and an explicit `respawn_failed_workers=`
still wins.

Granian's crash-loop guard stays: a replaced worker that dies again within ~5.5 s of its respawn
stops the server (exit code 1), so a worker that cannot start at all does not respawn forever;
the service manager (systemd Restart=on-failure) then restarts the whole portal (README,
"Production").
"""

from granian.server import Server as _GranianServer


class RespawningServer(_GranianServer):  # type: ignore[misc, valid-type]
    """Granian's server with `respawn_failed_workers=True` unless the caller says otherwise."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("respawn_failed_workers", True)
        super().__init__(*args, **kwargs)


def respawn_failed_workers_by_default() -> None:
    """Makes `from granian.server import Server` (as Reflex does when it starts) give RespawningServer.
    Idempotent; the backend workers import rxconfig too, where it changes nothing they use."""
    import granian.server

    if not issubclass(granian.server.Server, RespawningServer):
        granian.server.Server = RespawningServer
