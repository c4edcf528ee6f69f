"""Running the portal: development mail (the outbox at /admin/mail while no mail server is set)."""

_ADMIN_TITLE = " · Admin · Jakarta Future City Hub"

MESSAGES = {
    "title.admin_mail": ("Email pengembangan" + _ADMIN_TITLE, "Development mail" + _ADMIN_TITLE),
    "mail.admin_title": ("Email (pengembangan)", "Mail (development)"),
    "mail.heading": ("Email pengembangan", "Development mail"),
    "mail.intro": (
        "Belum ada server email (HUB_SMTP_HOST), jadi email tidak dikirim: email ditampilkan di terminal "
        "server dan di sini, terbaru di atas. Halaman ini hanya ada dalam mode pengembangan.",
        "No mail server is set (HUB_SMTP_HOST), so emails are not sent: they are shown in the server's "
        "terminal and here, newest first. This page exists only in development mode."),
    "mail.to": ("Kepada", "To"),
    "mail.when": ("Waktu", "Time"),
    "mail.link": ("Tautan", "Link"),
    "mail.no_link": ("Tanpa tautan", "No link"),
    "mail.empty": ("Belum ada email.", "No emails yet."),
    "mail.newest": ("Email terbaru", "Newest emails"),
    "mail.older": ("Email sebelumnya", "Older emails"),
    "mail.status.sent": ("Ditampilkan (tidak dikirim)", "Shown (not sent)"),
    "mail.status.delivered": ("Terkirim", "Sent"),
    "mail.status.waiting": ("Menunggu", "Waiting"),
    "mail.status.retrying": ("Dicoba lagi", "Retrying"),
    "mail.status.failed": ("Gagal", "Failed"),
    "mail.error.development_only": ("Halaman ini hanya ada dalam mode pengembangan.",
                                    "This page exists only in development mode."),
    "mail.error.staff_only": ("Hanya staf yang dapat membaca kotak keluar email.",
                              "Only staff can read the mail outbox."),
}
