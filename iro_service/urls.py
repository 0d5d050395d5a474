from django.contrib import admin
from django.urls import include, path

from caseload.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("caseload/", include("caseload.urls")),
    path("children/", include("children.urls")),
    path("reviews/", include("reviews.urls")),
    path("qa/", include("audits.urls")),
    path("admin/", admin.site.urls),
]
