"""Fixtures for the local server: the composed WSGI app in-process, a live waitress server, headless Chromium."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import waitress
from werkzeug.test import Client

from server.app import PathRouter, build_server
from shared.config import Settings
from shared.stores import Store, store_from_settings

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# known-traps item 6: without the background-networking flags Chromium floods the closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STAFF_PASSWORD = "correct horse battery staple"  # noqa: S105 - test value, the point of the tests
# What a server bound beyond loopback needs besides the staff password (Settings.validate refuses the local values).
NETWORK_SECRETS = {"hash_salt": "a-network-salt-of-some-length", "twilio_auth_token": "the-accounts-own-token"}


def local_settings(tmp_path: Path, **changes: Any) -> Settings:
    """Local-mode settings over a fresh data directory (SQLite, local outbox), with a test staff password."""
    base = Settings(store="sqlite", data_dir=tmp_path / "data", staff_password=STAFF_PASSWORD)
    return replace(base, **changes)


def open_test_store(settings: Settings) -> Store:
    """The real SQLite store under the settings' data directory."""
    return store_from_settings("sqlite", path=settings.sqlite_path)


def csrf_from(html: bytes | str) -> str:
    """The CSRF token a page carries (meta tag on the try-it page, hidden field in forms)."""
    text = html.decode() if isinstance(html, bytes) else html
    found = re.search(r'name="csrf-token" content="([^"]+)"', text) or re.search(
        r'name="csrf_token" value="([^"]+)"', text
    )
    assert found, "the page carries no CSRF token"
    return found.group(1)


@dataclass
class InProcess:
    """The composed server app with a werkzeug client (a browser: keeps cookies), its settings, store and clock."""

    settings: Settings
    store: Store
    app: PathRouter
    clock: FakeClock
    remote_addr: str = "127.0.0.1"
    host: str = ""  # the Host header the browser sends; empty: 127.0.0.1:<port>, as on this machine
    client: Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = Client(self.app)
        self.host = self.host or f"127.0.0.1:{self.settings.port}"

    def another_browser(self, remote_addr: str | None = None) -> InProcess:
        """A second browser (own cookies, optionally another address) on the same running server."""
        return InProcess(self.settings, self.store, self.app, self.clock, remote_addr or self.remote_addr)

    def _send(self, method: str, path: str, kwargs: dict[str, Any]) -> Any:
        kwargs.setdefault("headers", {}).setdefault("Host", self.host)
        kwargs.setdefault("environ_base", {}).setdefault("REMOTE_ADDR", self.remote_addr)
        return self.client.open(path, method=method, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        """GET with the loopback Host header unless told otherwise."""
        return self._send("GET", path, kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        """POST with the loopback Host header unless told otherwise."""
        return self._send("POST", path, kwargs)

    def try_it_token(self) -> str:
        """Open the try-it page (which starts the session) and return its CSRF token."""
        page = self.get("/")
        assert page.status_code == 200
        return csrf_from(page.data)

    def sign_in(self, password: str = STAFF_PASSWORD) -> Any:
        """Submit the staff sign-in form as a browser would."""
        token = csrf_from(self.get("/staff").data)
        return self.post("/staff/login", data={"csrf_token": token, "password": password})


class FakeClock:
    """A monotonic clock the test moves forward by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass."""
        self.now += seconds


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Callable[..., InProcess]]:
    """Build the composed server for settings changes such as host="0.0.0.0" and drive it in-process."""
    stores: list[Any] = []

    def make(**changes: Any) -> InProcess:
        settings = local_settings(tmp_path, **changes)
        store = open_test_store(settings)
        stores.append(store)
        clock = FakeClock()
        return InProcess(settings, store, build_server(settings, store, clock=clock), clock)

    yield make
    for store in stores:
        store.close()


@pytest.fixture
def server(make_server: Callable[..., InProcess]) -> InProcess:
    """The composed server with local defaults (bound to 127.0.0.1, try-it served)."""
    return make_server()


@dataclass
class LiveServer:
    """A real waitress server on a free loopback port, serving the composed app."""

    url: str
    settings: Settings
    store: Store


class _Deferred:
    """Lets waitress pick the port before the app (whose settings name that port) is built."""

    app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)


@contextlib.contextmanager
def serve_live(tmp_path: Path, **changes: Any) -> Iterator[LiveServer]:
    """`python -m server` in a thread: waitress on 127.0.0.1 with SQLite and the local outbox, these settings."""
    deferred = _Deferred()
    wsgi_server = waitress.create_server(deferred, host="127.0.0.1", port=0, threads=4)
    port = wsgi_server.effective_port
    settings = local_settings(tmp_path, port=port, public_base_url=f"http://127.0.0.1:{port}", **changes)
    store = open_test_store(settings)
    deferred.app = build_server(settings, store)
    thread = threading.Thread(target=wsgi_server.run, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", settings, store)
    finally:

        def close_every_socket() -> None:
            # waitress's loop runs until its socket map is empty; closing from inside the loop thread (through
            # its trigger) avoids pulling a descriptor out from under a running select().
            for channel in list(wsgi_server._map.values()):
                channel.close()

        wsgi_server.trigger.pull_trigger(close_every_socket)
        thread.join(timeout=5)
        assert not thread.is_alive(), "waitress did not stop"
        wsgi_server.task_dispatcher.shutdown()
        store.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The local server on a free loopback port with local defaults."""
    with serve_live(tmp_path) as live:
        yield live


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never `playwright install`: its download fails here)."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies) and page, at a desktop size."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
