# SPDX-License-Identifier: GPL-2.0-only
PKGS_wg-client-config := libqrencode libpng
