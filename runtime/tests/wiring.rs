//! How the runtime wires the consent suite (issue 18): the guardian's pallet-proxy delegation and
//! its `ProxyType` filter, the deposits held under the runtime's hold reasons at the runtime's
//! prices, and the council origins of the registry's and break-glass's governance calls.

mod common;

use common::*;
use consent_primitives::{
	Action, DataCategory, Decision, DenyReason, EmergencyReason, Grantee, PermitReason, Purpose,
	Role, RoleSet, Verdict,
};
use consent_runtime::{
	configs::deposit, AccountId, Balances, BreakGlass, Consent, Proxy, ProxyType, Records,
	Registry, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, UNIT,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, Mutate},
};
use sp_core::H256;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Eve, Ferdie};
use sp_runtime::DispatchError;

const LABS: DataCategory = DataCategory::LabResults;
const IMAGING: DataCategory = DataCategory::Imaging;
const TREAT: Purpose = Purpose::Treat;

/// The guardian becomes the patient's consent-management proxy, without delay.
fn appoint_guardian() {
	assert_ok!(Proxy::add_proxy(
		signed(&account(PATIENT)),
		account(GUARDIAN).into(),
		ProxyType::ConsentManagement,
		0
	));
}

/// The guardian dispatches `call` for the patient through pallet-proxy; the outcome of `call`, as
/// the `ProxyExecuted` event gives it (the proxy call itself succeeds).
fn as_guardian(call: RuntimeCall) -> Result<(), DispatchError> {
	frame_system::Pallet::<Runtime>::reset_events();
	let proxy = pallet_proxy::Call::proxy {
		real: account(PATIENT).into(),
		force_proxy_type: None,
		call: Box::new(call),
	};
	assert_ok!(dispatch(RuntimeCall::Proxy(proxy), signed(&account(GUARDIAN))));
	events()
		.into_iter()
		.find_map(|event| match event {
			RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted { result }) => Some(result),
			_ => None,
		})
		.expect("a ProxyExecuted event")
}

fn consent_call(call: pallet_consent::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Consent(call)
}

fn grant_labs_to(practitioner: &AccountId) -> RuntimeCall {
	consent_call(pallet_consent::Call::grant_consent {
		grantee: Grantee::Practitioner(practitioner.clone()),
		scope: labs_read_treat(),
		records: Default::default(),
		start: None,
		end: None,
	})
}

fn decide(accessor: &AccountId, category: DataCategory) -> Decision {
	check_access(&account(PATIENT), accessor, category, Action::Read, TREAT, None)
}

#[test]
fn a_consent_management_proxy_grants_approves_revokes_and_contests_for_the_patient() {
	on_dev_chain(|| {
		let (patient, guardian, physician) =
			(account(PATIENT), account(GUARDIAN), account(PHYSICIAN));
		appoint_guardian();
		assert_eq!(
			check_access(
				&patient,
				&guardian,
				DataCategory::Genomics,
				Action::Read,
				Purpose::PatientRequest,
				None
			),
			Decision::Permit(PermitReason::Delegate)
		);

		assert_eq!(as_guardian(grant_labs_to(&physician)), Ok(()));
		assert_eq!(decide(&physician, LABS), Decision::Permit(PermitReason::Consent(0)));
		assert_eq!(held(CONSENT_DEPOSIT, &patient), consent_deposit(), "the patient's deposit");
		assert_eq!(held(CONSENT_DEPOSIT, &guardian), 0);

		// The physician asks for the scans; the guardian approves for the patient.
		assert_ok!(Consent::request_access(
			signed(&physician),
			patient.clone(),
			scope(&[IMAGING], &[Action::Read], &[TREAT]),
			H256::repeat_byte(7),
			None,
			None
		));
		let approve = pallet_consent::Call::approve_request { request_id: 0, scope: None };
		assert_eq!(as_guardian(consent_call(approve)), Ok(()));
		assert_eq!(decide(&physician, IMAGING), Decision::Permit(PermitReason::Consent(1)));

		assert_eq!(
			as_guardian(consent_call(pallet_consent::Call::revoke_consent { consent_id: 0 })),
			Ok(())
		);
		advance(BLOCK);
		assert_eq!(decide(&physician, LABS), Decision::Deny(DenyReason::NoConsent));

		// The guardian contests an emergency session for the patient, which ends it.
		let session = pallet_break_glass::NextSessionId::<Runtime>::get();
		assert_ok!(BreakGlass::break_glass(
			signed(&physician),
			patient.clone(),
			Purpose::EmergencyTreat,
			EmergencyReason::Unconscious,
			H256::zero(),
			None
		));
		let contest = pallet_break_glass::Call::contest { session_id: session };
		assert_eq!(as_guardian(RuntimeCall::BreakGlass(contest)), Ok(()));
		frame_system::Pallet::<Runtime>::assert_has_event(
			pallet_break_glass::Event::SessionContested {
				session_id: session,
				patient: patient.clone(),
				at: NOW + BLOCK,
			}
			.into(),
		);
		assert_eq!(
			check_access(&patient, &physician, LABS, Action::Read, Purpose::EmergencyTreat, None),
			Decision::Deny(DenyReason::NoConsent)
		);
		assert_invariants();
	});
}

#[test]
fn a_consent_management_proxy_may_not_transfer_break_glass_or_widen_itself() {
	use pallet_utility::Call as Utility;
	on_dev_chain(|| {
		let (patient, guardian) = (account(PATIENT), account(GUARDIAN));
		appoint_guardian();
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
			dest: guardian.clone().into(),
			value: UNIT,
		});
		let grant = grant_labs_to(&account(PHYSICIAN));
		let outside_the_filter = [
			transfer.clone(),
			RuntimeCall::Balances(pallet_balances::Call::transfer_all {
				dest: guardian.clone().into(),
				keep_alive: false,
			}),
			RuntimeCall::BreakGlass(pallet_break_glass::Call::break_glass {
				patient: account(Alice),
				purpose: Purpose::EmergencyTreat,
				reason: EmergencyReason::Unconscious,
				justification_hash: H256::zero(),
				categories: None,
			}),
			RuntimeCall::BreakGlass(pallet_break_glass::Call::review {
				session_id: 0,
				verdict: Verdict::Justified,
				notes_hash: H256::zero(),
			}),
			RuntimeCall::Registry(pallet_registry::Call::suspend_practitioner {
				practitioner: account(PHYSICIAN),
			}),
			RuntimeCall::Proxy(pallet_proxy::Call::add_proxy {
				delegate: guardian.clone().into(),
				proxy_type: ProxyType::Any,
				delay: 0,
			}),
			RuntimeCall::Proxy(pallet_proxy::Call::remove_proxies {}),
			RuntimeCall::System(frame_system::Call::remark { remark: b"hello".to_vec() }),
			RuntimeCall::Utility(Utility::batch_all {
				calls: vec![grant.clone(), transfer.clone()],
			}),
			RuntimeCall::Utility(Utility::dispatch_as {
				as_origin: Box::new(frame_system::RawOrigin::Signed(patient.clone()).into()),
				call: Box::new(transfer.clone()),
			}),
		];
		let balance = Balances::total_balance(&patient);
		for call in outside_the_filter {
			assert_eq!(
				as_guardian(call.clone()),
				Err(frame_system::Error::<Runtime>::CallFiltered.into()),
				"{call:?}"
			);
		}
		assert_eq!(Balances::total_balance(&patient), balance);
		assert!(Consent::consents_of(&patient).is_empty(), "the batch was undone as a whole");
		let proxies = pallet_proxy::Proxies::<Runtime>::get(&patient).0;
		assert_eq!(proxies.len(), 1);
		assert_eq!(proxies[0].proxy_type, ProxyType::ConsentManagement);

		// A plain batch runs its consent calls and stops at the first call outside the filter.
		let batch = Utility::batch { calls: vec![grant.clone(), transfer, grant] };
		assert_eq!(as_guardian(RuntimeCall::Utility(batch)), Ok(()));
		frame_system::Pallet::<Runtime>::assert_has_event(
			pallet_utility::Event::BatchInterrupted {
				index: 1,
				error: frame_system::Error::<Runtime>::CallFiltered.into(),
			}
			.into(),
		);
		assert_eq!(Consent::consents_of(&patient).len(), 1);
		assert_eq!(Balances::total_balance(&patient), balance, "only the consent deposit is held");
		assert_invariants();
	});
}

#[test]
fn consents_rules_and_requests_hold_the_runtime_deposit_until_they_go() {
	use pallet_consent::ExpiredItem;
	on_dev_chain(|| {
		let (patient, physician, nurse) = (account(PATIENT), account(PHYSICIAN), account(NURSE));
		let (free, total, issuance) = (
			Balances::free_balance(&patient),
			Balances::total_balance(&patient),
			Balances::total_issuance(),
		);
		// Priced per item and per byte: 0.02 UNIT an item and 0.0001 UNIT a byte.
		assert_eq!(deposit(1, 0), UNIT / 50);
		assert!(consent_deposit() > deposit(1, 0));

		let consent = grant(&patient, Grantee::Practitioner(physician.clone()), labs_read_treat());
		assert_eq!(held(CONSENT_DEPOSIT, &patient), consent_deposit());
		assert_eq!(Balances::free_balance(&patient), free - consent_deposit());
		assert_eq!(Balances::total_balance(&patient), total, "held, not spent");

		assert_ok!(Consent::add_deny_rule(
			signed(&patient),
			None,
			consent_primitives::CategorySet::from(DataCategory::Genomics).to_list(),
			consent_primitives::PurposeSet::from(Purpose::Research).to_list(),
		));
		assert_eq!(held(CONSENT_DEPOSIT, &patient), consent_deposit() + deny_rule_deposit());
		// The requester pays for the request, until it is answered or withdrawn.
		assert_ok!(Consent::request_access(
			signed(&nurse),
			patient.clone(),
			labs_read_treat(),
			H256::zero(),
			None,
			None
		));
		assert_eq!(held(CONSENT_DEPOSIT, &nurse), request_deposit());
		assert_invariants();
		assert_ok!(Consent::cancel_request(signed(&nurse), 0));
		assert_eq!(held(CONSENT_DEPOSIT, &nurse), 0);

		assert_ok!(Consent::revoke_consent(signed(&patient), consent));
		assert_ok!(Consent::remove_deny_rule(signed(&patient), 0));
		assert_eq!(held(CONSENT_DEPOSIT, &patient), 0);
		assert_eq!(Balances::free_balance(&patient), free, "every deposit given back");

		// An expired consent is reaped by anyone, and its deposit goes back to the patient.
		let expiring = Consent::next_consent_id(&patient);
		assert_ok!(Consent::grant_consent(
			signed(&patient),
			Grantee::Organization(HOSPITAL),
			labs_read_treat(),
			Default::default(),
			None,
			Some(NOW + HOUR)
		));
		advance(HOUR);
		let reaper_total = Balances::total_balance(&nurse);
		assert_ok!(Consent::reap_expired(
			signed(&nurse),
			ExpiredItem::Consent { patient: patient.clone(), consent_id: expiring }
		));
		assert_eq!(Balances::free_balance(&patient), free);
		assert_eq!(Balances::total_balance(&nurse), reaper_total);
		assert_eq!(Balances::total_issuance(), issuance);

		// A patient who cannot pay the deposit stores nothing.
		let poor: AccountId = sp_core::sr25519::Public::from_raw([7; 32]).into();
		Balances::set_balance(&poor, consent_runtime::EXISTENTIAL_DEPOSIT + consent_deposit() / 2);
		assert!(Consent::grant_consent(
			signed(&poor),
			Grantee::Practitioner(physician),
			labs_read_treat(),
			Default::default(),
			None,
			None
		)
		.is_err());
		assert!(Consent::consents_of(&poor).is_empty());
		assert_invariants();
	});
}

#[test]
fn record_versions_hold_their_authors_deposits_and_erasure_gives_them_back() {
	on_dev_chain(|| {
		let (patient, physician, nurse) = (account(PATIENT), account(PHYSICIAN), account(NURSE));
		grant(
			&patient,
			Grantee::Organization(HOSPITAL),
			scope(&[LABS], &[Action::Read, Action::Write], &[TREAT]),
		);
		let issuance = Balances::total_issuance();
		let totals = |who: [&AccountId; 3]| who.map(Balances::total_balance);
		let before = totals([&patient, &physician, &nurse]);

		let record = anchor(&physician, &patient, LABS, TREAT).unwrap();
		assert_eq!(held(RECORD_DEPOSIT, &physician), version_deposit(true));
		assert!(
			version_deposit(true) > version_deposit(false),
			"the first version pays for the record"
		);
		assert_ok!(amend(&nurse, record, TREAT));
		assert_eq!(held(RECORD_DEPOSIT, &nurse), version_deposit(false));
		assert_ok!(amend(&physician, record, TREAT));
		assert_eq!(
			held(RECORD_DEPOSIT, &physician),
			version_deposit(true) + version_deposit(false)
		);
		assert_eq!(totals([&patient, &physician, &nurse]), before, "held, not spent");
		assert_invariants();

		// The patient erases the record: every author's deposit comes back, and the patient pays,
		// for good, for the tombstone and the digests that stay.
		let current = Records::history(record).unwrap()[2].digest;
		assert_noop!(
			Records::erase_record(signed(&physician), record),
			pallet_records::Error::<Runtime>::NotPatient
		);
		assert_ok!(Records::erase_record(signed(&patient), record));
		for author in [&physician, &nurse] {
			assert_eq!(held(RECORD_DEPOSIT, author), 0);
		}
		let burnt = tombstone_deposit(3);
		assert_eq!(
			totals([&patient, &physician, &nurse]),
			[before[0] - burnt, before[1], before[2]]
		);
		assert_eq!(Balances::total_issuance(), issuance - burnt);
		assert_eq!(
			Records::verify(record, current),
			consent_primitives::Verification::Current { version: 2 },
			"the digest chain stays"
		);
		assert_invariants();
	});
}

/// The origins a council majority's call must refuse on the `local` chain (four members): a
/// member's signature, one member, and two (half is not a majority).
fn not_a_majority() -> [RuntimeOrigin; 3] {
	[
		signed(&account(Alice)),
		CouncilOrigin::Members(1, 4).into(),
		CouncilOrigin::Members(2, 4).into(),
	]
}

fn majority() -> RuntimeOrigin {
	CouncilOrigin::Members(3, 4).into()
}

/// Each call is refused to every origin short of a council majority, then a majority makes it.
fn only_a_majority_makes(calls: impl IntoIterator<Item = RuntimeCall>) {
	for call in calls {
		for origin in not_a_majority() {
			assert_noop!(dispatch(call.clone(), origin), DispatchError::BadOrigin);
		}
		assert_ok!(dispatch(call, majority()));
	}
}

#[test]
fn admitting_suspending_and_removing_organizations_takes_a_council_majority() {
	use pallet_registry::{Call as Registry, Event, Organizations};
	on_local_chain(|| {
		let hospice = pallet_registry::NextOrgId::<Runtime>::get();
		let name = |name: &[u8]| name.to_vec().try_into().unwrap();
		let admins = |who: Vec<AccountId>| who.try_into().unwrap();
		only_a_majority_makes(
			[
				Registry::admit_organization {
					name: name(b"Eve Hospice"),
					admins: admins(vec![account(Eve)]),
				},
				Registry::rename_organization {
					organization: hospice,
					name: name(b"Eve Hospice and Home Care"),
				},
				Registry::set_admins {
					organization: hospice,
					admins: admins(vec![account(Eve), account(Ferdie)]),
				},
				Registry::suspend_organization { organization: hospice },
				Registry::reinstate_organization { organization: hospice },
				Registry::remove_organization { organization: hospice },
			]
			.map(RuntimeCall::Registry),
		);
		let registry_events: Vec<_> = events()
			.into_iter()
			.filter_map(|event| match event {
				RuntimeEvent::Registry(event) => Some(event),
				_ => None,
			})
			.collect();
		assert_eq!(
			registry_events,
			vec![
				Event::OrganizationAdmitted { organization: hospice, name: name(b"Eve Hospice") },
				Event::OrganizationRenamed {
					organization: hospice,
					name: name(b"Eve Hospice and Home Care")
				},
				Event::AdminsChanged { organization: hospice },
				Event::OrganizationSuspended { organization: hospice },
				Event::OrganizationReinstated { organization: hospice },
				Event::OrganizationRemoved { organization: hospice },
			]
		);
		assert!(Organizations::<Runtime>::get(hospice).is_none());

		// Through real motions: two of the four members pass the motion, which the registry
		// then refuses; three admit the pharmacy.
		let pharmacy = pallet_registry::NextOrgId::<Runtime>::get();
		let admit = RuntimeCall::Registry(Registry::admit_organization {
			name: name(b"Ferdie Pharmacy"),
			admins: admins(vec![account(Ferdie)]),
		});
		assert_eq!(motion(admit.clone(), 2, Alice, &[Alice, Bob]), Err(DispatchError::BadOrigin));
		assert!(Organizations::<Runtime>::get(pharmacy).is_none());
		assert_eq!(motion(admit, 3, Alice, &[Alice, Bob, Charlie]), Ok(()));
		assert!(Organizations::<Runtime>::get(pharmacy).is_some());
	});
}

#[test]
fn break_glass_governance_takes_a_council_majority() {
	use pallet_break_glass::{Call as BreakGlassCall, Error, Event, Reviewer};
	on_local_chain(|| {
		// Alice Hospital (organization 0) credentials Eve, a physician with the break-glass
		// privilege, and Ferdie, an auditor. Dave is the patient.
		let (alice, physician, auditor, patient) =
			(account(Alice), account(Eve), account(Ferdie), account(PATIENT));
		for (who, role, break_glass) in
			[(&physician, Role::Physician, true), (&auditor, Role::Auditor, false)]
		{
			assert_ok!(Registry::register_practitioner(
				signed(&alice),
				0,
				who.clone(),
				RoleSet::from(role).to_list(),
				LICENCE_EXPIRY,
				H256::zero(),
				break_glass
			));
		}
		let emergency = || {
			let session = pallet_break_glass::NextSessionId::<Runtime>::get();
			assert_ok!(BreakGlass::break_glass(
				signed(&physician),
				patient.clone(),
				Purpose::EmergencyTreat,
				EmergencyReason::CriticalCare,
				H256::zero(),
				None
			));
			session
		};
		let review = |session_id, verdict| {
			RuntimeCall::BreakGlass(BreakGlassCall::review {
				session_id,
				verdict,
				notes_hash: H256::zero(),
			})
		};

		only_a_majority_makes([RuntimeCall::BreakGlass(BreakGlassCall::set_session_duration {
			duration: HOUR,
		})]);
		let session = emergency();
		assert_eq!(pallet_break_glass::Sessions::<Runtime>::get(session).unwrap().end, NOW + HOUR);

		// Contested by the patient, the session is for the council alone to decide.
		assert_ok!(BreakGlass::contest(signed(&patient), session));
		let justified = review(session, Verdict::Justified);
		assert_noop!(
			dispatch(justified.clone(), signed(&auditor)),
			Error::<Runtime>::NeedsGovernance
		);
		assert_noop!(dispatch(justified.clone(), signed(&alice)), Error::<Runtime>::NotAuditor);
		assert_noop!(
			dispatch(justified.clone(), CouncilOrigin::Members(2, 4).into()),
			DispatchError::BadOrigin
		);
		assert_ok!(dispatch(justified, majority()));
		frame_system::Pallet::<Runtime>::assert_has_event(
			Event::SessionReviewed {
				session_id: session,
				reviewer: Reviewer::Governance,
				verdict: Verdict::Justified,
				notes_hash: H256::zero(),
			}
			.into(),
		);
		frame_system::Pallet::<Runtime>::assert_has_event(
			Event::BondReleased {
				session_id: session,
				practitioner: physician.clone(),
				amount: bond(),
			}
			.into(),
		);
		assert_eq!(held(BOND, &physician), 0);

		// An unjustified verdict bars the physician; only a majority lifts the bar.
		let session = emergency();
		assert_ok!(dispatch(review(session, Verdict::Unjustified), majority()));
		only_a_majority_makes([RuntimeCall::Registry(
			pallet_registry::Call::lift_break_glass_bar { practitioner: physician.clone() },
		)]);
		assert!(!pallet_registry::BreakGlassBarred::<Runtime>::contains_key(&physician));
		assert_invariants();
	});
}
