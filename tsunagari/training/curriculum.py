"""The default curriculum of a つながりサポーター養成講座 (data, not code): 90 minutes of lecture and individual
work on the national text. An organiser can change a course's curriculum after it is created."""

from __future__ import annotations

NATIONAL_TEXT = "内閣府「つながりサポーター養成講座」テキスト"

# (kind, title, minutes, material)
DEFAULT_SUPPORTER_COURSE: list[tuple[str, str, int, str]] = [
    ("lecture", "孤独・孤立とは：誰にでも起こりうること", 30, NATIONAL_TEXT),
    ("lecture", "SOSのサインに気づく・声をかける・話を聴く・つなぐ", 30, NATIONAL_TEXT),
    ("individual_work", "身近な人のSOSに気づいたら、自分にできること", 30, NATIONAL_TEXT),
]
