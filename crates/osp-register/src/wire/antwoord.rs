//! Domain answer → response body (SPEC §5): Bedrijfsdocument with the instanties swapped,
//! `ontvangstBevestiging` = `J`, and the osp `terugkoppeling` in the contract namespace with its
//! children in the shared Terugkoppeling namespace (§5a). Compact output (no indentation): an
//! indenting writer would put whitespace inside empty elements (STACK.md).

use chrono::{DateTime, SecondsFormat, Utc};
use osp_model::contracts::{NS_BASIS_INFORMATIEDIENSTEN, NS_BASIS_INSCHRIJVING, NS_TERUGKOPPELING};
use osp_model::{Contract, Operation};
use quick_xml::escape::escape;

use crate::domain::Antwoord;
use crate::domain::{Pgn, Terugkoppeling};

/// Prefix of the contract namespace in responses, as in DUO's examples.
fn contract_prefix(contract: Contract) -> &'static str {
    match contract {
        Contract::InschrijvingVO => "ins",
        Contract::IdentificerenPersoonVO => "idp",
        Contract::ExamenresultaatVO => "exr",
        Contract::OphalenBerichtenVO => "obv",
    }
}

/// Namespace and prefix of the Bedrijfsdocument elements: *Aanlevering* contracts use the
/// Inschrijving basisschema, *Informatiediensten* contracts their own (SPEC §5a).
fn kop_ns(contract: Contract) -> (&'static str, &'static str) {
    match contract {
        Contract::IdentificerenPersoonVO | Contract::OphalenBerichtenVO => {
            ("inf", NS_BASIS_INFORMATIEDIENSTEN)
        }
        Contract::InschrijvingVO | Contract::ExamenresultaatVO => ("bas", NS_BASIS_INSCHRIJVING),
    }
}

/// `xs:dateTime` in UTC with milliseconds, as DUO's examples show.
pub fn datum_tijd(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn el(out: &mut String, prefix: &str, name: &str, text: &str) {
    out.push('<');
    out.push_str(prefix);
    out.push(':');
    out.push_str(name);
    out.push('>');
    out.push_str(&escape(text));
    out.push_str("</");
    out.push_str(prefix);
    out.push(':');
    out.push_str(name);
    out.push('>');
}

fn open(out: &mut String, prefix: &str, name: &str) {
    out.push_str(&format!("<{prefix}:{name}>"));
}

fn close(out: &mut String, prefix: &str, name: &str) {
    out.push_str(&format!("</{prefix}:{name}>"));
}

/// Writes the `tk:` children of a terugkoppeling (in XSD sequence order); shared with the
/// terugkoppeling-as-message of [`crate::berichten::terugkoppeling`].
pub(crate) fn terugkoppeling(out: &mut String, tk: &Terugkoppeling) {
    el(
        out,
        "tk",
        "identificatiecodeBedrijfsdocument",
        &tk.identificatiecode,
    );
    el(
        out,
        "tk",
        "leveringGoedgekeurd",
        if tk.levering_goedgekeurd {
            "true"
        } else {
            "false"
        },
    );
    for f in &tk.foutmeldingen {
        open(out, "tk", "foutmelding");
        el(out, "tk", "foutcode", &f.foutcode);
        el(out, "tk", "fouttekst", &f.fouttekst);
        el(out, "tk", "ernst", f.ernst.code());
        for s in f.sleutelgegevens.iter().take(5) {
            open(out, "tk", "sleutelgegeven");
            el(out, "tk", "sleutelnaam", &s.sleutelnaam);
            el(out, "tk", "sleutelwaarde", &s.sleutelwaarde);
            close(out, "tk", "sleutelgegeven");
        }
        close(out, "tk", "foutmelding");
    }
    if let Some(s) = &tk.stand {
        open(out, "tk", "stand");
        el(out, "tk", "volgnummer", &s.volgnummer.to_string());
        el(out, "tk", "aanlevermoment", &datum_tijd(&s.aanlevermoment));
        close(out, "tk", "stand");
    }
    if let Some(p) = &tk.persoon {
        open(out, "tk", "persoon");
        match p {
            Pgn::Burgerservicenummer(n) => el(out, "tk", "burgerservicenummer", n),
            Pgn::Onderwijsnummer(n) => el(out, "tk", "onderwijsnummer", n),
        }
        close(out, "tk", "persoon");
    }
}

/// Renders the `{operation}_Response` body for a stored or fresh answer. Deterministic: the same
/// [`Antwoord`] always gives the same bytes (idempotent replays).
pub fn render(operation: Operation, a: &Antwoord) -> String {
    let contract = operation.contract();
    let cp = contract_prefix(contract);
    let (kp, kns) = kop_ns(contract);
    let root = operation.response_element();
    let mut out = String::with_capacity(1024);
    out.push_str(&format!(
        "<{cp}:{root} xmlns:{cp}=\"{}\" xmlns:{kp}=\"{kns}\" xmlns:tk=\"{NS_TERUGKOPPELING}\">",
        contract.schema_ns()
    ));
    el(
        &mut out,
        kp,
        "identificatiecodeBedrijfsdocument",
        &a.response_identificatiecode,
    );
    el(&mut out, kp, "verzendendeInstantie", "DUO");
    el(
        &mut out,
        kp,
        "ontvangendeInstantie",
        &a.ontvangende_instantie,
    );
    el(
        &mut out,
        kp,
        "datumTijdBedrijfsdocument",
        &datum_tijd(&a.response_datum_tijd),
    );
    el(&mut out, kp, "ontvangstBevestiging", "J");
    // terugkoppeling.mode `async` answers without it (SPEC §5, §7): it goes to the outbox instead.
    if a.terugkoppeling_in_antwoord {
        open(&mut out, cp, "terugkoppeling");
        terugkoppeling(&mut out, &a.terugkoppeling);
        close(&mut out, cp, "terugkoppeling");
    }
    close(&mut out, cp, &root);
    out
}
