//! `aanleverenExamenresultaatVO_Request` and `aanleverenVerwijderingExamenresultaatVO_Request`
//! (generated types of osp-model) → the domain's [`Examenresultaat`] and
//! [`VerwijderingExamenresultaat`]. The XSD's enumerations map one to one onto the domain enums;
//! grades and years are digit patterns read as integers.

use osp_model::messages::{
    exr, AanleverenExamenresultaatVORequest, AanleverenVerwijderingExamenresultaatVORequest,
};

use super::waarden::{datum, getal, kop, opt_getal, Onmogelijk};
use crate::domain::{
    Aanlevering, Beoordeling, Bericht, CentraalExamen, Cijferlijst, Examendeel, Examenresultaat,
    Herkansing, Niveau, RedenNietDeelname, SoortWaardedocument, Uitslag, UitslagWaarde, Vak,
    VerwijderingExamenresultaat, Werkstuk,
};

fn niveau(n: exr::NiveauType) -> Niveau {
    match n {
        exr::NiveauType::VmboBb => Niveau::VmboBb,
        exr::NiveauType::VmboKb => Niveau::VmboKb,
        exr::NiveauType::VmboGl => Niveau::VmboGl,
        exr::NiveauType::VmboTl => Niveau::VmboTl,
        exr::NiveauType::Havo => Niveau::Havo,
        exr::NiveauType::Vwo => Niveau::Vwo,
    }
}

fn beoordeling(b: exr::BeoordelingType) -> Beoordeling {
    match b {
        exr::BeoordelingType::Goed => Beoordeling::Goed,
        exr::BeoordelingType::Voldoende => Beoordeling::Voldoende,
        exr::BeoordelingType::Onvoldoende => Beoordeling::Onvoldoende,
    }
}

fn uitslag(u: exr::UitslagType) -> Result<Uitslag, Onmogelijk> {
    Ok(Uitslag {
        examenregime: getal("examenregime", &u.examenregime.0)?,
        niveau: niveau(u.niveau),
        datum_uitslag: datum("datumUitslag", &u.datum_uitslag)?,
        uitslag: match u.uitslag {
            exr::UitslagWaardeType::Geslaagd => UitslagWaarde::Geslaagd,
            exr::UitslagWaardeType::Afgewezen => UitslagWaarde::Afgewezen,
        },
        soort_waardedocument: u.soort_waardedocument.map(|s| match s {
            exr::SoortWaardedocumentType::Diploma => SoortWaardedocument::Diploma,
            exr::SoortWaardedocumentType::Certificaat => SoortWaardedocument::Certificaat,
        }),
        indicatie_cum_laude: u.indicatie_cum_laude.map(|i| i.value()),
    })
}

fn vak(v: exr::VakType) -> Result<Vak, Onmogelijk> {
    Ok(Vak {
        volgnummer_resultaat: v.volgnummer_resultaat.0,
        vakcode: v.vakcode.0,
        examendeel: match v.examendeel {
            exr::ExamendeelType::Gemeenschappelijk => Examendeel::Gemeenschappelijk,
            exr::ExamendeelType::Profiel => Examendeel::Profiel,
            exr::ExamendeelType::Vrij => Examendeel::Vrij,
        },
        schoolexamen: opt_getal(
            "schoolexamen",
            v.schoolexamen.as_ref().map(|c| c.0.as_str()),
        )?,
        centraal_examen: v
            .centraal_examen
            .into_iter()
            .map(|c| {
                Ok(CentraalExamen {
                    tijdvak: getal("tijdvak", &c.tijdvak.0)?,
                    cijfer: getal("cijfer", &c.cijfer.0)?,
                })
            })
            .collect::<Result<_, Onmogelijk>>()?,
        eindcijfer: opt_getal("eindcijfer", v.eindcijfer.as_ref().map(|c| c.0.as_str()))?,
        beoordeling: v.beoordeling.map(beoordeling),
        indicatie_diplomavak: v.indicatie_diplomavak.value(),
        indicatie_combinatiecijfer: v.indicatie_combinatiecijfer.value(),
        indicatie_werkstuk: v.indicatie_werkstuk.value(),
        indicatie_inruil: v.indicatie_inruil.map(|i| i.value()),
        reden_niet_deelname: v.reden_niet_deelname.map(|r| match r {
            exr::RedenNietDeelnameType::Vrijstelling => RedenNietDeelname::Vrijstelling,
            exr::RedenNietDeelnameType::Ontheffing => RedenNietDeelname::Ontheffing,
        }),
        vervangen_vakcode: v.vervangen_vakcode.map(|c| c.0),
        herkansing: v
            .herkansing
            .map(|h| {
                Ok::<_, Onmogelijk>(Herkansing {
                    examenregime: getal("examenregime", &h.examenregime.0)?,
                    tijdvak: getal("tijdvak", &h.tijdvak.0)?,
                })
            })
            .transpose()?,
    })
}

fn cijferlijst(c: exr::CijferlijstType) -> Result<Cijferlijst, Onmogelijk> {
    Ok(Cijferlijst {
        opleidingcode: c.opleidingcode.0,
        vakken: c.vak.into_iter().map(vak).collect::<Result<_, _>>()?,
        werkstuk: c
            .werkstuk
            .map(|w| {
                Ok::<_, Onmogelijk>(Werkstuk {
                    volgnummer_resultaat: w.volgnummer_resultaat.0,
                    titel: w.titel.0,
                    cijfer: opt_getal("cijfer", w.cijfer.as_ref().map(|c| c.0.as_str()))?,
                    beoordeling: w.beoordeling.map(beoordeling),
                })
            })
            .transpose()?,
    })
}

/// An examenresultaat request in domain form.
pub fn examenresultaat(r: AanleverenExamenresultaatVORequest) -> Result<Aanlevering, Onmogelijk> {
    let kop = kop(
        r.identificatiecode_bedrijfsdocument,
        r.verzendende_instantie,
        r.ontvangende_instantie,
        &r.datum_tijd_bedrijfsdocument,
    )?;
    let e = Examenresultaat {
        pgn: r.content_44.into(),
        brin: r.brin.0,
        examenresultaatvolgnummer: r.examenresultaatvolgnummer.0,
        onderwijsaanbieder: r.onderwijsaanbieder.0,
        vestiging: r.vestiging.map(|v| v.0),
        inschrijvingvolgnummer: r.inschrijvingvolgnummer.map(|v| v.0),
        indicatie_teruggetrokken: r.indicatie_teruggetrokken.map(|i| i.value()),
        indicatie_eerder_leerjaar: r.indicatie_eerder_leerjaar.map(|i| i.value()),
        indicatie_gespreid_examen: r.indicatie_gespreid_examen.map(|i| i.value()),
        indicatie_doorlopende_leerlijn: r.indicatie_doorlopende_leerlijn.map(|i| i.value()),
        uitslag: r.uitslag.map(uitslag).transpose()?,
        cijferlijsten: r
            .cijferlijst
            .into_iter()
            .map(cijferlijst)
            .collect::<Result<_, _>>()?,
    };
    Ok(Aanlevering {
        kop,
        bericht: Bericht::Examenresultaat(e),
    })
}

/// A verwijdering of an examenresultaat in domain form.
pub fn verwijdering(
    r: AanleverenVerwijderingExamenresultaatVORequest,
) -> Result<Aanlevering, Onmogelijk> {
    Ok(Aanlevering {
        kop: kop(
            r.identificatiecode_bedrijfsdocument,
            r.verzendende_instantie,
            r.ontvangende_instantie,
            &r.datum_tijd_bedrijfsdocument,
        )?,
        bericht: Bericht::VerwijderingExamenresultaat(VerwijderingExamenresultaat {
            pgn: r.content_53.into(),
            brin: r.brin.0,
            examenresultaatvolgnummer: r.examenresultaatvolgnummer.0,
        }),
    })
}
