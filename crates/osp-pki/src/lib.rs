//! Dev PKI in the layout of TESTDATA.md and OIN extraction from client certificates.
