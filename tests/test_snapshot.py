"""Snapshots unpack GitHub tarballs with limits, and never write links or paths outside the root."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from bot.snapshot import SnapshotError, cached, unpack


def _tar(path: Path, members: list[tarfile.TarInfo], data: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info in members:
            body = data.get(info.name)
            if body is not None:
                info.size = len(body)
            tar.addfile(info, io.BytesIO(body) if body is not None else None)
    return path


def _file(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def test_unpacks_below_the_top_folder_and_caches(tmp_path: Path) -> None:
    archive = _tar(
        tmp_path / "a.tgz",
        [_file("o-r-abc/db/1.sql"), _file("o-r-abc/README")],
        {"o-r-abc/db/1.sql": b"select 1;", "o-r-abc/README": b"hi"},
    )
    root = unpack(archive, tmp_path / "cache", "abc", max_bytes=100, max_files=10)
    assert (root / "db/1.sql").read_text() == "select 1;"
    assert cached(tmp_path / "cache", "abc") == root


def test_links_are_never_written(tmp_path: Path) -> None:
    link = _file("o-r-abc/escape")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc"
    hard = _file("o-r-abc/hard")
    hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/passwd"
    archive = _tar(
        tmp_path / "a.tgz", [link, hard, _file("o-r-abc/escape/passwd")], {"o-r-abc/escape/passwd": b"x"}
    )
    root = unpack(archive, tmp_path / "cache", "abc", max_bytes=100, max_files=10)
    assert not (root / "escape").is_symlink() and not (root / "hard").exists()
    assert (root / "escape/passwd").resolve().is_relative_to(root.resolve())


@pytest.mark.parametrize("name", ["o-r-abc/../../evil", "/abs/evil", "o-r-abc/a\\..\\b"])
def test_paths_that_leave_the_root_are_refused(tmp_path: Path, name: str) -> None:
    archive = _tar(tmp_path / "a.tgz", [_file(name)], {name: b"x"})
    with pytest.raises(SnapshotError):
        unpack(archive, tmp_path / "cache", "abc", max_bytes=100, max_files=10)
    assert cached(tmp_path / "cache", "abc") is None
    assert not (tmp_path / "evil").exists()


def test_limits_on_files_and_bytes(tmp_path: Path) -> None:
    names = [f"o-r-abc/{i}" for i in range(5)]
    archive = _tar(tmp_path / "a.tgz", [_file(n) for n in names], dict.fromkeys(names, b"12345"))
    with pytest.raises(SnapshotError, match="files"):
        unpack(archive, tmp_path / "cache", "abc", max_bytes=1000, max_files=4)
    with pytest.raises(SnapshotError, match="bytes"):
        unpack(archive, tmp_path / "cache", "abc", max_bytes=20, max_files=10)
    assert list((tmp_path / "cache").iterdir()) == []
