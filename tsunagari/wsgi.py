import gc
import os

from tsunagari.processes import one_maths_thread_per_process

one_maths_thread_per_process()  # before numpy is imported (by Django's apps)

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
application = get_wsgi_application()

# Each worker loads the navigator (model, index, phrases) now rather than on a resident's first question
# (0.8 s before); TSUNAGARI_WARM_UP=0 skips it (e.g. a server only for staff pages).
if os.environ.get("TSUNAGARI_WARM_UP", "1") != "0":
    from tsunagari.directory.navigator import warm_up

    warm_up()

# Everything loaded so far (Django, the apps, the navigator's index and model) lives as long as the process:
# moving it out of the garbage collector's reach keeps full collections short. They were what set the
# p95 of the needs dashboard in benchmarks/needs.py (about 120 ms pauses).
gc.collect()
gc.freeze()
