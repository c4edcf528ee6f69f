"""Demo forum: the five categories and realistic threads in Indonesian and English, written by the
demo accounts (hub_app/seed/accounts.py). Idempotent: categories are matched by slug, threads by
title, so running it twice changes nothing."""

from datetime import timedelta

from sqlmodel import Session, select

from hub_app.domain import markdown
from hub_app.models import ForumCategory, ForumPost, ForumThread, ForumWatch, User
from hub_app.models.base import utcnow

CATEGORIES = [
    # slug, name id, name en, description id, description en, read, start
    ("pengumuman", "Pengumuman", "Announcements",
     "Kabar resmi dari pengelola hub: jam buka, acara besar, perubahan aturan.",
     "Official news from the hub team: opening hours, big events, rule changes.", "public", "staff"),
    ("kolaborasi", "Kolaborasi & mitra", "Collaboration and partners",
     "Cari mitra usaha, pemasok, atau tim untuk proyek bersama.",
     "Find business partners, suppliers or a team for a joint project.", "public", "members"),
    ("tanya-komunitas", "Tanya komunitas", "Ask the community",
     "Pertanyaan seputar perizinan, pemasaran, keuangan, teknologi: sesama anggota menjawab.",
     "Questions on permits, marketing, finance, technology: fellow members answer.", "public", "members"),
    ("acara", "Acara & temu", "Events and meetups",
     "Meetup, demo day, dan kumpul santai di hub dan sekitarnya.",
     "Meetups, demo days and informal gatherings at the hub and around.", "public", "members"),
    ("penawaran", "Penawaran & peluang", "Offers and opportunities",
     "Diskon antaranggota, lowongan, hibah dan peluang lain. Khusus anggota.",
     "Member discounts, jobs, grants and other opportunities. Members only.", "members", "members"),
]

# category, title, author email, pinned, days ago, [ (author email, hours after start, text) ... ]
THREADS = [
    ("pengumuman", "Selamat datang di forum komunitas / Welcome to the community forum", "admin@jfch.example",
     True, 20,
     "Halo semua! Forum ini tempat anggota hub **bertanya, berbagi pengalaman, dan mencari mitra**.\n\n"
     "- Tulis dengan sopan dan tetap pada topik.\n- Jangan membagikan data pribadi orang lain.\n"
     "- Laporkan tulisan yang melanggar dengan tombol *Laporkan*.\n\n"
     "Hello everyone! This forum is where hub members **ask, share experience and find partners**. "
     "Be kind, stay on topic, and use *Report* for anything that breaks the rules.",
     []),
    ("pengumuman", "Jam operasional hub selama Ramadan", "staf@jfch.example", True, 6,
     "Selama Ramadan, lantai 23 JB Tower buka **08.00–16.00 WIB** (Senin–Jumat). "
     "Aula tetap bisa dipesan untuk buka puasa bersama sampai pukul 19.00 dengan persetujuan staf.",
     [("rina@umkm.example", 5, "Terima kasih infonya, Pak Budi. Apakah ruang rapat kecil juga tutup jam 16.00?"),
      ("staf@jfch.example", 7, "Betul, semua ruang mengikuti jam yang sama. Pesanan yang lewat jam 16.00 akan kami "
                               "pindahkan dan kami kabari lewat notifikasi.")]),
    ("kolaborasi", "Mencari fotografer produk untuk katalog batik", "rina@umkm.example", False, 4,
     "Halo teman-teman, saya sedang menyiapkan **katalog batik tulis** untuk pembeli dari Jerman.\n\n"
     "Yang saya cari:\n1. Fotografer produk (kain & model)\n2. Bisa di Jakarta Timur\n3. Pengalaman foto untuk "
     "marketplace\n\nAda rekomendasi? Bisa juga barter dengan desain motif.",
     [("andi@startup.example", 3, "Teman saya di Kopi Kita pernah pakai fotografer lepas, hasilnya bagus. "
                                  "Nanti saya kirim kontaknya lewat pesan ya, @rina-kusuma."),
      ("maya@tech.example", 20, "Not a photographer myself, but if you need the catalogue online I'm happy to help "
                                "set up a simple shop page. Good luck with the export!")]),
    ("kolaborasi", "Looking for UMKM partners to pilot a delivery app", "maya@tech.example", False, 3,
     "Hi all! At **Logistiq** we are building a delivery scheduling app for small businesses in Jakarta.\n\n"
     "We are looking for 3–5 UMKM to try it for a month, free of charge. You get:\n"
     "- route planning for your couriers\n- WhatsApp updates for your customers\n\n"
     "Reply here if you are interested, in English or Bahasa Indonesia.",
     [("andi@startup.example", 2, "Menarik! Kopi Kita kirim kopi kemasan ke sekitar 40 pelanggan kantor per minggu. "
                                  "Saya mau coba, @maya-hartono."),
      ("maya@tech.example", 5, "Great, Andi! Let's meet at the hub on Thursday afternoon to set it up.")]),
    ("tanya-komunitas", "Cara mengurus NIB lewat OSS untuk usaha rumahan?", "andi@startup.example", False, 9,
     "Saya mau daftar **NIB** lewat OSS untuk usaha kopi kemasan yang produksinya masih di rumah. "
     "Apakah perlu izin edar PIRT dulu, atau NIB dulu?",
     [("staf@jfch.example", 4, "Urutannya:\n\n1. Buat akun di oss.go.id\n2. Daftar NIB (risiko rendah biasanya "
                               "langsung terbit)\n3. Setelah NIB terbit, ajukan **SPP-IRT** ke dinas kesehatan\n\n"
                               "Bulan depan ada pelatihan perizinan di hub, cek menu Pelatihan."),
      ("rina@umkm.example", 30, "Saya juga begitu dulu. NIB dulu, lalu sertifikat halal lewat SIHALAL. Semangat!")]),
    ("tanya-komunitas", "Which payment gateway do you use for a small online shop?", "maya@tech.example", False, 2,
     "Comparing payment gateways for a client: fees, QRIS support, and how fast the money arrives. "
     "What do you use, and would you recommend it?",
     [("rina@umkm.example", 6, "Saya pakai QRIS langsung dari bank untuk toko offline, dan fitur pembayaran "
                               "marketplace untuk online. Biayanya paling kecil menurut pengalaman saya.")]),
    ("acara", "Meetup UMKM digital: Jumat depan di aula lantai 23", "staf@jfch.example", False, 1,
     "Kumpul santai sesama anggota **Jumat, 16.00–18.00 WIB** di aula. Agenda:\n\n"
     "- 3 cerita singkat dari anggota (5 menit masing-masing)\n- Sesi cari mitra\n- Kopi dari Kopi Kita ☕\n\n"
     "Balas di sini kalau mau tampil bercerita.",
     [("andi@startup.example", 2, "Saya bawa kopinya! Dan boleh saya cerita soal pengemasan?"),
      ("rina@umkm.example", 4, "Saya ikut, sekalian cari fotografer 😄")]),
    ("penawaran", "Diskon kemasan kopi 20% untuk sesama anggota", "andi@startup.example", False, 5,
     "Untuk anggota hub: diskon **20%** kopi kemasan 250 g sampai akhir bulan. Cocok untuk suguhan rapat "
     "atau hampers klien. Sebut kode HUB20 saat pesan.",
     []),
    ("penawaran", "Free React mentoring on Thursdays", "maya@tech.example", False, 8,
     "I offer **free one-hour mentoring** on React and Python every Thursday at 15:00 in the communal room. "
     "Bring your code or your questions. Beginners welcome!",
     [("rina@umkm.example", 12, "Terima kasih, Maya! Apakah cocok untuk yang baru mau belajar membuat toko online?"),
      ("maya@tech.example", 14, "Yes, absolutely. We can start from the basics.")]),
]


def seed(session: Session) -> None:
    existing = {row.slug: row for row in session.exec(select(ForumCategory)).all()}
    for position, (slug, name_id, name_en, description_id, description_en, read, start) in enumerate(CATEGORIES, 1):
        if slug not in existing:
            existing[slug] = ForumCategory(slug=slug, name_id=name_id, name_en=name_en, description_id=description_id,
                                           description_en=description_en, position=position, read_access=read,
                                           start_access=start)
            session.add(existing[slug])
    session.flush()

    people = {user.email_normalized: user for user in session.exec(select(User)).all()}
    handles = {user.handle: user.id for user in people.values() if user.handle}
    titles = set(session.exec(select(ForumThread.title)).all())
    now = utcnow()
    for slug, title, author_email, pinned, days_ago, body, replies in THREADS:
        author = people.get(author_email)
        if title in titles or author is None:
            continue
        started = now - timedelta(days=days_ago, hours=3)
        thread = ForumThread(category_id=existing[slug].id, author_id=author.id, title=title, pinned=pinned,
                             created_at=started, last_activity_at=started)
        session.add(thread)
        session.flush()
        session.add(_post(thread, author, body, started, handles, title=title))
        session.add(ForumWatch(thread_id=thread.id, user_id=author.id, level="watching"))
        for reply_email, hours, text in replies:
            replier = people.get(reply_email)
            if replier is None:
                continue
            moment = started + timedelta(hours=hours)
            session.add(_post(thread, replier, text, moment, handles))
            thread.reply_count += 1
            thread.last_activity_at = max(thread.last_activity_at, moment)
        session.add(thread)
    session.commit()


def _post(thread: ForumThread, author: User, source: str, moment, handles: dict[str, int],
          title: str = "") -> ForumPost:
    people = {handle: handles[handle] for handle in markdown.mentions(source, include_quotes=True) if handle in handles}
    html = markdown.render(source, people=people)
    return ForumPost(thread_id=thread.id, author_id=author.id, body_source=source, body_html=html,
                     body_text=markdown.plain_text(html), search_title=title, is_opening=bool(title),
                     created_at=moment)

