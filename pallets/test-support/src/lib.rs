//! The mock runtime every pallet's tests start from, declared once.
//!
//! [`test_runtime!`] declares `Test` (a `#[frame_support::runtime]` with `u64` accounts), its
//! `Block`, the configurations of the base pallets it includes (frame-system, and as asked
//! pallet-timestamp and pallet-balances, from their `TestDefaultConfig` preludes), and the
//! pallets under test at the indices given. The pallet's own `Config` and its stand-ins stay in
//! its `mock.rs`: they are what differs. The expansion names `frame_support`, `frame_system`,
//! `pallet_timestamp` and `pallet_balances`, which the calling crate must depend on.
#![no_std]

/// Declares the mock runtime `Test` and its base pallets' configurations.
///
/// The first word picks the base, at indices 0, 1, 2:
/// - `system`: `System` only;
/// - `timestamp`: `System`, `Timestamp`;
/// - `balances`: `System`, `Timestamp`, `Balances` (`u64` balances, with holds and freezes).
///
/// Then the pallets under test, `index => Name = path`:
///
/// ```ignore
/// consent_test_support::test_runtime!(balances; 3 => Consent = pallet_consent);
/// ```
#[macro_export]
macro_rules! test_runtime {
	(system; $($index:tt => $name:ident = $($pallet:ident)::+),+ $(,)?) => {
		$crate::test_runtime!(@runtime [] [0 => System = frame_system]
			[$($index => $name = $($pallet)::+),+]);
		$crate::test_runtime!(@system);
	};
	(timestamp; $($index:tt => $name:ident = $($pallet:ident)::+),+ $(,)?) => {
		$crate::test_runtime!(@runtime []
			[0 => System = frame_system, 1 => Timestamp = pallet_timestamp]
			[$($index => $name = $($pallet)::+),+]);
		$crate::test_runtime!(@system);
		$crate::test_runtime!(@timestamp);
	};
	(balances; $($index:tt => $name:ident = $($pallet:ident)::+),+ $(,)?) => {
		$crate::test_runtime!(@runtime [RuntimeHoldReason, RuntimeFreezeReason]
			[0 => System = frame_system, 1 => Timestamp = pallet_timestamp,
				2 => Balances = pallet_balances]
			[$($index => $name = $($pallet)::+),+]);
		$crate::test_runtime!(@derive frame_system::config_preludes::TestDefaultConfig =>
			impl frame_system::Config for Test {
				type Block = Block;
				type AccountData = pallet_balances::AccountData<u64>;
			}
		);
		$crate::test_runtime!(@timestamp);
		$crate::test_runtime!(@derive pallet_balances::config_preludes::TestDefaultConfig =>
			impl pallet_balances::Config for Test {
				type AccountStore = System;
				type RuntimeHoldReason = RuntimeHoldReason;
			}
		);
	};
	(@runtime [$($derive:ident),*]
		[$($base_index:tt => $base:ident = $base_pallet:ident),+]
		[$($index:tt => $name:ident = $($pallet:ident)::+),+]) => {
		/// The mock runtime's block.
		pub type Block = frame_system::mocking::MockBlock<Test>;

		#[frame_support::runtime]
		mod runtime {
			#[runtime::runtime]
			#[runtime::derive(
				RuntimeCall, RuntimeEvent, RuntimeError, RuntimeOrigin, RuntimeTask $(, $derive)*
			)]
			pub struct Test;

			$(
				#[runtime::pallet_index($base_index)]
				pub type $base = $base_pallet;
			)+
			$(
				#[runtime::pallet_index($index)]
				pub type $name = $($pallet)::+;
			)+
		}
	};
	(@system) => {
		$crate::test_runtime!(@derive frame_system::config_preludes::TestDefaultConfig =>
			impl frame_system::Config for Test {
				type Block = Block;
			}
		);
	};
	(@timestamp) => {
		$crate::test_runtime!(@derive pallet_timestamp::config_preludes::TestDefaultConfig =>
			impl pallet_timestamp::Config for Test {}
		);
	};
	// `derive_impl` names itself unqualified and leaves a helper item behind: each use gets a
	// scope of its own.
	(@derive $($prelude:ident)::+ => $impl:item) => {
		const _: () = {
			use frame_support::derive_impl;
			#[derive_impl($($prelude)::+)]
			$impl
		};
	};
}
