# xpos-agent — the two commands a newcomer needs are `make run` and `make test`.
# Both install what is missing first (npm ci from the lockfile, native modules built here).

SHELL := /bin/bash
NODE  ?= node
NPM   ?= npm
JS_STAMP := node_modules/.js-stamp
STAMP := node_modules/.deps-stamp
SRC   := $(shell find agent drivers config -name '*.ts' 2>/dev/null)

.PHONY: all deps sysdeps build run test rules typecheck lint format bench chaos clean check-node

all: build

check-node:
	@$(NODE) -e 'const want = JSON.parse(require("fs").readFileSync("package.json", "utf8")).engines.node;'\
	'const [M, m, p] = process.versions.node.split(".").map(Number); const names = [];'\
	'const ok = want.split("||").map((r) => {'\
	'  const c = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$$/.exec(r); if (!c) throw new Error("check-node reads only ^X.Y.Z ranges: " + r);'\
	'  const [X, Y, Z] = c.slice(1).map(Number); names.push(Y + Z === 0 ? String(X) : X + " (from " + X + "." + Y + (Z ? "." + Z : "") + ")");'\
	'  return M === X && (m > Y || (m === Y && p >= Z)); }).includes(true);'\
	'if (!ok) { console.error("xpos-agent needs Node.js " + names.join(", ").replace(/, ([^,]*)$$/, " or $$1") + " (package.json engines: " + want.trim() + "); found " + process.version); process.exit(1) }'

# Reinstall whenever the lockfile or package.json is newer than the last install. In two steps,
# as npm ci does them, so that compiling the native addons (~75 s, SQLite inside better-sqlite3)
# can run beside the type check, lint and build, which need only the JavaScript ($(JS_STAMP)):
# make test runs them side by side. $(STAMP) is the whole install.
$(JS_STAMP): package.json package-lock.json | check-node
	$(NPM) ci --no-audit --no-fund --ignore-scripts
	@touch $@

$(STAMP): $(JS_STAMP)
	$(NPM) rebuild --no-audit --no-fund
	@touch $@

deps: $(STAMP)

# tsc, then scripts/bundle.mjs makes dist/agent/main.js one bundle (our code and the pure-JS
# packages; native addons stay in node_modules) with a chunk per lazily imported command.
dist/.build-stamp: $(JS_STAMP) $(SRC) tsconfig.json tsconfig.build.json scripts/bundle.mjs
	rm -rf dist
	node_modules/.bin/tsc -p tsconfig.build.json
	$(NODE) scripts/bundle.mjs
	@touch $@

build: dist/.build-stamp

# The full kiosk in this terminal: simulated devices, embedded sandbox gateway, receipts on screen.
run: build $(STAMP)
	$(NODE) dist/agent/main.js sim $(ARGS)

typecheck: $(JS_STAMP)
	node_modules/.bin/tsc --noEmit

lint: $(JS_STAMP)
	node_modules/.bin/eslint --max-warnings 0 .
	node_modules/.bin/prettier --check .

format: $(JS_STAMP)
	node_modules/.bin/prettier --write .

# System packages the tests use: socat (real serial ptys), systemd (systemd-analyze on the unit),
# dpkg (make deb), prometheus (promtool on the alerting rules and the metrics file). Installed with
# apt when missing, as root or through passwordless sudo.
SYSDEPS := socat:socat systemd-analyze:systemd dpkg-deb:dpkg promtool:prometheus
sysdeps:
	@missing=; for pair in $(SYSDEPS); do command -v "$${pair%%:*}" >/dev/null || missing="$$missing $${pair##*:}"; done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then sudo=; elif sudo -n true 2>/dev/null; then sudo=sudo; else \
	  echo "the tests need:$$missing; install them: sudo apt-get install$$missing" >&2; exit 1; fi; \
	echo "installing:$$missing"; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null

# tap's whole output goes to $(TAP_LOG); the screen gets one line per test directory, each failing
# file's output in full and the summary (tap's "# { total: N, pass: N }" line, which .ci/run reads,
# and the npm audit verdict). The production modules for the install and deb tests are made once
# here, before the tests, and reused by both.
# TAP_JOBS: test files at once. Most files wait on child processes, sockets and timers (a 2-core
# run used under one core with 2 jobs), so 4 runs the suite in under half the time here.
TAP_LOG := test-output/tap.log
TAP_JOBS ?= 4
test: sysdeps
	@$(MAKE) --no-print-directory -j2 --output-sync=target $(STAMP) typecheck lint build
	@$(MAKE) --no-print-directory prod-modules
	@set -o pipefail; node_modules/.bin/tap --reporter=tap --no-color --jobs=$(TAP_JOBS) 2>&1 | scripts/tap-summary.sh $(TAP_LOG)

# The fleet's alerting rules alone (make test runs the same through test/monitoring/rules.test.ts).
RULES := systemd/monitoring/xpos-agent.rules.yml
rules: sysdeps
	promtool check rules $(RULES)
	promtool test rules test/monitoring/xpos-agent.rules.test.yml

# Timing goals are measured here and printed, never asserted in a test that could flake. The
# process-level benches run the built daemon with the unit's Environment= lines: cold start to
# READY, RSS over 10,000 sales, what each part costs (breakdown), idle CPU over IDLE_SECONDS (60);
# then `config check` beside `node -e 0`, and the size of an install-tree in a scratch DESTDIR.
bench: build $(STAMP)
	rm -rf dist-bench
	node_modules/.bin/tsc -p tsconfig.bench.json
	$(NODE) dist-bench/test/bench/sale.js
	$(NODE) dist-bench/test/bench/ledger.js
	$(NODE) dist-bench/test/bench/startup.js
	$(NODE) dist-bench/test/bench/memory.js
	$(NODE) dist-bench/test/bench/breakdown.js
	$(NODE) dist-bench/test/bench/idle.js
	$(NODE) dist-bench/test/bench/cli.js
	rm -rf dist-bench/install
	$(MAKE) --no-print-directory -s install-tree DESTDIR=$(CURDIR)/dist-bench/install >/dev/null
	$(NODE) dist-bench/test/bench/install-size.js dist-bench/install $(APPDIR)

# Crash-and-fault run, once per sandbox personality: SIGKILLs the built daemon at chosen moments
# under sandbox faults, then checks the sandbox's charges against the ledger. From the env:
# CHAOS_KILLS (40 per personality), CHAOS_PERSONALITIES (a,b), CHAOS_SEED (replay), CHAOS_SETTLE_MS.
chaos: build $(STAMP)
	rm -rf dist-bench
	node_modules/.bin/tsc -p tsconfig.bench.json
	$(NODE) dist-bench/test/chaos/run.js

clean:
	rm -rf dist dist-bench dist-prod dist-deb .tap coverage state

# --- install and package ------------------------------------------------------------------------
# make install [DESTDIR=/stage] [PREFIX=/usr ...]   make uninstall (same variables)   make deb
# DESTDIR is put in front of every path (packaging, tests). With DESTDIR empty, install also applies
# the sysusers file and reloads udev and systemd on this machine. The paths, all overridable:
#   PREFIX        /usr                          the launcher, unit, sysusers and udev files go below it
#   BINDIR        $(PREFIX)/bin                 xpos-agent (systemd/xpos-agent.sh: execs node)
#   UNITDIR       $(PREFIX)/lib/systemd/system  xpos-agent.service, xpos-agent-backup.{service,timer}
#   SYSUSERSDIR   $(PREFIX)/lib/sysusers.d      xpos-agent.conf
#   UDEVRULESDIR  $(PREFIX)/lib/udev/rules.d    60-xpos-agent.rules
#   APPDIR        /opt/xpos-agent               dist/agent/ (the bundle), node_modules/ (what it leaves out), package.json,
#                                               README.md; replaced whole by every install
#   SYSCONFDIR    /etc                          config.yaml (never overwritten) and
#                                               config.yaml.example in $(SYSCONFDIR)/xpos-agent/
#   NODE_BIN      /usr/bin/node                 the node the launcher execs
# The launcher and the unit are written with these paths filled in, so any combination is coherent.
# Production node_modules are a copy of the dev tree pruned with npm prune --omit=dev --offline and
# stripped to what runs (the packages the bundle leaves out, scripts/prune-bundled.mjs), in $(PROD_STAGE)/ (systemd/prod-modules.sh): made once per lockfile, Node
# ABI and CPU (make test makes it before the tests) and shared by install and deb. Never the dev
# tree itself, and nothing compiled twice.
PREFIX       ?= /usr
BINDIR       ?= $(PREFIX)/bin
UNITDIR      ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR  ?= $(PREFIX)/lib/sysusers.d
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
APPDIR       ?= /opt/xpos-agent
SYSCONFDIR   ?= /etc
NODE_BIN     ?= /usr/bin/node
CONFDIR      = $(SYSCONFDIR)/xpos-agent
PROD_STAGE   := dist-prod
# make deb writes $(DEBDIR)/xpos-agent_<package.json version>_<dpkg --print-architecture>.deb
DEBDIR       ?= dist-deb
DEB_MAINTAINER ?= xpos-agent maintainers <maintainers@xpos-agent.invalid>
# gzip packs the ~5 MB tree fastest; xz makes a smaller package, more slowly (a Pi feels it).
DEB_COMPRESS ?= gzip

DEST_UNIT   = $(DESTDIR)$(UNITDIR)/xpos-agent.service
# The daily ledger backup: a oneshot service and the timer that starts it.
BACKUP_UNITS = xpos-agent-backup.service xpos-agent-backup.timer
DEST_FILES  = $(DESTDIR)$(BINDIR)/xpos-agent $(DEST_UNIT) $(DESTDIR)$(SYSUSERSDIR)/xpos-agent.conf \
              $(foreach u,$(BACKUP_UNITS),$(DESTDIR)$(UNITDIR)/$(u)) \
              $(DESTDIR)$(UDEVRULESDIR)/60-xpos-agent.rules $(DESTDIR)$(CONFDIR)/config.yaml.example
# The shipped files name the default paths; this rewrites them to the chosen ones.
SUBST_PATHS = sed -e 's|/usr/bin/node|$(NODE_BIN)|g' -e 's|/usr/bin/xpos-agent|$(BINDIR)/xpos-agent|g' \
              -e 's|/opt/xpos-agent|$(APPDIR)|g' -e 's|/etc/xpos-agent|$(CONFDIR)|g'
HAS_SYSTEMD = command -v systemctl >/dev/null && [ -d /run/systemd/system ]

.PHONY: install uninstall deb install-tree prod-modules check-appdir check-dpkg

# APPDIR is deleted and rewritten: refuse anything but a directory of its own.
check-appdir:
	@d='$(APPDIR)'; case "$$d" in /?*) ;; *) d=;; esac; case "$$d" in *..*) d=;; esac; \
	case "$${d##*/}" in *xpos-agent*) ;; *) echo "APPDIR='$(APPDIR)': must be an absolute path whose" \
	  "last directory is named for xpos-agent (install replaces it whole)" >&2; exit 1;; esac

prod-modules: $(STAMP) | check-node
	@NPM='$(NPM)' NODE='$(NODE)' $(SHELL) systemd/prod-modules.sh $(PROD_STAGE)

# The files only, nothing run on this machine: what install and deb have in common.
install-tree: build prod-modules check-appdir
	rm -rf '$(DESTDIR)$(APPDIR)'
# Directories 0755 whatever the umask (the service user reads all of it); an existing one, e.g. a
# locked-down /etc/xpos-agent, keeps its mode.
	@for d in $(foreach d,$(APPDIR) $(BINDIR) $(UNITDIR) $(SYSUSERSDIR) $(UDEVRULESDIR) $(CONFDIR),'$(DESTDIR)$(d)'); do \
	  [ -d "$$d" ] || install -d -m 0755 "$$d" || exit 1; done
# Only the bundle runs (dist/agent/main.js and its chunks); tsc's per-file output stays behind.
	install -d -m 0755 '$(DESTDIR)$(APPDIR)/dist/agent'
	cp -R dist/agent/main.js dist/agent/chunks '$(DESTDIR)$(APPDIR)/dist/agent/'
	cp -R $(PROD_STAGE)/node_modules '$(DESTDIR)$(APPDIR)/'
	find '$(DESTDIR)$(APPDIR)/dist' -name '*.map' -delete
	install -m 0644 package.json package-lock.json README.md '$(DESTDIR)$(APPDIR)/'
	chmod -R u+rwX,go+rX,go-w '$(DESTDIR)$(APPDIR)'
	$(SUBST_PATHS) systemd/xpos-agent.sh >'$(DESTDIR)$(BINDIR)/xpos-agent'
	chmod 0755 '$(DESTDIR)$(BINDIR)/xpos-agent'
	$(SUBST_PATHS) systemd/xpos-agent.service >'$(DEST_UNIT)'
	chmod 0644 '$(DEST_UNIT)'
	for u in $(BACKUP_UNITS); do $(SUBST_PATHS) "systemd/$$u" >'$(DESTDIR)$(UNITDIR)/'"$$u" && \
	  chmod 0644 '$(DESTDIR)$(UNITDIR)/'"$$u" || exit 1; done
	install -m 0644 systemd/xpos-agent.sysusers '$(DESTDIR)$(SYSUSERSDIR)/xpos-agent.conf'
	install -m 0644 systemd/60-xpos-agent.rules '$(DESTDIR)$(UDEVRULESDIR)/60-xpos-agent.rules'
	install -m 0644 config/xpos-agent.example.yaml '$(DESTDIR)$(CONFDIR)/config.yaml.example'
	@if [ -e '$(DESTDIR)$(CONFDIR)/config.yaml' ]; then \
	  echo "kept $(DESTDIR)$(CONFDIR)/config.yaml (compare with config.yaml.example)"; \
	else install -m 0644 config/xpos-agent.example.yaml '$(DESTDIR)$(CONFDIR)/config.yaml'; fi

install: install-tree
	@[ -z '$(DESTDIR)' ] || exit 0; \
	if command -v systemd-sysusers >/dev/null; then systemd-sysusers '$(SYSUSERSDIR)/xpos-agent.conf' || \
	  echo "warning: systemd-sysusers failed: the user xpos-agent and its groups may be missing" >&2; fi; \
	if command -v udevadm >/dev/null && [ -d /run/udev ]; then udevadm control --reload && \
	  udevadm trigger --action=add --subsystem-match=tty --subsystem-match=usbmisc --subsystem-match=gpio || true; fi; \
	if $(HAS_SYSTEMD); then systemctl daemon-reload || true; \
	  if systemctl --quiet is-active xpos-agent.service; then echo "running: systemctl restart xpos-agent"; fi; fi; \
	echo "installed. Next: edit $(CONFDIR)/config.yaml, put the app secret in $(CONFDIR)/app-secret" \
	  "(root:root 0600), then: systemctl enable --now xpos-agent xpos-agent-backup.timer"

# Keeps $(CONFDIR)/config.yaml and app-secret, the ledger in /var/lib/xpos-agent and the user.
uninstall: check-appdir
	@[ -n '$(DESTDIR)' ] || ! command -v systemctl >/dev/null || \
	  if $(HAS_SYSTEMD); then systemctl disable --now xpos-agent.service xpos-agent-backup.timer || true; \
	  else systemctl disable xpos-agent.service xpos-agent-backup.timer 2>/dev/null || true; fi
	rm -rf '$(DESTDIR)$(APPDIR)'
	rm -f $(foreach f,$(DEST_FILES),'$(f)')
	@[ -z '$(DESTDIR)' ] || exit 0; \
	if $(HAS_SYSTEMD); then systemctl daemon-reload || true; fi; \
	if command -v udevadm >/dev/null && [ -d /run/udev ]; then udevadm control --reload || true; fi
	@echo "kept: $(DESTDIR)$(CONFDIR)/config.yaml (and app-secret), the ledger in /var/lib/xpos-agent" \
	  "and the user xpos-agent; remove them by hand once every sale is reconciled"

check-dpkg:
	@command -v dpkg-deb >/dev/null && command -v dpkg >/dev/null || \
	  { echo "make deb: dpkg-deb not found: install the Debian package dpkg" >&2; exit 1; }

# The script's own make (install-tree into a temporary root) is told not to rebuild what this one
# just brought up to date or was told to leave alone (-o is not passed down in MAKEFLAGS).
deb: check-dpkg build prod-modules
	@MAKE='$(MAKE) -o $(STAMP) -o dist/.build-stamp' NODE='$(NODE)' DEBDIR='$(DEBDIR)' \
	  DEB_MAINTAINER='$(DEB_MAINTAINER)' DEB_COMPRESS='$(DEB_COMPRESS)' $(SHELL) systemd/build-deb.sh
