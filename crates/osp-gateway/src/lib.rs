//! Mutual-TLS SOAP gateway in front of the register.
