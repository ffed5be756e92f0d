from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "keyholder.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from keyholder.accounts.retention import AUDIT_RETENTION, delete_old_audit_rows
        from keyholder.core import lengths, periodic

        # No text longer than its column is saved, on SQLite as on PostgreSQL.
        lengths.connect()

        # Audit rows older than AUDIT_RETENTION_DAYS go, in batches, on every turn of the worker.
        periodic.register(AUDIT_RETENTION, delete_old_audit_rows)
