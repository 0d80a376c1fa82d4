//! Request bodies → domain (SPEC §5). Element names are DUO's; the tree is schema-valid, so each
//! function reads the structure of one request type by local name.

use chrono::NaiveDate;
use osp_model::Operation;

use super::tree::{parse, Element, WireError};
use crate::domain::bericht::parse_datum_tijd;
use crate::domain::*;
use crate::service::ServiceError;

fn fout(e: WireError) -> ServiceError {
    ServiceError::Intern(format!("bericht onleesbaar: {e}"))
}

fn waarde(element: &str, tekst: &str) -> WireError {
    WireError::Inhoud(element.into(), format!("ongeldige waarde {tekst:?}"))
}

fn datum(el: &Element, name: &str) -> Result<NaiveDate, WireError> {
    let t = el.req(name)?;
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| waarde(name, &t))
}

fn opt_datum(el: &Element, name: &str) -> Result<Option<NaiveDate>, WireError> {
    match el.opt(name) {
        Some(t) => NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| waarde(name, &t)),
        None => Ok(None),
    }
}

fn boolean(t: &str, name: &str) -> Result<bool, WireError> {
    match t {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(waarde(name, t)),
    }
}

fn opt_bool(el: &Element, name: &str) -> Result<Option<bool>, WireError> {
    el.opt(name).map(|t| boolean(&t, name)).transpose()
}

fn req_bool(el: &Element, name: &str) -> Result<bool, WireError> {
    boolean(&el.req(name)?, name)
}

fn getal<T: std::str::FromStr>(el: &Element, name: &str) -> Result<T, WireError> {
    let t = el.req(name)?;
    t.parse().map_err(|_| waarde(name, &t))
}

fn opt_getal<T: std::str::FromStr>(el: &Element, name: &str) -> Result<Option<T>, WireError> {
    el.opt(name)
        .map(|t| t.parse().map_err(|_| waarde(name, &t)))
        .transpose()
}

fn kop(root: &Element) -> Result<Bedrijfsdocument, WireError> {
    let t = root.req("datumTijdBedrijfsdocument")?;
    Ok(Bedrijfsdocument {
        identificatiecode: root.req("identificatiecodeBedrijfsdocument")?,
        verzendende_instantie: root.req("verzendendeInstantie")?,
        ontvangende_instantie: root.req("ontvangendeInstantie")?,
        datum_tijd: parse_datum_tijd(&t).ok_or_else(|| waarde("datumTijdBedrijfsdocument", &t))?,
    })
}

fn pgn(el: &Element) -> Result<Pgn, WireError> {
    if let Some(b) = el.opt("burgerservicenummer") {
        return Ok(Pgn::Burgerservicenummer(b));
    }
    el.opt("onderwijsnummer")
        .map(Pgn::Onderwijsnummer)
        .ok_or_else(|| {
            WireError::Inhoud(
                "burgerservicenummer|onderwijsnummer".into(),
                "ontbreekt".into(),
            )
        })
}

fn periode(p: &Element) -> Result<Periode, WireError> {
    Ok(Periode {
        datum_begin: datum(p, "datumBegin")?,
        onderwijsaanbieder: p.opt("onderwijsaanbieder"),
        onderwijslocatie: p.opt("onderwijslocatie"),
        opleidingcode: p.req("opleidingcode")?,
        aanvullende_opleidingen: p
            .all("aanvullendeOpleiding")
            .map(|a| a.req("opleidingcode"))
            .collect::<Result<_, _>>()?,
        vestiging: p.req("vestiging")?,
        leerjaar: opt_getal(p, "leerjaar")?,
        indicatie_bekostigbaar: req_bool(p, "indicatieBekostigbaar")?,
        experimenten: p
            .all("experiment")
            .map(|x| x.req("naam"))
            .collect::<Result<_, _>>()?,
        indicatie_nieuwkomersbekostiging: opt_bool(p, "indicatieNieuwkomersbekostiging")?,
    })
}

fn inschrijving(r: &Element) -> Result<Inschrijving, WireError> {
    Ok(Inschrijving {
        pgn: pgn(r)?,
        brin: r.req("brin")?,
        inschrijvingvolgnummer: r.req("inschrijvingvolgnummer")?,
        datum_inschrijving: datum(r, "datumInschrijving")?,
        datum_uitschrijving: opt_datum(r, "datumUitschrijving")?,
        perioden: r
            .all("inschrijvingPeriodeVO")
            .map(periode)
            .collect::<Result<_, _>>()?,
        ontwikkelingsperspectieven: r
            .all("ontwikkelingsperspectief")
            .map(|o| {
                Ok(Ontwikkelingsperspectief {
                    datum_begin: datum(o, "datumBegin")?,
                    datum_eind: opt_datum(o, "datumEind")?,
                })
            })
            .collect::<Result<_, WireError>>()?,
        verblijven_andere_instelling: r
            .all("verblijfAndereInstelling")
            .map(|v| {
                Ok(VerblijfAndereInstelling {
                    datum_begin: datum(v, "datumBegin")?,
                    datum_eind: opt_datum(v, "datumEind")?,
                    brin: v.req("brin")?,
                    vestiging: v.opt("vestiging"),
                    verblijfsoort: v.req("verblijfsoort")?,
                })
            })
            .collect::<Result<_, WireError>>()?,
    })
}

fn adres(z: &Element) -> Option<Adres> {
    if let Some(b) = z.child("binnenlandsAdres") {
        return Some(Adres::Binnenlands {
            straatnaam: b.opt("straatnaam"),
            huisnummer: b.opt("huisnummer"),
            huisletter: b.opt("huisletter"),
            huisnummer_toevoeging: b.opt("huisnummerToevoeging"),
            postcode: b.opt("postcode"),
            plaatsnaam: b.opt("plaatsnaam"),
        });
    }
    z.child("buitenlandsAdres").map(|b| Adres::Buitenlands {
        adresregels: [
            "adresregelBuitenland1",
            "adresregelBuitenland2",
            "adresregelBuitenland3",
        ]
        .iter()
        .filter_map(|n| b.opt(n))
        .collect(),
        landcode: b.opt("landcode"),
    })
}

fn identificatie(r: &Element) -> Result<Identificatie, WireError> {
    let g = r.req("geboorteDatum")?;
    let s = r.req("geslacht")?;
    let zoek = if let Some(m) = r.child("metPGN") {
        Zoekgegevens::MetPgn(pgn(m)?)
    } else {
        let z = r.req_el("zonderPGN")?;
        Zoekgegevens::ZonderPgn(ZonderPgn {
            achternaam: z.req("achternaam")?,
            voorvoegsels: z.opt("voorvoegsels"),
            voornamen: z.opt("voornamen"),
            adres: adres(z),
        })
    };
    Ok(Identificatie {
        huidig_onderwijsnummer: r.opt("huidigOnderwijsnummer"),
        geboortedatum: Geboortedatum::parse(&g).ok_or_else(|| waarde("geboorteDatum", &g))?,
        geslacht: Geslacht::uit_code(&s).ok_or_else(|| waarde("geslacht", &s))?,
        zoek,
    })
}

fn keuze<T>(el: &Element, name: &str, f: impl Fn(&str) -> Option<T>) -> Result<T, WireError> {
    let t = el.req(name)?;
    f(&t).ok_or_else(|| waarde(name, &t))
}

fn opt_keuze<T>(
    el: &Element,
    name: &str,
    f: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, WireError> {
    el.opt(name)
        .map(|t| f(&t).ok_or_else(|| waarde(name, &t)))
        .transpose()
}

fn beoordeling(t: &str) -> Option<Beoordeling> {
    match t {
        "GOED" => Some(Beoordeling::Goed),
        "VOLDOENDE" => Some(Beoordeling::Voldoende),
        "ONVOLDOENDE" => Some(Beoordeling::Onvoldoende),
        _ => None,
    }
}

fn vak(v: &Element) -> Result<Vak, WireError> {
    Ok(Vak {
        volgnummer_resultaat: v.req("volgnummerResultaat")?,
        vakcode: v.req("vakcode")?,
        examendeel: keuze(v, "examendeel", |t| match t {
            "GEMEENSCHAPPELIJK" => Some(Examendeel::Gemeenschappelijk),
            "PROFIEL" => Some(Examendeel::Profiel),
            "VRIJ" => Some(Examendeel::Vrij),
            _ => None,
        })?,
        schoolexamen: opt_getal(v, "schoolexamen")?,
        centraal_examen: v
            .all("centraalExamen")
            .map(|c| {
                Ok(CentraalExamen {
                    tijdvak: getal(c, "tijdvak")?,
                    cijfer: getal(c, "cijfer")?,
                })
            })
            .collect::<Result<_, WireError>>()?,
        eindcijfer: opt_getal(v, "eindcijfer")?,
        beoordeling: opt_keuze(v, "beoordeling", beoordeling)?,
        indicatie_diplomavak: req_bool(v, "indicatieDiplomavak")?,
        indicatie_combinatiecijfer: req_bool(v, "indicatieCombinatiecijfer")?,
        indicatie_werkstuk: req_bool(v, "indicatieWerkstuk")?,
        indicatie_inruil: opt_bool(v, "indicatieInruil")?,
        reden_niet_deelname: opt_keuze(v, "redenNietDeelname", |t| match t {
            "VRIJSTELLING" => Some(RedenNietDeelname::Vrijstelling),
            "ONTHEFFING" => Some(RedenNietDeelname::Ontheffing),
            _ => None,
        })?,
        vervangen_vakcode: v.opt("vervangenVakcode"),
        herkansing: v
            .child("herkansing")
            .map(|h| {
                Ok::<_, WireError>(Herkansing {
                    examenregime: getal(h, "examenregime")?,
                    tijdvak: getal(h, "tijdvak")?,
                })
            })
            .transpose()?,
    })
}

fn examenresultaat(r: &Element) -> Result<Examenresultaat, WireError> {
    let uitslag = match r.child("uitslag") {
        Some(u) => Some(Uitslag {
            examenregime: getal(u, "examenregime")?,
            niveau: keuze(u, "niveau", Niveau::parse)?,
            datum_uitslag: datum(u, "datumUitslag")?,
            uitslag: keuze(u, "uitslag", |t| match t {
                "GESLAAGD" => Some(UitslagWaarde::Geslaagd),
                "AFGEWEZEN" => Some(UitslagWaarde::Afgewezen),
                _ => None,
            })?,
            soort_waardedocument: opt_keuze(u, "soortWaardedocument", |t| match t {
                "DIPLOMA" => Some(SoortWaardedocument::Diploma),
                "CERTIFICAAT" => Some(SoortWaardedocument::Certificaat),
                _ => None,
            })?,
            indicatie_cum_laude: opt_bool(u, "indicatieCumLaude")?,
        }),
        None => None,
    };
    Ok(Examenresultaat {
        pgn: pgn(r)?,
        brin: r.req("brin")?,
        examenresultaatvolgnummer: r.req("examenresultaatvolgnummer")?,
        onderwijsaanbieder: r.req("onderwijsaanbieder")?,
        vestiging: r.opt("vestiging"),
        inschrijvingvolgnummer: r.opt("inschrijvingvolgnummer"),
        indicatie_teruggetrokken: opt_bool(r, "indicatieTeruggetrokken")?,
        indicatie_eerder_leerjaar: opt_bool(r, "indicatieEerderLeerjaar")?,
        indicatie_gespreid_examen: opt_bool(r, "indicatieGespreidExamen")?,
        indicatie_doorlopende_leerlijn: opt_bool(r, "indicatieDoorlopendeLeerlijn")?,
        uitslag,
        cijferlijsten: r
            .all("cijferlijst")
            .map(|c| {
                Ok(Cijferlijst {
                    opleidingcode: c.req("opleidingcode")?,
                    vakken: c.all("vak").map(vak).collect::<Result<_, _>>()?,
                    werkstuk: c
                        .child("werkstuk")
                        .map(|w| {
                            Ok::<_, WireError>(Werkstuk {
                                volgnummer_resultaat: w.req("volgnummerResultaat")?,
                                titel: w.req("titel")?,
                                cijfer: opt_getal(w, "cijfer")?,
                                beoordeling: opt_keuze(w, "beoordeling", beoordeling)?,
                            })
                        })
                        .transpose()?,
                })
            })
            .collect::<Result<_, WireError>>()?,
    })
}

/// Reads the body of an aanleveren operation; the root must be `{operation}_Request` in the
/// operation's contract namespace.
pub fn parse_aanlevering(operation: Operation, body: &str) -> Result<Aanlevering, ServiceError> {
    let root = parse(body).map_err(fout)?;
    if root.name != operation.request_element() || root.ns != operation.contract().schema_ns() {
        return Err(ServiceError::Intern(format!(
            "wortelelement {{{}}}{} past niet bij {}",
            root.ns,
            root.name,
            operation.name()
        )));
    }
    let kop = kop(&root).map_err(fout)?;
    let bericht = match operation {
        Operation::AanleverenInschrijvingVO => {
            Bericht::Inschrijving(inschrijving(&root).map_err(fout)?)
        }
        Operation::AanleverenVerwijderingInschrijvingVO => {
            Bericht::VerwijderingInschrijving(VerwijderingInschrijving {
                pgn: pgn(&root).map_err(fout)?,
                brin: root.req("brin").map_err(fout)?,
                inschrijvingvolgnummer: root.req("inschrijvingvolgnummer").map_err(fout)?,
            })
        }
        Operation::AanleverenIdentificerenPersoonVO => {
            Bericht::Identificatie(identificatie(&root).map_err(fout)?)
        }
        Operation::AanleverenExamenresultaatVO => {
            Bericht::Examenresultaat(examenresultaat(&root).map_err(fout)?)
        }
        Operation::AanleverenVerwijderingExamenresultaatVO => {
            Bericht::VerwijderingExamenresultaat(VerwijderingExamenresultaat {
                pgn: pgn(&root).map_err(fout)?,
                brin: root.req("brin").map_err(fout)?,
                examenresultaatvolgnummer: root.req("examenresultaatvolgnummer").map_err(fout)?,
            })
        }
        Operation::OphalenBerichtenVO | Operation::BevestigenBerichtenVO => {
            return Err(ServiceError::Intern(format!(
                "{} is geen aanlevering",
                operation.name()
            )))
        }
    };
    Ok(Aanlevering { kop, bericht })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
