//! A patient's wallet against the real runtime (issue 12): a zero-balance account the dev
//! hospital enrols signs consent calls that pass the runtime's whole transaction-extension
//! pipeline without a fee and without a deposit of its own, within the hourly limit; an account
//! nobody enrolled is refused by the pool as before; a guardian appointed until a moment acts
//! through pallet-proxy, is named as the signer, and is refused from that moment on.

mod common;

use common::{on_dev_chain, HOSPITAL, HOUR, NOW};
use consent_primitives::{
	AccessControl, AccessQuery, Action, ActionSet, DataCategory, Decision, Grantee, PermitReason,
	Purpose, PurposeSet,
};
use consent_runtime::{
	AccountId, Balances, Consent, Enrolment, ProxyType, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeOrigin, System, TxExtension,
};
use frame_support::{
	assert_ok,
	dispatch::GetDispatchInfo,
	traits::fungible::{Inspect, InspectHold},
};
use sp_core::{sr25519, Pair, H256};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Dave};
use sp_runtime::{
	generic::Era,
	traits::DispatchTransaction,
	transaction_validity::{InvalidTransaction, TransactionValidityError},
	DispatchError,
};

/// A keypair made in the test, never funded.
fn fresh_account(seed: u8) -> AccountId {
	sr25519::Pair::from_seed(&[seed; 32]).public().into()
}

/// The extensions a wallet signs, with the account's next nonce.
fn extensions(who: &AccountId) -> TxExtension {
	let nonce = System::account_nonce(who);
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_enrolment::CountFreeCalls::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0).into(),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		pallet_consent::NoteSigner::new(),
		frame_system::WeightReclaim::new(),
	)
}

/// Submit `call` signed by `who` as the block builder applies an extrinsic: every extension's
/// validation and preparation, the dispatch, every extension's post-dispatch.
fn submit(
	who: &AccountId,
	call: RuntimeCall,
) -> Result<Result<(), DispatchError>, TransactionValidityError> {
	let info = call.get_dispatch_info();
	let len = 120;
	extensions(who)
		.dispatch_transaction(RuntimeOrigin::signed(who.clone()), call, &info, len, 0)
		.map(|outcome| outcome.map(|_| ()).map_err(|e| e.error))
}

fn labs_read_treat() -> pallet_consent::ScopeInput {
	pallet_consent::Scope {
		categories: DataCategory::LabResults.into(),
		actions: Action::Read.into(),
		purposes: Purpose::Treat.into(),
	}
	.into()
}

fn grant_to_bob() -> RuntimeCall {
	RuntimeCall::Consent(pallet_consent::Call::grant_consent {
		grantee: Grantee::Practitioner(Bob.to_account_id()),
		scope: labs_read_treat(),
		records: Default::default(),
		start: None,
		end: None,
	})
}

fn enrol(patient: &AccountId) {
	assert_ok!(Enrolment::enrol_patient(
		RuntimeOrigin::signed(Alice.to_account_id()),
		HOSPITAL,
		patient.clone()
	));
}

fn fee_skipped() -> bool {
	System::events().iter().any(|r| {
		matches!(
			r.event,
			RuntimeEvent::SkipFeelessPayment(pallet_skip_feeless_payment::Event::FeeSkipped { .. })
		)
	})
}

#[test]
fn an_account_nobody_enrolled_is_refused_by_the_pool() {
	on_dev_chain(|| {
		let stranger = fresh_account(1);
		assert_eq!(
			submit(&stranger, grant_to_bob()),
			Err(InvalidTransaction::Payment.into()),
			"no nonce stored, no fee paid: refused as before"
		);
	});
}

#[test]
fn an_enrolled_zero_balance_patient_grants_approves_and_revokes_for_free() {
	on_dev_chain(|| {
		let patient = fresh_account(2);
		let alice = Alice.to_account_id();
		let alice_before = Balances::total_balance(&alice);
		enrol(&patient);
		let quota = Balances::total_balance_on_hold(&alice);
		assert!(quota > 0, "the hospital holds a deposit for the patient's quota");
		assert_eq!(Balances::total_balance(&alice), alice_before, "held, not spent");

		assert_eq!(submit(&patient, grant_to_bob()), Ok(Ok(())));
		assert!(fee_skipped(), "the fee was skipped");
		assert_eq!(Balances::total_balance(&patient), 0, "no token at any time");
		assert_eq!(Balances::total_balance_on_hold(&patient), 0);
		assert_eq!(System::account_nonce(&patient), 1, "the nonce is kept");
		assert_eq!(
			Consent::check_access(&AccessQuery {
				patient: patient.clone(),
				accessor: Bob.to_account_id(),
				category: DataCategory::LabResults,
				action: Action::Read,
				purpose: Purpose::Treat,
				record: None,
			}),
			Decision::Permit(PermitReason::Consent(0))
		);

		// Bob asks for imaging; the patient approves, for free, then revokes.
		let scope = pallet_consent::Scope {
			categories: DataCategory::Imaging.into(),
			actions: ActionSet::from(Action::Read),
			purposes: PurposeSet::from(Purpose::Treat),
		};
		assert_ok!(Consent::request_access(
			RuntimeOrigin::signed(Bob.to_account_id()),
			patient.clone(),
			scope.into(),
			H256::repeat_byte(7),
			None,
			None
		));
		let approve = RuntimeCall::Consent(pallet_consent::Call::approve_request {
			request_id: 0,
			scope: None,
		});
		assert_eq!(submit(&patient, approve), Ok(Ok(())));
		let revoke = RuntimeCall::Consent(pallet_consent::Call::revoke_consent { consent_id: 0 });
		assert_eq!(submit(&patient, revoke), Ok(Ok(())));
		assert_eq!(Consent::consents_of(&patient).len(), 1, "the approved one is left");
		assert_eq!(Balances::total_balance(&patient), 0);

		// A transfer is not a consent call: it is not free, and the patient cannot pay.
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
			dest: Dave.to_account_id().into(),
			value: 1,
		});
		assert_eq!(submit(&patient, transfer), Err(InvalidTransaction::Payment.into()));
	});
}

#[test]
fn free_calls_stop_at_the_hourly_limit_failed_ones_included() {
	on_dev_chain(|| {
		let patient = fresh_account(3);
		enrol(&patient);
		let limit = <<Runtime as pallet_enrolment::Config>::FreeCallsPerWindow as frame_support::traits::Get<u32>>::get();
		// Revoking a consent that does not exist fails, and still counts: spam is not free.
		let revoke =
			|| RuntimeCall::Consent(pallet_consent::Call::revoke_consent { consent_id: 9 });
		for _ in 0..limit {
			assert_eq!(
				submit(&patient, revoke()),
				Ok(Err(pallet_consent::Error::<Runtime>::NotFound.into()))
			);
		}
		assert_eq!(
			submit(&patient, grant_to_bob()),
			Err(InvalidTransaction::Custom(pallet_enrolment::FREE_CALLS_EXHAUSTED).into()),
			"refused with the free-call code"
		);
		pallet_timestamp::Now::<Runtime>::put(NOW + HOUR);
		assert_eq!(submit(&patient, grant_to_bob()), Ok(Ok(())), "the next hour is open");
	});
}

#[test]
fn an_ended_enrolment_keeps_the_consents_and_stops_free_calls() {
	on_dev_chain(|| {
		let patient = fresh_account(4);
		enrol(&patient);
		assert_eq!(submit(&patient, grant_to_bob()), Ok(Ok(())));
		assert_ok!(Enrolment::end_enrolment(
			RuntimeOrigin::signed(Alice.to_account_id()),
			patient.clone()
		));
		assert_eq!(Consent::consents_of(&patient).len(), 1, "the consent stays");
		assert_eq!(submit(&patient, grant_to_bob()), Err(InvalidTransaction::Payment.into()));
		assert!(
			Balances::total_balance_on_hold(&Alice.to_account_id()) > 0,
			"the sponsored consent is still paid for"
		);
	});
}

#[test]
fn a_guardian_until_a_moment_signs_is_named_and_then_is_refused() {
	on_dev_chain(|| {
		let patient = Dave.to_account_id();
		let guardian = fresh_account(5);
		let until = NOW + 2 * HOUR;
		assert_ok!(pallet_proxy::Pallet::<Runtime>::add_proxy(
			RuntimeOrigin::signed(patient.clone()),
			guardian.clone().into(),
			ProxyType::ConsentManagementUntil(until),
			0
		));
		let delegate_decision = || {
			Consent::check_access(&AccessQuery {
				patient: patient.clone(),
				accessor: guardian.clone(),
				category: DataCategory::Genomics,
				action: Action::Read,
				purpose: Purpose::PatientRequest,
				record: None,
			})
		};
		assert_eq!(delegate_decision(), Decision::Permit(PermitReason::Delegate));

		// The guardian (funded to pay the proxy call's fee) grants for the patient.
		<Balances as frame_support::traits::fungible::Mutate<_>>::set_balance(
			&guardian,
			1_000 * consent_runtime::UNIT,
		);
		let through_proxy = |call: RuntimeCall| {
			RuntimeCall::Proxy(pallet_proxy::Call::proxy {
				real: patient.clone().into(),
				force_proxy_type: None,
				call: Box::new(call),
			})
		};
		assert_eq!(submit(&guardian, through_proxy(grant_to_bob())), Ok(Ok(())));
		let granted = System::events().into_iter().find_map(|r| match r.event {
			RuntimeEvent::Consent(pallet_consent::Event::ConsentGranted {
				patient: p,
				signer,
				consent_id,
				..
			}) => Some((p, signer, consent_id)),
			_ => None,
		});
		let (p, signer, consent_id) = granted.expect("a ConsentGranted event");
		assert_eq!((p, signer), (patient.clone(), guardian.clone()), "the guardian is named");
		assert_eq!(
			pallet_consent::Consents::<Runtime>::get(&patient, consent_id).unwrap().granted_by,
			Some(guardian.clone())
		);
		assert!(pallet_consent::Signer::<Runtime>::get().is_none(), "nothing left in state");

		// From `until` on, the guardian's calls are refused and the decision stops permitting.
		pallet_timestamp::Now::<Runtime>::put(until);
		System::reset_events();
		assert_eq!(submit(&guardian, through_proxy(grant_to_bob())), Ok(Ok(())));
		let result = System::events().into_iter().find_map(|r| match r.event {
			RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted { result }) => Some(result),
			_ => None,
		});
		assert_eq!(
			result,
			Some(Err(frame_system::Error::<Runtime>::CallFiltered.into())),
			"the proxy refuses the call"
		);
		assert_eq!(Consent::consents_of(&patient).len(), 1, "nothing was granted");
		assert_ne!(delegate_decision(), Decision::Permit(PermitReason::Delegate));
	});
}

/// What a consent-management delegate may do for the patient in the emergency pallet: contest
/// or end a session, set contacts and opt-out; never open one or review one.
#[test]
fn a_delegate_may_end_or_contest_a_session_but_never_open_or_review_one() {
	use frame_support::traits::InstanceFilter;
	use pallet_break_glass::Call as BreakGlass;
	let allowed = |call: BreakGlass<Runtime>| {
		ProxyType::ConsentManagement.filter(&RuntimeCall::BreakGlass(call))
	};
	assert!(allowed(BreakGlass::end_session { session_id: 0 }));
	assert!(allowed(BreakGlass::contest { session_id: 0 }));
	assert!(!allowed(BreakGlass::break_glass {
		patient: Dave.to_account_id(),
		purpose: Purpose::EmergencyTreat,
		reason: consent_primitives::EmergencyReason::Unconscious,
		justification_hash: H256::zero(),
		categories: None,
	}));
	assert!(!allowed(BreakGlass::review {
		session_id: 0,
		verdict: consent_primitives::Verdict::Justified,
		notes_hash: H256::zero(),
	}));
	assert!(!ProxyType::ConsentManagement.filter(&RuntimeCall::Balances(
		pallet_balances::Call::transfer_allow_death { dest: Bob.to_account_id().into(), value: 1 }
	)));
}
