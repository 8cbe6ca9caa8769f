"""WSGI entry point for gunicorn and runserver; production is configured through the environment.

Before it serves anything, the process loads what the first edit would otherwise load: spaCy's
tokenizer for snapping selections to tokens. Under `gunicorn --preload` this happens once, in the
master, and the forked workers share it. FABULA_WARM_UP=0 skips it (the benchmarks measure both).
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

application = get_wsgi_application()

if os.environ.get("FABULA_WARM_UP", "1") != "0":
    from annotations.services.snapping import warm_up

    warm_up()
