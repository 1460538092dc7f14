"""Where the person's data lives and which time zone and day the kit uses."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs
import pytest
import tzlocal

from backkit import config
from backkit.errors import ConfigError


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """As from a wheel: no checkout, no $BACKKIT_HOME, a throw-away home folder."""
    monkeypatch.delenv("BACKKIT_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "person"))
    monkeypatch.setattr(config, "repository_root", lambda: None)
    platform = tmp_path / "platform" / "backkit"
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(platform))
    return tmp_path


def _checkout(top: Path) -> Path:
    (top / "notebooks").mkdir(parents=True)
    (top / "data").mkdir()
    (top / "pyproject.toml").write_text("")
    return top


def _make_foreign(path: Path) -> None:
    """Make ``path`` another person's (as root) or not writable by this one."""
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)  # nobody
    else:
        path.chmod(0o555)


class TestDataHome:
    def test_backkit_home_wins(self, tmp_path, monkeypatch):
        monkeypatch.setenv("BACKKIT_HOME", str(tmp_path / "mine"))
        assert config.data_home() == tmp_path / "mine"

    def test_a_checkout_keeps_its_data_folder(self, monkeypatch):
        monkeypatch.delenv("BACKKIT_HOME", raising=False)
        top = config.repository_root()
        assert top is not None, "the tests run from a checkout"
        assert config.data_home(create=False) == top / "data"

    def test_a_checkout_someone_else_owns_is_nobodys_data_home(self, installed, monkeypatch):
        # an editable install or a copy on PYTHONPATH on a shared server (issue 27)
        top = _checkout(installed / "shared-checkout")
        _make_foreign(top)
        monkeypatch.setattr(config, "repository_root", lambda: top)
        assert config.checkout_data_home() is None
        assert config.data_home() == installed / "platform" / "backkit"

    def test_nor_is_a_data_folder_someone_else_owns(self, installed, monkeypatch):
        top = _checkout(installed / "checkout")
        _make_foreign(top / "data")
        monkeypatch.setattr(config, "repository_root", lambda: top)
        assert config.checkout_data_home() is None
        assert config.data_home() == installed / "platform" / "backkit"

    def test_ones_own_checkout_keeps_its_data_folder(self, installed, monkeypatch):
        top = _checkout(installed / "checkout")
        monkeypatch.setattr(config, "repository_root", lambda: top)
        assert config.data_home() == top / "data"

    def test_installed_it_is_the_systems_place_for_program_data(self, installed):
        home = config.data_home()
        assert home == installed / "platform" / "backkit"
        assert config.default_log_path() == home / "backkit-log.sqlite"

    def test_an_existing_home_of_earlier_versions_keeps_being_read(self, installed):
        legacy = installed / "person" / ".local" / "share" / "backkit"
        legacy.mkdir(parents=True)
        assert config.data_home() == legacy

    def test_created_private_whatever_the_umask(self, installed):
        old = os.umask(0o022)
        try:
            home = config.data_home()
        finally:
            os.umask(old)
        assert mode(home) == 0o700 and mode(home.parent) == 0o700

    def test_an_existing_folder_keeps_its_mode(self, tmp_path, monkeypatch):
        mine = tmp_path / "shared"
        mine.mkdir()
        mine.chmod(0o750)
        monkeypatch.setenv("BACKKIT_HOME", str(mine))
        assert mode(config.data_home()) == 0o750


class TestTimeZone:
    @pytest.fixture(autouse=True)
    def _fresh(self, monkeypatch):
        monkeypatch.delenv("BACKKIT_TZ", raising=False)
        config._system_zone.cache_clear()
        yield
        config._system_zone.cache_clear()

    def test_backkit_tz_wins(self, monkeypatch):
        monkeypatch.setenv("BACKKIT_TZ", "Asia/Tokyo")
        assert config.kit_timezone() == ZoneInfo("Asia/Tokyo")

    def test_a_bad_backkit_tz_says_what_to_give(self, monkeypatch):
        monkeypatch.setenv("BACKKIT_TZ", "Mars/Olympus")
        with pytest.raises(ConfigError, match="'Mars/Olympus' is not a known time zone"):
            config.kit_timezone()

    def test_the_system_zone_by_name_follows_daylight_saving(self, monkeypatch):
        monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: "America/New_York")
        zone = config.kit_timezone()
        assert zone == ZoneInfo("America/New_York")
        winter = dt.datetime(2025, 1, 15, 12, tzinfo=zone).utcoffset()
        summer = dt.datetime(2025, 7, 15, 12, tzinfo=zone).utcoffset()
        assert (winter, summer) == (dt.timedelta(hours=-5), dt.timedelta(hours=-4))

    def test_no_zone_name_falls_back_to_the_current_offset(self, monkeypatch):
        def no_name():
            raise LookupError("no zone configured")

        monkeypatch.setattr(tzlocal, "get_localzone_name", no_name)
        zone = config.kit_timezone()
        assert zone.utcoffset(dt.datetime.now()) == dt.datetime.now().astimezone().utcoffset()


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("UTC", "2026-12-07"),
        ("Pacific/Kiritimati", "2026-12-08"),
        ("Pacific/Pago_Pago", "2026-12-06"),
    ],
)
def test_today_is_the_date_in_the_kits_zone(monkeypatch, pin_today, zone, day):
    pin_today("2026-12-07T10:30+00:00")  # Kiritimati (UTC+14) a day ahead, Pago Pago (-11) behind
    monkeypatch.setenv("BACKKIT_TZ", zone)
    assert config.today() == dt.date.fromisoformat(day)


class TestClock:
    def test_the_pinned_clock_runs_on_from_the_moment_it_was_pinned(self, monkeypatch):
        monkeypatch.setenv("BACKKIT_TODAY", f"2026-03-29T00:59:58+00:00@{time.time() - 5}")
        ran = config.now() - dt.datetime(2026, 3, 29, 0, 59, 58, tzinfo=dt.timezone.utc)
        assert dt.timedelta(seconds=5) <= ran < dt.timedelta(seconds=60)

    def test_a_date_alone_is_mid_morning_in_the_kits_zone(self, monkeypatch):
        monkeypatch.setenv("BACKKIT_TZ", "Asia/Tokyo")
        monkeypatch.setenv("BACKKIT_TODAY", "2026-12-31")
        assert config.today() == dt.date(2026, 12, 31)
        assert config.now().astimezone(ZoneInfo("Asia/Tokyo")).hour == 10

    def test_every_process_reads_the_same_clock(self, monkeypatch):
        monkeypatch.setenv("BACKKIT_TODAY", f"2026-12-31T23:00+00:00@{time.time()}")
        code = "from backkit import config; print(config.today(), config.now().year)"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.split() == ["2026-12-31", "2026"]

    def test_without_a_pin_it_is_the_computers_clock(self, monkeypatch):
        monkeypatch.delenv("BACKKIT_TODAY")
        assert abs(config.now() - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(seconds=5)

    @pytest.mark.parametrize("value", ["tomorrow", "2026-13-01", "2026-12-07@soon"])
    def test_a_bad_pin_is_one_error_naming_the_setting(self, monkeypatch, value):
        monkeypatch.setenv("BACKKIT_TODAY", value)
        message = rf"BACKKIT_TODAY: {re.escape(repr(value))} is not a date"
        with pytest.raises(ConfigError, match=message):
            config.today()
