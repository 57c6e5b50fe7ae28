"""ask-sdk's DefaultSerializer with each type's plan worked out once, instead of on every request.

DefaultSerializer re-reads every model class's type strings, re-imports the class named in each one and
rebuilds its attribute map for every object of every request: most of a warm turn's time went there (a
four-slot IntentRequest envelope has about 45 model objects). CachedPlanSerializer follows the same rules
in the same order (discriminators, enums, primitives, lists and dicts, extra keys kept as attributes, every
failure inside a model raised as SerializationException) and gives the same ask_sdk_model objects, but keeps
what a type string or class resolves to. The caches are bounded by the types ask_sdk_model declares: they
hold types, never request data.

One deliberate difference: a timestamp in the form Alexa sends ("2026-11-25T22:10:34Z", optionally with
fractions of a second) is read without dateutil, as the same instant with `datetime.UTC`. dateutil
gives the same instant with `tzlocal()` or `tzutc()` depending on the machine's time zone; all of them compare
equal, have the same date, offset and zone name, and serialise the same. Any other form goes to dateutil as
before.
"""

from __future__ import annotations

import decimal
import json
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]

# Alexa's own request timestamps (ISO 8601, UTC, "Z"); anything else is left to dateutil.
ALEXA_TIMESTAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z\Z", re.ASCII)
# Unqualified class names in type strings resolve in ask-sdk's serialize module, as DefaultSerializer does.
SDK_SERIALIZE_MODULE = "ask_sdk_core.serialize"
# How values of a class are decoded, in DefaultSerializer's order of checks.
ENUM, NOT_A_MODEL, DISCRIMINATED, MODEL = "enum", "not a model", "discriminated", "model"


class CachedPlanSerializer(DefaultSerializer):
    """DefaultSerializer's results, with type strings, classes and attribute maps resolved once per type."""

    def __init__(self) -> None:
        self._decoders: dict[Any, Decoder] = {}
        self._classes: dict[str, type] = {}
        self._fields: dict[type, tuple[tuple[tuple[str, str, Decoder], ...], frozenset[str]]] = {}
        self._encoders: dict[type, Encoder] = {}

    # -- deserialising -------------------------------------------------------------------------------------

    def deserialize(self, payload: str | None, obj_type: Any) -> Any:
        """Parse the JSON text `payload` into `obj_type`, as DefaultSerializer.deserialize does."""
        if payload is None:
            return None
        try:
            data = json.loads(payload)
        except Exception as error:
            raise SerializationException(f"Couldn't parse response body: {payload}") from error
        return self.deserialize_data(data, obj_type)

    def deserialize_data(self, data: Any, obj_type: Any) -> Any:
        """Like deserialize, for data already parsed from JSON (a Lambda event, a verified request body)."""
        return self._decoder(obj_type)(data)

    def _decoder(self, obj_type: Any) -> Decoder:
        try:
            return self._decoders[obj_type]
        except KeyError:
            decoder = self._decoders[obj_type] = self._build_decoder(obj_type)
            return decoder
        except TypeError:  # an unhashable obj_type: nothing to cache it under
            return self._build_decoder(obj_type)

    def _build_decoder(self, obj_type: Any) -> Decoder:
        if isinstance(obj_type, str):
            if obj_type.startswith("list["):
                return self._list_decoder(obj_type)
            if obj_type.startswith("dict("):
                return self._dict_decoder(obj_type)
            if obj_type in self.NATIVE_TYPES_MAPPING:
                return self._decoder(self.NATIVE_TYPES_MAPPING[obj_type])
            return self._named_class_decoder(obj_type)
        if obj_type in self.PRIMITIVE_TYPES:
            return _primitive_decoder(obj_type)
        if obj_type is object:
            return _keep
        if obj_type in (date, datetime):
            return _datetime_decoder(obj_type)
        return self._model_decoder(obj_type)

    def _list_decoder(self, obj_type: str) -> Decoder:
        match = re.match(r"list\[(.*)\]", obj_type)
        if match is None:
            return lambda payload: None if payload is None else []
        item_types = match.group(1)
        if "," in item_types:
            # A list of mixed types, one type per position.
            positions = [self._decoder(item.strip()) for item in item_types.split(",")]
            return lambda payload: (
                None if payload is None else [decode(item) for item, decode in zip(payload, positions, strict=False)]
            )
        decode_item = self._decoder(item_types.strip())
        return lambda payload: None if payload is None else [decode_item(item) for item in payload]

    def _dict_decoder(self, obj_type: str) -> Decoder:
        match = re.match(r"dict\(([^,]*), (.*)\)", obj_type)
        if match is None:
            return lambda payload: None if payload is None else {}
        decode_value = self._decoder(match.group(2))
        return lambda payload: None if payload is None else {k: decode_value(v) for k, v in payload.items()}

    def _named_class_decoder(self, class_name: str) -> Decoder:
        """The class's decoder; a class whose module is not imported yet is resolved at its first value, as
        DefaultSerializer (which resolves per value) would, so an unused type never costs an import."""
        module_name, _, name = class_name.rpartition(".")
        module = sys.modules.get(module_name) if module_name else None
        if module is not None and isinstance(getattr(module, name, None), type):
            self._classes.setdefault(class_name, getattr(module, name))
            return self._decoder(getattr(module, name))
        resolved: list[Decoder] = []

        def decode(payload: Any) -> Any:
            if payload is None:
                return None
            if not resolved:
                resolved.append(self._decoder(self._load_class(class_name)))
            return resolved[0](payload)

        return decode

    def _load_class(self, class_name: str) -> type:
        try:
            return self._classes[class_name]
        except KeyError:
            pass
        try:
            parts = class_name.rsplit(".", 1)
            if len(parts) > 1:
                resolved = getattr(__import__(parts[0], fromlist=[parts[1]]), parts[1])
            else:
                resolved = getattr(sys.modules[SDK_SERIALIZE_MODULE], parts[0])
        except Exception as error:
            raise SerializationException(
                f"Unable to resolve class {class_name} from installed modules: {error}"
            ) from error
        self._classes[class_name] = resolved
        return resolved

    def _model_decoder(self, model: Any) -> Decoder:
        shape: list[tuple[str, tuple, frozenset[str]]] = []  # worked out at the first value, then kept

        def decode(payload: Any) -> Any:
            if payload is None:
                return None
            try:
                if not shape:
                    shape.append(self._shape_of(model))
                kind, fields, keys = shape[0]
                if kind == ENUM:
                    return model(payload)
                if kind == NOT_A_MODEL:
                    return payload
                target = model
                if kind == DISCRIMINATED:
                    child = model.get_real_child_model(payload)
                    if not child:
                        raise SerializationException(
                            f"Couldn't resolve object by discriminator type for {model} class"
                        )
                    target = self._load_class(child)
                    fields, keys = self._fields_of(target)
                instance = target()
                for attribute, key, decode_field in fields:
                    if key in payload:
                        setattr(instance, attribute, decode_field(payload[key]))
                for extra in payload:
                    if extra not in keys:
                        setattr(instance, extra, payload[extra])
                return instance
            except Exception as error:
                raise SerializationException(str(error)) from error

        return decode

    def _shape_of(self, model: Any) -> tuple[str, tuple, frozenset[str]]:
        """How DefaultSerializer treats values of `model` (checked in its order), with the fields it sets."""
        if issubclass(model, Enum):
            return ENUM, (), frozenset()
        if not hasattr(model, "deserialized_types"):
            return NOT_A_MODEL, (), frozenset()
        if hasattr(model, "get_real_child_model"):
            return DISCRIMINATED, (), frozenset()
        return (MODEL, *self._fields_of(model))

    def _fields_of(self, model: type) -> tuple[tuple[tuple[str, str, Decoder], ...], frozenset[str]]:
        """(attribute, JSON key, decoder) for each field, and the set of JSON keys the model knows."""
        try:
            return self._fields[model]
        except KeyError:
            pass
        types = model.deserialized_types
        # attribute_map, then every typed attribute it leaves out under its own name (DefaultSerializer's order).
        attribute_map = dict(getattr(model, "attribute_map", {}))
        attribute_map.update({name: name for name in types if name not in attribute_map})
        fields = tuple(
            (attribute, key, self._decoder(types[attribute]) if attribute in types else _missing_type(attribute))
            for attribute, key in attribute_map.items()
        )
        plan = self._fields[model] = (fields, frozenset(attribute_map.values()))
        return plan

    # -- serialising ---------------------------------------------------------------------------------------

    def serialize(self, obj: Any) -> Any:
        """Build the JSON-ready form of `obj`, as DefaultSerializer.serialize does."""
        if obj is None:
            return None
        kind = type(obj)
        encoder = self._encoders.get(kind)
        if encoder is None:
            encoder = self._build_encoder(kind)
            self._encoders[kind] = encoder
        return encoder(obj)

    def _build_encoder(self, kind: type) -> Encoder:
        serialize = self.serialize
        if issubclass(kind, self.PRIMITIVE_TYPES):
            return _keep
        if issubclass(kind, list):
            return lambda obj: [serialize(item) for item in obj]
        if issubclass(kind, tuple):
            return lambda obj: tuple(serialize(item) for item in obj)
        if issubclass(kind, (datetime, date)):
            return lambda obj: obj.isoformat()
        if issubclass(kind, Enum):
            return lambda obj: obj.value
        if issubclass(kind, decimal.Decimal):
            return lambda obj: int(obj) if obj % 1 == 0 else float(obj)
        if issubclass(kind, dict):
            return lambda obj: {key: serialize(value) for key, value in obj.items()}
        return self._model_encoder(kind)

    def _model_encoder(self, kind: type) -> Encoder:
        plan: list[tuple[tuple[str, str], ...]] = []

        def encode(obj: Any) -> Any:
            instance_vars = getattr(obj, "__dict__", None) or {}
            if "attribute_map" in instance_vars or "deserialized_types" in instance_vars:
                # The instance overrides its class's maps (an extra key in a parsed payload can): no class plan.
                return DefaultSerializer.serialize(self, obj)
            if not plan:
                attribute_map = dict(getattr(kind, "attribute_map", {}))
                names = kind.deserialized_types.keys()
                plan.append(tuple((name, attribute_map.get(name, name)) for name in names))
            encoded = {}
            for attribute, key in plan[0]:
                value = getattr(obj, attribute)
                if value is not None:
                    encoded[key] = serialize(value)
            return encoded

        serialize = self.serialize
        return encode


def _keep(payload: Any) -> Any:
    return payload


def _missing_type(attribute: str) -> Decoder:
    """An attribute_map entry without a declared type fails as DefaultSerializer's lookup does."""

    def decode(payload: Any) -> Any:
        raise KeyError(attribute)

    return decode


def _primitive_decoder(kind: type) -> Decoder:
    def decode(payload: Any) -> Any:
        if payload is None:
            return None
        if type(payload) is kind:
            return payload
        try:
            return kind(payload)
        except UnicodeEncodeError:
            return str(payload)
        except TypeError:
            return payload
        except ValueError as error:
            raise SerializationException(f"Failed to parse {payload} into '{kind.__name__}' object") from error

    return decode


def _datetime_decoder(kind: type) -> Decoder:
    def decode(payload: Any) -> Any:
        if payload is None:
            return None
        if type(payload) is str:
            match = ALEXA_TIMESTAMP.match(payload)
            if match is not None:
                try:
                    parsed = _alexa_timestamp(match)
                except ValueError:
                    pass  # e.g. 30 February: dateutil words the refusal
                else:
                    return parsed.date() if kind is date else parsed
        return _dateutil_parse(payload, kind)

    return decode


def _alexa_timestamp(match: re.Match[str]) -> datetime:
    year, month, day, hour, minute, second, fraction = match.groups()
    microsecond = int(fraction.ljust(6, "0")) if fraction else 0
    return datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), microsecond, tzinfo=UTC
    )


def _dateutil_parse(payload: Any, kind: type) -> Any:
    try:
        from dateutil.parser import parse  # ~6 ms to import: only for timestamps Alexa does not send
    except ImportError:
        return payload
    try:
        parsed = parse(payload)
    except ValueError as error:
        raise SerializationException(f"Failed to parse {payload} into '{kind.__name__}' object") from error
    return parsed.date() if kind is date else parsed
