# The two commands a newcomer needs: `make run` and `make test`.
# Each creates what it needs on a fresh machine (Python 3.11+, Node 20, git).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp

.PHONY: run chat test lint unit venv node browser bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[alexa,alexa-web,sms,aws,server,dev]'
	touch $(STAMP)

venv: $(STAMP)

$(NODE_STAMP): package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

node: $(NODE_STAMP)

# Debian's Chromium for the browser tests (Playwright's own browser download fails here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

run: venv
	$(PY) -m server

# A terminal conversation with the core, for reviewing wording without a server.
chat: venv
	$(PY) -m shared.cli --chat

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

clean:
	rm -rf $(VENV) node_modules .pytest_cache .serverless build

# Build the Lambda zips and the CloudFormation template into .serverless/ without deploying or any AWS account.
# Deploying is `npx osls deploy` with real parameters: see docs/deploying.md.
STAGE ?= dev
ALEXA_SKILL_ID ?= amzn1.ask.skill.00000000-0000-0000-0000-000000000000
SMS_FROM ?= +15550100100
.PHONY: package
package: node
	AWS_ACCESS_KEY_ID=$${AWS_ACCESS_KEY_ID:-offline} AWS_SECRET_ACCESS_KEY=$${AWS_SECRET_ACCESS_KEY:-offline} \
	  node_modules/.bin/osls package --stage $(STAGE) --param="alexaSkillId=$(ALEXA_SKILL_ID)" --param="smsFromNumber=$(SMS_FROM)"
	@ls -l .serverless/build/lambda/*.zip

# Fuzzing, load, faults, security and privacy, long settings; writes docs/reliability.md (about 10 min).
.PHONY: reliability
reliability: venv node
	$(PY) -m reliability
