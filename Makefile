# make run   : set everything up and serve the portal with demo data on http://localhost:3000
# make test  : set everything up and run the whole test suite
# make bench : print the speed and size figures

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
BUN_VERSION := 1.4.4
BUN := .tools/bun-$(BUN_VERSION)/package/bin/bun
AXE_VERSION := 4.11.1
AXE := .tools/axe-core-$(AXE_VERSION)/package/axe.min.js
export REFLEX_BUN_PATH := $(CURDIR)/$(BUN)
export REFLEX_CHECK_LATEST_VERSION := 0
export REFLEX_TELEMETRY_ENABLED := 0
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup run test test-fast bench drill capacity lint clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Reflex would download bun from the internet; take it from the npm registry instead.
$(BUN):
	mkdir -p .tools/bun-$(BUN_VERSION)
	cd .tools/bun-$(BUN_VERSION) && npm pack --silent @oven/bun-linux-x64@$(BUN_VERSION) >/dev/null \
		&& tar xzf oven-bun-linux-x64-$(BUN_VERSION).tgz && rm oven-bun-linux-x64-$(BUN_VERSION).tgz
	$(BUN) --version

# axe-core, injected into pages by the accessibility browser test (tests/browser/test_accessibility.py).
$(AXE):
	mkdir -p .tools/axe-core-$(AXE_VERSION)
	cd .tools/axe-core-$(AXE_VERSION) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
		&& tar xzf axe-core-$(AXE_VERSION).tgz && rm axe-core-$(AXE_VERSION).tgz
	test -s $(AXE)

# jsQR, the event door's QR decoder where the browser has no BarcodeDetector (README "Events"): kept in
# assets/vendor/ so that builds need no network; this target fetches it again from the npm registry.
JSQR_VERSION := 1.4.0
vendor-jsqr:
	rm -rf .tools/jsqr-$(JSQR_VERSION) && mkdir -p .tools/jsqr-$(JSQR_VERSION)
	cd .tools/jsqr-$(JSQR_VERSION) && npm pack --silent jsqr@$(JSQR_VERSION) >/dev/null && tar xzf jsqr-$(JSQR_VERSION).tgz
	cp .tools/jsqr-$(JSQR_VERSION)/package/dist/jsQR.js assets/vendor/jsqr-$(JSQR_VERSION).js
	cp .tools/jsqr-$(JSQR_VERSION)/package/LICENSE assets/vendor/jsqr-$(JSQR_VERSION).LICENSE.txt

# DejaVu Sans is embedded in the programme report PDF (member names may have any letters).
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
$(DEJAVU):
	(apt-get update -qq && apt-get install -y -qq fonts-dejavu-core) || sudo sh -c 'apt-get update -qq && apt-get install -y -qq fonts-dejavu-core'

setup: $(BIN)/.installed $(BUN) $(AXE) $(DEJAVU)

run: setup
	$(BIN)/python -m hub_app.cli migrate
	$(BIN)/python -m hub_app.cli seed-demo
	$(BIN)/reflex run --env prod

/usr/bin/chromium:
	(apt-get update -qq && apt-get install -y -qq chromium) || sudo sh -c 'apt-get update -qq && apt-get install -y -qq chromium'

# nginx: the drill's proxy, and tests/production/test_deploy_files.py runs `nginx -t` on deploy/nginx/hub.conf.
/usr/sbin/nginx:
	(apt-get update -qq && apt-get install -y -qq nginx) || sudo sh -c 'apt-get update -qq && apt-get install -y -qq nginx'

test: setup /usr/bin/chromium /usr/sbin/nginx
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist load

test-fast: setup
	$(BIN)/python -m pytest -m "not browser" -n 2 --dist load

# Starts the portal itself (ports 3500-3599, work dirs under $$TMPDIR); needs PostgreSQL and Redis
# for the production-path figures; Lighthouse is installed from npm into .tools/lighthouse.
bench: setup /usr/bin/chromium
	$(BIN)/python -m benchmarks

# The multi-node drill: its own PostgreSQL cluster and Redis, two app nodes from deploy/systemd, nginx
# from deploy/nginx with a self-signed certificate, 200 tabs of load while nodes, Redis and PostgreSQL fail.
drill: setup /usr/sbin/nginx
	$(BIN)/python -m benchmarks drill

# The drill's topology and load, stepped from 100 to 1,000 tabs: how many this machine serves in budget.
capacity: setup /usr/sbin/nginx
	$(BIN)/python -m benchmarks capacity

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf .web .states data test-output
