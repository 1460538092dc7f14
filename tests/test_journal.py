"""backkit.journal: Python's copy of an unsaved session, one small file per timer key."""

import json
import os
import stat

import pytest

from backkit import journal
from backkit.errors import BackkitError

KEY = "backkit.session/0123456789abcdef0123/0123456789abcdef"
T0 = 1_765_000_000.0
EVENTS = [
    {"n": 0, "action": "start", "at": T0, "index": 0, "wall": "2025-12-06T05:46:40+00:00"},
    {"n": 1, "action": "phase", "at": T0 + 1, "index": 1},
    {"n": 2, "action": "pause", "at": T0 + 2.5, "index": 1},
]


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("BACKKIT_HOME", str(home))
    return home


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_written_read_and_removed(home):
    path = journal.write(KEY, EVENTS, title="Single knee to chest", choice="session")
    assert path.parent == home / "journal" and path.name.endswith(".json")
    assert KEY not in str(path)  # the file name says nothing of the log or plan
    assert (mode(path), mode(path.parent)) == (0o600, 0o700)
    copy = journal.read(KEY)
    assert copy == {
        "v": 1, "key": KEY, "events": EVENTS, "alive": T0 + 2.5,
        "title": "Single knee to chest", "choice": "session",
    }  # fmt: skip
    assert journal.remove(KEY) is True
    assert not path.exists() and journal.read(KEY) is None
    assert journal.remove(KEY) is False


def test_a_later_write_replaces_the_earlier_whole(home):
    journal.write(KEY, EVENTS[:1])
    journal.write(KEY, EVENTS)
    assert journal.read(KEY)["events"] == EVENTS
    assert sorted(p.name for p in (home / "journal").iterdir()) == [journal.path_for(KEY).name]


def test_each_key_has_its_own_file():
    journal.write(KEY, EVENTS)
    other = KEY[:-1] + "0"
    assert journal.read(other) is None
    journal.write(other, EVENTS[:2])
    assert len(journal.read(KEY)["events"]) == 3 and len(journal.read(other)["events"]) == 2


def test_reading_writes_nothing(home):
    assert journal.read(KEY) is None
    assert not home.exists()  # not even the data home is made


@pytest.mark.parametrize(
    ("events", "said"),
    [
        ([], "'events' must be a non-empty list"),
        ("start", "'events' must be a non-empty list"),
        ([["start", T0]], "event 1 must be an object"),
        ([{"action": "begin", "at": T0}], "event 1's 'action' must be one of"),
        ([{"action": "start", "at": True}], "event 1's 'at' must be a number"),
        ([{"action": "start", "at": float("nan")}], "event 1's 'at' must be a number"),
        ([{"action": "start", "at": T0, "index": -1}], "event 1's 'index' must be a whole number"),
        ([{"action": "start", "at": T0, "wall": 5}], "event 1's 'wall' must be text"),
        ([{"action": "phase", "at": T0}], "event 1 must be the start"),
    ],
)
def test_bad_events_are_refused_and_nothing_is_written(home, events, said):
    with pytest.raises(BackkitError, match=said) as caught:
        journal.write(KEY, events)
    assert KEY in str(caught.value)  # says whose journal
    assert not home.exists()


def test_an_empty_key_is_refused(home):
    with pytest.raises(BackkitError, match="'key' must not be empty"):
        journal.write("", EVENTS)
    assert journal.remove("") is False and not home.exists()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ("[1, 2]", "a list, not an object"),
        (json.dumps({"v": 2, "key": KEY, "events": []}), "'v' must be 1, got 2"),
        (json.dumps({"v": 1, "key": "another", "events": EVENTS}), "'key' must be"),
        (json.dumps({"v": 1, "events": EVENTS}), "'key' must be text"),
        (json.dumps({"v": 1, "key": KEY, "events": [{"action": "start", "at": "noon"}]}),
         "event 1's 'at' must be a number"),
    ],
)  # fmt: skip
def test_a_file_edited_by_hand_is_an_error_naming_it_and_is_left_as_it_is(text, said):
    path = journal.write(KEY, EVENTS)
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(data)
    with pytest.raises(BackkitError, match=said) as caught:
        journal.read(KEY)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == data


def test_a_file_too_large_is_not_read(monkeypatch):
    path = journal.write(KEY, EVENTS)
    monkeypatch.setattr(journal, "MAX_BYTES", 100)
    with pytest.raises(BackkitError, match="is larger than 100 bytes"):
        journal.read(KEY)
    assert path.exists()


def test_a_folder_in_the_journal_s_place_is_not_read(home):
    journal.path_for(KEY).mkdir(parents=True)
    with pytest.raises(BackkitError, match="not a regular file"):
        journal.read(KEY)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_a_folder_that_refuses_writes_keeps_the_last_journal(home):
    path = journal.write(KEY, EVENTS[:2])
    before = path.read_bytes()
    path.parent.chmod(0o500)  # as a full disk does: nothing new can be written there
    try:
        with pytest.raises(OSError):
            journal.write(KEY, EVENTS)
        with pytest.raises(OSError):
            journal.remove(KEY)
        assert path.read_bytes() == before
        assert sorted(os.listdir(path.parent)) == [path.name]  # no temporary file left
    finally:
        path.parent.chmod(0o700)
    assert json.loads(before)["events"] == EVENTS[:2]


def test_a_full_disk_keeps_the_last_journal_and_leaves_no_temporary_file(home, tmp_path):
    # a real write failure, as root too: a file-size limit in a child process
    import subprocess
    import sys
    import textwrap

    path = journal.write(KEY, EVENTS[:2])
    before = path.read_bytes()
    code = textwrap.dedent(
        f"""
        import json, resource, signal
        from backkit import journal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then writes fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
        events = json.loads({json.dumps(json.dumps(EVENTS))})
        events += [{{"n": i, "action": "phase", "at": {T0} + i, "index": 1}} for i in range(3, 200)]
        try:
            journal.write({KEY!r}, events)
        except OSError as err:
            print("refused:", err.strerror)
        """
    )
    env = {**os.environ, "BACKKIT_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.stdout.startswith("refused:"), (done.stdout, done.stderr)
    assert path.read_bytes() == before
    assert sorted(os.listdir(path.parent)) == [path.name]


def test_newest_of_a_log_and_plan_passes_over_others_and_bad_files(home):
    group = "backkit.session/aaaa/"
    later = [*EVENTS, {"n": 3, "action": "resume", "at": T0 + 9, "index": 1}]
    journal.write(group + "one", EVENTS, choice="bridge")
    journal.write(group + "two", later)  # newer, but no choice: not the app's
    journal.write("backkit.session/bbbb/one", later, choice="squat")  # another log or plan
    bad = journal.write(group + "three", later, choice="session")
    bad.write_text("{edited")
    moved = journal.write(group + "four", later, choice="session")
    moved.rename(moved.with_name("0" * 64 + ".json"))  # not where its key says
    listing = sorted(os.listdir(home / "journal"))
    assert journal.newest(group)["key"] == group + "two"
    assert journal.newest(group, chosen=True)["key"] == group + "one"
    assert journal.newest(group, besides=group + "two")["key"] == group + "one"
    assert journal.newest("backkit.session/cccc/") is None
    assert sorted(os.listdir(home / "journal")) == listing  # reading wrote nothing


def test_newest_without_a_journal_folder_is_none_and_makes_nothing(home):
    assert journal.newest("backkit.session/") is None
    assert not home.exists()
