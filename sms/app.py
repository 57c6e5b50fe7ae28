"""The SMS line's Flask application factory: `create_app(settings, store)` serves POST /sms."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from shared.config import Settings
from shared.content import Content, load_content
from shared.stores import Store, open_store
from sms.conversation import SmsLine
from sms.webhook import bp

# Twilio's form for a 1,600-character message with media URLs is a few kilobytes.
MAX_REQUEST_BYTES = 64 * 1024


def create_app(
    settings: Settings | None = None,
    store: Store | None = None,
    content: Content | None = None,
    on_callback_stored: Callable[[str], None] | None = None,
) -> Flask:
    """Build the Flask app with the SMS blueprint; the store is opened and the content loaded from settings unless
    given. `on_callback_stored` hears of each callback request stored (see SmsLine)."""
    settings = (settings or Settings.from_env()).validate()
    if store is None:
        store = open_store(settings)
    if content is None:
        content = load_content(settings.content_dir)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.extensions["cramp_sms"] = SmsLine(settings, store, content, on_callback_stored=on_callback_stored)
    app.register_blueprint(bp)
    return app
