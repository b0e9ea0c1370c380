//! The pallets whose benchmarks the node's `benchmark pallet` command runs.

frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_utility, Utility]
	[pallet_proxy, Proxy]
	[pallet_multisig, Multisig]
	[pallet_sudo, Sudo]
	[pallet_registry, Registry]
	[pallet_consent, Consent]
	[pallet_records, Records]
	[pallet_break_glass, BreakGlass]
	[pallet_enrolment, Enrolment]
	[pallet_consortium, Consortium]
);

pub use crate::{
	Balances, BreakGlass, Consent, Consortium, Multisig, Proxy, Records, Registry, Runtime, Sudo,
	Timestamp, Utility,
};
pub use frame_system_benchmarking::Pallet as SystemBench;

impl frame_system_benchmarking::Config for Runtime {}
