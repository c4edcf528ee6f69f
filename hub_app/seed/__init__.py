"""Demo data for `make run`: idempotent, so running it twice changes nothing.

Each feature adds a module here with a `seed(session)` function and lists it in FEATURE_SEEDS.
"""

from sqlmodel import Session

from hub_app.seed import accounts, bookings, events, forum, trainings

FEATURE_SEEDS = [accounts.seed, bookings.seed, trainings.seed, forum.seed, events.seed]


def seed_demo(session: Session) -> None:
    for seed in FEATURE_SEEDS:
        seed(session)
