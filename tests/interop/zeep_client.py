"""Interop check with a SOAP client osp did not write: Python's zeep imports the WSDL straight
from a running osp over mutual TLS, builds requests from the XSDs, and talks to osp the way a
vendor's generated client would. Exits non-zero on the first unexpected answer."""

import sys
import uuid
from datetime import datetime, timezone

import requests
from lxml import etree
from zeep import Client, Settings
from zeep.exceptions import Fault
from zeep.plugins import Plugin
from zeep.transports import Transport

base, certs = sys.argv[1].rstrip("/"), sys.argv[2]
DUO = "00000001800866472000"
SCHOOL = "0000000700099AA00000"
WSA = "http://www.w3.org/2005/08/addressing"
ANON = "http://www.w3.org/2005/08/addressing/anonymous?oin="
CONTRACT = "DUO_VOAanlevering_InschrijvingVO_V1"


def session(oin):
    s = requests.Session()
    # requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's verify path.
    s.trust_env = False
    s.cert = (f"{certs}/clients/{oin}.pem", f"{certs}/clients/{oin}.key")
    s.verify = f"{certs}/root-ca.pem"
    return s


class OinAddressing(Plugin):
    """zeep adds WS-Addressing itself because the WSDL declares wsam:Action, but with To = the
    endpoint URL. DUO (and osp) want To and From to carry OINs: this is the plugin a vendor using
    zeep writes once."""

    def __init__(self, from_oin):
        self.from_oin = from_oin

    def egress(self, envelope, http_headers, operation, binding_options):
        header = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Header")
        header.find(f"{{{WSA}}}To").text = ANON + DUO
        frm = etree.SubElement(header, f"{{{WSA}}}From")
        etree.SubElement(frm, f"{{{WSA}}}Address").text = ANON + self.from_oin
        return envelope, http_headers


def service(oin, from_oin=SCHOOL):
    client = Client(
        f"{base}/{CONTRACT}?wsdl",
        transport=Transport(session=session(oin)),
        plugins=[OinAddressing(from_oin)],
        settings=Settings(strict=True, xml_huge_tree=False),
    )
    return client.create_service(
        f"{{http://duo.nl/contract/{CONTRACT}}}{CONTRACT}.0_Binding", f"{base}/{CONTRACT}"
    )


def inschrijving(bsn):
    return dict(
        identificatiecodeBedrijfsdocument=str(uuid.uuid4()),
        verzendendeInstantie="99AA",
        ontvangendeInstantie="DUO",
        datumTijdBedrijfsdocument=datetime.now(timezone.utc),
        burgerservicenummer=bsn,
        brin="99AA",
        inschrijvingvolgnummer=f"zeep-{uuid.uuid4().hex[:8]}",
        datumInschrijving="2025-08-01",
        inschrijvingPeriodeVO=[
            dict(
                datumBegin="2025-08-01",
                onderwijsaanbieder="100A001",
                onderwijslocatie="100X001",
                opleidingcode="3001",
                vestiging="99AA00",
                leerjaar="1",
                indicatieBekostigbaar=True,
            )
        ],
    )


svc = service(SCHOOL)
ok = svc.aanleverenInschrijvingVO(**inschrijving("999990007"))
tk = ok["terugkoppeling"]
assert ok["ontvangstBevestiging"] == "J", ok
assert tk["leveringGoedgekeurd"] is True, tk
assert tk["stand"]["volgnummer"] == 1, tk
print("zeep: goedgekeurd, stand", tk["stand"]["volgnummer"])

bad = svc.aanleverenInschrijvingVO(**inschrijving("999990000"))
tk = bad["terugkoppeling"]
assert tk["leveringGoedgekeurd"] is False, tk
codes = [f["foutcode"] for f in tk["foutmelding"]]
assert "0101" in codes, codes
print("zeep: afgekeurd with", codes)

# The vendor without a mandate acting for 99AA: DUO answers with SOAP fault DK0002.
try:
    service("00000003876543210000").aanleverenInschrijvingVO(
        **inschrijving("999990007")
    )
    sys.exit("zeep: expected fault DK0002")
except Fault as f:
    assert f.code.endswith("Client.DK0002"), f.code
    assert f.message == "Niet geautoriseerd", f.message
    print("zeep: fault", f.code)

# Without a client certificate the handshake fails.
s = requests.Session()
s.trust_env = False
s.verify = f"{certs}/root-ca.pem"
try:
    s.get(f"{base}/{CONTRACT}?wsdl", timeout=10)
    sys.exit("zeep: handshake without client certificate succeeded")
except requests.exceptions.RequestException as e:
    print("zeep: refused without client certificate:", type(e).__name__)
print("zeep interop: 4 passed, 0 failed")
