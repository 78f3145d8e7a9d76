# SPDX-License-Identifier: GPL-2.0-only
# The file set of warren_files (module_utils/warren_files.py): only what differs changes, and a
# path of the wrong type is refused before anything is written.
import os

import pytest

from warren_files import FilesError, apply, plan


def entry(path, content, mode=0o644, **kw):
    return dict(path=str(path), content=content, mode=mode, secret=False, **kw)


def test_a_second_run_changes_nothing_and_keeps_the_inode(tmp_path):
    d = dict(path=str(tmp_path / "d"), mode=0o700)
    f = entry(tmp_path / "d" / "a", b"one\n")
    assert [(k, w) for k, e, w in plan([d], [f], [])] == [("dir", "create"), ("file", "create")]
    apply(plan([d], [f], []))
    ino = os.stat(f["path"]).st_ino
    assert plan([d], [f], []) == []
    assert os.stat(f["path"]).st_ino == ino
    assert os.stat(d["path"]).st_mode & 0o7777 == 0o700
    assert open(f["path"], "rb").read() == b"one\n"


def test_content_mode_and_removal_are_told_apart(tmp_path):
    a, b, c = (entry(tmp_path / n, b"x") for n in "abc")
    apply(plan([], [a, b, c], []))
    a2 = dict(a, content=b"y")
    b2 = dict(b, mode=0o600)
    todo = plan([], [a2, b2], [c["path"], str(tmp_path / "missing")])
    assert [(os.path.basename(e["path"]), w) for k, e, w in todo] == [
        ("a", "content"), ("b", "meta"), ("c", "remove")]
    assert apply(todo) == [a["path"], b["path"], c["path"]]
    assert open(a["path"], "rb").read() == b"y"
    assert os.stat(b["path"]).st_mode & 0o7777 == 0o600
    assert not os.path.exists(c["path"])


def test_a_new_file_gets_its_mode_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        f = entry(tmp_path / "s", b"#!/bin/sh\n", mode=0o755)
        apply(plan([], [f], []))
    finally:
        os.umask(old)
    assert os.stat(f["path"]).st_mode & 0o7777 == 0o755


def test_a_path_of_the_wrong_type_is_refused_before_any_change(tmp_path):
    (tmp_path / "dir").mkdir()
    good = entry(tmp_path / "good", b"x")
    with pytest.raises(FilesError, match="not a regular file"):
        plan([], [good, entry(tmp_path / "dir", b"x")], [])
    with pytest.raises(FilesError, match="is a directory"):
        plan([], [good], [str(tmp_path / "dir")])
    assert not os.path.exists(good["path"])


def test_an_unknown_owner_is_named(tmp_path):
    with pytest.raises(FilesError, match="no such user"):
        plan([], [entry(tmp_path / "f", b"x", owner="no-such-user-warren")], [])


def test_missing_parents_are_made_0755(tmp_path):
    old = os.umask(0o077)
    try:
        f = entry(tmp_path / "a" / "b" / "f", b"x")
        apply(plan([], [f], []))
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "a").st_mode & 0o7777 == 0o755
    assert os.stat(tmp_path / "a" / "b").st_mode & 0o7777 == 0o755
