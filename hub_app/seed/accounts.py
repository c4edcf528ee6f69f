"""Demo accounts (for the demo only; README lists them)."""

from sqlmodel import Session, select

from hub_app.models import User
from hub_app.models.base import utcnow
from hub_app.services.accounts import normalize_email
from hub_app.services.security import hash_password

DEMO_PASSWORD = "hub-demo-2026!"

DEMO_USERS = [
    # email, name, role, status, business, sector, stage, bio, offers, looking_for
    ("admin@jfch.example", "Sari Wulandari", "admin", "active", "Jakarta Future City Hub", "services", "established",
     "Pengelola hub.", "", ""),
    ("staf@jfch.example", "Budi Santoso", "staff", "active", "Jakarta Future City Hub", "services", "established",
     "Staf lantai hub; hubungi saya untuk pemesanan aula.", "", ""),
    ("rina@umkm.example", "Rina Kusuma", "member", "active", "Batik Rina", "fashion", "growth",
     "Batik tulis modern dari Jakarta Timur, dijual lewat marketplace dan Instagram.",
     "Desain motif, produksi batik tulis", "Fotografer produk, mitra ekspor ke Jerman"),
    ("andi@startup.example", "Andi Pratama", "member", "active", "Kopi Kita", "culinary", "early",
     "Startup kopi kemasan dengan biji dari petani Temanggung.",
     "Jaringan petani kopi, pengemasan", "Developer aplikasi pemesanan, investor awal"),
    ("maya@tech.example", "Maya Hartono", "member", "active", "Logistiq", "technology", "growth",
     "Full-stack developer; membangun aplikasi logistik untuk UMKM.",
     "Pengembangan aplikasi web dan mobile, Python, React", "Mitra UMKM untuk uji coba produk"),
    ("dewi@craft.example", "Dewi Lestari", "member", "pending", "Anyaman Dewi", "craft", "idea",
     "Perajin anyaman bambu yang ingin mulai menjual online.", "Anyaman bambu", "Pelatihan pemasaran digital"),
]


def seed(session: Session) -> None:
    now = utcnow()
    for email, name, role, status, business, sector, stage, bio, offers, looking_for in DEMO_USERS:
        if session.exec(select(User).where(User.email_normalized == normalize_email(email))).first():
            continue
        session.add(User(email=email, email_normalized=normalize_email(email), name=name,
                         password_hash=hash_password(DEMO_PASSWORD), role=role, status=status,
                         email_verified_at=now, consent_at=now, consent_version="2026-11", business_name=business,
                         sector=sector, stage=stage, bio=bio, offers=offers, looking_for=looking_for,
                         locale="en" if email.startswith("maya") else "id"))
    session.commit()
