"""The Celery app knows the tasks, routes them to their queues and schedules the beat jobs."""

from __future__ import annotations

import pytest

from portal.celery import app


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("notifications.tasks.sms_send", "sms"),
        ("notifications.tasks.email_send", "sms"),
        ("notifications.tasks.sms_requeue_stale", "sms"),
        ("notifications.tasks.officer_digest_send_all", "celery"),
    ],
)
def test_tasks_are_registered_and_routed(task, queue):
    app.loader.import_default_modules()
    assert task in app.tasks
    route = app.amqp.router.route({}, task, args=(1,), kwargs={})
    assert route["queue"].name == queue


def test_the_beat_schedule_names_real_tasks():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    notifications = {t for t in scheduled if t.startswith("notifications.")}
    assert notifications == {
        "notifications.tasks.sms_requeue_stale",
        "notifications.tasks.officer_digest_send_all",
    }
    assert notifications <= set(app.tasks)


def test_messages_are_json_and_sends_have_time_limits():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    send = app.tasks["notifications.tasks.sms_send"]
    assert 0 < send.soft_time_limit < send.time_limit
