"""Local development: relaxes base.py, never adds anything production needs."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = ["*"]
# The benchmarks (`manage.py bench`): tooling, which production does not carry.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# The demo's secretariat account reaches the admin with its password alone; set
# MFA_REQUIRED_FOR_SECRETARIAT=true to try the production behaviour locally.
MFA_REQUIRED_FOR_SECRETARIAT = env_bool("MFA_REQUIRED_FOR_SECRETARIAT", False)
