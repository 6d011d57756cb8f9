"""No file is ever destroyed: hard links, symlinks, FIFOs and devices as ``-o`` and as input; a
read-only folder and a full disk give a clear message, exit 1 or 2, whole records only, no hang.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from advisor.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _synth(folder: Path, n: int = 6) -> Path:
    src = folder / "s.jsonl"
    assert main(["synth", str(n), "--seed", "3", "-o", str(src)]) == 0
    return src


def _batch(*argv: str) -> int:
    try:
        return main(["batch", *argv, "--workers", "1"])
    except SystemExit as exc:
        return int(exc.code or 0)


def _device(folder: Path) -> Path:
    """A character device to write to: a private copy of /dev/null when we may make one."""
    dev = folder / "null"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        return Path("/dev/null")  # not root: the real one, which we could not replace anyway
    return dev


def test_a_hard_link_to_the_input_as_output_is_refused_and_the_input_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    src = _synth(tmp_path)
    before = src.read_bytes()
    link = tmp_path / "h.jsonl"
    os.link(src, link)
    assert _batch(str(src), "-o", str(link)) == 2
    assert "the input file itself" in capsys.readouterr().err
    assert src.read_bytes() == before and link.read_bytes() == before


def test_a_hard_link_to_the_input_as_a_summary_is_refused(tmp_path: Path) -> None:
    src = _synth(tmp_path)
    before = src.read_bytes()
    os.link(src, tmp_path / "o.jsonl.summary.md")
    assert _batch(str(src), "-o", str(tmp_path / "o.jsonl")) == 2
    assert src.read_bytes() == before and not (tmp_path / "o.jsonl").exists()


def test_a_symlink_as_output_is_refused_and_its_target_kept(tmp_path: Path, capsys) -> None:
    src = _synth(tmp_path)
    other = tmp_path / "precious.txt"
    other.write_text("keep me", encoding="utf-8")
    link = tmp_path / "l.jsonl"
    link.symlink_to(other)
    assert _batch(str(src), "-o", str(link)) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert link.is_symlink() and other.read_text(encoding="utf-8") == "keep me"


def test_a_fifo_as_output_or_input_is_refused_without_blocking(tmp_path: Path, capsys) -> None:
    src = _synth(tmp_path)
    fifo = tmp_path / "f.jsonl"
    os.mkfifo(fifo)
    assert _batch(str(src), "-o", str(fifo)) == 2
    assert "FIFO" in capsys.readouterr().err
    assert _batch(str(fifo), "-o", str(tmp_path / "o.jsonl")) == 2
    assert "FIFO" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_fifo_as_a_profile_is_refused_without_blocking(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "p.yaml"
    os.mkfifo(fifo)
    assert main(["assess", str(fifo)]) == 2
    assert "FIFO" in capsys.readouterr().err


def test_a_device_as_output_is_refused_and_stays_a_device(tmp_path: Path, capsys) -> None:
    src = _synth(tmp_path)
    dev = _device(tmp_path)
    assert _batch(str(src), "-o", str(dev)) == 2
    assert main(["assess", "--preset", "case-y", "-o", str(dev)]) == 2
    assert main(["roadmap", "--preset", "case-y", "--out", str(dev)]) == 2
    assert main(["synth", "3", "-o", str(dev)]) == 2
    err = capsys.readouterr().err
    assert err.count("is a device") == 4
    assert stat.S_ISCHR(os.stat(dev).st_mode)


def test_assess_output_over_its_own_input_is_refused(tmp_path: Path, capsys) -> None:
    profile = tmp_path / "y.yaml"
    assert main(["presets", "--show", "case-y"]) == 0
    profile.write_text(capsys.readouterr().out, encoding="utf-8")
    before = profile.read_bytes()
    os.link(profile, tmp_path / "same.yaml")
    assert main(["assess", str(profile), "-o", str(tmp_path / "same.yaml")]) == 2
    assert profile.read_bytes() == before


def test_a_folder_input_refuses_an_output_that_would_become_one_of_its_profiles(
    tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    assert main(["presets", "--show", "case-h"]) == 0
    (folder / "h.yaml").write_text(capsys.readouterr().out, encoding="utf-8")
    assert _batch(str(folder), "-o", str(folder / "out.json")) == 2
    assert _batch(str(folder), "-o", str(folder / "h.yaml")) == 2
    assert sorted(p.name for p in folder.iterdir()) == ["h.yaml"]


def test_a_read_only_folder_gives_a_clear_message_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder we may not write to: by its mode when we are not root (root writes anywhere);
    as root, a read-only tmpfs when one can be mounted, else the kernel's EACCES simulated for
    that folder only."""
    src = _synth(tmp_path)
    ro = tmp_path / "ro"
    ro.mkdir()
    mounted = False
    if os.geteuid() != 0:
        os.chmod(ro, 0o555)
        expected = "permission denied"
    else:
        made = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)], capture_output=True
        )
        mounted = made.returncode == 0
        expected = "read-only" if mounted else "permission denied"
        if not mounted:
            real_open = os.open

            def denied(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
                if str(path).startswith(str(ro)) and flags & (os.O_WRONLY | os.O_RDWR):
                    raise PermissionError(errno.EACCES, "Permission denied", str(path))
                return real_open(path, flags, *args, **kwargs)

            monkeypatch.setattr(os, "open", denied)
    try:
        code = _batch(str(src), "-o", str(ro / "o.jsonl"))
        monkeypatch.undo()
        err = capsys.readouterr().err
        assert code == 1, err
        assert expected in err and "Traceback" not in err
        assert list(ro.iterdir()) == []
    finally:
        monkeypatch.undo()
        if mounted:
            subprocess.run(["umount", "-l", str(ro)], capture_output=True)
        with contextlib.suppress(OSError):
            os.chmod(ro, 0o755)


ENOSPC_SCRIPT = textwrap.dedent(
    """
    import errno, os, sys
    from advisor.batch import output as batch

    real = os.write
    calls = [0]

    def full(fd, data):
        calls[0] += 1
        if calls[0] == 3:  # half a write, then the disk is full
            return real(fd, bytes(data[: len(data) // 2]))
        if calls[0] > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    if __name__ == "__main__":
        batch.LineWriter._write = staticmethod(full)
        batch.FLUSH_SECONDS = 0
        from advisor.cli.main import main
        sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_full_disk_in_batch_keeps_whole_records_exits_1_and_does_not_hang(
    tmp_path: Path, workers: str
) -> None:
    src = _synth(tmp_path, 300)
    script = tmp_path / "enospc.py"
    script.write_text(ENOSPC_SCRIPT, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    argv = [PYTHON, str(script), "batch", str(src), "-o", str(out), "--workers", workers]
    argv += ["--chunk-size", "8"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    assert "disk is full" in proc.stderr and "--resume" in proc.stderr
    assert "Traceback" not in proc.stderr
    data = out.read_bytes()
    assert data.endswith(b"\n")
    kept = [json.loads(line) for line in data.splitlines()]
    assert 0 < len(kept) < 300
    assert not (tmp_path / "o.jsonl.summary.md").exists()
    # resuming on a disk with room finishes the run with nothing lost or repeated
    assert _batch(str(src), "-o", str(out), "--resume") == 0
    ids = [json.loads(line)["profile_id"] for line in out.read_bytes().splitlines()]
    assert ids == [json.loads(line)["id"] for line in src.read_bytes().splitlines()]


def test_a_real_full_file_system_when_one_can_be_mounted(tmp_path: Path) -> None:
    """The same on a real 256 kB tmpfs (needs the right to mount; the simulation above always
    runs, so a skip here hides nothing)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        src = _synth(tmp_path, 200)
        out = mnt / "o.jsonl"
        code = _batch(str(src), "-o", str(out))
        assert code == 1
        data = out.read_bytes()
        assert data == b"" or data.endswith(b"\n")
        for line in data.splitlines():
            json.loads(line)
        assert not (mnt / "o.jsonl.summary.md").exists()
        # no temporary files left; the checkpoint stays for --resume once space is freed
        assert {p.name for p in mnt.iterdir()} <= {"o.jsonl", "o.jsonl.checkpoint.json"}
        assert "o.jsonl" in {p.name for p in mnt.iterdir()}
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_device_as_input_is_refused_without_reading_for_ever(tmp_path: Path, capsys) -> None:
    """/dev/zero would never end: a device is not read, as a profile or as a batch input."""
    zero = tmp_path / "z.jsonl"
    try:
        os.mknod(zero, 0o666 | stat.S_IFCHR, os.makedev(1, 5))
    except PermissionError:
        zero = Path("/dev/zero")
    assert main(["assess", str(zero)]) == 2
    if zero.suffix == ".jsonl":
        assert _batch(str(zero), "-o", str(tmp_path / "o.jsonl")) == 2
    assert "is a device" in capsys.readouterr().err


def test_a_symlink_as_input_is_read_through(tmp_path: Path) -> None:
    """Reading through a link destroys nothing: a linked input is fine."""
    src = _synth(tmp_path, 3)
    link = tmp_path / "link.jsonl"
    link.symlink_to(src)
    assert _batch(str(link), "-o", str(tmp_path / "o.jsonl")) == 0
    assert len((tmp_path / "o.jsonl").read_bytes().splitlines()) == 3
