"""Analyse a recorded video: upload (raw body, in memory), progress, result.

The browser sends the file itself as the request body (`Content-Type: video/...`), not as
a multipart form, so the server never spools it to a temporary file. The size limit is
checked from `Content-Length` before reading and again while reading; the first bytes must
be a video container's before anything is decoded.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from hipcoach.web.deps import require_csrf, services_of, settings_of
from hipcoach.web.jobs import AnalysisJobs
from hipcoach.web.media import UploadTooLargeError, check_video_bytes, read_limited
from hipcoach.web.protocol import skeleton_edges

router = APIRouter()


def _jobs(request: Request) -> AnalysisJobs:
    jobs: AnalysisJobs = request.app.state.jobs
    return jobs


@router.post("/api/analyse", dependencies=[Depends(require_csrf)])
async def start_analysis(
    request: Request,
    exercise: str,
    variation: str | None = None,
    side: Literal["left", "right", "auto"] = "auto",
    keep: bool = False,
) -> JSONResponse:
    """Start analysing the uploaded video; answers at once with a job id (202)."""
    settings = settings_of(request)
    services = services_of(request)
    found = services.get_exercise(exercise)
    resolved = services.resolve_variation(found, variation)
    limit = settings.max_upload_mb * 1024 * 1024
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise UploadTooLargeError(f"the video is larger than the {settings.max_upload_mb} MB limit")
    data = await read_limited(request.stream(), limit)
    kind = check_video_bytes(data)
    keep_dir = settings.data_dir / "videos" if keep else None
    job = _jobs(request).submit(
        data, kind, found.id, resolved.id if resolved else None, side, keep_dir
    )
    return JSONResponse(job.progress(), status_code=202)


@router.get("/api/analyse/{job_id}")
async def analysis_progress(request: Request, job_id: str) -> JSONResponse:
    job = _jobs(request).get(job_id)
    if job is None:
        raise HTTPException(404, "no such analysis (results are kept for the last few videos)")
    return JSONResponse(job.progress())


@router.get("/api/analyse/{job_id}/result")
async def analysis_result(request: Request, job_id: str) -> JSONResponse:
    """The per-rep report and per-frame poses (for drawing over the person's own video)."""
    job = _jobs(request).get(job_id)
    if job is None:
        raise HTTPException(404, "no such analysis (results are kept for the last few videos)")
    if job.status != "done" or job.report is None:
        raise HTTPException(409, job.message or "the analysis has not finished yet")
    return JSONResponse(
        {
            "id": job.id,
            "exercise": job.exercise,
            "variation": job.variation,
            "report": job.report.model_dump(mode="json"),
            "frames": job.frames,
            "skeleton": skeleton_edges(),
            "saved_to": job.saved_to,
        }
    )
