"""The validated cache on disk (llmtrends/facts/cache.py): reused only while nothing it depends on changed."""
from __future__ import annotations

import pytest

import llmtrends.version
from llmtrends.facts import cache as _cache
from llmtrends.facts import datasets, loading
from llmtrends.facts.records import load_registry
from llmtrends.errors import DataError


@pytest.fixture
def counted(data_copy, tmp_path, monkeypatch):
    """load_or_build over the data copy, counting how often the data is really read."""
    monkeypatch.setenv("LLMTRENDS_CACHE", str(tmp_path / "cache"))
    calls = []

    def load():
        def build():
            calls.append(1)
            return loading._Loaded(load_registry(data_copy))
        return _cache.load_or_build(data_copy, build, lazy=("registry", "observations"))  # as datasets does
    return load, calls


def test_a_second_load_of_unchanged_data_comes_from_the_cache(counted):
    load, calls = counted
    first, second = load(), load()
    assert len(calls) == 1
    assert second.observations.equals(first.observations)
    assert list(second.figures["obs_ids"]) == list(first.figures["obs_ids"])


def test_the_records_of_a_cached_load_are_the_validated_ones(counted):
    load, calls = counted
    built = load()
    cached = load()
    assert len(calls) == 1
    assert type(cached.registry.observations).__name__ == "LazyRecords"
    assert len(cached.registry.observations) == len(built.registry.observations) > 0
    assert cached.registry.observations == built.registry.observations
    assert [r["obs_id"] for r in cached.registry.observations] == [r["obs_id"] for r in built.registry.observations]


def test_any_edit_of_a_data_file_rebuilds(counted, data_copy):
    load, calls = counted
    before = load()
    path = next((data_copy / "observations").glob("*.csv"))
    old = before.observations["value"].iloc[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n", encoding="utf-8")  # the bytes change, the rows do not
    load()
    assert len(calls) == 2
    (data_copy / "new_file.txt").write_text("x", encoding="utf-8")
    load()
    assert len(calls) == 3
    assert old == before.observations["value"].iloc[0]


def test_a_new_llmtrends_version_rebuilds(counted, monkeypatch):
    load, calls = counted
    load()
    monkeypatch.setattr(llmtrends.version, "__version__", "99.0")
    load()
    assert len(calls) == 2


def test_an_unreadable_cache_file_is_rebuilt_not_trusted(counted, data_copy):
    load, calls = counted
    load()
    for path in _cache.cache_dir().glob("*.pickle"):
        path.write_bytes(b"not a pickle")
    assert len(load().observations) > 0
    assert len(calls) == 2


def test_a_broken_file_raises_the_same_error_every_time(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("LLMTRENDS_CACHE", str(tmp_path / "cache"))
    path = next(p for p in sorted((data_copy / "observations").glob("*.csv"))
                if ",exact," in p.read_text(encoding="utf-8").splitlines()[1])  # a first row to break
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[0] + lines[1].replace(",exact,", ",exactly,", 1) + "".join(lines[2:]), encoding="utf-8")
    messages = []
    for _ in range(2):
        datasets.clear_cache()
        with pytest.raises(DataError) as err:
            datasets.observations()
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "unknown qualifier 'exactly'" in messages[0]
    assert not list((tmp_path / "cache").glob("*.pickle")), "a failed load is never cached"


def test_cache_off_reads_the_data_every_time(counted, monkeypatch):
    load, calls = counted
    monkeypatch.setenv("LLMTRENDS_CACHE", "off")
    load(), load()
    assert len(calls) == 2


# ------------------------------------------------------------------ issue 18, item 1: a cache that proves what it serves
# Each test names the defect it pins (reproduced by the hostile test of issue 18).

import os  # noqa: E402
import signal  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from llmtrends.facts import files  # noqa: E402

MONTHS_CSV = "observations/menlo_2025_enterprise.csv"
MONTHS_TEXT = b"unparalleled 18 months"  # the CSV says 18
MONTHS_ROW = "me25-months-atop-coding-leaderboards-anthropic"


def _cache_files(folder):
    return sorted(p for p in folder.glob("*.pickle"))


def _months(loaded) -> tuple[str, float]:
    """The quote and value of the 18-months row, as a load serves them (frames and validated records)."""
    obs = loaded.observations.set_index("obs_id").loc[MONTHS_ROW]
    [record] = [r for r in loaded.registry.observations if r["obs_id"] == MONTHS_ROW]
    assert record["quote"] == obs["quote"] and record["value"] == obs["value"]
    return obs["quote"], obs["value"]


@pytest.mark.parametrize("where", ["frames (first copy)", "validated records (lazily read, last copy)", "every copy"])
def test_same_length_bytes_changed_in_the_cache_file_are_never_served(counted, tmp_path, where):
    """Defect: '99 months' changed into the pickle (same length) was served where the CSV says 18."""
    load, calls = counted
    load()
    [path] = _cache_files(tmp_path / "cache")
    blob = path.read_bytes()
    assert blob.count(MONTHS_TEXT) >= 2, "the quote is stored in the frames and in the records"
    if where.startswith("frames"):
        at = blob.index(MONTHS_TEXT)
    elif where.startswith("validated"):
        at = blob.rindex(MONTHS_TEXT)
    if where == "every copy":
        blob = blob.replace(MONTHS_TEXT, b"unparalleled 99 months")
    else:
        blob = blob[:at] + b"unparalleled 99 months" + blob[at + len(MONTHS_TEXT):]
    path.write_bytes(blob)
    quote, value = _months(load())
    assert "18 months" in quote and "99" not in quote and value == 18
    assert len(calls) == 2, "the tampered file was rebuilt"
    assert MONTHS_TEXT in path.read_bytes() and b"99 months" not in path.read_bytes(), "and replaced"


def test_a_re_pickled_value_under_the_stored_key_is_not_served(counted, tmp_path):
    """Defect: a re-pickled frame (a share of 82%) under the stored key reached the stakeholder HTML.

    The forged file keeps the stored header (key, digests and lengths) and puts another pickled value
    in place of the stored one."""
    import json
    import pickle

    load, calls = counted
    first = load()
    [path] = _cache_files(tmp_path / "cache")
    blob = path.read_bytes()
    start = len(_cache._MAGIC) + _cache._LENGTH
    size = int.from_bytes(blob[len(_cache._MAGIC):start], "big")
    header = json.loads(blob[start:start + size])
    (length, _), (records_length, _) = header["parts"]
    first.registry.observations = []
    first.observations.loc[first.observations.obs_id == MONTHS_ROW, "value"] = 82.0
    forged = pickle.dumps(first, protocol=pickle.HIGHEST_PROTOCOL)
    records = blob[start + size + length:]
    assert len(records) == records_length
    path.write_bytes(blob[:start + size] + forged + records)
    _, value = _months(load())
    assert value == 18 and len(calls) == 2


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "header only", "records cut short"])
def test_a_damaged_cache_file_is_rebuilt_never_served_never_a_traceback(counted, tmp_path, damage):
    """Defect: a corrupt lazily-read payload raised a raw UnicodeDecodeError on every call and was never rebuilt."""
    load, calls = counted
    built = load()
    [path] = _cache_files(tmp_path / "cache")
    blob = path.read_bytes()
    path.write_bytes({"truncated": blob[: len(blob) // 2], "garbage": os.urandom(len(blob)), "empty": b"",
                      "header only": blob[:200], "records cut short": blob[:-10] + b"\xff" * 10}[damage])
    again = load()
    assert len(calls) == 2
    assert again.registry.observations == built.registry.observations  # the lazy records read back whole
    assert _months(again)[1] == 18
    load()
    assert len(calls) == 2, "the rebuilt file is served next time"


def _special(kind: str, path, outside):
    """Put a special file where the cache file should be."""
    path.unlink()
    if kind == "FIFO":
        os.mkfifo(path)
    elif kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "link elsewhere":
        outside.write_bytes(b"a file the cache must not touch")
        path.symlink_to(outside)
    elif kind == "folder":
        path.mkdir()


PROBE_LOAD = """
import sys, llmtrends.facts.loading as l
print(l._loaded().observations.set_index("obs_id").loc[sys.argv[1], "value"])
"""


@pytest.mark.parametrize("kind", ["FIFO", "link to /dev/zero", "link elsewhere", "folder"])
def test_a_special_file_as_the_cache_file_is_rebuilt_without_a_hang(data_copy, tmp_path, kind):
    """Defect: a FIFO as the cache file hung every load (a link to /dev/zero reads forever)."""
    env = dict(os.environ, LLMTRENDS_DATA=str(data_copy), LLMTRENDS_CACHE=str(tmp_path / "cache"))
    probe = [sys.executable, "-c", PROBE_LOAD, MONTHS_ROW]
    first = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    [path] = _cache_files(tmp_path / "cache")
    outside = tmp_path / "outside.bin"
    _special(kind, path, outside)
    done = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=120)  # a hang fails here
    assert done.returncode == 0 and done.stdout.split() == ["18.0"] and "Traceback" not in done.stderr, done.stderr
    if kind == "folder":
        assert path.is_dir()  # not ours to remove: the load works without the cache
    else:
        assert stat.S_ISREG(path.lstat().st_mode), "a regular cache file took the special file's place"
    if kind == "link elsewhere":
        assert outside.read_bytes() == b"a file the cache must not touch"


@pytest.mark.parametrize("who", ["another user's file", "a file others may write"])
def test_a_cache_file_others_could_have_written_is_not_unpickled(counted, tmp_path, who):
    """Unpickling runs code: a cache file is read only when this user wrote it and nobody else may write it."""
    load, calls = counted
    load()
    [path] = _cache_files(tmp_path / "cache")
    if who == "another user's file":
        if os.geteuid() != 0:
            pytest.skip("changing a file's owner needs root")
        os.chown(path, 65534, 65534)
    else:
        path.chmod(0o666)
    assert _months(load())[1] == 18
    assert len(calls) == 2


def _edit_months(data, new: bytes = b"19") -> None:
    """Change the 18-months row's value and quote in place (same size: one digit pair for another)."""
    path = data / MONTHS_CSV
    text = path.read_bytes()
    row = text.index(MONTHS_ROW.encode())
    at = text.index(b",18,", row)
    quote = text.index(MONTHS_TEXT, row)
    edited = bytearray(text)
    edited[at + 1:at + 3] = new
    edited[quote + 13:quote + 15] = new
    with open(path, "r+b") as fh:  # in place: same inode, same size
        fh.write(bytes(edited))


def test_a_save_during_a_load_never_files_new_data_under_the_old_key(data_copy, tmp_path, monkeypatch):
    """Defect: the key was computed before the files were read, so an editor's save during a load filed
    the new data under the old key - stale once the edit was undone."""
    monkeypatch.setenv("LLMTRENDS_CACHE", str(tmp_path / "cache"))
    path = data_copy / MONTHS_CSV
    original = path.read_bytes()
    real = loading.load_registry
    saves = []

    def saved_meanwhile(root):
        if not saves:
            saves.append(1)
            _edit_months(data_copy, b"19")  # the editor saves while the load runs
        return real(root)

    monkeypatch.setattr(loading, "load_registry", saved_meanwhile)
    during = _months(loading._loaded())[1]
    assert during == 18, "the load validated the bytes it keyed on (read before the save)"
    assert _months(loading._loaded())[1] == 19, "the save is seen by the next load"
    path.write_bytes(original)  # the edit is undone
    for fresh in (False, True):
        if fresh:
            datasets.clear_cache()  # a new process: from the disk cache
        assert _months(loading._loaded())[1] == 18


@pytest.mark.parametrize("cache", ["in-process", "on disk", "run cache"])
def test_a_symlinked_observations_folder_does_not_hide_an_edit(data_copy, tmp_path, monkeypatch, cache):
    """Defect: with data/observations a symbolic link, no cache (disk, in-process, run) saw an edit under it."""
    monkeypatch.setenv("LLMTRENDS_CACHE", str(tmp_path / "cache"))
    real = tmp_path / "elsewhere" / "observations"
    real.parent.mkdir()
    (data_copy / "observations").rename(real)
    (data_copy / "observations").symlink_to(real, target_is_directory=True)
    if cache == "run cache":
        from llmtrends.batch.cache import SharedInputs
        before = SharedInputs.collect().data
        _edit_months(data_copy, b"19")
        assert SharedInputs.collect().data != before
        return
    assert _months(loading._loaded())[1] == 18
    _edit_months(data_copy, b"19")
    if cache == "on disk":
        datasets.clear_cache()
    assert _months(loading._loaded())[1] == 19


def test_an_edit_that_keeps_size_and_modification_time_is_seen(data_copy, tmp_path, monkeypatch):
    """Defect: the in-process cache compared (path, mtime, size): an edit of the same size that keeps the
    modification time (within the second on coarse file systems, or restored by a tool) was not seen."""
    monkeypatch.setenv("LLMTRENDS_CACHE", str(tmp_path / "cache"))
    path = data_copy / MONTHS_CSV
    assert _months(loading._loaded())[1] == 18
    before = path.stat()
    _edit_months(data_copy, b"19")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert _months(loading._loaded())[1] == 19


def test_on_one_second_timestamps_a_same_size_edit_within_the_second_is_seen(tmp_path, monkeypatch):
    """Defect: on a file system with one-second timestamps a same-size edit within the second was not seen.

    Timestamps are read at one-second resolution here (as FAT, ext3 or HFS+ give them) and the file is edited
    in place within the second it was first read: size, inode, mtime and ctime all look unchanged, so only
    content can tell (the file changed too recently for its timestamps to be trusted)."""
    monkeypatch.setattr(files, "_TIMESTAMP_NS", 1_000_000_000)
    folder = tmp_path / "d"
    folder.mkdir()
    target = folder / "x.csv"
    for _ in range(5):
        time.sleep(1.02 - time.time() % 1)  # just after a second starts
        second = int(time.time())
        target.write_bytes(b"a,b\n1,18\n")
        before = files.state(folder)
        assert files.state(folder) == before, "nothing changed yet"
        with open(target, "r+b") as fh:
            fh.write(b"a,b\n1,19\n")
        after = files.state(folder)
        if int(time.time()) == second:  # the whole sequence fell within one second: the case under test
            break
    else:
        pytest.skip("the machine was too slow to edit within one second")
    assert files._signature(target.stat()) == files._known[str(target)][0], "every field looks unchanged"
    assert after != before


def test_temp_files_of_a_killed_cache_writer_are_cleaned(data_copy, tmp_path):
    """Defect: SIGKILL during the cache write left its temp file forever."""
    cache = tmp_path / "cache"
    env = dict(os.environ, LLMTRENDS_DATA=str(data_copy), LLMTRENDS_CACHE=str(cache))
    stuck = """
import os, time, llmtrends.facts.loading as l
os.replace = lambda *a: time.sleep(600)   # the writer dies between writing its temp file and renaming it
l._loaded()
"""
    child = subprocess.Popen([sys.executable, "-c", stuck], env=env)
    try:
        deadline = time.time() + 240
        while not list(cache.glob("*.tmp")) and time.time() < deadline and child.poll() is None:
            time.sleep(0.2)
        assert list(cache.glob("*.tmp")), "the writer got as far as its temp file"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    (cache / "notes.txt").write_text("not the cache's")
    done = subprocess.run([sys.executable, "-c", PROBE_LOAD, MONTHS_ROW], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert not list(cache.glob("*.tmp")), "the dead writer's temp file is gone"
    assert (cache / "notes.txt").exists() and len(_cache_files(cache)) == 1


def test_a_live_writers_temp_file_is_left_alone(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    mine = cache / f"data-0123456789abcdef.pickle.{os.getpid()}.x1.tmp"
    mine.write_bytes(b"being written")
    old = cache / "data-0123456789abcdef.picklex2.tmp"  # a writer of the previous format, hours ago
    old.write_bytes(b"")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert _cache.clean_temp_files(cache) == [old.name]
    assert mine.exists()


def test_no_home_folder_outside_a_checkout_means_no_cache_and_one_line(monkeypatch, capsys, data_copy):
    """Defect: HOME unset for a uid without a passwd entry (containers) gave a raw RuntimeError."""
    import pwd

    from llmtrends import paths

    for name in ("HOME", "XDG_CACHE_HOME", "LLMTRENDS_CACHE"):
        monkeypatch.delenv(name, raising=False)

    def no_entry(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    monkeypatch.setattr(paths, "REPO_ROOT", None)  # an installed package, outside any checkout
    monkeypatch.setattr(_cache, "_said", set())
    assert _cache.cache_dir() is None
    assert _months(loading._loaded())[1] == 18
    datasets.clear_cache()
    loading._loaded()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no home folder" in err[0] and "LLMTRENDS_CACHE" in err[0], err


def test_no_home_folder_in_a_checkout_keeps_the_cache_in_the_checkout(monkeypatch):
    from llmtrends import paths

    for name in ("HOME", "XDG_CACHE_HOME", "LLMTRENDS_CACHE"):
        monkeypatch.delenv(name, raising=False)
    assert paths.REPO_ROOT is not None
    assert _cache.cache_dir() == paths.REPO_ROOT / ".llmtrends-cache"


def test_an_editor_lock_file_appearing_does_not_invalidate_the_cache(counted, data_copy):
    """A lock, swap or backup file is not data: it neither fails the load nor forces validating again."""
    load, calls = counted
    load()
    (data_copy / "observations" / "~$menlo_2025_enterprise.csv").write_bytes(b"\x00\x01 office lock")
    (data_copy / "observations" / ".menlo_2025_enterprise.csv.swp").write_bytes(b"\x00vim")
    load()
    assert len(calls) == 1


# --------------------------------------------------------------------------- one report, one version of the data

def _edit_a_value(data_copy):
    path = data_copy / "observations" / "vercel_2026_ai_gateway_index.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    [at] = [i for i, line in enumerate(lines) if line.startswith("vag-agentic-token-share-2026-04,")]
    lines[at] = lines[at].replace(",59,", ",58,", 1).replace("59%", "58%")
    path.write_text("".join(lines), encoding="utf-8")


def _agentic_share() -> float:
    obs = datasets.observations()
    return float(obs.loc[obs["obs_id"] == "vag-agentic-token-share-2026-04", "value"].iloc[0])


def test_a_pinned_block_serves_one_version_of_the_data_and_the_next_load_sees_the_edit(data_copy, monkeypatch):
    monkeypatch.setenv("LLMTRENDS_CACHE", "off")
    datasets.clear_cache()
    with loading.served_states() as states, loading.pinned():
        first = loading.registry()
        assert _agentic_share() == 59
        _edit_a_value(data_copy)  # a save while a report is being computed
        assert loading.registry() is first and _agentic_share() == 59, "one report, one version of the data"
    assert len(set(states)) == 1 and len(states) >= 3, "every load served in the block is recorded, at one state"
    assert _agentic_share() == 58, "outside the block the edit is seen"


def test_a_report_function_is_pinned_so_its_figures_come_from_one_version(data_copy, monkeypatch):
    from llmtrends.stories.themes import agentic_usage
    monkeypatch.setenv("LLMTRENDS_CACHE", "off")
    datasets.clear_cache()
    seen = []
    real = loading._load

    def counting(root):
        seen.append(1)
        return real(root)
    monkeypatch.setattr(loading, "_load", counting)
    agentic_usage.agentic_usage()
    assert len(seen) == 1, f"the report checked the data {len(seen)} times, not once"
