//! The benchmark's reference data: the repository's `fixtures/reference` with a larger
//! proef-BRP (`aantal` persons), so a long run never needs to reuse a person.

use std::path::Path;

use crate::BenchError;

/// Copies every file of `bron` into `doel` and sets the generator's `aantal` to `personen`.
pub fn schrijf(bron: &Path, doel: &Path, personen: usize) -> Result<(), BenchError> {
    let io = |pad: &Path| {
        let pad = pad.to_path_buf();
        move |bron| BenchError::Io { pad, bron }
    };
    std::fs::create_dir_all(doel).map_err(io(doel))?;
    for entry in std::fs::read_dir(bron).map_err(io(bron))? {
        let entry = entry.map_err(io(bron))?;
        if !entry.file_type().map_err(io(&entry.path()))?.is_file() {
            continue;
        }
        let naar = doel.join(entry.file_name());
        if entry.file_name() == "brp-generator.toml" {
            let tekst = std::fs::read_to_string(entry.path()).map_err(io(&entry.path()))?;
            let mut gevonden = false;
            let nieuw: Vec<String> = tekst
                .lines()
                .map(|r| {
                    if r.split('=').next().map(str::trim) == Some("aantal") {
                        gevonden = true;
                        format!("aantal = {personen}")
                    } else {
                        r.to_string()
                    }
                })
                .collect();
            if !gevonden {
                return Err(BenchError::Opzet(format!(
                    "{}: geen aantal",
                    entry.path().display()
                )));
            }
            std::fs::write(&naar, nieuw.join("\n") + "\n").map_err(io(&naar))?;
        } else {
            std::fs::copy(entry.path(), &naar).map_err(io(&naar))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn larger_brp_loads() {
        let dir = tempfile::tempdir().unwrap();
        schrijf(
            &osp_register::reference::standaard_map(),
            dir.path(),
            12_000,
        )
        .unwrap();
        let r = osp_register::Reference::load(dir.path()).unwrap();
        assert!(r.brp.len() >= 12_000);
        let laatste = crate::personen::BsnReeks::lees(dir.path())
            .unwrap()
            .reeks(11_999, 1);
        assert!(r.brp_persoon(&laatste[0]).is_some());
    }
}
