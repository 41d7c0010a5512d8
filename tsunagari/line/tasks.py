"""Delivery tasks (django-tasks), run by the worker. The argument is a row id: the message itself waits
encrypted in its LineDelivery row."""

from __future__ import annotations

from django_tasks import task


@task()
def send_line_delivery(delivery_id: int) -> str:
    from .services import attempt_delivery

    return attempt_delivery(delivery_id)
