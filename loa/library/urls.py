from django.urls import path

from loa.library import views

app_name = "library"
urlpatterns = [
    path("", views.library_search, name="search"),
    path("new/", views.document_create, name="create"),
    path("citations/", views.citations_check, name="check"),
    path("citations/add/", views.citation_add, name="citation_add"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/edit/", views.document_edit, name="edit"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/status/", views.attachment_status, name="attachment_status"),
]
