from django.urls import path

from loa.budget import views

app_name = "budget"
urlpatterns = [
    path("budget/plans/<int:pk>/", views.plan_budget, name="plan"),
    path("budget/plans/<int:pk>/budget.xlsx", views.plan_budget_export, name="export"),
    path("budget/expenses/<int:pk>/remove/", views.expense_remove, name="remove"),
    path("budget/expenses/<int:pk>/voucher/", views.expense_file, name="voucher"),
]
