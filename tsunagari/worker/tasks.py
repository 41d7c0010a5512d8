"""Tasks of the worker itself (django-tasks): one run of a periodic job."""

from __future__ import annotations

from django_tasks import task


@task()
def run_periodic_job(name: str) -> str:
    from .services import run_job

    return run_job(name)
