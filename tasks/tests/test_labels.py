import pytest

from tasks.models import Label, TaskEvent
from tasks.tests.factories import LabelFactory, TaskFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

LABELS = "/api/tasks/labels/"


def test_create_list_update_delete(owner_client, owner):
    created = owner_client.post(LABELS, {"name": "Home", "colour": "#22AA44"}, format="json")
    assert created.status_code == 201
    label = created.json()
    assert label == {"id": label["id"], "name": "Home", "colour": "#22AA44"}
    owner_client.post(LABELS, {"name": "errands"}, format="json")
    assert [item["name"] for item in owner_client.get(LABELS).json()["results"]] == ["errands", "Home"]
    assert owner_client.get(f"{LABELS}{label['id']}/").json()["name"] == "Home"
    renamed = owner_client.patch(f"{LABELS}{label['id']}/", {"name": "House"}, format="json").json()
    assert renamed["name"] == "House" and renamed["colour"] == "#22AA44"
    assert owner_client.delete(f"{LABELS}{label['id']}/").status_code == 204
    assert not Label.objects.filter(pk=label["id"]).exists()


def test_default_colour(owner_client):
    assert owner_client.post(LABELS, {"name": "plain"}, format="json").json()["colour"] == "#6b7280"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "HOME"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "ok", "colour": "red"}, "colour"),
        ({"name": "ok", "colour": "#12345"}, "colour"),
        ({"name": "ok", "color": "#123456"}, "color"),
    ],
)
def test_invalid_labels_are_400(owner_client, owner, payload, field):
    LabelFactory(owner=owner, name="home")
    response = owner_client.post(LABELS, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Label.objects.count() == 1


def test_renaming_onto_another_name_is_400(owner_client, owner):
    LabelFactory(owner=owner, name="home")
    work = LabelFactory(owner=owner, name="work")
    assert owner_client.patch(f"{LABELS}{work.pk}/", {"name": "Home"}, format="json").status_code == 400
    # changing only the case of its own name is fine
    assert owner_client.patch(f"{LABELS}{work.pk}/", {"name": "Work"}, format="json").status_code == 200


def test_the_same_name_is_fine_for_another_user(owner_client, owner, stranger):
    LabelFactory(owner=stranger, name="home")
    assert owner_client.post(LABELS, {"name": "home"}, format="json").status_code == 201


def test_another_users_label_is_404(owner_client, stranger):
    theirs = LabelFactory(owner=stranger, name="secret")
    for method in ("get", "patch", "delete"):
        assert (
            getattr(owner_client, method)(f"{LABELS}{theirs.pk}/", {"name": "x"}, format="json").status_code
            == 404
        )
    assert Label.objects.get(pk=theirs.pk).name == "secret"
    assert owner_client.get(LABELS).json() == {"results": [], "next": None, "previous": None}


def test_label_count_is_capped_by_the_quota(owner_client, owner, settings):
    # given: an account holding its quota of labels (default 200)
    assert settings.TMS_QUOTA_LABELS == 200
    Label.objects.bulk_create([Label(owner=owner, name=f"l{n}") for n in range(200)])
    # when
    response = owner_client.post(LABELS, {"name": "one too many"}, format="json")
    # then
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert "labels quota is 200" in error["message"]
    assert Label.objects.filter(owner=owner).count() == 200


def test_tasks_take_label_ids_and_show_labels(owner_client, owner):
    home = LabelFactory(owner=owner, name="home", colour="#00ff00")
    urgent = LabelFactory(owner=owner, name="Urgent")
    body = owner_client.post(
        "/api/tasks/", {"title": "t", "labels": [urgent.pk, home.pk, home.pk]}, format="json"
    ).json()
    assert body["labels"] == [
        {"id": home.pk, "name": "home", "colour": "#00ff00"},
        {"id": urgent.pk, "name": "Urgent", "colour": "#6b7280"},
    ]
    changed = owner_client.patch(f"/api/tasks/{body['id']}/", {"labels": [urgent.pk]}, format="json").json()
    assert [label["name"] for label in changed["labels"]] == ["Urgent"]
    assert [label["name"] for label in owner_client.get(f"/api/tasks/{body['id']}/").json()["labels"]] == [
        "Urgent"
    ]


@pytest.mark.parametrize("labels", ["home", [1.5], ["1"], [True], list(range(1, 30))])
def test_malformed_label_lists_are_400(owner_client, labels):
    response = owner_client.post("/api/tasks/", {"title": "t", "labels": labels}, format="json")
    assert response.status_code == 400
    assert "labels" in response.json()["error"]["fields"]


def test_someone_elses_label_cannot_be_attached(owner_client, owner, stranger):
    theirs = LabelFactory(owner=stranger, name="theirs")
    task = TaskFactory(owner=owner)
    for method, url in (("post", "/api/tasks/"), ("patch", f"/api/tasks/{task.pk}/")):
        response = getattr(owner_client, method)(url, {"title": "t", "labels": [theirs.pk]}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["labels"] == [f"Unknown label id(s): {theirs.pk}."]
    assert not task.labels.exists()


def test_filter_by_label(owner_client, owner):
    home = LabelFactory(owner=owner, name="home")
    work = LabelFactory(owner=owner, name="work")
    both = TaskFactory(owner=owner, title="both")
    both.labels.set([home, work])
    TaskFactory(owner=owner, title="home-only").labels.set([home])
    TaskFactory(owner=owner, title="none")

    def titles(query):
        return sorted(task["title"] for task in owner_client.get(f"/api/tasks/?{query}").json()["results"])

    assert titles(f"label={home.pk}") == ["both", "home-only"]
    assert titles(f"label={work.pk}") == ["both"]
    assert titles(f"label={work.pk}&label={home.pk}") == ["both", "home-only"]  # any of them, once each
    assert owner_client.get("/api/tasks/?label=home").status_code == 400


def test_deleting_a_label_is_recorded_on_its_tasks(owner_client, owner):
    home = LabelFactory(owner=owner, name="home")
    task = TaskFactory(owner=owner)
    task.labels.set([home])
    owner_client.delete(f"{LABELS}{home.pk}/")
    event = TaskEvent.objects.get(task=task)
    assert event.kind == "labels" and event.changes == {"labels": [["home"], []]}
    assert client_for(owner).get(f"/api/tasks/{task.pk}/").json()["labels"] == []


def test_label_list_is_one_query(owner_client, owner, assert_queries):
    Label.objects.bulk_create([Label(owner=owner, name=f"l{n}") for n in range(30)])
    with assert_queries(1):
        assert len(owner_client.get(LABELS).json()["results"]) == 30


def test_labels_are_listed_in_pages_by_name(owner_client, owner, stranger):
    # given: 130 labels in mixed case, and someone else's
    names = [f"{'L' if n % 2 else 'l'}abel {n:03}" for n in range(130)]
    Label.objects.bulk_create([Label(owner=owner, name=name) for name in reversed(names)])
    LabelFactory(owner=stranger, name="aaa theirs")
    # when: walking the pages
    first = owner_client.get(LABELS).json()
    seen, url, pages = [], LABELS, 0
    while url:
        page = owner_client.get(url).json()
        seen += [label["name"] for label in page["results"]]
        url, pages = page["next"], pages + 1
    # then: 50 per page by default, every label once, by name in any case
    assert len(first["results"]) == 50 and first["previous"] is None
    assert first["next"].startswith("http://testserver/api/tasks/labels/?cursor=")
    assert pages == 3
    assert seen == sorted(names, key=str.lower)
    assert set(owner_client.get(first["next"]).json()["results"][0]) == {"id", "name", "colour"}


def test_label_pages_go_back_and_take_a_page_size(owner_client, owner):
    Label.objects.bulk_create([Label(owner=owner, name=f"l{n:03}") for n in range(120)])
    assert len(owner_client.get(f"{LABELS}?page_size=100").json()["results"]) == 100
    second = owner_client.get(owner_client.get(f"{LABELS}?page_size=40").json()["next"]).json()
    assert second["results"][0]["name"] == "l040"
    back = owner_client.get(second["previous"]).json()
    assert [label["name"] for label in back["results"]] == [f"l{n:03}" for n in range(40)]


@pytest.mark.parametrize(
    "query",
    ["page_size=0", "page_size=101", "page_size=", "cursor=nonsense", "cursor="],
)
def test_bad_label_page_parameters_are_400(owner_client, owner, query):
    response = owner_client.get(f"{LABELS}?{query}")
    assert response.status_code == 400


def test_a_task_list_cursor_is_no_label_cursor(owner_client, owner):
    TaskFactory.create_batch(3, owner=owner)
    Label.objects.bulk_create([Label(owner=owner, name=f"l{n}") for n in range(3)])
    cursor = owner_client.get("/api/tasks/?page_size=1").json()["next"].split("cursor=")[1].split("&")[0]
    assert owner_client.get(f"{LABELS}?cursor={cursor}").status_code == 400
