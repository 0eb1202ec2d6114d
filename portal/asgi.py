import os

from django.core.asgi import get_asgi_application

from portal.process_warmup import settle_long_lived_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_asgi_application()
settle_long_lived_objects()
