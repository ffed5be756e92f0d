import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyholder.settings")
application = get_asgi_application()

# Start-up objects live as long as the process; see keyholder/wsgi.py for why they are frozen.
gc.collect()
gc.freeze()
