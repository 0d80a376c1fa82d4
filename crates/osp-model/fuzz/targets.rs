//! The bodies of the fuzz targets beside each parser of osp-model. cargo-fuzz runs them from
//! `fuzz_targets/` (nightly, libFuzzer); `tests/fuzz_smoke.rs` runs the very same functions on
//! stable inside `cargo test`, over the seed corpus and mutations of it. Each one panics when a
//! property breaks, so a finding is a crash in both.

use std::ffi::c_int;

use osp_model::messages::*;
use osp_model::validate::MAX_VIOLATIONS;
use osp_model::{check, from_xml, to_xml, Contract, InputError, Limits, Message, Validator};

/// The input guard: never panics; what it accepts is UTF-8 that libxml2 parses as well-formed
/// and namespace-well-formed, since everything after the guard relies on that.
pub fn guard(data: &[u8]) {
    match check(data, &Limits::default()) {
        Ok(()) => {
            let text = std::str::from_utf8(data).expect("the guard accepted non-UTF-8");
            if let Err(e) = libxml2_well_formed(text) {
                panic!("the guard accepted what libxml2 refuses: {e}");
            }
        }
        Err(InputError::TooLarge { size, limit }) => assert!(size > limit),
        Err(_) => {}
    }
}

/// Guard, then the XSD validator, as the gateway runs them: never panics, and a refusal always
/// lists between 1 and 50 violations.
pub fn validate(data: &[u8]) {
    let Some(text) = guarded(data) else { return };
    let v = Validator::new().expect("the embedded schemas compile");
    if let Err(violations) = v.validate(contract_for(text), text) {
        assert!(!violations.is_empty(), "refused without a violation");
        assert!(
            violations.len() <= MAX_VIOLATIONS,
            "{} violations",
            violations.len()
        );
    }
}

/// The generated `from_xml` of every request root: never panics on any text; and on a body the
/// guard and the validator accept, it succeeds and round-trips through `to_xml` unchanged.
pub fn from_xml_requests(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let valid = guarded(data).is_some_and(|t| {
        let v = Validator::new().expect("the embedded schemas compile");
        v.validate(contract_for(t), t).is_ok()
    });
    macro_rules! each_request {
        ($($t:ty,)*) => {
            $( read::<$t>(text, valid); )*
        };
    }
    each_request! {
        AanleverenInschrijvingVORequest,
        AanleverenVerwijderingInschrijvingVORequest,
        AanleverenIdentificerenPersoonVORequest,
        AanleverenExamenresultaatVORequest,
        AanleverenVerwijderingExamenresultaatVORequest,
        OphalenBerichtenVORequest,
        BevestigenBerichtenVORequest,
        VerstrekkenDigitaalInUitschrijfbewijsVORequest,
        VerstrekkenBekostigingVORequest,
        TerugkoppelingInschrijvingVORequest,
        TerugkoppelingExamenresultaatVORequest,
        TerugkoppelingIdentificerenPersoonVORequest,
    }
}

/// Reads `text` as `T`; when it is a valid body with `T`'s root, reading must succeed and
/// survive a round trip.
fn read<T: Message + PartialEq + std::fmt::Debug>(text: &str, valid: bool) {
    let parsed = from_xml::<T>(text);
    if !valid || !has_root::<T>(text) {
        return;
    }
    let first = parsed.unwrap_or_else(|e| panic!("valid {} not read: {e}", T::ELEMENT));
    let written = to_xml(&first).unwrap_or_else(|e| panic!("{} not written: {e}", T::ELEMENT));
    let second = from_xml::<T>(&written)
        .unwrap_or_else(|e| panic!("{} not read back: {e}\n{written}", T::ELEMENT));
    assert_eq!(
        first,
        second,
        "{}: round trip changed the value",
        T::ELEMENT
    );
}

/// True when the document's root element is `{T::NAMESPACE}T::ELEMENT` (cheaply, by text).
fn has_root<T: Message>(text: &str) -> bool {
    text.contains(T::NAMESPACE)
        && text
            .split('<')
            .find(|s| !s.starts_with('?') && !s.starts_with('!') && !s.trim().is_empty())
            .and_then(|s| {
                s.split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                    .next()
            })
            .is_some_and(|name| name.rsplit(':').next() == Some(T::ELEMENT))
}

/// `data` as text when the guard accepts it.
fn guarded(data: &[u8]) -> Option<&str> {
    check(data, &Limits::default()).ok()?;
    std::str::from_utf8(data).ok()
}

/// The contract whose namespace the text names (the root's, for a real body).
fn contract_for(text: &str) -> Contract {
    Contract::ALL
        .into_iter()
        .find(|c| text.contains(&c.schema_ns()))
        .unwrap_or(Contract::InschrijvingVO)
}

/// Parses `text` with libxml2 (no network, no errors printed) and reports whether it is
/// well-formed and namespace-well-formed. A namespace name that is not a valid URI is left out:
/// libxml2 counts it against namespace well-formedness, the guard leaves URI syntax to the
/// validator, which reports libxml2's message as a violation (DK0004 all the same).
#[allow(unsafe_code)] // libxml2 itself is the oracle: its C parser through the raw binding
fn libxml2_well_formed(text: &str) -> Result<(), String> {
    use libxml::bindings as b;
    /// Every error libxml2 raised while parsing: (code, message).
    type Errors = Vec<(c_int, String)>;
    unsafe extern "C" fn collect(ctx: *mut std::ffi::c_void, error: *mut b::_xmlError) {
        if ctx.is_null() || error.is_null() {
            return;
        }
        // SAFETY: `ctx` is the `Errors` of the running parse, `error` valid for this call.
        unsafe {
            let (errors, error) = (&mut *ctx.cast::<Errors>(), &*error);
            if error.level == b::xmlErrorLevel_XML_ERR_WARNING {
                return;
            }
            let message = if error.message.is_null() {
                String::new()
            } else {
                std::ffi::CStr::from_ptr(error.message)
                    .to_string_lossy()
                    .trim()
                    .to_string()
            };
            errors.push((error.code, message));
        }
    }
    let len = c_int::try_from(text.len()).map_err(|_| "too large".to_string())?;
    let options = b::xmlParserOption_XML_PARSE_NONET
        | b::xmlParserOption_XML_PARSE_NOWARNING
        | b::xmlParserOption_XML_PARSE_BIG_LINES;
    let mut errors: Errors = Vec::new();
    // SAFETY: the handler points at `errors` only during the parse; the document is freed.
    let doc = unsafe {
        let handler: unsafe extern "C" fn(*mut std::ffi::c_void, *mut b::_xmlError) = collect;
        // libxml2 < 2.12 declares the error parameter mutable, later versions const: same ABI.
        #[allow(clippy::missing_transmute_annotations, clippy::useless_transmute)]
        b::xmlSetStructuredErrorFunc(
            (&mut errors as *mut Errors).cast(),
            Some(std::mem::transmute(handler)),
        );
        let doc = b::xmlReadMemory(
            text.as_ptr().cast(),
            len,
            std::ptr::null(),
            c"UTF-8".as_ptr(),
            options as c_int,
        );
        b::xmlSetStructuredErrorFunc(std::ptr::null_mut(), None);
        doc
    };
    let parsed = !doc.is_null();
    if parsed {
        // SAFETY: `doc` came from xmlReadMemory and is freed once.
        unsafe { b::xmlFreeDoc(doc) };
    }
    let uri = [
        b::xmlParserErrors_XML_WAR_NS_URI as c_int,
        b::xmlParserErrors_XML_WAR_NS_URI_RELATIVE as c_int,
    ];
    match errors.into_iter().find(|(code, _)| !uri.contains(code)) {
        Some((code, message)) => Err(format!("libxml2 error {code}: {message}")),
        None if !parsed => Err("libxml2 returned no document".into()),
        None => Ok(()),
    }
}
