"""Links that open a banking app with the transfer filled in (VietQR deep links).

Format published by VietQR.io (https://www.vietqr.io/deeplink, read 2026):
    https://dl.vietqr.io/pay?app=<app id>&am=<amount>&tn=<content>
        &ba=<account>@<bank code>&bn=<name>
`app` is the app's id (not the bank's code); `ba` keeps its "@"; the bank code is lowercase.
Which apps fill the transfer in by themselves changes over time (VietQR.io's changelog lists
VietinBank, MB, BIDV, ACB, OCB); the others open and the citizen enters what the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

DEEPLINK_BASE = "https://dl.vietqr.io/pay"

# Common apps: (app id, the name people know). The ids icb, mb, bidv, acb are in VietQR.io's
# examples and changelog; vcb, vba, tcb, vpb follow its bank codes (UNCONFIRMED as app ids).
BANK_APPS: tuple[tuple[str, str], ...] = (
    ("vcb", "Vietcombank"),
    ("icb", "VietinBank iPay"),
    ("bidv", "BIDV SmartBanking"),
    ("vba", "Agribank E-Mobile Banking"),
    ("mb", "MB Bank"),
    ("tcb", "Techcombank"),
    ("acb", "ACB ONE"),
    ("vpb", "VPBank NEO"),
)

# The bank code of `ba` by the collecting bank's BIN (NAPAS BIN → VietQR.io bank code).
BANK_CODES: dict[str, str] = {
    "970436": "vcb",
    "970415": "icb",
    "970418": "bidv",
    "970405": "vba",
    "970422": "mb",
    "970407": "tcb",
    "970416": "acb",
    "970432": "vpb",
}


@dataclass(frozen=True)
class BankLink:
    app: str
    name: str
    url: str


def bank_app_links(
    *, bank_bin: str, account_number: str, account_name: str, amount_vnd: int, content: str
) -> list[BankLink]:
    """One link per common app; none when the collecting bank's code is not known."""
    code = BANK_CODES.get(bank_bin)
    if code is None or amount_vnd <= 0:
        return []
    query = (
        f"am={int(amount_vnd)}&tn={quote(content)}&ba={quote(account_number)}@{code}"
        f"&bn={quote(account_name)}"
    )
    return [BankLink(app, name, f"{DEEPLINK_BASE}?app={app}&{query}") for app, name in BANK_APPS]
