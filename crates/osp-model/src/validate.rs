//! Real XSD validation of message bodies with libxml2 (SPEC §3: DK0004 lists every violation,
//! up to 50, with line, column and path).
//!
//! Schemas are read from the embedded files of [`crate::files`] through a libxml2 input callback
//! under the URL prefix `osp-embedded:///xsd/`, so relative `schemaLocation` imports resolve
//! without touching the working directory. libxml2's compiled schemas and validation contexts
//! are not `Send`: each thread compiles the schemas it needs once and keeps them in a
//! thread-local cache. [`Validator`] itself holds no libxml2 state, so it is `Send + Sync + Copy`.
//!
//! `pad` format: an XPath-like path of qualified names as written in the document
//! (`prefix:local`, or `local` for the default namespace) from the validated root element down,
//! with a 1-based `[n]` position wherever the parent has more than one child of that name, e.g.
//! `/ins:aanleverenInschrijvingVO_Request/ins:inschrijvingPeriodeVO[2]/bas:datumBegin`.
//! Attribute violations end in `/@name`. Errors without a node (parse errors) have an empty path.
//!
//! The one module of osp with `unsafe` code: libxml2 has no safe binding for structured errors,
//! validating a subtree or reading node positions, so this module calls its C API directly.
//! Every `unsafe` block says which libxml2 invariant makes it sound.
#![allow(unsafe_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::{Mutex, Once};

use libxml::bindings;
use libxml::schemas::SchemaParserContext;

use crate::contracts::{Contract, SOAP11_NS};
use crate::files::{xsd, XSD_FILES};

/// URL prefix under which the embedded XSDs are visible to libxml2.
const EMBEDDED_PREFIX: &str = "osp-embedded:///xsd/";
/// File name of the SOAP fault detail schema (SPEC §3).
pub const FOUT_XSD: &str = "osp_fout_v1.xsd";
/// At most this many violations are reported per document (SPEC §3).
pub const MAX_VIOLATIONS: usize = 50;

/// One XSD violation, in the shape of the `fout/locatie` fault detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// 1-based line in the validated text (0 when unknown).
    pub regel: u32,
    /// 1-based column of the offending element's start tag on that line (0 when unknown).
    pub kolom: u32,
    /// XPath-like element path (see the module documentation).
    pub pad: String,
    /// libxml2's description of the constraint broken.
    pub melding: String,
}

/// Failure to prepare the validator (the embedded schemas do not compile): a bug, not input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidatorError {
    /// An embedded schema failed to compile.
    #[error("schema {file} does not compile: {reason}")]
    Schema {
        /// The schema file.
        file: String,
        /// libxml2's first error.
        reason: String,
    },
}

/// Validates bodies against the embedded contract schemas; share it freely between threads.
#[derive(Debug, Clone, Copy)]
pub struct Validator {
    _private: (),
}

/// A compiled schema shared by every thread. Compiling the contract schemas took tens of
/// milliseconds per thread, and the gateway's blocking pool starts threads on demand: every new
/// thread stalled its first deliveries (the 60–260 ms latency tail in bench/profile.md). libxml2 only
/// reads a compiled schema while validating; each thread validates with its own context on it.
struct Gedeeld(*mut bindings::_xmlSchema);

// SAFETY: the schema is written only by `xmlSchemaParse` before it is published, then only read
// (by validation contexts, one per thread); it is never freed (process lifetime).
unsafe impl Send for Gedeeld {}
// SAFETY: as above — concurrent validation contexts only read the compiled schema.
unsafe impl Sync for Gedeeld {}

/// Schemas compiled so far (a handful; compiled once per process, under this lock).
static GECOMPILEERD: Mutex<Vec<(&'static str, &'static Gedeeld)>> = Mutex::new(Vec::new());

/// This thread's validation context on a shared schema.
struct Compiled {
    ctx: *mut bindings::_xmlSchemaValidCtxt,
}

impl Drop for Compiled {
    fn drop(&mut self) {
        // SAFETY: `ctx` came from `xmlSchemaNewValidCtxt`, is owned by this value and freed once.
        unsafe { bindings::xmlSchemaFreeValidCtxt(self.ctx) }
    }
}

thread_local! {
    static CACHE: RefCell<HashMap<&'static str, Compiled>> = RefCell::new(HashMap::new());
}

/// Registers the embedded-schema input callback with libxml2, once per process.
fn init_libxml() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // SAFETY: initialises libxml2's global state; guarded by `Once`.
        unsafe { bindings::xmlInitParser() };
        // libxml2 2.9 initialises its catalog lazily on the first external load, and two threads
        // compiling schemas at once can deadlock in that lazy init (seen: both threads parked
        // in xmlRMutexLock under xmlCatalogResolve). Initialise it here, once, and switch
        // catalog lookups off: every schema osp loads is embedded, none comes from a catalog.
        // SAFETY: plain global initialisation calls, guarded by `Once`.
        unsafe {
            bindings::xmlInitializeCatalog();
            bindings::xmlCatalogSetDefaults(bindings::xmlCatalogAllow_XML_CATA_ALLOW_NONE);
            // xmlSchemaParse initialises the built-in types lazily and not thread-safely.
            bindings::xmlSchemaInitTypes();
        }
        libxml::io::register_input_callback(
            |url| url.starts_with(EMBEDDED_PREFIX),
            |url| {
                url.strip_prefix(EMBEDDED_PREFIX)
                    .and_then(xsd)
                    .map(|c| c.as_bytes().to_vec())
            },
        );
    });
}

/// The process-wide compiled schema of `file`, compiling it on first use.
fn gedeeld(file: &'static str) -> Result<&'static Gedeeld, ValidatorError> {
    let mut klaar = GECOMPILEERD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, g)) = klaar.iter().find(|(f, _)| *f == file) {
        return Ok(g);
    }
    init_libxml();
    let url = format!("{EMBEDDED_PREFIX}{file}");
    let mut parser = SchemaParserContext::from_file(&url);
    // SAFETY: `parser` is a live parser context; xmlSchemaInitTypes ran in `init_libxml`.
    let schema = unsafe { bindings::xmlSchemaParse(parser.as_ptr()) };
    if schema.is_null() {
        return Err(ValidatorError::Schema {
            file: file.to_string(),
            reason: parser
                .drain_errors()
                .first()
                .and_then(|e| e.message.clone())
                .unwrap_or_else(|| "unknown error".into())
                .trim()
                .to_string(),
        });
    }
    let g: &'static Gedeeld = Box::leak(Box::new(Gedeeld(schema)));
    klaar.push((file, g));
    Ok(g)
}

/// A validation context for this thread on the shared schema of `file`.
fn compile(file: &'static str) -> Result<Compiled, ValidatorError> {
    let schema = gedeeld(file)?;
    // SAFETY: `schema` is a valid compiled schema for the life of the process.
    let ctx = unsafe { bindings::xmlSchemaNewValidCtxt(schema.0) };
    if ctx.is_null() {
        return Err(ValidatorError::Schema {
            file: file.to_string(),
            reason: "no validation context (out of memory)".into(),
        });
    }
    Ok(Compiled { ctx })
}

/// Which embedded schema a call validates against.
fn schema_file(contract: Contract) -> Option<&'static str> {
    let name = contract.xsd_file();
    XSD_FILES.iter().find(|(n, _)| *n == name).map(|(n, _)| *n)
}

impl Validator {
    /// Compiles every contract schema on the calling thread, so a broken schema fails at start.
    pub fn new() -> Result<Validator, ValidatorError> {
        let v = Validator { _private: () };
        for c in Contract::ALL {
            let file = schema_file(c).ok_or_else(|| ValidatorError::Schema {
                file: c.xsd_file(),
                reason: "not embedded".into(),
            })?;
            v.with_schema(file, |_| ())?;
        }
        v.with_schema(FOUT_XSD, |_| ())?;
        Ok(v)
    }

    fn with_schema<R>(
        &self,
        file: &'static str,
        f: impl FnOnce(&mut Compiled) -> R,
    ) -> Result<R, ValidatorError> {
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let compiled = match cache.entry(file) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(compile(file)?),
            };
            Ok(f(compiled))
        })
    }

    /// Validates a standalone document whose root is a body element of `contract` (any root
    /// element the contract schema declares). Leading newlines are kept, so line numbers can
    /// match the envelope the body was cut from.
    pub fn validate(&self, contract: Contract, body_xml: &str) -> Result<(), Vec<Violation>> {
        self.run(contract_file(contract), body_xml, None, Target::Root)
    }

    /// Like [`Validator::validate`], and also requires the root element to be
    /// `{contract.schema_ns()}root_local` (e.g. `Operation::request_element()`).
    pub fn validate_root(
        &self,
        contract: Contract,
        root_local: &str,
        body_xml: &str,
    ) -> Result<(), Vec<Violation>> {
        let ns = contract.schema_ns();
        self.run(
            contract_file(contract),
            body_xml,
            Some((&ns, root_local)),
            Target::Root,
        )
    }

    /// Validates the first element child of `soapenv:Body` of a whole SOAP 1.1 envelope in
    /// place (namespace bindings of the envelope apply; lines are the envelope's). When
    /// `root_local` is given the body element must be `{contract.schema_ns()}root_local`.
    pub fn validate_envelope_body(
        &self,
        contract: Contract,
        root_local: Option<&str>,
        envelope_xml: &str,
    ) -> Result<(), Vec<Violation>> {
        let ns = contract.schema_ns();
        let expected = root_local.map(|l| (ns.as_str(), l));
        self.run(
            contract_file(contract),
            envelope_xml,
            expected,
            Target::SoapBody,
        )
    }

    /// Validates a SOAP fault detail document whose root is `fout:fout` (SPEC §3).
    pub fn validate_fout(&self, fout_xml: &str) -> Result<(), Vec<Violation>> {
        self.run(
            Some(FOUT_XSD),
            fout_xml,
            Some((crate::contracts::NS_FOUT, "fout")),
            Target::Root,
        )
    }

    fn run(
        &self,
        file: Option<&'static str>,
        xml: &str,
        expected_root: Option<(&str, &str)>,
        target: Target,
    ) -> Result<(), Vec<Violation>> {
        let Some(file) = file else {
            return Err(vec![internal("schema not embedded")]);
        };
        let doc = ParsedDoc::parse(xml)?;
        let Some(root) = doc.target(target) else {
            let melding = match target {
                Target::Root => "document has no root element",
                Target::SoapBody => "soapenv:Body has no element child",
            };
            return Err(vec![Violation {
                regel: 0,
                kolom: 0,
                pad: String::new(),
                melding: melding.into(),
            }]);
        };
        let mut collector = Collector::new(xml, root, Phase::Validate);
        if let Some((ns, local)) = expected_root {
            // SAFETY: `root` is an element node of the live document `doc`.
            let (actual_ns, actual_local) = unsafe { (node_ns(root), cstr(root_name(root))) };
            if actual_ns.as_deref() != Some(ns) || actual_local != local {
                collector.push_node(
                    root,
                    format!(
                        "Element '{{{}}}{}': root element must be '{{{ns}}}{local}'.",
                        actual_ns.unwrap_or_default(),
                        actual_local
                    ),
                );
            }
        }
        let outcome = self.with_schema(file, |compiled| {
            let vctxt = compiled.ctx;
            // SAFETY: `vctxt` belongs to this thread's cache; `collector` outlives the call and
            // the handler is detached again before it is dropped.
            unsafe {
                bindings::xmlSchemaSetValidStructuredErrors(
                    vctxt,
                    error_handler(),
                    (&mut collector as *mut Collector).cast(),
                );
                let rc = match target {
                    Target::Root => bindings::xmlSchemaValidateDoc(vctxt, doc.ptr),
                    Target::SoapBody => bindings::xmlSchemaValidateOneElement(vctxt, root),
                };
                bindings::xmlSchemaSetValidStructuredErrors(vctxt, None, std::ptr::null_mut());
                rc
            }
        });
        collector.restore_tree();
        #[cfg(test)]
        tests::LAST_DROPPED.set(collector.dropped);
        if collector.dropped > 0 {
            tracing::debug!(
                dropped = collector.dropped,
                "validation stopped after {MAX_VIOLATIONS} violations"
            );
        }
        match outcome {
            Ok(0) if collector.violations.is_empty() => Ok(()),
            Ok(rc) => {
                if collector.violations.is_empty() {
                    collector
                        .violations
                        .push(internal(&format!("validation failed with status {rc}")));
                }
                Err(collector.violations)
            }
            Err(e) => {
                tracing::error!(error = %e, "schema unavailable");
                Err(vec![internal(&e.to_string())])
            }
        }
    }
}

fn contract_file(contract: Contract) -> Option<&'static str> {
    schema_file(contract)
}

fn internal(melding: &str) -> Violation {
    Violation {
        regel: 0,
        kolom: 0,
        pad: String::new(),
        melding: melding.to_string(),
    }
}

/// Which element of the parsed document is validated.
#[derive(Clone, Copy)]
enum Target {
    /// The document's root element (a standalone body).
    Root,
    /// The first element child of the SOAP 1.1 `Body` of an envelope.
    SoapBody,
}

/// A libxml2 document freed on drop.
struct ParsedDoc {
    ptr: bindings::xmlDocPtr,
}

impl ParsedDoc {
    /// Parses without network access, DTD loading or entity substitution.
    fn parse(xml: &str) -> Result<ParsedDoc, Vec<Violation>> {
        init_libxml();
        let Ok(len) = c_int::try_from(xml.len()) else {
            return Err(vec![internal("document too large")]);
        };
        let options = bindings::xmlParserOption_XML_PARSE_NONET
            | bindings::xmlParserOption_XML_PARSE_BIG_LINES
            | bindings::xmlParserOption_XML_PARSE_NOWARNING;
        let mut collector = Collector::new(xml, std::ptr::null_mut(), Phase::Parse);
        let encoding = c"UTF-8";
        // SAFETY: the buffer is valid for `len` bytes; the per-thread structured error handler is
        // pointed at `collector` only for the duration of the parse.
        let ptr = unsafe {
            bindings::xmlSetStructuredErrorFunc(
                (&mut collector as *mut Collector).cast(),
                error_handler(),
            );
            let ptr = bindings::xmlReadMemory(
                xml.as_ptr().cast::<c_char>(),
                len,
                // No URL: libxml2 2.9 then skips, for every error it raises, a walk over all
                // preceding siblings and ancestors looking for an XInclude start (made
                // 10,000 errors on one element's attributes quadratic, half a second).
                std::ptr::null(),
                encoding.as_ptr(),
                options as c_int,
            );
            bindings::xmlSetStructuredErrorFunc(std::ptr::null_mut(), None);
            ptr
        };
        #[cfg(test)]
        tests::LAST_DROPPED.set(collector.dropped);
        if ptr.is_null() {
            if collector.violations.is_empty() {
                collector
                    .violations
                    .push(internal("document is not well-formed XML"));
            }
            return Err(collector.violations);
        }
        let doc = ParsedDoc { ptr };
        if !collector.violations.is_empty() {
            return Err(collector.violations);
        }
        Ok(doc)
    }

    fn target(&self, target: Target) -> Option<bindings::xmlNodePtr> {
        // SAFETY: the document is alive; we only follow its own child/sibling pointers.
        unsafe {
            let root = bindings::xmlDocGetRootElement(self.ptr);
            if root.is_null() {
                return None;
            }
            match target {
                Target::Root => Some(root),
                Target::SoapBody => {
                    let body = first_element_child(root, Some((SOAP11_NS, "Body")))?;
                    first_element_child(body, None)
                }
            }
        }
    }
}

impl Drop for ParsedDoc {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from xmlReadMemory and is freed exactly once.
        unsafe { bindings::xmlFreeDoc(self.ptr) }
    }
}

/// Collects libxml2 errors into violations while a parse or validation runs.
///
/// Once [`MAX_VIOLATIONS`] are collected, further errors are neither formatted nor kept, and
/// libxml2 is made to stop: building a path and a column for each error scanned the line of
/// the element (quadratic for many attributes on one start tag), and libxml2 itself raises one
/// error per undeclared attribute or bad value and would walk on to the end of the document.
struct Collector<'a> {
    source: &'a str,
    root: bindings::xmlNodePtr,
    violations: Vec<Violation>,
    /// Which libxml2 run the errors come from, and so how to stop it.
    phase: Phase,
    /// True once libxml2 was told to stop.
    stopped: bool,
    /// Errors dropped because `violations` was full.
    dropped: usize,
    /// Tree links cut to end the validator's walk; put back by [`Collector::restore_tree`].
    cuts: Vec<Cut>,
}

/// The libxml2 run a [`Collector`] listens to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// `xmlReadMemory`: parse errors carry the parser context, which `xmlStopParser` halts.
    Parse,
    /// `xmlSchemaValidate*`: schema errors carry the node being validated.
    Validate,
}

/// One tree link set to null to end the validator's walk early.
struct Cut {
    node: bindings::xmlNodePtr,
    children: bool,
    was: bindings::xmlNodePtr,
}

impl<'a> Collector<'a> {
    fn new(source: &'a str, root: bindings::xmlNodePtr, phase: Phase) -> Self {
        Collector {
            source,
            root,
            violations: Vec::new(),
            phase,
            stopped: false,
            dropped: 0,
            cuts: Vec::new(),
        }
    }

    fn full(&self) -> bool {
        self.violations.len() >= MAX_VIOLATIONS
    }

    fn push(&mut self, v: Violation) {
        if self.full() {
            self.dropped += 1;
        } else {
            self.violations.push(v);
        }
    }

    /// Makes libxml2 stop after the error `error`, once the collector is full.
    ///
    /// A parse is halted with `xmlStopParser` (the parser then sees the end of its input). The
    /// schema validator of libxml2 2.9+ has no such call: `xmlSchemaVDocWalk` walks the tree by
    /// its `children`, `next` and `parent` links and skips nothing after an error. So the
    /// element in error loses its children and it and every ancestor up to the validated root
    /// lose their next siblings; the walk then climbs straight back to the root and ends. The
    /// links are put back by [`Collector::restore_tree`] before the document is read or freed.
    ///
    /// # Safety
    /// `error` is the error being reported by a live libxml2 call of this collector's phase.
    unsafe fn stop(&mut self, error: &bindings::_xmlError) {
        if self.stopped || !self.full() {
            return;
        }
        match self.phase {
            Phase::Parse => {
                let parser_domain = error.domain
                    == bindings::xmlErrorDomain_XML_FROM_PARSER as c_int
                    || error.domain == bindings::xmlErrorDomain_XML_FROM_NAMESPACE as c_int;
                if parser_domain && !error.ctxt.is_null() {
                    self.stopped = true;
                    // SAFETY: errors of the parser domains carry the live parser context.
                    unsafe { bindings::xmlStopParser(error.ctxt.cast()) };
                }
            }
            Phase::Validate => {
                let node: bindings::xmlNodePtr = error.node.cast();
                if node.is_null() || self.root.is_null() {
                    return;
                }
                self.stopped = true;
                // SAFETY (whole block): `node` is a node of the document being validated; the
                // links are only nulled here and restored before anything else reads the tree.
                unsafe {
                    let mut cur = if (*node).type_ == bindings::xmlElementType_XML_ATTRIBUTE_NODE {
                        (*node).parent
                    } else {
                        node
                    };
                    if cur.is_null() || (*cur).type_ != bindings::xmlElementType_XML_ELEMENT_NODE {
                        return;
                    }
                    self.cut(cur, true);
                    while !cur.is_null()
                        && cur != self.root
                        && (*cur).type_ == bindings::xmlElementType_XML_ELEMENT_NODE
                    {
                        self.cut(cur, false);
                        cur = (*cur).parent;
                    }
                }
            }
        }
    }

    /// Nulls `node`'s `children` (or `next`) link, remembering it.
    unsafe fn cut(&mut self, node: bindings::xmlNodePtr, children: bool) {
        // SAFETY: caller passes a live node of the document being validated.
        unsafe {
            let link = if children {
                &mut (*node).children
            } else {
                &mut (*node).next
            };
            if !link.is_null() {
                self.cuts.push(Cut {
                    node,
                    children,
                    was: *link,
                });
                *link = std::ptr::null_mut();
            }
        }
    }

    /// Puts back every link [`Collector::stop`] cut, last cut first.
    fn restore_tree(&mut self) {
        while let Some(c) = self.cuts.pop() {
            // SAFETY: `c.node` is a live node of the document; the link held `c.was` before.
            unsafe {
                if c.children {
                    (*c.node).children = c.was;
                } else {
                    (*c.node).next = c.was;
                }
            }
        }
    }

    fn push_node(&mut self, node: bindings::xmlNodePtr, melding: String) {
        // SAFETY: `node` belongs to the live document being validated.
        let (regel, pad, name) = unsafe { (node_line(node), self.path(node), qname(node)) };
        let kolom = column_of(self.source, regel, &name);
        self.push(Violation {
            regel,
            kolom,
            pad,
            melding,
        });
    }

    /// Builds the XPath-like path from `self.root` (or the document root) down to `node`.
    unsafe fn path(&self, node: bindings::xmlNodePtr) -> String {
        let mut parts = Vec::new();
        let mut cur = node;
        // SAFETY (whole loop): walking parent pointers of a live libxml2 tree.
        unsafe {
            while !cur.is_null() {
                let t = (*cur).type_;
                if t == bindings::xmlElementType_XML_ATTRIBUTE_NODE {
                    parts.push(format!("@{}", qname(cur)));
                } else if t == bindings::xmlElementType_XML_ELEMENT_NODE {
                    let mut part = qname(cur);
                    if let Some(pos) = sibling_position(cur) {
                        part.push_str(&format!("[{pos}]"));
                    }
                    parts.push(part);
                    if cur == self.root {
                        break;
                    }
                } else {
                    break;
                }
                cur = (*cur).parent;
            }
        }
        parts.reverse();
        let mut out = String::new();
        for p in parts {
            out.push('/');
            out.push_str(&p);
        }
        out
    }
}

/// [`collect_error`] as libxml2's callback type. libxml2 < 2.12 declares the error parameter
/// `xmlErrorPtr`, later versions `const xmlError *`: same ABI, so the pointer type is adapted.
#[allow(clippy::missing_transmute_annotations)]
fn error_handler() -> bindings::xmlStructuredErrorFunc {
    let f: unsafe extern "C" fn(*mut c_void, *const bindings::_xmlError) = collect_error;
    // SAFETY: only the constness of the pointer parameter differs between the two types.
    Some(unsafe { std::mem::transmute(f) })
}

/// libxml2 structured-error callback: `ctx` is a `*mut Collector`.
unsafe extern "C" fn collect_error(ctx: *mut c_void, error: *const bindings::_xmlError) {
    if ctx.is_null() || error.is_null() {
        return;
    }
    // SAFETY: `ctx` was set from a live `&mut Collector` for the duration of the libxml2 call;
    // `error` is valid for this callback.
    let (collector, error) = unsafe { (&mut *ctx.cast::<Collector>(), &*error) };
    if error.level == bindings::xmlErrorLevel_XML_ERR_WARNING {
        return;
    }
    if collector.full() {
        collector.dropped += 1;
        // SAFETY: `error` is being reported by the run `collector` listens to.
        unsafe { collector.stop(error) };
        return;
    }
    // SAFETY: libxml2 messages are NUL-terminated C strings.
    let melding = unsafe { cstr(error.message.cast_const().cast()) }
        .trim()
        .to_string();
    let node: bindings::xmlNodePtr = error.node.cast();
    let is_node = !node.is_null()
        // SAFETY: a non-null `node` in a validation error is a node of the document.
        && unsafe {
            let t = (*node).type_;
            t == bindings::xmlElementType_XML_ELEMENT_NODE || t == bindings::xmlElementType_XML_ATTRIBUTE_NODE
        };
    if is_node && error.domain == bindings::xmlErrorDomain_XML_FROM_SCHEMASV as c_int {
        // SAFETY: see above.
        let element = unsafe {
            if (*node).type_ == bindings::xmlElementType_XML_ATTRIBUTE_NODE {
                (*node).parent
            } else {
                node
            }
        };
        // SAFETY: `node` and `element` are nodes of the live document.
        let (regel, pad, name) =
            unsafe { (node_line(element), collector.path(node), qname(element)) };
        let regel = if regel == 0 {
            u32::try_from(error.line).unwrap_or(0)
        } else {
            regel
        };
        let kolom = column_of(collector.source, regel, &name);
        collector.push(Violation {
            regel,
            kolom,
            pad,
            melding,
        });
    } else {
        collector.push(Violation {
            regel: u32::try_from(error.line).unwrap_or(0),
            kolom: u32::try_from(error.int2).unwrap_or(0),
            pad: String::new(),
            melding,
        });
    }
    // SAFETY: as above.
    unsafe { collector.stop(error) };
}

/// Lossy UTF-8 copy of a C string (empty for null).
unsafe fn cstr(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: caller passes a NUL-terminated string.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

unsafe fn root_name(node: bindings::xmlNodePtr) -> *const c_char {
    // SAFETY: caller passes a live node.
    unsafe { (*node).name.cast() }
}

/// The namespace URI of a node, if any.
unsafe fn node_ns(node: bindings::xmlNodePtr) -> Option<String> {
    // SAFETY: caller passes a live node; `ns` is null or a live namespace.
    unsafe {
        let ns = (*node).ns;
        if ns.is_null() {
            None
        } else {
            Some(cstr((*ns).href.cast()))
        }
    }
}

/// `prefix:local` as written in the document (or `local`).
unsafe fn qname(node: bindings::xmlNodePtr) -> String {
    // SAFETY: caller passes a live node.
    unsafe {
        let local = cstr((*node).name.cast());
        let ns = (*node).ns;
        if !ns.is_null() && !(*ns).prefix.is_null() {
            format!("{}:{}", cstr((*ns).prefix.cast()), local)
        } else {
            local
        }
    }
}

/// 1-based position among same-named element siblings, when there is more than one.
unsafe fn sibling_position(node: bindings::xmlNodePtr) -> Option<usize> {
    // SAFETY: caller passes a live element node; siblings are live.
    unsafe {
        let same = |other: bindings::xmlNodePtr| {
            (*other).type_ == bindings::xmlElementType_XML_ELEMENT_NODE
                && CStr::from_ptr((*other).name.cast()) == CStr::from_ptr((*node).name.cast())
                && node_ns(other) == node_ns(node)
        };
        let mut before = 0usize;
        let mut p = (*node).prev;
        while !p.is_null() {
            if same(p) {
                before += 1;
            }
            p = (*p).prev;
        }
        let mut after = 0usize;
        let mut n = (*node).next;
        while !n.is_null() {
            if same(n) {
                after += 1;
            }
            n = (*n).next;
        }
        (before + after > 0).then_some(before + 1)
    }
}

unsafe fn node_line(node: bindings::xmlNodePtr) -> u32 {
    // SAFETY: caller passes a live node.
    let line = unsafe { bindings::xmlGetLineNo(node) };
    u32::try_from(line).unwrap_or(0)
}

/// First element child of `parent`, optionally with the given namespace and local name.
unsafe fn first_element_child(
    parent: bindings::xmlNodePtr,
    want: Option<(&str, &str)>,
) -> Option<bindings::xmlNodePtr> {
    // SAFETY: caller passes a live node.
    unsafe {
        let mut c = (*parent).children;
        while !c.is_null() {
            if (*c).type_ == bindings::xmlElementType_XML_ELEMENT_NODE {
                match want {
                    None => return Some(c),
                    Some((ns, local)) => {
                        if node_ns(c).as_deref() == Some(ns) && cstr((*c).name.cast()) == local {
                            return Some(c);
                        }
                    }
                }
            }
            c = (*c).next;
        }
        None
    }
}

/// 1-based column of the first `<name` on line `regel` of `source` (0 when not found).
fn column_of(source: &str, regel: u32, name: &str) -> u32 {
    if regel == 0 {
        return 0;
    }
    let Some(line) = source.split('\n').nth(regel as usize - 1) else {
        return 0;
    };
    let needle = format!("<{name}");
    line.match_indices(&needle)
        .find(|(i, _)| {
            line[i + needle.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || c == '>' || c == '/')
        })
        .map(|(i, _)| u32::try_from(i + 1).unwrap_or(0))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Errors libxml2 still raised after the collector was full, in this thread's last
        /// parse or validation: how soon libxml2 really stopped.
        pub(super) static LAST_DROPPED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    const BODY: &str =
        include_str!("../../../fixtures/samples/aanleverenInschrijvingVO_Request.xml");

    #[test]
    fn accepts_the_duo_v1_example() {
        let v = Validator::new().unwrap();
        v.validate(Contract::InschrijvingVO, BODY).unwrap();
        v.validate_root(
            Contract::InschrijvingVO,
            "aanleverenInschrijvingVO_Request",
            BODY,
        )
        .unwrap();
    }

    #[test]
    fn reports_path_line_and_column() {
        let v = Validator::new().unwrap();
        let bad = BODY.replace(
            "<bas:datumBegin>2025-08-01</bas:datumBegin>",
            "<bas:datumBegin>2025-13-45</bas:datumBegin>",
        );
        let errs = v.validate(Contract::InschrijvingVO, &bad).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        let line = bad.lines().position(|l| l.contains("2025-13-45")).unwrap() as u32 + 1;
        assert_eq!(errs[0].regel, line);
        assert_eq!(errs[0].kolom, 5);
        assert_eq!(
            errs[0].pad,
            "/ins:aanleverenInschrijvingVO_Request/ins:inschrijvingPeriodeVO[2]/bas:datumBegin"
        );
        assert!(
            errs[0].melding.contains("2025-13-45"),
            "{}",
            errs[0].melding
        );
    }

    #[test]
    fn leading_newlines_keep_envelope_lines() {
        let v = Validator::new().unwrap();
        let bad = BODY
            .replace(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                "\n\n\n\n\n\n\n\n\n\n",
            )
            .replace("<bas:brin>99AA</bas:brin>", "<bas:brin>9AA</bas:brin>");
        let errs = v.validate(Contract::InschrijvingVO, &bad).unwrap_err();
        let line = bad.lines().position(|l| l.contains(">9AA<")).unwrap() as u32 + 1;
        assert_eq!(
            (errs[0].regel, errs[0].pad.as_str()),
            (line, "/ins:aanleverenInschrijvingVO_Request/bas:brin")
        );
    }

    #[test]
    fn wrong_root_is_a_violation() {
        let v = Validator::new().unwrap();
        let errs = v
            .validate_root(
                Contract::InschrijvingVO,
                "aanleverenVerwijderingInschrijvingVO_Request",
                BODY,
            )
            .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].pad, "/ins:aanleverenInschrijvingVO_Request");
        // A root of another contract does not validate at all.
        assert!(v.validate(Contract::ExamenresultaatVO, BODY).is_err());
    }

    #[test]
    fn malformed_input_is_reported_not_panicked() {
        let v = Validator::new().unwrap();
        let errs = v
            .validate(Contract::InschrijvingVO, "<a><b></a>")
            .unwrap_err();
        assert!(!errs.is_empty());
        assert!(errs[0].regel >= 1);
        assert!(v.validate(Contract::InschrijvingVO, "").is_err());
    }

    #[test]
    fn caps_at_fifty() {
        let v = Validator::new().unwrap();
        let period = "<ins:inschrijvingPeriodeVO><bas:datumBegin>x</bas:datumBegin><bas:opleidingcode>1</bas:opleidingcode><ins:vestiging>y</ins:vestiging><ins:indicatieBekostigbaar>z</ins:indicatieBekostigbaar></ins:inschrijvingPeriodeVO>\n";
        let start = BODY.find("<ins:inschrijvingPeriodeVO>").unwrap();
        let end = BODY.rfind("</ins:inschrijvingPeriodeVO>").unwrap()
            + "</ins:inschrijvingPeriodeVO>".len();
        let bad = format!("{}{}{}", &BODY[..start], period.repeat(30), &BODY[end..]);
        let errs = v.validate(Contract::InschrijvingVO, &bad).unwrap_err();
        assert_eq!(errs.len(), MAX_VIOLATIONS);
    }

    /// BODY with `n` undeclared attributes on its root element: one schema error each.
    fn with_attributes(n: usize) -> String {
        let attrs: String = (0..n).map(|i| format!(" a{i}=\"v\"")).collect();
        BODY.replacen(
            "<ins:aanleverenInschrijvingVO_Request",
            &format!("<ins:aanleverenInschrijvingVO_Request{attrs}"),
            1,
        )
    }

    #[test]
    fn ten_thousand_schema_errors_yield_fifty_violations() {
        let v = Validator::new().unwrap();
        for n in [10_000] {
            let bad = with_attributes(n);
            let t = std::time::Instant::now();
            let errs = v.validate(Contract::InschrijvingVO, &bad).unwrap_err();
            eprintln!(
                "validate with {n} schema errors: {:?}, {} violations, {} errors after the 50th",
                t.elapsed(),
                errs.len(),
                LAST_DROPPED.get()
            );
            assert_eq!(errs.len(), MAX_VIOLATIONS);
            for (i, e) in errs.iter().enumerate() {
                assert_eq!(e.pad, "/ins:aanleverenInschrijvingVO_Request");
                assert!(
                    e.melding
                        .ends_with(&format!("The attribute 'a{i}' is not allowed.")),
                    "{e:?}"
                );
            }
        }
    }

    #[test]
    fn errors_spread_over_the_document_stop_at_fifty() {
        let v = Validator::new().unwrap();
        // 100 periods (the XSD's maxOccurs) with three bad values each: 300 schema errors in
        // 300 elements, so the validator's walk has to be cut short, not one element's loop.
        let period = "<ins:inschrijvingPeriodeVO><bas:datumBegin>x</bas:datumBegin><bas:opleidingcode>1</bas:opleidingcode><ins:vestiging>y</ins:vestiging><ins:indicatieBekostigbaar>J</ins:indicatieBekostigbaar></ins:inschrijvingPeriodeVO>\n";
        let start = BODY.find("<ins:inschrijvingPeriodeVO>").unwrap();
        let end = BODY.rfind("</ins:inschrijvingPeriodeVO>").unwrap()
            + "</ins:inschrijvingPeriodeVO>".len();
        let bad = format!("{}{}{}", &BODY[..start], period.repeat(100), &BODY[end..]);
        let t = std::time::Instant::now();
        let errs = v.validate(Contract::InschrijvingVO, &bad).unwrap_err();
        let dropped = LAST_DROPPED.get();
        eprintln!(
            "validate with 100 bad periods: {:?}, {dropped} errors after the 50th",
            t.elapsed()
        );
        assert_eq!(errs.len(), MAX_VIOLATIONS);
        // 250 more errors were ahead; the cut walk only climbs back to the root (an ancestor
        // left early may report its missing children once).
        assert!(
            dropped <= 5,
            "libxml2 went on: {dropped} errors after the 50th"
        );
        let first = bad
            .lines()
            .position(|l| l.contains("<bas:datumBegin>x"))
            .unwrap() as u32
            + 1;
        assert_eq!(errs[0].regel, first);
        assert!(
            errs[0]
                .pad
                .ends_with("/ins:inschrijvingPeriodeVO[1]/bas:datumBegin"),
            "{:?}",
            errs[0]
        );
        // The same document validates the same way again: the walk's tree links were restored.
        assert_eq!(
            v.validate(Contract::InschrijvingVO, &bad).unwrap_err(),
            errs
        );
        // A valid document still validates after a cut-short run on this thread.
        v.validate(Contract::InschrijvingVO, BODY).unwrap();
    }

    #[test]
    fn parse_errors_stop_at_fifty() {
        let v = Validator::new().unwrap();
        // An unbound prefix is a namespace error libxml2 reports and then parses on.
        let bad = format!("<a>{}</a>", "<p:b/>\n".repeat(10_000));
        let t = std::time::Instant::now();
        let errs = v.validate(Contract::InschrijvingVO, &bad).unwrap_err();
        let dropped = LAST_DROPPED.get();
        eprintln!(
            "parse with 10000 namespace errors: {:?}, {dropped} errors after the 50th",
            t.elapsed()
        );
        assert_eq!(errs.len(), MAX_VIOLATIONS);
        assert!(
            dropped <= 1,
            "the parser went on: {dropped} errors after the 50th"
        );
        assert_eq!((errs[0].regel, errs[49].regel), (1, 50));
        assert!(errs[0].melding.contains("p"), "{:?}", errs[0]);
    }

    #[test]
    fn validates_in_envelope() {
        let v = Validator::new().unwrap();
        let env = include_str!(
            "../../../fixtures/samples/envelope/aanleverenInschrijvingVO.envelope.xml"
        );
        v.validate_envelope_body(
            Contract::InschrijvingVO,
            Some("aanleverenInschrijvingVO_Request"),
            env,
        )
        .unwrap();
        let bad = env.replace(
            "<ins:leerjaar>2</ins:leerjaar>",
            "<ins:leerjaar>123</ins:leerjaar>",
        );
        let errs = v
            .validate_envelope_body(Contract::InschrijvingVO, None, &bad)
            .unwrap_err();
        let line = bad.lines().position(|l| l.contains(">123<")).unwrap() as u32 + 1;
        assert_eq!(errs[0].regel, line);
        assert_eq!(
            errs[0].pad,
            "/ins:aanleverenInschrijvingVO_Request/ins:inschrijvingPeriodeVO[2]/ins:leerjaar"
        );
    }

    #[test]
    fn many_threads() {
        let v = std::sync::Arc::new(Validator::new().unwrap());
        let bad = BODY.replace("<bas:brin>99AA</bas:brin>", "<bas:brin>x</bas:brin>");
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let v = v.clone();
                let bad = bad.clone();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        if i % 2 == 0 {
                            v.validate(Contract::InschrijvingVO, BODY).unwrap();
                        } else {
                            let e = v.validate(Contract::InschrijvingVO, &bad).unwrap_err();
                            assert_eq!(e[0].pad, "/ins:aanleverenInschrijvingVO_Request/bas:brin");
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    }

    #[test]
    fn is_send_sync() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Validator>();
    }
}
