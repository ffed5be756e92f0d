from django.urls import include, path, re_path
from django.views.i18n import set_language

from keyholder.api import api, api_path_not_found

urlpatterns = [
    path("api/v1/", api.urls),
    # Any other address under the API answers the catalogue's JSON 404, not an HTML page.
    re_path(r"^api/", api_path_not_found),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("keyholder.web.urls")),
    path("places/", include("keyholder.registry.place_urls")),
    path("registry/", include("keyholder.registry.urls")),
    path("keeping/", include("keyholder.keeping.urls")),
    path("indicators/", include("keyholder.indicators.urls")),
    path("accounts/", include("keyholder.web.account_urls")),
    path("notify/", include("keyholder.notify.urls")),
    path("field/", include("keyholder.field.urls")),
    path("migrant/", include("keyholder.migrant.urls")),
]

# MEDIA_URL is deliberately not served, not even in DEBUG: the only uploads are the keeping
# photos, which go out only through keeping:photo and the API, which check who asks, and the
# registry files uploaded for import, which never go out.
