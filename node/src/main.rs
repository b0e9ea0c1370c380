//! `consent-node`: the Consent Chain node.

#![warn(missing_docs)]
// `sc_cli::Error` is the framework's error type, returned by every sc-cli entry point we call.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;
mod try_runtime;

fn main() -> sc_cli::Result<()> {
	command::run()
}
