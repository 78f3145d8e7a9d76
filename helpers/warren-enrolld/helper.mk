# SPDX-License-Identifier: GPL-2.0-only
PKGS_warren-enrolld := libmicrohttpd
