"""The CloudFormation that `osls package` generates from serverless.yml: functions, events, tables, roles, secrets."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from shared.stores.dynamodb import table_definition
from tests.deploy.conftest import (
    CFN_LINT,
    OSLS,
    PLANTED_SECRETS,
    SKILL_ID,
    SMS_FROM,
    STAGE,
    Build,
    copy_project,
    packaging_environment,
)

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[2]

COLLECTIONS = ("conversations", "attributes", "optouts", "callbacks")
TABLE_IDS = {c: f"{c.capitalize()}Table" for c in COLLECTIONS}
FUNCTION_IDS = {
    "alexa": "AlexaLambdaFunction",
    "sms": "SmsLambdaFunction",
    "sms_fallback": "SmsUnderscorefallbackLambdaFunction",
    "staff_notify": "StaffUnderscorenotifyLambdaFunction",
    "staff": "StaffLambdaFunction",
}
ROLE_IDS = {
    "alexa": "AlexaRole",
    "sms": "SmsRole",
    "sms_fallback": "SmsFallbackRole",
    "staff_notify": "StaffNotifyRole",
    "staff": "StaffRole",
}
# What each function's code does to each table and index (shown by tests/deploy/test_permissions.py, which runs
# the conversations under exactly these grants): nothing more may be granted, and no role may Scan. The skill
# seeds and forgets the SMS conversation of a number it texted, reads (never writes) the opt-outs, and stores a
# callback request asked for by voice (a conditional put, and a read of the stored one when Alexa retries).
EXPECTED_TABLE_ACCESS = {
    "alexa": {
        "AttributesTable": {"GetItem", "PutItem", "DeleteItem"},
        "ConversationsTable": {"GetItem", "PutItem", "DeleteItem"},
        "OptoutsTable": {"GetItem"},
        # "Ask the clinic to call me" stores a request; "forget my history" for a linked number erases its
        # callback requests and scrubs its claims' replies.
        "CallbacksTable": {"GetItem", "PutItem", "DeleteItem"},
        "CallbacksTable/index/callbacks_by_phone": {"Query"},
        "ConversationsTable/index/claims_by_phone": {"Query"},
    },
    "sms": {
        "ConversationsTable": {"GetItem", "BatchGetItem", "PutItem", "DeleteItem"},
        "OptoutsTable": {"GetItem", "BatchGetItem", "PutItem", "DeleteItem"},
        "AttributesTable": {"GetItem", "BatchGetItem", "PutItem", "DeleteItem"},
        "CallbacksTable": {"GetItem", "PutItem", "DeleteItem"},
        "CallbacksTable/index/callbacks_by_phone": {"Query"},
        "ConversationsTable/index/claims_by_phone": {"Query"},
    },
    "sms_fallback": {},
    "staff_notify": {
        "CallbacksTable": {"GetItem", "PutItem"},
        "CallbacksTable/index/notifications_owed": {"Query"},
        "CallbacksTable/stream": {"DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"},
    },
    "staff": {
        "CallbacksTable": {"GetItem", "PutItem"},
        "CallbacksTable/index/callbacks_by_status": {"Query"},
        "CallbacksTable/index/callbacks_by_phone": {"Query"},
        "OptoutsTable": {"GetItem"},
    },
}
EXPECTED_PARAMETERS = {
    "alexa": {"twilio-auth-token", "twilio-account-sid", "hash-salt"},
    "sms": {"twilio-auth-token", "twilio-account-sid", "hash-salt", "twilio-auth-token-previous"},
    "sms_fallback": set(),
    "staff_notify": {"twilio-auth-token", "twilio-account-sid", "hash-salt"},
    "staff": {"twilio-auth-token", "twilio-account-sid", "hash-salt"},
}


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """Resources of one CloudFormation type, by logical id."""
    return {name: body for name, body in template["Resources"].items() if body["Type"] == kind}


def function(template: dict[str, Any], name: str) -> dict[str, Any]:
    """A Lambda function's properties."""
    return template["Resources"][FUNCTION_IDS[name]]["Properties"]


def statements(template: dict[str, Any], function_name: str) -> list[dict[str, Any]]:
    """Every policy statement of the function's own role."""
    role = template["Resources"][ROLE_IDS[function_name]]["Properties"]
    return [statement for policy in role["Policies"] for statement in policy["PolicyDocument"]["Statement"]]


def as_list(value: Any) -> list[Any]:
    """A policy field that may be one item or a list, as a list."""
    return value if isinstance(value, list) else [value]


def table_resource(resource: dict[str, Any]) -> str:
    """A table ("CallbacksTable"), its stream ("CallbacksTable/stream") or index ("CallbacksTable/index/x")."""
    if "Fn::GetAtt" in resource:
        table_id, attribute = resource["Fn::GetAtt"]
        assert attribute in ("Arn", "StreamArn")
        return table_id if attribute == "Arn" else f"{table_id}/stream"
    match = re.fullmatch(r"\$\{(\w+)\.Arn\}/index/(\w+)", resource["Fn::Sub"])
    assert match, f"not a table's index: {resource!r}"
    return f"{match.group(1)}/index/{match.group(2)}"


def integration_function(template: dict[str, Any], route_key: str) -> str:
    """The logical id of the Lambda function an HTTP API route invokes."""
    routes = [r["Properties"] for r in resources(template, "AWS::ApiGatewayV2::Route").values()]
    (route,) = [r for r in routes if r["RouteKey"] == route_key]
    integration_id = route["Target"]["Fn::Join"][1][1]["Ref"]
    integration = template["Resources"][integration_id]["Properties"]
    assert integration["PayloadFormatVersion"] == "2.0"
    return integration["IntegrationUri"]["Fn::GetAtt"][0]


def test_alexa_function_runs_skill_handler_on_arm64_within_alexa_deadline(template: dict[str, Any]) -> None:
    alexa = function(template, "alexa")
    assert alexa["Handler"] == "skill/lambda_function.lambda_handler"
    assert alexa["Runtime"] == "python3.12"
    assert alexa["Architectures"] == ["arm64"]
    assert alexa["Timeout"] <= 7  # Alexa drops the answer after 8 s


def test_alexa_trigger_accepts_only_the_configured_skill(template: dict[str, Any]) -> None:
    permissions = resources(template, "AWS::Lambda::Permission")
    alexa = [p["Properties"] for p in permissions.values() if p["Properties"]["Principal"] == "alexa-appkit.amazon.com"]
    assert len(alexa) == 1
    assert alexa[0]["EventSourceToken"] == SKILL_ID
    assert alexa[0]["FunctionName"]["Fn::GetAtt"][0] == FUNCTION_IDS["alexa"]


def test_alexa_snapstart_is_off_unless_the_parameter_turns_it_on(template: dict[str, Any]) -> None:
    assert "SnapStart" not in function(template, "alexa")  # the default deploy: no versions, no alias
    env = packaging_environment()
    base = [str(OSLS), "print", "--stage", STAGE, f"--param=alexaSkillId={SKILL_ID}"]
    base.append(f"--param=smsFromNumber={SMS_FROM}")

    def snap_start(*params: str) -> Any:
        command = [*base, *params, "--format", "json", "--path", "functions.alexa.snapStart"]
        printed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=True, timeout=120)
        return json.loads(printed.stdout)

    # A boolean, as osls turns it into SnapStart on the function and the Alexa permission onto its alias.
    assert snap_start() is False
    assert snap_start("--param=alexaSnapStart=true") is True
    assert snap_start("--param=alexaSnapStart=false") is False


def test_sms_function_answers_post_sms_and_status_reports_on_http_api_within_twilio_deadline(
    template: dict[str, Any],
) -> None:
    sms = function(template, "sms")
    assert sms["Handler"] == "sms/lambda_function.handler"
    assert sms["Timeout"] <= 10  # Twilio gives up on a webhook after 15 s, then tries the fallback URL
    assert integration_function(template, "POST /sms") == FUNCTION_IDS["sms"]
    assert integration_function(template, "POST /sms/status") == FUNCTION_IDS["sms"]


def test_sms_fallback_route_runs_static_fallback_handler(template: dict[str, Any]) -> None:
    assert function(template, "sms_fallback")["Handler"] == "sms/lambda_function.fallback_handler"
    assert integration_function(template, "POST /sms/fallback") == FUNCTION_IDS["sms_fallback"]


def test_staff_notify_runs_on_each_new_callback_and_every_minute(template: dict[str, Any]) -> None:
    assert function(template, "staff_notify")["Handler"] == "sms/lambda_function.staff_notify_handler"
    (rule,) = [r["Properties"] for r in resources(template, "AWS::Events::Rule").values()]
    assert rule["ScheduleExpression"] == "rate(1 minute)"
    assert rule["Targets"][0]["Arn"]["Fn::GetAtt"][0] == FUNCTION_IDS["staff_notify"]
    (mapping,) = [r["Properties"] for r in resources(template, "AWS::Lambda::EventSourceMapping").values()]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["CallbacksTable", "StreamArn"]}
    assert mapping["FunctionName"]["Fn::GetAtt"][0] == FUNCTION_IDS["staff_notify"]
    assert json.loads(mapping["FilterCriteria"]["Filters"][0]["Pattern"]) == {"eventName": ["INSERT"]}
    stream = template["Resources"]["CallbacksTable"]["Properties"]["StreamSpecification"]
    assert stream == {"StreamViewType": "KEYS_ONLY"}  # no health information flows through the stream


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_table_is_on_demand_keyed_by_pk_and_named_for_the_stage(template: dict[str, Any], collection: str) -> None:
    table = template["Resources"][TABLE_IDS[collection]]
    props = table["Properties"]
    assert props["TableName"] == f"cramp-check-{STAGE}-{collection}"
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert props["DeletionProtectionEnabled"] is False  # dev can be torn down; prod cannot (see below)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_table_has_exactly_the_indexes_the_store_queries(template: dict[str, Any], collection: str) -> None:
    props = template["Resources"][TABLE_IDS[collection]]["Properties"]
    expected = table_definition(collection)  # built from shared/records.py INDEXES, as the tests' tables are
    assert sorted(props["AttributeDefinitions"], key=str) == sorted(expected["AttributeDefinitions"], key=str)
    declared = {gsi["IndexName"]: gsi for gsi in props.get("GlobalSecondaryIndexes", [])}
    wanted = {gsi["IndexName"]: gsi for gsi in expected.get("GlobalSecondaryIndexes", [])}
    assert declared == wanted


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_table_is_encrypted_with_the_clinics_rotated_kms_key(template: dict[str, Any], collection: str) -> None:
    sse = template["Resources"][TABLE_IDS[collection]]["Properties"]["SSESpecification"]
    assert sse == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": "DataKey"}}
    key = template["Resources"]["DataKey"]
    assert key["Properties"]["EnableKeyRotation"] is True and key["DeletionPolicy"] == "Retain"
    (use,) = [s for s in key["Properties"]["KeyPolicy"]["Statement"] if s.get("Sid") == "DynamoDBUsesItForThisAccount"]
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == {"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"}


def test_conversations_table_expires_items_after_expires_at(template: dict[str, Any]) -> None:
    ttl = template["Resources"]["ConversationsTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}


def test_callbacks_table_keeps_point_in_time_recovery(template: dict[str, Any]) -> None:
    pitr = template["Resources"]["CallbacksTable"]["Properties"]["PointInTimeRecoverySpecification"]
    assert pitr == {"PointInTimeRecoveryEnabled": True}


@pytest.mark.parametrize("name", list(FUNCTION_IDS))
def test_function_env_names_tables_and_deployed_mode(template: dict[str, Any], name: str) -> None:
    env = function(template, name)["Environment"]["Variables"]
    assert env["CRAMP_MODE"] == "deployed"
    assert env["CRAMP_STORE"] == "dynamodb"
    for collection, table_id in TABLE_IDS.items():
        assert env[f"CRAMP_TABLE_{collection.upper()}"] == {"Ref": table_id}


@pytest.mark.parametrize("name", list(FUNCTION_IDS))
def test_function_env_holds_ssm_parameter_names_never_values(template: dict[str, Any], name: str) -> None:
    env = function(template, name)["Environment"]["Variables"]
    names = {key: value for key, value in env.items() if key.startswith("CRAMP_SSM_")}
    assert {value.rsplit("/", 1)[1] for value in names.values()} == EXPECTED_PARAMETERS[name]
    assert all(value.startswith(f"/cramp-check/{STAGE}/") for value in names.values())
    for secret_variable in ("TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID", "CRAMP_HASH_SALT", "CRAMP_STAFF_PASSWORD"):
        assert secret_variable not in env


def test_each_function_runs_under_a_role_of_its_own(template: dict[str, Any]) -> None:
    roles = {name: function(template, name)["Role"]["Fn::GetAtt"][0] for name in FUNCTION_IDS}
    assert roles == ROLE_IDS
    # No shared provider-wide role that every function could fall back to.
    assert set(resources(template, "AWS::IAM::Role")) == set(ROLE_IDS.values())


@pytest.mark.parametrize("name", list(FUNCTION_IDS))
def test_role_reaches_only_its_own_tables_with_only_the_actions_used(template: dict[str, Any], name: str) -> None:
    granted: dict[str, set[str]] = {}
    for statement in statements(template, name):
        actions = as_list(statement["Action"])
        dynamodb = {action.split(":", 1)[1] for action in actions if action.startswith("dynamodb:")}
        if not dynamodb:
            continue
        assert len(dynamodb) == len(actions), "DynamoDB actions share a statement with other services"
        for resource in as_list(statement["Resource"]):
            assert isinstance(resource, dict), f"table ARN written out or wildcarded: {resource!r}"
            granted.setdefault(table_resource(resource), set()).update(dynamodb)
    assert granted == EXPECTED_TABLE_ACCESS[name]


@pytest.mark.parametrize("name", list(FUNCTION_IDS))
def test_role_reads_only_its_own_ssm_parameters(template: dict[str, Any], name: str) -> None:
    parameters: set[str] = set()
    decrypt = []
    for statement in statements(template, name):
        actions = as_list(statement["Action"])
        if any(action.startswith("ssm:") for action in actions):
            assert actions == ["ssm:GetParameters"]
            for resource in as_list(statement["Resource"]):
                arn = resource["Fn::Sub"]
                assert arn.startswith("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/")
                parameters.add(arn.rsplit("/", 1)[1])
        if "kms:Decrypt" in actions:
            decrypt.append(statement)
    assert parameters == EXPECTED_PARAMETERS[name]
    # KMS only through SSM, and only for functions that read a SecureString.
    assert len(decrypt) == (1 if parameters else 0)
    for statement in decrypt:
        assert statement["Condition"]["StringEquals"]["kms:ViaService"] == {
            "Fn::Sub": "ssm.${AWS::Region}.amazonaws.com"
        }


@pytest.mark.parametrize("name", list(FUNCTION_IDS))
def test_role_writes_logs_only_to_its_own_log_group(template: dict[str, Any], name: str) -> None:
    log_group = function(template, name)["FunctionName"]
    logs = [s for s in statements(template, name) if any(a.startswith("logs:") for a in as_list(s["Action"]))]
    assert len(logs) == 1
    (group_id,) = [
        gid
        for gid, body in resources(template, "AWS::Logs::LogGroup").items()
        if body["Properties"]["LogGroupName"] == f"/aws/lambda/{log_group}"
    ]
    assert logs[0]["Resource"] == {"Fn::GetAtt": [group_id, "Arn"]}


def test_log_groups_keep_logs_for_a_bounded_time(template: dict[str, Any]) -> None:
    groups = resources(template, "AWS::Logs::LogGroup")
    assert len(groups) == len(FUNCTION_IDS) + 1  # and the HTTP API's access log
    assert {body["Properties"]["RetentionInDays"] for body in groups.values()} == {30}


def test_sms_signature_is_checked_against_the_http_api_url(template: dict[str, Any]) -> None:
    env = function(template, "sms")["Environment"]["Variables"]
    assert env["CRAMP_PUBLIC_BASE_URL"] == {"Fn::GetAtt": ["HttpApi", "ApiEndpoint"]}
    assert env["CRAMP_SMS_FROM"] == SMS_FROM
    # "Text me that" and the staff texts get their status callbacks at the same public URL.
    for name in ("alexa", "staff_notify", "staff"):
        assert function(template, name)["Environment"]["Variables"]["CRAMP_PUBLIC_BASE_URL"] == env[
            "CRAMP_PUBLIC_BASE_URL"]


def test_alexa_function_texts_from_the_sms_line_number_with_twilio_credentials_from_ssm(
    template: dict[str, Any],
) -> None:
    alexa = function(template, "alexa")["Environment"]["Variables"]
    sms = function(template, "sms")["Environment"]["Variables"]
    assert alexa["CRAMP_SMS_FROM"] == sms["CRAMP_SMS_FROM"] == SMS_FROM
    for variable in ("CRAMP_SSM_TWILIO_AUTH_TOKEN", "CRAMP_SSM_TWILIO_ACCOUNT_SID", "CRAMP_SSM_HASH_SALT"):
        assert alexa[variable] == sms[variable]
    # The REST base is a test-only override: deployed, the twilio client talks to api.twilio.com.
    assert "CRAMP_TWILIO_API_BASE" not in alexa


def test_alexa_role_cannot_change_opt_outs_and_may_only_add_or_erase_callbacks(template: dict[str, Any]) -> None:
    for statement in statements(template, "alexa"):
        actions = set(as_list(statement["Action"]))
        resources_ = [r.get("Fn::GetAtt", [None])[0] for r in as_list(statement["Resource"]) if isinstance(r, dict)]
        if "OptoutsTable" in resources_:
            assert actions == {"dynamodb:GetItem"}
        if "CallbacksTable" in resources_:
            # Storing a request asked for by voice, and erasing them on "forget my history"; listing and marking
            # them stay the SMS line's and staff's.
            assert actions == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"}


def test_fallback_function_needs_no_secret_or_table_to_answer(template: dict[str, Any]) -> None:
    actions = {a for s in statements(template, "sms_fallback") for a in as_list(s["Action"])}
    assert actions == {"logs:CreateLogStream", "logs:PutLogEvents"}


def test_built_files_hold_no_secret_value_from_the_environment(lambda_build: Build) -> None:
    scanned = 0
    for path in lambda_build.serverless_dir.rglob("*"):
        if not path.is_file():
            continue
        blobs = [path.read_bytes()]
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                blobs = [archive.read(info) for info in archive.infolist() if not info.is_dir()]
        for blob in blobs:
            for variable, value in PLANTED_SECRETS.items():
                assert value.encode() not in blob, f"{variable}'s value found in {path.name}"
            scanned += 1
    assert scanned > 1000  # the zips' files were read, not just the template


def test_cfn_lint_finds_no_problem_in_the_template(lambda_build: Build) -> None:
    template_path = lambda_build.serverless_dir / "cloudformation-template-update-stack.json"
    # W3005: serverless itself writes DependsOn next to a GetAtt of the same resource; harmless and not ours.
    result = subprocess.run(  # noqa: S603 - fixed command line
        [str(CFN_LINT), "--ignore-checks", "W3005", "--", str(template_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_prod_stage_protects_tables_from_deletion(tmp_path: Path) -> None:
    copy_project(tmp_path)
    # `print` resolves every variable for the stage without packaging, in a few seconds.
    result = subprocess.run(  # noqa: S603 - fixed command line
        [
            str(OSLS),
            "print",
            "--stage",
            "prod",
            "--format",
            "json",
            f"--param=alexaSkillId={SKILL_ID}",
            f"--param=smsFromNumber={SMS_FROM}",
        ],
        cwd=tmp_path,
        env=packaging_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = json.loads(result.stdout[result.stdout.index("{") :])
    for table_id in TABLE_IDS.values():
        table = config["resources"]["Resources"][table_id]
        assert table["Properties"]["DeletionProtectionEnabled"] is True
        assert table["Properties"]["TableName"].startswith("cramp-check-prod-")
        assert table["DeletionPolicy"] == "Retain"
        assert table["UpdateReplacePolicy"] == "Retain"
    assert config["provider"]["logRetentionInDays"] == 90


def routes(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every HTTP API route's properties, by route key."""
    found = [r["Properties"] for r in resources(template, "AWS::ApiGatewayV2::Route").values()]
    return {route["RouteKey"]: route for route in found}


def test_every_staff_api_route_is_behind_the_cognito_jwt_authorizer(template: dict[str, Any]) -> None:
    staff_routes = {key: route for key, route in routes(template).items() if key.split(" ", 1)[1].startswith("/staff")}
    api = {key: route for key, route in staff_routes.items() if key.split(" ", 1)[1].startswith("/staff/api/")}
    assert len(api) == 4
    for key, route in api.items():
        assert route["AuthorizationType"] == "JWT", key
        assert route["AuthorizerId"] == {"Ref": "HttpApiAuthorizerStaffAuthorizer"}, key
        assert integration_function(template, key) == FUNCTION_IDS["staff"]
    # Open to anyone: only the page that signs staff in and its script, which hold no patient data
    # (tests/server/test_staff_deployed.py), served by the same function.
    assert set(staff_routes) - set(api) == {"GET /staff", "GET /staff/inbox.js"}
    authorizer = template["Resources"]["HttpApiAuthorizerStaffAuthorizer"]["Properties"]
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]
    assert authorizer["JwtConfiguration"] == {
        "Audience": [{"Ref": "StaffUserPoolClient"}],
        "Issuer": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${StaffUserPool}"},
    }
    env = function(template, "staff")["Environment"]["Variables"]
    assert env["CRAMP_STAFF_ISSUER"] == authorizer["JwtConfiguration"]["Issuer"]  # the function checks it again
    assert env["CRAMP_STAFF_CLIENT_ID"] == {"Ref": "StaffUserPoolClient"}


def test_staff_user_pool_requires_mfa_and_admin_created_users(template: dict[str, Any]) -> None:
    pool = template["Resources"]["StaffUserPool"]["Properties"]
    assert pool["MfaConfiguration"] == "ON" and pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12
    client = template["Resources"]["StaffUserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False and client["AllowedOAuthFlows"] == ["code"]
    assert client["CallbackURLs"] == [{"Fn::Join": ["", [{"Fn::GetAtt": ["HttpApi", "ApiEndpoint"]}, "/staff"]]}]


@pytest.mark.parametrize("name", list(FUNCTION_IDS))
def test_function_has_reserved_concurrency_json_logs_and_alarms_on_errors_and_throttles(
    template: dict[str, Any], name: str
) -> None:
    props = function(template, name)
    assert props["ReservedConcurrentExecutions"] >= 1
    assert props["LoggingConfig"] == {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO"}
    assert "TracingConfig" not in props  # X-Ray is off unless the xrayTracing parameter turns it on
    alarms = [a["Properties"] for a in resources(template, "AWS::CloudWatch::Alarm").values()]
    watched = {
        a["MetricName"] for a in alarms
        if a.get("Namespace") == "AWS/Lambda" and a["Dimensions"] == [{"Name": "FunctionName",
                                                                       "Value": {"Ref": FUNCTION_IDS[name]}}]
    }
    assert {"Errors", "Throttles"} <= watched
    for alarm in alarms:
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_alarms_watch_fallback_use_signature_failures_and_overdue_staff_texts(template: dict[str, Any]) -> None:
    alarms = {a["Properties"]["MetricName"]: a["Properties"] for a in resources(template, "AWS::CloudWatch::Alarm")
              .values() if a["Properties"]["MetricName"] in ("Invocations", "SignatureFailures",
                                                            "StaffNotificationsOverdue")}
    assert alarms["Invocations"]["Dimensions"] == [{"Name": "FunctionName",
                                                    "Value": {"Ref": FUNCTION_IDS["sms_fallback"]}}]
    filters = {f["Properties"]["MetricTransformations"][0]["MetricName"]: f["Properties"]
               for f in resources(template, "AWS::Logs::MetricFilter").values()}
    # The patterns match the lines the code logs (sms/signature.py, sms/notifications.py).
    from sms.notifications import OVERDUE_MESSAGE

    assert filters["SignatureFailures"]["FilterPattern"] == '{ $.message = "sms signature rejected" }'
    assert filters["SignatureFailures"]["LogGroupName"] == {"Ref": "SmsLogGroup"}
    assert filters["StaffNotificationsOverdue"]["FilterPattern"] == f'{{ $.message = "{OVERDUE_MESSAGE}" }}'
    assert filters["StaffNotificationsOverdue"]["LogGroupName"] == {"Ref": "StaffUnderscorenotifyLogGroup"}
    for metric in ("SignatureFailures", "StaffNotificationsOverdue"):
        assert alarms[metric]["Namespace"] == filters[metric]["MetricTransformations"][0]["MetricNamespace"]


def test_http_api_throttles_every_route_and_keeps_access_logs(template: dict[str, Any]) -> None:
    stage = template["Resources"]["HttpApiStage"]["Properties"]
    assert stage["DefaultRouteSettings"] == {"ThrottlingRateLimit": 20, "ThrottlingBurstLimit": 40}
    assert stage["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["HttpApiLogGroup", "Arn"]}
    logged = json.loads(stage["AccessLogSettings"]["Format"])
    assert {"requestId", "routeKey", "status"} <= set(logged)
    assert not any("body" in value or "querystring" in value.lower() for value in logged.values())


def printed(*params: str, path: str) -> Any:
    """One value of the resolved configuration for the dev stage with these extra parameters (`osls print`)."""
    command = [str(OSLS), "print", "--stage", STAGE, f"--param=alexaSkillId={SKILL_ID}",
               f"--param=smsFromNumber={SMS_FROM}", *params, "--format", "json", "--path", path]
    result = subprocess.run(command, cwd=REPO, env=packaging_environment(), capture_output=True, text=True,
                            check=True, timeout=120)
    return json.loads(result.stdout)


def test_public_base_url_is_a_parameter_defaulting_to_the_api_endpoint() -> None:
    path = "provider.environment.CRAMP_PUBLIC_BASE_URL"
    assert printed(path=path) == {"Fn::GetAtt": ["HttpApi", "ApiEndpoint"]}
    assert printed("--param=publicBaseUrl=https://text.clinic.example", path=path) == "https://text.clinic.example"


def test_xray_tracing_is_off_unless_the_parameter_turns_it_on() -> None:
    assert printed(path="provider.tracing.lambda") is False
    assert printed("--param=xrayTracing=true", path="provider.tracing.lambda") is True
    policies = printed("--param=xrayTracing=true", path="resources.Resources.SmsRole.Properties.ManagedPolicyArns")
    assert policies == [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"}]
    assert printed(path="resources.Resources.SmsRole.Properties.ManagedPolicyArns") == []
