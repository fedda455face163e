"""Settings of the links to the national systems and of the payment gateways, read from the
environment (docs/NATIONAL.md, docs/PRODUCTION.md); portal/settings.py imports them all."""

from __future__ import annotations

import warnings

from django.core.exceptions import ImproperlyConfigured

from portal.env import envbool, envint, envstr

# --- The National Public Service Portal (DVCQG): dossier synchronisation ---------------------
# docs/NATIONAL.md. Empty DVCQG_URL: off (nothing is queued, nothing is sent).
DVCQG_URL = envstr("DVCQG_URL", "").rstrip("/")
DVCQG_AUTH_PATH = envstr("DVCQG_AUTH_PATH", "/api/auth")
DVCQG_INTEGRATION_PATH = envstr("DVCQG_INTEGRATION_PATH", "/api/integration")
DVCQG_SHARE_PATH = envstr("DVCQG_SHARE_PATH", "/api/share")
DVCQG_USERNAME = envstr("DVCQG_USERNAME", "")
DVCQG_PASSWORD = envstr("DVCQG_PASSWORD", "")
DVCQG_MADONVI = envstr("DVCQG_MADONVI", "")
DVCQG_DSTCODE = envstr("DVCQG_DSTCODE", "")
DVCQG_TRANSPORT = envstr("DVCQG_TRANSPORT", "envelope")  # envelope | bare
# The bare style (a provincial adapter in front): one URL per operation, JSON arrays.
DVCQG_BARE_CREATE_URL = envstr("DVCQG_BARE_CREATE_URL", "")
DVCQG_BARE_UPDATE_URL = envstr("DVCQG_BARE_UPDATE_URL", "")
DVCQG_BARE_PROGRESS_URL = envstr("DVCQG_BARE_PROGRESS_URL", "")
DVCQG_BARE_LOOKUP_URL = envstr("DVCQG_BARE_LOOKUP_URL", "")
DVCQG_TIMEOUT = float(envstr("DVCQG_TIMEOUT", "6"))  # read timeout, seconds
DVCQG_SESSION_TTL = envint("DVCQG_SESSION_TTL", 240)  # a session is reused this long (s)
DVCQG_MAX_ATTEMPTS = envint("DVCQG_MAX_ATTEMPTS", 8)
DVCQG_RETRY_BACKOFF = float(envstr("DVCQG_RETRY_BACKOFF", "60"))
DVCQG_RETRY_BACKOFF_MAX = float(envstr("DVCQG_RETRY_BACKOFF_MAX", "3600"))
# A row still "sending" this long after its send began was left by a lost worker.
DVCQG_STUCK_AFTER = envint("DVCQG_STUCK_AFTER", 120)
# The links in TaiLieuNop / DanhSachGiayToKetQua stay valid this many days.
DVCQG_FILE_LINK_DAYS = envint("DVCQG_FILE_LINK_DAYS", 30)
# A function dossier -> "0".."3" (DuocThanhToanTrucTuyen), by dotted path (dvcqg does not
# import payments, which sits above it). The default reads how the fee was really paid: "1"
# the national payment platform, "2" the province's gateway or a transfer, "3" not online.
# Set to "" for dvcqg's own guess ("3" nothing owed or paid at the counter, else "0").
DVCQG_PAYMENT_CHANNEL = envstr("DVCQG_PAYMENT_CHANNEL", "payments.selectors.dvcqg_payment_channel")

# --- The national sign-in: DVCQG's OpenID Connect provider, which offers VNeID -------------
# (citizens.national; docs/NATIONAL.md). Off while the client id is empty: no button is shown
# and the sign-in URLs answer "not configured". With a discovery URL the endpoints come from
# the provider's metadata; an endpoint set here wins over the discovered one. Without
# discovery, the authorize, token and userinfo URLs, the JWKS URL (the ID token's signature)
# and the issuer are needed. Register SITE_URL/tai-khoan/dang-nhap-quoc-gia/ve/ as the
# redirect URI and SITE_URL/ as the post-logout redirect URI with the provider.
NATIONAL_OIDC_CLIENT_ID = envstr("NATIONAL_OIDC_CLIENT_ID")
NATIONAL_OIDC_CLIENT_SECRET = envstr("NATIONAL_OIDC_CLIENT_SECRET")
NATIONAL_OIDC_DISCOVERY_URL = envstr("NATIONAL_OIDC_DISCOVERY_URL")
NATIONAL_OIDC_ISSUER = envstr("NATIONAL_OIDC_ISSUER")
NATIONAL_OIDC_AUTHORIZE_URL = envstr("NATIONAL_OIDC_AUTHORIZE_URL")
NATIONAL_OIDC_TOKEN_URL = envstr("NATIONAL_OIDC_TOKEN_URL")
NATIONAL_OIDC_USERINFO_URL = envstr("NATIONAL_OIDC_USERINFO_URL")
NATIONAL_OIDC_JWKS_URL = envstr("NATIONAL_OIDC_JWKS_URL")
NATIONAL_OIDC_END_SESSION_URL = envstr("NATIONAL_OIDC_END_SESSION_URL")
NATIONAL_OIDC_SCOPE = envstr("NATIONAL_OIDC_SCOPE", "openid")
NATIONAL_OIDC_ACR_VALUES = envstr("NATIONAL_OIDC_ACR_VALUES", "LoA1")
# How the client authenticates at the token endpoint: client_secret_post (the secret in the
# form body, as the national provider is used in production) or client_secret_basic.
NATIONAL_OIDC_TOKEN_AUTH = envstr("NATIONAL_OIDC_TOKEN_AUTH", "client_secret_post")
# PKCE (S256) on top of the client secret; 0 for a provider that refuses the extra parameters.
NATIONAL_OIDC_PKCE = envbool("NATIONAL_OIDC_PKCE", True)
NATIONAL_OIDC_TIMEOUT = envint("NATIONAL_OIDC_TIMEOUT", 10)  # seconds per call to the provider
# The identity level (IAL / loAs claims) from which a sign-in counts as verified by VNeID.
NATIONAL_OIDC_VERIFIED_MIN_LEVEL = envint("NATIONAL_OIDC_VERIFIED_MIN_LEVEL", 1)

# --- Payment gateways: VNPay (payments.gateways.vnpay) and the national platform ------------
# Online payment is offered only when the merchant code and secret are set. The IPN URL is
# registered with VNPay: SITE_URL + /thanh-toan/vnpay/ipn/.
VNPAY_TMN_CODE = envstr("VNPAY_TMN_CODE")
VNPAY_HASH_SECRET = envstr("VNPAY_HASH_SECRET")
VNPAY_PAYMENT_URL = envstr(
    "VNPAY_PAYMENT_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
)
VNPAY_EXPIRE_MINUTES = envint("VNPAY_EXPIRE_MINUTES", 15)
# The national payment platform of the National Public Service Portal (payments.gateways.
# national, message version 1.0.6): offered only when the URL, the partner code (MaDoiTac) and
# the shared secret are set. Its CONFIRM callback is SITE_URL + /thanh-toan/national/ipn/.
NATIONAL_PAY_URL = envstr("NATIONAL_PAY_URL")
NATIONAL_PAY_PARTNER_CODE = envstr("NATIONAL_PAY_PARTNER_CODE")
NATIONAL_PAY_SECRET = envstr("NATIONAL_PAY_SECRET")
# The collecting account printed on the platform's receipt (TKThuHuong, MaNHThuHuong,
# TenTKThuHuong).
NATIONAL_PAY_BENEFICIARY_ACCOUNT = envstr("NATIONAL_PAY_BENEFICIARY_ACCOUNT")
NATIONAL_PAY_BENEFICIARY_BANK = envstr("NATIONAL_PAY_BENEFICIARY_BANK")
NATIONAL_PAY_BENEFICIARY_NAME = envstr("NATIONAL_PAY_BENEFICIARY_NAME")
# MaKenhThanhToan and MaThietBi of INIT, as agreed with the platform.
NATIONAL_PAY_CHANNEL = envstr("NATIONAL_PAY_CHANNEL", "1")
NATIONAL_PAY_DEVICE = envstr("NATIONAL_PAY_DEVICE", "1")
NATIONAL_PAY_TIMEOUT = envint("NATIONAL_PAY_TIMEOUT", 10)

# --- Signed documents (signing/): PAdES signatures with pyHanko ---------------------------
# PDF_SIGNING_BACKEND: "" (off: documents are served unsigned), "pkcs12" (the agency's certificate
# in a PKCS#12 file) or "remote" (a service that signs a hash: national eSign, SmartCA, MySign).
PDF_SIGNING_BACKEND = envstr("PDF_SIGNING_BACKEND")
PDF_SIGNING_PKCS12_PATH = envstr("PDF_SIGNING_PKCS12_PATH")
PDF_SIGNING_PKCS12_PASSPHRASE = envstr("PDF_SIGNING_PKCS12_PASSPHRASE")
# The remote service: a class implementing signing.remote.HashSigningService (the default
# speaks the small JSON protocol of docs/NATIONAL.md; a vendor adapter replaces it).
PDF_SIGNING_REMOTE_SERVICE = envstr(
    "PDF_SIGNING_REMOTE_SERVICE", "signing.remote.HttpHashSigningService"
)
PDF_SIGNING_REMOTE_URL = envstr("PDF_SIGNING_REMOTE_URL")
PDF_SIGNING_REMOTE_TOKEN = envstr("PDF_SIGNING_REMOTE_TOKEN")
PDF_SIGNING_REMOTE_TIMEOUT = envint("PDF_SIGNING_REMOTE_TIMEOUT", 30)
# A directory of CA certificates (PEM or DER) that the signature check trusts; empty: none is
# trusted, and an intact signature is reported as "not trusted".
PDF_SIGNING_TRUST_ROOTS = envstr("PDF_SIGNING_TRUST_ROOTS")
# pyHanko still imports cryptography's DSA type (deprecated there); it signs with RSA here.
warnings.filterwarnings("ignore", message="DSA is deprecated")
if PDF_SIGNING_BACKEND not in {"", "pkcs12", "remote"}:
    raise ImproperlyConfigured("PDF_SIGNING_BACKEND must be empty, 'pkcs12' or 'remote'.")
