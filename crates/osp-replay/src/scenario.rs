//! Loading a scenario folder (SPEC §10): `scenario.toml` plus ordered `NN-name.request.xml` /
//! `NN-name.expected.xml` pairs.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What can be wrong with a scenario folder; each names the file so a vendor can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `scenario.toml` is not valid.
    #[error("{path}: {message}")]
    Toml {
        /// The scenario.toml.
        path: PathBuf,
        /// Parser message.
        message: String,
    },
    /// `scenario.toml` names a step that has no request file.
    #[error("{path}: [steps.{step}] names no existing step")]
    UnknownStep {
        /// The scenario.toml.
        path: PathBuf,
        /// The step name given.
        step: String,
    },
    /// A folder without steps is almost certainly a mistake.
    #[error("{0}: no NN-name.request.xml steps found")]
    NoSteps(PathBuf),
}

/// The `scenario.toml` of one scenario.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// What the scenario demonstrates, in one or two sentences.
    pub description: String,
    /// Rule codes and fault codes the scenario demonstrates, for coverage listings.
    #[serde(default)]
    pub demonstrates: Vec<String>,
    /// Register date to pin for the whole scenario (`YYYY-MM-DD`).
    pub today: Option<String>,
    /// Default OIN whose dev certificate sends each step (and the default `wsa:From`).
    #[serde(rename = "as")]
    pub as_oin: Option<String>,
    /// Per-step overrides, keyed by step name (`NN-name`).
    #[serde(default)]
    pub steps: BTreeMap<String, StepOptions>,
}

/// How one step deviates from the scenario's defaults.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StepOptions {
    /// OIN whose dev certificate connects (`certs-dev/clients/{OIN}.pem`).
    #[serde(rename = "as")]
    pub as_oin: Option<String>,
    /// OIN put in `wsa:From` when the request is a bare body (defaults to `as`).
    pub from: Option<String>,
    /// Certificate stem relative to the certificate directory, e.g. `negative/bad-oin`; overrides
    /// `as` for the TLS identity.
    pub cert: Option<String>,
    /// SOAPAction header to send instead of the derived one; empty string sends none.
    pub soap_action: Option<String>,
}

/// One request/expected pair.
#[derive(Debug, Clone)]
pub struct Step {
    /// `NN-name`.
    pub name: String,
    /// Path of the request file.
    pub request: PathBuf,
    /// Path of the expected response file (may not exist yet when recording).
    pub expected: PathBuf,
    /// Effective options for this step.
    pub options: StepOptions,
}

/// A loaded scenario folder.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Folder name, used as the JUnit testsuite name.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
    /// Parsed `scenario.toml`.
    pub file: ScenarioFile,
    /// Steps in file-name order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// Loads one scenario folder.
    pub fn load(dir: &Path) -> Result<Scenario, ScenarioError> {
        let toml_path = dir.join("scenario.toml");
        let text = std::fs::read_to_string(&toml_path).map_err(|source| ScenarioError::Io {
            path: toml_path.clone(),
            source,
        })?;
        let file: ScenarioFile = toml::from_str(&text).map_err(|e| ScenarioError::Toml {
            path: toml_path.clone(),
            message: e.to_string(),
        })?;
        let mut names = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|source| ScenarioError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| ScenarioError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
            let fname = entry.file_name().to_string_lossy().to_string();
            if let Some(stem) = fname.strip_suffix(".request.xml") {
                names.push(stem.to_string());
            }
        }
        names.sort();
        if names.is_empty() {
            return Err(ScenarioError::NoSteps(dir.to_path_buf()));
        }
        for key in file.steps.keys() {
            if !names.contains(key) {
                return Err(ScenarioError::UnknownStep {
                    path: toml_path,
                    step: key.clone(),
                });
            }
        }
        let steps = names
            .into_iter()
            .map(|name| {
                let mut options = file.steps.get(&name).cloned().unwrap_or_default();
                if options.as_oin.is_none() {
                    options.as_oin = file.as_oin.clone();
                }
                Step {
                    request: dir.join(format!("{name}.request.xml")),
                    expected: dir.join(format!("{name}.expected.xml")),
                    name,
                    options,
                }
            })
            .collect();
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| dir.display().to_string());
        Ok(Scenario {
            name,
            dir: dir.to_path_buf(),
            file,
            steps,
        })
    }

    /// Finds scenarios under each root: a folder with `scenario.toml` is a scenario, any other
    /// folder is searched one level deeper, so `osp replay fixtures/scenarios` runs them all.
    pub fn discover(roots: &[PathBuf]) -> Result<Vec<Scenario>, ScenarioError> {
        let mut out = Vec::new();
        for root in roots {
            if root.join("scenario.toml").is_file() {
                out.push(Scenario::load(root)?);
                continue;
            }
            let entries = std::fs::read_dir(root).map_err(|source| ScenarioError::Io {
                path: root.clone(),
                source,
            })?;
            let mut dirs: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("scenario.toml").is_file())
                .collect();
            dirs.sort();
            for d in dirs {
                out.push(Scenario::load(&d)?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_steps_in_order_with_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().join("s1");
        std::fs::create_dir(&s).unwrap();
        std::fs::write(
            s.join("scenario.toml"),
            "description = \"d\"\nas = \"A\"\n[steps.02-b]\nas = \"B\"\nsoap_action = \"\"\n",
        )
        .unwrap();
        std::fs::write(s.join("02-b.request.xml"), "<x/>").unwrap();
        std::fs::write(s.join("01-a.request.xml"), "<x/>").unwrap();
        let found = Scenario::discover(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(found.len(), 1);
        let sc = &found[0];
        assert_eq!(
            sc.steps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["01-a", "02-b"]
        );
        assert_eq!(sc.steps[0].options.as_oin.as_deref(), Some("A"));
        assert_eq!(sc.steps[1].options.as_oin.as_deref(), Some("B"));
        assert_eq!(sc.steps[1].options.soap_action.as_deref(), Some(""));
    }

    #[test]
    fn unknown_step_override_and_unknown_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("scenario.toml"),
            "description = \"d\"\n[steps.09-x]\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("01-a.request.xml"), "<x/>").unwrap();
        assert!(matches!(
            Scenario::load(dir.path()),
            Err(ScenarioError::UnknownStep { .. })
        ));
        std::fs::write(
            dir.path().join("scenario.toml"),
            "description = \"d\"\nfoo = 1\n",
        )
        .unwrap();
        assert!(matches!(
            Scenario::load(dir.path()),
            Err(ScenarioError::Toml { .. })
        ));
    }
}
