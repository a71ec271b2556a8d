"""A sorted in-memory index of a bucket's object names, kept in step with its folder on disk.

Listing walks this index (a binary search to the first name, then names in order, skipping
whole `delimiter` groups by binary search too), never the folder. Writes and deletes through the
store update it directly. Files that other writers put in the bucket's folder (BigQuery's
`EXPORT DATA`, the Kubeflow runner) are found by comparing each indexed directory's mtime with
the one last seen (`refresh_range` checks only the directories that can hold names of the page
being listed): only directories whose entries changed are read again, and the files in them
become `suspects` whose metadata the store checks against the disk before trusting its record
(a file replaced by rename, the way atomic writers do, changes its directory's mtime too).

A directory whose mtime is within `_RACY_NS` of the moment it was read may still change within
the same timestamp tick (coarse file-system clocks), so it is read again on every refresh until
its mtime is older than that.
"""

from __future__ import annotations

import os
import re
import stat
import time
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable
from pathlib import Path

_ATOMIC_TMP_RE = re.compile(r"^\..+\.tmp$")  # core.workspace.atomic_path's temporary files
_MAX_CHAR = "\U0010ffff"
_RACY_NS = 2_000_000_000  # the coarsest common file-system timestamp (FAT: 2 s)
_RECHECK = -1  # recorded mtime of a directory read too soon after it changed


class BucketIndex:
    """Object names of one bucket, sorted, plus the mtimes of the bucket's directories."""

    def __init__(self, folder: Path, names: Iterable[str]):
        self.folder = folder
        self._names: list[str] = []
        self._set: set[str] = set()
        self._dirs: dict[str, int] = {}  # directory relative to the bucket ("" is the bucket) -> mtime_ns
        self._dir_keys: list[str] = []  # "d/" of every directory in _dirs but the bucket's, sorted
        self._changes = 0  # names added or removed so far
        self.suspects: set[str] = set()
        """Names of files on disk whose records the store has not checked since their directory
        was read (the store discards a name once it has checked it)."""
        found = set(names)
        found.update(self._scan_tree(""))
        self._names = sorted(found)
        self._set = found

    def __len__(self) -> int:
        return len(self._names)

    def add(self, name: str) -> None:
        if name not in self._set:
            self._set.add(name)
            self._changes += 1
            insort(self._names, name)

    def discard(self, name: str) -> None:
        if name in self._set:
            self._set.discard(name)
            self.suspects.discard(name)
            self._changes += 1
            i = bisect_left(self._names, name)
            if i < len(self._names) and self._names[i] == name:
                del self._names[i]

    def refresh(self, keep: Callable[[str], bool]) -> None:
        """Pick up files written or removed behind the store's back; `keep(name)` says whether a
        name no longer on disk still exists elsewhere (its bytes in the blob folder)."""
        for rel in list(self._dirs):
            self._check_dir(rel, keep)

    def refresh_range(self, low: str, high: str | None, keep: Callable[[str], bool]) -> bool:
        """`refresh` only the directories that can hold names from `low` to `high` (inclusive;
        None: no end): the bucket's, those `low` is in, those whose names start in the range.
        True when that added or removed names."""
        changes = self._changes
        parts = low.split("/")
        rels = [""] + ["/".join(parts[:k]) for k in range(1, len(parts))]
        keys = self._dir_keys
        end = len(keys) if high is None else bisect_right(keys, high)
        rels += [key[:-1] for key in keys[bisect_left(keys, low) : end]]
        for rel in rels:
            self._check_dir(rel, keep)
        return self._changes != changes

    def _check_dir(self, rel: str, keep: Callable[[str], bool]) -> None:
        mtime = self._dirs.get(rel)
        if mtime is None:
            return  # not a directory of the bucket (or dropped with a vanished parent)
        try:
            st = os.lstat(f"{self.folder}{os.sep}{rel}" if rel else self.folder)
            current = st.st_mtime_ns if stat.S_ISDIR(st.st_mode) else None  # a symlink is not followed
        except OSError:
            current = None
        if current == mtime:
            return
        if current is None:
            self._forget_dir(rel, keep)
        else:
            self._rescan_dir(rel, keep)

    @property
    def names(self) -> list[str]:
        """The sorted names (read them, never change them)."""
        return self._names

    def position(self, start: str) -> int:
        """Position of the first name >= `start`."""
        return bisect_left(self._names, start)

    def position_after_group(self, group: str) -> int:
        """Position of the first name that does not start with `group`."""
        return bisect_right(self._names, group + _MAX_CHAR)

    def prefixed(self, prefix: str) -> list[str]:
        """Every name starting with `prefix`, sorted."""
        return self._names[bisect_left(self._names, prefix) : self.position_after_group(prefix)]

    # ---------------------------------------------------------------- disk

    def _scan_tree(self, rel: str) -> list[str]:
        out: list[str] = []
        stack = [rel]
        while stack:
            current = stack.pop()
            files, subdirs = self._read_dir(current)
            if files is None:
                continue
            out.extend(files)
            stack.extend(subdirs)
        return out

    def _read_dir(self, rel: str) -> tuple[list[str] | None, list[str]]:
        """(object names of files directly in `rel`, its subdirectories); records its mtime."""
        path = self.folder / rel if rel else self.folder
        base = f"{rel}/" if rel else ""
        try:
            mtime = path.stat().st_mtime_ns
            entries = list(os.scandir(path))
        except OSError:
            return None, []
        if rel and rel not in self._dirs:
            insort(self._dir_keys, rel + "/")
        self._dirs[rel] = _RECHECK if time.time_ns() - mtime < _RACY_NS else mtime
        files: list[str] = []
        subdirs: list[str] = []
        for entry in entries:
            try:
                if entry.is_symlink():
                    continue
                if entry.is_dir():
                    subdirs.append(base + entry.name)
                elif entry.is_file() and not _ATOMIC_TMP_RE.match(entry.name):
                    files.append(base + entry.name)
            except OSError:
                continue
        self.suspects.update(files)
        return files, subdirs

    def _direct_children(self, rel: str) -> list[str]:
        base = f"{rel}/" if rel else ""
        return [n for n in self.prefixed(base) if "/" not in n[len(base) :]]

    def _rescan_dir(self, rel: str, keep: Callable[[str], bool]) -> None:
        before = set(self._direct_children(rel))
        files, subdirs = self._read_dir(rel)
        if files is None:
            self._forget_dir(rel, keep)
            return
        for name in files:
            self.add(name)
        for name in before - set(files):
            if not keep(name):
                self.discard(name)
        for sub in subdirs:
            if sub not in self._dirs:
                for name in self._scan_tree(sub):
                    self.add(name)

    def _forget_dir(self, rel: str, keep: Callable[[str], bool]) -> None:
        base = f"{rel}/" if rel else ""
        keys = self._dir_keys
        low, high = bisect_left(keys, base), bisect_right(keys, base + _MAX_CHAR)
        for key in keys[low:high]:
            self._dirs.pop(key[:-1], None)
        del keys[low:high]
        self._dirs.pop(rel, None)
        for name in self.prefixed(base):
            if not keep(name):
                self.discard(name)
