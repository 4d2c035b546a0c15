from django.urls import path

from . import views

app_name = "results"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard_latest, name="dashboard_latest"),
    path("tolerance/", views.tolerance_set, name="tolerance_set"),
    path("items/<int:item_id>/", views.item_detail, name="item_detail"),
    path("items/<int:item_id>/history/", views.item_history, name="item_history"),
    path("<int:year>/manage/", views.manage, name="manage"),
    path("<int:year>/q<int:quarter>/dashboard/", views.dashboard, name="dashboard"),
    path("<int:year>/q<int:quarter>/window/", views.window_set, name="window_set"),
    path(
        "<int:year>/q<int:quarter>/businesses/<int:business_id>/",
        views.business_rows,
        name="business_rows",
    ),
    path(
        "<int:year>/q<int:quarter>/departments/<int:department_id>/",
        views.department,
        name="department",
    ),
    path("<int:year>/q<int:quarter>/sections/<int:section_id>/", views.entry, name="entry"),
    path(
        "<int:year>/q<int:quarter>/sections/<int:section_id>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
    path(
        "<int:year>/q<int:quarter>/sections/<int:section_id>/approve/",
        views.approve,
        name="approve",
    ),
    path(
        "<int:year>/q<int:quarter>/sections/<int:section_id>/return/",
        views.send_back,
        name="send_back",
    ),
    path(
        "<int:year>/q<int:quarter>/sections/<int:section_id>/unlock/",
        views.unlock,
        name="unlock",
    ),
    path(
        "<int:year>/q<int:quarter>/items/<int:item_id>/status/",
        views.row_status,
        name="row_status",
    ),
]
