# check-itgrix: Nagios/Icinga 2/Naemon plugins for the Itgrix connector.
#   make demo   build, start itgrix-sim, run both checks against scenarios
#   make test   vet, staticcheck, every Go test with the race detector
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X check-itgrix/internal/cli.Version=$(VERSION)
BIN      := bin
PREFIX   ?= /usr
PLUGINDIR ?= $(PREFIX)/lib/nagios/plugins
BINDIR   ?= $(PREFIX)/bin
DESTDIR  ?=
PLUGINS  := check_itgrix_app check_itgrix_license

.PHONY: all build test demo install uninstall clean bench bench-fleet fuzz tools man package integration

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

# .deb (plugins in /usr/lib/nagios/plugins) and .rpm (/usr/lib64/nagios/plugins) in dist/.
PKG_VERSION ?= 0.1.0
PKG_ARCH    ?= amd64
package: build $(BIN)/nfpm
	rm -rf dist && mkdir -p dist/stage/man
	for p in docs/*.1; do gzip -9n < $$p > dist/stage/man/$$(basename $$p).gz; done
	export PKG_VERSION=$(PKG_VERSION) PKG_ARCH=$(PKG_ARCH); \
	  $(BIN)/nfpm package -f contrib/packaging/nfpm.yaml -p deb -t dist/ && \
	  $(BIN)/nfpm package -f contrib/packaging/nfpm.yaml -p rpm -t dist/
	rm -rf dist/stage
	@ls -l dist/

test: build tools
	@test -z "$$(gofmt -l cmd internal)" || { gofmt -l cmd internal; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) mod tidy -diff
	$(GO) -C .ci/tools mod tidy -diff
	$(GO) vet ./...
	$(BIN)/staticcheck ./...
	$(GO) test -race -count=1 ./...
	@bash .ci/test-contrib
	@bash .ci/test-man
	@bash .ci/test-package

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
        FuzzWrite:./internal/check FuzzDaysLeft:./internal/license \
        FuzzDefaultOutput:./internal/app
fuzz:
	@for t in $(FUZZ); do \
	  echo "== $${t%%:*} for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime $(FUZZTIME) $${t#*:} || exit 1; \
	done

# The plugins inside real engines (Nagios Core 4, Icinga 2, NRPE) against
# Apache's mod_auth_digest, then a self-test proving broken plugins fail it.
integration: build
	bash .ci/integration/run
	bash .ci/integration/selftest

# Regenerate docs/*.1 from the binaries' --help-man after changing a help text.
man: build
	bash .ci/gen-man $(BIN) docs

demo: build
	@bash .ci/demo $(BIN)

install: build
	install -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(BINDIR)
	install -m 0755 $(addprefix $(BIN)/,$(PLUGINS)) $(DESTDIR)$(PLUGINDIR)/
	install -m 0755 $(BIN)/itgrix-sim $(DESTDIR)$(BINDIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PLUGINDIR)/,$(PLUGINS)) $(DESTDIR)$(BINDIR)/itgrix-sim

clean:
	rm -rf $(BIN) dist
