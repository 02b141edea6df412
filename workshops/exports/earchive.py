"""The e-archive package: an E-ARK SIP 2.1 (CSIP 2.1), as Riksarkivet's FGS Paketstruktur 2.0
adopts it, holding a workshop's or a challenge's records for an e-archive.

Pure like the renderers: a snapshot and the records metadata in, the bytes of one TAR file
out. The package is one root folder named after the package id (CSIPSTR1, CSIPSTR2):

    <package id>/
      METS.xml                              the package: agents, dates, identifiers, files
      metadata/descriptive/dc.xml           Dublin Core: title, organisation, dates, numbers
      metadata/preservation/premis.xml      PREMIS 3: objects with fixity, events, agents,
                                            and the retention decision as a rights statement
      schemas/labb-archive-schema.json      the JSON schema of the archive file
      documentation/README.txt              what the package holds, in plain words
      representations/rep1/
        METS.xml                            the representation's own files
        metadata/preservation/premis.xml    fixity and format of the data files
        data/<name>.json  .pdf  .csv        archive file, report, notes

Every file is listed in a METS fileSec (or as a METS mdRef) with its SHA-256 checksum, size,
MIME type and creation time. docs/records.md says how the metadata maps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import tarfile
import uuid
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from workshops.exports.archive import SCHEMA_PATH, render_archive
from workshops.exports.render.pdf import render_pdf
from workshops.exports.render.spreadsheet import render_csv_table, tables
from workshops.exports.snapshot import ChallengeSnapshot, WorkshopSnapshot

METS_NS = "http://www.loc.gov/METS/"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP_NS = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PREMIS_NS = "http://www.loc.gov/premis/v3"
DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"

SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
METS_SCHEMA = "http://www.loc.gov/standards/mets/mets.xsd"
CONTENT_INFORMATION_TYPE = "Labb workshop records (labb-archive version 1)"
SOFTWARE_NAME = "Labb"
SOFTWARE_VERSION = "0.1.0"
REPRESENTATION = "rep1"

MIME_TYPES = {
    "json": "application/json",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "xml": "text/xml",
    "txt": "text/plain",
}
FORMAT_NAMES = {
    "json": "JSON (labb-archive, version 1)",
    "pdf": "PDF/A-2b",
    "csv": "CSV (UTF-8 with BOM, RFC 4180)",
}


@dataclass(frozen=True)
class RetentionDecision:
    """The gallringsbeslut: keep for ever, or dispose of after `dispose_after`."""

    keep: bool
    dispose_after: dt.date | None

    def describe(self) -> str:
        if self.keep:
            return _("Keep (bevaras): exempt from disposal.")
        if self.dispose_after:
            return _("Dispose of (gallras) after %(date)s.") % {
                "date": self.dispose_after.isoformat()
            }
        return _("No retention decision was recorded in Labb.")


@dataclass(frozen=True)
class RecordsInfo:
    """What the registry knows about the records, besides the snapshot."""

    package_id: str
    organisation: str
    registration_number: str
    classification: str
    retention: RetentionDecision
    start_date: dt.date
    end_date: dt.date
    contact_name: str = ""
    created_at: dt.datetime = field(default_factory=timezone.now)


def new_package_id() -> str:
    return f"uuid-{uuid.uuid4()}"


@dataclass
class _File:
    path: str  # relative to the package root
    data: bytes
    mime: str
    id: str = field(default_factory=lambda: f"ID{uuid.uuid4().hex}")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest().upper()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[-1]


# Characters XML 1.0 cannot hold (C0 controls but tab, CR, LF; U+FFFE/FFFF). Labb's text
# policy keeps them out of what people type, but not out of every field (a user's name).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _safe(value: str) -> str:
    return _NOT_XML.sub("", value)


def _id() -> str:
    return f"ID{uuid.uuid4().hex}"


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _subject_title(snapshot: WorkshopSnapshot | ChallengeSnapshot) -> str:
    if isinstance(snapshot, WorkshopSnapshot):
        return snapshot.title
    return snapshot.question


def data_files(
    snapshot: WorkshopSnapshot | ChallengeSnapshot, stem: str
) -> list[tuple[str, bytes]]:
    """The representation's data: the archive file, the report, and the notes, themes and
    next steps as one CSV file each (the spreadsheet export's tables)."""
    return [
        (f"{stem}.json", render_archive(snapshot)),
        (f"{stem}-report.pdf", render_pdf(snapshot)),
        *(
            (f"{stem}-{table.key.replace('_', '-')}.csv", render_csv_table(table))
            for table in tables(snapshot)
        ),
    ]


def render_earchive(
    snapshot: WorkshopSnapshot | ChallengeSnapshot, *, records: RecordsInfo, stem: str = "labb"
) -> bytes:
    """The package as an uncompressed POSIX TAR file of one root folder."""
    created = records.created_at
    rep = f"representations/{REPRESENTATION}"
    data = [
        _File(f"{rep}/data/{name}", content, MIME_TYPES[name.rsplit(".", 1)[-1]])
        for name, content in data_files(snapshot, stem)
    ]
    rep_premis = _File(
        f"{rep}/metadata/preservation/premis.xml",
        _premis(records, data, base=f"{rep}/", with_rights=False),
        "text/xml",
    )
    rep_mets = _File(
        f"{rep}/METS.xml",
        _representation_mets(snapshot, records, data, rep_premis, base=f"{rep}/"),
        "text/xml",
    )
    schema = _File("schemas/labb-archive-schema.json", SCHEMA_PATH.read_bytes(), "application/json")
    readme = _File("documentation/README.txt", _readme(snapshot, records).encode(), "text/plain")
    descriptive = _File("metadata/descriptive/dc.xml", _dublin_core(snapshot, records), "text/xml")
    premis = _File(
        "metadata/preservation/premis.xml",
        _premis(records, [*data, rep_mets, schema, readme], base="", with_rights=True),
        "text/xml",
    )
    mets = _root_mets(snapshot, records, descriptive, premis, schema, readme, rep_mets)

    files = [descriptive, premis, schema, readme, *data, rep_premis, rep_mets]
    buffer = io.BytesIO()
    mtime = int(created.timestamp())
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        folders = {records.package_id}
        for item in files:
            parts = item.path.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                folders.add("/".join([records.package_id, *parts[:depth]]))
        for folder in sorted(folders):
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            info.mtime = mtime
            tar.addfile(info)
        for path, content in [("METS.xml", mets)] + [(f.path, f.data) for f in files]:
            info = tarfile.TarInfo(f"{records.package_id}/{path}")
            info.size = len(content)
            info.mode = 0o644
            info.mtime = mtime
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _mets_root(snapshot, records: RecordsInfo, *, objid: str, label: str) -> etree._Element:
    nsmap = {
        "mets": METS_NS,
        "csip": CSIP_NS,
        "sip": SIP_NS,
        "xlink": XLINK_NS,
        "xsi": XSI_NS,
    }
    root = etree.Element(f"{{{METS_NS}}}mets", nsmap=nsmap)
    root.set("OBJID", objid)
    root.set("LABEL", _safe(label))
    root.set("TYPE", "Mixed")
    root.set(f"{{{CSIP_NS}}}CONTENTINFORMATIONTYPE", "OTHER")
    root.set(f"{{{CSIP_NS}}}OTHERCONTENTINFORMATIONTYPE", CONTENT_INFORMATION_TYPE)
    root.set("PROFILE", SIP_PROFILE)
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{METS_NS} {METS_SCHEMA}")
    header = etree.SubElement(root, f"{{{METS_NS}}}metsHdr")
    header.set("CREATEDATE", _stamp(records.created_at))
    header.set("LASTMODDATE", _stamp(records.created_at))
    header.set("RECORDSTATUS", "NEW")
    header.set(f"{{{CSIP_NS}}}OAISPACKAGETYPE", "SIP")
    software = _agent(header, role="CREATOR", type_="OTHER", name=SOFTWARE_NAME)
    software.set("OTHERTYPE", "SOFTWARE")
    note = etree.SubElement(software, f"{{{METS_NS}}}note")
    note.text = SOFTWARE_VERSION
    note.set(f"{{{CSIP_NS}}}NOTETYPE", "SOFTWARE VERSION")
    # The archival creator (arkivbildare) and the submitting organisation are the same
    # organisation: Labb records are the organisation's own.
    _agent(header, role="ARCHIVIST", type_="ORGANIZATION", name=records.organisation)
    _agent(header, role="OTHER", type_="ORGANIZATION", name=records.organisation).set(
        "OTHERROLE", "SUBMITTER"
    )
    if records.contact_name:
        _agent(header, role="OTHER", type_="INDIVIDUAL", name=records.contact_name).set(
            "OTHERROLE", "CONTACT"
        )
    if records.classification:
        _alt_record(header, "REFERENCECODE", records.classification)
    if records.registration_number:
        _alt_record(header, "REGISTRATIONNUMBER", records.registration_number)
    _alt_record(header, "STARTDATE", records.start_date.isoformat())
    _alt_record(header, "ENDDATE", records.end_date.isoformat())
    _alt_record(header, "APPRAISAL", "No" if records.retention.keep else "Yes")
    if records.retention.dispose_after and not records.retention.keep:
        _alt_record(header, "DISPOSALDATE", records.retention.dispose_after.isoformat())
    return root


def _agent(header, *, role: str, type_: str, name: str) -> etree._Element:
    agent = etree.SubElement(header, f"{{{METS_NS}}}agent")
    agent.set("ROLE", role)
    agent.set("TYPE", type_)
    etree.SubElement(agent, f"{{{METS_NS}}}name").text = _safe(name)
    return agent


def _alt_record(header, type_: str, value: str) -> None:
    element = etree.SubElement(header, f"{{{METS_NS}}}altRecordID")
    element.set("TYPE", type_)
    element.text = _safe(value)


def _file_attributes(element, item: _File, created: dt.datetime) -> None:
    element.set("MIMETYPE", item.mime)
    element.set("SIZE", str(item.size))
    element.set("CREATED", _stamp(created))
    element.set("CHECKSUM", item.sha256)
    element.set("CHECKSUMTYPE", "SHA-256")


def _md_ref(parent, item: _File, *, href: str, mdtype: str, created: dt.datetime) -> None:
    ref = etree.SubElement(parent, f"{{{METS_NS}}}mdRef")
    ref.set("LOCTYPE", "URL")
    ref.set(f"{{{XLINK_NS}}}type", "simple")
    ref.set(f"{{{XLINK_NS}}}href", href)
    ref.set("MDTYPE", mdtype)
    _file_attributes(ref, item, created)


def _file_group(file_sec, use: str, items: list[_File], *, base: str, created) -> etree._Element:
    group = etree.SubElement(file_sec, f"{{{METS_NS}}}fileGrp")
    group.set("ID", _id())
    group.set("USE", use)
    # Every group names its content information type (rule CSIP63 of the validator).
    group.set(f"{{{CSIP_NS}}}CONTENTINFORMATIONTYPE", "OTHER")
    group.set(f"{{{CSIP_NS}}}OTHERCONTENTINFORMATIONTYPE", CONTENT_INFORMATION_TYPE)
    for item in items:
        element = etree.SubElement(group, f"{{{METS_NS}}}file")
        element.set("ID", item.id)
        _file_attributes(element, item, created)
        if item.extension in FORMAT_NAMES:
            element.set(f"{{{SIP_NS}}}FILEFORMATNAME", FORMAT_NAMES[item.extension])
        location = etree.SubElement(element, f"{{{METS_NS}}}FLocat")
        location.set("LOCTYPE", "URL")
        location.set(f"{{{XLINK_NS}}}type", "simple")
        location.set(f"{{{XLINK_NS}}}href", item.path.removeprefix(base))
    return group


def _div(parent, label: str, **attributes: str) -> etree._Element:
    div = etree.SubElement(parent, f"{{{METS_NS}}}div")
    div.set("ID", _id())
    div.set("LABEL", label)
    for name, value in attributes.items():
        div.set(name, value)
    return div


def _fptr(div, item: _File) -> None:
    etree.SubElement(div, f"{{{METS_NS}}}fptr").set("FILEID", item.id)


def _root_mets(snapshot, records, descriptive, premis, schema, readme, rep_mets) -> bytes:
    created = records.created_at
    root = _mets_root(
        snapshot, records, objid=records.package_id, label=_subject_title(snapshot)[:200]
    )
    dmd = etree.SubElement(root, f"{{{METS_NS}}}dmdSec")
    dmd.set("ID", _id())
    dmd.set("CREATED", _stamp(created))
    dmd.set("STATUS", "CURRENT")
    _md_ref(dmd, descriptive, href=descriptive.path, mdtype="DC", created=created)
    amd = etree.SubElement(root, f"{{{METS_NS}}}amdSec")
    digiprov = etree.SubElement(amd, f"{{{METS_NS}}}digiprovMD")
    digiprov.set("ID", _id())
    digiprov.set("STATUS", "CURRENT")
    _md_ref(digiprov, premis, href=premis.path, mdtype="PREMIS", created=created)
    file_sec = etree.SubElement(root, f"{{{METS_NS}}}fileSec")
    file_sec.set("ID", _id())
    _file_group(file_sec, "Documentation", [readme], base="", created=created)
    _file_group(file_sec, "Schemas", [schema], base="", created=created)
    _file_group(file_sec, f"Representations/{REPRESENTATION}", [rep_mets], base="", created=created)
    struct_map = etree.SubElement(root, f"{{{METS_NS}}}structMap")
    struct_map.set("ID", _id())
    struct_map.set("TYPE", "PHYSICAL")
    struct_map.set("LABEL", "CSIP")
    package = _div(struct_map, records.package_id)
    _div(package, "Metadata", DMDID=dmd.get("ID"), ADMID=digiprov.get("ID"))
    _fptr(_div(package, "Documentation"), readme)
    _fptr(_div(package, "Schemas"), schema)
    representations = _div(package, "Representations")
    _fptr(representations, rep_mets)
    representation = _div(representations, f"Representations/{REPRESENTATION}")
    pointer = etree.SubElement(representation, f"{{{METS_NS}}}mptr")
    pointer.set(f"{{{XLINK_NS}}}title", rep_mets.id)
    pointer.set(f"{{{XLINK_NS}}}href", rep_mets.path)
    pointer.set(f"{{{XLINK_NS}}}type", "simple")
    pointer.set("LOCTYPE", "URL")
    return _xml(root)


def _representation_mets(snapshot, records, data: list[_File], premis: _File, *, base) -> bytes:
    created = records.created_at
    root = _mets_root(
        snapshot,
        records,
        objid=f"{records.package_id}-{REPRESENTATION}",
        label=_subject_title(snapshot)[:200],
    )
    amd = etree.SubElement(root, f"{{{METS_NS}}}amdSec")
    digiprov = etree.SubElement(amd, f"{{{METS_NS}}}digiprovMD")
    digiprov.set("ID", _id())
    digiprov.set("STATUS", "CURRENT")
    _md_ref(digiprov, premis, href=premis.path.removeprefix(base), mdtype="PREMIS", created=created)
    file_sec = etree.SubElement(root, f"{{{METS_NS}}}fileSec")
    file_sec.set("ID", _id())
    _file_group(file_sec, "Data", data, base=base, created=created)
    struct_map = etree.SubElement(root, f"{{{METS_NS}}}structMap")
    struct_map.set("ID", _id())
    struct_map.set("TYPE", "PHYSICAL")
    struct_map.set("LABEL", "CSIP")
    package = _div(struct_map, f"{records.package_id}-{REPRESENTATION}")
    _div(package, "Metadata", ADMID=digiprov.get("ID"))
    data_div = _div(package, "Data")
    for item in data:
        _fptr(data_div, item)
    return _xml(root)


def _premis(records: RecordsInfo, files: list[_File], *, base: str, with_rights: bool) -> bytes:
    """PREMIS 3: one object per file (fixity, size, format), the package's creation event,
    the agents, and at the package level the retention decision."""
    p = f"{{{PREMIS_NS}}}"
    root = etree.Element(
        f"{p}premis",
        nsmap={"premis": PREMIS_NS, "xsi": XSI_NS},
        version="3.0",
    )
    root.set(
        f"{{{XSI_NS}}}schemaLocation",
        f"{PREMIS_NS} https://www.loc.gov/standards/premis/premis.xsd",
    )

    def identifier(parent, kind: str, type_: str, value: str) -> None:
        element = etree.SubElement(parent, f"{p}{kind}Identifier")
        etree.SubElement(element, f"{p}{kind}IdentifierType").text = type_
        etree.SubElement(element, f"{p}{kind}IdentifierValue").text = value

    for item in files:
        obj = etree.SubElement(root, f"{p}object")
        obj.set(f"{{{XSI_NS}}}type", "premis:file")
        identifier(obj, "object", "local", item.path.removeprefix(base))
        characteristics = etree.SubElement(obj, f"{p}objectCharacteristics")
        fixity = etree.SubElement(characteristics, f"{p}fixity")
        etree.SubElement(fixity, f"{p}messageDigestAlgorithm").text = "SHA-256"
        etree.SubElement(fixity, f"{p}messageDigest").text = item.sha256.lower()
        etree.SubElement(fixity, f"{p}messageDigestOriginator").text = SOFTWARE_NAME
        etree.SubElement(characteristics, f"{p}size").text = str(item.size)
        file_format = etree.SubElement(characteristics, f"{p}format")
        designation = etree.SubElement(file_format, f"{p}formatDesignation")
        etree.SubElement(designation, f"{p}formatName").text = FORMAT_NAMES.get(
            item.extension, item.mime
        )
        original = etree.SubElement(obj, f"{p}originalName")
        original.text = item.name

    if with_rights:
        rights = etree.SubElement(root, f"{p}rights")
        statement = etree.SubElement(rights, f"{p}rightsStatement")
        identifier(statement, "rightsStatement", "local", "retention-decision")
        etree.SubElement(statement, f"{p}rightsBasis").text = "Other"
        other = etree.SubElement(statement, f"{p}otherRightsInformation")
        etree.SubElement(
            other, f"{p}otherRightsBasis"
        ).text = "Retention decision (gallringsbeslut)"
        etree.SubElement(other, f"{p}otherRightsNote").text = records.retention.describe()
        if records.retention.dispose_after and not records.retention.keep:
            granted = etree.SubElement(statement, f"{p}rightsGranted")
            etree.SubElement(granted, f"{p}act").text = "delete"
            term = etree.SubElement(granted, f"{p}termOfGrant")
            etree.SubElement(term, f"{p}startDate").text = (
                records.retention.dispose_after + dt.timedelta(days=1)
            ).isoformat()
            etree.SubElement(granted, f"{p}rightsGrantedNote").text = records.retention.describe()
        linked = etree.SubElement(statement, f"{p}linkingAgentIdentifier")
        etree.SubElement(linked, f"{p}linkingAgentIdentifierType").text = "local"
        etree.SubElement(linked, f"{p}linkingAgentIdentifierValue").text = "organisation"

    event = etree.SubElement(root, f"{p}event")
    identifier(event, "event", "local", f"creation-{records.package_id}")
    etree.SubElement(event, f"{p}eventType").text = "creation"
    etree.SubElement(event, f"{p}eventDateTime").text = _stamp(records.created_at)
    detail = etree.SubElement(event, f"{p}eventDetailInformation")
    etree.SubElement(detail, f"{p}eventDetail").text = _(
        "Exported from Labb as an e-archive package."
    )
    outcome = etree.SubElement(event, f"{p}eventOutcomeInformation")
    etree.SubElement(outcome, f"{p}eventOutcome").text = "success"
    for agent_id, role in (("labb", "executing program"), ("organisation", "implementer")):
        link = etree.SubElement(event, f"{p}linkingAgentIdentifier")
        etree.SubElement(link, f"{p}linkingAgentIdentifierType").text = "local"
        etree.SubElement(link, f"{p}linkingAgentIdentifierValue").text = agent_id
        etree.SubElement(link, f"{p}linkingAgentRole").text = role
    for item in files:
        link = etree.SubElement(event, f"{p}linkingObjectIdentifier")
        etree.SubElement(link, f"{p}linkingObjectIdentifierType").text = "local"
        etree.SubElement(link, f"{p}linkingObjectIdentifierValue").text = item.path.removeprefix(
            base
        )

    for agent_id, name, type_, note in (
        ("labb", SOFTWARE_NAME, "software", SOFTWARE_VERSION),
        ("organisation", records.organisation, "organization", ""),
    ):
        agent = etree.SubElement(root, f"{p}agent")
        identifier(agent, "agent", "local", agent_id)
        etree.SubElement(agent, f"{p}agentName").text = _safe(name)
        etree.SubElement(agent, f"{p}agentType").text = type_
        if note:
            etree.SubElement(agent, f"{p}agentVersion").text = note
    return _xml(root)


def _dublin_core(snapshot, records: RecordsInfo) -> bytes:
    root = etree.Element(
        f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
    )
    root.set(
        f"{{{XSI_NS}}}schemaLocation",
        f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    )

    def dc(name: str, value: str) -> None:
        if value:
            etree.SubElement(root, f"{{{DC_NS}}}{name}").text = _safe(value)

    dc("title", _subject_title(snapshot))
    dc("creator", records.organisation)
    dc("publisher", records.organisation)
    if isinstance(snapshot, WorkshopSnapshot):
        dc("description", snapshot.question)
    else:
        dc("description", snapshot.description)
    dc("date", records.start_date.isoformat())
    if records.end_date != records.start_date:
        dc("date", records.end_date.isoformat())
    dc("identifier", records.registration_number)
    dc("identifier", records.package_id)
    dc("subject", records.classification)
    dc("type", "Collection")
    dc("rights", records.retention.describe())
    return _xml(root)


def _readme(snapshot, records: RecordsInfo) -> str:
    lines = [
        _("E-archive package from Labb (E-ARK SIP 2.1, FGS Paketstruktur 2.0)"),
        "",
        f"{_('Title')}: {_subject_title(snapshot)}",
        f"{_('Organisation')}: {records.organisation}",
        f"{_('Registration number')}: {records.registration_number or '—'}",
        f"{_('Classification')}: {records.classification or '—'}",
        f"{_('Dates')}: {records.start_date.isoformat()} – {records.end_date.isoformat()}",
        f"{_('Retention decision')}: {records.retention.describe()}",
        "",
        _(
            "representations/rep1/data holds the archive file (JSON, schema in schemas/), "
            "the report (PDF) and the notes (CSV). METS.xml lists every file with its "
            "SHA-256 checksum; metadata/preservation/premis.xml holds the preservation "
            "metadata and the retention decision."
        ),
        "",
    ]
    return "\n".join(lines)
