//! Register routes of the admin API (SPEC §9), plugged into the gateway's admin listener:
//! reset a sandbox, read or pin its clock, read a person's register state, list an outbox, and
//! reload reference data — what a vendor's test harness needs between test cases.

use osp_gateway::{AdminExtension, AdminRequest, AdminResponse};
use osp_register::domain::Pgn;
use osp_register::{Reference, Register};
use std::path::PathBuf;
use std::sync::Arc;

/// The register's admin routes.
pub struct RegisterAdmin {
    /// The register being served.
    pub register: Arc<Register>,
    /// Where reference data is reloaded from.
    pub reference_dir: PathBuf,
}

fn json(status: u16, value: &impl serde::Serialize) -> AdminResponse {
    match serde_json::to_vec_pretty(value) {
        Ok(body) => AdminResponse::json(status, body),
        Err(e) => error(500, &e.to_string()),
    }
}

fn error(status: u16, message: &str) -> AdminResponse {
    AdminResponse::json(status, serde_json::json!({ "fout": message }).to_string())
}

fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

/// Body of `PUT /sandboxes/{name}/clock`.
#[derive(serde::Deserialize)]
struct ClockBody {
    /// `YYYY-MM-DD`, or null to follow real time again.
    today: Option<String>,
}

impl RegisterAdmin {
    fn route(&self, req: &AdminRequest) -> Option<AdminResponse> {
        let parts: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        match (req.method.as_str(), parts.as_slice()) {
            ("POST", ["reference", "reload"]) => Some(match Reference::load(&self.reference_dir) {
                Ok(r) => {
                    self.register.set_reference(r);
                    json(
                        200,
                        &serde_json::json!({ "herladen": self.reference_dir.display().to_string() }),
                    )
                }
                Err(e) => error(422, &e.to_string()),
            }),
            ("POST", ["sandboxes", sandbox, "reset"]) => {
                Some(match self.register.reset_sandbox(sandbox) {
                    Ok(n) => json(
                        200,
                        &serde_json::json!({ "sandbox": sandbox, "verwijderd": n }),
                    ),
                    Err(e) => error(400, &e.to_string()),
                })
            }
            ("GET", ["sandboxes", sandbox, "clock"]) => Some(json(
                200,
                &serde_json::json!({ "sandbox": sandbox, "today": self.register.today(sandbox).to_string() }),
            )),
            ("PUT" | "POST", ["sandboxes", sandbox, "clock"]) => {
                let body: ClockBody = match serde_json::from_slice(&req.body) {
                    Ok(b) => b,
                    Err(e) => {
                        return Some(error(
                            400,
                            &format!("verwacht {{\"today\": \"YYYY-MM-DD\" | null}}: {e}"),
                        ))
                    }
                };
                let today = match body
                    .today
                    .as_deref()
                    .map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d"))
                {
                    None => None,
                    Some(Ok(d)) => Some(d),
                    Some(Err(_)) => return Some(error(400, "today moet YYYY-MM-DD zijn")),
                };
                self.register.set_today(sandbox, today);
                Some(json(
                    200,
                    &serde_json::json!({ "sandbox": sandbox, "today": self.register.today(sandbox).to_string(), "vastgezet": today.is_some() }),
                ))
            }
            (
                "GET",
                ["sandboxes", sandbox, soort @ ("burgerservicenummer" | "onderwijsnummer"), nummer],
            ) => {
                let pgn = if *soort == "burgerservicenummer" {
                    Pgn::Burgerservicenummer(nummer.to_string())
                } else {
                    Pgn::Onderwijsnummer(nummer.to_string())
                };
                Some(match self.register.person_state(sandbox, &pgn) {
                    Ok(state) => json(200, &state),
                    Err(e) => error(400, &e.to_string()),
                })
            }
            ("GET", ["sandboxes", sandbox, "outbox", oin]) => {
                let after = query_param(req.query.as_deref(), "after")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let max = query_param(req.query.as_deref(), "max")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(100);
                Some(match self.register.outbox_read(sandbox, oin, after, max) {
                    Ok(list) => json(200, &list),
                    Err(e) => error(400, &e.to_string()),
                })
            }
            _ => None,
        }
    }
}

impl AdminExtension for RegisterAdmin {
    fn handle(&self, request: &AdminRequest) -> Option<AdminResponse> {
        self.route(request)
    }
}
