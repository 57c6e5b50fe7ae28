"""ask-sdk persistent attributes kept in the shared Store, keyed by the salted hash of the Alexa user id."""

from __future__ import annotations

import logging

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from shared.identity import hashed_id
from shared.stores import Store, StoreUnavailable, VersionConflict, update

logger = logging.getLogger(__name__)

COLLECTION = "attributes"


def user_key(request_envelope: RequestEnvelope, salt: str) -> str:
    """The store key for the person behind this request: never the raw Alexa user id."""
    system = request_envelope.context.system if request_envelope.context else None
    user = system.user if system and system.user else None
    if user is None and request_envelope.session is not None:
        user = request_envelope.session.user
    if user is None or not user.user_id:
        raise PersistenceException("the request carries no user id")
    return hashed_id("alexa", user.user_id, salt)


class StorePersistenceAdapter(AbstractPersistenceAdapter):
    """Persistent attributes as one document per user in the store's "attributes" collection."""

    def __init__(self, store: Store, salt: str) -> None:
        self._store = store
        self._salt = salt

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, object]:
        """Return this user's stored attributes, or an empty dict for a first visit."""
        try:
            record = self._store.get(COLLECTION, user_key(request_envelope, self._salt))
        except StoreUnavailable as error:
            raise PersistenceException(f"attributes store unavailable: {type(error).__name__}") from error
        return dict(record.data) if record is not None else {}

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, object]) -> None:
        """Write this user's attributes, retrying on a concurrent write from another device."""
        try:
            update(self._store, COLLECTION, user_key(request_envelope, self._salt), lambda _current: dict(attributes))
        except (StoreUnavailable, VersionConflict) as error:
            raise PersistenceException(f"attributes not saved: {type(error).__name__}") from error

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget everything kept for this user."""
        try:
            self._store.delete(COLLECTION, user_key(request_envelope, self._salt))
        except StoreUnavailable as error:
            raise PersistenceException(f"attributes not deleted: {type(error).__name__}") from error
