//! Replays folders of recorded SOAP exchanges against osp and compares the answers by meaning,
//! so a vendor's recorded traffic becomes a regression suite (SPEC §10).

pub mod canon;
pub mod junit;
pub mod pretty;
pub mod request;
pub mod runner;
pub mod scenario;
pub mod target;
