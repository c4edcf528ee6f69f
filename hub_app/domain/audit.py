"""Pure rules of the audit log as staff read it: which actions there are (each has a readable name
in the catalogue, "queues.action.<code>"), where an entry's target is shown in the portal, and
the filters' shapes. No reflex, no database."""

from datetime import date

# Every action a service writes (services call audit.record with these codes). The filter offers
# them, and an unknown code (from an older version) is shown as it is.
ACTIONS = (
    "member.approve", "member.reject", "member.suspend", "member.reactivate", "member.role",
    "member.resend_verification", "member.terms_agreed",
    "booking.approve", "booking.decline", "booking.cancel", "booking.check_in", "booking.on_behalf",
    "booking.block", "booking.quota",
    "space.create", "space.update", "space.activate", "space.deactivate", "space.photo_add",
    "space.photo_remove", "hours.update", "closure.add", "closure.remove",
    "training.create", "training.update", "training.publish", "training.cancel", "training.session_add",
    "training.session_move", "training.session_delete", "training.trainer_add", "training.trainer_remove",
    "training.trainer_photo", "training.prerequisite_add", "training.prerequisite_remove",
    "training.member_add", "training.member_remove", "training.attendance", "training.export_enrolments",
    "training.export_attendance",
    "certificate.revoke", "certificate.reissue",
    "event.create", "event.update", "event.publish", "event.cancel", "event.photo", "event.check_in", "event.walk_in",
    "event.remove",
    "forum.post_hide", "forum.post_restore", "forum.post_approve", "forum.post_delete", "forum.reports_dismiss",
    "forum.thread_lock", "forum.thread_unlock", "forum.thread_pin", "forum.thread_unpin", "forum.thread_move",
    "forum.thread_delete", "forum.suspend", "forum.unsuspend", "forum.category_save",
    "audit.export",
    "export.bookings", "export.members", "export.enrolments", "export.attendance", "export.occupancy",
)

# What an entry may be about (audit_entries.target_type).
TARGET_TYPES = ("user", "booking", "space", "closure", "training", "trainer", "forum_post", "forum_thread",
                "forum_category", "event")

# A filtered export is capped: staff narrow the filter for more (the export says how many it holds).
EXPORT_LIMIT = 10_000


def action_key(action: str) -> str:
    """The catalogue key of an action's readable name."""
    return f"queues.action.{action}"


def target_href(target_type: str, target_id: int | None, *, thread_id: int | None = None,
                day: date | None = None) -> str:
    """Where staff look at an entry's target: the member's record, the booking's day on the booking
    desk, the training's page, the forum thread (at the post). Empty when there is no such page."""
    if target_id is None:
        return ""
    if target_type == "user":
        return f"/admin/members/{target_id}"
    if target_type == "booking":
        return f"/admin/bookings?date={day.isoformat()}" if day else "/admin/bookings"
    if target_type == "training":
        return f"/admin/trainings/{target_id}"
    if target_type == "forum_thread":
        return f"/forum/t/{target_id}"
    if target_type == "forum_post":
        return f"/forum/t/{thread_id}?from={target_id}" if thread_id else ""
    if target_type == "space":
        return f"/spaces/{target_id}"
    if target_type == "closure":
        return "/admin/spaces"
    if target_type == "forum_category":
        return "/admin/forum"
    if target_type == "trainer":
        return "/admin/trainings"
    if target_type == "event":
        return f"/admin/events/{target_id}"
    return ""
