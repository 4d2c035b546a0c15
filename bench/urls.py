"""The application's URLs plus the floors (``bench.floors``), for the benchmark server."""

from django.urls import path

from shakyo.urls import urlpatterns as application

from . import floors

urlpatterns = [
    path("bench/floor/plan/<int:year>/", floors.plan),
    path("bench/floor/<int:year>/q<int:quarter>/dashboard/", floors.dashboard),
    path("bench/floor/<int:year>/q<int:quarter>/city/", floors.city_dashboard),
    path("bench/floor/<int:year>/q<int:quarter>/sections/<int:section_id>/", floors.entry),
    path("bench/floor/<int:year>/q<int:quarter>/sections/<int:section_id>/save/", floors.save),
    *application,
]
