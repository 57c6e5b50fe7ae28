# The two commands a newcomer needs: `make run` and `make test`.
# Each creates what it needs on a fresh machine (Python 3.12, or 3.11+; Node 20; git).

# CPython 3.12 is the Lambda runtime's version: the virtualenv uses it when this machine has one (python3.12 on
# PATH, else the newest pyenv 3.12.x), so the tests run what deploys. Otherwise python3, with a note.
# Each candidate is run once: a pyenv shim can be on PATH yet refuse to run.
PYTHON312 := $(shell for p in $$(command -v python3.12) $$(ls -d $(HOME)/.pyenv/versions/3.12.*/bin/python3.12 \
  2>/dev/null | sort -rV); do "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null \
  && { echo "$$p"; break; }; done)
PYTHON ?= $(if $(PYTHON312),$(PYTHON312),python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp

.PHONY: run chat test lint unit venv node browser bench fuzz eval clean review

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON312)" ]; then echo "NOTE: no CPython 3.12 here (python3.12 on PATH or ~/.pyenv/versions/3.12.*):" \
	  "the virtualenv uses $$($(PYTHON) --version 2>&1), not the Lambda runtime's 3.12." >&2; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[alexa,alexa-web,sms,staff,aws,server,dev]'
	touch $(STAMP)

venv: $(STAMP)

$(NODE_STAMP): package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

node: $(NODE_STAMP)

# Debian's Chromium for the browser tests (Playwright's own browser download fails here), installed with apt
# as root or through sudo; where neither is possible, say so and stop instead of failing half-way.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "make test needs Chromium at /usr/bin/chromium for the browser tests, and this machine has no apt-get:" \
	      "install it yourself, or run every other test with 'make unit'." >&2; exit 1; \
	  elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; \
	  else echo "make test installs Debian's chromium with apt, which needs root or sudo, and this user has neither:" \
	      "ask an administrator to run 'apt-get install chromium', or run every other test with 'make unit'." >&2; exit 1; \
	  fi; }

run: venv
	$(PY) -m server

# A terminal conversation with the core, for reviewing wording without a server.
chat: venv
	$(PY) -m shared.cli --chat

# The clinical review sheet: every red flag, rule, relief step, tip, question and reply, per locale, with lengths.
# A clinician reads and signs docs/clinical-review.html; clinic.yaml records the sign-off (sign_off).
review: venv
	$(PY) -m review

lint: venv
	$(VENV)/bin/ruff check .

unit: venv
	$(VENV)/bin/pytest -q

test: venv node browser lint
	$(VENV)/bin/pytest -q

bench: venv node
	$(PY) -m bench

fuzz: venv
	$(PY) -m reliability.fuzz

# How well the free-text reader understands the development corpus (tests/corpus): per-field precision and recall,
# red-flag sign recall, urgency and verdict agreement; writes docs/understanding.md with every miss.
eval: venv
	$(PY) -m tests.corpus.evaluate

clean:
	rm -rf $(VENV) node_modules .pytest_cache .serverless build

# Build the Lambda zips and the CloudFormation template into .serverless/ without deploying or any AWS account
# (it needs the npm and PyPI registries: it installs the Lambda's arm64 wheels). Each zip gets CPython 3.12
# bytecode when a 3.12 interpreter is found (deploy/bytecode.py says so when not, and what it costs).
# Deploying is `npx osls deploy` with real parameters: see docs/deploying.md. It first says clearly whether the
# content is the version a clinician signed off (clinic.yaml sign_off; `make review` writes the sheet to sign).
STAGE ?= dev
ALEXA_SKILL_ID ?= amzn1.ask.skill.00000000-0000-0000-0000-000000000000
SMS_FROM ?= +15550100100
.PHONY: package
package: node venv
	@$(PY) -m shared.version
	AWS_ACCESS_KEY_ID=$${AWS_ACCESS_KEY_ID:-offline} AWS_SECRET_ACCESS_KEY=$${AWS_SECRET_ACCESS_KEY:-offline} \
	  node_modules/.bin/osls package --stage $(STAGE) --param="alexaSkillId=$(ALEXA_SKILL_ID)" --param="smsFromNumber=$(SMS_FROM)"
	@ls -l .serverless/build/lambda/*.zip

# The Alexa skill manifest for the countries clinic.yaml lists (interaction_models/README.md, deploy/skill_manifest.py).
.PHONY: manifest
manifest: venv
	$(PY) -m deploy.skill_manifest

# Fuzzing, load, faults, security and privacy, long settings; writes docs/reliability.md (about 10 min).
.PHONY: reliability
reliability: venv node
	$(PY) -m reliability
