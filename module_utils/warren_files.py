# SPDX-License-Identifier: GPL-2.0-only
# A set of directories and small files brought to a wanted content, owner and mode in one call
# (library/warren_files.py), without Ansible (tests/python/test_files.py). A file is replaced
# only when its bytes differ (new file beside it, synced, renamed over it); owner and mode are
# set in place. Nothing here reads or returns the content of a secret file.
import grp
import os
import pwd
import stat


class FilesError(ValueError):
    """A path that cannot be brought to what is wanted (the message names it)."""


def _ids(entry):
    """(uid, gid) wanted by @entry (names or numeric ids); -1 leaves one as it is."""
    uid = gid = -1
    owner, group = entry.get("owner") or "", entry.get("group") or ""
    try:
        if owner:
            uid = int(owner) if owner.isdigit() else pwd.getpwnam(owner).pw_uid
        if group:
            gid = int(group) if group.isdigit() else grp.getgrnam(group).gr_gid
    except KeyError as e:
        raise FilesError("%s: no such user or group %s" % (entry["path"], e))
    return uid, gid


def _meta_differs(st, mode, uid, gid):
    return (stat.S_IMODE(st.st_mode) != mode or (uid != -1 and st.st_uid != uid)
            or (gid != -1 and st.st_gid != gid))


def _lstat(path):
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def plan(dirs, files, remove):
    """What must change: a list of (kind, entry, what) with kind "dir", "file" or "remove" and
    what "create", "content", "meta" or "remove", in the order it must happen (directories
    first). Refuses a path of the wrong type before anything is changed."""
    todo = []
    for d in dirs:
        st = _lstat(d["path"])
        if st is not None and not stat.S_ISDIR(st.st_mode):
            raise FilesError("%s: exists and is not a directory" % d["path"])
        uid, gid = _ids(d)
        if st is None:
            todo.append(("dir", d, "create"))
        elif _meta_differs(st, d["mode"], uid, gid):
            todo.append(("dir", d, "meta"))
    for f in files:
        st = _lstat(f["path"])
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise FilesError("%s: exists and is not a regular file" % f["path"])
        uid, gid = _ids(f)
        if st is None:
            todo.append(("file", f, "create"))
            continue
        with open(f["path"], "rb") as fh:
            same = st.st_size == len(f["content"]) and fh.read() == f["content"]
        if not same:
            todo.append(("file", f, "content"))
        elif _meta_differs(st, f["mode"], uid, gid):
            todo.append(("file", f, "meta"))
    for path in remove:
        st = _lstat(path)
        if st is not None:
            if stat.S_ISDIR(st.st_mode):
                raise FilesError("%s: is a directory, not removed" % path)
            todo.append(("remove", {"path": path}, "remove"))
    return todo


def _write(entry, uid, gid):
    path = entry["path"]
    tmp = "%s.warren.%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(entry["content"])
        while view:
            view = view[os.write(fd, view):]
        os.fchown(fd, uid, gid)
        os.fchmod(fd, entry["mode"])
        os.fsync(fd)
    except OSError:
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)
    os.rename(tmp, path)


def _parents(path):
    """Makes the missing directories above @path, root's, mode 0755 whatever the umask."""
    missing = []
    parent = os.path.dirname(path)
    while parent and parent != "/" and not os.path.isdir(parent):
        missing.append(parent)
        parent = os.path.dirname(parent)
    for d in reversed(missing):
        os.mkdir(d, 0o700)
        os.chmod(d, 0o755)


def apply(todo):
    """Carries out plan()'s list; returns the changed paths in order."""
    done = []
    for kind, entry, what in todo:
        path = entry["path"]
        if kind == "remove":
            os.unlink(path)
        else:
            if what == "create":
                _parents(path)
            uid, gid = _ids(entry)
            if kind == "dir" and what == "create":
                os.mkdir(path, 0o700)
            if kind == "file" and what != "meta":
                _write(entry, uid, gid)
            else:
                os.chown(path, uid, gid)
                os.chmod(path, entry["mode"])
        done.append(path)
    for parent in sorted({os.path.dirname(e["path"]) for k, e, w in todo if k != "dir"}):
        fd = os.open(parent or ".", os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return done
