"""Rough edges of reading data (issue 18, item 7): bounded lines, lock files, consoles, file names.

Each test names the defect it pins.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from llmtrends.cli import main
from llmtrends.errors import DataError
from llmtrends.facts import datasets, files
from llmtrends.facts.reading import Problem, read_csv_rows
from llmtrends.facts.rows import OBSERVATION_COLUMNS

LLMTRENDS = Path(sys.executable).with_name("llmtrends")
DOC = "menlo_2025_enterprise"


def _check(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["check", *argv])
    return status, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ a line of 200 MB


def test_a_huge_line_is_refused_after_reading_a_bounded_part_of_it(tmp_path):
    """Defect: a 200 MB CSV line cost 1.6 GB of memory before its (correct) error.

    Memory for the refusal does not grow with the line: 40 MB here, under 8 MB of allocations."""
    root = tmp_path / "data"
    (root / "observations").mkdir(parents=True)
    path = root / "observations" / f"{DOC}.csv"
    with path.open("wb") as fh:
        fh.write((",".join(OBSERVATION_COLUMNS) + "\n").encode())
        fh.write(b"x," + b'"' + b"y" * (40 << 20) + b"\n")
        fh.write(b"z,1\n")
    problems: list[Problem] = []
    tracemalloc.start()
    try:
        rows = read_csv_rows(path, root, OBSERVATION_COLUMNS, problems, exact=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows is None and peak < 8 << 20, f"{peak / 2**20:.0f} MiB"
    [problem] = problems
    assert str(problem).startswith(f"data/observations/{DOC}.csv, line 2: the line is longer than 1,048,576 bytes")
    assert "accepted: lines of at most 1 MiB" in str(problem)


def test_a_huge_line_in_a_data_file_is_one_data_error(data_copy):
    path = data_copy / "observations" / f"{DOC}.csv"
    with path.open("ab") as fh:
        fh.write(b"q" * (3 << 20) + b"\n")
    with pytest.raises(DataError) as err:
        datasets.observations()
    assert "is longer than 1,048,576 bytes" in str(err.value)


def test_a_cell_over_the_csv_readers_bound_says_so(tmp_path):
    """A quote never closed makes the rest of the file one cell: the message names the bound and the likely cause."""
    root = tmp_path / "data"
    (root / "observations").mkdir(parents=True)
    path = root / "observations" / f"{DOC}.csv"
    path.write_text(",".join(OBSERVATION_COLUMNS) + '\nx,"never closed\n' + ("more text\n" * 20000), encoding="utf-8")
    problems: list[Problem] = []
    assert read_csv_rows(path, root, OBSERVATION_COLUMNS, problems, exact=True) is None
    assert "a cell is longer than 131,072 characters" in str(problems[0])
    assert "a double quote that is never closed" in str(problems[0])


# ------------------------------------------------------------------ lock, swap, backup and hidden files


def _lock_file(folder: Path, name: str) -> None:
    if name.startswith(".#"):  # Emacs: a dangling symbolic link naming the user, host and process
        (folder / name).symlink_to("someone@somehost.12345:1700000000")
    elif name.startswith("~$"):  # Microsoft Office: a small binary file
        (folder / name).write_bytes(b"\x0bsomeone   \x00\x00\xff\xfe" + bytes(range(32)))
    else:  # a hidden copy, a LibreOffice lock, an editor backup
        shutil.copy(folder / f"{DOC}.csv", folder / name)


@pytest.mark.parametrize("name", [f".#{DOC}.csv", f"~${DOC}.csv", f".~lock.{DOC}.csv#", f".{DOC}.csv",
                                  f"#{DOC}.csv#", f"{DOC}.csv~", f".{DOC}.csv.swp", "~draft.csv"])
def test_editor_and_office_lock_files_are_ignored_not_missing(data_copy, name):
    """Defect: editor and Office lock files (.#x.csv, ~$x.csv) failed every load with 'file is missing'."""
    rows = len(datasets.observations())
    folder = data_copy / "observations"
    _lock_file(folder, name)
    datasets.clear_cache()
    assert len(datasets.observations()) == rows
    status, out, _ = _check()
    assert status == 0, out
    assert f"ignored (hidden, lock or backup files, not data): observations/{name}" in out


def test_a_hidden_folder_is_not_data(data_copy):
    rows = len(datasets.observations())
    hidden = data_copy / "observations" / ".backup"
    hidden.mkdir()
    shutil.copy(data_copy / "observations" / f"{DOC}.csv", hidden / f"{DOC}.csv")
    datasets.clear_cache()
    assert len(datasets.observations()) == rows


def test_the_ignored_names_are_the_documented_ones():
    assert all(files.ignored(name) for name in (".#x.csv", "~$x.csv", ".~lock.x.csv#", "#x.csv#", "x.csv~", ".x.swp"))
    assert not any(files.ignored(name) for name in ("x.csv", "menlo_2025.csv", "a~b.csv", "a#b.csv", "sources.yaml"))


# ------------------------------------------------------------------ special files among the data


def test_a_fifo_named_like_a_data_file_is_named_not_read(data_copy):
    """A FIFO where a data file should be hangs a plain read: it is named in one problem instead."""
    path = data_copy / "observations" / f"{DOC}.csv"
    path.unlink()
    os.mkfifo(path)
    env = dict(os.environ, LLMTRENDS_DATA=str(data_copy))
    done = subprocess.run([str(LLMTRENDS), "check"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"data/observations/{DOC}.csv: is a FIFO, not a regular file; accepted: a regular file" in done.stdout


# ------------------------------------------------------------------ consoles that are not UTF-8


CONSOLES = {
    "PYTHONIOENCODING=ascii": {"PYTHONIOENCODING": "ascii"},
    "LC_ALL=C (no UTF-8 mode, no locale coercion)": {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
                                                     "PYTHONCOERCECLOCALE": "0"},
    "PYTHONIOENCODING=latin-1": {"PYTHONIOENCODING": "latin-1"},
}


@pytest.mark.parametrize("console", sorted(CONSOLES))
def test_check_on_a_console_that_is_not_utf8_prints_its_output(data_copy, console):
    """Defect: a non-UTF-8 console turned `llmtrends check` into 'unexpected UnicodeEncodeError (a bug)'."""
    path = data_copy / "observations" / f"{DOC}.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    [at] = [i for i, line in enumerate(lines) if ",anthropic," in line][:1]
    lines[at] = lines[at].replace(",anthropic,", ",深度求索公司,", 1)  # a problem message with Chinese in it
    path.write_text("".join(lines), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LANG", "PYTHONUTF8", "PYTHONIOENCODING")}
    env.update(CONSOLES[console], LLMTRENDS_DATA=str(data_copy))
    done = subprocess.run([str(LLMTRENDS), "check"], env=env, capture_output=True, timeout=300)
    out, err = done.stdout.decode("ascii", "replace"), done.stderr.decode("ascii", "replace")
    assert done.returncode == 1 and "unexpected" not in err and "Traceback" not in err, out + err
    assert "unknown entity spelling '\\u6df1\\u5ea6\\u6c42\\u7d22\\u516c\\u53f8'" in out, out


# ------------------------------------------------------------------ control characters in file names


@pytest.mark.parametrize("control", ["\x1b[2J\x1b[31m", "\r", "\x07", "\n", "\u202e", "\x9b"])
def test_control_characters_in_a_file_name_never_reach_the_terminal_raw(data_copy, control):
    """Defect: control characters in file names reached the terminal raw (an escape sequence redraws it)."""
    name = f"bad{control}name.csv"
    shutil.copy(data_copy / "observations" / f"{DOC}.csv", data_copy / "observations" / name)
    status, out, err = _check()
    assert status == 1
    shown = out + err
    assert ("\nname.csv" not in shown) if control == "\n" else (control not in shown)
    escaped = control.encode("unicode_escape").decode("ascii")
    assert f"data/observations/bad{escaped}name.csv: file name must be a document id" in shown, shown
    assert f"'bad{escaped}name' is not" in shown


def test_problem_messages_escape_control_characters_in_every_part():
    problem = Problem("data/x\x1b.csv", "value 'a\rb' is odd", line=3, record="obs_id a\x07", column="c\x1b")
    assert str(problem) == "data/x\\x1b.csv, line 3 (obs_id a\\x07), column 'c\\x1b': value 'a\\rb' is odd"


@pytest.mark.parametrize("chunk", [3, 8])
def test_the_line_bound_holds_exactly_wherever_chunks_end(tmp_path, monkeypatch, chunk):
    """Every line up to the bound is read, the first longer one is named, however the file falls into chunks."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    monkeypatch.setattr(files, "MAX_LINE_BYTES", 8)
    monkeypatch.setattr(files, "_CHUNK", chunk)
    path = tmp_path / "x.csv"

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.integers(0, 12), min_size=1, max_size=8), st.booleans())
    def check(lengths, final_newline):
        data = b"\n".join(b"y" * n for n in lengths) + (b"\n" if final_newline else b"")
        path.write_bytes(data)
        over = [i for i, n in enumerate(lengths, start=1) if n > 8]
        if over:
            with pytest.raises(files.LineTooLong) as err:
                files.read_bytes(path)
            assert err.value.line == over[0]
        else:
            assert files.read_bytes(path) == data

    check()
