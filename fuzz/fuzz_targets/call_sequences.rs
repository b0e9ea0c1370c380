//! Random sequences of the suite's calls, from the cast's accounts, with the clock moving and
//! blocks turning: every pallet's `try_state` invariants hold after each step, and a call that
//! fails leaves the state exactly as it was (same storage root).
#![no_main]

use arbitrary::Arbitrary;
use codec::{DecodeLimit, Encode};
use consent_fuzz::*;
use consent_runtime::{AllPalletsWithSystem, RuntimeCall, RuntimeOrigin, System};
use frame_support::traits::{PalletsInfoAccess, TryState, TryStateSelect};
use libfuzzer_sys::fuzz_target;
use sp_runtime::StateVersion;

#[derive(Arbitrary, Debug)]
enum Step {
	Op(Op),
	/// Any call of the suite, from bytes, signed by one of the cast.
	Raw {
		who: Who,
		call: Vec<u8>,
	},
}

fn root() -> Vec<u8> {
	sp_io::storage::root(StateVersion::V1)
}

/// The first pallet whose `try_state` fails, with its error.
fn broken_invariant() -> Option<(String, sp_runtime::TryRuntimeError)> {
	let block = System::block_number();
	AllPalletsWithSystem::infos().into_iter().find_map(|info| {
		let only = TryStateSelect::Only(vec![info.name.as_bytes().to_vec()]);
		AllPalletsWithSystem::try_state(block, only).err().map(|e| (info.name.to_string(), e))
	})
}

fn suite_call(bytes: &[u8]) -> Option<RuntimeCall> {
	let call = RuntimeCall::decode_with_depth_limit(8, &mut &bytes[..]).ok()?;
	is_suite_call(&call, false).then_some(call)
}

fuzz_target!(|steps: Vec<Step>| {
	on_chain(|| {
		let mut ids = Ids::default();
		for step in steps.into_iter().take(64) {
			let (origin, call) = match &step {
				Step::Op(Op::Wait { minutes }) => {
					wait(*minutes);
					(None, None)
				},
				Step::Op(op) => match call_of(op, &ids) {
					Some((origin, call)) => (Some(origin), Some(call)),
					None => continue,
				},
				Step::Raw { who, call } => match suite_call(call) {
					Some(call) => (Some(RuntimeOrigin::signed(who.account())), Some(call)),
					None => continue,
				},
			};
			if let (Some(origin), Some(call)) = (origin, call) {
				// Events of the previous step are not this call's doing.
				System::reset_events();
				let (state, encoded) = (root(), call.encode());
				if let Err(error) = dispatch(origin, call) {
					assert_eq!(
						root(),
						state,
						"a failed call ({error:?}) changed the state: {:?}",
						RuntimeCall::decode_with_depth_limit(8, &mut &encoded[..])
					);
				}
				ids.harvest();
			}
			if let Some((pallet, error)) = broken_invariant() {
				panic!("invariant of {pallet} broken after {step:?}: {error:?}");
			}
		}
	});
});
