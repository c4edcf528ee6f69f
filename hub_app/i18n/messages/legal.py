"""Terms of use (/terms), the privacy notice (/privacy) and agreeing to a new version (/agree).

What the privacy notice says must stay true of the code: what the portal stores (hub_app/models),
what "download my data" and "delete my account" do (services/profiles.py, services/personal_data.py
and each feature's erase_personal_data), who sees what (domain/permissions.py). Change the texts
together with settings.terms_version, so that members are asked to agree again."""

MESSAGES = {
    # Shared
    "legal.version": ("Versi {version}", "Version {version}"),
    "legal.terms_link": ("Syarat penggunaan", "Terms of use"),
    "legal.privacy_link": ("Pemberitahuan privasi", "Privacy notice"),
    "legal.read": ("Baca:", "Read:"),
    "legal.contact_title": ("Kontak", "Contact"),
    "legal.contact": ("Pertanyaan, permintaan atas data pribadi Anda, atau keluhan: tulis ke {email}, atau datangi "
                      "meja layanan Jakarta Future City Hub di lantai 23 JB Tower, Kebon Sirih, Jakarta Pusat. Kami "
                      "menjawab paling lambat 3 × 24 jam pada hari kerja.",
                      "Questions, requests about your personal data, or complaints: write to {email}, or come to the "
                      "Jakarta Future City Hub front desk on the 23rd floor of JB Tower, Kebon Sirih, Central "
                      "Jakarta. We answer within 3 × 24 hours on working days."),
    # Privacy notice
    "legal.privacy.title": ("Pemberitahuan privasi", "Privacy notice"),
    "legal.privacy.lead": ("Pemberitahuan ini menjelaskan data pribadi apa yang disimpan portal Jakarta Future City "
                           "Hub, untuk apa, berapa lama, siapa yang melihatnya, dan hak Anda menurut Undang-Undang "
                           "Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi (UU PDP).",
                           "This notice explains which personal data the Jakarta Future City Hub portal keeps, why, "
                           "for how long, who sees it, and your rights under Indonesia's Law No. 27 of 2022 on "
                           "Personal Data Protection (UU PDP)."),
    "legal.privacy.controller_title": ("Siapa yang bertanggung jawab", "Who is responsible"),
    "legal.privacy.controller": ("Jakarta Future City Hub adalah ruang kerja bersama milik Pemerintah Provinsi DKI "
                                 "Jakarta, dijalankan melalui Jakarta Smart City dan dibangun bersama Pemerintah Kota "
                                 "Berlin. Pemprov DKI Jakarta adalah pengendali data pribadi untuk portal ini.",
                                 "Jakarta Future City Hub is a coworking hub of the Provincial Government of DKI "
                                 "Jakarta, run through Jakarta Smart City and built with the City of Berlin. The "
                                 "Provincial Government of DKI Jakarta is the controller of the personal data in this "
                                 "portal."),
    "legal.privacy.data_title": ("Data yang kami simpan", "The data we keep"),
    "legal.privacy.data_account": ("Akun: nama, email, kata sandi (hanya sebagai hash argon2, tidak bisa dibaca "
                                   "siapa pun), bahasa pilihan, status keanggotaan, dan versi serta waktu persetujuan "
                                   "Anda atas syarat ini.",
                                   "Account: name, email, password (only as an argon2 hash that nobody can read "
                                   "back), your language, membership status, and which version of these terms you "
                                   "agreed to and when."),
    "legal.privacy.data_profile": ("Profil yang Anda isi: nama usaha, sektor, tahap usaha, bio, yang Anda tawarkan "
                                   "dan cari, foto profil, serta pilihan tampil di direktori dan menampilkan email.",
                                   "The profile you fill in: business name, sector, stage, bio, what you offer and "
                                   "look for, profile photo, and whether you appear in the directory and show your "
                                   "email."),
    "legal.privacy.data_activity": ("Kegiatan di hub: pemesanan ruang dan check-in, pendaftaran pelatihan, daftar "
                                    "tunggu, kehadiran, kelulusan dan penilaian, tulisan, suka dan laporan di forum, "
                                    "serta notifikasi untuk Anda.",
                                    "What you do at the hub: space bookings and check-ins, training enrolments, "
                                    "waitlist places, attendance, completions and ratings, forum posts, likes and "
                                    "reports, and the notifications for you."),
    "legal.privacy.data_security": ("Catatan keamanan: sesi masuk (waktu, jenis peramban, alamat jaringan), percobaan "
                                    "masuk, email yang kami kirim kepada Anda, dan, jika Anda masuk lewat penyedia "
                                    "identitas, pengenal akun Anda di sana.",
                                    "Security records: sign-in sessions (times, browser, network address), sign-in "
                                    "attempts, the emails we send you, and, if you sign in through an identity "
                                    "provider, your account's identifier there."),
    "legal.privacy.purposes_title": ("Untuk apa", "Why"),
    "legal.privacy.purpose_membership": ("Meninjau dan mengelola keanggotaan Anda (staf menyetujui anggota baru).",
                                         "To review and manage your membership (staff approve new members)."),
    "legal.privacy.purpose_services": ("Menjalankan layanan hub: pemesanan dan kuota ruang, pelatihan dan "
                                       "presensi, forum dan direktori anggota, notifikasi dan email.",
                                       "To run the hub's services: bookings and quotas, trainings and attendance, "
                                       "the forum and the member directory, notifications and email."),
    "legal.privacy.purpose_security": ("Melindungi akun dan portal dari penyalahgunaan (misalnya membatasi tebakan "
                                       "kata sandi).",
                                       "To protect accounts and the portal from misuse (for example by slowing down "
                                       "password guessing)."),
    "legal.privacy.purpose_reports": ("Laporan program untuk Pemprov DKI Jakarta, seperti tingkat pemakaian ruang "
                                      "dan kehadiran pelatihan, dalam bentuk angka gabungan tanpa nama.",
                                      "Programme reports for the Provincial Government, such as how full the spaces "
                                      "are and training attendance, as totals without names."),
    "legal.privacy.basis": ("Dasar pemrosesan adalah persetujuan Anda saat mendaftar dan pelaksanaan layanan publik "
                            "hub yang Anda minta (UU PDP Pasal 20). Kami tidak menjual data Anda dan tidak "
                            "memakainya untuk iklan.",
                            "We process your data on the basis of the consent you give when you sign up and to "
                            "provide the hub's public service that you ask for (UU PDP Article 20). We do not sell "
                            "your data and do not use it for advertising."),
    "legal.privacy.retention_title": ("Berapa lama", "How long"),
    "legal.privacy.retention_account": ("Akun, profil dan kegiatan Anda disimpan selama akun Anda ada.",
                                        "Your account, profile and activity are kept for as long as your account "
                                        "exists."),
    "legal.privacy.retention_delete": ("Saat Anda menghapus akun, data pribadi langsung dihapus: profil, foto, "
                                       "notifikasi, email yang belum terkirim, suka, catatan laporan dan komentar "
                                       "penilaian; pemesanan mendatang dibatalkan dan kursi pelatihan dilepas.",
                                       "When you delete your account, your personal data is erased at once: "
                                       "profile, photo, notifications, unsent emails, likes, report notes and "
                                       "rating comments; future bookings are cancelled and training seats given "
                                       "up."),
    "legal.privacy.retention_records": ("Yang tetap ada untuk catatan hub, tanpa nama Anda: pemesanan yang sudah "
                                        "lewat, kehadiran dan kelulusan pelatihan, tulisan forum (tampil sebagai "
                                        "\u201cAnggota terhapus\u201d) dan jejak audit staf.",
                                        "What stays for the hub's records, without your name: past bookings, "
                                        "training attendance and completions, forum posts (shown as \u201cDeleted "
                                        "member\u201d) and the staff audit log."),
    "legal.privacy.retention_sessions": ("Sesi masuk berakhir setelah 14 hari, atau setelah 12 jam tidak dipakai.",
                                         "Sign-in sessions end after 14 days, or after 12 hours without use."),
    "legal.privacy.recipients_title": ("Siapa yang melihat data Anda", "Who sees your data"),
    "legal.privacy.recipients_you": ("Anda sendiri: semuanya, di profil dan lewat unduhan data.",
                                     "You: all of it, on your profile and in the data download."),
    "legal.privacy.recipients_staff": ("Staf hub: yang mereka perlukan untuk tugasnya, yaitu keanggotaan, "
                                       "pemesanan, presensi pelatihan dan moderasi forum. Setiap tindakan staf "
                                       "tercatat di jejak audit.",
                                       "Hub staff: what their work needs, that is membership, bookings, training "
                                       "attendance and forum moderation. Every staff action is written to the audit "
                                       "log."),
    "legal.privacy.recipients_members": ("Anggota lain: hanya profil direktori jika Anda memilih tampil (email hanya "
                                         "jika Anda memilih), dan nama Anda pada tulisan forum.",
                                         "Other members: only your directory profile if you choose to appear in it "
                                         "(your email only if you choose), and your name on your forum posts."),
    "legal.privacy.recipients_others": ("Tidak ada pihak lain, kecuali penyedia layanan email yang mengirim email "
                                        "kami, penyedia identitas jika Anda masuk lewat mereka, dan instansi yang "
                                        "berwenang jika undang-undang mewajibkan. Portal tidak mengirim data pribadi "
                                        "Anda ke mitra di Berlin.",
                                        "Nobody else, except the email service that delivers our emails, the "
                                        "identity provider if you sign in through it, and authorities where the law "
                                        "requires it. The portal does not send your personal data to the partners in "
                                        "Berlin."),
    "legal.privacy.rights_title": ("Hak Anda menurut UU 27/2022", "Your rights under Law 27/2022"),
    "legal.privacy.right_information": ("Mendapat informasi tentang pemrosesan data Anda: pemberitahuan ini.",
                                        "To be informed about how your data is processed: this notice."),
    "legal.privacy.right_access": ("Mengakses dan mendapat salinan data Anda: unduh semua data Anda (JSON) dari "
                                   "halaman profil; file ini juga bisa Anda bawa ke layanan lain.",
                                   "To access your data and get a copy: download all your data (JSON) from your "
                                   "profile page; you can also take this file to another service."),
    "legal.privacy.right_correction": ("Memperbaiki data yang salah: ubah sendiri di halaman profil, atau minta "
                                       "staf untuk yang tidak bisa Anda ubah.",
                                       "To correct data that is wrong: edit it yourself on your profile page, or ask "
                                       "staff for what you cannot edit."),
    "legal.privacy.right_deletion": ("Menghapus data dan mengakhiri pemrosesan: hapus akun Anda di halaman profil "
                                     "kapan saja.",
                                     "To have your data deleted and its processing ended: delete your account on "
                                     "your profile page at any time."),
    "legal.privacy.right_withdraw": ("Menarik persetujuan, menunda atau membatasi pemrosesan, dan menolak "
                                     "keputusan otomatis: hubungi kami (portal tidak membuat keputusan otomatis "
                                     "tentang Anda; staf yang menyetujui anggota).",
                                     "To withdraw your consent, to have processing paused or restricted, and to "
                                     "object to automated decisions: contact us (the portal makes no automated "
                                     "decisions about you; staff approve members)."),
    "legal.privacy.right_complain": ("Menggugat dan menerima ganti rugi atas pelanggaran pemrosesan data Anda, dan "
                                     "mengadu kepada lembaga pelindungan data pribadi.",
                                     "To sue for and receive compensation for a breach in the processing of your "
                                     "data, and to complain to the personal data protection authority."),
    "legal.privacy.your_data": ("Buka profil saya", "Open my profile"),
    "legal.privacy.security_title": ("Keamanan", "Security"),
    "legal.privacy.security": ("Kata sandi disimpan sebagai hash, sesi masuk memakai token acak yang disimpan "
                               "sebagai hash, dan hanya staf yang memerlukan yang bisa membuka data anggota. Jika "
                               "terjadi kegagalan pelindungan data pribadi Anda, kami memberi tahu Anda secara "
                               "tertulis paling lambat 3 × 24 jam.",
                               "Passwords are stored as hashes, sign-in sessions use random tokens stored as "
                               "hashes, and only staff who need it can open members' data. If the protection of "
                               "your personal data fails, we tell you in writing within 3 × 24 hours."),
    "legal.privacy.changes_title": ("Perubahan", "Changes"),
    "legal.privacy.changes": ("Jika pemberitahuan ini atau syarat penggunaan berubah, versinya berganti dan Anda "
                              "diminta menyetujuinya lagi saat masuk berikutnya.",
                              "When this notice or the terms of use change, the version changes and you are asked "
                              "to agree again at your next sign-in."),
    # Terms of use
    "legal.terms.title": ("Syarat penggunaan", "Terms of use"),
    "legal.terms.lead": ("Syarat ini berlaku untuk portal dan ruang Jakarta Future City Hub di lantai 23 JB Tower. "
                         "Dengan mendaftar Anda menyetujuinya.",
                         "These terms apply to the portal and the rooms of Jakarta Future City Hub on the 23rd floor "
                         "of JB Tower. By signing up you agree to them."),
    "legal.terms.membership_title": ("Keanggotaan", "Membership"),
    "legal.terms.membership": ("Keanggotaan gratis untuk pelaku UMKM digital, startup dan wirausaha. Staf hub "
                               "meninjau setiap pendaftaran dan dapat menolak atau menangguhkan keanggotaan dengan "
                               "alasan yang disampaikan kepada Anda.",
                               "Membership is free for digital small businesses, startups and entrepreneurs. Hub "
                               "staff review every application and may decline or suspend a membership, telling you "
                               "the reason."),
    "legal.terms.account_title": ("Akun Anda", "Your account"),
    "legal.terms.account": ("Satu akun untuk satu orang, dengan data yang benar. Jaga kerahasiaan kata sandi Anda "
                            "dan keluar dari semua perangkat di profil jika Anda curiga ada yang memakainya.",
                            "One account per person, with true details. Keep your password secret, and sign out of "
                            "all devices on your profile if you think someone else uses it."),
    "legal.terms.spaces_title": ("Ruang dan pemesanan", "Spaces and bookings"),
    "legal.terms.spaces": ("Pesan hanya waktu yang benar-benar Anda pakai, dalam kuota Anda. Batalkan jika tidak "
                           "jadi datang dan lakukan check-in saat tiba; pemesanan tanpa check-in dilepas untuk "
                           "anggota lain. Beberapa ruang perlu persetujuan staf atau pelatihan tertentu.",
                           "Book only the time you will use, within your quota. Cancel if you are not coming and "
                           "check in when you arrive; bookings without a check-in are released for other members. "
                           "Some spaces need staff approval or a particular training."),
    "legal.terms.trainings_title": ("Pelatihan", "Trainings"),
    "legal.terms.trainings": ("Daftar hanya untuk pelatihan yang akan Anda ikuti dan batalkan sebelum batas waktu, "
                              "agar kursi Anda pindah ke orang berikutnya di daftar tunggu. Kehadiran dicatat untuk "
                              "kelulusan.",
                              "Enrol only in trainings you will attend, and cancel before the deadline so that your "
                              "seat goes to the next person on the waitlist. Attendance is recorded for completion."),
    "legal.terms.forum_title": ("Forum dan direktori", "Forum and directory"),
    "legal.terms.forum": ("Hormati sesama anggota. Dilarang spam, ujaran kebencian, penipuan, konten yang melanggar "
                          "hukum, dan membagikan data pribadi orang lain. Staf dapat menyembunyikan tulisan dan "
                          "menangguhkan penulis; Anda bisa melaporkan tulisan kepada staf.",
                          "Respect other members. No spam, hate speech, fraud, unlawful content, or sharing other "
                          "people's personal data. Staff may hide posts and suspend posters; you can report a post "
                          "to staff."),
    "legal.terms.house_title": ("Di hub", "At the hub"),
    "legal.terms.house": ("Ikuti tata tertib gedung JB Tower dan arahan staf, jaga ruang tetap rapi, dan jangan "
                          "meninggalkan barang berharga tanpa pengawasan.",
                          "Follow the rules of the JB Tower building and the staff's directions, leave rooms tidy, "
                          "and do not leave valuables unattended."),
    "legal.terms.service_title": ("Layanan", "The service"),
    "legal.terms.service": ("Hub dan portal disediakan sebagai layanan publik tanpa biaya. Kami berusaha agar "
                            "keduanya tersedia, tetapi ruang dapat ditutup untuk hari libur, perawatan atau acara, "
                            "dan portal dapat sementara tidak tersedia.",
                            "The hub and the portal are a free public service. We work to keep both available, but "
                            "rooms may close for holidays, maintenance or events, and the portal may be unavailable "
                            "for a while."),
    "legal.terms.ending_title": ("Mengakhiri", "Ending"),
    "legal.terms.ending": ("Anda dapat menghapus akun kapan saja di halaman profil. Pelanggaran berat atau berulang "
                           "atas syarat ini dapat membuat keanggotaan ditangguhkan.",
                           "You can delete your account at any time on your profile page. Serious or repeated "
                           "breaches of these terms can lead to a suspended membership."),
    "legal.terms.law_title": ("Hukum yang berlaku", "Law"),
    "legal.terms.law": ("Syarat ini tunduk pada hukum Republik Indonesia. Data pribadi Anda diproses menurut "
                        "pemberitahuan privasi.",
                        "These terms are governed by the law of the Republic of Indonesia. Your personal data is "
                        "processed as the privacy notice says."),
    # Agreeing to a new version (/agree)
    "legal.agree.title": ("Syarat dan pemberitahuan privasi telah diperbarui",
                          "The terms and the privacy notice have been updated"),
    "legal.agree.lead": ("Sebelum melanjutkan, baca versi baru dan setujui. Versi yang Anda setujui disimpan di "
                         "akun Anda.",
                         "Before you continue, read the new version and agree to it. The version you agree to is "
                         "stored on your account."),
    "legal.agree.checkbox": ("Saya sudah membaca dan menyetujui syarat penggunaan dan pemberitahuan privasi versi "
                             "{version}.",
                             "I have read and agree to the terms of use and the privacy notice, version {version}."),
    "legal.agree.submit": ("Setuju dan lanjutkan", "Agree and continue"),
    "legal.agree.decline": ("Tidak setuju? Anda tetap bisa mengunduh data Anda atau menghapus akun di halaman "
                            "profil, atau keluar.",
                            "Do not agree? You can still download your data or delete your account on your profile "
                            "page, or sign out."),
    "legal.agree.done": ("Terima kasih, persetujuan Anda tersimpan.", "Thank you, your agreement is saved."),
    "legal.agree.current": ("Anda sudah menyetujui versi terbaru.", "You have agreed to the current version."),
    "legal.error.version_changed": ("Syaratnya baru saja berubah lagi. Baca versi terbaru lalu setujui.",
                                    "The terms changed again just now. Read the current version and agree to it."),
}
