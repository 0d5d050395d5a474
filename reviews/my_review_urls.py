"""The child's "My review" pages, under their own prefix, with no account."""

from django.urls import path

from . import my_review_child_views as views

app_name = "my_review"

urlpatterns = [
    path("", views.home, name="home"),
    path("code/", views.code, name="code"),
    path("word/", views.word, name="word"),
    path("how-things-are/", views.how_things_are, name="how_things_are"),
    path("meeting/", views.meeting, name="meeting"),
    path("just-for-my-iro/", views.private, name="private"),
    path("send/", views.send, name="send"),
    path("help/", views.not_safe, name="not_safe"),
    path("leave/", views.leave, name="leave"),
    path("your-letter/", views.letter, name="letter"),
    # Last: any other single segment is a link's token.
    path("<str:token>/", views.start, name="start"),
]
