"""Atomic outputs: a write that fails leaves the old file and no temp file; --out may not be
one of the inputs, however it is spelled."""

import errno
import os

import pytest

from vlmbot.cli.common import atomic_output, check_not_input, write_text_atomic
from vlmbot.errors import InputError


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(InputError, match="No space left"), atomic_output(target) as temp:
        temp.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_write_replaces_the_file_in_one_rename(tmp_path):
    target = tmp_path / "out.txt"
    write_text_atomic(target, "new")
    assert target.read_text() == "new" and sorted(os.listdir(tmp_path)) == ["out.txt"]


def test_out_is_never_an_input_however_spelled(tmp_path):
    image = tmp_path / "a.png"
    image.write_bytes(b"x")
    (tmp_path / "link.png").symlink_to(image)
    for out in (image, tmp_path / "." / "a.png", tmp_path / "link.png"):
        with pytest.raises(InputError, match="input file"):
            check_not_input(out, [None, image])
    check_not_input(tmp_path / "b.png", [image])
