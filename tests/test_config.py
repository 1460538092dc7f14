"""Where the person's data lives and which time zone and day the kit uses."""

from __future__ import annotations

import datetime as dt
import os
import stat
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


class TestDataHome:
    def test_backkit_home_wins(self, tmp_path, monkeypatch):
        monkeypatch.setenv("BACKKIT_HOME", str(tmp_path / "mine"))
        assert config.data_home() == tmp_path / "mine"

    def test_a_checkout_keeps_its_data_folder(self, monkeypatch):
        monkeypatch.delenv("BACKKIT_HOME", raising=False)
        top = config.repository_root()
        assert top is not None, "the tests run from a checkout"
        assert config.data_home(create=False) == top / "data"

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


def test_today_is_the_date_in_the_kits_zone(monkeypatch):
    monkeypatch.setenv("BACKKIT_TZ", "Pacific/Kiritimati")  # UTC+14: often a day ahead
    assert config.today() == dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
