"""The task service's refusals (kinds in tms_project.errors; HTTP in tms_project.api.domain_errors)."""

from tms_project.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Unauthenticated,
    Unprocessable,
)


class TaskInvalid(InvalidInput):
    """A task, label, move or bulk action names values that cannot be used."""


class TaskNotFound(NotFound):
    pass


class LabelNotFound(NotFound):
    pass


class ProjectNotFound(NotFound):
    pass


class CommentNotFound(NotFound):
    pass


class MemberNotFound(NotFound):
    pass


class RoleTooLow(Forbidden):
    """A member whose role does not allow the write (a viewer editing, an editor renaming the project)."""


class ParentInTrash(Conflict):
    code = "parent_in_trash"
    default_message = (
        "This task's parent is in the trash: restore the parent, and its sub-tasks come with it."
    )


class ProjectNameTaken(Conflict):
    code = "name_taken"


class AlreadyMember(Conflict):
    code = "already_member"
    default_message = "This person is already a member of the project."


class TaskChanged(PreconditionFailed):
    default_message = "The task changed since you read it; fetch it again and retry."


class OwnerGone(Unauthenticated):
    """A valid access token can outlive its account by a few minutes."""

    code = "account_deleted"
    default_message = "This account no longer exists."


class QuotaExceeded(Conflict):
    code = "quota_exceeded"
    default_message = "This would exceed a quota of your account."


class KeyInFlight(Conflict):
    code = "idempotency_key_in_use"
    default_message = "A request with this Idempotency-Key is still being processed; retry shortly."


class KeyReusedWithOtherBody(Unprocessable):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used with a different request body."
