# SPDX-License-Identifier: GPL-2.0-only
PKGS_nft-apply := libnftnl
