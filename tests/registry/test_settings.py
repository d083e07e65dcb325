import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_check(env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_a_missing_secret_key_is_refused():
    result = run_check({"DEBUG": "false", "ALLOWED_HOSTS": "registry.example"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_without_debug_the_development_key_is_refused():
    result = run_check(
        {
            "DEBUG": "false",
            "SECRET_KEY": "django-insecure-development-only-key-never-used-in-production",
        }
    )
    assert result.returncode != 0
    assert "real secret" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_check(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x7" * 30 + "-production-like-secret",
            "ALLOWED_HOSTS": "registry.example",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_defaults_work_without_variables():
    result = run_check({})
    assert result.returncode == 0, result.stderr
