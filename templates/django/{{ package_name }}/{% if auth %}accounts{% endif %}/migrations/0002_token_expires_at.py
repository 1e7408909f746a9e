# Tokens expire: AUTH_TOKEN_TTL seconds after the login that made them.

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models


def expire_existing_tokens(apps, schema_editor):
    """Tokens issued before this migration expire AUTH_TOKEN_TTL after they were made."""
    Token = apps.get_model("accounts", "Token")
    ttl = timedelta(seconds=settings.AUTH_TOKEN_TTL)
    Token.objects.update(expires_at=models.F("created_at") + ttl)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='token',
            name='expires_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='token',
            name='expires_at',
            field=models.DateTimeField(db_index=True),
        ),
    ]
