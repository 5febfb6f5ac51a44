"""HTTP API for campaigns, jobs and reports (admin / auditor credentials), included by hq.app."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import AfterValidator, BeforeValidator

from hq import campaigns, jobs, reports
from hq.service import Forbidden, HQError, Who


def _iso_date(v):
    """A day as YYYY-MM-DD, nothing else (pydantic's lax mode would read "0" as 1970-01-01)."""
    if isinstance(v, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise ValueError("expected a date as YYYY-MM-DD")
    return v


def _iso_datetime(v):
    if isinstance(v, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", v):
        raise ValueError("expected a date-time as YYYY-MM-DDTHH:MM[:SS][+09:00]")
    return v


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def _in_range(v):
    """Days HQ can work with (a report adds a day and shifts by the zone: year 1 or 9999 overflowed)."""
    d = v.date() if isinstance(v, datetime) else v
    if not FIRST_DAY <= d <= LAST_DAY:
        raise ValueError(f"expected a day between {FIRST_DAY} and {LAST_DAY}")
    return v


# (in Annotated[..., Query()] form: a Query() default would drop the validator)
IsoDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_in_range)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime), AfterValidator(_in_range)]


def _who(request: Request) -> Who:
    who = request.state.who
    if who is None:
        raise HQError("Authentication required.", "unauthorised", 401)
    return who


def _reader(who: Who = Depends(_who)) -> Who:
    if who.kind not in ("admin", "auditor"):
        raise Forbidden("Admin or auditor credential required.", "not_admin")
    return who


def _admin(who: Who = Depends(_who)) -> Who:
    if who.kind != "admin":
        raise Forbidden("Admin credential required (auditors read only).", "read_only")
    return who


def _load(text: str, name: str, valid_from: datetime | None = None) -> campaigns.CampaignFile:
    try:
        return campaigns.load_campaign(text, name, valid_from=valid_from)
    except campaigns.CampaignError as exc:
        raise HQError(exc.render(), "invalid_campaign", 422) from None


def build_router(service) -> APIRouter:
    r = APIRouter(prefix="/v1/admin")

    @r.get("/campaigns")
    def list_versions(who: Who = Depends(_reader)):
        return campaigns.list_versions(service)

    @r.get("/campaigns/{version}")
    def show(version: str, who: Who = Depends(_reader)):
        return campaigns.show_version(service, version)

    @r.post("/campaigns/validate")
    def validate(text: str = Body(..., media_type="text/plain"), name: str = Query("file.yaml"),
                 who: Who = Depends(_reader)):
        try:
            cf = campaigns.load_campaign(text, name)
        except campaigns.CampaignError as exc:
            return {"ok": False, "problems": [{"field": p, "line": ln, "message": m} for p, ln, m in exc.problems]}
        return {"ok": True, "version": cf.rule_set.version}

    @r.post("/campaigns/simulate")
    def simulate(text: str = Body(..., media_type="text/plain"), name: str = Query("file.yaml"),
                 days: int = Query(30, ge=1, le=366), who: Who = Depends(_reader)):
        return campaigns.simulate(service, _load(text, name), days=days)

    @r.post("/campaigns/publish")
    def publish(text: str = Body(..., media_type="text/plain"), name: str = Query("file.yaml"),
                valid_from: Annotated[IsoDateTime | None, Query(alias="from")] = None,
                who: Who = Depends(_admin)):
        return campaigns.publish(service, _load(text, name, valid_from))

    @r.get("/jobs/runs")
    def job_runs(job: str | None = None, limit: int = Query(50, ge=1, le=1000), who: Who = Depends(_reader)):
        return jobs.runs(service, job, limit)

    @r.post("/jobs/{job}/run")
    def run_job(job: str, day: Annotated[IsoDate | None, Query(alias="date")] = None, who: Who = Depends(_admin)):
        try:
            return jobs.run_job(service, job, day, trigger="api")
        except jobs.JobError as exc:
            raise HQError(str(exc), "bad_job", 400) from None

    @r.get("/reports/daily")
    def daily(day_from: Annotated[IsoDate, Query(alias="from")],
              day_to: Annotated[IsoDate | None, Query(alias="to")] = None, who: Who = Depends(_reader)):
        return reports.daily(service, day_from, day_to)

    @r.get("/reports/coupons")
    def coupons(day_from: Annotated[IsoDate, Query(alias="from")],
                day_to: Annotated[IsoDate | None, Query(alias="to")] = None, who: Who = Depends(_reader)):
        return reports.coupon_funnel(service, day_from, day_to)

    @r.get("/reports/sync-health")
    def health(who: Who = Depends(_reader)):
        return reports.sync_health(service, datetime.now(timezone.utc))

    return r
