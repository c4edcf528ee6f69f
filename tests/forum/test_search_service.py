"""Forum search on both engines (FTS5 on SQLite, tsvector on PostgreSQL): ranked the same way,
highlighted safely, only what the reader may see."""

import pytest

from hub_app.domain.errors import InvalidInput
from hub_app.services import forum
from hub_app.services.forum import moderation, search


def _post(session, actor, title, body, slug="kolaborasi"):
    return forum.start_thread(actor, session=session, slug=slug, title=title, body=body)


def test_title_matches_rank_above_body_matches_and_more_mentions_above_fewer(session, people, categories):
    once = _post(session, people.staff, "Info pelatihan pajak", "Ada sesi tentang fotografer dan pajak UMKM.")
    title = _post(session, people.staff, "Cari fotografer produk", "Untuk katalog batik musim depan.")
    often = _post(session, people.staff, "Pengalaman memotret", "Fotografer lepas, fotografer studio, fotografer "
                                                                "makanan: semua fotografer punya gaya sendiri.")
    _post(session, people.staff, "Tidak relevan", "Kopi dari Temanggung.")
    hits = search.search(people.rina, session=session, query="fotografer")
    assert [hit.post_id for hit in hits] == [title.post_id, often.post_id, once.post_id]
    assert [part.text.lower() for part in hits[0].title_parts if part.hit] == ["fotografer"]
    assert hits[0].link == f"/forum/t/{title.thread_id}?from={title.post_id}"


def test_every_word_must_match_and_words_match_as_prefixes(session, people, categories):
    both = _post(session, people.staff, "Ekspor kopi", "Kami mengekspor kopi Temanggung ke Berlin.")
    _post(session, people.staff, "Kopi saja", "Kopi susu gula aren.")
    assert [hit.post_id for hit in search.search(None, session=session, query="kopi berlin")] == [both.post_id]
    assert both.post_id in [hit.post_id for hit in search.search(None, session=session, query="temang")]


def test_snippets_highlight_the_words_as_plain_text_parts(session, people, categories):
    _post(session, people.staff, "Markup dalam teks", "Tulis `<b>batik</b>` atau batik & tenun <3, bukan HTML.")
    [hit] = search.search(None, session=session, query="batik")
    assert any(part.hit and part.text.lower() == "batik" for part in hit.parts)
    joined = "".join(part.text for part in hit.parts)
    # Plain text, not HTML: nothing is escaped into entities, and the page shows the parts as text.
    assert "& tenun <3" in joined and "&amp;" not in joined and "&lt;" not in joined
    assert all("\x02" not in part.text and "\x03" not in part.text for part in hit.parts)


def test_search_leaves_out_hidden_waiting_deleted_and_members_only_posts(session, people, categories):
    public = _post(session, people.staff, "Jadwal rapat umum", "Rapat koordinasi tenant hari Senin.")
    internal = _post(session, people.staff, "Rapat anggota", "Rapat khusus anggota hari Selasa.", slug="internal")
    hidden = _post(session, people.staff, "Rapat yang disembunyikan", "Rapat rahasia.")
    moderation.moderate_post(people.admin, session=session, post_id=hidden.post_id, action="hide", reason="Salah")
    waiting = _post(session, people.rina, "Rapat dengan tautan", "Rapat di https://meet.example/abc")
    deleted = _post(session, people.andi, "Rapat dibatalkan", "Rapat batal.")
    forum.delete_post(people.andi, session=session, post_id=deleted.post_id)
    assert waiting.waiting_review
    assert [hit.post_id for hit in search.search(None, session=session, query="rapat")] == [public.post_id]
    member_hits = {hit.post_id for hit in search.search(people.dewi, session=session, query="rapat")}
    assert member_hits == {public.post_id, internal.post_id}


def test_edits_and_title_changes_reach_the_index(session, people, categories):
    saved = _post(session, people.rina, "Judul pertama", "Isi tentang rendang.")
    forum.edit_post(people.rina, session=session, post_id=saved.post_id, body="Isi tentang soto.",
                    title="Judul tentang gudeg")
    assert search.search(None, session=session, query="rendang") == []
    assert [hit.post_id for hit in search.search(None, session=session, query="soto")] == [saved.post_id]
    assert [hit.post_id for hit in search.search(None, session=session, query="gudeg")] == [saved.post_id]


@pytest.mark.parametrize("query", [
    '"', "*", "kopi OR", "NEAR(", "kopi\" OR \"a", "a:* | b", "' OR 1=1 --", "<script>alert(1)</script>", "^$#@!",
    "x" * 500, "kopi -teh", "(kopi)", "kopi:*", "\x00\x02kopi",
])
def test_query_syntax_from_members_is_harmless(session, people, categories, query):
    _post(session, people.staff, "Kopi nusantara", "Kopi dari berbagai daerah.")
    if len(query) > 200:
        with pytest.raises(InvalidInput) as refused:
            search.search(None, session=session, query=query)
        assert refused.value.key == "error.field_too_long"
        return
    hits = search.search(None, session=session, query=query)
    assert all(hit.thread_title == "Kopi nusantara" for hit in hits)


def test_empty_or_wrong_type_queries_find_nothing(session, people, categories):
    _post(session, people.staff, "Apa saja", "Isi")
    assert search.search(None, session=session, query="") == []
    assert search.search(None, session=session, query="a") == []
    with pytest.raises(InvalidInput):
        search.search(None, session=session, query=["kopi"])


def test_indonesian_words_match_as_written_with_the_simple_configuration(session, people, categories):
    saved = _post(session, people.staff, "Perizinan usaha", "Cara mengurus NIB lewat OSS untuk UMKM pemula.")
    for query in ("mengurus", "NIB", "oss umkm", "perizinan"):
        assert [hit.post_id for hit in search.search(None, session=session, query=query)] == [saved.post_id]
