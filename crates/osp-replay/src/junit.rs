//! JUnit XML output (`--junit FILE`): one testsuite per scenario, one testcase per step, in the
//! dialect Jenkins, GitLab and GitHub test reporters read.

use std::fmt::Write as _;

/// Result of one step as reported to CI.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// Step name (`NN-name`).
    pub name: String,
    /// Wall time in seconds.
    pub seconds: f64,
    /// `None` when the step passed.
    pub failure: Option<Failure>,
}

/// Why a step failed: a mismatch is a `failure`, anything that prevented comparing an `error`.
#[derive(Debug, Clone)]
pub struct Failure {
    /// One-line summary.
    pub message: String,
    /// Details (the diff, or the error chain).
    pub detail: String,
    /// True for errors (could not send, unreadable file), false for mismatches.
    pub is_error: bool,
}

/// Results of one scenario.
#[derive(Debug, Clone)]
pub struct SuiteResult {
    /// Scenario name.
    pub name: String,
    /// Step results in order.
    pub cases: Vec<CaseResult>,
}

fn esc(s: &str) -> String {
    // Control characters other than tab/newline are not allowed in XML 1.0 at all.
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' && c != '\r' {
                '?'
            } else {
                c
            }
        })
        .collect();
    quick_xml::escape::escape(cleaned.as_str()).into_owned()
}

/// Renders the JUnit document.
pub fn render(suites: &[SuiteResult]) -> String {
    let count = |f: &dyn Fn(&CaseResult) -> bool| -> usize {
        suites
            .iter()
            .flat_map(|s| s.cases.iter())
            .filter(|c| f(c))
            .count()
    };
    let tests = count(&|_| true);
    let failures = count(&|c| c.failure.as_ref().is_some_and(|f| !f.is_error));
    let errors = count(&|c| c.failure.as_ref().is_some_and(|f| f.is_error));
    let total: f64 = suites
        .iter()
        .flat_map(|s| s.cases.iter())
        .map(|c| c.seconds)
        .sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"osp replay\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{total:.3}\">"
    );
    for suite in suites {
        let f = suite
            .cases
            .iter()
            .filter(|c| c.failure.as_ref().is_some_and(|f| !f.is_error))
            .count();
        let e = suite
            .cases
            .iter()
            .filter(|c| c.failure.as_ref().is_some_and(|f| f.is_error))
            .count();
        let t: f64 = suite.cases.iter().map(|c| c.seconds).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" errors=\"{e}\" time=\"{t:.3}\">",
            esc(&suite.name),
            suite.cases.len()
        );
        for case in &suite.cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                esc(&suite.name),
                esc(&case.name),
                case.seconds
            );
            match &case.failure {
                None => out.push_str("/>\n"),
                Some(fail) => {
                    let tag = if fail.is_error { "error" } else { "failure" };
                    let _ = writeln!(
                        out,
                        ">\n      <{tag} message=\"{}\">{}</{tag}>\n    </testcase>",
                        esc(&fail.message),
                        esc(&fail.detail)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_escapes() {
        let suites = vec![SuiteResult {
            name: "s<1>".into(),
            cases: vec![
                CaseResult {
                    name: "01-a".into(),
                    seconds: 0.5,
                    failure: None,
                },
                CaseResult {
                    name: "02-b".into(),
                    seconds: 0.25,
                    failure: Some(Failure {
                        message: "mismatch & more".into(),
                        detail: "-<a>\n+<b>".into(),
                        is_error: false,
                    }),
                },
                CaseResult {
                    name: "03-c".into(),
                    seconds: 0.0,
                    failure: Some(Failure {
                        message: "io".into(),
                        detail: "x\u{1}".into(),
                        is_error: true,
                    }),
                },
            ],
        }];
        let xml = render(&suites);
        assert!(
            xml.contains("tests=\"3\" failures=\"1\" errors=\"1\""),
            "{xml}"
        );
        assert!(xml.contains("name=\"s&lt;1&gt;\""));
        assert!(xml.contains("<failure message=\"mismatch &amp; more\">-&lt;a&gt;"));
        assert!(xml.contains("<error message=\"io\">x?</error>"));
        // The document must be well-formed.
        crate::canon::parse(&xml, None).unwrap();
    }
}
