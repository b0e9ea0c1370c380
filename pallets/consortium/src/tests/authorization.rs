//! The consortium pallet's authorization matrix: every call is the council's (root stands for it
//! in this mock), so every other origin is refused with `BadOrigin` before anything is read: no
//! signer, a validator, the account the call is about, a stranger. Each call is then made by
//! root in the same state (and rolled back), so the refusals are about the origin alone.

use super::with_consortium;
use crate::{mock::*, Call};
use frame_support::{
	assert_noop,
	storage::{with_transaction_unchecked, TransactionOutcome},
	traits::GetCallName,
};
use sp_runtime::{traits::Dispatchable, DispatchError, DispatchError::BadOrigin};

/// A validator of the genesis set (1, 2, 3, 4).
const VALIDATOR: u64 = 1;
/// The account `add_validator` would add.
const CANDIDATE: u64 = 5;
/// The validator `remove_validator` would remove.
const LEAVING: u64 = 4;
const STRANGER: u64 = 99;

/// The origins a call refuses, each with `BadOrigin`, and who each is (for the failure message).
type RefusedOrigins = Vec<(&'static str, RuntimeOrigin)>;

/// No signer, and each of `signers` (with its description): not the council.
fn not_the_council(signers: &[(&'static str, u64)]) -> RefusedOrigins {
	let signed = signers.iter().map(|&(who, a)| (who, RuntimeOrigin::signed(a)));
	[("no signer", RuntimeOrigin::none())].into_iter().chain(signed).collect()
}

/// Every call, with the origins it refuses.
fn every_call_with_the_refused_origins() -> Vec<(Call<Test>, RefusedOrigins)> {
	let validator = ("a validator", VALIDATOR);
	let stranger = ("a stranger", STRANGER);
	let root_only = RuntimeCall::System(frame_system::Call::set_heap_pages { pages: 64 });
	vec![
		(
			Call::add_validator { validator: CANDIDATE },
			not_the_council(&[validator, ("the candidate itself", CANDIDATE), stranger]),
		),
		(
			Call::remove_validator { validator: LEAVING },
			not_the_council(&[validator, ("the leaving validator itself", LEAVING), stranger]),
		),
		(Call::enact { call: Box::new(root_only) }, not_the_council(&[validator, stranger])),
	]
}

/// A row: the call is refused with `error` (`BadOrigin`, for every row here), the validator set
/// and its change flag stay as they were (the storage root `assert_noop!` compares), no event.
fn assert_refused(row: &str, origin: RuntimeOrigin, call: &RuntimeCall, error: DispatchError) {
	// The row travels with the outcome, so a wrong outcome names it.
	assert_noop!(call.clone().dispatch(origin).map_err(|e| (row, e.error)), (row, error));
	assert!(System::events().is_empty(), "{row}: an event was deposited");
}

#[test]
fn only_the_council_may_make_each_call() {
	with_consortium(|| {
		let cases = every_call_with_the_refused_origins();
		let covered: Vec<_> = cases.iter().map(|(call, _)| call.get_call_name()).collect();
		assert_eq!(covered, Call::<Test>::get_call_names(), "the matrix lists every call, once");

		for (call, refused) in cases {
			let name = call.get_call_name();
			let call = RuntimeCall::Consortium(call);
			for (who, origin) in refused {
				assert_refused(&format!("{name} from {who}"), origin, &call, BadOrigin);
			}
			let (outcome, events) = with_transaction_unchecked(|| {
				let outcome = call.clone().dispatch(RuntimeOrigin::root());
				TransactionOutcome::Rollback((outcome, System::events()))
			});
			assert!(outcome.is_ok(), "{name} from the council fails: {outcome:?}");
			let told = events.iter().any(|r| matches!(r.event, RuntimeEvent::Consortium(_)));
			assert!(told, "{name} from the council deposits no event");
		}
	});
}
