"""Throw-away certificates: a self-signed CA and an agency certificate it issues, as PKCS#12.

For the demo (`manage.py signing_demo_cert`) and the tests only. A real agency's certificate
comes from a licensed certification authority (the Government's CA for state agencies); it is
never made here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Issued:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(**allowed: bool) -> x509.KeyUsage:
    """KeyUsage with the `allowed` uses on and every other one off."""
    uses = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{use: allowed.get(use, False) for use in uses})


def _builder(
    *, subject: x509.Name, issuer: x509.Name, key: rsa.RSAPrivateKey, days: int
) -> x509.CertificateBuilder:
    """A certificate of `key` for `subject`, valid from yesterday for `days`."""
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
    )


def ca_make(*, common_name: str, organisation: str, days: int = 3650) -> Issued:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _name(common_name, organisation)
    cert = (
        _builder(subject=name, issuer=name, key=key, days=days)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def signer_issue(ca: Issued, *, common_name: str, organisation: str, days: int = 1095) -> Issued:
    """A document-signing certificate issued by `ca`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = _name(common_name, organisation)
    cert = (
        _builder(subject=subject, issuer=ca.cert.subject, key=key, days=days)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(key, cert)


def pkcs12_bytes(holder: Issued, *, chain: list[Issued], passphrase: str) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name=b"motcua-signing",
        key=holder.key,
        cert=holder.cert,
        cas=[c.cert for c in chain],
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )
