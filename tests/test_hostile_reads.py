"""Issue 13, point 1: every input is bounded: size checked before reading, regular files only.

Device files, FIFOs and oversized files are refused at once (no hang, no memory blow-up);
an input of the largest accepted size renders within a small multiple of its size in memory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import yaml
from support.cli_process import MB, baseline_rss, one_clear_error, syntho_ray

# Peak memory above an ordinary render, per byte of input. A values file of 1,000 groups takes
# about 16 (BENCHMARKS.md, "Memory"): at the peak, its values model and the objects built from it.
MEMORY_FACTOR = 20
REFUSED_AT_ONCE = 40 * MB  # a refused input costs no more than this above an ordinary render
BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def baseline() -> int:
    return baseline_rss()


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "values.fifo"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("option", ["-f", "--set-file"])
def test_a_device_is_refused_at_once(baseline: int, device: str, option: str) -> None:
    argument = device if option == "-f" else f"SynthoLicense={device}"
    ran = syntho_ray("render", option, argument, timeout=30)
    message = one_clear_error(ran)
    assert device in message and "not a regular file" in message
    assert ran.peak_rss - baseline < REFUSED_AT_ONCE


@pytest.mark.parametrize("option", ["-f", "--set-file"])
def test_a_fifo_is_refused_without_waiting_for_a_writer(fifo: Path, option: str) -> None:
    argument = str(fifo) if option == "-f" else f"SynthoLicense={fifo}"
    ran = syntho_ray("render", option, argument, timeout=30)
    message = one_clear_error(ran)
    assert str(fifo) in message and "not a regular file" in message


def test_a_directory_given_to_set_file_is_refused(tmp_path: Path) -> None:
    message = one_clear_error(syntho_ray("render", "--set-file", f"SynthoLicense={tmp_path}"))
    assert str(tmp_path) in message and "not a regular file" in message


def test_an_oversized_values_file_is_refused_before_it_is_read(
    tmp_path: Path, baseline: int
) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:  # sparse: 1 GiB of size, no disk used
        handle.truncate(1024 * MB)
    ran = syntho_ray("render", "-f", huge, timeout=30)
    message = one_clear_error(ran)
    assert "huge.yaml" in message and "larger than the limit" in message
    assert ran.peak_rss - baseline < REFUSED_AT_ONCE


def test_an_oversized_set_file_is_refused_before_it_is_read(tmp_path: Path, baseline: int) -> None:
    huge = tmp_path / "license.txt"
    with huge.open("wb") as handle:
        handle.truncate(1024 * MB)
    ran = syntho_ray("render", "--set-file", f"SynthoLicense={huge}", timeout=30)
    message = one_clear_error(ran)
    assert "license.txt" in message and "larger than the limit" in message
    assert ran.peak_rss - baseline < REFUSED_AT_ONCE


def test_endless_standard_input_is_cut_at_the_limit(tmp_path: Path, baseline: int) -> None:
    ran = syntho_ray("render", "-f", "-", stdin=Path("/dev/zero"), timeout=60)
    message = one_clear_error(ran)
    assert "standard input" in message and "larger than the limit" in message
    assert ran.peak_rss - baseline < REFUSED_AT_ONCE + 64 * MB  # at most the limit, read


def test_the_largest_accepted_license_renders_within_a_small_multiple_of_its_size(
    tmp_path: Path, baseline: int
) -> None:
    size = 1 * MB - 64  # a Secret holds at most 1 MiB
    license_file = tmp_path / "license.txt"
    license_file.write_text("L" * size, encoding="utf-8")
    ran = syntho_ray("render", "-q", "--set-file", f"SynthoLicense={license_file}")
    assert ran.returncode == 0, ran.stderr
    assert ran.peak_rss - baseline <= MEMORY_FACTOR * size, (ran.peak_rss - baseline) / size


def test_a_license_over_what_a_secret_holds_is_refused(tmp_path: Path) -> None:
    license_file = tmp_path / "license.txt"
    license_file.write_text("L" * (2 * MB), encoding="utf-8")
    message = one_clear_error(syntho_ray("render", "--set-file", f"SynthoLicense={license_file}"))
    assert "license.txt" in message and "larger than the limit" in message


@pytest.mark.parametrize("to_directory", [True, False], ids=["-o DIR", "stdout"])
def test_a_large_values_file_renders_within_a_small_multiple_of_its_size(
    tmp_path: Path, baseline: int, to_directory: bool
) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from run import scaled_values  # the benchmarks' own 1,000-group values
    finally:
        sys.path.remove(str(BENCHMARKS))
    values = tmp_path / "groups.yaml"
    values.write_text(yaml.safe_dump(scaled_values(1000)), encoding="utf-8")
    output = ["-o", tmp_path / "out"] if to_directory else []
    ran = syntho_ray("render", "-q", "-f", values, *output)
    assert ran.returncode == 0, ran.stderr
    assert to_directory or ran.stdout.count("groupName: group-") == 1000
    size = values.stat().st_size
    assert ran.peak_rss - baseline <= MEMORY_FACTOR * size, (ran.peak_rss - baseline) / size
