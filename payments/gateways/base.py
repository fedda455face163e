"""The interface every online payment gateway implements (VNPay today; others can be added).

A gateway is a redirect-and-notify protocol:
1. `redirect_url(...)`: where to send the citizen's browser, with the signed order;
2. the gateway calls our notification URL server to server (IPN): `notification_read(...)`
   checks the signature and says what was paid; our answer is `notification_answer(...)`;
3. the gateway sends the browser back to our return URL: `notification_read(...)` again (the
   return is only shown to the citizen; the IPN is what changes data).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class Answer(Enum):
    """What our notification endpoint tells the gateway (mapped to its codes by each one)."""

    CONFIRMED = "confirmed"  # recorded now
    ORDER_NOT_FOUND = "order_not_found"
    ALREADY_CONFIRMED = "already_confirmed"  # a replay: nothing changed
    INVALID_AMOUNT = "invalid_amount"
    INVALID_SIGNATURE = "invalid_signature"
    UNKNOWN_ERROR = "unknown_error"  # missing data or our own failure


@dataclass(frozen=True)
class Order:
    txn_ref: str
    amount_vnd: int
    description: str  # ASCII, no diacritics (gateways refuse them)
    return_url: str
    client_ip: str
    created_at: datetime
    locale: str = "vn"
    # What a gateway prints on its own receipt (the national platform's ThongTinBienLai).
    receipt: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    """A verified message from the gateway (IPN or return)."""

    txn_ref: str
    amount_vnd: int
    success: bool
    response_code: str
    transaction_no: str = ""
    bank_code: str = ""
    params: dict[str, str] = field(default_factory=dict)


class GatewayError(Exception):
    """The message could not be read: `answer` says how to tell the gateway."""

    def __init__(self, answer: Answer, message: str = "") -> None:
        super().__init__(message or answer.value)
        self.answer = answer


class PaymentGateway(ABC):
    name: str
    label: str

    @abstractmethod
    def redirect_url(self, order: Order) -> str:
        """The gateway's payment page for `order`, signed."""

    @abstractmethod
    def notification_read(self, params: Mapping[str, str]) -> Notification:
        """Verify and read an IPN or a return; raise GatewayError when it cannot be trusted."""

    @abstractmethod
    def notification_answer(
        self, answer: Answer, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The body our IPN endpoint returns for `answer` (to the notification `params`)."""
