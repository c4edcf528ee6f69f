"""Seats and the ordered waitlist, shared by everything with a capacity and a queue: training
enrolments and event registrations. Pure: the service feeds these rules what it read under the
lock of the row that holds the counts (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) and
writes back what they decide."""


def seat_for_newcomer(*, capacity: int, enrolled: int, waitlisted: int) -> bool:
    """A newcomer takes a seat only when one is free and nobody waits ahead of them."""
    return enrolled < capacity and waitlisted == 0


def seats_left(capacity: int, enrolled: int) -> int:
    return max(capacity - enrolled, 0)


def promotions(*, capacity: int, enrolled: int, waitlist: list[tuple[int, int]]) -> list[int]:
    """Which waitlisted places move up, in order. `waitlist` holds (queue_number, place_id); the
    lowest queue numbers are promoted first, one per free seat."""
    free = max(capacity - enrolled, 0)
    return [place_id for _, place_id in sorted(waitlist)[:free]]


def waitlist_position(queue_number: int, queue_numbers_waiting: list[int]) -> int:
    """1-based place in the queue."""
    return 1 + sum(1 for number in queue_numbers_waiting if number < queue_number)


def check_capacity_change(new_capacity: int, seated: int) -> bool:
    """Whether the capacity may become `new_capacity`: never below the seats already taken."""
    return new_capacity >= seated
