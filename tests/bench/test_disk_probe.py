"""bench/disk.py: what the disk did while a write figure ran."""

import time

from bench.disk import DiskProbe


def test_the_probe_times_its_syncs_and_leaves_no_file(tmp_path):
    with DiskProbe(tmp_path, interval=0.005) as probe:
        time.sleep(0.3)
    found = probe.summary()
    assert found["n"] >= 5 and 0 < found["p50"] <= found["p99"] <= found["max"]
    assert "fdatasync every 5 ms" in probe.describe()
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_takes_no_file_gives_the_figure_without_the_disk(tmp_path):
    with DiskProbe(tmp_path / "missing") as probe:
        time.sleep(0.05)
    assert probe.summary() is None and probe.describe() == ""
