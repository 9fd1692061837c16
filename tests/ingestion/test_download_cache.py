"""Local copies of Blob Storage files (MEDIA_ROOT/cache) are deleted once older than DOWNLOAD_CACHE_DAYS."""

import os
import time

import pytest
from django.core.management import CommandError, call_command

from ingestion.tasks import download_cache_prune_task


def _file(path, age_days: float):
    """A file of some bytes whose last change was `age_days` ago."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 zip bytes")
    stamp = time.time() - age_days * 86400
    os.utime(path, (stamp, stamp))
    return path


@pytest.fixture
def media(settings, tmp_path):
    """MEDIA_ROOT in a fresh folder."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_old_copies_go_recent_ones_and_stored_files_stay(media, capsys):
    """Only cached copies older than --days are deleted, with their emptied folder; files outside the cache stay."""
    old = _file(media / "cache" / "firds" / "2026" / "FULINS_E_20260801_01of02.zip", age_days=10)
    recent = _file(media / "cache" / "firds" / "FULINS_E_20261121_01of02.zip", age_days=1)
    stored = _file(media / "firds" / "FULINS_E_20260801_02of02.zip", age_days=30)  # local storage itself

    call_command("prune_download_cache", "--days", "7")

    assert not old.exists() and not old.parent.exists()
    assert recent.exists() and stored.exists()
    output = capsys.readouterr().out
    assert str(old) in output and "1 cached file(s) older than 7 days deleted" in output


def test_the_task_takes_its_age_from_settings(media, settings):
    """The beat task deletes by DOWNLOAD_CACHE_DAYS and returns how many files went."""
    settings.DOWNLOAD_CACHE_DAYS = 2
    _file(media / "cache" / "a.zip", age_days=3)
    _file(media / "cache" / "b.zip", age_days=2.5)
    kept = _file(media / "cache" / "c.zip", age_days=1)

    assert download_cache_prune_task() == 2
    assert [path.name for path in (media / "cache").iterdir()] == [kept.name]


def test_no_cache_folder_is_nothing_to_do(media, capsys):
    """Without a cache folder (local storage) the command deletes nothing and says so."""
    call_command("prune_download_cache")
    assert "0 cached file(s)" in capsys.readouterr().out


def test_a_negative_age_is_refused(media):
    """--days below zero is an error naming the value."""
    with pytest.raises(CommandError, match="--days must be 0 or more, not -1"):
        call_command("prune_download_cache", "--days", "-1")
