"""Delivery tasks (django-tasks), run by the worker."""

from __future__ import annotations

from django_tasks import task


@task()
def send_email_delivery(delivery_id: int) -> str:
    from .services import attempt_delivery

    return attempt_delivery(delivery_id)
