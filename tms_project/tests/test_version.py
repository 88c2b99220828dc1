"""One release number: tms_project.__version__. Files that cannot import it must say the same."""

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tms_project import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_a_release_number():
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_the_api_schema_reads_it():
    assert settings.SPECTACULAR_SETTINGS["VERSION"] == __version__


def test_pyproject_says_the_same():
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == __version__


def test_the_web_app_says_the_same():
    package = json.loads((ROOT / "frontend/package.json").read_text())
    lock = json.loads((ROOT / "frontend/package-lock.json").read_text())
    assert package["version"] == lock["version"] == lock["packages"][""]["version"] == __version__


@pytest.mark.parametrize("overlay", ["local", "production"])
def test_each_overlay_deploys_and_labels_this_version(overlay):
    kustomization = yaml.safe_load((ROOT / "k8s/overlays" / overlay / "kustomization.yaml").read_text())
    tags = {image["name"]: image["newTag"] for image in kustomization["images"]}
    assert tags == {"tms-backend": __version__, "tms-frontend": __version__}
    release = yaml.safe_load((ROOT / "k8s/overlays" / overlay / "release.yaml").read_text())
    assert release["spec"] == {"backend": __version__, "frontend": __version__}
