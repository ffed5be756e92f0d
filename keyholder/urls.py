from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from django.views.i18n import set_language

from keyholder.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("keyholder.web.urls")),
    path("places/", include("keyholder.places.urls")),
    path("registry/", include("keyholder.registry.urls")),
    path("keeping/", include("keyholder.keeping.urls")),
    path("indicators/", include("keyholder.indicators.urls")),
    path("accounts/", include("keyholder.accounts.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
