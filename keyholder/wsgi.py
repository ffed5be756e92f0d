import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyholder.settings")
application = get_wsgi_application()

# Move everything loaded at start-up (Django, the apps, the URL map) out of the garbage
# collector's reach: a full collection over those long-lived objects otherwise pauses a request
# for 150-200 ms, which is most of the dashboard's p95 (see bench/dashboard.py).
gc.collect()
gc.freeze()
