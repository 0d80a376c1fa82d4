//! Admin routes of the push worker (on the gateway's loopback admin listener):
//! `GET /push` (callbacks, failing administraties with their retry state, counters),
//! `GET /push/metrics` (Prometheus text), `PUT /push/callbacks/{oin}` with
//! `{"url": "https://…", "sandbox": "default"}`, `DELETE /push/callbacks/{oin}`.

use std::sync::Arc;

use osp_gateway::{AdminExtension, AdminRequest, AdminResponse};
use serde::Deserialize;

use crate::config::Callback;
use crate::worker::Pusher;

/// The admin extension of a [`Pusher`].
#[derive(Debug, Clone)]
pub struct PushAdmin {
    /// The worker it shows and configures.
    pub pusher: Arc<Pusher>,
}

#[derive(Deserialize)]
struct CallbackBody {
    url: String,
    #[serde(default)]
    sandbox: Option<String>,
}

fn json_fout(status: u16, melding: &str) -> AdminResponse {
    AdminResponse::json(status, serde_json::json!({ "fout": melding }).to_string())
}

impl AdminExtension for PushAdmin {
    fn handle(&self, r: &AdminRequest) -> Option<AdminResponse> {
        let p = &self.pusher;
        Some(match (r.method.as_str(), r.path.as_str()) {
            ("GET", "/push") => match serde_json::to_string_pretty(&p.status()) {
                Ok(t) => AdminResponse::json(200, t),
                Err(e) => json_fout(500, &e.to_string()),
            },
            ("GET", "/push/metrics") => AdminResponse {
                status: 200,
                content_type: "text/plain; version=0.0.4; charset=utf-8".into(),
                body: p.render_metrics().into_bytes(),
            },
            (methode, pad) if pad.starts_with("/push/callbacks/") => {
                let oin = &pad["/push/callbacks/".len()..];
                if oin.len() != 20 || !oin.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Some(json_fout(
                        400,
                        "OIN moet 20 tekens (cijfers en hoofdletters) zijn",
                    ));
                }
                match methode {
                    "PUT" => match serde_json::from_slice::<CallbackBody>(&r.body) {
                        Ok(b) => {
                            let cb = Callback {
                                oin: oin.to_string(),
                                url: b.url,
                                sandbox: b.sandbox.unwrap_or_else(|| "default".into()),
                            };
                            match p.set_callback(cb) {
                                Ok(()) => AdminResponse::json(200, "{\"ok\":true}"),
                                Err(e) => json_fout(400, &e.to_string()),
                            }
                        }
                        Err(e) => json_fout(
                            400,
                            &format!("verwacht {{\"url\": …, \"sandbox\": …}}: {e}"),
                        ),
                    },
                    "DELETE" => match p.remove_callback(oin) {
                        Ok(true) => AdminResponse::json(200, "{\"ok\":true}"),
                        Ok(false) => json_fout(404, "geen callback voor deze OIN"),
                        Err(e) => json_fout(500, &e.to_string()),
                    },
                    _ => json_fout(405, "gebruik PUT of DELETE"),
                }
            }
            _ => return None,
        })
    }
}
