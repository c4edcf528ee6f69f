"""Serve an already built portal: the second half of `reflex run --env prod`.

`reflex run --env prod` compiles the app, builds the frontend into REFLEX_WEB_WORKDIR and then
starts the backend (Granian) with the compiled frontend mounted on the same port. When the browser
tests find an up-to-date build from an earlier run, they start only that second half with this
module, which calls the same Reflex functions with the same settings:

    python -m tests.browser.serve PORT
"""

import sys

from reflex_base.environment import environment


def main(port: int, host: str = "127.0.0.1") -> None:
    from reflex.utils import exec  # noqa: A004 (Reflex's module name)
    from reflex_base import constants
    from reflex_base.config import get_config

    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    config = get_config()
    config._set_persistent(frontend_port=port, backend_port=port)
    environment.REFLEX_SKIP_COMPILE.set(True)
    exec.run_backend_prod(host, port, config.loglevel.subprocess_level(), True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
