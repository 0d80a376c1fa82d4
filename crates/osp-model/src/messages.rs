//! Stable, documented names for the generated message types (`crate::generated`), one per root
//! element of the contracts, plus the shared terugkoppeling and fault types. Use these names;
//! the generated module layout may change when the XSDs do.

use crate::contracts::Contract;
use crate::model::Message;

pub use crate::generated::{bas, core, exr, fout, gwb, idp, inf, ins, obv, tk};

macro_rules! message {
    ($(#[$doc:meta])* $name:ident = $path:ty, $contract:ident, $wire:literal, $prefix:literal, $element:literal) => {
        $(#[$doc])*
        pub type $name = $path;
        impl Message for $path {
            const CONTRACT: Option<Contract> = Some(Contract::$contract);
            const NAMESPACE: &'static str = concat!("http://duo.nl/schema/", $wire);
            const ELEMENT: &'static str = $element;
            const PREFIX: &'static str = $prefix;
        }
    };
}

message!(
    /// `ins:aanleverenInschrijvingVO_Request`: the request root element of contract InschrijvingVO.
    AanleverenInschrijvingVORequest = ins::AanleverenInschrijvingVoRequestType, InschrijvingVO, "DUO_VOAanlevering_InschrijvingVO_V1", "ins", "aanleverenInschrijvingVO_Request"
);
message!(
    /// `ins:aanleverenInschrijvingVO_Response`: the response root element of contract InschrijvingVO.
    AanleverenInschrijvingVOResponse = ins::AanleverenInschrijvingVoResponseType, InschrijvingVO, "DUO_VOAanlevering_InschrijvingVO_V1", "ins", "aanleverenInschrijvingVO_Response"
);
message!(
    /// `ins:aanleverenVerwijderingInschrijvingVO_Request`: the request root element of contract InschrijvingVO.
    AanleverenVerwijderingInschrijvingVORequest = ins::AanleverenVerwijderingInschrijvingVoRequestType, InschrijvingVO, "DUO_VOAanlevering_InschrijvingVO_V1", "ins", "aanleverenVerwijderingInschrijvingVO_Request"
);
message!(
    /// `ins:aanleverenVerwijderingInschrijvingVO_Response`: the response root element of contract InschrijvingVO.
    AanleverenVerwijderingInschrijvingVOResponse = ins::AanleverenVerwijderingInschrijvingVoResponseType, InschrijvingVO, "DUO_VOAanlevering_InschrijvingVO_V1", "ins", "aanleverenVerwijderingInschrijvingVO_Response"
);
message!(
    /// `idp:aanleverenIdentificerenPersoonVO_Request`: the request root element of contract IdentificerenPersoonVO.
    AanleverenIdentificerenPersoonVORequest = idp::AanleverenIdentificerenPersoonVoRequestType, IdentificerenPersoonVO, "DUO_VOInformatiediensten_IdentificerenPersoonVO_V1", "idp", "aanleverenIdentificerenPersoonVO_Request"
);
message!(
    /// `idp:aanleverenIdentificerenPersoonVO_Response`: the response root element of contract IdentificerenPersoonVO.
    AanleverenIdentificerenPersoonVOResponse = idp::AanleverenIdentificerenPersoonVoResponseType, IdentificerenPersoonVO, "DUO_VOInformatiediensten_IdentificerenPersoonVO_V1", "idp", "aanleverenIdentificerenPersoonVO_Response"
);
message!(
    /// `exr:aanleverenExamenresultaatVO_Request`: the request root element of contract ExamenresultaatVO.
    AanleverenExamenresultaatVORequest = exr::AanleverenExamenresultaatVoRequestType, ExamenresultaatVO, "DUO_VOAanlevering_ExamenresultaatVO_V1", "exr", "aanleverenExamenresultaatVO_Request"
);
message!(
    /// `exr:aanleverenExamenresultaatVO_Response`: the response root element of contract ExamenresultaatVO.
    AanleverenExamenresultaatVOResponse = exr::AanleverenExamenresultaatVoResponseType, ExamenresultaatVO, "DUO_VOAanlevering_ExamenresultaatVO_V1", "exr", "aanleverenExamenresultaatVO_Response"
);
message!(
    /// `exr:aanleverenVerwijderingExamenresultaatVO_Request`: the request root element of contract ExamenresultaatVO.
    AanleverenVerwijderingExamenresultaatVORequest = exr::AanleverenVerwijderingExamenresultaatVoRequestType, ExamenresultaatVO, "DUO_VOAanlevering_ExamenresultaatVO_V1", "exr", "aanleverenVerwijderingExamenresultaatVO_Request"
);
message!(
    /// `exr:aanleverenVerwijderingExamenresultaatVO_Response`: the response root element of contract ExamenresultaatVO.
    AanleverenVerwijderingExamenresultaatVOResponse = exr::AanleverenVerwijderingExamenresultaatVoResponseType, ExamenresultaatVO, "DUO_VOAanlevering_ExamenresultaatVO_V1", "exr", "aanleverenVerwijderingExamenresultaatVO_Response"
);
message!(
    /// `obv:ophalenBerichtenVO_Request`: the request root element of contract OphalenBerichtenVO.
    OphalenBerichtenVORequest = obv::OphalenBerichtenVoRequestType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "ophalenBerichtenVO_Request"
);
message!(
    /// `obv:ophalenBerichtenVO_Response`: the response root element of contract OphalenBerichtenVO.
    OphalenBerichtenVOResponse = obv::OphalenBerichtenVoResponseType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "ophalenBerichtenVO_Response"
);
message!(
    /// `obv:bevestigenBerichtenVO_Request`: the request root element of contract OphalenBerichtenVO.
    BevestigenBerichtenVORequest = obv::BevestigenBerichtenVoRequestType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "bevestigenBerichtenVO_Request"
);
message!(
    /// `obv:bevestigenBerichtenVO_Response`: the response root element of contract OphalenBerichtenVO.
    BevestigenBerichtenVOResponse = obv::BevestigenBerichtenVoResponseType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "bevestigenBerichtenVO_Response"
);
message!(
    /// `obv:verstrekkenDigitaalInUitschrijfbewijsVO_Request`: the request root element of contract OphalenBerichtenVO.
    VerstrekkenDigitaalInUitschrijfbewijsVORequest = obv::VerstrekkenDigitaalInUitschrijfbewijsVoRequestType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "verstrekkenDigitaalInUitschrijfbewijsVO_Request"
);
message!(
    /// `obv:verstrekkenDigitaalInUitschrijfbewijsVO_Response`: the response root element of contract OphalenBerichtenVO.
    VerstrekkenDigitaalInUitschrijfbewijsVOResponse = obv::VerstrekkenDigitaalInUitschrijfbewijsVoResponseType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "verstrekkenDigitaalInUitschrijfbewijsVO_Response"
);
message!(
    /// `obv:verstrekkenBekostigingVO_Request`: the request root element of contract OphalenBerichtenVO.
    VerstrekkenBekostigingVORequest = obv::VerstrekkenBekostigingVoRequestType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "verstrekkenBekostigingVO_Request"
);
message!(
    /// `obv:verstrekkenBekostigingVO_Response`: the response root element of contract OphalenBerichtenVO.
    VerstrekkenBekostigingVOResponse = obv::VerstrekkenBekostigingVoResponseType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "verstrekkenBekostigingVO_Response"
);
message!(
    /// `obv:terugkoppelingInschrijvingVO_Request`: the request root element of contract OphalenBerichtenVO.
    TerugkoppelingInschrijvingVORequest = obv::TerugkoppelingInschrijvingVoRequestType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "terugkoppelingInschrijvingVO_Request"
);
message!(
    /// `obv:terugkoppelingInschrijvingVO_Response`: the response root element of contract OphalenBerichtenVO.
    TerugkoppelingInschrijvingVOResponse = obv::TerugkoppelingInschrijvingVoResponseType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "terugkoppelingInschrijvingVO_Response"
);
message!(
    /// `obv:terugkoppelingExamenresultaatVO_Request`: the request root element of contract OphalenBerichtenVO.
    TerugkoppelingExamenresultaatVORequest = obv::TerugkoppelingExamenresultaatVoRequestType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "terugkoppelingExamenresultaatVO_Request"
);
message!(
    /// `obv:terugkoppelingExamenresultaatVO_Response`: the response root element of contract OphalenBerichtenVO.
    TerugkoppelingExamenresultaatVOResponse = obv::TerugkoppelingExamenresultaatVoResponseType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "terugkoppelingExamenresultaatVO_Response"
);
message!(
    /// `obv:terugkoppelingIdentificerenPersoonVO_Request`: the request root element of contract OphalenBerichtenVO.
    TerugkoppelingIdentificerenPersoonVORequest = obv::TerugkoppelingIdentificerenPersoonVoRequestType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "terugkoppelingIdentificerenPersoonVO_Request"
);
message!(
    /// `obv:terugkoppelingIdentificerenPersoonVO_Response`: the response root element of contract OphalenBerichtenVO.
    TerugkoppelingIdentificerenPersoonVOResponse = obv::TerugkoppelingIdentificerenPersoonVoResponseType, OphalenBerichtenVO, "DUO_VOInformatiediensten_OphalenBerichtenVO_V1", "obv", "terugkoppelingIdentificerenPersoonVO_Response"
);

/// Every message root as (Rust name, prefix, element), so tests and tools can iterate them.
pub const ALL_ROOTS: &[(&str, &str, &str)] = &[
    (
        "AanleverenInschrijvingVORequest",
        "ins",
        "aanleverenInschrijvingVO_Request",
    ),
    (
        "AanleverenInschrijvingVOResponse",
        "ins",
        "aanleverenInschrijvingVO_Response",
    ),
    (
        "AanleverenVerwijderingInschrijvingVORequest",
        "ins",
        "aanleverenVerwijderingInschrijvingVO_Request",
    ),
    (
        "AanleverenVerwijderingInschrijvingVOResponse",
        "ins",
        "aanleverenVerwijderingInschrijvingVO_Response",
    ),
    (
        "AanleverenIdentificerenPersoonVORequest",
        "idp",
        "aanleverenIdentificerenPersoonVO_Request",
    ),
    (
        "AanleverenIdentificerenPersoonVOResponse",
        "idp",
        "aanleverenIdentificerenPersoonVO_Response",
    ),
    (
        "AanleverenExamenresultaatVORequest",
        "exr",
        "aanleverenExamenresultaatVO_Request",
    ),
    (
        "AanleverenExamenresultaatVOResponse",
        "exr",
        "aanleverenExamenresultaatVO_Response",
    ),
    (
        "AanleverenVerwijderingExamenresultaatVORequest",
        "exr",
        "aanleverenVerwijderingExamenresultaatVO_Request",
    ),
    (
        "AanleverenVerwijderingExamenresultaatVOResponse",
        "exr",
        "aanleverenVerwijderingExamenresultaatVO_Response",
    ),
    (
        "OphalenBerichtenVORequest",
        "obv",
        "ophalenBerichtenVO_Request",
    ),
    (
        "OphalenBerichtenVOResponse",
        "obv",
        "ophalenBerichtenVO_Response",
    ),
    (
        "BevestigenBerichtenVORequest",
        "obv",
        "bevestigenBerichtenVO_Request",
    ),
    (
        "BevestigenBerichtenVOResponse",
        "obv",
        "bevestigenBerichtenVO_Response",
    ),
    (
        "VerstrekkenDigitaalInUitschrijfbewijsVORequest",
        "obv",
        "verstrekkenDigitaalInUitschrijfbewijsVO_Request",
    ),
    (
        "VerstrekkenDigitaalInUitschrijfbewijsVOResponse",
        "obv",
        "verstrekkenDigitaalInUitschrijfbewijsVO_Response",
    ),
    (
        "VerstrekkenBekostigingVORequest",
        "obv",
        "verstrekkenBekostigingVO_Request",
    ),
    (
        "VerstrekkenBekostigingVOResponse",
        "obv",
        "verstrekkenBekostigingVO_Response",
    ),
    (
        "TerugkoppelingInschrijvingVORequest",
        "obv",
        "terugkoppelingInschrijvingVO_Request",
    ),
    (
        "TerugkoppelingInschrijvingVOResponse",
        "obv",
        "terugkoppelingInschrijvingVO_Response",
    ),
    (
        "TerugkoppelingExamenresultaatVORequest",
        "obv",
        "terugkoppelingExamenresultaatVO_Request",
    ),
    (
        "TerugkoppelingExamenresultaatVOResponse",
        "obv",
        "terugkoppelingExamenresultaatVO_Response",
    ),
    (
        "TerugkoppelingIdentificerenPersoonVORequest",
        "obv",
        "terugkoppelingIdentificerenPersoonVO_Request",
    ),
    (
        "TerugkoppelingIdentificerenPersoonVOResponse",
        "obv",
        "terugkoppelingIdentificerenPersoonVO_Response",
    ),
];

/// `fout:fout`: the detail of every osp SOAP fault (SPEC §3).
pub type Fout = fout::FoutType;

impl Message for fout::FoutType {
    const CONTRACT: Option<Contract> = None;
    const NAMESPACE: &'static str = crate::contracts::NS_FOUT;
    const ELEMENT: &'static str = "fout";
    const PREFIX: &'static str = "fout";
}

/// The shared terugkoppeling of every aanleveren response and terugkoppeling message (SPEC §5).
pub type Terugkoppeling = tk::TerugkoppelingType;
/// One finding of a terugkoppeling.
pub type Foutmelding = tk::FoutmeldingType;
/// A key value a foutmelding refers to.
pub type Sleutelgegeven = tk::SleutelgegevenType;
/// Severity of a foutmelding.
pub type Ernst = tk::ErnstType;
/// The registered stand (volgnummer, aanlevermoment).
pub type Stand = tk::StandType;
/// The person an identificatie found or created.
pub type Persoon = tk::PersoonType;
/// One period of an inschrijving.
pub type InschrijvingPeriodeVO = ins::InschrijvingPeriodeVoType;
/// One message in an ophalenBerichtenVO response.
pub type Bericht = obv::BerichtType;
/// `ontvangstBevestiging` value (`J`) of the Inschrijving/Examenresultaat basisschema responses.
pub type OntvangstBevestiging = gwb::OntvangstBevestigingType;
/// A location of an XSD violation inside a fault detail.
pub type Locatie = fout::LocatieType;
