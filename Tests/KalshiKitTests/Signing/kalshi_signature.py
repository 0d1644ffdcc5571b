#!/usr/bin/env python3
"""An independent implementation of Kalshi request signing, with PyPI `cryptography`, as Kalshi's
own Python examples do it: RSA-PSS, SHA-256, MGF1-SHA-256, salt length = digest length, over
`timestamp + METHOD + path`.

Usage:
  kalshi_signature.py sign PRIVATE_KEY.pem TIMESTAMP METHOD PATH        -> prints the base64 signature
  kalshi_signature.py verify PUBLIC_KEY.pem TIMESTAMP METHOD PATH SIG   -> prints OK, exit 0; else BAD, exit 1

Exit 2 (and MISSING PACKAGE) when `cryptography` is not installed.
"""
import base64
import sys

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
except ImportError as e:
    print(f"MISSING PACKAGE: {e} (pip install cryptography)")
    sys.exit(2)


def pss():
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def main(argv):
    if len(argv) < 6:
        print(__doc__)
        return 2
    mode, key_path, timestamp, method, path = argv[1:6]
    message = (timestamp + method.upper() + path).encode("utf-8")
    with open(key_path, "rb") as f:
        pem = f.read()
    if mode == "sign":
        key = serialization.load_pem_private_key(pem, password=None)
        print(base64.b64encode(key.sign(message, pss(), hashes.SHA256())).decode("ascii"))
        return 0
    if mode == "verify":
        key = serialization.load_pem_public_key(pem)
        try:
            key.verify(base64.b64decode(argv[6]), message, pss(), hashes.SHA256())
        except InvalidSignature:
            print("BAD")
            return 1
        print("OK")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
