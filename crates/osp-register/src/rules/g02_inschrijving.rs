//! RULES.md group 02 — inschrijving (AFKEURING): dates of the inschrijving, its periods,
//! ontwikkelingsperspectieven and verblijven andere instelling; codetabellen. Also the
//! waardenlijsten of an inschrijving, which DUO answers with fault DK0050, not a foutmelding.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{d, Context, Regel};
use crate::domain::{Foutmelding, Inschrijving, Persoon, Pgn};
use crate::service::ServiceError;

/// 0201: datumUitschrijving before datumInschrijving.
pub const R0201: Regel =
    Regel::afkeuring("0201", "Datum uitschrijving ligt voor datum inschrijving");
/// 0202: a period's datumBegin before datumInschrijving or after datumUitschrijving.
pub const R0202: Regel = Regel::afkeuring("0202", "Periode valt buiten de inschrijving");
/// 0203: two periods with the same datumBegin (periods are contiguous; each ends the day before
/// the next begins, so equal begin dates cannot be ordered).
pub const R0203: Regel = Regel::afkeuring("0203", "Twee perioden hebben dezelfde begindatum");
/// 0204: the earliest datumBegin differs from datumInschrijving.
pub const R0204: Regel =
    Regel::afkeuring("0204", "Eerste periode begint niet op datum inschrijving");
/// 0205: leerjaar present and outside 1..6.
pub const R0205: Regel = Regel::afkeuring("0205", "Leerjaar moet 1 tot en met 6 zijn");
/// 0206: opleidingcode unknown or not valid on the period's datumBegin (codetabel).
pub const R0206: Regel = Regel::afkeuring(
    "0206",
    "Opleidingcode is onbekend of niet geldig op begindatum periode",
);
/// 0207: OWN and a period beginning on or after 2025-08-01 without the nieuwkomers indicatie.
pub const R0207: Regel = Regel::afkeuring(
    "0207",
    "Indicatie nieuwkomersbekostiging ontbreekt bij leerling met onderwijsnummer",
);
/// 0208: datumInschrijving before the known birth date.
pub const R0208: Regel = Regel::afkeuring("0208", "Datum inschrijving ligt voor geboortedatum");
/// 0210: VAI datumEind before datumBegin.
pub const R0210: Regel = Regel::afkeuring(
    "0210",
    "Einddatum verblijf andere instelling ligt voor begindatum",
);
/// 0211: VAI brin not in RIO.
pub const R0211: Regel =
    Regel::afkeuring("0211", "Instelling verblijf andere instelling is onbekend");
/// 0212: OPP datumEind before datumBegin.
pub const R0212: Regel = Regel::afkeuring(
    "0212",
    "Einddatum ontwikkelingsperspectief ligt voor begindatum",
);

/// The rules of this group.
pub const REGELS: &[Regel] = &[
    R0201, R0202, R0203, R0204, R0205, R0206, R0207, R0208, R0210, R0211, R0212,
];

/// First day on which a period must carry `indicatieNieuwkomersbekostiging` for an OWN pupil
/// (seed ch. 3, field added 2025-08-01).
pub fn nieuwkomers_vanaf() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 8, 1).unwrap_or(NaiveDate::MIN)
}

/// Waardenlijsten (`experiment/naam`, `verblijfsoort`): an unknown value is a DK0050 fault.
pub fn waardenlijsten(ins: &Inschrijving, ctx: &Context<'_>) -> Result<(), ServiceError> {
    for p in &ins.perioden {
        if let Some(x) = p
            .experimenten
            .iter()
            .find(|x| !ctx.reference.experimenten.contains(*x))
        {
            return Err(ServiceError::OngeldigeWaarde {
                element: "naam".into(),
                waarde: x.clone(),
            });
        }
    }
    if let Some(v) = ins
        .verblijven_andere_instelling
        .iter()
        .find(|v| !ctx.reference.verblijfsoorten.contains(&v.verblijfsoort))
    {
        return Err(ServiceError::OngeldigeWaarde {
            element: "verblijfsoort".into(),
            waarde: v.verblijfsoort.clone(),
        });
    }
    Ok(())
}

/// Every group-02 check of an inschrijving. `persoon` is the known person (for 0208).
pub fn controleer(
    ins: &Inschrijving,
    persoon: Option<&Persoon>,
    ctx: &Context<'_>,
) -> Vec<Foutmelding> {
    let mut uit = Vec::new();
    let volg = ins.inschrijvingvolgnummer.as_str();

    // 0201
    if let Some(uitschrijving) = ins.datum_uitschrijving {
        if uitschrijving < ins.datum_inschrijving {
            uit.push(R0201.fout(&[
                ("inschrijvingvolgnummer", volg),
                ("datumUitschrijving", &d(uitschrijving)),
            ]));
        }
    }
    // 0202
    for p in &ins.perioden {
        let buiten = p.datum_begin < ins.datum_inschrijving
            || ins.datum_uitschrijving.is_some_and(|u| p.datum_begin > u);
        if buiten {
            uit.push(R0202.fout(&[
                ("inschrijvingvolgnummer", volg),
                ("datumBegin", &d(p.datum_begin)),
            ]));
        }
    }
    // 0203
    let mut per_datum: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for p in &ins.perioden {
        *per_datum.entry(p.datum_begin).or_default() += 1;
    }
    for (datum, _) in per_datum.iter().filter(|(_, n)| **n > 1) {
        uit.push(R0203.fout(&[("inschrijvingvolgnummer", volg), ("datumBegin", &d(*datum))]));
    }
    // 0204
    if let Some(eerste) = per_datum.keys().next() {
        if *eerste != ins.datum_inschrijving {
            uit.push(R0204.fout(&[
                ("inschrijvingvolgnummer", volg),
                ("datumBegin", &d(*eerste)),
            ]));
        }
    }
    for p in ins.perioden_op_datum() {
        let begin = d(p.datum_begin);
        // 0205
        if let Some(lj) = p.leerjaar {
            if !(1..=6).contains(&lj) {
                uit.push(R0205.fout(&[
                    ("inschrijvingvolgnummer", volg),
                    ("datumBegin", &begin),
                    ("leerjaar", &lj.to_string()),
                ]));
            }
        }
        // 0206 (hoofd- and aanvullende opleidingen)
        for code in std::iter::once(&p.opleidingcode).chain(&p.aanvullende_opleidingen) {
            if ctx.reference.opleiding_vo(code, p.datum_begin).is_none() {
                uit.push(R0206.fout(&[
                    ("inschrijvingvolgnummer", volg),
                    ("datumBegin", &begin),
                    ("opleidingcode", code),
                ]));
            }
        }
        // 0207
        if matches!(ins.pgn, Pgn::Onderwijsnummer(_))
            && p.datum_begin >= nieuwkomers_vanaf()
            && p.indicatie_nieuwkomersbekostiging.is_none()
        {
            uit.push(R0207.fout(&[("inschrijvingvolgnummer", volg), ("datumBegin", &begin)]));
        }
    }
    // 0208
    if let Some(geboren) = persoon.and_then(|p| p.geboortedatum.volledig()) {
        if ins.datum_inschrijving < geboren {
            uit.push(R0208.fout(&[
                ("inschrijvingvolgnummer", volg),
                ("datumInschrijving", &d(ins.datum_inschrijving)),
            ]));
        }
    }
    // 0210, 0211
    for v in &ins.verblijven_andere_instelling {
        if let Some(eind) = v.datum_eind {
            if eind < v.datum_begin {
                uit.push(R0210.fout(&[
                    ("inschrijvingvolgnummer", volg),
                    ("datumBegin", &d(v.datum_begin)),
                    ("datumEind", &d(eind)),
                ]));
            }
        }
        if !ctx.reference.instellingen.contains_key(&v.brin) {
            uit.push(R0211.fout(&[("inschrijvingvolgnummer", volg), ("brin", &v.brin)]));
        }
    }
    // 0212
    for o in &ins.ontwikkelingsperspectieven {
        if let Some(eind) = o.datum_eind {
            if eind < o.datum_begin {
                uit.push(R0212.fout(&[
                    ("inschrijvingvolgnummer", volg),
                    ("datumBegin", &d(o.datum_begin)),
                    ("datumEind", &d(eind)),
                ]));
            }
        }
    }
    uit
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::{Ontwikkelingsperspectief, Periode, VerblijfAndereInstelling};
    use crate::rules::testkit::{codes, ctx, date, reference};

    /// Sanne Jansen at 99AA as in the example envelope: passes every rule.
    pub fn sanne() -> Inschrijving {
        let periode = |begin: &str, leerjaar| Periode {
            datum_begin: date(begin),
            onderwijsaanbieder: Some("100A001".into()),
            onderwijslocatie: Some("100X001".into()),
            opleidingcode: "3001".into(),
            aanvullende_opleidingen: vec![],
            vestiging: "99AA00".into(),
            leerjaar: Some(leerjaar),
            indicatie_bekostigbaar: true,
            experimenten: vec![],
            indicatie_nieuwkomersbekostiging: None,
        };
        Inschrijving {
            pgn: Pgn::Burgerservicenummer("999990007".into()),
            brin: "99AA".into(),
            inschrijvingvolgnummer: "2025-0001".into(),
            datum_inschrijving: date("2024-08-01"),
            datum_uitschrijving: None,
            perioden: vec![periode("2024-08-01", 1), periode("2025-08-01", 2)],
            ontwikkelingsperspectieven: vec![],
            verblijven_andere_instelling: vec![],
        }
    }

    fn check(ins: &Inschrijving) -> Vec<String> {
        let p = reference().brp_persoon(ins.pgn.nummer());
        codes(&controleer(ins, p, &ctx()))
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn valid_inschrijving_passes() {
        assert!(check(&sanne()).is_empty());
        assert!(waardenlijsten(&sanne(), &ctx()).is_ok());
    }

    #[test]
    fn r0201_uitschrijving_before_inschrijving() {
        let mut i = sanne();
        i.datum_uitschrijving = Some(date("2024-07-31"));
        assert!(check(&i).contains(&"0201".to_string()));
        i.datum_uitschrijving = Some(date("2025-08-01")); // near miss (last period begins that day)
        assert!(check(&i).is_empty());
    }

    #[test]
    fn r0202_period_outside_inschrijving() {
        let mut i = sanne();
        i.datum_uitschrijving = Some(date("2025-07-31"));
        assert_eq!(check(&i), ["0202"]);
        i.datum_uitschrijving = Some(date("2025-08-01"));
        assert!(check(&i).is_empty());
    }

    #[test]
    fn r0203_same_begin_date() {
        let mut i = sanne();
        i.perioden[1].datum_begin = date("2024-08-01");
        let f = controleer(&i, None, &ctx());
        assert_eq!(codes(&f), ["0203"]);
        assert_eq!(f[0].sleutelgegevens[1].sleutelwaarde, "2024-08-01");
        i.perioden[1].datum_begin = date("2024-08-02");
        assert!(check(&i).is_empty());
    }

    #[test]
    fn r0204_first_period_not_on_inschrijving() {
        let mut i = sanne();
        i.perioden[0].datum_begin = date("2024-08-02");
        assert_eq!(check(&i), ["0204"]);
        // near miss: order of delivery does not matter, only the earliest date
        let mut j = sanne();
        j.perioden.reverse();
        assert!(check(&j).is_empty());
    }

    #[test]
    fn r0205_leerjaar() {
        let mut i = sanne();
        i.perioden[1].leerjaar = Some(7);
        assert_eq!(check(&i), ["0205"]);
        i.perioden[1].leerjaar = Some(0);
        assert_eq!(check(&i), ["0205"]);
        i.perioden[1].leerjaar = Some(6);
        assert!(check(&i).is_empty());
        i.perioden[1].leerjaar = None;
        assert!(check(&i).is_empty());
    }

    #[test]
    fn r0206_opleidingcode() {
        let mut i = sanne();
        i.perioden[1].opleidingcode = "9999".into();
        assert_eq!(check(&i), ["0206"]);
        i.perioden[1].opleidingcode = "0001".into(); // PO code is not valid in VO
        assert_eq!(check(&i), ["0206"]);
        i.perioden[1].opleidingcode = "3101".into();
        i.perioden[1].aanvullende_opleidingen = vec!["0000".into()];
        assert_eq!(check(&i), ["0206"]);
        i.perioden[1].aanvullende_opleidingen = vec!["0090".into()];
        assert!(check(&i).is_empty());
    }

    #[test]
    fn r0207_nieuwkomers_indicatie_for_own() {
        let mut i = sanne();
        i.pgn = Pgn::Onderwijsnummer("100000041".into());
        assert_eq!(check(&i), ["0207"]); // only the 2025-08-01 period
        i.perioden[1].indicatie_nieuwkomersbekostiging = Some(false);
        assert!(check(&i).is_empty());
        // near miss: BSN pupil needs no indicatie
        assert!(check(&sanne()).is_empty());
    }

    #[test]
    fn r0208_inschrijving_before_birth() {
        let mut i = sanne(); // born 2012-03-14
        i.datum_inschrijving = date("2012-03-13");
        i.perioden = vec![Periode {
            datum_begin: date("2012-03-13"),
            ..sanne().perioden[0].clone()
        }];
        assert_eq!(check(&i), ["0208"]);
        i.datum_inschrijving = date("2012-03-14");
        i.perioden[0].datum_begin = date("2012-03-14");
        assert!(check(&i).is_empty());
    }

    #[test]
    fn r0210_r0211_verblijf_andere_instelling() {
        let mut i = sanne();
        i.verblijven_andere_instelling = vec![VerblijfAndereInstelling {
            datum_begin: date("2025-01-10"),
            datum_eind: Some(date("2025-01-09")),
            brin: "99VV".into(),
            vestiging: Some("99VV00".into()),
            verblijfsoort: "VAVO".into(),
        }];
        assert_eq!(check(&i), ["0210"]);
        i.verblijven_andere_instelling[0].datum_eind = Some(date("2025-01-10"));
        assert!(check(&i).is_empty());
        i.verblijven_andere_instelling[0].brin = "98ZZ".into();
        assert_eq!(check(&i), ["0211"]);
    }

    #[test]
    fn r0212_ontwikkelingsperspectief() {
        let mut i = sanne();
        i.ontwikkelingsperspectieven = vec![Ontwikkelingsperspectief {
            datum_begin: date("2025-01-10"),
            datum_eind: Some(date("2025-01-01")),
        }];
        assert_eq!(check(&i), ["0212"]);
        i.ontwikkelingsperspectieven[0].datum_eind = None;
        assert!(check(&i).is_empty());
    }

    #[test]
    fn all_faults_reported_together() {
        let mut i = sanne();
        i.datum_uitschrijving = Some(date("2024-01-01"));
        i.perioden[1].leerjaar = Some(9);
        i.perioden[1].opleidingcode = "9999".into();
        let c = check(&i);
        for code in ["0201", "0202", "0205", "0206"] {
            assert!(c.contains(&code.to_string()), "{code} in {c:?}");
        }
    }

    #[test]
    fn waardenlijsten_are_faults() {
        let mut i = sanne();
        i.perioden[0].experimenten = vec!["VERSNELD_PROGRAMMA_VWO".into()];
        assert!(waardenlijsten(&i, &ctx()).is_ok());
        i.perioden[0].experimenten.push("ONBEKEND".into());
        assert_eq!(
            waardenlijsten(&i, &ctx()),
            Err(ServiceError::OngeldigeWaarde {
                element: "naam".into(),
                waarde: "ONBEKEND".into()
            })
        );
        let mut j = sanne();
        j.verblijven_andere_instelling = vec![VerblijfAndereInstelling {
            datum_begin: date("2025-01-10"),
            datum_eind: None,
            brin: "99VV".into(),
            vestiging: None,
            verblijfsoort: "OPDX".into(),
        }];
        let e = waardenlijsten(&j, &ctx()).unwrap_err();
        assert_eq!(e.to_string(), "Ongeldige waarde voor verblijfsoort: OPDX");
    }
}
