"""Board moves: between neighbours, across columns, without renumbering each time."""

import itertools

import pytest

from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def column(owner, status="todo") -> list[str]:
    return list(
        Task.objects.filter(owner=owner, status=status)
        .order_by("position", "pk")
        .values_list("title", flat=True)
    )


def move(client, task, **body):
    return client.post(f"/api/tasks/{task.pk}/move/", body, format="json")


@pytest.fixture
def board(owner):
    return {name: TaskFactory(owner=owner, title=name) for name in "abcd"}


def test_move_between_two_neighbours(owner_client, owner, board):
    response = move(owner_client, board["d"], after_id=board["a"].pk, before_id=board["b"].pk)
    assert response.status_code == 200
    assert column(owner) == ["a", "d", "b", "c"]


def test_move_right_after_a_task(owner_client, owner, board):
    move(owner_client, board["a"], after_id=board["c"].pk)
    assert column(owner) == ["b", "c", "a", "d"]


def test_move_right_before_a_task(owner_client, owner, board):
    move(owner_client, board["d"], before_id=board["a"].pk)
    assert column(owner) == ["d", "a", "b", "c"]


def test_move_to_the_end(owner_client, owner, board):
    move(owner_client, board["a"])
    assert column(owner) == ["b", "c", "d", "a"]


def test_move_to_another_column_changes_status(owner_client, owner, board):
    done = TaskFactory(owner=owner, title="x", status="done")
    body = move(owner_client, board["b"], status="done", before_id=done.pk).json()
    assert body["status"] == "done" and body["completed_at"] is not None
    assert column(owner, "done") == ["b", "x"]
    assert column(owner) == ["a", "c", "d"]
    back = move(owner_client, board["b"], status="in_progress").json()
    assert back["status"] == "in_progress" and back["completed_at"] is None


def test_only_the_moved_task_is_written(owner_client, owner, board):
    before = dict(Task.objects.values_list("title", "position"))
    move(owner_client, board["d"], after_id=board["a"].pk, before_id=board["b"].pk)
    after = dict(Task.objects.values_list("title", "position"))
    assert {title for title in before if before[title] != after[title]} == {"d"}


def test_a_full_gap_renumbers_the_column_once_and_keeps_the_order(owner_client, owner):
    a = TaskFactory(owner=owner, title="a", position=100)
    b = TaskFactory(owner=owner, title="b", position=101)
    c = TaskFactory(owner=owner, title="c", position=102)
    assert move(owner_client, c, after_id=a.pk, before_id=b.pk).status_code == 200
    assert column(owner) == ["a", "c", "b"]
    positions = list(Task.objects.order_by("position").values_list("position", flat=True))
    assert min(later - earlier for earlier, later in itertools.pairwise(positions)) > 1000


def test_many_moves_into_the_same_spot_keep_working(owner_client, owner):
    a = TaskFactory(owner=owner, title="a")
    b = TaskFactory(owner=owner, title="b")
    movers = [TaskFactory(owner=owner, title=f"m{n}") for n in range(40)]
    for mover in movers:
        assert move(owner_client, mover, after_id=a.pk, before_id=b.pk).status_code == 200
        b = mover  # the next one goes right above the last one moved
    assert column(owner) == ["a", *[f"m{n}" for n in reversed(range(40))], "b"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "later"}, "status"),
        ({"before_id": "x"}, "before_id"),
        ({"before_id": 999999}, "before_id"),
        ({"after_id": 999999}, "after_id"),
        ({"spot": 1}, "spot"),
    ],
)
def test_invalid_moves_are_400_and_change_nothing(owner_client, owner, board, body, field):
    before = dict(Task.objects.values_list("title", "position"))
    response = move(owner_client, board["a"], **body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert dict(Task.objects.values_list("title", "position")) == before


def test_a_neighbour_in_another_column_is_refused(owner_client, owner, board):
    done = TaskFactory(owner=owner, status="done")
    response = move(owner_client, board["a"], before_id=done.pk)
    assert response.status_code == 400
    assert "before_id" in response.json()["error"]["fields"]


def test_a_task_cannot_be_its_own_neighbour(owner_client, board):
    assert move(owner_client, board["a"], before_id=board["a"].pk).status_code == 400


def test_neighbours_in_the_wrong_order_are_refused(owner_client, owner, board):
    response = move(owner_client, board["d"], after_id=board["c"].pk, before_id=board["a"].pk)
    assert response.status_code == 400


@pytest.fixture
def same_millisecond(owner):
    """Tasks created in one millisecond (seed_demo, a fast import) share a position."""
    return {name: TaskFactory(owner=owner, title=name, position=500 << 20) for name in "abc"}


def test_a_move_between_neighbours_that_share_a_position_renumbers_the_column(
    owner_client, owner, same_millisecond
):
    a, b, c = (same_millisecond[name] for name in "abc")
    response = move(owner_client, c, after_id=a.pk, before_id=b.pk)
    assert response.status_code == 200, response.json()
    assert column(owner) == ["a", "c", "b"]
    assert len(set(Task.objects.values_list("position", flat=True))) == 3


@pytest.mark.parametrize(
    ("moved", "neighbour", "expected"),
    [
        ("a", {"after_id": "b"}, ["b", "a", "c"]),  # right after a tie: before the tie's next task
        ("c", {"before_id": "b"}, ["a", "c", "b"]),  # right before a tie
        ("a", {"after_id": "c"}, ["b", "c", "a"]),
    ],
)
def test_one_neighbour_in_a_tie_puts_the_task_right_next_to_it(
    owner_client, owner, same_millisecond, moved, neighbour, expected
):
    body = {field: same_millisecond[name].pk for field, name in neighbour.items()}
    assert move(owner_client, same_millisecond[moved], **body).status_code == 200
    assert column(owner) == expected


def test_neighbours_that_share_a_position_in_the_wrong_order_are_still_refused(
    owner_client, same_millisecond
):
    a, b, c = (same_millisecond[name] for name in "abc")
    response = move(owner_client, c, after_id=b.pk, before_id=a.pk)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["before_id"] == [
        "before_id must come after after_id in the column."
    ]
