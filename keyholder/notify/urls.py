from django.urls import path

from keyholder.notify import mailbox_views, telegram_views, views

app_name = "notify"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("test/", views.send_test, name="send_test"),
    path("mailbox/", mailbox_views.mailbox, name="mailbox"),
    path("mailbox/<uuid:message_id>/", mailbox_views.mailbox_message, name="mailbox_message"),
    path(
        "mailbox/<uuid:message_id>/attachments/<int:index>/",
        mailbox_views.mailbox_attachment,
        name="mailbox_attachment",
    ),
    path(
        "telegram/webhook/<str:secret>/",
        telegram_views.telegram_webhook,
        name="telegram_webhook",
    ),
]
