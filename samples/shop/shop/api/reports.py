"""Reporting endpoints for analysts and finance."""

from __future__ import annotations

import os

from flask import Blueprint, request, send_file

from shop.db import get_session
from shop.services import auth_service, report_service
from shop.services.export_jobs import ExportJobRunner
from shop.tasks import report_tasks
from shop.utils.http import ApiError, NotFound, created, json_body, ok, validation_failed
from shop.utils.validation import ValidationError

bp = Blueprint("reports", __name__)


def _analyst() -> int:
    """Every reporting endpoint is limited to users with the analyst role."""
    return auth_service.require_role("analyst")


@bp.get("/reports/dashboard")
def dashboard():
    analyst_id = _analyst()
    days = min(max(int(request.args.get("days", 30)), 1), 365)
    payload = report_service.dashboard(days)
    payload["viewer"] = analyst_id
    return ok(payload)


@bp.get("/reports/sales/latest")
def latest_sales():
    analyst_id = _analyst()
    run = report_service.latest_sales_run()
    if run is None:
        raise NotFound("sales report", "latest")
    return ok({"id": run.id, "period": [str(run.period_start), str(run.period_end)], "summary": run.summary,
               "viewer": analyst_id})


@bp.route("/reports/exports", methods=["POST"])
def create_export():
    analyst_id = _analyst()
    body = json_body()
    try:
        job = ExportJobRunner(get_session()).request_export(
            analyst_id, str(body.get("dataset", "")), str(body.get("format", "csv"))
        )
    except ValidationError as err:
        return validation_failed(err)
    report_tasks.run_export.delay(job.id)
    return created({"id": job.id, "status": job.status}, location=f"/api/v1/reports/exports/{job.id}")


@bp.get("/reports/exports/<int:job_id>")
def export_status(job_id: int):
    analyst_id = _analyst()
    job = ExportJobRunner(get_session()).jobs.get(job_id)
    if job is None or job.requested_by != analyst_id:
        raise NotFound("export", job_id)
    return ok({"id": job.id, "status": job.status, "progress": job.progress, "error": job.error})


@bp.get("/reports/exports/<int:job_id>/download")
def download_export(job_id: int):
    analyst_id = _analyst()
    job = ExportJobRunner(get_session()).jobs.get(job_id)
    if job is None or job.requested_by != analyst_id:
        raise NotFound("export", job_id)
    if job.status != "done" or not job.output_path or not os.path.exists(job.output_path):
        raise ApiError(409, "not_ready", f"export {job_id} is {job.status}")
    return send_file(job.output_path, as_attachment=True, download_name=os.path.basename(job.output_path))
