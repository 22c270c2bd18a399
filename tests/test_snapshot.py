"""Snapshots read GitHub tarballs with limits, and never write links or paths of the archive."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from bot.app.snapshot import SnapshotError, cached, unpack


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


def test_files_below_the_top_folder_are_read_and_cached(tmp_path: Path) -> None:
    archive = _tar(
        tmp_path / "a.tgz",
        [_file("o-r-abc/db/1.sql"), _file("o-r-abc/README")],
        {"o-r-abc/db/1.sql": b"select 1;", "o-r-abc/README": b"h\xc3\xa9"},
    )
    tree = unpack(archive, tmp_path / "cache", "abc", max_bytes=100, max_files=10)
    assert list(tree.paths()) == ["README", "db/1.sql"]
    assert tree.read("db/1.sql") == "select 1;"
    again = cached(tmp_path / "cache", "abc")
    assert again is not None and again.read("README") == "hé" and again.read("missing") is None


def test_links_are_never_kept(tmp_path: Path) -> None:
    link = _file("o-r-abc/escape")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc"
    hard = _file("o-r-abc/hard")
    hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/passwd"
    archive = _tar(
        tmp_path / "a.tgz", [link, hard, _file("o-r-abc/escape/passwd")], {"o-r-abc/escape/passwd": b"x"}
    )
    tree = unpack(archive, tmp_path / "cache", "abc", max_bytes=100, max_files=10)
    assert list(tree.paths()) == ["escape/passwd"]
    assert tree.read("hard") is None
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["abc.blob", "abc.json"]


@pytest.mark.parametrize("name", ["o-r-abc/../../evil", "/abs/evil", "o-r-abc/a\\..\\b"])
def test_paths_that_leave_the_root_are_refused(tmp_path: Path, name: str) -> None:
    archive = _tar(tmp_path / "a.tgz", [_file(name)], {name: b"x"})
    with pytest.raises(SnapshotError):
        unpack(archive, tmp_path / "cache", "abc", max_bytes=100, max_files=10)
    assert cached(tmp_path / "cache", "abc") is None
    assert list((tmp_path / "cache").iterdir()) == []


def test_limits_on_files_and_bytes(tmp_path: Path) -> None:
    names = [f"o-r-abc/{i}" for i in range(5)]
    archive = _tar(tmp_path / "a.tgz", [_file(n) for n in names], dict.fromkeys(names, b"12345"))
    with pytest.raises(SnapshotError, match="files"):
        unpack(archive, tmp_path / "cache", "abc", max_bytes=1000, max_files=4)
    with pytest.raises(SnapshotError, match="bytes"):
        unpack(archive, tmp_path / "cache", "abc", max_bytes=20, max_files=10)
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_broken_archive_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.tgz").write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(SnapshotError, match="unreadable"):
        unpack(tmp_path / "a.tgz", tmp_path / "cache", "abc", max_bytes=100, max_files=10)
