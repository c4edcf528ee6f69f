"""Each feature that stores personal data registers how to export and erase it, so "download my
data" and "delete my account" cover the whole portal. Features add themselves to FEATURES."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session


@dataclass(frozen=True)
class PersonalData:
    name: str
    export: Callable[[Session, int], object]
    erase: Callable[[Session, int], None]


FEATURES: list[PersonalData] = []


def register(name: str, *, export: Callable[[Session, int], object], erase: Callable[[Session, int], None]) -> None:
    FEATURES.append(PersonalData(name, export, erase))


def export_all(session: Session, user_id: int) -> dict:
    return {feature.name: feature.export(session, user_id) for feature in FEATURES}


def erase_all(session: Session, user_id: int) -> None:
    for feature in FEATURES:
        feature.erase(session, user_id)
