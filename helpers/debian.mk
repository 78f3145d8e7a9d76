# SPDX-License-Identifier: GPL-2.0-only
# `make deb`: build/warren-helpers_VERSION_ARCH.deb (and a stable build/warren-helpers.deb) with
# every helper `make` builds in /usr/bin. Runtime library dependencies come from dpkg-shlibdeps,
# so a helper that links libnftnl or libqrencode adds libnftnl11 or libqrencode4 by itself.

DEB_NAME := warren-helpers
DEB_VERSION ?= 0.1~git$(shell git rev-list --count HEAD 2>/dev/null || echo 0).$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DEB_ARCH = $(shell dpkg --print-architecture)
DEB_ROOT := $(B)/deb/$(DEB_NAME)

deb: all
	@[ -n "$(Q)" ] && echo "  DEB     $(B)/$(DEB_NAME).deb" || true
	$(Q)rm -rf $(B)/deb && install -d $(DEB_ROOT)/DEBIAN $(DEB_ROOT)/usr/bin \
		$(DEB_ROOT)/usr/share/doc/$(DEB_NAME) $(B)/deb/debian
	$(Q)install -m 0755 --strip-program=strip -s $(BINS) $(DEB_ROOT)/usr/bin/
	$(Q)printf 'warren helpers: %s\nLicense: GPL-2.0-only\n' "$(HELPERS)" \
		>$(DEB_ROOT)/usr/share/doc/$(DEB_NAME)/copyright
	$(Q)printf 'Source: warren\n\nPackage: $(DEB_NAME)\nArchitecture: any\n' >$(B)/deb/debian/control
	$(Q)deps=$$(cd $(B)/deb && dpkg-shlibdeps -O -e$(addprefix $(DEB_NAME)/usr/bin/,$(HELPERS)) \
		2>/dev/null | sed -n 's/^shlibs:Depends=//p') && [ -n "$$deps" ] && \
	{ echo "Package: $(DEB_NAME)"; echo "Version: $(DEB_VERSION)"; \
	  echo "Architecture: $(DEB_ARCH)"; echo "Maintainer: warren <root@localhost>"; \
	  echo "Section: net"; echo "Priority: optional"; echo "Depends: $$deps"; \
	  echo "Installed-Size: $$(du -sk $(DEB_ROOT)/usr | cut -f1)"; \
	  echo "Description: warren's idempotent WireGuard helpers"; \
	  echo " Small C helpers ($(HELPERS)) that warren's Ansible roles run on targets."; \
	} >$(DEB_ROOT)/DEBIAN/control
	$(Q)dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) \
		$(B)/$(DEB_NAME)_$(DEB_VERSION)_$(DEB_ARCH).deb >/dev/null
	$(Q)cp $(B)/$(DEB_NAME)_$(DEB_VERSION)_$(DEB_ARCH).deb $(B)/$(DEB_NAME).deb
	$(Q)agent/build-deb $(B) $(DEB_VERSION) # the device agent of warren-enrolld (issue 16)

.PHONY: deb
