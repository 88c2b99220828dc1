import factory

from accounts.tests.factories import UserFactory
from tasks import positions
from tasks.models import Label, Task


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    position = factory.Sequence(lambda n: (n + 1) * positions.GAP)


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"label {n}")
