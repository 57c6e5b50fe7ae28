"""`python -m server` (or `make run`): both channels, the try-it page and the staff inbox on waitress."""

from __future__ import annotations

import logging
import sys

from server.app import build_server
from server.health import data_dir_problem, probe_store
from server.security import try_it_served
from server.staff_text_retry import StaffTextRetrier
from shared.config import Settings, SettingsError
from shared.logs import configure_logging
from shared.stores import StoreUnavailable, open_store
from shared.version import sign_off_warning

logger = logging.getLogger("server")
# Waitress answers each request on one of these threads; a handful covers a clinic trying it out and the
# occasional webhook, and SQLite serialises writes anyway.
THREADS = 8


def main() -> int:
    """Read settings from the environment, open the store and serve until interrupted."""
    configure_logging()
    try:
        settings = Settings.from_env()
        # The local outbox lives in the data folder whatever the store; SQLite keeps its files there too.
        problem = data_dir_problem(settings) if not settings.deployed or settings.store == "sqlite" else None
        if problem:
            raise SettingsError(problem)
        store = open_store(settings)
        app = build_server(settings, store)
        probe_store(store)
    except (SettingsError, ValueError) as exc:
        print(f"cramp-check: {exc}", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:
        print(f"cramp-check: the {settings.store} store cannot take a write ({exc}); check CRAMP_DATA_DIR "
              "or the database settings", file=sys.stderr)
        return 2

    from waitress import serve

    url = f"http://{settings.host}:{settings.port}/"
    content = app.context.content
    unsigned = sign_off_warning(content.version, content.clinic)
    if unsigned:
        # Said where the person starting the server looks: the content they serve is not the one a clinician signed.
        print(f"cramp-check: {unsigned}", file=sys.stderr)
        logger.warning("content not signed off", extra={"content_version": content.version})
    logger.info("serving", extra={"url": url, "store": settings.store, "try_it": try_it_served(settings)})
    print(f"Cramp Check: open {url} (staff inbox: {url}staff). Ctrl-C stops it.", file=sys.stderr)
    retrier = StaffTextRetrier(settings, store, app.context.content).start()
    try:
        serve(app, host=settings.host, port=settings.port, threads=THREADS, ident="cramp-check")
    except OSError as exc:
        # Usually the port is taken (another `make run` still open); say so instead of a traceback.
        print(f"cramp-check: cannot listen on {settings.host}:{settings.port} ({exc.strerror or exc}); "
              "stop the other server or set PORT", file=sys.stderr)
        return 1
    finally:
        retrier.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
