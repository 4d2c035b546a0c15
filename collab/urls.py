from django.urls import path

from . import views

app_name = "collab"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_upload, name="import"),
    path("<int:city>/<int:year>/", views.project_list, name="list"),
    path("<int:city>/<int:year>/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/delete/", views.project_delete, name="project_delete"),
    path("projects/<int:pk>/profile/", views.profile_edit, name="profile"),
    path("projects/<int:pk>/review/<int:year>/", views.review_edit, name="review"),
    path("projects/<int:pk>/review/<int:year>/xlsx/", views.review_export, name="review_export"),
]
