import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shakyo.settings")
application = get_wsgi_application()

# What is loaded by now (settings, apps, models, URL patterns) lives as long as the worker:
# move it out of the garbage collector's way. A page allocates ~10^5 short-lived objects;
# with the default thresholds every few hundred of them started a collection, and the
# full ones walked the whole heap (bench/: the slowest entry pages took twice the median).
gc.freeze()
gc.set_threshold(20_000, 20, 20)
