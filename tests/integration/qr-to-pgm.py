#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Rasterise a QR code drawn by wg-client-config (its SVG, or its terminal text) into a PGM
image, so that an independent decoder (zbarimg) can read it back.
Usage: qr-to-pgm.py svg|text INPUT OUTPUT.pgm"""
import re
import sys
import xml.etree.ElementTree as ET

SCALE = 6


def from_svg(path):
    root = ET.parse(path).getroot()
    side = int(root.get("viewBox").split()[2])
    grid = [[False] * side for _ in range(side)]
    d = root.find("{http://www.w3.org/2000/svg}path").get("d")
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", d):
        for i in range(int(w)):
            grid[int(y)][int(x) + i] = True
    return grid


def from_text(path):
    light = {" ": (False, False), "\u2584": (False, True), "\u2580": (True, False),
             "\u2588": (True, True)}
    text = open(path, encoding="utf-8").read().replace("\r", "")
    rows = []
    for line in text.split("\n"):
        line = re.sub(r"\x1b\[[0-9;]*m", "", line)
        if not line or any(c not in light for c in line):
            continue
        rows.append([not light[c][0] for c in line])
        rows.append([not light[c][1] for c in line])
    # Pad with a light quiet zone of 4 modules.
    width = max(len(r) for r in rows) + 8
    pad = [[False] * width for _ in range(4)]
    return pad + [[False] * 4 + r + [False] * 4 for r in rows] + pad


def main():
    kind, src, dst = sys.argv[1:4]
    grid = from_svg(src) if kind == "svg" else from_text(src)
    h, w = len(grid) * SCALE, len(grid[0]) * SCALE
    with open(dst, "w", encoding="ascii") as out:
        out.write(f"P2\n{w} {h}\n255\n")
        for row in grid:
            line = " ".join("0" if dark else "255" for dark in row for _ in range(SCALE))
            out.write((line + "\n") * SCALE)


main()
