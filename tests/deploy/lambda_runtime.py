"""A small stand-in for the AWS Lambda Python runtime: `python -I -S lambda_runtime.py request.json`.

-I and -S leave only the standard library on sys.path (no site-packages, no PYTHONPATH, not even this
file's folder). The request then puts back exactly what Lambda has: the unzipped function (/var/task) first,
then a folder standing in for the runtime's own boto3 (/var/runtime). The handler is named as in the
template ("skill/lambda_function.lambda_handler"), imported once (the cold start, timed) and called with each
event; the result file lists the answers, the modules loaded by the cold start alone, every module loaded by
the end, every loaded module that came from anywhere else, and every source file Python had to compile because
no usable bytecode was shipped beside it (Lambda's /var/task is read-only, so there it would compile again on
every cold start). With "carry_session", each Alexa event gets the session attributes of the answer before it,
as the Alexa service sends them back within one session.
"""

from __future__ import annotations

import importlib
import importlib._bootstrap_external as bootstrap_external
import json
import sys
import sysconfig
import time
import uuid
from pathlib import Path


class LambdaContext:
    """The attributes of the context object the Lambda runtime passes to handlers."""

    def __init__(self, function_name: str, timeout_s: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.memory_limit_in_mb = "512"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "2026/11/25/[$LATEST]emulation"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's timeout."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def record_compiles() -> list[str]:
    """Note every source file the import system compiles from here on (it does so only without usable bytecode)."""
    compiled: list[str] = []
    compile_source = bootstrap_external.SourceLoader.source_to_code

    def source_to_code(self: object, data: bytes, path: str, *, _optimize: int = -1) -> object:
        compiled.append(path)
        return compile_source(self, data, path, _optimize=_optimize)

    bootstrap_external.SourceLoader.source_to_code = source_to_code
    return compiled


def main() -> None:
    """Run the request file's events through its handler and write the answers next to it."""
    compiled = record_compiles()
    request = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    sys.path[:0] = request["paths"]
    module_name, function_name = request["handler"].rsplit(".", 1)
    started = time.perf_counter()
    handler = getattr(importlib.import_module(module_name.replace("/", ".")), function_name)
    import_seconds = time.perf_counter() - started
    cold_start_modules = sorted(sys.modules)
    extra_seconds = {}
    for name in request.get("imports", []):
        began = time.perf_counter()
        importlib.import_module(name)
        extra_seconds[name] = time.perf_counter() - began
    answers = []
    for event in request["events"]:
        if request.get("carry_session") and answers:
            event["session"]["attributes"] = answers[-1]["answer"].get("sessionAttributes") or {}
        began = time.perf_counter()
        answer = handler(event, LambdaContext(request["function_name"], request["timeout_s"]))
        answers.append({"answer": answer, "seconds": time.perf_counter() - began})
    allowed = tuple(request["paths"]) + (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])
    # This emulator itself is the one module from elsewhere (as Lambda's bootstrap is, in /var/runtime).
    emulator = {"__main__", "__mp_main__"}
    origins = {
        name: getattr(module, "__file__", None) for name, module in list(sys.modules.items()) if name not in emulator
    }
    result = {
        "import_seconds": import_seconds,
        "extra_import_seconds": extra_seconds,
        "cold_start_modules": cold_start_modules,
        "modules": sorted(sys.modules),
        "answers": answers,
        "foreign_modules": sorted(name for name, path in origins.items() if path and not path.startswith(allowed)),
        "origins": {name: path for name, path in origins.items() if path},
        "sys_path": sys.path,
        "compiled": [path for path in compiled if path.startswith(request["paths"][0])],
    }
    Path(request["output"]).write_text(json.dumps(result, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
