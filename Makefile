# check-itgrix: Nagios/Icinga 2/Naemon plugins for the Itgrix connector.
#   make demo   build, start itgrix-sim, run both checks against scenarios
#   make test   vet, staticcheck, every Go test with the race detector
GO       ?= go
# One version string for --version and the packages (see .ci/version).
VERSION  ?= $(shell sh .ci/version)
LDFLAGS  := -s -w -X check-itgrix/internal/cli.Version=$(VERSION)
BIN      := bin
PREFIX   ?= /usr
PLUGINDIR ?= $(PREFIX)/lib/nagios/plugins
BINDIR   ?= $(PREFIX)/bin
DESTDIR  ?=
PLUGINS  := check_itgrix_app check_itgrix_license

.PHONY: all build test demo install install-sim uninstall clean bench bench-fleet fuzz tools man package integration screenshots

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

# staticcheck is built from its own module (.ci/tools) so it never enters
# the plugins' dependency graph.
tools: $(BIN)/staticcheck
$(BIN)/staticcheck: .ci/tools/go.mod
	$(GO) -C .ci/tools build -o $(CURDIR)/$(BIN)/staticcheck honnef.co/go/tools/cmd/staticcheck
$(BIN)/nfpm: .ci/tools/go.mod
	$(GO) -C .ci/tools build -o $(CURDIR)/$(BIN)/nfpm github.com/goreleaser/nfpm/v2/cmd/nfpm

# .deb (plugins in /usr/lib/nagios/plugins) and .rpm (/usr/lib64/nagios/plugins) in dist/,
# and the simulator's own check-itgrix-sim .deb and .rpm.
PKG_VERSION ?= $(VERSION)
PKG_ARCH    ?= amd64
package: build $(BIN)/nfpm
	rm -rf dist && mkdir -p dist/stage/man
	for p in docs/*.1; do gzip -9n < $$p > dist/stage/man/$$(basename $$p).gz; done
	export PKG_VERSION=$(PKG_VERSION) PKG_ARCH=$(PKG_ARCH); \
	  for f in nfpm nfpm-sim; do for p in deb rpm; do \
	    $(BIN)/nfpm package -f contrib/packaging/$$f.yaml -p $$p -t dist/ || exit 1; done; done
	rm -rf dist/stage
	@ls -l dist/

test: build tools
	@test -z "$$(gofmt -l cmd internal)" || { gofmt -l cmd internal; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) mod tidy -diff
	$(GO) -C .ci/tools mod tidy -diff
	$(GO) vet ./...
	$(BIN)/staticcheck ./...
	@bash .ci/apt-install monitoring-plugins-basic  # check_tcp: the reference for --extra-opts
	$(GO) test -race -count=1 ./...
	@bash .ci/test-contrib
	@bash .ci/test-man
	@bash .ci/test-package
	@bash .ci/test-package-docs

# Whole-process benchmark against lighttpd Digest (writes docs/performance.md),
# then the Go micro-benchmarks. Not part of make test.
bench: build
	bash .ci/bench/run
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

# Icinga 2 on one core checks a ladder of fleet sizes (itgrix-sim --fleet on
# 127.17.x.y) with the plugin and with the vendor's recipe; writes the fleet
# section of docs/performance.md and docs/img/bench-fleet.png. QUICK=1: a
# short ladder that only prints, under 3 minutes (CI's smoke test).
bench-fleet: build
	QUICK=$(QUICK) bash .ci/bench/fleet-run

# Each fuzz target for FUZZTIME (the seed corpora also run in make test).
FUZZTIME ?= 10m
FUZZ := FuzzParse:./internal/itgrix FuzzText:./internal/check FuzzParseRange:./internal/check \
        FuzzWrite:./internal/check FuzzDaysLeft:./internal/license FuzzSection:./internal/extraopts \
        FuzzParseAgeAndNow:./internal/cli \
        FuzzDefaultOutput:./internal/app
fuzz:
	@for t in $(FUZZ); do \
	  echo "== $${t%%:*} for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime $(FUZZTIME) $${t#*:} || exit 1; \
	done

# The plugins inside real engines (internal/test/integration: Nagios Core 4,
# Naemon, Icinga 2, NRPE, Nagios -> check_nrpe -> NRPE) against Apache's
# mod_auth_digest, compared with the plugins run directly, and a self-test
# proving broken plugins fail every engine. INTEGRATION_ENGINES=naemon,nrpe
# runs some engines only; INTEGRATION_NET=127.15.0.0/16 confines the PBXs'
# addresses; INTEGRATION_KEEP=1 keeps the work dirs. The test binary runs
# directly so that the overall tally line is the last one printed.
integration: build
	$(GO) vet -tags integration ./internal/test/integration/
	$(GO) test -tags integration -c -o $(BIN)/integration.test ./internal/test/integration/
	cd internal/test/integration && ITGRIX_BIN=$(CURDIR)/$(BIN) $(CURDIR)/$(BIN)/integration.test -test.timeout 25m

# docs/img/: the checks as an operator sees them, screenshots from a real
# run of the icingadb engine (Icinga 2, Redis, the icingadb daemon, Icinga
# DB Web with the graphite module, headless Chromium) and of the icingaweb
# engine (the monitoring module on the IDO). Run it after changing what the
# plugins print.
SHOTS := integration-out/screenshots
screenshots: build
	rm -rf $(SHOTS)
	$(GO) test -tags integration -c -o $(BIN)/integration.test ./internal/test/integration/
	cd internal/test/integration && INTEGRATION_ENGINES=icingadb,icingaweb INTEGRATION_OUT=$(CURDIR)/$(SHOTS) \
	  ITGRIX_BIN=$(CURDIR)/$(BIN) $(CURDIR)/$(BIN)/integration.test -test.timeout 20m
	install -d docs/img
	for ui in icingadb icingaweb; do \
	  install -m 644 $(SHOTS)/$$ui/healthy-app.png docs/img/$$ui-app-healthy.png && \
	  install -m 644 $(SHOTS)/$$ui/stopped-app.png docs/img/$$ui-app-stopped.png && \
	  install -m 644 $(SHOTS)/$$ui/expiring-license.png docs/img/$$ui-license-expiring.png || exit 1; \
	done

# Regenerate docs/*.1 from the binaries' --help-man after changing a help text.
man: build
	bash .ci/gen-man $(BIN) docs

demo: build
	@bash .ci/demo $(BIN)

# The plugins only: the simulator is for demos and trying configurations,
# not for every PBX (make install-sim).
install: build
	install -d $(DESTDIR)$(PLUGINDIR)
	install -m 0755 $(addprefix $(BIN)/,$(PLUGINS)) $(DESTDIR)$(PLUGINDIR)/

install-sim: build
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BIN)/itgrix-sim $(DESTDIR)$(BINDIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PLUGINDIR)/,$(PLUGINS)) $(DESTDIR)$(BINDIR)/itgrix-sim

clean:
	rm -rf $(BIN) dist
