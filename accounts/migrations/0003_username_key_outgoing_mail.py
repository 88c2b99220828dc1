"""Usernames get a look-alike key (unique); mails to send get an outbox table.

The key is added empty, filled for existing accounts, then made unique. Two
existing accounts whose names already look alike keep both names: the later
one's key gets its id appended, so neither can sign in any less, and no new
account can take either look.
"""

from django.db import migrations, models

from accounts.usernames import username_key


def fill_username_keys(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken: set[str] = set()
    for user in User.objects.order_by("pk").only("pk", "username").iterator():
        key = username_key(user.username)
        if key in taken:
            key = f"{key}#{user.pk}"
        taken.add(key)
        User.objects.filter(pk=user.pk).update(username_key=key)


class Migration(migrations.Migration):
    # Rolling update: not safe from the release before it (docs/release.md, "Migrations in a rolling update").
    expand_contract = (
        "downtime: users.username_key is NOT NULL and unique without a database default, so the previous "
        "release's sign-ups (an INSERT without it) fail until its pods are gone; outgoing_mail is new"
    )

    dependencies = [
        ("accounts", "0002_authsession"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.CharField(default="", editable=False, max_length=150),
            preserve_default=False,
        ),
        migrations.RunPython(fill_username_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=150, unique=True),
        ),
        migrations.CreateModel(
            name="OutgoingMail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=32)),
                ("payload", models.JSONField(default=dict)),
                (
                    "state",
                    models.CharField(
                        choices=[("pending", "Pending"), ("sent", "Sent"), ("skipped", "Skipped"), ("failed", "Failed")],
                        default="pending",
                        max_length=8,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("next_attempt_at", models.DateTimeField()),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.CharField(blank=True, max_length=200)),
            ],
            options={
                "db_table": "outgoing_mail",
                "indexes": [models.Index(fields=["state", "next_attempt_at"], name="outgoing_mail_due_idx")],
            },
        ),
    ]
