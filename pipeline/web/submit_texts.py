"""The texts of submitting from the browser (the nota dinas form, photos, sending, fixing),
Indonesian first and English second (``pipeline.i18n``)."""

from __future__ import annotations

from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "nota": ("Nota dinas", "Nota dinas (memo)"),
        "nota_hint": (
            "Terisi dari roles.yml: kepada Kepala Satker, dari Anda, nomor berikutnya menurut "
            "penomoran kantor (boleh diubah). Nama dan NIP penanda tangan diambil dari roles.yml.",
            "Prefilled from roles.yml: to the head of office, from you, the next number of the "
            "office's numbering (you may change it). The signer's name and NIP come from "
            "roles.yml.",
        ),
        "f_nomor": ("Nomor", "Number"),
        "f_yth": ("Yth. (kepada)", "To"),
        "f_dari": ("Dari", "From"),
        "f_hal": ("Hal", "Subject"),
        "f_tanggal": ("Tanggal (TTTT-BB-HH)", "Date (YYYY-MM-DD)"),
        "f_sifat": ("Sifat", "Urgency"),
        "f_alasan": (
            "Alasan sangat segera (wajib bila Sangat Segera)",
            "Why it is very urgent (required for Sangat Segera)",
        ),
        "f_lampiran": ("Lampiran (satu per baris)", "Attachments (one a line)"),
        "f_isi": ("Isi nota dinas", "Body of the memo"),
        "photos": ("Foto", "Photos"),
        "photos_hint": (
            "JPEG, PNG, GIF atau WebP, maksimum {mb} MB. Foto dikecilkan dan dikompres untuk "
            "situs, data lokasinya (EXIF) dihapus. Teks alternatif wajib. Sesudah diunggah, "
            "rujukannya ditambahkan di akhir isi; pindahkan ke tempat yang Anda mau. Teks "
            "yang sudah Anda ketik ikut terkirim dan tetap ada.",
            "JPEG, PNG, GIF or WebP, at most {mb} MB. Photos are resized and compressed for "
            "the site and their location data (EXIF) removed. Alternative text is required. "
            "Once uploaded, its reference is added at the end of the body; move it where you "
            "want it. What you typed is sent along and kept.",
        ),
        "f_photo": ("Berkas foto", "Photo file"),
        "no_photo": (
            "pilih berkas foto dulu, lalu tekan Unggah foto",
            "choose a photo file first, then press Upload photo",
        ),
        "f_photo_alt": ("Teks alternatif foto", "The photo's alternative text"),
        "upload": ("Unggah foto", "Upload photo"),
        "uploaded": ("Foto diunggah: {name}", "Photo uploaded: {name}"),
        "photo_list": ("Foto draf ini", "This draft's photos"),
        "insert": ("Sisipkan di kursor", "Insert at the cursor"),
        "send": ("Kirim", "Submit"),
        "send_fix": ("Kirim perbaikan", "Send the fix"),
        "send_title": ("Kirim ke pemeriksa", "Send to the reviewers"),
        "send_hint": (
            "Kirim membuat cabang, commit dan perubahan persis seperti `terbit new` dan "
            "`terbit submit`, ditandatangani dengan kunci SSH Anda sendiri; frasa sandi hanya "
            "dipakai untuk tanda tangan ini dan tidak disimpan.",
            "Submit makes the branch, the commit and the change exactly as `terbit new` and "
            "`terbit submit` do, signed with your own SSH key; the passphrase is used for this "
            "signature only and never stored.",
        ),
        "passphrase": ("Frasa sandi kunci tanda tangan", "Signing key passphrase"),
        "need_passphrase": (
            "Isi frasa sandi kunci tanda tangan Anda untuk mengirim.",
            "Enter your signing key passphrase to submit.",
        ),
        "fix_title": ("Perbaiki perubahan #{id}", "Fix change #{id}"),
        "fix_intro": (
            "Sunting draf perubahan ini lalu kirim perbaikannya: commit baru bertanda tangan "
            "pada perubahan yang sama, seperti `terbit submit` dari klon Anda. Nota dinas tetap "
            "yang sudah dikirim.",
            "Edit this change's draft, then send the fix: a new signed commit on the same "
            "change, as `terbit submit` from your clone. The nota dinas stays the one sent.",
        ),
        "fix_link": ("Perbaiki di penyunting", "Fix in the editor"),
        "not_sent": (
            "Belum dikirim; perbaiki yang ditandai lalu kirim lagi.",
            "Not sent; fix what is marked, then submit again.",
        ),
        "too_big_upload": (
            "Foto ini lebih dari {mb} MB; pilih foto yang lebih kecil.",
            "This photo is over {mb} MB; choose a smaller one.",
        ),
    }
)
