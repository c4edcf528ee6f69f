"""Training certificates: the PDF, the public check at /certificates/<code>, the member's list on
/trainings/mine, the staff actions (Indonesian, English)."""

_HUB = " · Jakarta Future City Hub"

MESSAGES = {
    "title.certificate": ("Periksa sertifikat" + _HUB, "Check a certificate" + _HUB),
    # Statuses
    "certificates.status.valid": ("Sah", "Valid"),
    "certificates.status.revoked": ("Dicabut", "Revoked"),
    "certificates.status.replaced": ("Diganti", "Replaced"),
    # The PDF
    "certificates.pdf.title": ("Sertifikat", "Certificate"),
    "certificates.pdf.partners": (
        "Pemerintah Provinsi DKI Jakarta melalui Jakarta Smart City, bersama Pemerintah Kota Berlin, Jerman — "
        "proyek Smart Change dengan pendanaan Uni Eropa",
        "The Provincial Government of DKI Jakarta through Jakarta Smart City, with the City of Berlin, Germany — "
        "the Smart Change project, funded by the European Union"),
    "certificates.pdf.awarded_to": ("Diberikan kepada", "This certifies that"),
    "certificates.pdf.completed": ("yang telah menyelesaikan pelatihan", "has completed the training"),
    "certificates.pdf.dates_hours": ("{dates} · {hours} jam", "{dates} · {hours} hours"),
    "certificates.pdf.issued": ("Diterbitkan {date}", "Issued {date}"),
    "certificates.pdf.code_label": ("Kode sertifikat: {code}", "Certificate code: {code}"),
    "certificates.pdf.check_at": ("Periksa keaslian sertifikat ini dengan memindai kode QR atau di:",
                                  "Check that this certificate is genuine by scanning the QR code or at:"),
    # The public check
    "certificates.check_title": ("Periksa sertifikat", "Check a certificate"),
    "certificates.check_lead": ("Sertifikat pelatihan dari Jakarta Future City Hub.",
                                "A training certificate from Jakarta Future City Hub."),
    "certificates.valid_text": ("Sertifikat ini sah.", "This certificate is valid."),
    "certificates.revoked_text": ("Sertifikat ini telah dicabut dan tidak berlaku lagi.",
                                  "This certificate has been revoked and is no longer valid."),
    "certificates.replaced_text": ("Sertifikat ini telah diganti dengan sertifikat baru.",
                                   "This certificate has been replaced by a new one."),
    "certificates.see_new": ("Lihat sertifikat baru →", "See the new certificate →"),
    "certificates.holder": ("Nama", "Name"),
    "certificates.training": ("Pelatihan", "Training"),
    "certificates.date": ("Tanggal terbit", "Date issued"),
    "certificates.code": ("Kode", "Code"),
    "certificates.not_found_title": ("Sertifikat tidak ditemukan", "Certificate not found"),
    "certificates.not_found_text": (
        "Tidak ada sertifikat dengan kode ini. Periksa kembali kodenya (20 huruf dan angka, mis. 7KQ2-M9XD-…).",
        "There is no certificate with this code. Check the code again (20 letters and digits, e.g. 7KQ2-M9XD-…)."),
    "certificates.error.not_found": ("Sertifikat tidak ditemukan.", "Certificate not found."),
    "certificates.error.too_many": ("Terlalu banyak pemeriksaan. Coba lagi sebentar lagi.",
                                    "Too many checks. Please try again in a minute."),
    "certificates.error.not_valid": ("Sertifikat ini sudah tidak berlaku.", "This certificate is no longer valid."),
    # The member's list on /trainings/mine
    "certificates.mine_title": ("Sertifikat saya", "My certificates"),
    "certificates.mine_none": ("Belum ada sertifikat. Selesaikan pelatihan untuk mendapatkannya.",
                               "No certificates yet. Complete a training to get one."),
    "certificates.hours": ("{hours} jam", "{hours} hours"),
    "certificates.download": ("Unduh PDF", "Download PDF"),
    "certificates.copy_link": ("Salin tautan", "Copy link"),
    "certificates.link_copied": ("Tautan disalin.", "Link copied."),
    "certificates.linkedin": ("Tambahkan ke LinkedIn", "Add to LinkedIn"),
    "certificates.show_on_profile": ("Tampilkan di profil saya", "Show on my profile"),
    "certificates.shown_ok": ("Sertifikat ditampilkan di profil Anda.", "The certificate is shown on your profile."),
    "certificates.hidden_ok": ("Sertifikat tidak lagi ditampilkan di profil Anda.",
                               "The certificate is no longer shown on your profile."),
    "certificates.verify_link": ("Halaman pemeriksaan", "Check page"),
    "certificates.profile_title": ("Sertifikat", "Certificates"),
    # Staff
    "certificates.staff_title": ("Untuk staf", "For staff"),
    "certificates.reason": ("Alasan", "Reason"),
    "certificates.revoke": ("Cabut sertifikat", "Revoke certificate"),
    "certificates.revoked_ok": ("Sertifikat dicabut.", "Certificate revoked."),
    "certificates.new_name": ("Nama yang benar", "Corrected name"),
    "certificates.reissue": ("Terbitkan ulang dengan nama ini", "Reissue with this name"),
    "certificates.reissued_ok": ("Sertifikat baru diterbitkan.", "A new certificate was issued."),
    "certificates.member_record": ("Data anggota", "Member record"),
    "certificates.staff_list_title": ("Sertifikat", "Certificates"),
    "certificates.reason_completion_withdrawn": ("Kelulusan dibatalkan setelah koreksi kehadiran",
                                                 "Completion withdrawn after an attendance correction"),
    "certificates.reason_account_erased": ("Akun dihapus", "Account erased"),
    "field.certificates.reason": ("Alasan", "Reason"),
    "field.certificates.name": ("Nama", "Name"),
    "field.certificates.shown": ("Tampilkan di profil", "Show on profile"),
    "field.certificates.member_id": ("Anggota", "Member"),
    # Audit log
    "queues.action.certificate.revoke": ("Sertifikat dicabut", "Certificate revoked"),
    "queues.action.certificate.reissue": ("Sertifikat diterbitkan ulang", "Certificate reissued"),
}
