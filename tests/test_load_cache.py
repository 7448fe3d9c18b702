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
