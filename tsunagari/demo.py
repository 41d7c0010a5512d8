"""Demo data for ``tsunagari demo``: the fictional city 架空市, its secretariat and member organisations,
and a user for every role. Everyone here is fictional."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tsunagari.accounts.models import User
from tsunagari.cases.assessments import record_assessment
from tsunagari.cases.models import Case, Consent, HouseholdMember
from tsunagari.cases.referrals import accept_referral, send_referral
from tsunagari.cases.services import create_household, open_case, record_consent, register_person
from tsunagari.directory.hsds import import_package
from tsunagari.directory.models import DirectoryOrganization, Service
from tsunagari.directory.schemes import import_schemes
from tsunagari.directory.search import index_services
from tsunagari.directory.selectors import category_terms
from tsunagari.orgs.districts import load_districts
from tsunagari.orgs.models import ROLES_REQUIRING_MFA, District, Membership, Organization, Role
from tsunagari.orgs.services import add_membership, create_organization

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
Kind = Organization.Kind


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    name: str
    kana: str
    kind: str
    districts: tuple[str, ...]
    profile: str
    tier: str = Organization.Tier.FULL
    secretariat: bool = False


ORGS = [
    DemoOrg(
        "jimukyoku",
        "架空市 福祉部 地域福祉課（孤独・孤立対策推進室）",
        "かくうし ふくしぶ ちいきふくしか",
        Kind.CITY_DEPARTMENT,
        (),
        "官民連携プラットフォームの事務局（調整機関）です。加盟団体の連絡調整、支援会議の運営、つながりサポーター養成を担います。",
        secretariat=True,
    ),
    DemoOrg(
        "shakyo",
        "社会福祉法人 架空市社会福祉協議会",
        "かくうししゃかいふくしきょうぎかい",
        Kind.SOCIAL_WELFARE_COUNCIL,
        (),
        "地域の見守り・サロン活動、生活福祉資金の相談、ボランティアセンターを運営しています。",
    ),
    DemoOrg(
        "yorisoi",
        "NPO法人 よりそいネット架空",
        "よりそいねっとかくう",
        Kind.NPO,
        ("chuo", "minatomachi", "sakuragi"),
        "ひきこもりの方とご家族の居場所づくり、電話・LINE相談、同行支援を行っています。",
    ),
    DemoOrg(
        "coop",
        "生活協同組合 コープかくう",
        "せいかつきょうどうくみあい こーぷかくう",
        Kind.COOPERATIVE,
        (),
        "宅配の際の見守り（見守り協定）と、フードドライブを行っています。",
    ),
    DemoOrg(
        "shimbun",
        "架空市新聞販売店会",
        "かくうししんぶんはんばいてんかい",
        Kind.COMPANY,
        ("koto", "shinonome"),
        "新聞配達時に郵便物や新聞がたまっているなどの異変に気づいたらお知らせします（見守り協定）。",
        tier=Organization.Tier.DIRECTORY_ONLY,
    ),
    DemoOrg(
        "chuo-hospital",
        "地方独立行政法人 架空市民病院",
        "かくうしみんびょういん",
        Kind.MEDICAL,
        ("chuo",),
        "医療ソーシャルワーカーが、療養と生活の困りごとの相談に応じます。",
    ),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    roles: tuple[tuple[str, str], ...]  # (org slug, role)
    note: str


USERS = [
    DemoUser(
        "jimukyoku@example.jp", "鈴木 陽子", (("jimukyoku", Role.COORDINATOR),), "事務局コーディネーター"
    ),
    DemoUser("admin@shakyo.example.jp", "佐藤 健一", (("shakyo", Role.ADMIN),), "社協の団体管理者"),
    DemoUser(
        "staff@shakyo.example.jp",
        "高橋 美咲",
        (("shakyo", Role.STAFF), ("yorisoi", Role.VOLUNTEER)),
        "社協の職員（NPOのボランティアも兼ねる：団体の切り替え）",
    ),
    DemoUser("admin@yorisoi.example.jp", "田中 誠", (("yorisoi", Role.ADMIN),), "NPOの団体管理者"),
    DemoUser(
        "supporter@example.jp",
        "伊藤 和子",
        (("shakyo", Role.VOLUNTEER),),
        "つながりサポーター（ボランティア）",
    ),
    DemoUser("staff@coop.example.jp", "中村 大輔", (("coop", Role.STAFF),), "生協の職員（見守り協定）"),
    DemoUser("viewer@coop.example.jp", "渡辺 翔", (("coop", Role.VIEWER),), "閲覧のみ（二段階認証は任意）"),
    DemoUser(
        "staff@shimbun.example.jp", "小林 正人", (("shimbun", Role.STAFF),), "新聞販売所（見守り協定の企業）"
    ),
    DemoUser(
        "haitatsu@shimbun.example.jp",
        "山本 健",
        (("shimbun", Role.PARTNER),),
        "新聞の配達員（気づいたSOSを知らせるだけ・二段階認証なし）",
    ),
    DemoUser(
        "msw@chuo-hospital.example.jp",
        "加藤 由美",
        (("chuo-hospital", Role.ADMIN),),
        "病院の医療ソーシャルワーカー",
    ),
]


def is_seeded() -> bool:
    return Organization.objects.filter(is_secretariat=True).exists()


# Demo member organisations that keep services in the benchmark directory (by its provider names).
DIRECTORY_LINKS = {
    "jimukyoku": "架空市 福祉総務課",
    "shakyo": "社会福祉法人 架空市社会福祉協議会",
    "coop": "生活協同組合 コープかくう",
    "shimbun": "架空市新聞販売店会",
    "chuo-hospital": "地方独立行政法人 架空市民病院",
}


# COVID-era schemes of the 2021 portal data that have ended (SOURCE.md: curators mark them).
ENDED_SCHEMES = [
    "新型コロナウイルス感染症対応休業支援金・給付金",
    "新型コロナウイルスの影響で学びの継続が困難になっている学生への経済的支援一覧",
    "低所得の子育て世帯に対する子育て世帯生活支援特別給付金（ひとり親世帯分）",
    "低所得の子育て世帯に対する子育て世帯生活支援特別給付金（ひとり親世帯以外の低所得の子育て世帯分）",
    "緊急小口資金等の特例貸付",
    "新型コロナウイルス感染症の影響による特別労働相談窓口一覧",
]


def load_directory(progress: Callable[[str], None] = lambda _: None) -> None:
    """The benchmark city's directory and the national schemes, indexed for search and the navigator."""
    result = import_package(DEMO_DATA / "hsds", progress=progress)
    schemes = import_schemes(
        DEMO_DATA / "notalone" / "data.csv",
        categories_path=DEMO_DATA / "notalone" / "categories.csv",
        progress=progress,
    )
    progress("Indexing the directory for search (the first time takes a minute) …")
    index_services(result.service_ids | schemes, progress=progress)


def seed(*, password: str, progress: Callable[[str], None] = lambda _: None) -> bool:
    """Create the demo data unless it is there already. Returns True when it created it.

    The notifications the demo's own story raises stay in the app: their e-mails are not printed over
    the demo logins (later ones are, through the console backend)."""
    if is_seeded():
        return False
    with _mail_kept_in_memory(), transaction.atomic():
        return _seed(password=password, progress=progress)


@contextmanager
def _mail_kept_in_memory() -> Iterator[None]:
    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = backend


def _seed(*, password: str, progress: Callable[[str], None]) -> bool:
    load_districts(DEMO_DATA / "districts.csv")
    orgs: dict[str, Organization] = {}
    for spec in ORGS:
        districts = (
            District.objects.filter(code__in=spec.districts) if spec.districts else District.objects.all()
        )
        orgs[spec.slug] = create_organization(
            by=None, slug=spec.slug, name=spec.name, kana=spec.kana, kind=spec.kind, tier=spec.tier,
            is_secretariat=spec.secretariat, districts=list(districts), public_profile=spec.profile,
            phone="0857-00-" + str(1000 + len(orgs)),
        )  # fmt: skip
    load_directory(progress)
    for slug, provider in DIRECTORY_LINKS.items():
        DirectoryOrganization.objects.filter(name=provider).update(member=orgs[slug])
    # What a curator does first with the 2021 portal data: mark the COVID-era one-off schemes as ended.
    Service.objects.filter(source=Service.Source.NATIONAL, name__in=ENDED_SCHEMES).update(
        status=Service.Status.DEFUNCT,
        alert="新型コロナウイルス感染症への臨時の対応として行われた制度で、受付は終了しています。",
    )
    # A few entries not confirmed for a long time, so that the freshness check has something to show.
    today = timezone.localdate()
    for slug, days in (("shakyo", 200), ("shakyo", 260), ("coop", 400)):
        service = Service.objects.filter(
            organization__member=orgs[slug], assured_date__gte=today - timedelta(days=30)
        )
        Service.objects.filter(pk__in=service.order_by("name").values("pk")[:1]).update(
            assured_date=today - timedelta(days=days)
        )
    users = {}
    for spec_user in USERS:
        user = User.objects.create_user(spec_user.email, password, display_name=spec_user.name)
        users[spec_user.email] = user
        for slug, role in spec_user.roles:
            add_membership(user=user, organization=orgs[slug], role=role, by=None)
        if any(role in ROLES_REQUIRING_MFA for _slug, role in spec_user.roles):
            TOTP.activate(user, generate_totp_secret())
            RecoveryCodes.activate(user)
    _seed_people(orgs["shakyo"], npo=orgs["yorisoi"])
    _seed_needs(orgs)
    _seed_watch(orgs)
    _seed_meetings(orgs)
    _seed_public_face(orgs)
    _seed_events(orgs)
    _seed_contact_requests(orgs)
    _seed_training(orgs)
    return True


def _seed_contact_requests(orgs: dict[str, Organization]) -> None:
    """「相談したい」: one request waiting in the secretariat's today view (from the self-check), and one
    the secretariat gave よりそいネット, waiting for its call."""
    from tsunagari.directory.selectors import category_terms
    from tsunagari.reachout.models import ContactRequest
    from tsunagari.reachout.services import assign_request, submit_request

    coordinator = Membership.objects.get(organization=orgs["jimukyoku"], role=Role.COORDINATOR)
    loneliness = list(category_terms().filter(code__in=["loneliness", "belonging"]))
    for name, phone, district, message, source in (
        ("みどり", "0857-00-7001", "yamate", "夫を亡くしてから、誰とも話さない日が続いています。近くで集まれる場所があれば知りたいです。",
         ContactRequest.Source.CHECK),
        ("ケン", "0857-00-7002", "midoridai", "団地に越してきて知り合いがいません。平日の夜なら電話に出られます。",
         ContactRequest.Source.NAVIGATOR),
    ):  # fmt: skip
        received = submit_request(
            data={"means": ContactRequest.Means.PHONE, "when": ContactRequest.When.WEEKDAY_DAYTIME, "when_note": "",
                  "name": name, "phone": phone, "email": "", "address": "",
                  "district": District.objects.get(code=district), "categories": loneliness, "message": message},
            source=source, urgent=False,
        )  # fmt: skip
        if name == "ケン":
            assign_request(by=coordinator, request=received.request, organization=orgs["yorisoi"])


def _seed_meetings(orgs: dict[str, Organization]) -> None:
    """A 支援会議 two weeks ago on 架空家 (花子's case): 社協, the NPO and the hospital invited (the co-op not),
    the NPO's member confirmed the duty of confidentiality, minutes approved with two actions. And a 分科会 on
    the young-carer gap issue, its decision written to the issue and its minutes published."""
    from datetime import datetime, time

    from tsunagari.meetings import services as meetings
    from tsunagari.meetings.models import MeetingKind
    from tsunagari.needs.models import GapIssue

    coordinator = Membership.objects.get(organization=orgs["jimukyoku"], role=Role.COORDINATOR)
    member = {
        slug: Membership.objects.filter(organization=orgs[slug], role__in=[Role.STAFF, Role.ADMIN])
        .select_related("user", "organization")
        .order_by("pk")
        .first()
        for slug in ("shakyo", "yorisoi", "chuo-hospital")
    }
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today - timedelta(days=14), time(14, 0)))
    meeting = meetings.create_meeting(
        by=coordinator, kind=MeetingKind.objects.get(code="support_meeting"), title="第1回 支援会議（中央地区）",
        starts_at=start, ends_at=start + timedelta(hours=1, minutes=30), place="架空市役所 本庁舎3階 第2会議室",
        chair=coordinator.user, recorder=coordinator.user,
    )  # fmt: skip
    meetings.invite(
        by=coordinator, meeting=meeting, organizations=[orgs["shakyo"], orgs["yorisoi"], orgs["chuo-hospital"]],
        members=[m for m in member.values() if m is not None],
    )  # fmt: skip
    case = Case.objects.filter(opened_by=orgs["shakyo"]).order_by("pk").get()
    item = meetings.add_case_item(
        by=coordinator,
        meeting=meeting,
        case=case,
        source="proposed",
        kinds=["contact", "situation", "family"],
    )
    meetings.release_material(by=coordinator, meeting=meeting)
    meetings.confirm_confidentiality(by=coordinator, meeting=meeting)
    if member["yorisoi"] is not None:
        meetings.confirm_confidentiality(by=member["yorisoi"], meeting=meeting)
    meetings.record_minutes(
        by=coordinator, item=item, summary="社協から、花子さんが夫を亡くしてから外出が減っていると報告。息子さんは仕事を辞めて"
        "在宅。病院からは通院が途切れがちとの情報。", policy="社協が主担当として見守りを続け、NPOが外出のきっかけづくりを担う。"
        "息子さんの就労相談を社協が案内する。", lead=orgs["shakyo"], next_review_on=today + timedelta(days=60),
    )  # fmt: skip
    meetings.add_action(
        by=coordinator, item=item, organization=orgs["yorisoi"], what="月1回の訪問と、サロンへの同行",
        due_on=today + timedelta(days=30),
    )  # fmt: skip
    meetings.add_action(
        by=coordinator, item=item, organization=orgs["shakyo"], what="息子さんに就労相談の窓口を案内する",
        due_on=today + timedelta(days=14),
    )  # fmt: skip
    meetings.approve_minutes(by=coordinator, meeting=meeting)

    issue = GapIssue.objects.order_by("pk").first()
    start = timezone.make_aware(datetime.combine(today - timedelta(days=7), time(10, 0)))
    group = meetings.create_meeting(
        by=coordinator, kind=MeetingKind.objects.get(code="working_group"), title="ヤングケアラー分科会",
        starts_at=start, ends_at=start + timedelta(hours=1), place="架空市社会福祉センター 研修室",
        chair=coordinator.user, recorder=coordinator.user,
    )  # fmt: skip
    meetings.invite(
        by=coordinator,
        meeting=group,
        organizations=[orgs["shakyo"], orgs["chuo-hospital"], orgs["yorisoi"]],
        members=[],
    )
    if issue is not None:
        topic = meetings.add_topic_item(by=coordinator, meeting=group, gap_issue=issue, topic="")
        meetings.record_minutes(
            by=coordinator, item=topic, summary="病院の退院支援で把握した事例の傾向を共有した。",
            policy="学校・病院・社協で連絡票の様式をそろえ、次回までに試行する。", lead=orgs["shakyo"], next_review_on=None,
        )  # fmt: skip
        meetings.add_action(
            by=coordinator, item=topic, organization=orgs["chuo-hospital"], what="連絡票の案を作る",
            due_on=today + timedelta(days=21),
        )  # fmt: skip
    meetings.approve_minutes(by=coordinator, meeting=group)
    meetings.publish_minutes(
        by=coordinator, meeting=group,
        text="退院後に家族の介護を担う若者への支援について、学校・病院・社協の連絡票の様式をそろえることにしました。",
    )  # fmt: skip


def _seed_public_face(orgs: dict[str, Organization]) -> None:
    """Two membership applications waiting, two news items, one published snapshot of the needs picture."""
    from tsunagari.needs.models import PublicSnapshot
    from tsunagari.needs.snapshots import publish_snapshot, take_snapshot
    from tsunagari.orgs.applications import submit_application
    from tsunagari.outreach.services import save_news

    coordinator = Membership.objects.get(organization=orgs["jimukyoku"], role=Role.COORDINATOR)
    for name, kind, contact, email, offer in (
        ("NPO法人 ひだまりの家", Organization.Kind.NPO, "架空 陽子", "hidamari@example.jp",
         "高齢者と子どもの多世代食堂を月2回、北浜地区で開いています。"),
        ("架空タクシー株式会社", Organization.Kind.COMPANY, "架空 運平", "info@kakuu-taxi.example.jp",
         "乗務員が見守り協定に参加し、気になる高齢者に気づいたらお知らせできます。"),
    ):  # fmt: skip
        submit_application(
            data={"organization_name": name, "kind": kind, "contact_name": contact, "email": email,
                  "phone": "", "offer": offer}
        )  # fmt: skip
    today = timezone.localdate()
    for days, title, body in (
        (3, "つながりシンポジウム in 架空市を開催します",
         "孤独・孤立について考えるシンポジウムを開催します。会場参加のほか、オンライン配信もあります。"),
        (20, "加入団体を募集しています",
         "孤独・孤立対策に取り組む団体・企業の加入を募集しています。「プラットフォームについて」のページから申し込めます。"),
    ):  # fmt: skip
        save_news(
            by=coordinator, item=None,
            data={"title": title, "body": body, "published_on": today - timedelta(days=days), "is_published": True},
        )  # fmt: skip
    snapshot = take_snapshot(
        by=coordinator,
        title=f"{today.year}年{today.month}月のまちの姿",
        licence=PublicSnapshot.Licence.CC_BY_4,
    )
    publish_snapshot(snapshot=snapshot, by=coordinator)


def _seed_events(orgs: dict[str, Organization]) -> None:
    """「つながりシンポジウム in 架空市」: 300 seats, streamed, 120 registrations filling the hall (60 of two
    people, 60 of three) and three people waiting; a サロン with one seat left."""
    from tsunagari.events.models import Event, EventKind, Format, Registration
    from tsunagari.events.services import _indexes

    start = timezone.localtime().replace(hour=13, minute=30, second=0, microsecond=0) + timedelta(days=21)
    symposium = Event.objects.create(
        organization=orgs["jimukyoku"], kind=EventKind.SYMPOSIUM, title="つながりシンポジウム in 架空市",
        description="孤独・孤立は誰にでも起こりうることです。基調講演と、加盟団体によるパネルディスカッションを行います。"
                    "会場とYouTubeライブ配信の両方で参加できます。",
        starts_at=start, ends_at=start + timedelta(hours=3), format=Format.HYBRID, place="架空市民会館 大ホール",
        capacity=300, accessibility=["sign_language", "captions", "childcare", "wheelchair"],
        stream_url="https://www.youtube.com/watch?v=demo-kakuu", stream_public=False,
    )  # fmt: skip
    salon_start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=9)
    salon = Event.objects.create(
        organization=orgs["shakyo"], kind=EventKind.SALON, title="ふれあいサロン みなとまち",
        description="お茶を飲みながら、気軽におしゃべりしませんか。どなたでもどうぞ。",
        starts_at=salon_start, ends_at=salon_start + timedelta(hours=2), format=Format.IN_PERSON,
        place="みなとまち公民館 和室", capacity=20, accessibility=["wheelchair"],
    )  # fmt: skip
    family = ["架空", "仮野", "見本", "例田", "試川", "模擬", "空山", "虚木"]
    given = [("花子", "はなこ"), ("太郎", "たろう"), ("一郎", "いちろう"), ("さくら", "さくら"), ("梅子", "うめこ"),
             ("次郎", "じろう"), ("竹子", "たけこ"), ("春香", "はるか"), ("大輔", "だいすけ"), ("美咲", "みさき")]  # fmt: skip
    family_kana = ["かくう", "かりの", "みほん", "れいだ", "ためしかわ", "もぎ", "そらやま", "うつろぎ"]
    base = timezone.now() - timedelta(days=10)

    def person(i: int, event: Event, *, people: int, status: str, mode: str = "in_person") -> Registration:
        name, kana = given[i % len(given)]
        email = f"demo-resident-{event.pk}-{i}@example.jp"
        email_index, phone_index = _indexes(email, "")
        return Registration(
            event=event, name=f"{family[i % len(family)]} {name}", kana=f"{family_kana[i % len(family)]} {kana}",
            email=email, email_index=email_index, phone_index=phone_index, people=people, mode=mode,
            status=status, consented_at=base, created_at=base + timedelta(minutes=i),
        )  # fmt: skip

    rows = [person(i, symposium, people=2 if i < 60 else 3, status="confirmed") for i in range(120)]
    rows += [person(120 + i, symposium, people=1, status="waitlisted") for i in range(3)]
    rows += [person(i, salon, people=1, status="confirmed") for i in range(19)]
    Registration.objects.bulk_create(rows)


def _seed_training(orgs: dict[str, Organization]) -> None:
    """A つながりサポーター養成講座 held by the secretariat six weeks ago: 50 registered, 44 attended and have
    their 受講証, 30 listed as supporters across the districts; and the next course, open for applications."""
    from tsunagari.events.models import Event, EventKind, Format, Registration
    from tsunagari.events.services import _indexes
    from tsunagari.training.models import Certificate, ContactWay, Supporter, WayToHelp
    from tsunagari.training.services import certificate_number, consent_wording, ensure_curriculum

    secretariat = orgs["jimukyoku"]
    held = timezone.localtime().replace(hour=13, minute=30, second=0, microsecond=0) - timedelta(days=42)
    description = ("身近な人の孤独・孤立のサインに気づき、声をかけ、話を聴き、必要な支援につなぐ「つながりサポーター」を養成します。"
                   "講義と個人ワークの90分。どなたでも受講できます。")  # fmt: skip
    past = Event.objects.create(
        organization=secretariat, kind=EventKind.SUPPORTER_COURSE, title="つながりサポーター養成講座（第1回）",
        description=description, starts_at=held, ends_at=held + timedelta(minutes=90), format=Format.IN_PERSON,
        place="架空市役所 3階 大会議室", capacity=50, accessibility=["sign_language", "wheelchair"],
    )  # fmt: skip
    upcoming = held + timedelta(days=42 + 16)
    future = Event.objects.create(
        organization=secretariat, kind=EventKind.SUPPORTER_COURSE, title="つながりサポーター養成講座（第2回）",
        description=description + "募集中です。", starts_at=upcoming, ends_at=upcoming + timedelta(minutes=90),
        format=Format.IN_PERSON, place="架空市役所 3階 大会議室", capacity=40, accessibility=["wheelchair"],
    )  # fmt: skip
    ensure_curriculum(past)
    ensure_curriculum(future)
    family = ["架空", "仮野", "見本", "例田", "試川", "模擬", "空山", "虚木"]
    family_kana = ["かくう", "かりの", "みほん", "れいだ", "ためしかわ", "もぎ", "そらやま", "うつろぎ"]
    given = [("和子", "かずこ"), ("健一", "けんいち"), ("洋子", "ようこ"), ("誠", "まこと"), ("恵美", "えみ"),
             ("修", "おさむ"), ("由美", "ゆみ")]  # fmt: skip
    rows = []
    for i in range(50):
        name, kana = given[i % len(given)]
        email = f"demo-course-{i}@example.jp"
        email_index, phone_index = _indexes(email, "")
        rows.append(Registration(
            event=past, name=f"{family[i % len(family)]} {name}", kana=f"{family_kana[i % len(family)]} {kana}",
            email=email, email_index=email_index, phone_index=phone_index, people=1, status="confirmed",
            consented_at=held - timedelta(days=20), created_at=held - timedelta(days=20, minutes=-i),
            attended_at=held + timedelta(minutes=i % 10) if i < 44 else None,
        ))  # fmt: skip
    Registration.objects.bulk_create(rows)
    attended = list(Registration.objects.filter(event=past, attended_at__isnull=False).order_by("pk"))
    certificates = Certificate.objects.bulk_create(
        Certificate(number=certificate_number(past, r), event=past, registration=r, issued_by=secretariat,
                    name=r.name, email_index=r.email_index, completed_on=held.date(), issued_at=held + timedelta(hours=2))
        for r in attended
    )  # fmt: skip
    districts = list(District.objects.all())
    ways = [[WayToHelp.GREETING, WayToHelp.WATCHING], [WayToHelp.LISTENING], [WayToHelp.PLACE, WayToHelp.GREETING],
            [WayToHelp.WATCHING], [WayToHelp.GREETING, WayToHelp.LISTENING, WayToHelp.PLACE]]  # fmt: skip
    wording = consent_wording()
    # Supporters crowd the central districts; the outlying ones (where needs are reported) have few.
    weights = [6, 5, 4, 3, 3, 2, 2, 2, 1, 1, 1]
    plan = [d for d, n in zip(districts, weights + [1] * len(districts), strict=False) for _ in range(n)]
    for i, (certificate, registration) in enumerate(zip(certificates[:30], attended[:30], strict=True)):
        by_phone = i % 4 == 3
        supporter = Supporter.objects.create(
            certificate=certificate, name=registration.name, kana=registration.kana,
            district=plan[i % len(plan)], ways=ways[i % len(ways)],
            email="" if by_phone else registration.email, phone=f"0857-20-{1000 + i:04d}" if by_phone else "",
            contact_by=ContactWay.PHONE if by_phone else ContactWay.EMAIL,
            contact_note="平日の日中" if i % 3 == 0 else "", consent_text=wording, consented_at=held + timedelta(days=1),
        )  # fmt: skip
        Certificate.objects.filter(pk=certificate.pk).update(supporter=supporter)


def _seed_watch(orgs: dict[str, Organization]) -> None:
    """A watch list with a contact overdue and an unanswered alert already one step up the ladder, and an
    SOS report waiting for triage, so the escalation shows right after `tsunagari demo`."""
    from tsunagari.cases.models import Person
    from tsunagari.watch import services as watch
    from tsunagari.watch.models import Alert, ContactLog, SosReport

    shakyo = orgs["shakyo"]
    staff = Membership.objects.get(organization=shakyo, user__email="staff@shakyo.example.jp")
    supporter = Membership.objects.get(organization=shakyo, user__email="supporter@example.jp")
    newspaper = Membership.objects.get(organization=orgs["shimbun"], user__email="staff@shimbun.example.jp")
    districts = {d.code: d for d in District.objects.all()}
    now = timezone.now()
    hanako = watch.create_target(
        by=staff, supporters=[supporter],
        data={"name": "架空 花子さん", "contact": "0857-00-9999（午前中）", "district": districts["chuo"],
              "person": Person.objects.filter(organization=shakyo).order_by("pk").first(),
              "legal_basis": "consent", "basis_note": "書面で同意（見守り同意書）", "every_days": 7, "plan": "週1回の電話", "usual_method": "phone"},
    )  # fmt: skip
    ume = watch.create_target(
        by=staff, supporters=[supporter],
        data={"name": "架空 梅子さん", "contact": "北浜2丁目の市営住宅、1階の角部屋", "district": districts["kitahama"],
              "legal_basis": "consent", "basis_note": "口頭で同意（民生委員が立会い）", "every_days": 30,
              "plan": "月1回の訪問", "started_on": (now - timedelta(days=60)).date()},
    )  # fmt: skip
    matsuo = watch.create_target(
        by=staff, supporters=[newspaper],
        data={"name": "架空 松男さん", "contact": "港町の新聞配達先（玄関で声かけ）", "district": districts["minatomachi"],
              "legal_basis": "consent", "basis_note": "見守り協定にもとづく同意書", "every_days": 3, "plan": "配達時の声かけ"},
    )  # fmt: skip
    watch.record_contact(by=supporter, target=hanako, method=ContactLog.Method.PHONE, result=ContactLog.Result.FINE,
                         note="元気そう。来週のサロンに誘った", contacted_at=now - timedelta(days=2))  # fmt: skip
    watch.record_contact(by=supporter, target=ume, method=ContactLog.Method.VISIT, result=ContactLog.Result.CONCERN,
                         note="食事の量が減っている様子", contacted_at=now - timedelta(days=45))  # fmt: skip
    for days in (2, 1):
        watch.record_contact(by=newspaper, target=matsuo, method=ContactLog.Method.GREETING,
                             result=ContactLog.Result.NO_ANSWER, contacted_at=now - timedelta(days=days))  # fmt: skip
    # The no-answer alert has waited unacknowledged for longer than a step: the first check climbs it.
    Alert.objects.filter(target=matsuo).update(
        raised_at=now - timedelta(hours=30), stepped_at=now - timedelta(hours=30)
    )
    deliverer = Membership.objects.get(
        organization=orgs["shimbun"], user__email="haitatsu@shimbun.example.jp"
    )
    watch.report_sos(
        by=deliverer,
        data={"sign": SosReport.Sign.MAIL_PILING, "place": "港町3丁目のアパート2階（青い郵便受け）",
              "district": districts["minatomachi"], "noticed_at": now - timedelta(hours=3),
              "details": "新聞が3日分たまっている。先週までは毎朝取り込まれていた", "reporter_contact": "0857-00-1004"},
    )  # fmt: skip
    _seed_urgency(orgs, newspaper=newspaper, districts=districts)
    watch.check_watch()


def _seed_urgency(
    orgs: dict[str, Organization], *, newspaper: Membership, districts: dict[str, District]
) -> None:
    """The secretariat's on-call rota (nights for a week, from last night), whom to call in two districts,
    and an SOS marked 緊急 that came in at 5 a.m. and still waits for triage."""
    from datetime import datetime, time

    from tsunagari.watch import services as watch
    from tsunagari.watch.models import DistrictContact, OnCallShift, SosReport, Urgency

    coordinator = Membership.objects.get(organization=orgs["jimukyoku"], user__email="jimukyoku@example.jp")
    today = timezone.localdate()
    for offset in range(-1, 7):
        day = today + timedelta(days=offset)
        start = timezone.make_aware(datetime.combine(day, time(17, 15)))
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time(8, 30)))
        watch.save_shift(
            by=coordinator,
            shift=OnCallShift(member=coordinator, phone="090-0000-1111", starts_at=start, ends_at=end),
        )
    for code, kind, name, phone, hours in (
        ("chuo", DistrictContact.Kind.WELFARE_VOLUNTEER, "中央地区 民生委員 架空 一郎", "0857-00-2001", "平日・土曜 9時〜18時"),
        ("chuo", DistrictContact.Kind.COMMUNITY_CARE_CENTRE, "中央地域包括支援センター", "0857-00-2002", "平日 8時30分〜17時15分（時間外は転送）"),
        ("minatomachi", DistrictContact.Kind.WELFARE_VOLUNTEER, "港町地区 民生委員 架空 和子", "0857-00-2003", "毎日 8時〜20時"),
        ("minatomachi", DistrictContact.Kind.COMMUNITY_CARE_CENTRE, "港町地域包括支援センター", "0857-00-2004", "平日 8時30分〜17時15分"),
    ):  # fmt: skip
        watch.save_district_contact(
            by=coordinator,
            contact=DistrictContact(district=districts[code], kind=kind, name=name, phone=phone, hours=hours),
        )
    five = timezone.make_aware(datetime.combine(today, time(5, 0)))
    watch.report_sos(
        by=newspaper,
        data={"sign": SosReport.Sign.ASKED_FOR_HELP, "urgency": Urgency.EMERGENCY,
              "place": "港町3丁目の平屋（松の木のある家）", "district": districts["minatomachi"],
              "noticed_at": five if five < timezone.now() else five - timedelta(days=1),
              "details": "朝5時の配達のとき、中から「助けて」のような声がした。呼び鈴には応答なし",
              "reporter_contact": "0857-00-1004"},
    )  # fmt: skip


# (org slug, user, district codes, kinds of trouble, household types, what they say) — invented patterns
# that echo what such organisations report: the heat map, small-cell suppression and the gaps all show.
NEED_PATTERNS = [
    ("shakyo", "staff@shakyo.example.jp", ["chuo", "kitahama", "koto", "yamate"], ["loneliness", "elderly_care"],
     ["single_elderly", "elderly_couple"], "配食やサロンの利用者で、誰とも話さない日が続く方が多い"),
    ("shakyo", "staff@shakyo.example.jp", ["chuo", "minamihara"], ["livelihood", "debt_legal"], ["8050", "other"],
     "親の年金で暮らす中高年の子。相談先が分からない"),
    ("coop", "staff@coop.example.jp", ["chuo", "kitahama", "nishigaoka", "shinonome", "kawabata"],
     ["food", "loneliness"], ["single_elderly", "single_parent"], "宅配の際に食事が十分でない様子が見られる"),
    ("shimbun", "staff@shimbun.example.jp", ["chuo", "yamate", "midoridai", "minatomachi"], ["loneliness"],
     ["single_elderly"], "新聞がたまりがちで、配達時の声かけにしか反応がない"),
    ("chuo-hospital", "msw@chuo-hospital.example.jp", ["chuo", "sakuragi"], ["health", "caregivers", "hikikomori"],
     ["8050", "young_carer"], "退院後に家族の介護を担う若い世代がいるが、使える制度につながっていない"),
]  # fmt: skip


def _seed_needs(orgs: dict[str, Organization]) -> None:
    """A year of de-identified need reports from five organisations, and one gap issue raised from them."""
    import random

    from tsunagari.directory.selectors import category_terms
    from tsunagari.needs.models import AgeBand, SystemFit
    from tsunagari.needs.services import ReportData, raise_gap_issue, report_need

    rng = random.Random(2026)  # noqa: S311 (invented demo figures, the same every time)
    terms = {t.code: t for t in category_terms()}
    districts = {d.code: d for d in District.objects.all()}
    this_month = timezone.localdate().replace(day=1)
    months = []
    for back in range(12):  # this month and the eleven before it
        year, month = divmod(this_month.year * 12 + this_month.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    gap_reports = []
    for slug, email, district_codes, categories, households, text in NEED_PATTERNS:
        member = Membership.objects.get(organization=orgs[slug], user__email=email)
        for period in months:
            for code in rng.sample(district_codes, k=max(1, len(district_codes) // 2)):
                household = rng.choice(households)
                fit = (
                    SystemFit.UNREACHED
                    if household in {"8050", "young_carer"}
                    else rng.choice(list(SystemFit))
                )
                report = report_need(
                    by=member,
                    data=ReportData(
                        period=period, district_id=districts[code].pk,
                        categories=[terms[c] for c in rng.sample(categories, k=rng.randint(1, len(categories)))],
                        age_band=rng.choice([AgeBand.SEVENTIES, AgeBand.EIGHTY_PLUS, AgeBand.FIFTIES, AgeBand.MIXED]),
                        household_type=household, count=rng.randint(1, 6), system_fit=fit, description=text,
                    ),
                )  # fmt: skip
                if household == "young_carer":
                    gap_reports.append(report)
    coordinator = Membership.objects.get(organization=orgs["jimukyoku"], role=Role.COORDINATOR)
    raise_gap_issue(
        by=coordinator, title="退院後に介護を担うヤングケアラーへの支援",
        summary="病院から、退院した家族の介護を担う10代・20代がいるとの報告が続いている。介護保険・子ども支援の"
        "どちらの制度にもつながりにくい（制度のはざま）。学校・地域包括・病院で対応を検討する。",
        reports=gap_reports[:6], responsible=[orgs["chuo-hospital"], orgs["shakyo"]],
    )  # fmt: skip


def _seed_people(shakyo: Organization, *, npo: Organization) -> None:
    """A fictional household supported by the social welfare council (all details invented). 花子's case is
    referred to the NPO under her written consent for 氏名・連絡先, 住所 and 状況・困りごと only, and accepted:
    the NPO sees her phone and address and the situation, never the assessments."""
    staff = Membership.objects.get(
        organization=shakyo, role=Role.STAFF, user__email="staff@shakyo.example.jp"
    )
    hanako = register_person(
        by=staff,
        data={"name": "架空 花子", "kana": "カクウ ハナコ", "birth_date": date(1948, 3, 3), "phone": "0857-00-9999",
              "address": "架空市本町1-2-3", "district": District.objects.get(code="chuo")},
    )  # fmt: skip
    son = register_person(
        by=staff,
        data={
            "name": "架空 一郎",
            "kana": "カクウ イチロウ",
            "birth_date": date(1976, 8, 20),
            "district": hanako.district,
        },
    )
    create_household(
        by=staff,
        label="架空家",
        members=[(hanako, HouseholdMember.Relation.SELF), (son, HouseholdMember.Relation.CHILD)],
    )
    case = open_case(
        by=staff, person=hanako, risk=Case.Risk.MEDIUM,
        summary="夫を亡くしてから外出が減り、誰とも話さない日が続く。息子と二人暮らし。",
        categories=list(category_terms().filter(code__in=["loneliness", "bereavement"])),
    )  # fmt: skip
    # Baseline three months ago and a follow-up today, so the trend chart shows on the case.
    today = timezone.localdate()
    for on, answers in ((today - timedelta(days=91), (3, 3, 2)), (today, (2, 2, 1))):
        record_assessment(
            by=staff, case=case, instrument="ucla3_ja_national_survey",
            answers={f"q{i + 1}": value for i, value in enumerate(answers)}, on=on,
        )  # fmt: skip
    consent = record_consent(
        by=staff, person=hanako, recipients=[npo], info_kinds=["contact", "address", "situation"],
        method=Consent.Method.WRITTEN, purpose="よりそいネットの訪問・同行支援のため（本人に説明済み）",
        given_on=today - timedelta(days=3),
    )  # fmt: skip
    referral = send_referral(
        by=staff, case=case, to_org=npo, consent=consent,
        message="外出のきっかけづくりと、月1回の訪問をお願いしたいです。午前中なら電話に出られます。",
    )  # fmt: skip
    npo_staff = (
        Membership.objects.filter(organization=npo, role__in=[Role.STAFF, Role.ADMIN]).order_by("pk").first()
    )
    if npo_staff is not None:
        accept_referral(referral=referral, by=npo_staff)


def totp_secret(user: User) -> str | None:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    from tsunagari.crypto import decrypt_text

    return decrypt_text(authenticator.data["secret"])


def current_totp_code(email: str) -> str | None:
    user = User.objects.filter(email=email.lower()).first()
    secret = totp_secret(user) if user else None
    if secret is None:
        return None
    counter = int(timezone.now().timestamp()) // 30
    return format_hotp_value(hotp_value(secret, counter))


def print_logins(*, password: str, out: TextIO) -> None:
    out.write("\nDemo logins (all fictional). Password for every account: " + password + "\n")
    out.write(
        "Second factor: add the TOTP secret to an authenticator app, or run `uv run tsunagari demo-code EMAIL`.\n\n"
    )
    for spec_user in USERS:
        user = User.objects.filter(email=spec_user.email).first()
        secret = totp_secret(user) if user else None
        roles = ", ".join(f"{slug}:{role}" for slug, role in spec_user.roles)
        out.write(f"  {spec_user.email:<32} {roles:<38} {spec_user.note}\n")
        out.write(
            f"  {'':<32} TOTP secret: {secret}\n" if secret else f"  {'':<32} (no second factor needed)\n"
        )
