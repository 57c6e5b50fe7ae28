"""What a function's role may do to DynamoDB, read from the generated CloudFormation, and a local DynamoDB endpoint
that enforces it: a thin HTTP layer in front of the test server that refuses, as AWS does, every call the role's
policy does not allow, checking the action *and* the table or index ARN (moto's own IAM checks only the action,
known-traps 11), and counts every call.

The policy model is IAM's for identity policies without conditions on DynamoDB: an explicit Deny wins, else some
Allow statement must match the action (wildcards `*` and `?`, case-insensitive) and the resource ARN (wildcards,
case-sensitive). The request's resources follow the DynamoDB API reference: a table's ARN for item and table
calls, the index's ARN (`table/<name>/index/<index>`) for a Query or Scan with IndexName, one check per table for
BatchGetItem/BatchWriteItem, and one check per item for TransactWriteItems (PutItem/UpdateItem/DeleteItem/
ConditionCheckItem) and TransactGetItems (GetItem), which have no action of their own.
"""

from __future__ import annotations

import fnmatch
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

REGION = "us-east-1"
ACCOUNT = "123456789012"
PARTITION = "aws"
_PSEUDO = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": PARTITION,
    "AWS::URLSuffix": "amazonaws.com",
}


def table_arn(name: str) -> str:
    """The ARN of a DynamoDB table in the test account and region."""
    return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


class Resolver:
    """Evaluates the CloudFormation intrinsics a policy uses, with the test's names for the template's tables."""

    def __init__(self, template: dict[str, Any], table_names: Mapping[str, str]) -> None:
        self.template = template
        self.table_names = dict(table_names)  # logical id -> the test server's table name

    def attribute(self, logical_id: str, name: str) -> str:
        """Fn::GetAtt for the resources a policy names."""
        if logical_id in self.table_names:
            table = self.table_names[logical_id]
            if name == "Arn":
                return table_arn(table)
            if name == "StreamArn":
                return f"{table_arn(table)}/stream/2026-12-01T00:00:00.000"
        body = self.template["Resources"].get(logical_id, {})
        if name == "Arn":
            kind = body.get("Type", "")
            service = kind.split("::")[1].lower() if "::" in kind else "unknown"
            return f"arn:{PARTITION}:{service}:{REGION}:{ACCOUNT}:{logical_id}"
        raise KeyError(f"no emulation for Fn::GetAtt {logical_id}.{name}")

    def ref(self, name: str) -> str:
        """Ref: a pseudo parameter, a table's name, or the logical id itself for anything else."""
        if name in _PSEUDO:
            return _PSEUDO[name]
        if name in self.table_names:
            return self.table_names[name]
        return name

    def __call__(self, value: Any) -> Any:
        """The value with every intrinsic function evaluated."""
        if isinstance(value, list):
            return [self(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                logical_id, name = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.attribute(logical_id, name)
            if key == "Fn::Join":
                separator, parts = argument
                return separator.join(str(self(part)) for part in parts)
            if key == "Fn::Sub":
                text, variables = (argument, {}) if isinstance(argument, str) else argument
                return self._substitute(text, {name: self(v) for name, v in variables.items()})
            if key == "Fn::If":
                raise ValueError("conditional policy statements are resolved by the caller")
        return {key: self(item) for key, item in value.items()}

    def _substitute(self, text: str, variables: dict[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name:
                logical_id, attribute = name.split(".", 1)
                return self.attribute(logical_id, attribute)
            return self.ref(name)

        return re.sub(r"\$\{([^}!][^}]*)\}", replace, text)


@dataclass(frozen=True)
class Statement:
    """One policy statement, resolved: its effect, action patterns and resource ARN patterns."""

    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def matches(self, action: str, resource: str) -> bool:
        """True when the statement covers this action on this resource."""
        return any(fnmatch.fnmatch(action.lower(), pattern.lower()) for pattern in self.actions) and any(
            fnmatch.fnmatchcase(resource, pattern) for pattern in self.resources
        )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_statements(template: dict[str, Any], role_id: str, resolve: Resolver) -> list[Statement]:
    """Every statement of the role's inline policies and managed policies named in the template, resolved."""
    role = template["Resources"][role_id]["Properties"]
    documents = [policy["PolicyDocument"] for policy in role.get("Policies", [])]
    for body in template["Resources"].values():
        if body["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in _as_list(body["Properties"].get("Roles", [])):
            documents.append(body["Properties"]["PolicyDocument"])
    statements = []
    for document in documents:
        for raw in _as_list(document["Statement"]):
            if isinstance(raw, dict) and set(raw) == {"Fn::If"}:
                raise ValueError(f"{role_id}: a conditional statement; resolve its condition before checking")
            if "NotAction" in raw or "NotResource" in raw:
                raise ValueError(f"{role_id}: NotAction/NotResource are not modelled")
            statements.append(
                Statement(
                    effect=raw["Effect"],
                    actions=tuple(_as_list(raw["Action"])),
                    resources=tuple(str(resolve(r)) for r in _as_list(raw["Resource"])),
                )
            )
    return statements


@dataclass
class Policy:
    """A role's statements, deciding each (action, resource) as IAM does."""

    statements: list[Statement]

    def allows(self, action: str, resource: str) -> bool:
        """Explicit deny wins; otherwise some allow must match."""
        if any(s.effect == "Deny" and s.matches(action, resource) for s in self.statements):
            return False
        return any(s.effect == "Allow" and s.matches(action, resource) for s in self.statements)

    def granted(self, service: str = "dynamodb") -> set[tuple[str, str]]:
        """Every (action, resource pattern) pair of this service the role is allowed, for reports."""
        return {
            (action, resource)
            for s in self.statements
            if s.effect == "Allow"
            for action in s.actions
            if action.lower().startswith(service + ":")
            for resource in s.resources
        }


_TRANSACT_WRITE_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                           "ConditionCheck": "ConditionCheckItem"}


def required_permissions(operation: str, request: dict[str, Any]) -> list[tuple[str, str]]:
    """The (IAM action, resource ARN) pairs AWS checks for one DynamoDB API call."""
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", table_arn(table)) for table in request.get("RequestItems", {})]
    if operation == "TransactWriteItems":
        needed = []
        for item in request.get("TransactItems", []):
            ((kind, body),) = item.items()
            needed.append((f"dynamodb:{_TRANSACT_WRITE_ACTIONS[kind]}", table_arn(body["TableName"])))
        return needed
    if operation == "TransactGetItems":
        return [("dynamodb:GetItem", table_arn(item["Get"]["TableName"])) for item in request.get("TransactItems", [])]
    table = request.get("TableName")
    if table is None:
        return [(f"dynamodb:{operation}", "*")]
    resource = table_arn(table)
    if operation in ("Query", "Scan") and request.get("IndexName"):
        resource += f"/index/{request['IndexName']}"
    return [(f"dynamodb:{operation}", resource)]


@dataclass(frozen=True)
class Call:
    """One DynamoDB call as the layer saw it."""

    operation: str
    needed: tuple[tuple[str, str], ...]
    allowed: bool


@dataclass
class PermissionEnforcingEndpoint:
    """A DynamoDB endpoint for one role: forwards allowed calls to `upstream`, refuses the rest with
    AccessDeniedException (HTTP 400, as DynamoDB answers), and records every call."""

    upstream: str
    policy: Policy
    role: str = "test-role"
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                target = self.headers.get("X-Amz-Target", "")
                operation = target.rsplit(".", 1)[-1]
                needed = tuple(required_permissions(operation, json.loads(body or b"{}")))
                refused = [(action, resource) for action, resource in needed if not endpoint.policy.allows(action,
                                                                                                           resource)]
                endpoint.calls.append(Call(operation, needed, not refused))
                if refused:
                    action, resource = refused[0]
                    message = (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{endpoint.role}/test is not authorized to "
                               f"perform: {action} on resource: {resource} because no identity-based policy allows "
                               f"the {action} action")
                    self._answer(400, json.dumps({"__type": "com.amazon.coral.service#AccessDeniedException",
                                                  "message": message}).encode())
                    return
                forwarded = urllib.request.Request(  # noqa: S310 - the local test server
                    endpoint.upstream, data=body, method="POST",
                    headers={k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")},
                )
                try:
                    with urllib.request.urlopen(forwarded, timeout=30) as reply:  # noqa: S310
                        self._answer(reply.status, reply.read(), reply.headers.get("Content-Type"))
                except urllib.error.HTTPError as error:
                    self._answer(error.code, error.read(), error.headers.get("Content-Type"))

            def _answer(self, status: int, payload: bytes, content_type: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type or "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The endpoint_url to give boto3."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def refused(self) -> list[Call]:
        """The calls the role's policy did not allow."""
        return [call for call in self.calls if not call.allowed]

    def operations(self) -> set[str]:
        """Every DynamoDB operation called through this endpoint."""
        return {call.operation for call in self.calls}

    def __enter__(self) -> PermissionEnforcingEndpoint:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


def role_policy(template: dict[str, Any], role_id: str, table_names: Mapping[str, str]) -> Policy:
    """The role's policy with the test's table names for the template's tables (logical id -> name)."""
    return Policy(role_statements(template, role_id, Resolver(template, table_names)))


def without(policy: Policy, action: str, resource_suffix: str = "") -> Policy:
    """The policy with one action taken out of every statement on resources ending in `resource_suffix`: a grant
    broken on purpose, to see the conversations fail without it."""
    statements = []
    for statement in policy.statements:
        if any(r.endswith(resource_suffix) for r in statement.resources):
            kept = tuple(a for a in statement.actions if a.lower() != action.lower())
            if kept:
                statements.append(Statement(statement.effect, kept, statement.resources))
        else:
            statements.append(statement)
    return Policy(statements)


ConversationStep = Callable[[], Any]
