"""Who is in the demo practice: three professionals in three countries and their clients.

Telegram user ids of demo people sit in a fixed range nobody real has, so the offline
demo can play any of them: professionals 900000001-900000099, everyone else
900000101-900000999.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from core.models import PaymentType, PixKeyType, Plan, Profession

DEMO_USER_IDS = range(900_000_001, 900_001_000)
DEMO_PROFESSIONAL_USER_IDS = range(900_000_001, 900_000_100)
DEMO_CLIENT_USER_IDS = range(900_000_101, 900_001_000)

# Every demo row's primary key is uuid5(DEMO_NAMESPACE, "<kind>:<key>"): re-seeding finds it.
DEMO_NAMESPACE = uuid.UUID("5b0c4a1e-6f1d-4f43-9d0a-0b00c0de5eed")


def demo_uuid(kind: str, key: str) -> uuid.UUID:
    """The fixed id of one demo row."""
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}")


@dataclass(frozen=True)
class DemoClient:
    name: str
    user_id: int | None  # None: added by hand, linked when they open `invite_token`
    locale: str
    timezone: str
    phone: str | None = None
    invite_token: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class DemoProfessional:
    slug: str
    user_id: int
    name: str
    profession: Profession
    timezone: str
    locale: str
    currency: str
    price_cents: int
    session_minutes: int
    bio: str
    welcome_message: str
    # (weekday 0=Sunday, start, end) in local wall time
    windows: tuple[tuple[int, time, time], ...]
    # Local start times used by the demo sessions, all distinct so none overlap.
    hours: tuple[time, ...]
    clients: tuple[DemoClient, ...]
    texts: dict[str, str]
    # Further columns of the professional's row (plan, payment, Pix key...).
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> uuid.UUID:
        return demo_uuid("professional", self.slug)

    @property
    def workdays(self) -> frozenset[int]:
        return frozenset(day for day, _start, _end in self.windows)


def _weekdays(days: range, *spans: tuple[time, time]) -> tuple[tuple[int, time, time], ...]:
    return tuple((day, start, end) for day in days for start, end in spans)


ANA = DemoProfessional(
    slug="dra-ana-souza",
    user_id=900_000_001,
    name="Dra. Ana Souza",
    profession=Profession.psychologist,
    timezone="America/Sao_Paulo",
    locale="pt_BR",
    currency="BRL",
    price_cents=20_000,
    session_minutes=50,
    bio="Psicóloga clínica (CRP 06/123456), terapia cognitivo-comportamental para adultos. "
    "Atendimento online e presencial em Pinheiros.",
    welcome_message="Olá! Que bom ter você aqui. Escolha um horário e eu confirmo em breve.",
    windows=_weekdays(range(1, 6), (time(9), time(12)), (time(14), time(19))),
    hours=tuple(time(h) for h in (9, 10, 11, 14, 15, 16, 17, 18)),
    clients=(
        DemoClient(
            "Bruno Lima",
            900_000_101,
            "pt_BR",
            "America/Sao_Paulo",
            "+5511987654321",
            note="Ansiedade no trabalho; prefere sessões no fim da tarde.",
        ),
        DemoClient(
            "Carla Mendes",
            900_000_102,
            "pt_BR",
            "America/Sao_Paulo",
            note="Retomou a terapia em setembro. Acompanhar rotina de sono.",
        ),
        DemoClient("Rafael Costa", 900_000_103, "pt_BR", "Europe/Lisbon"),
        DemoClient(
            "Diego Alves",
            None,
            "pt_BR",
            "America/Sao_Paulo",
            "+5511912345678",
            invite_token="demo-invite-dra-ana-souza-diego",
        ),
    ),
    texts={
        "cancel_reason": "Imprevisto no trabalho, preciso remarcar.",
        "decline_reason": "Esse horário ficou indisponível, desculpe.",
        "review": "A Dra. Ana é atenciosa e pontual. Recomendo muito!",
        "msg_client_1": "Oi, Dra. Ana! Posso levar o resultado dos exames na próxima sessão?",
        "msg_pro": "Claro, Bruno. Traga sim, olhamos juntos.",
        "msg_client_2": "Combinado, obrigado! Até quinta.",
        "time_off": "Congresso de psicologia",
    },
    settings={
        "plan": Plan.pro,
        "payment_type": PaymentType.after_session,
        "pix_key_type": PixKeyType.email,
        "pix_key": "ana.souza@example.com",
        "morning_agenda_hour": 8,
    },
)

JAVIER = DemoProfessional(
    slug="javier-moreno-entrenador",
    user_id=900_000_002,
    name="Javier Moreno",
    profession=Profession.personal_trainer,
    timezone="Europe/Madrid",
    locale="es",
    currency="EUR",
    price_cents=4_500,
    session_minutes=60,
    bio="Entrenador personal titulado (CAFyD). Fuerza, movilidad y readaptación de lesiones "
    "en el Retiro o en tu gimnasio.",
    welcome_message="¡Hola! Reserva tu sesión y nos vemos en el parque.",
    windows=_weekdays(range(1, 7), (time(7), time(11)), (time(17), time(21))),
    hours=tuple(time(h) for h in (7, 8, 9, 10, 17, 18, 19, 20)),
    clients=(
        DemoClient(
            "Lucía García",
            900_000_111,
            "es",
            "Europe/Madrid",
            "+34612345678",
            note="Rodilla derecha operada en 2024: nada de saltos todavía.",
        ),
        DemoClient(
            "Pablo Ruiz",
            900_000_112,
            "es",
            "Europe/Madrid",
            note="Objetivo: media maratón en primavera.",
        ),
        DemoClient("Sophie Martin", 900_000_113, "en", "Europe/Madrid"),
        DemoClient(
            "Marta Jiménez",
            None,
            "es",
            "Europe/Madrid",
            "+34698765432",
            invite_token="demo-invite-javier-moreno-marta",
        ),
    ),
    texts={
        "cancel_reason": "Tengo fiebre, lo siento.",
        "decline_reason": "Ese día estoy en una competición.",
        "review": "Javier sabe motivar y adapta cada ejercicio. ¡Genial!",
        "msg_client_1": "Hola Javier, ¿traigo esterilla mañana?",
        "msg_pro": "No hace falta, llevo yo todo el material.",
        "msg_client_2": "¡Perfecto, gracias! Nos vemos.",
        "time_off": "Vacaciones",
    },
    settings={"payment_type": PaymentType.none, "buffer_minutes": 0},
)

EMILY = DemoProfessional(
    slug="emily-carter-nutrition",
    user_id=900_000_003,
    name="Emily Carter, RD",
    profession=Profession.nutritionist,
    timezone="America/New_York",
    locale="en",
    currency="USD",
    price_cents=9_500,
    session_minutes=45,
    bio="Registered dietitian helping busy professionals eat well without strict diets. "
    "Video sessions from Brooklyn.",
    welcome_message="Hi! Pick a time that suits you and I'll confirm shortly.",
    windows=_weekdays(range(1, 5), (time(8), time(16))),
    hours=tuple(
        time(h, m)
        for h, m in ((8, 0), (9, 0), (10, 0), (11, 0), (12, 30), (13, 30), (14, 30), (15, 0))
    ),
    clients=(
        DemoClient(
            "Michael Brown",
            900_000_121,
            "en",
            "America/New_York",
            "+12125550142",
            note="Prediabetic; tracking breakfast carbs.",
        ),
        DemoClient(
            "Sarah Johnson",
            900_000_122,
            "en",
            "America/Chicago",
            note="Vegetarian, training for a triathlon.",
        ),
        # A client of two demo professionals: one person, one language, two practices.
        DemoClient("Bruno Lima", 900_000_101, "pt_BR", "America/Sao_Paulo"),
        DemoClient(
            "David Kim",
            None,
            "en",
            "America/New_York",
            "+13475550199",
            invite_token="demo-invite-emily-carter-david",
        ),
    ),
    texts={
        "cancel_reason": "Work trip came up, sorry!",
        "decline_reason": "I'm fully booked that morning.",
        "review": "Practical advice that actually fits my schedule. Thank you, Emily!",
        "msg_client_1": "Hi Emily, should I log my meals before our session?",
        "msg_pro": "Yes please, three days is enough.",
        "msg_client_2": "Will do, thanks!",
        "time_off": "Conference in Chicago",
    },
    settings={"payment_type": PaymentType.none, "min_notice_minutes": 720},
)

DEMO_PROFESSIONALS: tuple[DemoProfessional, ...] = (ANA, JAVIER, EMILY)
DEMO_PROFESSIONAL_IDS: tuple[uuid.UUID, ...] = tuple(p.id for p in DEMO_PROFESSIONALS)
DEMO_SLUGS: tuple[str, ...] = tuple(p.slug for p in DEMO_PROFESSIONALS)
# Someone who follows a professional without being a client yet.
DEMO_FOLLOWER = DemoClient("Olivia Santos", 900_000_131, "en", "America/Sao_Paulo")
