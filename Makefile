# xpos-agent — the two commands a newcomer needs are `make run` and `make test`.
# Both install what is missing first (npm ci from the lockfile, native modules built here).

SHELL := /bin/bash
NODE  ?= node
NPM   ?= npm
STAMP := node_modules/.deps-stamp
SRC   := $(shell find agent drivers config -name '*.ts' 2>/dev/null)

.PHONY: all deps build run test typecheck lint format bench chaos clean check-node

all: build

check-node:
	@$(NODE) -e 'const [M]=process.versions.node.split(".").map(Number); if (M<20) { console.error("xpos-agent needs Node.js 20 or newer, found " + process.version); process.exit(1) }'

# Reinstall whenever the lockfile or package.json is newer than the last install.
$(STAMP): package.json package-lock.json | check-node
	$(NPM) ci --no-audit --no-fund
	@touch $@

deps: $(STAMP)

dist/.build-stamp: $(STAMP) $(SRC) tsconfig.json tsconfig.build.json
	rm -rf dist
	node_modules/.bin/tsc -p tsconfig.build.json
	@touch $@

build: dist/.build-stamp

# The full kiosk in this terminal: simulated devices, embedded sandbox gateway, receipts on screen.
run: build
	$(NODE) dist/agent/main.js sim $(ARGS)

typecheck: deps
	node_modules/.bin/tsc --noEmit

lint: deps
	node_modules/.bin/eslint --max-warnings 0 .
	node_modules/.bin/prettier --check .

format: deps
	node_modules/.bin/prettier --write .

test: typecheck lint build
	node_modules/.bin/tap

# Timing goals are measured here and printed, never asserted in a test that could flake.
bench: deps
	rm -rf dist-bench
	node_modules/.bin/tsc -p tsconfig.bench.json
	$(NODE) dist-bench/test/bench/sale.js
	$(NODE) dist-bench/test/bench/ledger.js

# Crash-and-fault run: SIGKILLs the built daemon at chosen moments under sandbox faults, then checks
# the sandbox's charges against the ledger. CHAOS_KILLS (200) and CHAOS_SEED (replay) from the env.
chaos: build
	rm -rf dist-bench
	node_modules/.bin/tsc -p tsconfig.bench.json
	$(NODE) dist-bench/test/chaos/run.js

clean:
	rm -rf dist dist-bench .tap coverage state
