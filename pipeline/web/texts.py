"""Every text of the web pages, Indonesian first and English second (``pipeline.i18n``)."""

from __future__ import annotations

from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "app": ("Terbit — Publikasi Situs", "Terbit — Website publication"),
        "skip": ("Langsung ke isi", "Skip to content"),
        "nav": ("Navigasi utama", "Main navigation"),
        "waiting": ("Menunggu saya", "Waiting for me"),
        "changes": ("Semua perubahan", "All changes"),
        "records": ("Catatan penyelesaian", "Completion records"),
        "report": ("Laporan kepatuhan", "Compliance report"),
        "audit": ("Log audit", "Audit log"),
        "signed_in_as": ("Masuk sebagai {name}", "Signed in as {name}"),
        "sign_in": ("Masuk", "Sign in"),
        "sign_out": ("Keluar", "Sign out"),
        "language": ("Bahasa", "Language"),
        "switch": ("English", "Bahasa Indonesia"),
        "person_id": ("ID pegawai (roles.yml)", "Person id (roles.yml)"),
        "password": ("Kata sandi", "Password"),
        "bad_login": ("ID atau kata sandi salah.", "Wrong id or password."),
        "locked": (
            "Terlalu banyak percobaan gagal untuk akun ini; coba lagi setelah 15 menit atau "
            "minta Admin Website mengatur ulang kata sandi.",
            "Too many failed attempts for this account; try again after 15 minutes or ask the "
            "website administrator to reset the password.",
        ),
        "slow_down": (
            "Terlalu banyak percobaan masuk dari alamat ini; tunggu satu menit.",
            "Too many sign-in attempts from this address; wait a minute.",
        ),
        "signed_out": ("Anda sudah keluar.", "You are signed out."),
        "need_login": ("Silakan masuk dulu.", "Please sign in first."),
        "forbidden": (
            "Halaman ini hanya untuk peran {roles}.",
            "This page is for the role(s) {roles} only.",
        ),
        "csrf": (
            "Formulir kedaluwarsa atau tidak berasal dari aplikasi ini (token CSRF tidak cocok). "
            "Muat ulang halaman lalu coba lagi.",
            "The form expired or did not come from this application (CSRF token mismatch). "
            "Reload the page and try again.",
        ),
        "too_big": ("Kiriman terlalu besar.", "The request is too large."),
        "not_found": ("Halaman tidak ditemukan.", "Page not found."),
        "internal": (
            "Terjadi kesalahan internal. Ini bukan kesalahan Anda; laporkan waktu kejadian ke "
            "Admin Website.",
            "Internal error. This is not your fault; tell the website administrator when it "
            "happened.",
        ),
        "error": ("Kesalahan", "Error"),
        "back": ("Kembali ke beranda", "Back to the home page"),
        # waiting
        "waiting_none": ("Tidak ada yang menunggu Anda.", "Nothing is waiting for you."),
        "col_change": ("Perubahan", "Change"),
        "col_step": ("Langkah", "Step"),
        "col_submitter": ("Pengaju", "Submitter"),
        "col_since": ("Menunggu sejak", "Waiting since"),
        "col_time": ("Lama / mutu baku", "Time / standard"),
        "minutes": ("{n} mnt", "{n} min"),
        "of_standard": ("{n} / {std} mnt", "{n} / {std} min"),
        "overdue": ("melebihi {n} mnt", "over by {n} min"),
        "within": ("sesuai mutu baku", "within the standard"),
        "working_minutes": (
            "Menit kerja menurut kalender kantor.",
            "Working minutes by the office calendar.",
        ),
        "pages_nav": ("Halaman daftar", "Pages of the list"),
        "page_of": ("Halaman {page} dari {pages}", "Page {page} of {pages}"),
        "page_prev": ("Sebelumnya", "Previous"),
        "page_next": ("Berikutnya", "Next"),
        # changes list
        "filters": ("Saring", "Filter"),
        "state": ("Status", "State"),
        "any": ("semua", "any"),
        "open": ("terbuka", "open"),
        "merged": ("digabung", "merged"),
        "closed": ("ditutup", "closed"),
        "author": ("Pengaju", "Submitter"),
        "month": ("Bulan (TTTT-BB)", "Month (YYYY-MM)"),
        "apply": ("Terapkan", "Apply"),
        "col_no": ("No", "No"),
        "col_title": ("Judul", "Title"),
        "col_opened": ("Diajukan", "Opened"),
        "col_state": ("Status", "State"),
        "no_changes": ("Tidak ada perubahan yang cocok.", "No matching changes."),
        "broken": (
            "perubahan #{id} tidak dapat dibaca: {why}",
            "change #{id} cannot be read: {why}",
        ),
        "gate_passed": ("gerbang lulus", "gate passed"),
        # change page
        "change_title": ("Perubahan #{id}: {title}", "Change #{id}: {title}"),
        "nota_dinas": ("Nota dinas", "Nota dinas (memo)"),
        "steps": ("Langkah SOP", "SOP steps"),
        "col_activity": ("Kegiatan", "Activity"),
        "col_role": ("Pelaksana", "Role"),
        "col_by": ("Oleh", "By"),
        "col_when": ("Waktu", "When"),
        "col_note": ("Keterangan", "Note"),
        "done": ("selesai", "done"),
        "pending": ("menunggu", "pending"),
        "refused": ("ditolak", "refused"),
        "deferred": ("ditunda", "deferred"),
        "running": ("berjalan", "running"),
        "author_fix": ("perbaikan oleh staf: {n} mnt", "fixing by the author: {n} min"),
        "checks": ("Hasil pemeriksaan", "Check results"),
        "no_problems": ("Tidak ada masalah.", "No problems."),
        "notes": ("Catatan", "Notes"),
        "files": ("Berkas", "Files"),
        "diff": (
            "Perbedaan dengan versi yang tayang",
            "Difference from the published version",
        ),
        "diff_help": (
            "Baris diawali - dihapus, + ditambahkan, dibanding draf di main.",
            "Lines starting with - are removed, + added, compared with the draft on main.",
        ),
        "site_preview": ("Tampilan di situs", "As it will look on the site"),
        "site_preview_help": (
            "Halaman yang diubah, dibangun dengan tema situs (layar lebar dan ponsel). Pembangunan "
            "pertama butuh beberapa detik; skrip tidak dijalankan.",
            "The changed page, built with the site's theme (wide screen and phone). The first "
            "build takes a few seconds; scripts do not run.",
        ),
        "preview_desktop": ("Pratinjau layar lebar", "Wide-screen preview"),
        "preview_phone": ("Pratinjau ponsel (390 piksel)", "Phone preview (390 pixels)"),
        "diff_cut": ("{n} baris lagi tidak ditampilkan.", "{n} more lines not shown."),
        "timeline": ("Riwayat", "Timeline"),
        "col_event": ("Peristiwa", "Event"),
        "col_minutes": ("Menit sejak sebelumnya", "Minutes since previous"),
        "comments": ("Komentar", "Comments"),
        "no_comments": ("Belum ada komentar.", "No comments yet."),
        "closed_reason": ("Ditutup: {reason}", "Closed: {reason}"),
        "fix_link": (
            "Perbaiki draf di penyunting (kirim commit baru ke perubahan ini)",
            "Fix the draft in the editor (send a new commit to this change)",
        ),
        "publication": ("Publikasi: {state}", "Publication: {state}"),
        "complete": ("lengkap", "complete"),
        "incomplete": ("belum lengkap", "incomplete"),
        "failed": ("gagal", "failed"),
        "ev_opened": ("diajukan dengan nota dinas", "opened with the nota dinas"),
        "ev_push": ("mengirim commit baru", "sent new commits"),
        "ev_review:approve": ("menyetujui", "approved"),
        "ev_review:request_changes": ("meminta perbaikan", "requested changes"),
        "ev_review:comment": ("berkomentar", "commented"),
        "ev_closed": ("menutup perubahan", "closed the change"),
        "ev_notice": ("memberi tahu staf", "notified the author"),
        "ev_merged": ("digabung ke main", "merged into main"),
        "ev_attach": ("melampirkan data dukung", "attached supporting documents"),
        "ev_check": ("memeriksa halaman", "checked the pages"),
        "dd_title": ("Data dukung", "Supporting documents"),
        "dd_about": (
            "Dokumen pendukung (KAK, foto asli, pindaian nota dinas bertanda tangan): ikut "
            "perubahan dan Lembar Penyelesaian, tidak pernah terbit di situs.",
            "Supporting documents (terms of reference, original photos, the signed nota dinas "
            "scan): kept with the change and the completion record, never published on the site.",
        ),
        "dd_none": ("Belum ada data dukung.", "No supporting documents yet."),
        "dd_col_name": ("Berkas", "File"),
        "dd_col_type": ("Jenis", "Type"),
        "dd_col_size": ("Ukuran", "Size"),
        "dd_size": ("{n} KB", "{n} KB"),
        "dd_unsigned": ("tanda tangan tidak sah", "signature does not verify"),
        "dd_add": ("Lampirkan data dukung", "Attach a supporting document"),
        "dd_file": (
            "Berkas (PDF, JPEG, PNG, DOCX, XLSX, ODT)",
            "File (PDF, JPEG, PNG, DOCX, XLSX, ODT)",
        ),
        "dd_hint": (
            "Dilampirkan dengan tanda tangan Anda; masukkan frasa sandi kunci Anda.",
            "Attached with your signature; enter your key's passphrase.",
        ),
        "dd_send": ("Lampirkan", "Attach"),
        "dd_done": (
            "Data dukung dilampirkan dan ditandatangani.",
            "Supporting document attached and signed.",
        ),
        "dd_no_file": ("pilih berkas yang akan dilampirkan", "choose a file to attach"),
        "unsigned": ("tidak dihitung: {why}", "does not count: {why}"),
        # reviewing
        "review": ("Ulasan Anda (langkah {step})", "Your review (step {step})"),
        "review_hint": (
            "Persetujuan ditandatangani dengan kunci SSH Anda sendiri, seperti `terbit review`; "
            "frasa sandi hanya dipakai untuk tanda tangan ini dan tidak disimpan.",
            "The approval is signed with your own SSH key, as `terbit review` does; the "
            "passphrase is used for this signature only and never stored.",
        ),
        "body": (
            "Komentar (wajib untuk meminta perbaikan dan berkomentar)",
            "Comment (required to request changes and to comment)",
        ),
        "passphrase": ("Frasa sandi kunci tanda tangan", "Signing key passphrase"),
        "approve": ("Setujui", "Approve"),
        "request_changes": ("Minta perbaikan", "Request changes"),
        "comment": ("Kirim komentar", "Send comment"),
        "need_body": (
            "Tulis komentar: meminta perbaikan dan berkomentar memerlukan teks.",
            "Write a comment: requesting changes and commenting need text.",
        ),
        "too_long": (
            "Komentar terlalu panjang (maks. {n} karakter).",
            "Comment too long (max {n}).",
        ),
        "bad_state": ("Tindakan tidak dikenal.", "Unknown action."),
        "passphrase_locked": (
            "Terlalu banyak frasa sandi salah; coba lagi setelah 15 menit.",
            "Too many wrong passphrases; try again after 15 minutes.",
        ),
        # on a phone the form is far below the nota dinas and the step table
        "to_review": ("Ke formulir ulasan (langkah {step})", "To the review form (step {step})"),
        "recorded": (
            "Ulasan Anda dicatat dan ditandatangani.",
            "Your review is recorded and signed.",
        ),
        # writing a draft
        "write": ("Tulis draf", "Write a draft"),
        "write_intro": (
            "Isi formulir lalu tekan Periksa: pemeriksaan draf yang sama dengan `terbit check` "
            "menampilkan pesannya di samping isian atau baris yang bersangkutan. Pratinjau "
            "memakai Markdown dan penyaring HTML situs.",
            "Fill in the form, then press Check: the same draft checks as `terbit check` show "
            "their messages beside the field or line they concern. The preview uses the site's "
            "Markdown and HTML sanitiser.",
        ),
        "f_slug": ("Slug (alamat artikel)", "Slug (the article's address)"),
        "f_title": ("Judul", "Title"),
        "f_category": ("Kategori", "Category"),
        "f_tags": ("Topik (dipisah koma)", "Tags (comma-separated)"),
        "f_summary": ("Ringkasan", "Summary"),
        "f_date": ("Tanggal (TTTT-BB-HH JJ:MM)", "Date (YYYY-MM-DD HH:MM)"),
        "f_featured": ("Tampilkan di beranda", "Feature on the home page"),
        "f_author": ("Penulis", "Author"),
        "f_body": ("Isi (Markdown)", "Body (Markdown)"),
        "f_draft": ("Draf", "Draft"),
        "at_line": ("baris {n}: {message}", "line {n}: {message}"),
        "check": ("Periksa", "Check"),
        "preview": ("Pratinjau", "Preview"),
        "preview_frame": (
            "Pratinjau artikel dengan gaya situs",
            "Preview of the article in the site's style",
        ),
        "preview_hint": (
            "Pratinjau diperbarui saat Anda mengetik.",
            "The preview updates as you type.",
        ),
        "draft_ok": (
            "Draf lolos pemeriksaan.",
            "The draft passes the checks.",
        ),
        "draft_problems": (
            "Draf belum lolos pemeriksaan; lihat pesan di samping isian.",
            "The draft does not pass the checks yet; see the messages beside the fields.",
        ),
        # records and report
        "no_records": ("Belum ada catatan penyelesaian.", "No completion records yet."),
        "col_record": ("Catatan", "Record"),
        "col_published": ("Terbit", "Published"),
        "col_pdf": ("PDF", "PDF"),
        "download": ("PDF {id}", "PDF {id}"),
        "show": ("Tampilkan", "Show"),
        "report_month": ("Bulan laporan (TTTT-BB)", "Report month (YYYY-MM)"),
        "col_at": ("Waktu (UTC)", "Time (UTC)"),
        "col_what": ("Peristiwa", "Event"),
        "col_person": ("Orang", "Person"),
        "col_address": ("Alamat", "Address"),
        "col_detail": ("Rincian", "Detail"),
    }
)
