"""A certificate authority built inside the tests, shaped like Amazon's echo-api signing chain.

The certificates carry the extensions a Web PKI path builder demands (basic constraints, key usage,
key identifiers, serverAuth), so `cryptography.x509.verification` treats them like a real public chain.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ECHO_API_DOMAIN = "echo-api.amazon.com"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"


def new_rsa_key() -> rsa.RSAPrivateKey:
    """Generate a 2048-bit RSA key, the smallest size the Web PKI policy accepts."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cramp Check Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Issuer:
    """A CA certificate with its private key."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate


@dataclass(frozen=True)
class SigningIdentity:
    """Amazon's role in a request: the signing key, its certificate and the intermediates above it."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    intermediates: tuple[x509.Certificate, ...]

    def chain_pem(self) -> bytes:
        """Return the chain as Amazon publishes it: signing certificate first, then intermediates."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (self.cert, *self.intermediates))

    def sign(self, body: bytes, algorithm: hashes.HashAlgorithm | None = None) -> str:
        """Return the base64 RSA PKCS#1 v1.5 signature of `body` (SHA-256 unless told otherwise)."""
        signature = self.key.sign(body, padding.PKCS1v15(), algorithm or hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def headers(self, body: bytes, cert_url: str = CERT_URL) -> dict[str, str]:
        """Return the signature headers Alexa sends with `body`."""
        return {"SignatureCertChainUrl": cert_url, "Signature-256": self.sign(body)}


@dataclass(frozen=True)
class CertificateAuthority:
    """A root CA, optionally with an intermediate, that issues echo-api signing certificates."""

    root: Issuer
    intermediate: Issuer | None
    now: datetime

    @property
    def root_cert(self) -> x509.Certificate:
        """The self-signed root a verifier must trust."""
        return self.root.cert

    def issue_signing_identity(
        self,
        *,
        dns_names: Sequence[str] = (ECHO_API_DOMAIN,),
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> SigningIdentity:
        """Issue a signing certificate for `dns_names`, valid from a month before `now` by default."""
        issuer = self.intermediate or self.root
        key = key or new_rsa_key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(ECHO_API_DOMAIN))
            .issuer_name(issuer.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or self.now - timedelta(days=30))
            .not_valid_after(not_after or self.now + timedelta(days=300))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_leaf_key_usage(), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
            )
        )
        if dns_names:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(name) for name in dns_names]), critical=False
            )
        cert = builder.sign(issuer.key, hashes.SHA256())
        intermediates = (self.intermediate.cert,) if self.intermediate else ()
        return SigningIdentity(key=key, cert=cert, intermediates=intermediates)


def build_ca(
    now: datetime, *, with_intermediate: bool = True, name: str = "Test Root CA"
) -> CertificateAuthority:
    """Build a root CA valid ten years around `now`, plus an intermediate CA if asked."""
    root_key = new_rsa_key()
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=365))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    root = Issuer(key=root_key, cert=root_cert)
    intermediate = None
    if with_intermediate:
        intermediate_key = new_rsa_key()
        intermediate_cert = (
            x509.CertificateBuilder()
            .subject_name(_name(f"{name} Intermediate"))
            .issuer_name(root_cert.subject)
            .public_key(intermediate_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=180))
            .not_valid_after(now + timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(intermediate_key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
            )
            .sign(root_key, hashes.SHA256())
        )
        intermediate = Issuer(key=intermediate_key, cert=intermediate_cert)
    return CertificateAuthority(root=root, intermediate=intermediate, now=now)
