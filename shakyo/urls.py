from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from landing import views as landing_views

urlpatterns = [
    path("", landing_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every user changes their own password; a reset link mailed by the 事務局 sets a new one.
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("plans/", include("plans.urls")),
    path("results/", include("results.urls")),
    path("books/", include("books.urls")),
    path("collab/", include("collab.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "landing.views.permission_denied"
handler404 = "landing.views.page_not_found"
# 500: Django's own view renders templates/500.html without a request context, so the page
# needs neither the database nor the session.
