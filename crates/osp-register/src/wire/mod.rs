//! The register's wire layer: request bodies are read through osp-model's generated message
//! types (the one deserialiser of the XSDs) and mapped to domain form here, one module per message
//! kind; responses are written by [`antwoord`] (SPEC §5, §5a).
//!
//! The gateway has validated the body against `xsd/` before the register sees it, so the
//! generated deserialiser (which is not a validator, osp-model README) reads a valid document and
//! the mappings only convert values; anything impossible becomes `ServiceError::Intern` (DK0050)
//! instead of a panic. Waardenlijst values stay strings so the rules can answer the ones osp does
//! not know with `Server.DK0050` (RULES.md, value lists).
//!
//! Responses stay hand-written for speed (a few string pushes against the generated serialiser's
//! event list); `tests/writers.rs` proves every kind validates against `xsd/` and round-trips
//! through the generated type.

pub mod antwoord;
mod examenresultaat;
mod identificatie;
mod inschrijving;
pub mod waarden;

use osp_model::messages as m;
use osp_model::{Message, ModelError, Operation};

use crate::domain::Aanlevering;
use crate::service::ServiceError;

pub use antwoord::render;

/// Reads a body as message `T`: a wrong root element or a body the generated deserialiser cannot
/// read is an internal failure (the gateway has already matched the root and validated the body).
pub fn lees<T: Message>(body: &str) -> Result<T, ServiceError> {
    osp_model::from_xml::<T>(body).map_err(|e| match e {
        ModelError::WrongRoot {
            expected,
            found_ns,
            found,
            ..
        } => ServiceError::Intern(format!(
            "wortelelement {{{found_ns}}}{found} past niet bij {expected}"
        )),
        anders => ServiceError::Intern(format!("bericht onleesbaar: {anders}")),
    })
}

/// Reads the body of an aanleveren operation into domain form; the root must be
/// `{operation}_Request` in the operation's contract namespace.
pub fn parse_aanlevering(operation: Operation, body: &str) -> Result<Aanlevering, ServiceError> {
    Ok(match operation {
        Operation::AanleverenInschrijvingVO => {
            inschrijving::inschrijving(lees::<m::AanleverenInschrijvingVORequest>(body)?)?
        }
        Operation::AanleverenVerwijderingInschrijvingVO => {
            inschrijving::verwijdering(lees::<m::AanleverenVerwijderingInschrijvingVORequest>(
                body,
            )?)?
        }
        Operation::AanleverenIdentificerenPersoonVO => {
            identificatie::identificatie(lees::<m::AanleverenIdentificerenPersoonVORequest>(body)?)?
        }
        Operation::AanleverenExamenresultaatVO => {
            examenresultaat::examenresultaat(lees::<m::AanleverenExamenresultaatVORequest>(body)?)?
        }
        Operation::AanleverenVerwijderingExamenresultaatVO => examenresultaat::verwijdering(
            lees::<m::AanleverenVerwijderingExamenresultaatVORequest>(body)?,
        )?,
        Operation::OphalenBerichtenVO | Operation::BevestigenBerichtenVO => {
            return Err(ServiceError::Intern(format!(
                "{} is geen aanlevering",
                operation.name()
            )))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;
    use chrono::NaiveDate;

    fn sample(name: &str) -> String {
        let pad = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/samples")
            .join(name);
        std::fs::read_to_string(pad).unwrap()
    }

    #[test]
    fn examenresultaat_sample_reads_every_field() {
        let a = parse_aanlevering(
            Operation::AanleverenExamenresultaatVO,
            &sample("aanleverenExamenresultaatVO_Request.xml"),
        )
        .unwrap();
        assert_eq!(
            a.kop.identificatiecode,
            "6f708192-a3b4-4fc0-b132-5d6e7f8091a2"
        );
        let Bericht::Examenresultaat(e) = a.bericht else {
            panic!()
        };
        assert_eq!(e.pgn, Pgn::Burgerservicenummer("999990068".into()));
        assert_eq!(e.inschrijvingvolgnummer.as_deref(), Some("2021-0068"));
        assert_eq!(e.indicatie_teruggetrokken, Some(false));
        let u = e.uitslag.unwrap();
        assert_eq!(
            (u.examenregime, u.niveau, u.uitslag),
            (2026, Niveau::Havo, UitslagWaarde::Geslaagd)
        );
        assert_eq!(u.soort_waardedocument, Some(SoortWaardedocument::Diploma));
        let l = &e.cijferlijsten[0];
        assert_eq!(l.vakken.len(), 3);
        assert_eq!(
            l.vakken[0].centraal_examen,
            vec![
                CentraalExamen {
                    tijdvak: 1,
                    cijfer: 54
                },
                CentraalExamen {
                    tijdvak: 2,
                    cijfer: 71
                }
            ]
        );
        assert_eq!(
            l.vakken[0].herkansing,
            Some(Herkansing {
                examenregime: 2026,
                tijdvak: 2
            })
        );
        assert_eq!(l.vakken[1].beoordeling, Some(Beoordeling::Voldoende));
        assert_eq!(l.vakken[1].indicatie_inruil, Some(false));
        assert_eq!(
            l.vakken[2].reden_niet_deelname,
            Some(RedenNietDeelname::Vrijstelling)
        );
        assert_eq!(l.vakken[2].vervangen_vakcode.as_deref(), Some("1003"));
        assert_eq!(l.vakken[2].examendeel, Examendeel::Profiel);
        let w = l.werkstuk.as_ref().unwrap();
        assert_eq!(
            (w.titel.as_str(), w.cijfer, w.beoordeling),
            (
                "Waterbeheer in Groningen",
                Some(75),
                Some(Beoordeling::Goed)
            )
        );
    }

    #[test]
    fn identificatie_samples_read_addresses_and_choices() {
        let a = parse_aanlevering(
            Operation::AanleverenIdentificerenPersoonVO,
            &sample("aanleverenIdentificerenPersoonVO_Request.buitenland.xml"),
        )
        .unwrap();
        let Bericht::Identificatie(i) = a.bericht else {
            panic!()
        };
        assert_eq!(i.geslacht, Geslacht::Onbekend);
        assert_eq!(
            i.geboortedatum,
            Geboortedatum {
                jaar: 0,
                maand: 0,
                dag: 0
            }
        );
        let Zoekgegevens::ZonderPgn(z) = i.zoek else {
            panic!()
        };
        assert_eq!(z.voorvoegsels.as_deref(), Some("van"));
        assert_eq!(
            z.adres,
            Some(Adres::Buitenlands {
                adresregels: vec!["ul. Testowa 5".into(), "00-001 Warszawa".into()],
                landcode: Some("6020".into())
            })
        );
        let m = parse_aanlevering(
            Operation::AanleverenIdentificerenPersoonVO,
            &sample("aanleverenIdentificerenPersoonVO_Request.metPGN.xml"),
        )
        .unwrap();
        let Bericht::Identificatie(i) = m.bericht else {
            panic!()
        };
        assert_eq!(i.huidig_onderwijsnummer.as_deref(), Some("100000041"));
        assert_eq!(
            i.zoek,
            Zoekgegevens::MetPgn(Pgn::Burgerservicenummer("999990019".into()))
        );
    }

    #[test]
    fn full_inschrijving_sample_reads_every_field() {
        let a = parse_aanlevering(
            Operation::AanleverenInschrijvingVO,
            &sample("aanleverenInschrijvingVO_Request.full.xml"),
        )
        .unwrap();
        // +02:00 is normalised to UTC
        assert_eq!(a.kop.datum_tijd.to_rfc3339(), "2025-09-15T07:30:00+00:00");
        let Bericht::Inschrijving(i) = a.bericht else {
            panic!()
        };
        assert_eq!(i.pgn, Pgn::Onderwijsnummer("100000041".into()));
        assert_eq!(i.datum_uitschrijving, NaiveDate::from_ymd_opt(2026, 7, 31));
        let p = &i.perioden[0];
        assert_eq!(
            (
                p.leerjaar,
                p.indicatie_nieuwkomersbekostiging,
                p.vestiging.as_str()
            ),
            (Some(4), Some(false), "99AA01")
        );
        assert_eq!(p.onderwijslocatie.as_deref(), Some("100X002"));
        assert_eq!(
            i.ontwikkelingsperspectieven[0].datum_eind,
            NaiveDate::from_ymd_opt(2026, 7, 31)
        );
        assert_eq!(
            i.verblijven_andere_instelling[0].vestiging.as_deref(),
            Some("99VV00")
        );
    }

    #[test]
    fn entities_and_cdata_in_text_read_as_before() {
        let body = sample("aanleverenIdentificerenPersoonVO_Request.xml")
            .replace(">Haddad<", "> Had&amp;dad&#x41; <")
            .replace(">Proefstraat<", "><![CDATA[Proef<straat>]]><");
        let a = parse_aanlevering(Operation::AanleverenIdentificerenPersoonVO, &body).unwrap();
        let Bericht::Identificatie(i) = a.bericht else {
            panic!()
        };
        let Zoekgegevens::ZonderPgn(z) = i.zoek else {
            panic!()
        };
        assert_eq!(z.achternaam, "Had&dadA");
        let Some(Adres::Binnenlands { straatnaam, .. }) = z.adres else {
            panic!()
        };
        assert_eq!(straatnaam.as_deref(), Some("Proef<straat>"));
    }

    #[test]
    fn wrong_root_and_broken_xml_are_internal_failures() {
        let body = sample("aanleverenInschrijvingVO_Request.xml");
        let e = parse_aanlevering(Operation::AanleverenExamenresultaatVO, &body).unwrap_err();
        assert!(
            matches!(&e, ServiceError::Intern(t) if t.contains("wortelelement")),
            "{e:?}"
        );
        assert!(parse_aanlevering(Operation::AanleverenInschrijvingVO, &body).is_ok());
        assert!(matches!(
            parse_aanlevering(Operation::AanleverenInschrijvingVO, "<niet-af"),
            Err(ServiceError::Intern(_))
        ));
        assert!(matches!(
            parse_aanlevering(Operation::OphalenBerichtenVO, &body),
            Err(ServiceError::Intern(_))
        ));
    }
}
