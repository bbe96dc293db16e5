# rig: the tool and the team's deploy repo. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ENV ?= local
ROLE ?=
RIG := node bin/rig.js
DEPS_STAMP := node_modules/.rig-deps-stamp
BUILD_STAMP := dist/.rig-build-stamp
SOURCES := $(shell find src roles smoke-tests -name '*.ts' 2>/dev/null) tsconfig.json tsconfig.build.json

.PHONY: help deps build test test-unit lint typecheck schema inventory demo vault-view clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

# `npm install`, not `npm ci`: npm 11 writes lockfiles without the other platforms' optional packages (rollup's)
# and then `npm ci` refuses them as out of sync (npm/cli#4828). `install` still honours the locked versions.
$(DEPS_STAMP): package.json package-lock.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(DEPS_STAMP) ## install npm dependencies (locked versions)

$(BUILD_STAMP): $(DEPS_STAMP) $(SOURCES)
	npx tsc -p tsconfig.build.json
	@touch $@

build: $(BUILD_STAMP) ## compile the CLI to dist/

typecheck: $(DEPS_STAMP) ## tsc --noEmit over src, roles, tests
	npx tsc --noEmit -p .

lint: $(DEPS_STAMP) ## eslint (no floating promises, exhaustive switches)
	npx eslint .

test-unit: $(DEPS_STAMP) ## the fast unit tests only
	npx vitest run test/unit

test: $(BUILD_STAMP) ## typecheck, lint and every test (CI runs this)
	npx tsc --noEmit -p .
	npx eslint .
	npx vitest run

schema: build ## regenerate the JSON Schemas in schema/ for editors
	$(RIG) schema --out schema

inventory: build ## show hosts and variables with their sources: make inventory ENV=prod
	$(RIG) inventory --env $(ENV)

demo: build ## the local demo environment
	bash scripts/demo.sh

clean: ## remove build outputs
	rm -rf dist .rig/build
