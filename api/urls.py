from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", views.schema, name="schema"),
    path("docs/", views.docs, name="docs"),
]

# The read side (api/views_read.py): children, reviews and issued documents.
from . import views_read  # noqa: E402

urlpatterns += [
    path("children/", views_read.ChildList.as_view(), name="children"),
    path("children/<str:child_id>/", views_read.ChildDetail.as_view(), name="child"),
    path("reviews/", views_read.ReviewList.as_view(), name="reviews"),
    path("reviews/<str:id>/", views_read.ReviewDetail.as_view(), name="review"),
    path("documents/", views_read.DocumentList.as_view(), name="documents"),
    path("documents/<str:id>/", views_read.DocumentDetail.as_view(), name="document"),
    path("documents/<str:id>/download/", views_read.DocumentDownload.as_view(), name="document-download"),
]
