"""Batch pages."""

from __future__ import annotations

from django.urls import path

from batches import views

urlpatterns = [
    path("batches/", views.batch_index, name="batch_index"),
    path("batches/<uuid:run_id>/", views.batch_detail, name="batch_detail"),
    path("batches/<uuid:run_id>/results/", views.batch_results, name="batch_results"),
    path("batches/<uuid:run_id>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("batches/<uuid:run_id>/retry/", views.batch_retry, name="batch_retry"),
    path("batches/<uuid:run_id>/download.<str:fmt>", views.batch_download, name="batch_download"),
]
