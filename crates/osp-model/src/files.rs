//! The XSD and WSDL files of `xsd/` and `wsdl/`, embedded so the gateway can serve them and the
//! validator can compile them without depending on the working directory.

use crate::contracts::Contract;

/// Every XSD of `xsd/` as (file name, content); WSDLs import them as `xsd/{file name}`.
pub static XSD_FILES: &[(&str, &str)] = &[
    (
        "DUO_VOAanlevering_ExamenresultaatVO_V1.xsd",
        include_str!("../../../xsd/DUO_VOAanlevering_ExamenresultaatVO_V1.xsd"),
    ),
    (
        "DUO_VOAanlevering_InschrijvingVO_V1.xsd",
        include_str!("../../../xsd/DUO_VOAanlevering_InschrijvingVO_V1.xsd"),
    ),
    (
        "DUO_VOBasisschema_Informatiediensten_V1.xsd",
        include_str!("../../../xsd/DUO_VOBasisschema_Informatiediensten_V1.xsd"),
    ),
    (
        "DUO_VOBasisschema_Inschrijving_V1.xsd",
        include_str!("../../../xsd/DUO_VOBasisschema_Inschrijving_V1.xsd"),
    ),
    (
        "DUO_VOBasisschema_Terugkoppeling_V1.xsd",
        include_str!("../../../xsd/DUO_VOBasisschema_Terugkoppeling_V1.xsd"),
    ),
    (
        "DUO_VOInformatiediensten_IdentificerenPersoonVO_V1.xsd",
        include_str!("../../../xsd/DUO_VOInformatiediensten_IdentificerenPersoonVO_V1.xsd"),
    ),
    (
        "DUO_VOInformatiediensten_OphalenBerichtenVO_V1.xsd",
        include_str!("../../../xsd/DUO_VOInformatiediensten_OphalenBerichtenVO_V1.xsd"),
    ),
    (
        "NL_OCW_GWB_BASIS.xsd",
        include_str!("../../../xsd/NL_OCW_GWB_BASIS.xsd"),
    ),
    (
        "NL_OCW_GWB_CORE.xsd",
        include_str!("../../../xsd/NL_OCW_GWB_CORE.xsd"),
    ),
    (
        "osp_fout_v1.xsd",
        include_str!("../../../xsd/osp_fout_v1.xsd"),
    ),
];

/// Every WSDL of `wsdl/` as (file name, content); one per [`Contract`].
pub static WSDL_FILES: &[(&str, &str)] = &[
    (
        "DUO_VOAanlevering_ExamenresultaatVO_V1.wsdl",
        include_str!("../../../wsdl/DUO_VOAanlevering_ExamenresultaatVO_V1.wsdl"),
    ),
    (
        "DUO_VOAanlevering_InschrijvingVO_V1.wsdl",
        include_str!("../../../wsdl/DUO_VOAanlevering_InschrijvingVO_V1.wsdl"),
    ),
    (
        "DUO_VOInformatiediensten_IdentificerenPersoonVO_V1.wsdl",
        include_str!("../../../wsdl/DUO_VOInformatiediensten_IdentificerenPersoonVO_V1.wsdl"),
    ),
    (
        "DUO_VOInformatiediensten_OphalenBerichtenVO_V1.wsdl",
        include_str!("../../../wsdl/DUO_VOInformatiediensten_OphalenBerichtenVO_V1.wsdl"),
    ),
];

/// Finds an embedded XSD by file name (the last path segment of `/vo-webservices/xsd/{file}`).
pub fn xsd(name: &str) -> Option<&'static str> {
    XSD_FILES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// The embedded WSDL of a contract (served at `/vo-webservices/{Contract}?wsdl`).
pub fn wsdl(contract: Contract) -> Option<&'static str> {
    let name = contract.wsdl_file();
    WSDL_FILES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contract_has_its_files() {
        for c in Contract::ALL {
            assert!(xsd(&c.xsd_file()).is_some(), "{c:?} xsd");
            let w = wsdl(c).unwrap_or_default();
            assert!(
                w.contains(&format!("schemaLocation=\"xsd/{}\"", c.xsd_file())),
                "{c:?} wsdl"
            );
        }
        assert!(xsd("osp_fout_v1.xsd").is_some());
        assert!(xsd("../Cargo.toml").is_none());
    }

    #[test]
    fn embedded_files_match_disk() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let on_disk = |dir: &str, ext: &str| {
            let mut v: Vec<String> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(ext))
                .collect();
            v.sort();
            v
        };
        let names =
            |files: &[(&str, &str)]| files.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>();
        assert_eq!(
            on_disk("xsd", ".xsd"),
            names(XSD_FILES),
            "files.rs lists every xsd/ file"
        );
        assert_eq!(
            on_disk("wsdl", ".wsdl"),
            names(WSDL_FILES),
            "files.rs lists every wsdl/ file"
        );
    }
}
