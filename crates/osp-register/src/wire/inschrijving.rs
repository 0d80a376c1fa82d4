//! `aanleverenInschrijvingVO_Request` and `aanleverenVerwijderingInschrijvingVO_Request` (generated
//! types of osp-model) → the domain's [`Inschrijving`] and [`VerwijderingInschrijving`].
//!
//! Waardenlijst values (`experiment/naam`, `verblijfsoort`) stay strings: the XSD allows more than
//! osp knows, and the rules answer those with `Server.DK0050` (RULES.md, value lists).

use osp_model::messages::{
    ins, AanleverenInschrijvingVORequest, AanleverenVerwijderingInschrijvingVORequest,
};

use super::waarden::{datum, kop, opt_datum, opt_getal, Onmogelijk};
use crate::domain::{
    Aanlevering, Bericht, Inschrijving, Ontwikkelingsperspectief, Periode,
    VerblijfAndereInstelling, VerwijderingInschrijving,
};

fn periode(p: ins::InschrijvingPeriodeVoType) -> Result<Periode, Onmogelijk> {
    Ok(Periode {
        datum_begin: datum("datumBegin", &p.datum_begin)?,
        onderwijsaanbieder: p.onderwijsaanbieder.map(|o| o.0),
        onderwijslocatie: p.onderwijslocatie.map(|o| o.0),
        opleidingcode: p.opleidingcode.0,
        aanvullende_opleidingen: p
            .aanvullende_opleiding
            .into_iter()
            .map(|a| a.opleidingcode.0)
            .collect(),
        vestiging: p.vestiging.0,
        leerjaar: opt_getal("leerjaar", p.leerjaar.as_ref().map(|l| l.0.as_str()))?,
        indicatie_bekostigbaar: p.indicatie_bekostigbaar.value(),
        experimenten: p.experiment.into_iter().map(|x| x.naam.0).collect(),
        indicatie_nieuwkomersbekostiging: p.indicatie_nieuwkomersbekostiging.map(|i| i.value()),
    })
}

fn ontwikkelingsperspectief(
    o: ins::OntwikkelingsperspectiefType,
) -> Result<Ontwikkelingsperspectief, Onmogelijk> {
    Ok(Ontwikkelingsperspectief {
        datum_begin: datum("datumBegin", &o.datum_begin)?,
        datum_eind: opt_datum("datumEind", o.datum_eind.as_ref())?,
    })
}

fn verblijf(v: ins::VerblijfAndereInstellingType) -> Result<VerblijfAndereInstelling, Onmogelijk> {
    Ok(VerblijfAndereInstelling {
        datum_begin: datum("datumBegin", &v.datum_begin)?,
        datum_eind: opt_datum("datumEind", v.datum_eind.as_ref())?,
        brin: v.brin.0,
        vestiging: v.vestiging.map(|v| v.0),
        verblijfsoort: v.verblijfsoort.0,
    })
}

/// An inschrijving request in domain form.
pub fn inschrijving(r: AanleverenInschrijvingVORequest) -> Result<Aanlevering, Onmogelijk> {
    let kop = kop(
        r.identificatiecode_bedrijfsdocument,
        r.verzendende_instantie,
        r.ontvangende_instantie,
        &r.datum_tijd_bedrijfsdocument,
    )?;
    let inschrijving = Inschrijving {
        pgn: r.content_4.into(),
        brin: r.brin.0,
        inschrijvingvolgnummer: r.inschrijvingvolgnummer.0,
        datum_inschrijving: datum("datumInschrijving", &r.datum_inschrijving)?,
        datum_uitschrijving: opt_datum("datumUitschrijving", r.datum_uitschrijving.as_ref())?,
        perioden: r
            .inschrijving_periode_vo
            .into_iter()
            .map(periode)
            .collect::<Result<_, _>>()?,
        ontwikkelingsperspectieven: r
            .ontwikkelingsperspectief
            .into_iter()
            .map(ontwikkelingsperspectief)
            .collect::<Result<_, _>>()?,
        verblijven_andere_instelling: r
            .verblijf_andere_instelling
            .into_iter()
            .map(verblijf)
            .collect::<Result<_, _>>()?,
    };
    Ok(Aanlevering {
        kop,
        bericht: Bericht::Inschrijving(inschrijving),
    })
}

/// A verwijdering of an inschrijving in domain form.
pub fn verwijdering(
    r: AanleverenVerwijderingInschrijvingVORequest,
) -> Result<Aanlevering, Onmogelijk> {
    Ok(Aanlevering {
        kop: kop(
            r.identificatiecode_bedrijfsdocument,
            r.verzendende_instantie,
            r.ontvangende_instantie,
            &r.datum_tijd_bedrijfsdocument,
        )?,
        bericht: Bericht::VerwijderingInschrijving(VerwijderingInschrijving {
            pgn: r.content_11.into(),
            brin: r.brin.0,
            inschrijvingvolgnummer: r.inschrijvingvolgnummer.0,
        }),
    })
}
