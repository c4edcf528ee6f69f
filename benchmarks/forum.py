"""Forum: category pages, thread pages and search as the posts table grows to 100,000 posts, on
SQLite (FTS5) and PostgreSQL (tsvector + GIN). Run with `make bench` or `python -m benchmarks forum`.

- forum index: list_categories (each category's thread count and latest thread);
- category page: hub_app.services.forum.list_threads, the first page and a deep page (keyset
  cursor 1,000 threads down), pinned first, newest activity first (budget 20 ms p95);
- thread page: get_thread on a thread holding 10% of all posts (10,000 at the largest size): its
  first page, a page in the middle (from a post) and the page before it (budget 20 ms p95);
- search: hub_app.services.forum.search.search for a common word (~20% of posts), a medium one
  (~2%), a rare one (~0.05%) and two words together (budget 100 ms p95).
Each figure is the whole service call with a fresh DB session, as a page handler makes it (query,
visibility rules, formatting), at 1,000 / 10,000 / 100,000 posts.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from benchmarks import STATS_COLUMNS, Report, fresh_database, time_calls
from hub_app.domain import forum as rules
from hub_app.domain.permissions import Actor
from hub_app.models import ForumCategory, ForumPost, ForumThread, User
from hub_app.services import forum
from hub_app.services.forum import search

SIZES = (1_000, 10_000, 100_000)
MEMBERS = 200
CATEGORIES = ("pengumuman", "kolaborasi", "tanya-komunitas", "acara", "penawaran")
BIG_THREAD_SHARE = 0.10
WORDS = ("usaha batik kain tenun motif pasar pembeli harga modal pelatihan mentor jaringan mitra produk kemasan "
         "pengiriman aplikasi pemasaran digital toko online marketplace izin sertifikat halal ekspor jerman berlin "
         "jakarta hub ruang rapat acara meetup pameran investor pendanaan koperasi kredit bank laporan pajak "
         "customer delivery startup team growth design website social media content partner supplier").split()
SEARCHES = [("common word", "kopi"), ("medium word", "fotografer"), ("rare word", "wayang"),
            ("two words", "kopi temanggung")]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(12, 40))
    roll = rng.random()
    if roll < 0.20:
        words.insert(rng.randrange(len(words)), "kopi")
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), "temanggung")
    if roll < 0.02 or 0.5 < roll < 0.51:
        words.insert(rng.randrange(len(words)), "fotografer")
    if rng.random() < 0.0005:
        words.insert(rng.randrange(len(words)), "wayang")
    return " ".join(words).capitalize() + "."


class _Data:
    """Grows the forum to each size: threads of 1-19 posts, plus one big thread taking 10% of posts."""

    def __init__(self, engine):
        self.engine = engine
        self.rng = random.Random(42)
        self.clock = datetime.now(UTC) - timedelta(days=400)
        self.posts = 0
        with Session(engine) as session:
            users = [User(email=f"f{index}@bench.example", email_normalized=f"f{index}@bench.example",
                          name=f"Anggota {index}", password_hash="x", status="active") for index in range(MEMBERS)]
            session.add_all(users)
            categories = [ForumCategory(slug=slug, name_id=slug.title(), position=index)
                          for index, slug in enumerate(CATEGORIES)]
            session.add_all(categories)
            session.commit()
            self.users = [user.id for user in users]
            self.categories = {category.slug: category.id for category in categories}
            big = ForumThread(category_id=self.categories["kolaborasi"], author_id=self.users[0],
                              title="Utas besar: kolaborasi UMKM", last_activity_at=self.clock,
                              created_at=self.clock)
            session.add(big)
            session.commit()
            self.big_thread = big.id
            self.big_posts = 0

    def _tick(self) -> datetime:
        self.clock += timedelta(seconds=self.rng.randint(30, 300))
        return self.clock

    def _post(self, thread_id: int, author: int, *, title: str = "", opening: bool = False) -> dict:
        body = " ".join(_sentence(self.rng) for _ in range(self.rng.randint(1, 3)))
        return dict(thread_id=thread_id, author_id=author, reply_to_id=None, body_source=body,
                    body_html=f"<p>{body}</p>", body_text=body, search_title=title, is_opening=opening,
                    state=rules.VISIBLE, moderation_note="", like_count=0, created_at=self._tick(), edited_at=None)

    def grow_to(self, total: int) -> None:
        with Session(self.engine) as session:
            rows: list[dict] = []
            while self.posts + len(rows) < total:
                if self.rng.random() < BIG_THREAD_SHARE:
                    rows.append(self._post(self.big_thread, self.rng.choice(self.users)))
                    self.big_posts += 1
                    continue
                category = self.rng.choice(list(self.categories.values()))
                title = " ".join(self.rng.choices(WORDS, k=self.rng.randint(3, 8))).capitalize()
                if self.rng.random() < 0.02:
                    title = "Cari fotografer " + title
                started = self._tick()
                thread = ForumThread(category_id=category, author_id=self.rng.choice(self.users), title=title,
                                     pinned=self.rng.random() < 0.002, created_at=started, last_activity_at=started)
                session.add(thread)
                session.flush()
                count = min(self.rng.randint(1, 19), total - self.posts - len(rows))
                thread_rows = [self._post(thread.id, thread.author_id, title=title, opening=True)]
                thread_rows += [self._post(thread.id, self.rng.choice(self.users)) for _ in range(count - 1)]
                thread.reply_count = count - 1
                thread.last_activity_at = thread_rows[-1]["created_at"]
                rows.extend(thread_rows)
                if len(rows) >= 5_000:
                    self._flush(session, rows)
                    rows = []
            self._flush(session, rows)
            big = session.get(ForumThread, self.big_thread)
            big.reply_count, big.last_activity_at = self.big_posts - 1, self.clock
            session.commit()

    def _flush(self, session: Session, rows: list[dict]) -> None:
        if rows:
            session.execute(insert(ForumPost.__table__), rows)
            self.posts += len(rows)

    def deep_cursor(self, depth: int = 1_000) -> str:
        with Session(self.engine) as session:
            row = session.exec(
                select(ForumThread.pinned, ForumThread.last_activity_at, ForumThread.id)
                .where(ForumThread.category_id == self.categories["kolaborasi"])
                .order_by(col(ForumThread.pinned).desc(), col(ForumThread.last_activity_at).desc(),
                          col(ForumThread.id).desc()).offset(depth).limit(1)).first()
        return rules.encode_thread_cursor(*row) if row else ""

    def middle_post(self) -> int:
        with Session(self.engine) as session:
            ids = session.exec(select(ForumPost.id).where(ForumPost.thread_id == self.big_thread)
                               .order_by(col(ForumPost.id))).all()
        return ids[len(ids) // 2]


def _call(engine, function, **kwargs):
    def run():
        with Session(engine) as session:
            return function(READER, session=session, **kwargs)
    return run


READER = Actor(user_id=1, role="member", status="active", locale="id")


def _analyze(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def run(report: Report) -> None:
    pages, searches = [], []
    for kind in ("sqlite", "postgres"):
        with fresh_database(kind) as engine:
            data = _Data(engine)
            for size in SIZES:
                data.grow_to(size)
                _analyze(engine)
                cursor = data.deep_cursor()
                middle = data.middle_post()
                measured = [
                    ("forum index (categories, latest)", _call(engine, forum.list_categories)),
                    ("category page 1", _call(engine, forum.list_threads, slug="kolaborasi")),
                    ("category page, 1,000 threads down", _call(engine, forum.list_threads, slug="kolaborasi",
                                                                cursor=cursor)),
                    ("thread page 1 (big thread)", _call(engine, forum.get_thread, thread_id=data.big_thread)),
                    ("thread page from the middle", _call(engine, forum.get_thread, thread_id=data.big_thread,
                                                          from_post=middle)),
                    ("thread page before the middle", _call(engine, forum.get_thread, thread_id=data.big_thread,
                                                            before_post=middle)),
                ]
                for name, function in measured:
                    stats = time_calls(function, repeat=40)
                    pages.append([kind, f"{size:,}", name, *stats.row()])
                    if size == SIZES[-1]:
                        report.budget(f"{name} p95 ({kind}, {size:,} posts)", stats.p95, 20, "ms")
                for name, query in SEARCHES:
                    hits = len(_call(engine, search.search, query=query)())
                    stats = time_calls(_call(engine, search.search, query=query), repeat=25)
                    searches.append([kind, f"{size:,}", f"{name} “{query}”", hits, *stats.row()])
                    if size == SIZES[-1]:
                        report.budget(f"search {name} p95 ({kind}, {size:,} posts)", stats.p95, 100, "ms")
            report.note(f"{kind}: {data.posts:,} posts, big thread {data.big_posts:,} posts")
    report.table("Category and thread pages (whole service call)", ["engine", "posts", "page", *STATS_COLUMNS],
                 pages)
    report.table("Search (ranked, highlighted, 20 results at most)", ["engine", "posts", "query", "hits",
                                                                       *STATS_COLUMNS], searches)
