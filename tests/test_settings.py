"""Settings come from the environment; a bad one is one line that names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.settings import SettingsError, load_settings


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, key_pair: tuple[str, str]) -> pytest.MonkeyPatch:
    for name in (
        "GITHUB_APP_ID",
        "GITHUB_PRIVATE_KEY",
        "GITHUB_PRIVATE_KEY_PATH",
        "GITHUB_WEBHOOK_SECRET",
        "GITHUB_WEBHOOK_SECRET_PREVIOUS",
        "GITHUB_API_URL",
        "DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_APP_ID", "123")
    monkeypatch.setenv("GITHUB_PRIVATE_KEY", key_pair[0].replace("\n", "\\n"))
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "s")
    return monkeypatch


def test_complete_settings_load(env: pytest.MonkeyPatch, key_pair: tuple[str, str]) -> None:
    env.setenv("GITHUB_API_URL", "https://ghe.example.com/api/v3")
    env.setenv("DATABASE_URL", "sqlite:////var/lib/mr/app.db")
    settings = load_settings()
    assert settings.app_id == 123
    assert settings.private_key == key_pair[0]
    assert settings.github_api_url == "https://ghe.example.com/api/v3/"
    assert settings.data_dir == Path("/var/lib/mr")
    assert settings.webhook_secrets == (b"s",)


def test_key_from_a_file(env: pytest.MonkeyPatch, tmp_path: Path, key_pair: tuple[str, str]) -> None:
    env.delenv("GITHUB_PRIVATE_KEY")
    (tmp_path / "key.pem").write_text(key_pair[0])
    env.setenv("GITHUB_PRIVATE_KEY_PATH", str(tmp_path / "key.pem"))
    assert load_settings().private_key == key_pair[0]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GITHUB_APP_ID", "abc", "GITHUB_APP_ID: "),
        ("GITHUB_WEBHOOK_SECRET", None, "GITHUB_WEBHOOK_SECRET is not set"),
        ("GITHUB_PRIVATE_KEY", "not a key", "GITHUB_PRIVATE_KEY: not a PEM private key"),
        ("GITHUB_PRIVATE_KEY", None, "GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH is not set"),
        ("GITHUB_API_URL", "api.github.com", "GITHUB_API_URL: "),
        ("DATABASE_URL", "mysql://db/x", "DATABASE_URL: "),
        ("MIGRATION_REVIEW_WORKERS", "0", "MIGRATION_REVIEW_WORKERS: "),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    env: pytest.MonkeyPatch, name: str, value: str | None, message: str
) -> None:
    if value is None:
        env.delenv(name)
    else:
        env.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_nothing_set_starts_in_setup_mode(env: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET"):
        env.delenv(name)
    assert not load_settings().configured
