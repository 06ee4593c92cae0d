# check-itgrix: Nagios/Icinga 2/Naemon plugins for the Itgrix connector.
#   make demo   build, start itgrix-sim, run both checks against scenarios
#   make test   vet, staticcheck, every Go test with the race detector
GO       ?= go
# One version string for --version and the packages (see contrib/packaging/version).
VERSION  ?= $(shell sh contrib/packaging/version)
LDFLAGS  := -s -w -X check-itgrix/internal/cli.Version=$(VERSION)
# net/http without its HTTP/2 code: the plugins speak HTTP/1.1 only (their
# transport, with its own dialer and TLS settings, never negotiates h2),
# and a start that links less faults in fewer pages (docs/performance.md).
# The one statement of the build's tags: the release, the e2e tests and the
# bench's yardsticks read it with make print-tags.
TAGS     := nethttpomithttp2
BIN      := bin
PREFIX   ?= /usr
PLUGINDIR ?= $(PREFIX)/lib/nagios/plugins
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man/man1
DOCDIR   ?= $(PREFIX)/share/doc/check-itgrix
DESTDIR  ?=
PLUGINS  := check_itgrix_app check_itgrix_license
# What make install puts under DOCDIR, in the source tree's layout (as the
# packages do, so README.md's relative links work there). .ci/test-package-docs
# checks that make install and the .deb install the same files.
DOCS     := README.md CONTRIBUTING.md CHANGELOG.md LICENSE $(wildcard docs/*.md) \
            docs/grafana-dashboard.json $(wildcard docs/img/*.png) \
            $(wildcard contrib/icinga2/* contrib/nagios/* contrib/nrpe/* contrib/icingaweb2/* contrib/zabbix/*)

.PHONY: print-tags all build test demo install install-sim uninstall clean bench bench-fleet fuzz tools man package release repo release-test test-go-min integration screenshots

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

print-tags:
	@echo '$(TAGS)'

# staticcheck is built from its own module (.ci/tools) so it never enters
# the plugins' dependency graph.
tools: $(BIN)/staticcheck $(BIN)/actionlint
$(BIN)/staticcheck: .ci/tools/go.mod
	$(GO) -C .ci/tools build -o $(CURDIR)/$(BIN)/staticcheck honnef.co/go/tools/cmd/staticcheck
$(BIN)/nfpm: .ci/tools/go.mod
	$(GO) -C .ci/tools build -o $(CURDIR)/$(BIN)/nfpm github.com/goreleaser/nfpm/v2/cmd/nfpm

$(BIN)/cyclonedx-gomod: .ci/tools/go.mod
	$(GO) -C .ci/tools build -o $(CURDIR)/$(BIN)/cyclonedx-gomod github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod
$(BIN)/actionlint: .ci/tools/go.mod
	$(GO) -C .ci/tools build -o $(CURDIR)/$(BIN)/actionlint github.com/rhysd/actionlint/cmd/actionlint

# dist/: tarballs, .deb and .rpm of the plugins and of the simulator for
# each of ARCHES, an SBOM, the release notes and SHA256SUMS (signed when
# RELEASE_GPG_KEY names a gpg key); reproducible (see contrib/packaging/release).
ARCHES ?= amd64 arm64 armv7 386
release: $(BIN)/nfpm $(BIN)/cyclonedx-gomod
	ARCHES='$(ARCHES)' GO=$(GO) bash contrib/packaging/release

# The same, for one architecture (PKG_ARCH: amd64, arm64, armv7, 386):
# .deb (plugins in /usr/lib/nagios/plugins) and .rpm (/usr/lib64/nagios/plugins),
# and the simulator's own check-itgrix-sim .deb and .rpm.
PKG_ARCH    ?= amd64
package: $(BIN)/nfpm $(BIN)/cyclonedx-gomod
	ARCHES='$(PKG_ARCH)' GO=$(GO) bash contrib/packaging/release >/dev/null
	@ls -l dist/

# dist/repo/: a signed apt repository and a signed yum/dnf repository of
# the packages in dist/ (run make release first; RELEASE_GPG_KEY signs).
repo:
	bash contrib/packaging/repo

# Builds the release twice from two clean clones and compares them byte
# for byte, installs every package into scratch roots, runs the arm64,
# armv7 plugins under qemu (386 natively) against itgrix-sim, signs and verifies,
# and installs from the apt repository with apt-get. A few minutes: its own
# step in .ci/run, not part of make test.
release-test: $(BIN)/nfpm $(BIN)/cyclonedx-gomod
	bash .ci/test-release

# The whole module with the oldest Go that go.mod's go line allows, from
# the Go module proxy: proof the line is not a wish.
GO_MIN := $(shell sed -n 's/^go //p' go.mod)
test-go-min:
	GOTOOLCHAIN=go$(GO_MIN) $(GO) version
	GOTOOLCHAIN=go$(GO_MIN) $(GO) vet ./...
	GOTOOLCHAIN=go$(GO_MIN) $(GO) test -count=1 ./...

test: build tools $(BIN)/actionlint
	@test -z "$$(gofmt -l cmd internal docs .ci)" || { gofmt -l cmd internal docs .ci; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) mod tidy -diff
	$(GO) -C .ci/tools mod tidy -diff
	$(GO) vet ./...
	$(GO) -C .ci/bench vet ./...
	$(BIN)/staticcheck ./...
	$(BIN)/actionlint .github/workflows/*.yml
	@bash .ci/apt-install monitoring-plugins-basic  # check_tcp: the reference for --extra-opts
	$(GO) test -race -count=1 ./...
	@bash .ci/test-contrib
	@bash .ci/test-man
	@bash .ci/test-package
	@bash .ci/test-package-docs
	@bash .ci/test-samples

# Whole-process benchmark against lighttpd Digest (writes docs/performance.md),
# then the Go micro-benchmarks. Not part of make test.
bench: build
	STRICT=$(STRICT) bash .ci/bench/run
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
# engine (the monitoring module on the IDO), and Zabbix's problems and latest
# data from the zabbix engine. Run it after changing what the plugins print
# or the Zabbix template.
SHOTS := integration-out/screenshots
screenshots: build
	rm -rf $(SHOTS)
	$(GO) test -tags integration -c -o $(BIN)/integration.test ./internal/test/integration/
	cd internal/test/integration && INTEGRATION_ENGINES=icingadb,icingaweb,zabbix INTEGRATION_OUT=$(CURDIR)/$(SHOTS) \
	  ITGRIX_BIN=$(CURDIR)/$(BIN) $(CURDIR)/$(BIN)/integration.test -test.timeout 20m
	install -d docs/img
	for ui in icingadb icingaweb; do \
	  install -m 644 $(SHOTS)/$$ui/healthy-app.png docs/img/$$ui-app-healthy.png && \
	  install -m 644 $(SHOTS)/$$ui/stopped-app.png docs/img/$$ui-app-stopped.png && \
	  install -m 644 $(SHOTS)/$$ui/expiring-license.png docs/img/$$ui-license-expiring.png || exit 1; \
	done
	install -m 644 $(SHOTS)/zabbix/problems.png docs/img/zabbix-problems.png
	install -m 644 $(SHOTS)/zabbix/latest-data.png docs/img/zabbix-latest-data.png

# Regenerate docs/*.1 from the binaries' --help-man after changing a help text.
man: build
	bash docs/gen-man $(BIN) docs

demo: build
	@bash .ci/demo $(BIN)

# The plugins, their man pages, the docs and contrib/ (the simulator is for
# demos and trying configurations, not for every PBX: make install-sim).
# RPM-family hosts: make install PLUGINDIR=/usr/lib64/nagios/plugins.
install: build
	install -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(MANDIR)
	install -m 0755 $(addprefix $(BIN)/,$(PLUGINS)) $(DESTDIR)$(PLUGINDIR)/
	install -m 0644 $(addprefix docs/,$(addsuffix .1,$(PLUGINS))) $(DESTDIR)$(MANDIR)/
	for f in $(DOCS); do install -D -m 0644 $$f $(DESTDIR)$(DOCDIR)/$$f || exit 1; done

install-sim: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 0755 $(BIN)/itgrix-sim $(DESTDIR)$(BINDIR)/
	install -m 0644 docs/itgrix-sim.1 $(DESTDIR)$(MANDIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PLUGINDIR)/,$(PLUGINS)) $(DESTDIR)$(BINDIR)/itgrix-sim
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/,$(addsuffix .1,$(PLUGINS) itgrix-sim))
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(BIN) dist
