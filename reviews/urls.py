from django.urls import path

from . import care_event_views, my_review_views, ssda903_views, views

app_name = "reviews"

urlpatterns = [
    path("to-book/", views.to_book, name="to_book"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/book/", views.book, name="book"),
    path("<int:pk>/cancel-booking/", views.cancel_booking, name="cancel_booking"),
    path("<int:pk>/cover/", views.cover, name="cover"),
    path("<int:pk>/prepare/", views.prepare, name="prepare"),
    # "My review" invitations
    path("<int:pk>/my-review/", my_review_views.invite, name="my_review_invite"),
    path("<int:pk>/my-review/withdraw/", my_review_views.withdraw, name="my_review_withdraw"),
    path("<int:pk>/my-review/after/", my_review_views.renew, name="my_review_renew"),
    path("<int:pk>/documents/new/", views.document_request, name="document_request"),
    path("documents/<int:pk>/issue/", views.document_issue, name="document_issue"),
    path("documents/<int:pk>/distribution/", views.distribution_new, name="distribution_new"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("children/new/", views.child_new, name="child_new"),
    path("ssda903/import/", views.ssda903_import, name="ssda903_import"),
    # SSDA903 import report and return check
    path("ssda903/import/reports/<str:token>/", ssda903_views.import_report, name="ssda903_import_report"),
    path("ssda903/checks/", ssda903_views.return_checks, name="return_checks"),
    path("ssda903/checks/<int:pk>/", ssda903_views.return_check_detail, name="return_check"),
    path("ssda903/checks/<int:pk>/<str:table>.csv", ssda903_views.return_check_file, name="return_check_file"),
    path("children/<int:child_pk>/visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/correct/", views.visit_correct, name="visit_correct"),
    # Care events
    path("children/<int:child_pk>/care-events/", care_event_views.care_events, name="care_events"),
    path("children/<int:child_pk>/care-events/placement/", care_event_views.placement, name="care_event_placement"),
    path(
        "children/<int:child_pk>/care-events/legal-status/",
        care_event_views.legal_status,
        name="care_event_legal_status",
    ),
    path(
        "children/<int:child_pk>/care-events/placement-and-legal-status/",
        care_event_views.placement_and_legal_status,
        name="care_event_placement_and_legal_status",
    ),
    path("children/<int:child_pk>/care-events/adoption/", care_event_views.adoption, name="care_event_adoption"),
    path("children/<int:child_pk>/care-events/leaving-care/", care_event_views.leave_care, name="care_event_leave"),
    path(
        "children/<int:child_pk>/care-events/return-to-care/",
        care_event_views.return_to_care,
        name="care_event_return",
    ),
    path("care-events/<int:pk>/early-review/", care_event_views.early_review, name="care_event_early_review"),
]
