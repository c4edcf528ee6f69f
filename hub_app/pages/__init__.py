"""One module per page; importing them registers their routes (rx.page)."""

from hub_app.pages import (  # noqa: F401
    admin_audit,
    admin_bookings,
    admin_members,
    admin_spaces,
    book,
    bookings,
    home,
    login,
    notifications,
    profile,
    reset_password,
    signup,
    space_checkin,
    spaces,
    verify,
)
