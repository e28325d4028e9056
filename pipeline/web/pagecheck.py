"""The "Periksa ulang" button of the change page: the Admin Website asks the server to check an
open change's pages again (``terbit check-pages --change ID --again``), e.g. after its check
failed to run or main's theme was fixed. Admin only, CSRF-checked, in the audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from pipeline.web.admin import _admin_only, _again
from pipeline.web.admin_texts import MSG
from pipeline.web.pages import _address, _off
from pipeline.web.publishing import detached


async def recheck(request: Request) -> Response:
    allowed = await _admin_only(request, "page_check_refused")
    if isinstance(allowed, Response):
        return allowed
    office, user, change_id = allowed
    view = await _off(request, office.change, change_id, user.id)
    if view.row.state != "open" or not office.policy().settings.forge.page_check:
        return await _again(request, office, user, change_id, 409, MSG("recheck_not_open"))
    app = request.app.state
    started = detached(office, ["check-pages", "--change", change_id, "--again",
                                "--repo", str(office.server)], background=True)  # fmt: skip
    app.children.append(started)  # reaped when the app stops
    app.children[:] = [c for c in app.children if c.poll() is None]
    app.audit.write("page_check", person=user.id, address=_address(request),
                    detail=f"#{change_id}")  # fmt: skip
    return RedirectResponse(f"/perubahan/{change_id}?diperiksa=1", status_code=303)
