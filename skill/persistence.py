"""ask-sdk persistent attributes kept in the shared Store, keyed by the salted hash of the Alexa user id."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from shared.identity import hashed_id
from shared.records import ATTRIBUTES
from shared.stores import Record, Store, StoreUnavailable, VersionConflict, update

logger = logging.getLogger(__name__)


def alexa_user_hash(user_id: str, salt: str) -> str:
    """The salted hash that stands for this Alexa user id in storage and logs."""
    return hashed_id("alexa", user_id, salt)


def user_key(request_envelope: RequestEnvelope, salt: str) -> str:
    """The store key for the person behind this request: never the raw Alexa user id."""
    system = request_envelope.context.system if request_envelope.context else None
    user = system.user if system and system.user else None
    if user is None and request_envelope.session is not None:
        user = request_envelope.session.user
    if user is None or not user.user_id:
        raise PersistenceException("the request carries no user id")
    return alexa_user_hash(user.user_id, salt)


class StoredAttributes(dict):
    """A user's persistent attributes as read at `version`, with the changes this request made to them.

    Making each change through `change()` is what lets a save that meets another device's write re-apply them
    to that write instead of overwriting it. A change made directly on the dict is saved too, but only when
    nothing was written meanwhile or when it is the request's only kind of change (then the request's whole
    document wins, as every save did before): the skill's own writers all go through `change()`.
    """

    def __init__(self, data: dict, version: int) -> None:
        super().__init__(data)
        self.version = version
        self.changes: list[Callable[[dict], None]] = []


def change(attributes: dict, edit: Callable[[dict], None]) -> None:
    """Apply `edit` to the persistent attributes now, and again to another device's write if a save meets one."""
    edit(attributes)
    if isinstance(attributes, StoredAttributes):
        attributes.changes.append(edit)


class StorePersistenceAdapter(AbstractPersistenceAdapter):
    """Persistent attributes as one document per user in the store's "attributes" collection.

    A request reads the document once (ask-sdk keeps what get_attributes returns) and a save writes it once,
    checked against the version that read saw. If another device wrote in between, the save reads the
    document again and re-applies this request's changes to it, so neither device's episode is lost. Each save
    sets the document's expiry `retention_seconds` ahead (the clinic's retention, shared/health_data.py): what is
    not written again within that time is gone.
    """

    def __init__(self, store: Store, salt: str, retention_seconds: int) -> None:
        self._store = store
        self._salt = salt
        self._retention_seconds = retention_seconds

    def _expires_at(self) -> float:
        return time.time() + self._retention_seconds

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, object]:
        """Return this user's stored attributes, or an empty dict for a first visit."""
        try:
            record = self._store.get(ATTRIBUTES, user_key(request_envelope, self._salt))
        except StoreUnavailable as error:
            raise PersistenceException(f"attributes store unavailable: {type(error).__name__}") from error
        return StoredAttributes(record.data, record.version) if record is not None else StoredAttributes({}, 0)

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, object]) -> None:
        """Write this user's attributes, re-applying this request's changes over a concurrent write."""
        key = user_key(request_envelope, self._salt)
        try:
            if isinstance(attributes, StoredAttributes):
                saved = self._save_changes(key, attributes)
                attributes.clear()
                attributes.update(saved.data)
                attributes.version = saved.version
                attributes.changes.clear()
            else:
                # A dict set wholesale (not read through get_attributes): it replaces whatever is stored.
                update(self._store, ATTRIBUTES, key, lambda _current: dict(attributes), expires_at=self._expires_at())
        except (StoreUnavailable, VersionConflict) as error:
            raise PersistenceException(f"attributes not saved: {type(error).__name__}") from error

    def _save_changes(self, key: str, attributes: StoredAttributes) -> Record:
        expires_at = self._expires_at()
        try:
            return self._store.put(
                ATTRIBUTES, key, dict(attributes), expected_version=attributes.version, expires_at=expires_at
            )
        except VersionConflict:
            if not attributes.changes:
                # Changed in place without change(): nothing to re-apply, so this request's document wins.
                return update(self._store, ATTRIBUTES, key, lambda _current: dict(attributes), expires_at=expires_at)
            logger.info("attributes written by another device meanwhile; re-applying this request's changes")

            def reapply(current: dict | None) -> dict:
                data = dict(current or {})
                for edit in attributes.changes:
                    edit(data)
                return data

            return update(self._store, ATTRIBUTES, key, reapply, expires_at=expires_at)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget everything kept for this user."""
        try:
            self._store.delete(ATTRIBUTES, user_key(request_envelope, self._salt))
        except StoreUnavailable as error:
            raise PersistenceException(f"attributes not deleted: {type(error).__name__}") from error
