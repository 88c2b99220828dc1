"""Serializers that build their fields once per thread answer exactly as DRF's per-request copies."""

import threading

from rest_framework import serializers

from tasks.serializers import TaskListQuerySerializer, TaskSerializer


def test_partial_and_full_validation_keep_their_own_rules_in_any_order():
    for _ in range(2):
        assert TaskSerializer(data={}, partial=True).is_valid()
        full = TaskSerializer(data={})
        assert not full.is_valid()
        assert full.errors == {"title": ["This field is required."]}
        assert TaskSerializer(data={"title": "a"}).is_valid()


def test_one_refusal_does_not_stay_for_the_next_request():
    bad = TaskListQuerySerializer(data={"page_size": "0", "status": "nope"})
    assert not bad.is_valid()
    assert set(bad.errors) == {"page_size", "status"}
    good = TaskListQuerySerializer(data={"status": "done"})
    assert good.is_valid(), good.errors
    assert good.validated_data["status"] == ["done"]
    assert good.validated_data["page_size"] == 50


def test_each_thread_has_its_own_fields():
    mine = TaskSerializer(data={}).fields
    assert TaskSerializer(data={}).fields is mine  # built once in this thread
    theirs: list = []
    thread = threading.Thread(target=lambda: theirs.append(TaskSerializer(data={}).fields))
    thread.start()
    thread.join()
    assert theirs[0] is not mine
    assert theirs[0]["title"] is not mine["title"]


def test_with_a_context_drf_copies_the_fields():
    class Probe(serializers.Serializer):
        pass

    shared = TaskSerializer(data={}).fields
    assert TaskSerializer(data={}, context={"request": None}).fields is not shared
    assert Probe().fields is not Probe().fields  # plain DRF serializers are untouched


def test_with_an_instance_drf_copies_the_fields():
    shared = TaskSerializer(data={}).fields
    assert TaskSerializer(object(), data={}).fields is not shared
