//! RULES.md group 05 — examenresultaat: AFKEURING on RIO, dates, grade range, cum laude and
//! vakcodes; MELDING when a GESLAAGD uitslag contradicts the grades (ch. 16 slaag-zakregeling).

use std::collections::BTreeSet;

use super::{d, g09_context, Context, Regel};
use crate::domain::{Examenresultaat, Foutmelding, Niveau, UitslagWaarde, Vak};

/// 0501: onderwijsaanbieder not of the instelling (RIO).
pub const R0501: Regel =
    Regel::afkeuring("0501", "Onderwijsaanbieder hoort niet bij de instelling");
/// 0502: datumUitslag after the register date.
pub const R0502: Regel = Regel::afkeuring("0502", "Datum uitslag ligt in de toekomst");
/// 0503: any grade outside 10..100.
pub const R0503: Regel = Regel::afkeuring("0503", "Cijfer moet tussen 10 en 100 liggen");
/// 0504: cum laude without uitslag GESLAAGD.
pub const R0504: Regel =
    Regel::afkeuring("0504", "Cum laude is alleen mogelijk bij uitslag geslaagd");
/// 0505: vakcode not in the codetabel.
pub const R0505: Regel = Regel::afkeuring("0505", "Vakcode is onbekend");
/// 0506: the same vakcode twice in one cijferlijst.
pub const R0506: Regel = Regel::afkeuring("0506", "Vak komt meer dan eens voor op de cijferlijst");
/// 0551: HAVO/VWO/VMBO_GL/VMBO_TL geslaagd with a mean best CE per diplomavak below 55.
pub const R0551: Regel = Regel::melding(
    "0551",
    "Uitslag geslaagd terwijl het gemiddelde centraal examencijfer onder 5,5 ligt",
);
/// 0552: HAVO/VWO geslaagd with a diplomavak eindcijfer below 40.
pub const R0552: Regel = Regel::melding(
    "0552",
    "Uitslag geslaagd terwijl een eindcijfer lager dan 4 is",
);
/// 0553: geslaagd with more than one 5, or a 4 and a 5, among rounded diplomavak eindcijfers.
pub const R0553: Regel = Regel::melding("0553", "Uitslag geslaagd met te veel onvoldoendes");

/// The rules of this group.
pub const REGELS: &[Regel] = &[
    R0501, R0502, R0503, R0504, R0505, R0506, R0551, R0552, R0553,
];

/// Every group-05 check of an examenresultaat.
pub fn controleer(er: &Examenresultaat, ctx: &Context<'_>) -> Vec<Foutmelding> {
    let mut uit = Vec::new();
    let volg = er.examenresultaatvolgnummer.as_str();
    let kop = ("examenresultaatvolgnummer", volg);

    // 0501
    if !g09_context::aanbieder_van_instelling(&er.brin, &er.onderwijsaanbieder, ctx) {
        uit.push(R0501.fout(&[kop, ("onderwijsaanbieder", &er.onderwijsaanbieder)]));
    }
    if let Some(u) = &er.uitslag {
        // 0502
        if u.datum_uitslag > ctx.vandaag {
            uit.push(R0502.fout(&[kop, ("datumUitslag", &d(u.datum_uitslag))]));
        }
        // 0504
        if u.indicatie_cum_laude == Some(true) && u.uitslag != UitslagWaarde::Geslaagd {
            uit.push(R0504.fout(&[kop, ("uitslag", "AFGEWEZEN")]));
        }
    }
    for lijst in &er.cijferlijsten {
        let mut gezien = BTreeSet::new();
        let mut dubbel = BTreeSet::new();
        for vak in &lijst.vakken {
            // 0503
            for (element, cijfer) in cijfers(vak) {
                if !(10..=100).contains(&cijfer) {
                    uit.push(R0503.fout(&[
                        kop,
                        ("vakcode", &vak.vakcode),
                        (element, &cijfer.to_string()),
                    ]));
                }
            }
            // 0505
            for code in std::iter::once(&vak.vakcode).chain(vak.vervangen_vakcode.as_ref()) {
                if !ctx.reference.vakcodes.contains_key(code) {
                    uit.push(R0505.fout(&[kop, ("vakcode", code)]));
                }
            }
            // 0506
            if !gezien.insert(vak.vakcode.as_str()) {
                dubbel.insert(vak.vakcode.as_str());
            }
        }
        if let Some(c) = lijst.werkstuk.as_ref().and_then(|w| w.cijfer) {
            if !(10..=100).contains(&c) {
                uit.push(R0503.fout(&[kop, ("werkstuk", &c.to_string())]));
            }
        }
        for vakcode in dubbel {
            uit.push(R0506.fout(&[
                kop,
                ("opleidingcode", &lijst.opleidingcode),
                ("vakcode", vakcode),
            ]));
        }
    }
    uit.extend(slaagregeling(er));
    uit
}

/// The grades of a vak with the element that carries each (schoolexamen, CE cijfer, eindcijfer).
fn cijfers(vak: &Vak) -> Vec<(&'static str, u16)> {
    let mut v = Vec::new();
    v.extend(vak.schoolexamen.map(|c| ("schoolexamen", c)));
    v.extend(vak.centraal_examen.iter().map(|ce| ("cijfer", ce.cijfer)));
    v.extend(vak.eindcijfer.map(|c| ("eindcijfer", c)));
    v
}

/// 0551–0553: MELDINGen when a GESLAAGD uitslag contradicts the diplomavak grades.
fn slaagregeling(er: &Examenresultaat) -> Vec<Foutmelding> {
    let mut uit = Vec::new();
    let Some(u) = er
        .uitslag
        .as_ref()
        .filter(|u| u.uitslag == UitslagWaarde::Geslaagd)
    else {
        return uit;
    };
    let kop = (
        "examenresultaatvolgnummer",
        er.examenresultaatvolgnummer.as_str(),
    );
    let sleutel = [kop, ("niveau", u.niveau.code()), ("uitslag", "GESLAAGD")];
    let diplomavakken: Vec<&Vak> = er
        .cijferlijsten
        .iter()
        .flat_map(|l| &l.vakken)
        .filter(|v| v.indicatie_diplomavak)
        .collect();

    // 0551: mean of the best CE grade per diplomavak that has CE grades.
    if matches!(
        u.niveau,
        Niveau::Havo | Niveau::Vwo | Niveau::VmboGl | Niveau::VmboTl
    ) {
        let beste: Vec<u32> = diplomavakken
            .iter()
            .filter_map(|v| v.centraal_examen.iter().map(|c| u32::from(c.cijfer)).max())
            .collect();
        if !beste.is_empty() && beste.iter().sum::<u32>() < 55 * beste.len() as u32 {
            uit.push(R0551.fout(&sleutel));
        }
    }
    let eindcijfers: Vec<u16> = diplomavakken.iter().filter_map(|v| v.eindcijfer).collect();
    // 0552
    if matches!(u.niveau, Niveau::Havo | Niveau::Vwo) && eindcijfers.iter().any(|c| *c < 40) {
        uit.push(R0552.fout(&sleutel));
    }
    // 0553: rounded to whole grades (×10 representation: 54 → 5, 55 → 6).
    let afgerond: Vec<u16> = eindcijfers.iter().map(|c| (c + 5) / 10).collect();
    let vijven = afgerond.iter().filter(|c| **c == 5).count();
    let vieren = afgerond.iter().filter(|c| **c == 4).count();
    if vijven > 1 || (vieren >= 1 && vijven >= 1) {
        uit.push(R0553.fout(&sleutel));
    }
    uit
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::{
        CentraalExamen, Cijferlijst, Examendeel, Pgn, SoortWaardedocument, Uitslag, Werkstuk,
    };
    use crate::rules::testkit::{codes, ctx, date};

    /// A vak with SE, one CE and an eindcijfer.
    pub fn vak(code: &str, ce: u16, eind: u16) -> Vak {
        Vak {
            volgnummer_resultaat: format!("{code}-1"),
            vakcode: code.into(),
            examendeel: Examendeel::Gemeenschappelijk,
            schoolexamen: Some(eind),
            centraal_examen: vec![CentraalExamen {
                tijdvak: 1,
                cijfer: ce,
            }],
            eindcijfer: Some(eind),
            beoordeling: None,
            indicatie_diplomavak: true,
            indicatie_combinatiecijfer: false,
            indicatie_werkstuk: false,
            indicatie_inruil: None,
            reden_niet_deelname: None,
            vervangen_vakcode: None,
            herkansing: None,
        }
    }

    /// Finn Mulder, HAVO, geslaagd with sound grades: passes every rule.
    pub fn finn() -> Examenresultaat {
        Examenresultaat {
            pgn: Pgn::Burgerservicenummer("999990068".into()),
            brin: "99AA".into(),
            examenresultaatvolgnummer: "EX-2025-1".into(),
            onderwijsaanbieder: "100A001".into(),
            vestiging: Some("99AA00".into()),
            inschrijvingvolgnummer: None,
            indicatie_teruggetrokken: None,
            indicatie_eerder_leerjaar: None,
            indicatie_gespreid_examen: None,
            indicatie_doorlopende_leerlijn: None,
            uitslag: Some(Uitslag {
                examenregime: 2025,
                niveau: Niveau::Havo,
                datum_uitslag: date("2025-07-10"),
                uitslag: UitslagWaarde::Geslaagd,
                soort_waardedocument: Some(SoortWaardedocument::Diploma),
                indicatie_cum_laude: Some(false),
            }),
            cijferlijsten: vec![Cijferlijst {
                opleidingcode: "3001".into(),
                vakken: vec![
                    vak("1001", 60, 65),
                    vak("1002", 70, 70),
                    vak("1003", 58, 60),
                ],
                werkstuk: Some(Werkstuk {
                    volgnummer_resultaat: "PWS".into(),
                    titel: "Onderzoek".into(),
                    cijfer: Some(70),
                    beoordeling: None,
                }),
            }],
        }
    }

    fn check(er: &Examenresultaat) -> Vec<String> {
        codes(&controleer(er, &ctx()))
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn valid_examenresultaat_passes() {
        assert!(check(&finn()).is_empty());
        assert!(g09_context::controleer_examenresultaat(&finn(), &ctx()).is_empty());
    }

    #[test]
    fn r0501_aanbieder() {
        let mut e = finn();
        e.onderwijsaanbieder = "100A002".into();
        assert_eq!(check(&e), ["0501"]);
    }

    #[test]
    fn r0502_datum_uitslag_in_future() {
        let mut e = finn();
        if let Some(u) = e.uitslag.as_mut() {
            u.datum_uitslag = date("2025-09-16");
        }
        assert_eq!(check(&e), ["0502"]);
        if let Some(u) = e.uitslag.as_mut() {
            u.datum_uitslag = date("2025-09-15");
        }
        assert!(check(&e).is_empty());
    }

    #[test]
    fn r0503_grade_range() {
        let mut e = finn();
        e.cijferlijsten[0].vakken[0].schoolexamen = Some(101);
        let f = controleer(&e, &ctx());
        assert_eq!(codes(&f), ["0503"]);
        assert_eq!(f[0].sleutelgegevens[2].sleutelnaam, "schoolexamen");
        e.cijferlijsten[0].vakken[0].schoolexamen = Some(100);
        assert!(check(&e).is_empty());
        e.cijferlijsten[0].vakken[1].centraal_examen[0].cijfer = 9;
        assert!(check(&e).contains(&"0503".to_string()));
        let mut w = finn();
        if let Some(ws) = w.cijferlijsten[0].werkstuk.as_mut() {
            ws.cijfer = Some(5);
        }
        assert_eq!(check(&w), ["0503"]);
        if let Some(ws) = w.cijferlijsten[0].werkstuk.as_mut() {
            ws.cijfer = Some(10);
        }
        assert!(check(&w).is_empty());
    }

    #[test]
    fn r0504_cum_laude_needs_geslaagd() {
        let mut e = finn();
        if let Some(u) = e.uitslag.as_mut() {
            u.uitslag = UitslagWaarde::Afgewezen;
            u.indicatie_cum_laude = Some(true);
        }
        assert_eq!(check(&e), ["0504"]);
        if let Some(u) = e.uitslag.as_mut() {
            u.uitslag = UitslagWaarde::Geslaagd;
        }
        assert!(check(&e).is_empty());
    }

    #[test]
    fn r0505_unknown_vakcode() {
        let mut e = finn();
        e.cijferlijsten[0].vakken[2].vakcode = "1999".into();
        assert_eq!(check(&e), ["0505"]);
        let mut v = finn();
        v.cijferlijsten[0].vakken[2].vervangen_vakcode = Some("2999".into());
        assert_eq!(check(&v), ["0505"]);
        v.cijferlijsten[0].vakken[2].vervangen_vakcode = Some("1004".into());
        assert!(check(&v).is_empty());
    }

    #[test]
    fn r0506_duplicate_vak() {
        let mut e = finn();
        e.cijferlijsten[0].vakken[2].vakcode = "1001".into();
        assert_eq!(check(&e), ["0506"]);
        // near miss: the same vak on two different cijferlijsten
        let mut t = finn();
        let mut tweede = t.cijferlijsten[0].clone();
        tweede.opleidingcode = "3101".into();
        t.cijferlijsten.push(tweede);
        assert!(check(&t).is_empty());
    }

    #[test]
    fn r0551_mean_ce_below_55() {
        let mut e = finn();
        e.cijferlijsten[0].vakken = vec![
            vak("1001", 50, 65),
            vak("1002", 55, 70),
            vak("1003", 55, 60),
        ];
        let f = controleer(&e, &ctx());
        assert_eq!(codes(&f), ["0551"]);
        assert_eq!(f[0].ernst, crate::domain::Ernst::Melding);
        // near miss: best CE counts (a resit of 65 lifts the mean to 58.3)
        e.cijferlijsten[0].vakken[0]
            .centraal_examen
            .push(CentraalExamen {
                tijdvak: 2,
                cijfer: 65,
            });
        assert!(check(&e).is_empty());
        // near miss: VMBO_BB is not checked
        let mut b = finn();
        b.cijferlijsten[0].vakken = vec![vak("1001", 40, 65)];
        if let Some(u) = b.uitslag.as_mut() {
            u.niveau = Niveau::VmboBb;
        }
        assert!(check(&b).is_empty());
    }

    #[test]
    fn r0552_eindcijfer_below_4() {
        let mut e = finn();
        e.cijferlijsten[0].vakken.push(vak("1005", 70, 39));
        assert!(check(&e).contains(&"0552".to_string()));
        e.cijferlijsten[0].vakken[3].eindcijfer = Some(40);
        assert!(!check(&e).contains(&"0552".to_string()));
        // near miss: not a diplomavak
        let mut n = finn();
        let mut v = vak("1005", 70, 30);
        v.indicatie_diplomavak = false;
        n.cijferlijsten[0].vakken.push(v);
        assert!(check(&n).is_empty());
    }

    #[test]
    fn r0553_too_many_fails() {
        let mut e = finn();
        e.cijferlijsten[0].vakken.push(vak("1005", 70, 50));
        assert!(check(&e).is_empty()); // one 5 is allowed
        e.cijferlijsten[0].vakken.push(vak("1006", 70, 54)); // rounds to 5
        assert_eq!(check(&e), ["0553"]);
        e.cijferlijsten[0].vakken[4].eindcijfer = Some(55); // rounds to 6
        assert!(check(&e).is_empty());
        e.cijferlijsten[0].vakken[4].eindcijfer = Some(40); // a 4 and a 5
        assert_eq!(check(&e), ["0553"]);
        // near miss: afgewezen is never checked
        if let Some(u) = e.uitslag.as_mut() {
            u.uitslag = UitslagWaarde::Afgewezen;
            u.indicatie_cum_laude = None;
        }
        assert!(check(&e).is_empty());
    }

    #[test]
    fn examen_context_rules() {
        let mut e = finn();
        e.vestiging = Some("99BB00".into());
        assert_eq!(
            codes(&g09_context::controleer_examenresultaat(&e, &ctx())),
            ["0903"]
        );
        let c = Context {
            from_oin: "0000000700099BB00000",
            ..ctx()
        };
        assert!(g09_context::autorisatie(&finn().brin, &c).is_some());
        assert!(g09_context::controleer_examenresultaat(&finn(), &c).is_empty());
        let mut u = finn();
        if let Some(x) = u.uitslag.as_mut() {
            x.datum_uitslag = date("1999-07-01");
        }
        assert_eq!(
            codes(&g09_context::controleer_examenresultaat(&u, &ctx())),
            ["0902"]
        );
    }
}
