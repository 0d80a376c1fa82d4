//! Text lookups in response and outbox bodies for assertions: tests check single values by
//! local name, independent of prefixes; the full structure is checked by XSD validation and by
//! reading the body back through osp-model's generated types.

use quick_xml::events::Event;
use quick_xml::Reader;

/// Local name of a qualified name.
fn lokaal(naam: &str) -> String {
    naam.rsplit(':').next().unwrap_or_default().to_string()
}

/// Trimmed text of the first element whose local-name path below the root is `pad`.
pub fn tekst_op(xml: &str, pad: &[&str]) -> Option<String> {
    zoek(xml, |stapel| {
        stapel.len() == pad.len() + 1 && stapel[1..].iter().zip(pad).all(|(a, b)| a == b)
    })
}

/// Trimmed text of the first element below the root with this local name.
pub fn eerste(xml: &str, naam: &str) -> Option<String> {
    zoek(xml, |stapel| {
        stapel.len() > 1 && stapel.last().is_some_and(|n| n == naam)
    })
}

fn zoek(xml: &str, past: impl Fn(&[String]) -> bool) -> Option<String> {
    let mut reader = Reader::from_str(xml);
    let mut stapel: Vec<String> = Vec::new();
    let mut tekst: Option<String> = None;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                stapel.push(lokaal(e.name().as_ref()));
                if tekst.is_none() && past(&stapel) {
                    tekst = Some(String::new());
                    let diepte = stapel.len();
                    loop {
                        match reader.read_event().ok()? {
                            Event::Text(t) => tekst.as_mut()?.push_str(&t.xml10_content()),
                            Event::GeneralRef(r) => {
                                let c = match &*r {
                                    "amp" => '&',
                                    "lt" => '<',
                                    "gt" => '>',
                                    "quot" => '"',
                                    "apos" => '\'',
                                    _ => r.resolve_char_ref().ok()??,
                                };
                                tekst.as_mut()?.push(c);
                            }
                            Event::End(_) if stapel.len() == diepte => break,
                            Event::Start(e) => stapel.push(lokaal(e.name().as_ref())),
                            Event::End(_) => {
                                stapel.pop();
                            }
                            Event::Eof => return None,
                            _ => {}
                        }
                    }
                    return tekst.map(|t| t.trim().to_string());
                }
            }
            Event::Empty(e) => {
                stapel.push(lokaal(e.name().as_ref()));
                if past(&stapel) {
                    return Some(String::new());
                }
                stapel.pop();
            }
            Event::End(_) => {
                stapel.pop();
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}
