import factory

from accounts.tests.factories import UserFactory
from tasks import positions
from tasks.models import Label, Project, ProjectMember, Task


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


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project with its owner's membership row (role ``owner``), as the API creates one."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Project {n}")

    @factory.post_generation
    def owner_membership(self, create, extracted, **kwargs):
        # factory_boy calls this with the new project as ``self``.
        if create:
            ProjectMember.objects.create(project=self, user=self.owner, role=Project.Role.OWNER)


class ProjectMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMember

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Project.Role.EDITOR


def project_task(project, **fields):
    """A task in ``project``: owned, as every project task is, by the project's owner."""
    return TaskFactory(owner=project.owner, project=project, **fields)
