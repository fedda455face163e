"""Demo collection accounts (seed_demo): clearly fake, marked as demo on every page.

The district desk collects on the district's account; each commune has its own. BIN 970405
is a real NAPAS bank code (Agribank) so that bank apps read the QR, but the account numbers
start with 0000 and belong to nobody.
"""

from __future__ import annotations

from django.db import transaction

from payments.models import PaymentAccount
from payments.vietqr import ascii_text
from procedures.models import Unit

DEMO_BIN = "970405"
DEMO_BANK = "Agribank (tài khoản minh họa)"


@transaction.atomic
def payment_accounts_seed() -> int:
    """Create the missing demo accounts; return how many were created (0 the second time)."""
    created = 0
    targets = list(Unit.objects.filter(kind=Unit.Kind.DISTRICT)) + list(
        Unit.objects.filter(kind=Unit.Kind.COMMUNE).exclude(e_id=None)
    )
    for unit in targets:
        digits = "".join(ch for ch in (unit.stat_code or unit.code) if ch.isdigit())
        _account, made = PaymentAccount.objects.get_or_create(
            unit=unit,
            defaults={
                "bank_bin": DEMO_BIN,
                "bank_name": DEMO_BANK,
                "account_number": f"0000{digits.zfill(5)}0001",
                "account_name": ascii_text(f"DEMO {unit.name}").upper()[:70],
                "is_demo": True,
            },
        )
        created += int(made)
    return created
