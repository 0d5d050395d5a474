from django.urls import path

from . import views, views_read, views_webhooks, views_write

app_name = "api"

urlpatterns = [
    path("schema/", views.schema, name="schema"),
    path("docs/", views.docs, name="docs"),
    # Out (api/views_read.py): children, reviews and issued documents.
    path("children/", views_read.ChildList.as_view(), name="children"),
    path("children/<str:child_id>/", views_read.ChildDetail.as_view(), name="child"),
    path("reviews/", views_read.ReviewList.as_view(), name="reviews"),
    path("reviews/<str:id>/", views_read.ReviewDetail.as_view(), name="review"),
    path("documents/", views_read.DocumentList.as_view(), name="documents"),
    path("documents/<str:id>/", views_read.DocumentDetail.as_view(), name="document"),
    path("documents/<str:id>/download/", views_read.DocumentDownload.as_view(), name="document-download"),
    # Care events in (scope care-events:write): paths of their own, apart from the reads.
    path("care-events/children/<str:child_id>/", views_write.child_write, name="care_events_child"),
    path("care-events/children/<str:child_id>/episodes/", views_write.episode_write, name="care_events_episodes"),
    path(
        "care-events/children/<str:child_id>/allocation/", views_write.allocation_write, name="care_events_allocation"
    ),
    # Webhooks (scope webhooks:manage).
    path("webhooks/", views_webhooks.SubscriptionList.as_view(), name="webhooks"),
    path("webhooks/deliveries/", views_webhooks.DeliveryList.as_view(), name="webhook_deliveries"),
    path("webhooks/<int:pk>/", views_webhooks.SubscriptionDetail.as_view(), name="webhook"),
]
