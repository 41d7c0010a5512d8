import gc
import os

# One maths thread per process: gunicorn runs several processes, and idle BLAS threads would compete
# with the embedding engine for the CPU (see benchmarks/navigator.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, the search index modules) lives as long as the process:
# moving it out of the garbage collector's reach keeps full collections short. They were what set the
# p95 of the needs dashboard in benchmarks/needs.py (about 120 ms pauses).
gc.collect()
gc.freeze()
