//! The table of contracts and operations of SPEC §4: one place that names every wire string
//! (namespace, SOAPAction, root element) so dispatch, WSDL serving and the register agree.

/// DUO's OIN: the only value `wsa:To` may carry and the `From` of every response (SPEC §2).
pub const DUO_OIN: &str = "00000001800866472000";

/// SOAP 1.1 envelope namespace; the only envelope version DUO accepts (SPEC §1).
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace, recognised only to answer it with DK0001.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// WS-Addressing 1.0 namespace (SPEC §2).
pub const WSA_NS: &str = "http://www.w3.org/2005/08/addressing";
/// Address prefix that carries an OIN as `?oin=` (SPEC §2).
pub const WSA_ANONYMOUS: &str = "http://www.w3.org/2005/08/addressing/anonymous";

/// Shared basisschema of the *Aanlevering* contracts (SPEC §5a, prefix `bas`).
pub const NS_BASIS_INSCHRIJVING: &str = "http://duo.nl/schema/DUO_VOBasisschema_Inschrijving_V1";
/// Shared basisschema of the *Informatiediensten* contracts (SPEC §5a, prefix `inf`).
pub const NS_BASIS_INFORMATIEDIENSTEN: &str =
    "http://duo.nl/schema/DUO_VOBasisschema_Informatiediensten_V1";
/// osp's shared terugkoppeling types (SPEC §5a, prefix `tk`).
pub const NS_TERUGKOPPELING: &str = "http://duo.nl/schema/DUO_VOBasisschema_Terugkoppeling_V1";
/// DUO's simple types (SPEC §4).
pub const NS_GWB_BASIS: &str = "http://duo.nl/schema/NL:OCW:GWB:BASIS";
/// DUO's core types (SPEC §4).
pub const NS_GWB_CORE: &str = "http://duo.nl/schema/NL:OCW:GWB:CORE";
/// Namespace of the `fout` detail inside SOAP faults (SPEC §3).
pub const NS_FOUT: &str = "urn:osp:schema:fout:v1";

/// A VO contract served by osp; the name is the wire name of SPEC §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Contract {
    /// `DUO_VOAanlevering_InschrijvingVO_V1` [DUO].
    InschrijvingVO,
    /// `DUO_VOInformatiediensten_IdentificerenPersoonVO_V1` [DUO].
    IdentificerenPersoonVO,
    /// `DUO_VOAanlevering_ExamenresultaatVO_V1` [osp].
    ExamenresultaatVO,
    /// `DUO_VOInformatiediensten_OphalenBerichtenVO_V1` [osp].
    OphalenBerichtenVO,
}

impl Contract {
    /// Every contract, in SPEC §4 order, so tables and WSDL listings iterate one list.
    pub const ALL: [Contract; 4] = [
        Contract::InschrijvingVO,
        Contract::IdentificerenPersoonVO,
        Contract::ExamenresultaatVO,
        Contract::OphalenBerichtenVO,
    ];

    /// Wire name, used in URLs, namespaces, SOAPActions and file names.
    pub const fn name(self) -> &'static str {
        match self {
            Contract::InschrijvingVO => "DUO_VOAanlevering_InschrijvingVO_V1",
            Contract::IdentificerenPersoonVO => {
                "DUO_VOInformatiediensten_IdentificerenPersoonVO_V1"
            }
            Contract::ExamenresultaatVO => "DUO_VOAanlevering_ExamenresultaatVO_V1",
            Contract::OphalenBerichtenVO => "DUO_VOInformatiediensten_OphalenBerichtenVO_V1",
        }
    }

    /// Looks a contract up by its wire name (URL path segment).
    pub fn from_name(name: &str) -> Option<Contract> {
        Contract::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Body namespace `http://duo.nl/schema/{Contract}`.
    pub fn schema_ns(self) -> String {
        format!("http://duo.nl/schema/{}", self.name())
    }

    /// WSDL target namespace `http://duo.nl/contract/{Contract}`.
    pub fn contract_ns(self) -> String {
        format!("http://duo.nl/contract/{}", self.name())
    }

    /// File name of the contract's XSD in `xsd/`.
    pub fn xsd_file(self) -> String {
        format!("{}.xsd", self.name())
    }

    /// File name of the contract's WSDL in `wsdl/`.
    pub fn wsdl_file(self) -> String {
        format!("{}.wsdl", self.name())
    }

    /// The operations of this contract, in SPEC §4 order.
    pub fn operations(self) -> &'static [Operation] {
        match self {
            Contract::InschrijvingVO => &[
                Operation::AanleverenInschrijvingVO,
                Operation::AanleverenVerwijderingInschrijvingVO,
            ],
            Contract::IdentificerenPersoonVO => &[Operation::AanleverenIdentificerenPersoonVO],
            Contract::ExamenresultaatVO => &[
                Operation::AanleverenExamenresultaatVO,
                Operation::AanleverenVerwijderingExamenresultaatVO,
            ],
            Contract::OphalenBerichtenVO => &[
                Operation::OphalenBerichtenVO,
                Operation::BevestigenBerichtenVO,
            ],
        }
    }
}

/// An operation a LAS can call; its request root element is `{name}_Request`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// Deliver the complete stand of one inschrijving.
    AanleverenInschrijvingVO,
    /// Remove an inschrijving key.
    AanleverenVerwijderingInschrijvingVO,
    /// Identify a person (metPGN) or obtain an onderwijsnummer (zonderPGN).
    AanleverenIdentificerenPersoonVO,
    /// Deliver the complete stand of one examenresultaat.
    AanleverenExamenresultaatVO,
    /// Remove an examenresultaat key.
    AanleverenVerwijderingExamenresultaatVO,
    /// Pull DUO→school messages from the outbox.
    OphalenBerichtenVO,
    /// Acknowledge pulled messages.
    BevestigenBerichtenVO,
}

impl Operation {
    /// Every operation, so lookups by wire string iterate one list.
    pub const ALL: [Operation; 7] = [
        Operation::AanleverenInschrijvingVO,
        Operation::AanleverenVerwijderingInschrijvingVO,
        Operation::AanleverenIdentificerenPersoonVO,
        Operation::AanleverenExamenresultaatVO,
        Operation::AanleverenVerwijderingExamenresultaatVO,
        Operation::OphalenBerichtenVO,
        Operation::BevestigenBerichtenVO,
    ];

    /// Wire name of the operation (WSDL operation name).
    pub const fn name(self) -> &'static str {
        match self {
            Operation::AanleverenInschrijvingVO => "aanleverenInschrijvingVO",
            Operation::AanleverenVerwijderingInschrijvingVO => {
                "aanleverenVerwijderingInschrijvingVO"
            }
            Operation::AanleverenIdentificerenPersoonVO => "aanleverenIdentificerenPersoonVO",
            Operation::AanleverenExamenresultaatVO => "aanleverenExamenresultaatVO",
            Operation::AanleverenVerwijderingExamenresultaatVO => {
                "aanleverenVerwijderingExamenresultaatVO"
            }
            Operation::OphalenBerichtenVO => "ophalenBerichtenVO",
            Operation::BevestigenBerichtenVO => "bevestigenBerichtenVO",
        }
    }

    /// The contract that declares this operation.
    pub const fn contract(self) -> Contract {
        match self {
            Operation::AanleverenInschrijvingVO
            | Operation::AanleverenVerwijderingInschrijvingVO => Contract::InschrijvingVO,
            Operation::AanleverenIdentificerenPersoonVO => Contract::IdentificerenPersoonVO,
            Operation::AanleverenExamenresultaatVO
            | Operation::AanleverenVerwijderingExamenresultaatVO => Contract::ExamenresultaatVO,
            Operation::OphalenBerichtenVO | Operation::BevestigenBerichtenVO => {
                Contract::OphalenBerichtenVO
            }
        }
    }

    /// Local name of the request root element.
    pub fn request_element(self) -> String {
        format!("{}_Request", self.name())
    }

    /// Local name of the response root element.
    pub fn response_element(self) -> String {
        format!("{}_Response", self.name())
    }

    /// SOAPAction and `wsa:Action`: `http://duo.nl/contract/{Contract}/{operation}`.
    pub fn action(self) -> String {
        format!(
            "http://duo.nl/contract/{}/{}",
            self.contract().name(),
            self.name()
        )
    }

    /// Finds the operation whose SOAPAction is `action`.
    pub fn from_action(action: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.action() == action)
    }

    /// Finds the operation whose request root element is `{namespace}local`.
    pub fn from_request_element(namespace: &str, local: &str) -> Option<Operation> {
        Operation::ALL
            .into_iter()
            .find(|o| o.contract().schema_ns() == namespace && o.request_element() == local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_action(&op.action()), Some(op));
            assert_eq!(
                Operation::from_request_element(&op.contract().schema_ns(), &op.request_element()),
                Some(op)
            );
            assert!(op.contract().operations().contains(&op));
        }
        assert_eq!(
            Operation::AanleverenInschrijvingVO.action(),
            "http://duo.nl/contract/DUO_VOAanlevering_InschrijvingVO_V1/aanleverenInschrijvingVO"
        );
        assert_eq!(Operation::from_action("http://duo.nl/contract/X/y"), None);
    }
}
