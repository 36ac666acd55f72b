"""Production: refuses to start without a secret key and turns on HTTPS-only protections."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_int

if not SECRET_KEY:  # noqa: F405
    # wsgi.py, asgi.py and the Celery app load these settings unless told otherwise: say how.
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment for production (portal.settings.production, "
        "the default of portal.wsgi, portal.asgi and the Celery app). For local development set "
        "DJANGO_SETTINGS_MODULE=portal.settings.dev."
    )
if len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# A load balancer's health check speaks plain HTTP to the web process itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^ping$"]
