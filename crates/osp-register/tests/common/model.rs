//! Proof that a hand-written body is what the generated model means: it validates against
//! `xsd/`, osp-model's generated type reads it, the generated serialiser writes it back to a
//! document that validates too, and that document reads back to an equal value.

use std::fmt::Debug;
use std::sync::OnceLock;

use osp_model::messages as m;
use osp_model::validate::Validator;
use osp_model::{from_xml, to_xml, Message};

fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| Validator::new().unwrap())
}

fn valideer<T: Message>(xml: &str, wat: &str) {
    let contract = T::CONTRACT.expect("every message osp writes belongs to a contract");
    if let Err(v) = validator().validate_root(contract, T::ELEMENT, xml) {
        panic!("{wat} {} not XSD-valid: {v:?}\n{xml}", T::ELEMENT);
    }
}

/// Validates `xml` as message `T` and round-trips it through the generated type; returns the
/// value for further assertions.
pub fn rond<T: Message + PartialEq + Debug>(xml: &str) -> T {
    valideer::<T>(xml, "written");
    let waarde = from_xml::<T>(xml)
        .unwrap_or_else(|e| panic!("generated model cannot read {}: {e}\n{xml}", T::ELEMENT));
    let terug = to_xml(&waarde).unwrap_or_else(|e| panic!("cannot write {}: {e}", T::ELEMENT));
    valideer::<T>(&terug, "re-serialised");
    let opnieuw = from_xml::<T>(&terug).unwrap();
    assert_eq!(
        waarde,
        opnieuw,
        "round trip changed {}\n{xml}\n{terug}",
        T::ELEMENT
    );
    waarde
}

/// [`rond`] for a body whose root element is any message osp writes (responses, pull answers
/// and the DUO→school messages), chosen by the root's local name.
pub fn rond_op_naam(xml: &str) {
    macro_rules! kies {
        ($naam:expr, $($t:ty),* $(,)?) => {
            $(if $naam == <$t as Message>::ELEMENT { rond::<$t>(xml); return; })*
        };
    }
    let naam = wortel(xml);
    kies!(
        naam,
        m::AanleverenInschrijvingVOResponse,
        m::AanleverenVerwijderingInschrijvingVOResponse,
        m::AanleverenIdentificerenPersoonVOResponse,
        m::AanleverenExamenresultaatVOResponse,
        m::AanleverenVerwijderingExamenresultaatVOResponse,
        m::OphalenBerichtenVOResponse,
        m::BevestigenBerichtenVOResponse,
        m::VerstrekkenDigitaalInUitschrijfbewijsVORequest,
        m::VerstrekkenBekostigingVORequest,
        m::TerugkoppelingInschrijvingVORequest,
        m::TerugkoppelingExamenresultaatVORequest,
        m::TerugkoppelingIdentificerenPersoonVORequest,
    );
    panic!("no message type for root element {naam}\n{xml}");
}

/// Local name of the root element.
fn wortel(xml: &str) -> String {
    let start = xml.find('<').unwrap();
    let tag = &xml[start + 1..];
    let eind = tag
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap();
    tag[..eind].rsplit(':').next().unwrap().to_string()
}
