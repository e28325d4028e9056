"""The texts of the Admin Website's pages (merge, publication, retry, rollback) and of the
notification settings, Indonesian first and English second (``pipeline.i18n``)."""

from __future__ import annotations

from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "merge_title": ("Gabungkan ke main (langkah {step})", "Merge into main (step {step})"),
        "merge_hint": (
            "Gerbang SOP lolos. Menggabungkan menandatangani commit merge dengan kunci Anda "
            "sendiri; server memeriksanya lagi lalu memulai publikasi.",
            "The SOP gate passes. Merging signs the merge commit with your own key; the server "
            "checks it again, then starts publishing.",
        ),
        "merge_button": ("Gabungkan dan terbitkan", "Merge and publish"),
        "merge_not_yet": ("Belum bisa digabung: {why}", "Cannot be merged yet: {why}"),
        "merged_done": (
            "Perubahan digabung ke main; publikasi dimulai di server.",
            "The change was merged into main; publishing started on the server.",
        ),
        "publication": ("Publikasi", "Publication"),
        "pub_status": ("Status: {status}", "Status: {status}"),
        "st_running": ("sedang berjalan", "running"),
        "st_waiting": ("belum berjalan", "not started"),
        "st_complete": ("lengkap", "complete"),
        "st_incomplete": ("BELUM LENGKAP", "INCOMPLETE"),
        "st_failed": ("GAGAL", "FAILED"),
        "st_stopped": ("TERHENTI sebelum selesai", "STOPPED before the end"),
        "st_scheduled": ("dijadwalkan", "scheduled"),
        "st_due": ("jatuh tempo, menunggu penjadwal", "due, waiting for the scheduler"),
        "pub_scheduled": (
            "Dijadwalkan: artikel tayang {at} WIB (publish_at). Situs sudah dibangun tanpa "
            "artikelnya; penjadwal server menerbitkannya pada waktu itu.",
            "Scheduled: the article goes live {at} WIB (publish_at). The site was built without "
            "it; the server's scheduler publishes it at that time.",
        ),
        "stage_done": ("selesai", "done"),
        "stage_running": ("berjalan", "running"),
        "stage_waiting": ("menunggu", "waiting"),
        "stage_problem": ("ada masalah", "problem"),
        "stage_prepare": ("Persiapan", "Prepare"),
        "stage_build": ("Build situs", "Build the site"),
        "stage_deploy": ("Unggah (rilis baru)", "Deploy (new release)"),
        "stage_verify": ("Periksa tayang", "Live check"),
        "stage_screenshots": ("Tangkapan layar", "Screenshots"),
        "stage_visitor": ("Pemeriksaan halaman", "Page check"),
        "stage_notice": ("Laporan ke penulis", "Notice to the author"),
        "stage_record": ("Lembar penyelesaian", "Completion record"),
        "attempts": ("Percobaan: {n}", "Attempts: {n}"),
        "reasons": ("Alasan", "Reasons"),
        "live_checks": ("Periksa tayang", "Live check"),
        "screenshots": ("Tangkapan layar", "Screenshots"),
        "shot_alt": ("Tangkapan layar {view}: {file}", "Screenshot {view}: {file}"),
        "record_link": ("Lembar penyelesaian (PDF)", "Completion record (PDF)"),
        "release": ("Rilis yang tayang: {id}", "Live release: {id}"),
        "updating": (
            "Halaman ini diperbarui sendiri sampai publikasi selesai.",
            "This section updates itself until the publication ends.",
        ),
        "retry": ("Ulangi publikasi", "Retry the publication"),
        "retry_hint": (
            "Sama dengan `terbit publish {merge} --resume` di server: melanjutkan dari tahap "
            "terakhir yang selesai.",
            "The same as `terbit publish {merge} --resume` on the server: continues from the "
            "last finished stage.",
        ),
        "recheck_title": ("Pemeriksaan halaman", "Page check"),
        "recheck_hint": (
            "Server memeriksa halaman perubahan ini lagi (axe dan tautan internal, di "
            'Chromium); hasilnya muncul di baris "Pemeriksaan halaman" dalam beberapa detik.',
            "The server checks this change's pages again (axe and internal links, in "
            'Chromium); the result shows in the "Page check" line within seconds.',
        ),
        "recheck_button": ("Periksa ulang", "Check again"),
        "recheck_started": (
            "Pemeriksaan halaman dimulai; muat ulang halaman ini sebentar lagi.",
            "The page check started; reload this page in a moment.",
        ),
        "recheck_not_open": (
            "hanya perubahan terbuka yang diperiksa, dan hanya bila pemeriksaan halaman aktif",
            "only open changes are checked, and only when the page check is on",
        ),
        "retry_started": ("Publikasi diulang.", "The publication was started again."),
        "rollback": ("Kembalikan ke rilis {id}", "Roll back to release {id}"),
        "rollback_hint": (
            "Sama dengan `terbit rollback`: rilis sebelumnya tayang lagi sekaligus. Merge "
            "berikutnya menerbitkan main yang baru lagi.",
            "The same as `terbit rollback`: the earlier release is live again at once. The next "
            "merge publishes the newest main again.",
        ),
        "rolled_back": (
            "Rilis {id} tayang lagi (sebelumnya {was}).",
            "Release {id} is live again (was {was}).",
        ),
        "admin_only": (
            "hanya {role} yang boleh melakukan ini",
            "only {role} may do this",
        ),
        # notifications
        "settings": ("Pemberitahuan", "Notifications"),
        "settings_title": ("Pemberitahuan e-mail", "E-mail notifications"),
        "notify_on": (
            "Kirimi saya e-mail saat sesuatu menunggu peran saya, dan pengingat bila melebihi "
            "mutu baku",
            "E-mail me when something waits for my role, and a reminder when it is overdue",
        ),
        "notify_saved": ("Pengaturan disimpan.", "Settings saved."),
        "notify_email": ("Alamat: {email}", "Address: {email}"),
        "notify_no_smtp": (
            "SMTP belum diatur di terbit.yml (notify.smtp); belum ada e-mail yang dikirim.",
            "SMTP is not set in terbit.yml (notify.smtp); no e-mail is sent yet.",
        ),
        "save": ("Simpan", "Save"),
        "waiting_count": ("{n} menunggu saya", "{n} waiting for me"),
    }
)
