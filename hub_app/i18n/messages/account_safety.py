"""Account safety (issue 8): throttled password checks, mail limits and emailed sign-in links."""

MESSAGES = {
    "error.password_throttled": ("Terlalu banyak kata sandi yang salah. Coba lagi dalam {minutes} menit.",
                                 "Too many wrong passwords. Try again in {minutes} minutes."),
    "login.link_offer": ("Tidak bisa masuk dengan kata sandi?", "Cannot sign in with your password?"),
    "login.link_ask": ("Kirimi saya tautan masuk", "Send me a sign-in link"),
    "login.locked_hint": ("Untuk sementara akun ini tidak bisa masuk dengan kata sandi. Kami bisa mengirim tautan "
                          "masuk sekali pakai ke email Anda.",
                          "Password sign-in is paused for this account for now. We can email you a one-time "
                          "sign-in link."),
    "link.title": ("Masuk lewat email", "Sign in by email"),
    "link.request_lead": ("Masukkan email Anda. Jika terdaftar, kami kirim tautan masuk yang berlaku 15 menit dan "
                          "hanya bisa dipakai sekali.",
                          "Enter your email. If it has an account, we send a sign-in link that is valid for 15 "
                          "minutes and works once."),
    "link.request_submit": ("Kirim tautan masuk", "Send the sign-in link"),
    "link.request_done": ("Jika email itu terdaftar, tautan masuk sudah dikirim. Periksa kotak masuk Anda; jika "
                          "belum ada dalam beberapa menit, coba lagi nanti.",
                          "If that email has an account, a sign-in link is on its way. Check your inbox; if "
                          "nothing arrives within a few minutes, try again later."),
    "link.use_lead": ("Tekan tombol di bawah untuk masuk ke akun Anda di perangkat ini.",
                      "Press the button below to sign in to your account on this device."),
    "link.use_submit": ("Masuk sekarang", "Sign in now"),
    "mail.sign_in_link.title": ("Tautan masuk Jakarta Future City Hub", "Your Jakarta Future City Hub sign-in link"),
    "mail.sign_in_link.body": ("Halo {name}, buka tautan di bawah dalam 15 menit untuk masuk tanpa kata sandi. "
                               "Tautan ini hanya bisa dipakai sekali. Abaikan email ini jika Anda tidak memintanya.",
                               "Hello {name}, open the link below within 15 minutes to sign in without your "
                               "password. The link works once. Ignore this email if you did not ask for it."),
}
