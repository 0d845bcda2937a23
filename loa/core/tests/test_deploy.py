"""The production profile: fails closed, `loa check --deploy` clean, static files build, CSP on."""

import os
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "loa.vinhphuc.gov.vn",
    "SITE_URL": "https://loa.vinhphuc.gov.vn",
    "LOA_DEBUG": "false",
    "LOA_HTTPS": "true",
}


def loa(*args, env: dict, tmp_path) -> subprocess.CompletedProcess:
    own = ("LOA_", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    return subprocess.run(
        [sys.executable, "-m", "loa", *args],
        env={**clean, "LOA_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path):
    result = loa("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_start_refuses_a_missing_secret_key(tmp_path):
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = loa("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_invalid_boolean_setting_fails_loudly(tmp_path):
    result = loa("check", env={**PRODUCTION, "LOA_HTTPS": "maybe"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "LOA_HTTPS must be true or false" in result.stderr


def test_static_files_build_with_hashed_names(tmp_path):
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path / "static")}
    result = loa("collectstatic", "--noinput", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.content.decode()


# What the production profile sends, read from a process started with its environment (the
# test settings serve plain http); nginx adds nothing of its own (deploy/nginx/loa.conf).
HEADERS = """
import json
from django.test import Client
page = Client(HTTP_HOST="loa.vinhphuc.gov.vn").get("/accounts/login/", secure=True)
cookie = page.cookies["csrftoken"]
print(json.dumps({**dict(page.headers), "csrf-cookie": [cookie["secure"], cookie["samesite"]]}))
"""


def test_production_pages_carry_the_security_headers_and_policy(tmp_path):
    import json

    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path / "static")}
    assert loa("collectstatic", "--noinput", env=env, tmp_path=tmp_path).returncode == 0
    result = loa("shell", "-c", HEADERS, env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        (part.split(" ", 1) + [""])[:2] for part in headers["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["form-action"] == "'self'" and policy["base-uri"] == "'self'"
    assert headers["csrf-cookie"] == [True, "Lax"]
    assert "X-Request-ID" in headers
