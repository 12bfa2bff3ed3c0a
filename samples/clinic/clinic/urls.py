"""Root URL configuration: every app mounts its own urlconf under a prefix."""
from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path


def healthcheck(request):
    """Load-balancer health probe; deliberately touches nothing but the process."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/", healthcheck, name="healthcheck"),
    path("patients/", include("clinic.patients.urls")),
    path("staff/", include("clinic.staff.urls")),
    path("appointments/", include("clinic.appointments.urls")),
    path("billing/", include("clinic.billing.urls")),
    path("insurance/", include("clinic.insurance.urls")),
    path("pharmacy/", include("clinic.pharmacy.urls")),
    path("lab/", include("clinic.lab.urls")),
    path("records/", include("clinic.records.urls")),
    path("notifications/", include("clinic.notifications.urls")),
]
