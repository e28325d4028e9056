"""Step 7 of the SOP: the activity report (laporan kegiatan) to the author."""

from pipeline.report.notice import (
    ActivityReport,
    NotifyError,
    PublishedItem,
    build_message,
    send_email,
)

__all__ = ["ActivityReport", "NotifyError", "PublishedItem", "build_message", "send_email"]
