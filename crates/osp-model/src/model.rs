//! XML (de)serialisation of the generated message types: [`from_xml`] and [`to_xml`].
//!
//! The generated deserialiser is **not a validator** (STACK.md): it does not enforce minOccurs on
//! repeated elements, accepts unqualified elements and trims text. Validate a body with
//! [`crate::Validator`] first; [`from_xml`] only adds a root-element check.

use quick_xml::events::Event;
use quick_xml::NsReader;
use xsd_parser_types::quick_xml::{
    BytesStart, DeserializeSync, Event as OutEvent, Serializer, SliceReader, WithDeserializer,
    WithSerializer, Writer,
};

use crate::contracts::Contract;

/// Failure to map between XML text and a generated message value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The document's root element is not the one of the requested message type.
    #[error("root element is {{{found_ns}}}{found}, expected {{{expected_ns}}}{expected}")]
    WrongRoot {
        /// Namespace the message type requires.
        expected_ns: String,
        /// Local name the message type requires.
        expected: String,
        /// Namespace found.
        found_ns: String,
        /// Local name found.
        found: String,
    },
    /// The document is not XML the generated deserialiser understands (an event dump; never show
    /// it to a client — map it to a SOAP fault).
    #[error("cannot deserialise: {0}")]
    Deserialize(String),
    /// The value cannot be written (e.g. a facet-violating value built by hand).
    #[error("cannot serialise: {0}")]
    Serialize(String),
}

/// A message with its own root element: every `…_Request` / `…_Response` of the contracts.
pub trait Message: WithSerializer + WithDeserializer + Sized {
    /// The contract whose schema declares the root element (`None` for the fault detail).
    const CONTRACT: Option<Contract>;
    /// Namespace URI of the root element.
    const NAMESPACE: &'static str;
    /// Local name of the root element, e.g. `aanleverenInschrijvingVO_Request`.
    const ELEMENT: &'static str;
    /// Prefix osp writes for the contract namespace, e.g. `ins`.
    const PREFIX: &'static str;
}

/// Reads a message from a standalone document whose root is `T`'s root element.
pub fn from_xml<T: Message>(xml: &str) -> Result<T, ModelError> {
    check_root::<T>(xml)?;
    let mut reader = SliceReader::new(xml);
    <T as DeserializeSync<'_, SliceReader<'_>>>::deserialize(&mut reader)
        .map_err(|e| ModelError::Deserialize(e.to_string()))
}

/// The prefixes osp writes, one per namespace of `xsd/` (the prefixes the XSDs themselves use).
pub const PREFIXES: &[(&str, &str)] = &[
    (
        "ins",
        "http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1",
    ),
    (
        "idp",
        "http://duo.nl/schema/DUO_VOInformatiediensten_IdentificerenPersoonVO_V1",
    ),
    (
        "exr",
        "http://duo.nl/schema/DUO_VOAanlevering_ExamenresultaatVO_V1",
    ),
    (
        "obv",
        "http://duo.nl/schema/DUO_VOInformatiediensten_OphalenBerichtenVO_V1",
    ),
    ("bas", crate::contracts::NS_BASIS_INSCHRIJVING),
    ("inf", crate::contracts::NS_BASIS_INFORMATIEDIENSTEN),
    ("tk", crate::contracts::NS_TERUGKOPPELING),
    ("gwb", crate::contracts::NS_GWB_BASIS),
    ("core", crate::contracts::NS_GWB_CORE),
    ("fout", crate::contracts::NS_FOUT),
];

/// Writes a message compactly (no indentation, no XML declaration); the root element declares
/// exactly the namespaces the document uses.
///
/// The generated serialiser's own declarations miss the namespaces of inherited base-type
/// elements (e.g. `bas:` inside an `exr:` message), so the root start tag is rebuilt here from
/// the prefixes that actually occur.
pub fn to_xml<T: Message>(value: &T) -> Result<String, ModelError> {
    let root = format!("{}:{}", T::PREFIX, T::ELEMENT);
    let ser_err = |e: xsd_parser_types::quick_xml::Error| ModelError::Serialize(e.to_string());
    let events: Vec<OutEvent<'_>> = value
        .serializer(Some(&root), true)
        .map_err(ser_err)?
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(ser_err)?;
    let mut used: Vec<&str> = Vec::new();
    for ev in &events {
        if let OutEvent::Start(e) | OutEvent::Empty(e) = ev {
            let name = e.name();
            if let Some(p) = name.prefix() {
                let p = std::str::from_utf8(p.as_ref())
                    .map_err(|e| ModelError::Serialize(e.to_string()))?;
                if !used.contains(&p) {
                    let known = PREFIXES.iter().find(|(k, _)| *k == p).map(|(k, _)| *k);
                    used.push(
                        known
                            .ok_or_else(|| ModelError::Serialize(format!("unknown prefix {p}")))?,
                    );
                }
            }
        }
    }
    let mut writer = Writer::new(Vec::with_capacity(1024));
    let mut first = true;
    for ev in events {
        let ev = match ev {
            OutEvent::Start(ref e) | OutEvent::Empty(ref e) if first => {
                let empty = matches!(ev, OutEvent::Empty(_));
                let mut start = BytesStart::new(root.as_str());
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| ModelError::Serialize(e.to_string()))?;
                    if !attr.key.as_ref().starts_with(b"xmlns") {
                        start.push_attribute(attr);
                    }
                }
                for (prefix, ns) in PREFIXES.iter().filter(|(p, _)| used.contains(p)) {
                    start.push_attribute((format!("xmlns:{prefix}").as_str(), *ns));
                }
                first = false;
                if empty {
                    OutEvent::Empty(start)
                } else {
                    OutEvent::Start(start)
                }
            }
            other => other,
        };
        writer
            .write_event(ev)
            .map_err(|e| ModelError::Serialize(e.to_string()))?;
    }
    String::from_utf8(writer.into_inner()).map_err(|e| ModelError::Serialize(e.to_string()))
}

fn check_root<T: Message>(xml: &str) -> Result<(), ModelError> {
    let expected_ns = T::NAMESPACE.to_string();
    let mut reader = NsReader::from_str(xml);
    loop {
        match reader.read_resolved_event() {
            Ok((ns, Event::Start(e) | Event::Empty(e))) => {
                let found_ns = match ns {
                    quick_xml::name::ResolveResult::Bound(n) => n.as_ref().to_string(),
                    _ => String::new(),
                };
                let found = e.local_name().as_ref().to_string();
                if found_ns == expected_ns && found == T::ELEMENT {
                    return Ok(());
                }
                return Err(ModelError::WrongRoot {
                    expected_ns,
                    expected: T::ELEMENT.to_string(),
                    found_ns,
                    found,
                });
            }
            Ok((_, Event::Eof)) => return Err(ModelError::Deserialize("no root element".into())),
            Ok(_) => {}
            Err(e) => return Err(ModelError::Deserialize(e.to_string())),
        }
    }
}
