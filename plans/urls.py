from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_latest, name="latest"),
    path("<int:year>/", views.plan_year, name="year"),
    path("<int:year>/review/", views.review_list, name="review"),
    path("<int:year>/fix/", views.plan_fix, name="fix"),
    path("<int:year>/revisions/", views.revision_list, name="revisions"),
    path("revisions/<int:pk>/decide/", views.revision_decide, name="revision_decide"),
    path("imports/<int:pk>/", views.import_preview, name="import_preview"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/structure/", views.item_structure, name="item_structure"),
    path("target-preview/", views.target_preview, name="target_preview"),
    path("audit/", views.audit_list, name="audit"),
    path("logins/", views.lockout_list, name="lockouts"),
    path("logins/unlock/", views.lockout_clear, name="lockout_clear"),
    path("users/", views.user_list, name="users"),
    path("users/add/", views.user_add, name="user_add"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("users/<int:pk>/password-reset/", views.user_password_reset, name="user_password_reset"),
]
