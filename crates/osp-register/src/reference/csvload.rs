//! CSV reading with file and line in every error, so a broken reference table is found at once.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::ReferenceError;

/// Reads every row of `pad` (with header) as `T`, paired with its 1-based line number.
pub fn rows<T: DeserializeOwned>(pad: &Path) -> Result<Vec<(u64, T)>, ReferenceError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(pad)
        .map_err(|e| ReferenceError::Lezen {
            bestand: pad.to_path_buf(),
            melding: e.to_string(),
        })?;
    let mut uit = Vec::new();
    for rij in reader.deserialize::<T>() {
        match rij {
            Ok(t) => uit.push((uit.len() as u64 + 2, t)),
            Err(e) => {
                let regel = e.position().map_or(0, |p| p.line());
                return Err(inhoud(pad, regel, e.to_string()));
            }
        }
    }
    Ok(uit)
}

/// Builds a content error for `pad` at `regel`.
pub fn inhoud(pad: &Path, regel: u64, melding: String) -> ReferenceError {
    ReferenceError::Inhoud {
        bestand: pad.to_path_buf(),
        regel,
        melding,
    }
}

/// Parses the reference tables' yes/no column (`ja`/`nee`).
pub fn ja_nee(pad: &Path, regel: u64, waarde: &str) -> Result<bool, ReferenceError> {
    match waarde.trim() {
        "ja" => Ok(true),
        "nee" | "" => Ok(false),
        anders => Err(inhoud(
            pad,
            regel,
            format!("verwacht ja of nee, niet {anders}"),
        )),
    }
}
