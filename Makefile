# SPDX-License-Identifier: GPL-2.0-only
# warren: Ansible roles for WireGuard backed by small C helpers.
#
#   make          build the helpers into build/
#   make test     install build and test dependencies (apt-get), build, lint and run every test
#   make bench    benchmarks against the named reference tools (not part of the tests)
#   make fuzz     bounded libFuzzer runs; any crash fails
#   make deb      Debian package of the helpers (see helpers/debian.mk)
#   make collection  the warren.wireguard Ansible collection tarball (build/collection/)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
B ?= build
CC ?= cc
FUZZ_SECONDS ?= 60

# CFLAGS/LDFLAGS are the user's (or a sanitizer build's); the project's own flags always apply.
CFLAGS ?= -O2 -g
WARREN_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wformat=2 -Wmissing-prototypes \
	  -Wstrict-prototypes -Wshadow -Wno-missing-field-initializers -MMD -MP \
	  -fstack-protector-strong -fstack-clash-protection -D_FORTIFY_SOURCE=2 -fPIE \
	  -pthread -Ihelpers/lib
WARREN_LDFLAGS := -pie -Wl,-z,relro,-z,now -pthread

# Base libraries every helper links; a helper adds its own in helpers/NAME/helper.mk
# (PKGS_NAME := ...). Recursive variables: evaluated only when a recipe runs, so
# `make test` can install the -dev packages first.
BASE_PKGS := jansson libmnl libsodium
-include $(wildcard helpers/*/helper.mk)
ALL_PKGS = $(sort $(BASE_PKGS) $(foreach h,$(HELPERS),$(PKGS_$(h))))
pkg_libs = $(shell pkg-config --libs $(1))

ifeq ($(V),1)
Q :=
else
Q := @
endif

HELPERS := $(sort $(patsubst helpers/%/main.c,%,$(wildcard helpers/*/main.c)))
LIB_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard helpers/lib/*.c))
UNIT := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/*.c))
BINS := $(addprefix $(B)/,$(HELPERS))

all: $(BINS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@[ -n "$(Q)" ] && echo "  CC      $@" || true
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARREN_CFLAGS) -c -o $@ $<

$(B)/libwarren.a: $(LIB_OBJ)
	@[ -n "$(Q)" ] && echo "  AR      $@" || true
	$(Q)rm -f $@ && $(AR) rcs $@ $^

define helper_rule
$(B)/$(1): $(patsubst %.c,$(B)/%.o,$(wildcard helpers/$(1)/*.c)) $(B)/libwarren.a
	@[ -n "$(Q)" ] && echo "  LD      $$@" || true
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(WARREN_LDFLAGS) -o $$@ $$^ $$(call pkg_libs,$(BASE_PKGS) $(PKGS_$(1)))
endef
$(foreach h,$(HELPERS),$(eval $(call helper_rule,$(h))))

# A helper's own modules (every file but main.c) as an archive, so that a unit test links the
# modules it tests: build/helpers/NAME/libNAME.a. Tests include them as "NAME/module.h".
HELPER_LIBS := $(foreach h,$(HELPERS),$(B)/helpers/$(h)/lib$(h).a)
define helper_lib_rule
$(B)/helpers/$(1)/lib$(1).a: $(patsubst %.c,$(B)/%.o,$(filter-out helpers/$(1)/main.c,$(wildcard helpers/$(1)/*.c)))
	@[ -n "$(Q)" ] && echo "  AR      $$@" || true
	$(Q)rm -f $$@ && $(AR) rcs $$@ $$^
endef
$(foreach h,$(HELPERS),$(eval $(call helper_lib_rule,$(h))))

$(B)/tests/unit/%.o: WARREN_CFLAGS += -Ihelpers

$(B)/tests/%: $(B)/tests/unit/%.o $(HELPER_LIBS) $(B)/libwarren.a
	@mkdir -p $(@D)
	@[ -n "$(Q)" ] && echo "  LD      $@" || true
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(WARREN_LDFLAGS) -o $@ $^ $(call pkg_libs,$(ALL_PKGS))

-include $(shell find $(B) -name '*.d' 2>/dev/null)
include helpers/debian.mk

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)/

clean:
	rm -rf build build-*

# ---- tests ---------------------------------------------------------------
deps:
	tests/install-deps

unit: $(UNIT)
	@set -e; for t in $(UNIT); do echo "  UNIT    $$t"; $$t; done

# The modules' shared Python (module_utils/): address allocation, the key store, the helper
# contract. Debian's python3-pytest, so the system Python that Ansible runs modules with.
PYTHON ?= /usr/bin/python3
pytest:
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/python

lint:
	tests/lint

# Same C under AddressSanitizer and UBSan: unit tests plus the userspace integration suite.
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
asan:
	$(MAKE) B=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" all unit
	WARREN_BIN=$(CURDIR)/build-asan WARREN_ASAN=1 tests/run-integration wg-peer-sync wg-zabbix nft client-config enroll site-health.sh

# The role suites (zabbix-server) install the helper package into their container.
integration: all deb
	WARREN_BIN=$(CURDIR)/$(B) tests/run-integration

vm: all
	WARREN_BIN=$(CURDIR)/$(B) tests/vm/run

test: deps
	$(MAKE) all
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) pytest
	$(MAKE) collection-check
	$(MAKE) integration
	$(MAKE) asan
	$(MAKE) vm
	$(MAKE) fuzz FUZZ_SECONDS=20
	$(MAKE) molecule

fuzz:
	tests/fuzz/run $(FUZZ_SECONDS)

# Every benchmark on the host, then wg-peer-sync against the kernel module in the qemu VM.
bench: all
	WARREN_BIN=$(CURDIR)/$(B) bench/run
	WARREN_BIN=$(CURDIR)/$(B) tests/vm/run --timeout 3000 --bench env ROUNDS=3 bench/run wg-peer-sync

# The warren.wireguard collection, assembled by collection/build from roles/, library/,
# module_utils/, filter_plugins/ and collection/ (nothing copied is committed) and built with
# ansible-galaxy. collection-check installs the tarball into a temporary path and uses it by FQCN.
COLLECTION_VERSION ?= 0.1.$(shell git rev-list --count HEAD 2>/dev/null || echo 0)
collection:
	collection/build $(B)/collection $(COLLECTION_VERSION)

collection-check: collection
	tests/collection-check $(B)/collection/warren-wireguard-$(COLLECTION_VERSION).tar.gz

# Molecule's sequence on real LXC containers (roles/wireguard_ct, lxc backend), with ansible-playbook.
molecule: all deb
	tests/molecule-run default
	tests/molecule-run server

.PHONY: all install clean deps unit pytest lint asan integration vm test fuzz bench molecule \
	collection collection-check
.DELETE_ON_ERROR:
.SECONDARY:

# zabbix-wg-stats: its integration tests alone (also part of `make integration`).
zabbix-test: all
	WARREN_BIN=$(CURDIR)/$(B) tests/run-integration wg-zabbix zabbix- prometheus- site-health
.PHONY: zabbix-test

# The whole VPN on this machine (docs/lab.md): CT 90, a LAN, a DMZ, two peers, a connected client.
lab:
	lab/run
lab-clean:
	lab/clean
.PHONY: lab lab-clean
