"""Server settings, read once from the environment at start-up.

Handlers receive the frozen `Settings` object; nothing else reads `os.environ`. A missing or malformed
setting stops start-up with one line that names it (`SettingsError`), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_URL = "https://api.github.com/"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    github_app_id: int | None = None
    github_private_key: SecretStr | None = None
    github_private_key_path: Path | None = None
    github_webhook_secret: SecretStr | None = None
    github_webhook_secret_previous: SecretStr | None = None
    github_api_url: str = DEFAULT_API_URL
    # the REST API version to ask for; empty: githubkit's on github.com, 2022-11-28 on Enterprise Server
    github_api_version: str = ""
    # where the manifest form of /setup posts to
    github_web_url: str = "https://github.com"
    database_url: str = "sqlite:///migration-review.db"
    # how GitHub reaches this server, for the manifest of /setup
    public_url: str = Field(default="", validation_alias="MIGRATION_REVIEW_PUBLIC_URL")
    # unpacked snapshots, by commit
    cache_dir: Path = Field(
        default=Path(".migration-review-cache"), validation_alias="MIGRATION_REVIEW_CACHE_DIR"
    )
    # reviews run at once in one process
    workers: int = Field(default=4, ge=1, le=64, validation_alias="MIGRATION_REVIEW_WORKERS")
    # seconds between writes to one installation
    write_interval: float = Field(default=1.0, ge=0, validation_alias="MIGRATION_REVIEW_WRITE_INTERVAL")
    # seconds a request to GitHub may take (connecting: at most 10) before it counts as a timeout
    github_timeout: float = Field(default=30.0, gt=0, validation_alias="MIGRATION_REVIEW_GITHUB_TIMEOUT")
    # seconds a worker of the embedded queue holds a job between renewals (renewed every third of it): a
    # job whose worker was killed is taken again this long after its last renewal at most
    lease: float = Field(default=10.0, gt=0, validation_alias="MIGRATION_REVIEW_LEASE")
    # seconds between looks for deliveries GitHub failed to hand us; 0: never look
    redeliver_every: float = Field(default=600.0, ge=0, validation_alias="MIGRATION_REVIEW_REDELIVER_EVERY")
    job_attempts: int = Field(default=5, ge=1, validation_alias="MIGRATION_REVIEW_JOB_ATTEMPTS")
    snapshot_max_bytes: int = Field(
        default=512 * 1024 * 1024, ge=1, validation_alias="MIGRATION_REVIEW_SNAPSHOT_MAX_BYTES"
    )
    snapshot_max_files: int = Field(
        default=100_000, ge=1, validation_alias="MIGRATION_REVIEW_SNAPSHOT_MAX_FILES"
    )
    # the production probe's connections and policy (docs/probe.md); unset: the probe never runs
    probe_config: Path | None = Field(default=None, validation_alias="PROBE_CONFIG")
    # a scratch server the review runs each change on, up, down and up again (docs/shadow.md): a DSN, or
    # "embedded" for a PostgreSQL of our own; unset: no shadow run. Never the probe's server.
    shadow_dsn: str = Field(default="", validation_alias="MIGRATION_REVIEW_SHADOW_DSN")
    # its limits per review (a repository's file may lower them): seconds for the whole run, which must
    # end before the review's own MIGRATION_REVIEW_REVIEW_TIMEOUT, and for one statement; synthetic rows
    # per table without the probe, and at most
    shadow_timeout: float = Field(
        default=200.0, ge=1, le=3600, validation_alias="MIGRATION_REVIEW_SHADOW_TIMEOUT"
    )
    shadow_statement_timeout: float = Field(
        default=60.0, ge=0.1, le=3600, validation_alias="MIGRATION_REVIEW_SHADOW_STATEMENT_TIMEOUT"
    )
    shadow_rows: int = Field(default=40, ge=1, le=100_000, validation_alias="MIGRATION_REVIEW_SHADOW_ROWS")
    shadow_max_rows: int = Field(
        default=10_000, ge=1, le=1_000_000, validation_alias="MIGRATION_REVIEW_SHADOW_MAX_ROWS"
    )
    # per migration file read through the API
    file_max_bytes: int = Field(default=1024 * 1024, ge=1, validation_alias="MIGRATION_REVIEW_FILE_MAX_BYTES")
    # all migration files of one review together
    review_max_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1, validation_alias="MIGRATION_REVIEW_REVIEW_MAX_BYTES"
    )
    # each review runs in a child process with these limits (seconds of wall clock, MiB of memory)
    review_timeout: float = Field(default=300.0, gt=0, validation_alias="MIGRATION_REVIEW_REVIEW_TIMEOUT")
    review_memory_mb: int = Field(default=2048, ge=64, validation_alias="MIGRATION_REVIEW_REVIEW_MEMORY_MB")
    # the one-time token /setup asks for while the app is unconfigured; unset: a fresh one per start
    setup_token: SecretStr | None = Field(default=None, validation_alias="MIGRATION_REVIEW_SETUP_TOKEN")

    @field_validator("github_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must be sqlite:///relative.db, sqlite:////absolute.db or postgresql://…")
        return value

    @property
    def api_version(self) -> str | None:
        """The X-GitHub-Api-Version to send instead of githubkit's, or None to keep it."""
        if self.github_api_version:
            return self.github_api_version
        return None if self.github_api_url == DEFAULT_API_URL else "2022-11-28"

    @property
    def configured(self) -> bool:
        """True when the app's identity is set; without it only /setup and /healthz serve."""
        return self.github_app_id is not None

    @property
    def app_id(self) -> int:
        if self.github_app_id is None:
            raise SettingsError("GITHUB_APP_ID is not set")
        return self.github_app_id

    @property
    def private_key(self) -> str:
        if self.github_private_key is not None:
            return self.github_private_key.get_secret_value().replace("\\n", "\n")
        if self.github_private_key_path is not None:
            return self.github_private_key_path.read_text(encoding="utf-8")
        raise SettingsError("GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH is not set")

    @property
    def webhook_secrets(self) -> tuple[bytes, ...]:
        secrets = (self.github_webhook_secret, self.github_webhook_secret_previous)
        return tuple(s.get_secret_value().encode() for s in secrets if s is not None)

    @property
    def data_dir(self) -> Path:
        """Where files the server writes go: beside the SQLite database, else the working directory."""
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///")).parent
        return Path.cwd()


def load_settings() -> Settings:
    """Read the environment; raise SettingsError with one line naming the first bad setting."""
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"{name}: {first['msg']}") from None
    if settings.shadow_dsn:
        _check_shadow(settings)
    if settings.configured:
        _check_app(settings)
    elif settings.github_webhook_secret or settings.github_private_key or settings.github_private_key_path:
        raise SettingsError("GITHUB_APP_ID is not set (the private key or webhook secret is)")
    return settings


def _check_app(settings: Settings) -> None:
    if not settings.webhook_secrets:
        raise SettingsError("GITHUB_WEBHOOK_SECRET is not set")
    if settings.github_private_key is None and settings.github_private_key_path is None:
        raise SettingsError("GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH is not set")
    if settings.github_private_key_path is not None and not settings.github_private_key_path.is_file():
        raise SettingsError(f"GITHUB_PRIVATE_KEY_PATH: no such file {settings.github_private_key_path}")
    if "-----BEGIN" not in settings.private_key or "PRIVATE KEY-----" not in settings.private_key:
        name = "GITHUB_PRIVATE_KEY" if settings.github_private_key else "GITHUB_PRIVATE_KEY_PATH"
        raise SettingsError(f"{name}: not a PEM private key")


def _check_shadow(settings: Settings) -> None:
    """The shadow server is a scratch server: never one the probe reads, and its run ends in the review's time."""
    if settings.shadow_timeout >= settings.review_timeout:
        raise SettingsError(
            f"MIGRATION_REVIEW_SHADOW_TIMEOUT: {settings.shadow_timeout:g} s must be below "
            f"MIGRATION_REVIEW_REVIEW_TIMEOUT ({settings.review_timeout:g} s), the time of the whole review"
        )
    if settings.shadow_dsn == "embedded" or settings.probe_config is None:
        return
    from bot.probe.policy import ProbeConfigError, load_probe_config
    from bot.shadow.target import ShadowConfigError, shadow_target

    try:
        probes = tuple(target.dsn for _, target in load_probe_config(settings.probe_config).targets)
    except ProbeConfigError:
        return  # reported where the probe runs
    try:
        shadow_target(settings.shadow_dsn, probes)
    except ShadowConfigError:
        raise SettingsError(
            "MIGRATION_REVIEW_SHADOW_DSN: names a server of PROBE_CONFIG; the shadow run creates and drops "
            "databases, so it needs a scratch server of its own"
        ) from None
