"""The Dockerfile and compose file agree with the package (the image itself cannot be built
here: there is no base image without a registry)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_the_install_line_names_extras_that_pyproject_defines():
    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    installs = re.findall(r'pip install "\.\[([\w,]+)\]"', _dockerfile())
    assert installs == ["serve"]
    assert set(installs[0].split(",")) <= extras


def test_the_image_runs_as_a_user_the_main_job_and_copies_the_notebooks():
    text = _dockerfile()
    assert re.search(r"^FROM python:3\.11-slim", text, re.M)
    assert re.search(r"^USER factorlab$", text, re.M)
    assert 'CMD ["factorlab", "run"' in text
    assert "COPY notebooks ./notebooks" in text
    assert re.search(r"^EXPOSE 8000$", text, re.M)


def test_compose_serves_the_api_beside_ollama_on_the_documented_port():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["ollama"]["image"].startswith("ollama/ollama")
    app = services["factorlab"]
    assert app["environment"]["OLLAMA_HOST"] == "http://ollama:11434"
    assert app["command"][:2] == ["factorlab", "serve"] and "8000" in app["command"]
    assert app["ports"] == ["127.0.0.1:8000:8000"]
    # It binds 0.0.0.0 inside the container, so it must be given a token (serve refuses else).
    assert "0.0.0.0" in app["command"]
    assert app["environment"]["FACTORLAB_API_TOKEN"].startswith("${FACTORLAB_API_TOKEN:?")
