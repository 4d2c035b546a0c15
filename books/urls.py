from django.urls import path

from . import views

app_name = "books"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/<slug:kind>/", views.export, name="export"),
    path("import/plan/", views.import_plan, name="import_plan"),
    path("import/results/", views.import_results, name="import_results"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/download/", views.download, name="download"),
    path("summary/<int:year>/<int:quarter>/<int:section_id>/", views.summary, name="summary"),
]
