"""`python -m cutover_service`: read the settings from the environment and serve until SIGTERM."""

from __future__ import annotations

import logging
import sys

from cutover_service.logs import configure_logging
from cutover_service.settings import Settings, SettingsError


def main() -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        configure_logging()
        logging.getLogger("cutover_service").error("invalid settings: %s", error)
        return 2
    configure_logging(settings.log_level, {"service_version": settings.service_version, "side": settings.side})
    # Imported late: a settings error is reported without loading the server. MCPServer() calls
    # logging.basicConfig, a no-op now that the JSON handler is in place.
    from cutover_service.runner import run

    run(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
