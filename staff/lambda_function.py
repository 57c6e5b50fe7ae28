"""AWS Lambda entry point for the staff inbox (HTTP API payload 2.0, through apig-wsgi), built once per cold start."""

from __future__ import annotations

import functools
from typing import Any

from apig_wsgi import make_lambda_handler

from shared.logs import configure_logging, lambda_invocation
from shared.secrets import settings_for_lambda
from staff.app import create_app


@functools.cache
def wsgi_handler() -> Any:
    """The inbox app behind apig-wsgi, built from the environment on first use."""
    configure_logging()
    return make_lambda_handler(create_app(settings_for_lambda()), binary_support=False)


@lambda_invocation
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One request to /staff or /staff/api/... from the HTTP API."""
    return wsgi_handler()(event, context)
