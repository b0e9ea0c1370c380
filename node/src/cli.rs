//! Command-line interface.

/// The sub-commands of `consent-node`.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification.
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmark the runtime's pallets, the machine or the storage.
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Try a candidate runtime against a live chain's state: its migrations, or a block.
	TryRuntime(crate::try_runtime::TryRuntimeCmd),

	/// Db meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// The `consent-node` command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// A sub-command, or none to run the node.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Running the node.
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,
}
