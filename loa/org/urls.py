from django.urls import path

from loa.org import views

app_name = "org"
urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/personal-data.zip", views.person_data_export, name="person_export"),
    path("people/<int:pk>/erase/", views.person_erase, name="person_erase"),
    path("people/import-template.xlsx", views.people_import_template, name="import_template"),
    path("profile/", views.profile, name="profile"),
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency"),
    path("agencies/<int:pk>/rename/", views.agency_rename, name="agency_rename"),
    path("agencies/<int:pk>/merge/", views.agency_merge, name="agency_merge"),
    path("agencies/<int:pk>/dissolve/", views.agency_dissolve, name="agency_dissolve"),
    path("agencies/<int:agency_pk>/people/new/", views.person_create, name="person_create"),
    path("agencies/<int:agency_pk>/people/import/", views.people_import, name="people_import"),
    path("agencies/<int:agency_pk>/units/new/", views.unit_create, name="unit_create"),
    path("agencies/<int:agency_pk>/positions/new/", views.position_create, name="position_create"),
    path("agencies/<int:agency_pk>/roles/new/", views.role_grant, name="role_grant"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/rename/", views.unit_rename, name="unit_rename"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/merge/", views.unit_merge, name="unit_merge"),
    path("units/<int:pk>/dissolve/", views.unit_dissolve, name="unit_dissolve"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position_edit"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
]
