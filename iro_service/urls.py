from django.contrib import admin
from django.urls import include, path

from caseload.views import home

from .health import healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("caseload/", include("caseload.urls")),
    path("children/", include("children.urls")),
    path("reviews/", include("reviews.urls")),
    # The child's own pages: no account, their own minimal layout.
    path("my-review/", include("reviews.my_review_urls")),
    path("qa/", include("audits.urls")),
    # The API for the council's case system (api/): versioned in the path.
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]

# Error pages in the site's layout (403 and 404 are Django's views with our templates).
handler400 = "iro_service.errors.bad_request"
handler500 = "iro_service.errors.server_error"
