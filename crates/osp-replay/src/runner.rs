//! Runs scenarios step by step against a target, compares by meaning, records on request.

use crate::canon::{self, Masking, Node};
use crate::junit::{CaseResult, Failure, SuiteResult};
use crate::scenario::{Scenario, Step};
use osp_model::Operation;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// One request as the runner hands it to a session.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The request file's bytes, unchanged.
    pub raw: Vec<u8>,
    /// True when `raw` is a whole SOAP envelope (sent as is); false for a bare body the session
    /// must wrap with WS-Addressing headers.
    pub is_envelope: bool,
    /// Operation named by the body's root element, when recognisable.
    pub operation: Option<Operation>,
    /// The step's options (identity, From, SOAPAction override).
    pub options: crate::scenario::StepOptions,
}

/// What came back over the wire.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// HTTP status.
    pub status: u16,
    /// Response body bytes (a SOAP envelope).
    pub body: Vec<u8>,
}

/// A connection to one fresh register sandbox for the duration of one scenario.
pub trait Session {
    /// Sends one step's request and returns the raw exchange.
    fn send(&mut self, out: &Outgoing) -> Result<Exchange, String>;
}

/// Where scenarios run: an in-process server per scenario, or a running osp.
pub trait Target: Sync {
    /// Prepares a fresh sandbox for `scenario` (pinning its clock) and connects to it.
    fn open(&self, scenario: &Scenario) -> Result<Box<dyn Session + '_>, String>;
}

/// Options of one replay run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Rewrite expected files from the actual responses instead of comparing.
    pub record: bool,
    /// Scenarios run at once.
    pub jobs: usize,
}

/// Reports progress to the caller (a progress bar in the CLI; nothing in tests).
pub trait Progress: Sync {
    /// Called after each step.
    fn step_done(&self, scenario: &str, step: &str, ok: bool);
}

impl Progress for () {
    fn step_done(&self, _: &str, _: &str, _: bool) {}
}

/// Looks at a request file's root element: envelope (or unparseable, sent as is) or body, and which operation.
pub fn classify(raw: &[u8]) -> (bool, Option<Operation>) {
    let Ok(text) = std::str::from_utf8(raw) else {
        // Non-UTF-8 requests (DK0009 scenarios) are always whole envelopes.
        return (true, None);
    };
    match canon::parse(text, None) {
        Ok(node) if node.local == "Envelope" => {
            let op = node
                .children
                .iter()
                .find(|c| c.local == "Body")
                .and_then(|b| b.children.first())
                .and_then(|c| Operation::from_request_element(&c.ns, &c.local));
            (true, op)
        }
        Ok(node) => (
            false,
            Operation::from_request_element(&node.ns, &node.local),
        ),
        // Deliberately malformed requests are sent as they are.
        Err(_) => (true, None),
    }
}

/// The child of `soap:Body` (response or Fault), or the whole document when it is no envelope.
pub fn body_child(doc: Node) -> Node {
    if doc.local != "Envelope" {
        return doc;
    }
    let mut doc = doc;
    match doc.children.iter().position(|c| c.local == "Body") {
        Some(i) => {
            let mut body = doc.children.swap_remove(i);
            if body.children.is_empty() {
                body
            } else {
                body.children.swap_remove(0)
            }
        }
        None => doc,
    }
}

fn run_step(
    session: &mut dyn Session,
    step: &Step,
    opts: &RunOptions,
    masking: &Masking,
) -> Result<(), Failure> {
    let error = |message: String| Failure {
        message: message.clone(),
        detail: message,
        is_error: true,
    };
    let raw = std::fs::read(&step.request)
        .map_err(|e| error(format!("{}: {e}", step.request.display())))?;
    let (is_envelope, operation) = classify(&raw);
    let out = Outgoing {
        raw,
        is_envelope,
        operation,
        options: step.options.clone(),
    };
    let exchange = session
        .send(&out)
        .map_err(|e| error(format!("sending {}: {e}", step.name)))?;
    let text = String::from_utf8(exchange.body)
        .map_err(|_| error(format!("response to {} is not UTF-8", step.name)))?;
    if opts.record || !step.expected.exists() {
        let node = canon::parse(&text, None).map_err(|e| {
            error(format!(
                "response to {} is not XML ({e}): {text}",
                step.name
            ))
        })?;
        let pretty = crate::pretty::to_xml(&body_child(node));
        std::fs::write(&step.expected, pretty)
            .map_err(|e| error(format!("{}: {e}", step.expected.display())))?;
        if opts.record {
            return Ok(());
        }
        return Err(error(format!(
            "{} had no expected file; recorded the actual response",
            step.name
        )));
    }
    let expected_text = std::fs::read_to_string(&step.expected)
        .map_err(|e| error(format!("{}: {e}", step.expected.display())))?;
    let mut expected = body_child(
        canon::parse(&expected_text, None)
            .map_err(|e| error(format!("{}: {e}", step.expected.display())))?,
    );
    let mut actual = body_child(canon::parse(&text, None).map_err(|e| {
        error(format!(
            "response to {} is not XML ({e}): {text}",
            step.name
        ))
    })?);
    // Masking after cutting out the body, so the root-children rule sees the response element
    // on both sides, whether the file holds a body or a whole envelope.
    canon::mask(&mut expected, masking);
    canon::mask(&mut actual, masking);
    match canon::diff(&expected, &actual) {
        None => Ok(()),
        Some(d) => Err(Failure {
            message: format!(
                "{}: response differs from {} (HTTP {})",
                step.name,
                step.expected.display(),
                exchange.status
            ),
            detail: d,
            is_error: false,
        }),
    }
}

/// Runs one scenario in a fresh session; steps after a failed one still run (the register state
/// they see is what the vendor's system would see), so every mismatch is reported.
pub fn run_scenario(
    target: &dyn Target,
    scenario: &Scenario,
    opts: &RunOptions,
    progress: &dyn Progress,
) -> SuiteResult {
    let masking = Masking::default();
    let mut cases = Vec::new();
    let mut session = match target.open(scenario) {
        Ok(s) => s,
        Err(e) => {
            for step in &scenario.steps {
                cases.push(CaseResult {
                    name: step.name.clone(),
                    seconds: 0.0,
                    failure: Some(Failure {
                        message: format!("could not start scenario: {e}"),
                        detail: e.clone(),
                        is_error: true,
                    }),
                });
                progress.step_done(&scenario.name, &step.name, false);
            }
            return SuiteResult {
                name: scenario.name.clone(),
                cases,
            };
        }
    };
    for step in &scenario.steps {
        let started = Instant::now();
        let outcome = run_step(session.as_mut(), step, opts, &masking);
        progress.step_done(&scenario.name, &step.name, outcome.is_ok());
        cases.push(CaseResult {
            name: step.name.clone(),
            seconds: started.elapsed().as_secs_f64(),
            failure: outcome.err(),
        });
    }
    SuiteResult {
        name: scenario.name.clone(),
        cases,
    }
}

/// Runs all scenarios, `jobs` at a time, and returns results in input order.
pub fn run_all(
    target: &dyn Target,
    scenarios: &[Scenario],
    opts: &RunOptions,
    progress: &dyn Progress,
) -> Vec<SuiteResult> {
    let jobs = opts.jobs.max(1).min(scenarios.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<SuiteResult>>> = Mutex::new(vec![None; scenarios.len()]);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(sc) = scenarios.get(i) else { break };
                let r = run_scenario(target, sc, opts, progress);
                if let Ok(mut guard) = results.lock() {
                    if let Some(slot) = guard.get_mut(i) {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A target that answers every request by echoing a fixed response shape built from it.
    struct EchoTarget;
    struct EchoSession(u32);
    impl Session for EchoSession {
        fn send(&mut self, out: &Outgoing) -> Result<Exchange, String> {
            static GENERATED: AtomicUsize = AtomicUsize::new(0);
            self.0 += 1;
            let op = out.operation.map(|o| o.name()).unwrap_or("none");
            // The response's own identificatiecode differs on every call, as osp's does.
            let id = GENERATED.fetch_add(1, Ordering::SeqCst);
            let body = format!(
                "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><r xmlns=\"urn:t\"><identificatiecodeBedrijfsdocument>{id}</identificatiecodeBedrijfsdocument><op>{op}</op><n>{}</n><aanlevermoment>{}</aanlevermoment></r></s:Body></s:Envelope>",
                self.0, self.0
            );
            Ok(Exchange {
                status: 200,
                body: body.into_bytes(),
            })
        }
    }
    impl Target for EchoTarget {
        fn open(&self, _: &Scenario) -> Result<Box<dyn Session + '_>, String> {
            Ok(Box::new(EchoSession(0)))
        }
    }

    #[test]
    fn record_then_replay_then_detect_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().join("sc");
        std::fs::create_dir(&s).unwrap();
        std::fs::write(s.join("scenario.toml"), "description = \"t\"\n").unwrap();
        let body = "<ins:aanleverenInschrijvingVO_Request xmlns:ins=\"http://duo.nl/schema/DUO_VOAanlevering_InschrijvingVO_V1\"/>";
        std::fs::write(s.join("01-a.request.xml"), body).unwrap();
        std::fs::write(s.join("02-b.request.xml"), body).unwrap();
        let scenarios = Scenario::discover(&[dir.path().to_path_buf()]).unwrap();
        let rec = run_all(
            &EchoTarget,
            &scenarios,
            &RunOptions {
                record: true,
                jobs: 2,
            },
            &(),
        );
        assert!(rec[0].cases.iter().all(|c| c.failure.is_none()));
        let recorded = std::fs::read_to_string(s.join("01-a.expected.xml")).unwrap();
        assert!(
            recorded.contains(":op>aanleverenInschrijvingVO</ns1:op>"),
            "{recorded}"
        );
        // aanlevermoment differs run to run in real life; it is masked, so replay passes.
        let ok = run_all(
            &EchoTarget,
            &scenarios,
            &RunOptions {
                record: false,
                jobs: 1,
            },
            &(),
        );
        assert!(
            ok[0].cases.iter().all(|c| c.failure.is_none()),
            "{:?}",
            ok[0].cases
        );
        // Change an expected value: the step fails with a diff naming it.
        std::fs::write(
            s.join("02-b.expected.xml"),
            recorded.replace(">1</ns1:n>", ">7</ns1:n>"),
        )
        .unwrap();
        let bad = run_all(
            &EchoTarget,
            &scenarios,
            &RunOptions {
                record: false,
                jobs: 1,
            },
            &(),
        );
        let f = bad[0].cases[1].failure.as_ref().unwrap();
        assert!(!f.is_error);
        assert!(
            f.detail.contains("-  <n>7</n>") && f.detail.contains("+  <n>2</n>"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn classifies_envelopes_and_bodies() {
        let env = "<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"><e:Body><x:ophalenBerichtenVO_Request xmlns:x=\"http://duo.nl/schema/DUO_VOInformatiediensten_OphalenBerichtenVO_V1\"/></e:Body></e:Envelope>";
        assert_eq!(
            classify(env.as_bytes()),
            (true, Some(Operation::OphalenBerichtenVO))
        );
        assert_eq!(classify(b"<broken"), (true, None));
        assert_eq!(classify(b"\xff\xfe"), (true, None));
    }
}
