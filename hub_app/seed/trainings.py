"""Demo programme of the entrepreneur support programme: trainings across digital marketing,
finance and bookkeeping, NIB/OSS permits, export, product and technology; some full (with a
waitlist), some past (with attendance, completions and ratings); sessions at the hub booked in the
seeded rooms; a podcast studio that opens to members after "Studio basics". Runs after the booking
seed (FEATURE_SEEDS order). Idempotent: it does nothing once the programme exists."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from hub_app.domain import trainings as rules
from hub_app.models import Space, User
from hub_app.models.base import utcnow
from hub_app.models.trainings import (
    Attendance,
    Enrolment,
    Trainer,
    Training,
    TrainingPrerequisite,
    TrainingSession,
    TrainingTrainer,
)
from hub_app.services import bookings, space_reservations
from hub_app.services.accounts import normalize_email
from hub_app.services.security import new_token
from hub_app.services.training_admin import refresh_schedule, refresh_search

STUDIO = ("Studio Podcast & Konten", "Podcast & Content Studio")

TRAINERS = {
    "ayu": ("Ayu Wijayanti", "Konsultan pemasaran digital; membantu 200+ UMKM kuliner dan fesyen tumbuh di Instagram "
            "dan TikTok.", "Digital marketing consultant; has helped 200+ food and fashion businesses grow on "
            "Instagram and TikTok."),
    "hendra": ("Hendra Gunawan", "Akuntan publik dan pendamping keuangan UMKM di Jakarta Timur.",
               "Chartered accountant and finance mentor for small businesses in East Jakarta."),
    "lestari": ("Lestari Putri", "Fasilitator perizinan berusaha; dulu bekerja di DPMPTSP DKI Jakarta.",
                "Business permit facilitator; formerly with Jakarta's one-stop licensing office."),
    "jonas": ("Jonas Richter", "Mentor ekspor dari ekosistem startup Berlin; spesialis pasar Uni Eropa.",
              "Export mentor from Berlin's startup ecosystem; specialises in EU market entry."),
    "sekar": ("Sekar Ayuningtyas", "Desainer produk dan kemasan; pendiri studio desain di Kemang.",
              "Product and packaging designer; founder of a design studio in Kemang."),
    "rizky": ("Rizky Ramadhan", "Produser podcast dan konten video; mengelola studio di hub.",
              "Podcast and video producer; runs the hub's studio."),
    "mira": ("Mira Schneider", "Insinyur perangkat lunak dan mentor keamanan siber dari Berlin.",
             "Software engineer and cyber security mentor from Berlin."),
}

# Extra participants so that some trainings are full; they do not appear in the member directory.
PARTICIPANTS = [
    ("putri.ananda@umkm.example", "Putri Ananda", "Keripik Ananda", "culinary"),
    ("bagus.saputra@umkm.example", "Bagus Saputra", "Saputra Leather", "fashion"),
    ("wulan.sari@umkm.example", "Wulan Sari", "Wulan Herbal", "health"),
    ("yoga.pratama@startup.example", "Yoga Pratama", "Kirimin", "logistics"),
    ("siti.rahma@umkm.example", "Siti Rahmawati", "Rahma Catering", "culinary"),
    ("dimas.nugroho@startup.example", "Dimas Nugroho", "Tanihub Mini", "agriculture"),
]


@dataclass
class DemoTraining:
    key: str
    title_id: str
    title_en: str
    description_id: str
    description_en: str
    topic: str
    level: str
    language: str
    format: str
    capacity: int
    days: int  # first session, days from today (negative: in the past)
    hours: tuple[int, int]  # local start and end hour of every session
    sessions: int = 1
    every: int = 7  # days between sessions
    space: str = ""
    trainers: list[str] = field(default_factory=list)
    enrolled: list[str] = field(default_factory=list)
    waitlisted: list[str] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)
    completion_share: int = 100
    online_link: str = ""
    ratings: dict[str, tuple[int, str]] = field(default_factory=dict)


RINA, ANDI, MAYA = "rina@umkm.example", "andi@startup.example", "maya@tech.example"
P = [email for email, *_ in PARTICIPANTS]

PROGRAMME = [
    DemoTraining(
        "studio", "Studio basics: podcast & konten video", "Studio basics: podcasts & video content",
        "Belajar memakai **studio podcast** hub: mikrofon, kamera, pencahayaan dan penyuntingan dasar.\n\n"
        "Setelah menyelesaikan pelatihan ini Anda dapat memesan *Studio Podcast & Konten* sendiri.",
        "Learn to use the hub's **podcast studio**: microphones, camera, lighting and basic editing.\n\n"
        "Once you complete it you can book the *Podcast & Content Studio* yourself.",
        "product", "beginner", "id", "hub", 8, -12, (13, 16), sessions=2, every=3, space="Ruang Kreatif Betawi",
        trainers=["rizky"], enrolled=[RINA, P[0], P[1], P[2]],
        ratings={RINA: (5, "Praktis sekali, langsung bisa rekam episode pertama."), P[0]: (4, "")}),
    DemoTraining(
        "packaging", "Desain kemasan produk yang menjual", "Packaging design that sells",
        "Kemasan adalah penjual pertama produk Anda. Kita bahas:\n\n- bahan kemasan yang aman pangan\n"
        "- label sesuai aturan BPOM dan halal\n- foto produk untuk marketplace",
        "Packaging is your product's first salesperson. We cover:\n\n- food-safe materials\n"
        "- labels that meet BPOM and halal rules\n- product photos for marketplaces",
        "product", "intermediate", "id", "hub", 12, -20, (9, 12), sessions=2, every=7, space="Ruang Berlin",
        trainers=["sekar"], enrolled=[ANDI, P[3], P[4], RINA], completion_share=50,
        ratings={ANDI: (4, "Contoh kemasannya relevan untuk produk kopi."), P[3]: (3, "Waktunya kurang panjang.")}),
    DemoTraining(
        "instagram", "Pemasaran Instagram & TikTok untuk UMKM", "Instagram & TikTok marketing for small businesses",
        "Dari profil yang meyakinkan sampai konten yang dibagikan ulang. Bawa ponsel Anda: kita praktik "
        "membuat **kalender konten** satu bulan.",
        "From a convincing profile to content people share. Bring your phone: we practise building a "
        "one-month **content calendar**.",
        "digital_marketing", "beginner", "id", "hub", 20, 6, (9, 12), sessions=3, every=7,
        space="Ruang Komunal Nusantara", trainers=["ayu"], enrolled=[P[0], P[4]]),
    DemoTraining(
        "bookkeeping", "Pembukuan sederhana dengan spreadsheet", "Simple bookkeeping with a spreadsheet",
        "Pisahkan uang usaha dan uang pribadi, catat arus kas harian, dan hitung harga pokok produksi. "
        "Templat spreadsheet disediakan.",
        "Separate business and personal money, record daily cash flow and work out your cost of goods. "
        "A spreadsheet template is provided.",
        "finance", "beginner", "id", "hybrid", 4, 7, (13, 16), sessions=2, every=7, space="Ruang Rapat Ancol",
        trainers=["hendra"], enrolled=[P[1], P[2], P[3], P[5]], waitlisted=[P[4], ANDI],
        online_link="https://meet.jit.si/jfch-pembukuan-sederhana"),
    DemoTraining(
        "nib", "Mengurus NIB lewat OSS RBA", "Getting your NIB through OSS RBA",
        "Langkah demi langkah mendaftarkan **Nomor Induk Berusaha** di oss.go.id: memilih KBLI, tingkat "
        "risiko, dan izin yang Anda perlukan. Bawa KTP dan NPWP.",
        "Step by step through registering your **business identification number** (NIB) at oss.go.id: "
        "choosing the KBLI code, the risk level and the permits you need. Bring your ID card and tax number.",
        "permits", "beginner", "id", "hub", 30, 9, (9, 12), space="Aula Jakarta–Berlin", trainers=["lestari"],
        enrolled=[P[5], MAYA]),
    DemoTraining(
        "export", "Siap ekspor ke Jerman: standar, sertifikasi dan pembeli", "Export-ready for Germany: standards, "
        "certification and buyers",
        "Bersama mentor dari Berlin: aturan produk Uni Eropa, sertifikasi, logistik, dan cara bertemu pembeli "
        "di pameran dagang Jerman.",
        "With mentors from Berlin: EU product rules, certification, logistics, and how to meet buyers at German "
        "trade fairs.",
        "export", "intermediate", "both", "hub", 12, 14, (13, 17), sessions=2, every=7, space="Ruang Berlin",
        trainers=["jonas", "lestari"], requires=["nib"], enrolled=[P[2]]),
    DemoTraining(
        "store", "Toko online dengan WhatsApp Business & marketplace", "An online store with WhatsApp Business & "
        "marketplaces",
        "Katalog WhatsApp Business, balasan otomatis, dan menghubungkan toko ke marketplace. Sepenuhnya daring.",
        "WhatsApp Business catalogues, quick replies, and connecting your store to marketplaces. Fully online.",
        "technology", "beginner", "id", "online", 50, 4, (19, 21), sessions=2, every=2, trainers=["ayu"],
        enrolled=[P[1], P[3]], online_link="https://meet.jit.si/jfch-toko-online"),
    DemoTraining(
        "investor", "Laporan keuangan untuk investor", "Financial statements for investors",
        "Neraca, laba rugi dan arus kas yang dibaca investor; metrik unit economics untuk startup.",
        "The balance sheet, income and cash-flow statements investors read; unit economics for startups.",
        "finance", "advanced", "en", "online", 25, 16, (19, 21), sessions=2, every=7, trainers=["hendra"],
        requires=["bookkeeping"], online_link="https://meet.jit.si/jfch-investor-reporting"),
    DemoTraining(
        "seo", "Google Ads & SEO lanjutan", "Advanced Google Ads & SEO",
        "Riset kata kunci, kampanye berbayar dengan anggaran kecil, dan mengukur hasil di Google Analytics.",
        "Keyword research, paid campaigns on a small budget, and measuring results in Google Analytics.",
        "digital_marketing", "advanced", "en", "hybrid", 3, 5, (13, 16), space="Ruang Rapat Monas",
        trainers=["ayu"], enrolled=[P[0], P[5], P[3]], waitlisted=[P[1]],
        online_link="https://meet.jit.si/jfch-seo-lanjutan"),
    DemoTraining(
        "security", "Dasar keamanan siber untuk UMKM", "Cyber security basics for small businesses",
        "Kata sandi, verifikasi dua langkah, penipuan lewat WhatsApp, dan cadangan data. Untuk pemilik usaha "
        "tanpa latar belakang teknis.",
        "Passwords, two-step verification, WhatsApp scams and backups. For owners without a technical "
        "background.",
        "technology", "beginner", "both", "hub", 15, 11, (14, 16), space="Ruang Komunal Nusantara",
        trainers=["mira"], enrolled=[RINA]),
]


def _local(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=bookings.hub_tz()).astimezone(UTC)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _participants(session: Session) -> None:
    now = utcnow()
    for email, name, business, sector in PARTICIPANTS:
        if session.exec(select(User).where(User.email_normalized == normalize_email(email))).first():
            continue
        session.add(User(email=email, email_normalized=normalize_email(email), name=name,
                         password_hash="!" + new_token(), role="member", status="active", email_verified_at=now,
                         consent_at=now, consent_version="2026-11", business_name=business, sector=sector,
                         stage="early", show_in_directory=False))
    session.commit()


def _schedule(session: Session, training: Training, demo: DemoTraining, space: Space | None, today: date) -> None:
    """The sessions; each at the hub books its room (shifted a day on to miss a holiday or a booking)."""
    day = _weekday(today + timedelta(days=demo.days))
    for _ in range(demo.sessions):
        for _attempt in range(10):
            start, end = _local(day, demo.hours[0]), _local(day, demo.hours[1])
            row = TrainingSession(training_id=training.id, start_at=start, end_at=end,
                                  space_id=space.id if space else None, check_in_code=uuid.uuid4().hex)
            if space is None:
                session.add(row)
                session.flush()
                break
            try:
                with session.begin_nested():
                    session.add(row)
                    session.flush()
                    row.booking_id = space_reservations.reserve_for_training(
                        session, space_id=space.id, start=start, end=end, title_id=training.title_id,
                        title_en=training.title_en, training_session_id=row.id)
                    session.add(row)
                    session.flush()
                break
            except Exception:  # slot taken or a holiday: the next weekday
                day = _weekday(day + timedelta(days=1))
        day = _weekday(day + timedelta(days=demo.every))
    refresh_schedule(session, training)


def seed(session: Session) -> None:
    if session.exec(select(Training.id)).first() is not None:
        return
    _participants(session)
    users = {user.email_normalized: user for user in session.exec(select(User)).all()}
    spaces = {space.name_id: space for space in session.exec(select(Space)).all()}
    staff = users.get("staf@jfch.example")
    now = utcnow()
    today = now.astimezone(bookings.hub_tz()).date()

    trainers = {}
    for key, (name, bio_id, bio_en) in TRAINERS.items():
        trainers[key] = Trainer(name=name, bio_id=bio_id, bio_en=bio_en)
        session.add(trainers[key])
    session.flush()

    made: dict[str, Training] = {}
    for demo in PROGRAMME:
        first = _weekday(today + timedelta(days=demo.days))
        opens = _local(first - timedelta(days=30), 8)
        closes = min(_local(first - timedelta(days=1), 17), _local(first, demo.hours[0]))
        training = Training(
            title_id=demo.title_id, title_en=demo.title_en, description_id=demo.description_id,
            description_en=demo.description_en, topic=demo.topic, level=demo.level, language=demo.language,
            format=demo.format, online_link=demo.online_link, capacity=demo.capacity,
            completion_share=demo.completion_share, enrol_opens_at=opens, enrol_closes_at=closes,
            cancel_until=_local(first - timedelta(days=2), 17), status=rules.PUBLISHED,
            created_by=staff.id if staff else None)
        session.add(training)
        session.flush()
        for position, key in enumerate(demo.trainers):
            session.add(TrainingTrainer(training_id=training.id, trainer_id=trainers[key].id, position=position))
        for key in demo.requires:
            session.add(TrainingPrerequisite(training_id=training.id, required_training_id=made[key].id))
        session.flush()
        _schedule(session, training, demo, spaces.get(demo.space) if demo.space else None, today)
        refresh_search(session, training)
        made[demo.key] = training

        sessions = session.exec(select(TrainingSession).where(TrainingSession.training_id == training.id)
                                .order_by(TrainingSession.start_at)).all()
        for email in demo.enrolled:
            user = users.get(email)
            if user is None:
                continue
            enrolled_at = opens + timedelta(days=1, minutes=len(demo.enrolled))
            enrolment = Enrolment(training_id=training.id, user_id=user.id, status=rules.ENROLLED,
                                  created_at=enrolled_at, enrolled_at=enrolled_at)
            training.enrolled_count += 1
            if training.ends_at is not None and training.ends_at < now:
                # A past training: everyone came to the first session, most to all of them.
                attended = sessions if email != demo.enrolled[-1] else sessions[:1]
                for row in attended:
                    session.add(Attendance(session_id=row.id, user_id=user.id, method="staff",
                                           marked_by=staff.id if staff else None, created_at=row.start_at))
                if rules.has_completed(len(attended), len(sessions), demo.completion_share):
                    enrolment.completed_at = sessions[-1].end_at
                    if email in demo.ratings:
                        enrolment.rating, enrolment.rating_comment = demo.ratings[email]
                        enrolment.rated_at = sessions[-1].end_at + timedelta(hours=3)
            session.add(enrolment)
        for email in demo.waitlisted:
            user = users.get(email)
            if user is None:
                continue
            session.add(Enrolment(training_id=training.id, user_id=user.id, status=rules.WAITLISTED,
                                  queue_number=training.next_queue_number))
            training.next_queue_number += 1
            training.waitlist_count += 1
        session.add(training)
        session.flush()

    # The studio that completing "Studio basics" unlocks.
    if STUDIO[0] not in spaces:
        session.add(Space(kind="meeting_room", name_id=STUDIO[0], name_en=STUDIO[1], capacity=4,
                          amenities=["video_call", "screen", "power_outlets"], location="Lantai 23, R. 2306",
                          location_en="23rd floor, room 2306",
                          description_id="Studio kedap suara dengan mikrofon, kamera dan lampu. Terbuka untuk "
                                         "anggota yang telah menyelesaikan pelatihan Studio basics.",
                          description_en="A soundproofed studio with microphones, camera and lights. Open to "
                                         "members who completed the Studio basics training.",
                          max_minutes=180, required_training_id=made["studio"].id))
    session.commit()
