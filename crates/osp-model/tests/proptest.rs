//! Property: any value the generated model can hold with facet-respecting field values
//! serialises to schema-valid XML (checked by libxml2) and reads back equal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test fails by panicking

use osp_model::messages::*;
use osp_model::xs::{XsBoolean, XsDate, XsDateTime};
use osp_model::{from_xml, to_xml, Contract, Validator};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn s(re: &'static str) -> impl Strategy<Value = String> {
    proptest::string::string_regex(re).unwrap()
}

fn date() -> impl Strategy<Value = XsDate> {
    (1900i32..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| XsDate::new(y, m, d).unwrap())
}

fn date_time() -> impl Strategy<Value = XsDateTime> {
    (
        1900i32..2100,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        0u8..60,
        0u16..1000,
        any::<bool>(),
    )
        .prop_map(|(y, mo, d, h, mi, se, ms, z)| {
            let tz = if z { "Z" } else { "+02:00" };
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}.{ms:03}{tz}")
                .parse()
                .unwrap()
        })
}

fn boolean() -> impl Strategy<Value = XsBoolean> {
    any::<bool>().prop_map(XsBoolean)
}

/// Free text including characters that need escaping.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-zA-Z0-9<>&'\"é€ .-]{{1,{max}}}"))
        .unwrap()
        .prop_filter("not blank at the edges", |t| t.trim() == t)
}

fn uuid() -> impl Strategy<Value = core::IdentificatiecodeType> {
    s("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
        .prop_map(core::IdentificatiecodeType)
}

fn pgn() -> impl Strategy<Value = bas::InschrijvingContent4Type> {
    prop_oneof![
        s("[0-9]{9}").prop_map(|v| bas::InschrijvingContent4Type::Burgerservicenummer(
            gwb::BurgerservicenummerType(v)
        )),
        s("[0-9]{9}").prop_map(|v| bas::InschrijvingContent4Type::Onderwijsnummer(
            gwb::OnderwijsnummerType(v)
        )),
    ]
}

fn periode() -> impl Strategy<Value = InschrijvingPeriodeVO> {
    (
        date(),
        option::of(s("[0-9]{3}A[0-9]{3}")),
        option::of(s("[0-9]{3}X[0-9]{3}")),
        s("[0-9]{4}"),
        vec(s("[0-9A-Z]{4}"), 0..3),
        s("[0-9]{2}[A-Z]{2}[0-9]{2}"),
        option::of(s("[0-9]{1,2}")),
        boolean(),
        vec(s("[A-Z0-9_]{0,30}"), 0..3),
        option::of(boolean()),
    )
        .prop_map(|(begin, aanb, loc, opl, aanv, vest, lj, bek, exp, nieuw)| {
            InschrijvingPeriodeVO {
                datum_begin: begin,
                onderwijsaanbieder: aanb.map(gwb::OnderwijsaanbiederType),
                onderwijslocatie: loc.map(gwb::OnderwijslocatieType),
                opleidingcode: gwb::OpleidingcodeType(opl),
                aanvullende_opleiding: aanv
                    .into_iter()
                    .map(|o| bas::AanvullendeOpleidingType {
                        opleidingcode: gwb::OpleidingcodeType(o),
                    })
                    .collect(),
                vestiging: gwb::VestigingType(vest),
                leerjaar: lj.map(gwb::LeerjaarType),
                indicatie_bekostigbaar: bek,
                experiment: exp
                    .into_iter()
                    .map(|n| ins::ExperimentType {
                        naam: gwb::WaardenlijstType(n),
                    })
                    .collect(),
                indicatie_nieuwkomersbekostiging: nieuw,
            }
        })
}

fn request() -> impl Strategy<Value = AanleverenInschrijvingVORequest> {
    (
        (
            uuid(),
            s("[0-9A-Z]{1,22}"),
            date_time(),
            pgn(),
            s("[0-9]{2}[A-Z]{2}"),
            s("[A-Za-z0-9-]{1,20}"),
        ),
        (date(), option::of(date()), vec(periode(), 1..4)),
        vec((date(), option::of(date())), 0..3),
        vec(
            (
                date(),
                option::of(date()),
                s("[0-9]{2}[A-Z]{2}"),
                option::of(s("[0-9]{2}[A-Z]{2}[0-9]{2}")),
                s("OPDC|VAVO"),
            ),
            0..3,
        ),
    )
        .prop_map(
            |((id, van, dt, pgn, brin, volg), (din, duit, perioden), opps, vais)| {
                AanleverenInschrijvingVORequest {
                    identificatiecode_bedrijfsdocument: id,
                    verzendende_instantie: gwb::InstantieType(van),
                    ontvangende_instantie: gwb::InstantieType("DUO".into()),
                    datum_tijd_bedrijfsdocument: dt,
                    content_4: pgn,
                    brin: gwb::BrinType(brin),
                    inschrijvingvolgnummer: gwb::Volgnummer20Type(volg),
                    datum_inschrijving: din,
                    datum_uitschrijving: duit,
                    inschrijving_periode_vo: perioden,
                    ontwikkelingsperspectief: opps
                        .into_iter()
                        .map(|(b, e)| ins::OntwikkelingsperspectiefType {
                            datum_begin: b,
                            datum_eind: e,
                        })
                        .collect(),
                    verblijf_andere_instelling: vais
                        .into_iter()
                        .map(
                            |(b, e, brin, vest, soort)| ins::VerblijfAndereInstellingType {
                                datum_begin: b,
                                datum_eind: e,
                                brin: gwb::BrinType(brin),
                                vestiging: vest.map(gwb::VestigingType),
                                verblijfsoort: gwb::WaardenlijstType(soort),
                            },
                        )
                        .collect(),
                }
            },
        )
}

fn foutmelding() -> impl Strategy<Value = Foutmelding> {
    (
        s("[0-9A-Z]{1,60}"),
        text(200),
        prop_oneof![
            Just(Ernst::Afkeuring),
            Just(Ernst::Melding),
            Just(Ernst::Signaal)
        ],
        vec((s("[a-zA-Z]{0,25}"), text(25)), 0..6),
    )
        .prop_map(|(code, tekst, ernst, sleutels)| Foutmelding {
            foutcode: tk::FoutcodeType(code),
            fouttekst: tk::FouttekstType(tekst),
            ernst,
            sleutelgegeven: sleutels
                .into_iter()
                .map(|(n, w)| Sleutelgegeven {
                    sleutelnaam: tk::SleuteltekstType(n),
                    sleutelwaarde: tk::SleuteltekstType(w),
                })
                .collect(),
        })
}

fn response() -> impl Strategy<Value = AanleverenInschrijvingVOResponse> {
    (
        uuid(),
        date_time(),
        option::of((
            uuid(),
            boolean(),
            vec(foutmelding(), 0..4),
            option::of((1usize..100_000, date_time())),
            option::of(s("[0-9]{9}")),
        )),
    )
        .prop_map(|(id, dt, tk)| AanleverenInschrijvingVOResponse {
            identificatiecode_bedrijfsdocument: id,
            verzendende_instantie: gwb::InstantieType("DUO".into()),
            ontvangende_instantie: gwb::InstantieType("99AA".into()),
            datum_tijd_bedrijfsdocument: dt,
            ontvangst_bevestiging: OntvangstBevestiging::J,
            terugkoppeling: tk.map(|(id, ok, fouten, stand, persoon)| Terugkoppeling {
                identificatiecode_bedrijfsdocument: id,
                levering_goedgekeurd: ok,
                foutmelding: fouten,
                stand: stand.map(|(n, at)| Stand {
                    volgnummer: n,
                    aanlevermoment: at,
                }),
                persoon: persoon
                    .map(|p| tk::PersoonType::Onderwijsnummer(gwb::OnderwijsnummerType(p))),
            }),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn requests_serialise_to_valid_xml(value in request()) {
        let xml = to_xml(&value).unwrap();
        let v = Validator::new().unwrap();
        prop_assert!(v.validate_root(Contract::InschrijvingVO, "aanleverenInschrijvingVO_Request", &xml).is_ok(), "{}", xml);
        let back: AanleverenInschrijvingVORequest = from_xml(&xml).unwrap();
        prop_assert_eq!(back, value);
    }

    #[test]
    fn responses_serialise_to_valid_xml(value in response()) {
        let xml = to_xml(&value).unwrap();
        let v = Validator::new().unwrap();
        let res = v.validate_root(Contract::InschrijvingVO, "aanleverenInschrijvingVO_Response", &xml);
        prop_assert!(res.is_ok(), "{:?}\n{}", res, xml);
        let back: AanleverenInschrijvingVOResponse = from_xml(&xml).unwrap();
        prop_assert_eq!(back, value);
    }
}
