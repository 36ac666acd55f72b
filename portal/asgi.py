import os

from django.core.asgi import get_asgi_application

# Production unless told otherwise: a server started without DJANGO_SETTINGS_MODULE must not run
# with DEBUG and a development key (production refuses to start without SECRET_KEY). Only
# manage.py, and `make worker`/`make beat`, default to the development settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

application = get_asgi_application()
