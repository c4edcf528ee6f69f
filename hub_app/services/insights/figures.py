"""The plain dataclasses hub_insights returns (see the package's docstring for what each figure
means): plain values only, so a Reflex page can keep them in state and the PDF can print them."""

from dataclasses import dataclass, field

from hub_app.domain.insights import Period, change


@dataclass
class Figure:
    """A headline figure now and in the previous period; rates are fractions (0.25 = 25 %) or None
    when there was nothing to rate. direction ("up" | "down" | "same" | ""), delta and ratio come
    from domain.insights.change."""

    current: float | int | None
    previous: float | int | None
    direction: str = field(default="")
    delta: float | int | None = field(default=None)
    ratio: float | None = field(default=None)

    def __post_init__(self) -> None:
        moved = change(self.current, self.previous)
        self.direction, self.delta, self.ratio = moved.direction, moved.delta, moved.ratio


@dataclass
class CountRow:
    """A count under a key (sector, stage, topic; "" when not given) and its label in lang."""

    key: str
    label: str
    count: int


@dataclass
class SpaceRow:
    id: int
    name: str  # in lang, the other language's marked
    kind: str  # desk_area | meeting_room | communal_room | event_hall
    kind_label: str
    capacity: int
    booked_hours: float
    open_hours: float
    capacity_hours: float
    use_rate: float | None
    bookings: int
    checked_in: int
    no_shows: int


@dataclass
class KindRow:
    """The spaces of one kind: sums of their rows, use_rate = booked / capacity hours."""

    kind: str
    label: str
    spaces: int
    booked_hours: float
    open_hours: float
    capacity_hours: float
    use_rate: float | None
    bookings: int
    checked_in: int
    no_shows: int


@dataclass
class SpaceUse:
    booked_hours: Figure
    capacity_hours: Figure
    use_rate: Figure
    bookings: Figure
    check_in_rate: Figure
    no_show_rate: Figure
    spaces: list[SpaceRow]
    kinds: list[KindRow]
    heat_map: list[list[float]]  # [weekday 0 = Monday][local hour 0-23], booked hours
    weekdays: list[str]  # short weekday names in lang, Monday first
    peak_hours: list[int]  # local hours of the day, busiest first
    peak_labels: list[str]  # "09.00–10.00" / "09:00–10:00"
    by_sector: list[CountRow]
    by_stage: list[CountRow]


@dataclass
class MemberFigures:
    sign_ups: Figure
    approvals: Figure
    active_members: Figure
    by_sector: list[CountRow]
    by_stage: list[CountRow]


@dataclass
class TrainingRow:
    id: int
    title: str  # in lang, the other language's marked
    topic: str
    topic_label: str
    sessions: int  # delivered in the period
    attendances: int
    enrolled: int
    attendance_rate: float | None


@dataclass
class ProgrammeFigures:
    sessions_delivered: Figure
    enrolments: Figure
    attendance_rate: Figure
    completion_rate: Figure
    average_rating: Figure
    ratings: Figure
    top_trainings: list[TrainingRow]
    waitlist_by_topic: list[CountRow]


@dataclass
class CommunityFigures:
    threads: Figure
    posts: Figure
    posters: Figure
    reports: Figure
    reports_handled: Figure


@dataclass
class EventFigures:
    """The hub's public events (services/insights/events.py says how each is counted)."""

    events_held: Figure
    registrations: Figure
    guests: Figure
    attendance_rate: Figure


@dataclass
class HubInsights:
    period: Period
    previous: Period
    period_label: str  # "1–30 November 2026" in lang
    previous_label: str
    space_use: SpaceUse
    members: MemberFigures
    programme: ProgrammeFigures
    community: CommunityFigures
    events: EventFigures | None = None
