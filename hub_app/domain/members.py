"""Member directory rules with no database: what "looking for" matches in someone's "offers".

Members write both fields freely, in Indonesian or English ("Fotografer produk, mitra ekspor",
"Product photography"). Matching compares keywords: lower-case words of 3+ letters, minus common
words of both languages, compared by their first 5 letters so "fotografer" meets "fotografi" and
"developer" meets "develop".
"""

import re
import unicodedata

STOPWORDS = frozenset("""
dan atau yang untuk dengan dari di ke pada dalam ini itu juga saya kami kita mereka ada akan bisa
sebagai oleh tidak lebih agar serta para buat bagi sudah belum mau ingin cari mencari butuh perlu
and or the for with from into onto this that also our your their are can will looking need want
some any who what how about
""".split())
PREFIX = 5


def keywords(text: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return {word[:PREFIX] for word in re.findall(r"[a-z0-9]{3,}", plain) if word not in STOPWORDS}


def match_score(looking_for: str, offers: str) -> int:
    """How many of the keywords someone looks for appear in another member's offers."""
    return len(keywords(looking_for) & keywords(offers))


def best_matches(looking_for: str, candidates: list[tuple[int, str]], *, limit: int = 5) -> list[tuple[int, int]]:
    """(member id, score) of the candidates whose offers match best; ties go to the lower id
    (the longer-standing member), members with no match are left out."""
    wanted = keywords(looking_for)
    if not wanted:
        return []
    scored = [(member_id, len(wanted & keywords(offers))) for member_id, offers in candidates]
    scored = [(member_id, score) for member_id, score in scored if score > 0]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]
