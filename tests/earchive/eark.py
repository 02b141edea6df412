"""The E-ARK validator (eark-validator, from PyPI) run offline.

eark-validator 1.1.3 bundles the METS/CSIP schemas, the CSIP and SIP 2.1.0 Schematron rules
and the DILCIS vocabularies, but at import time it reads four of those vocabularies from
earkcsip.dilcis.eu with `urllib.request.urlopen`. Tests have no network, so before the first
import we install a urllib opener that answers exactly those addresses from the files the
package ships (`eark_validator/ipxml/resources/vocabs/`) and refuses every other address,
so a validator that tried to fetch anything else would fail loudly, not pass quietly.
"""

from __future__ import annotations

import email.message
import io
import urllib.request
from importlib import resources
from pathlib import Path

VOCABULARY_BASE = "https://earkcsip.dilcis.eu/schema/"


class BundledVocabularies(urllib.request.BaseHandler):
    handler_order = 100  # before the default HTTP(S) handlers

    def https_open(self, request: urllib.request.Request):
        url = request.full_url
        if not url.startswith(VOCABULARY_BASE):
            raise urllib.error.URLError(f"No network in tests: {url}")
        name = url.removeprefix(VOCABULARY_BASE)
        data = resources.files("eark_validator.ipxml.resources.vocabs").joinpath(name).read_bytes()
        headers = email.message.Message()
        headers["Content-Type"] = "application/xml"
        response = urllib.response.addinfourl(io.BytesIO(data), headers, url, 200)
        response.msg = "OK"
        return response

    http_open = https_open


def _offline_validator():
    opener = urllib.request.build_opener(BundledVocabularies())
    previous = urllib.request._opener
    urllib.request.install_opener(opener)
    try:
        from eark_validator import packages
    finally:
        urllib.request.install_opener(previous)
    return packages


def validate(path: Path, *, unpack_root: Path):
    """The validator's report (`ValidationReport`) for a package folder or archive; an
    archive is unpacked under `unpack_root` (the validator's default is /tmp, left behind)."""
    packages = _offline_validator()
    from eark_validator.infopacks.package_handler import PackageHandler
    from eark_validator.specifications.specification import SpecificationVersion

    packages.PackageValidator._package_handler = PackageHandler(unpack_root=unpack_root)
    return packages.PackageValidator(Path(path), SpecificationVersion.V2_1_0).validation_report
