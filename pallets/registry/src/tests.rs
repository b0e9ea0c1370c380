//! Unit tests of the registry: every call's success path, every error, every refused origin.

use crate::{
	mock::*, CredentialState, Error, Event, GenesisOrganization, GenesisPractitioner, OrgStatus,
	OrganizationNames, Organizations, Practitioners,
};
use consent_primitives::{CredentialInspect, CredentialManage, OrgId, Role, RoleList, RoleSet};
use frame_support::{assert_noop, assert_ok, traits::Time, BoundedVec};
use sp_core::H256;
use sp_runtime::DispatchError::BadOrigin;

mod authorization;

const ADMIN: u64 = 1;
const OTHER_ADMIN: u64 = 2;
const DOCTOR: u64 = 10;
const NURSE: u64 = 11;
const STRANGER: u64 = 99;

fn admins(list: &[u64]) -> BoundedVec<u64, frame_support::traits::ConstU32<4>> {
	BoundedVec::truncate_from(list.to_vec())
}

fn name(text: &str) -> BoundedVec<u8, frame_support::traits::ConstU32<32>> {
	BoundedVec::truncate_from(text.as_bytes().to_vec())
}

fn roles(list: &[Role]) -> RoleList {
	BoundedVec::truncate_from(list.to_vec())
}

fn physician() -> RoleList {
	roles(&[Role::Physician])
}

/// Two organizations: 0 administered by ADMIN, 1 by OTHER_ADMIN.
fn two_orgs() -> (OrgId, OrgId) {
	assert_ok!(Registry::admit_organization(
		RuntimeOrigin::root(),
		name("General Hospital"),
		admins(&[ADMIN])
	));
	assert_ok!(Registry::admit_organization(
		RuntimeOrigin::root(),
		name("Riverside Clinic"),
		admins(&[OTHER_ADMIN])
	));
	(0, 1)
}

fn register(org: OrgId, admin: u64, who: u64) {
	assert_ok!(Registry::register_practitioner(
		RuntimeOrigin::signed(admin),
		org,
		who,
		physician(),
		NEXT_YEAR,
		H256::repeat_byte(9),
		false
	));
}

fn valid(who: u64) -> bool {
	Registry::credential(&who, Timestamp::now()).is_some_and(|c| c.valid)
}

fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		Registry::do_try_state().expect("invariants hold");
	})
}

#[test]
fn governance_admits_organizations_with_sequential_ids() {
	test(|| {
		two_orgs();
		let org = Organizations::<Test>::get(1).unwrap();
		assert_eq!(org.status, OrgStatus::Active);
		assert_eq!(org.admins.to_vec(), vec![OTHER_ADMIN]);
		System::assert_last_event(
			Event::OrganizationAdmitted { organization: 1, name: name("Riverside Clinic") }.into(),
		);
		assert_eq!(&org.name[..], b"Riverside Clinic");
		assert_eq!(OrganizationNames::<Test>::get(name("Riverside Clinic")), Some(1));
	});
}

#[test]
fn names_are_readable_unique_and_renamed_only_by_governance() {
	test(|| {
		let (org, other) = two_orgs();
		let admit = |text: &[u8]| {
			Registry::admit_organization(
				RuntimeOrigin::root(),
				BoundedVec::truncate_from(text.to_vec()),
				admins(&[STRANGER]),
			)
		};
		assert_noop!(admit(b"General Hospital"), Error::<Test>::NameTaken);
		assert_noop!(admit(b""), Error::<Test>::EmptyName);
		assert_noop!(admit(b"\xff\xfe"), Error::<Test>::InvalidName);
		assert_noop!(admit(b" Padded"), Error::<Test>::InvalidName);
		assert_noop!(admit(b"Line\nbreak"), Error::<Test>::InvalidName);
		assert_ok!(admit("H\u{f4}pital Saint-\u{c9}loi".as_bytes()));

		for origin in [RuntimeOrigin::signed(ADMIN), RuntimeOrigin::none()] {
			assert_noop!(Registry::rename_organization(origin, org, name("Mine Now")), BadOrigin);
		}
		assert_noop!(
			Registry::rename_organization(RuntimeOrigin::root(), other, name("General Hospital")),
			Error::<Test>::NameTaken
		);
		assert_noop!(
			Registry::rename_organization(RuntimeOrigin::root(), 9, name("Nowhere")),
			Error::<Test>::OrganizationNotFound
		);
		assert_noop!(
			Registry::rename_organization(RuntimeOrigin::root(), org, name("")),
			Error::<Test>::EmptyName
		);
		assert_ok!(Registry::rename_organization(
			RuntimeOrigin::root(),
			org,
			name("General Hospital North")
		));
		System::assert_last_event(
			Event::OrganizationRenamed { organization: org, name: name("General Hospital North") }
				.into(),
		);
		assert_eq!(OrganizationNames::<Test>::get(name("General Hospital")), None);
		// The old name is free again; renaming to the current name changes nothing.
		assert_ok!(Registry::rename_organization(
			RuntimeOrigin::root(),
			other,
			name("General Hospital")
		));
		assert_ok!(Registry::rename_organization(
			RuntimeOrigin::root(),
			org,
			name("General Hospital North")
		));
		// Removal frees the name.
		assert_ok!(Registry::remove_organization(RuntimeOrigin::root(), other));
		assert_eq!(OrganizationNames::<Test>::get(name("General Hospital")), None);
	});
}

#[test]
fn a_role_named_twice_is_refused() {
	test(|| {
		let (org, _) = two_orgs();
		assert_noop!(
			Registry::register_practitioner(
				RuntimeOrigin::signed(ADMIN),
				org,
				DOCTOR,
				roles(&[Role::Nurse, Role::Physician, Role::Nurse]),
				NEXT_YEAR,
				H256::zero(),
				false
			),
			Error::<Test>::DuplicateRole
		);
		register(org, ADMIN, DOCTOR);
		assert_noop!(
			Registry::update_practitioner(
				RuntimeOrigin::signed(ADMIN),
				DOCTOR,
				roles(&[Role::Auditor, Role::Auditor]),
				NEXT_YEAR,
				H256::zero()
			),
			Error::<Test>::DuplicateRole
		);
	});
}

#[test]
fn admit_refuses_non_governance_and_bad_admin_lists() {
	test(|| {
		for origin in [RuntimeOrigin::signed(ADMIN), RuntimeOrigin::none()] {
			assert_noop!(
				Registry::admit_organization(origin, name("Any"), admins(&[ADMIN])),
				BadOrigin
			);
		}
		assert_noop!(
			Registry::admit_organization(RuntimeOrigin::root(), name("Any"), admins(&[])),
			Error::<Test>::NoAdmins
		);
		assert_noop!(
			Registry::admit_organization(
				RuntimeOrigin::root(),
				name("Any"),
				admins(&[ADMIN, ADMIN])
			),
			Error::<Test>::DuplicateAdmin
		);
	});
}

#[test]
fn suspending_an_organization_invalidates_its_credentials_at_once() {
	test(|| {
		let (org, _) = two_orgs();
		register(org, ADMIN, DOCTOR);
		assert!(valid(DOCTOR));
		assert_ok!(Registry::suspend_organization(RuntimeOrigin::root(), org));
		System::assert_last_event(Event::OrganizationSuspended { organization: org }.into());
		assert!(!valid(DOCTOR));
		assert!(!Registry::organization_active(org));
		assert_noop!(
			Registry::suspend_organization(RuntimeOrigin::root(), org),
			Error::<Test>::OrganizationSuspended
		);
		// A suspended organization credentials nobody new.
		assert_noop!(
			Registry::register_practitioner(
				RuntimeOrigin::signed(ADMIN),
				org,
				NURSE,
				physician(),
				NEXT_YEAR,
				H256::zero(),
				false
			),
			Error::<Test>::OrganizationSuspended
		);
		assert_ok!(Registry::reinstate_organization(RuntimeOrigin::root(), org));
		System::assert_last_event(Event::OrganizationReinstated { organization: org }.into());
		assert!(valid(DOCTOR));
		assert_noop!(
			Registry::reinstate_organization(RuntimeOrigin::root(), org),
			Error::<Test>::OrganizationNotSuspended
		);
	});
}

#[test]
fn organization_governance_calls_refuse_other_origins_and_unknown_ids() {
	test(|| {
		let (org, _) = two_orgs();
		for origin in
			[RuntimeOrigin::signed(ADMIN), RuntimeOrigin::signed(STRANGER), RuntimeOrigin::none()]
		{
			assert_noop!(Registry::suspend_organization(origin.clone(), org), BadOrigin);
			assert_noop!(Registry::reinstate_organization(origin.clone(), org), BadOrigin);
			assert_noop!(Registry::remove_organization(origin.clone(), org), BadOrigin);
			assert_noop!(Registry::set_admins(origin, org, admins(&[STRANGER])), BadOrigin);
		}
		let root = RuntimeOrigin::root;
		assert_noop!(
			Registry::suspend_organization(root(), 7),
			Error::<Test>::OrganizationNotFound
		);
		assert_noop!(
			Registry::reinstate_organization(root(), 7),
			Error::<Test>::OrganizationNotFound
		);
		assert_noop!(Registry::remove_organization(root(), 7), Error::<Test>::OrganizationNotFound);
		assert_noop!(
			Registry::set_admins(root(), 7, admins(&[ADMIN])),
			Error::<Test>::OrganizationNotFound
		);
	});
}

#[test]
fn an_organization_is_removed_only_when_empty() {
	test(|| {
		let (org, _) = two_orgs();
		register(org, ADMIN, DOCTOR);
		assert_noop!(
			Registry::remove_organization(RuntimeOrigin::root(), org),
			Error::<Test>::OrganizationNotEmpty
		);
		assert_ok!(Registry::revoke_practitioner(RuntimeOrigin::signed(ADMIN), DOCTOR));
		assert_ok!(Registry::remove_organization(RuntimeOrigin::root(), org));
		System::assert_last_event(Event::OrganizationRemoved { organization: org }.into());
		assert!(!Organizations::<Test>::contains_key(org));
	});
}

#[test]
fn set_admins_replaces_who_may_credential() {
	test(|| {
		let (org, _) = two_orgs();
		assert_ok!(Registry::set_admins(RuntimeOrigin::root(), org, admins(&[NURSE])));
		System::assert_last_event(Event::AdminsChanged { organization: org }.into());
		assert!(Registry::is_admin(org, &NURSE));
		assert!(!Registry::is_admin(org, &ADMIN));
		assert_noop!(
			Registry::register_practitioner(
				RuntimeOrigin::signed(ADMIN),
				org,
				DOCTOR,
				physician(),
				NEXT_YEAR,
				H256::zero(),
				false
			),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			Registry::set_admins(RuntimeOrigin::root(), org, admins(&[])),
			Error::<Test>::NoAdmins
		);
		assert_noop!(
			Registry::set_admins(RuntimeOrigin::root(), org, admins(&[NURSE, NURSE])),
			Error::<Test>::DuplicateAdmin
		);
	});
}

#[test]
fn an_admin_credentials_a_practitioner() {
	test(|| {
		let (org, _) = two_orgs();
		assert_ok!(Registry::register_practitioner(
			RuntimeOrigin::signed(ADMIN),
			org,
			DOCTOR,
			roles(&[Role::Auditor, Role::Physician]),
			NEXT_YEAR,
			H256::repeat_byte(5),
			true
		));
		System::assert_last_event(
			Event::PractitionerRegistered {
				practitioner: DOCTOR,
				organization: org,
				roles: [Role::Physician, Role::Auditor].into_iter().collect(),
				licence_expiry: NEXT_YEAR,
				break_glass: true,
			}
			.into(),
		);
		let status = Registry::credential(&DOCTOR, NOW).unwrap();
		assert!(status.valid && status.break_glass);
		assert_eq!(status.organization, org);
		assert!(status.roles.contains(Role::Auditor));
		assert_eq!(Organizations::<Test>::get(org).unwrap().practitioners, 1);
	});
}

#[test]
fn register_refuses_non_admins_and_bad_credentials() {
	test(|| {
		let (org, other) = two_orgs();
		let call = |origin, org, who, roles, expiry| {
			Registry::register_practitioner(origin, org, who, roles, expiry, H256::zero(), false)
		};
		let signed = RuntimeOrigin::signed;
		// Origins that must be refused: the admin of another organization, a stranger, the
		// practitioner themself, root (governance admits organizations, not practitioners).
		assert_noop!(
			call(signed(OTHER_ADMIN), org, DOCTOR, physician(), NEXT_YEAR),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			call(signed(STRANGER), org, DOCTOR, physician(), NEXT_YEAR),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			call(signed(DOCTOR), org, DOCTOR, physician(), NEXT_YEAR),
			Error::<Test>::NotAdmin
		);
		assert_noop!(call(RuntimeOrigin::root(), org, DOCTOR, physician(), NEXT_YEAR), BadOrigin);
		assert_noop!(call(RuntimeOrigin::none(), org, DOCTOR, physician(), NEXT_YEAR), BadOrigin);
		assert_noop!(
			call(signed(ADMIN), 7, DOCTOR, physician(), NEXT_YEAR),
			Error::<Test>::OrganizationNotFound
		);
		assert_noop!(
			call(signed(ADMIN), org, DOCTOR, RoleList::default(), NEXT_YEAR),
			Error::<Test>::NoRoles
		);
		assert_noop!(
			call(signed(ADMIN), org, DOCTOR, physician(), NOW),
			Error::<Test>::LicenceExpired
		);
		register(org, ADMIN, DOCTOR);
		// One organization per practitioner.
		assert_noop!(
			call(signed(OTHER_ADMIN), other, DOCTOR, physician(), NEXT_YEAR),
			Error::<Test>::AlreadyRegistered
		);
		register(org, ADMIN, 20);
		register(org, ADMIN, 21);
		assert_noop!(
			call(signed(ADMIN), org, 22, physician(), NEXT_YEAR),
			Error::<Test>::TooManyPractitioners
		);
	});
}

#[test]
fn a_credential_expires_with_its_licence() {
	test(|| {
		let (org, _) = two_orgs();
		register(org, ADMIN, DOCTOR);
		assert!(Registry::credential(&DOCTOR, NEXT_YEAR - 1).unwrap().valid);
		assert!(!Registry::credential(&DOCTOR, NEXT_YEAR).unwrap().valid);
		assert!(Registry::credential(&STRANGER, NOW).is_none());
	});
}

#[test]
fn update_renews_a_licence() {
	test(|| {
		let (org, _) = two_orgs();
		register(org, ADMIN, DOCTOR);
		let later = NEXT_YEAR * 2;
		let nurse = RoleSet::from(Role::Nurse);
		assert_ok!(Registry::update_practitioner(
			RuntimeOrigin::signed(ADMIN),
			DOCTOR,
			nurse.to_list(),
			later,
			H256::repeat_byte(4)
		));
		System::assert_last_event(
			Event::PractitionerUpdated {
				practitioner: DOCTOR,
				roles: nurse,
				licence_expiry: later,
			}
			.into(),
		);
		assert!(Registry::credential(&DOCTOR, NEXT_YEAR).unwrap().valid);
		let roles = nurse.to_list();
		let update = |origin, who, roles: RoleList, expiry| {
			Registry::update_practitioner(origin, who, roles, expiry, H256::zero())
		};
		assert_noop!(
			update(RuntimeOrigin::signed(OTHER_ADMIN), DOCTOR, roles.clone(), later),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			update(RuntimeOrigin::signed(DOCTOR), DOCTOR, roles.clone(), later),
			Error::<Test>::NotAdmin
		);
		assert_noop!(update(RuntimeOrigin::root(), DOCTOR, roles.clone(), later), BadOrigin);
		assert_noop!(
			update(RuntimeOrigin::signed(ADMIN), STRANGER, roles.clone(), later),
			Error::<Test>::PractitionerNotFound
		);
		assert_noop!(
			update(RuntimeOrigin::signed(ADMIN), DOCTOR, RoleList::default(), later),
			Error::<Test>::NoRoles
		);
		assert_noop!(
			update(RuntimeOrigin::signed(ADMIN), DOCTOR, roles.clone(), NOW),
			Error::<Test>::LicenceExpired
		);
	});
}

#[test]
fn break_glass_privilege_is_granted_and_withdrawn_by_admins() {
	test(|| {
		let (org, _) = two_orgs();
		register(org, ADMIN, DOCTOR);
		assert_ok!(Registry::set_break_glass(RuntimeOrigin::signed(ADMIN), DOCTOR, true));
		System::assert_last_event(
			Event::BreakGlassPrivilegeChanged { practitioner: DOCTOR, allowed: true }.into(),
		);
		assert!(Registry::credential(&DOCTOR, NOW).unwrap().break_glass);
		assert_noop!(
			Registry::set_break_glass(RuntimeOrigin::signed(ADMIN), DOCTOR, true),
			Error::<Test>::Unchanged
		);
		assert_noop!(
			Registry::set_break_glass(RuntimeOrigin::signed(DOCTOR), DOCTOR, false),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			Registry::set_break_glass(RuntimeOrigin::signed(OTHER_ADMIN), DOCTOR, false),
			Error::<Test>::NotAdmin
		);
		assert_noop!(Registry::set_break_glass(RuntimeOrigin::root(), DOCTOR, false), BadOrigin);
		assert_noop!(
			Registry::set_break_glass(RuntimeOrigin::signed(ADMIN), STRANGER, true),
			Error::<Test>::PractitionerNotFound
		);
		// The trait other pallets use (after an unjustified emergency session).
		assert_ok!(<Registry as CredentialManage<u64>>::withdraw_break_glass(&DOCTOR));
		assert!(!Registry::credential(&DOCTOR, NOW).unwrap().break_glass);
		// Withdrawn after an unjustified session, the privilege is barred: the organization's
		// admin cannot restore it until governance lifts the bar.
		assert_noop!(
			Registry::set_break_glass(RuntimeOrigin::signed(ADMIN), DOCTOR, true),
			Error::<Test>::PrivilegeBarred
		);
		for who in [ADMIN, DOCTOR, OTHER_ADMIN, STRANGER] {
			assert_noop!(
				Registry::lift_break_glass_bar(RuntimeOrigin::signed(who), DOCTOR),
				BadOrigin
			);
		}
		assert_noop!(
			Registry::lift_break_glass_bar(RuntimeOrigin::root(), ADMIN),
			Error::<Test>::NotBarred
		);
		assert_ok!(Registry::lift_break_glass_bar(RuntimeOrigin::root(), DOCTOR));
		System::assert_last_event(Event::BreakGlassBarLifted { practitioner: DOCTOR }.into());
		assert_ok!(Registry::set_break_glass(RuntimeOrigin::signed(ADMIN), DOCTOR, true));
		// A bar on someone not (yet) registered still holds when they are.
		assert_ok!(<Registry as CredentialManage<u64>>::withdraw_break_glass(&STRANGER));
		assert!(crate::BreakGlassBarred::<Test>::contains_key(STRANGER));
	});
}

#[test]
fn suspension_and_reinstatement_of_a_practitioner() {
	test(|| {
		let (org, _) = two_orgs();
		register(org, ADMIN, DOCTOR);
		for origin in [
			RuntimeOrigin::signed(DOCTOR),
			RuntimeOrigin::signed(OTHER_ADMIN),
			RuntimeOrigin::signed(STRANGER),
		] {
			assert_noop!(Registry::suspend_practitioner(origin, DOCTOR), Error::<Test>::NotAdmin);
		}
		assert_noop!(Registry::suspend_practitioner(RuntimeOrigin::root(), DOCTOR), BadOrigin);
		assert_noop!(
			Registry::reinstate_practitioner(RuntimeOrigin::signed(ADMIN), DOCTOR),
			Error::<Test>::NotSuspended
		);
		assert_ok!(Registry::suspend_practitioner(RuntimeOrigin::signed(ADMIN), DOCTOR));
		System::assert_last_event(Event::PractitionerSuspended { practitioner: DOCTOR }.into());
		assert_eq!(Practitioners::<Test>::get(DOCTOR).unwrap().status, CredentialState::Suspended);
		assert!(!valid(DOCTOR));
		assert_noop!(
			Registry::suspend_practitioner(RuntimeOrigin::signed(ADMIN), DOCTOR),
			Error::<Test>::NotActive
		);
		for origin in [RuntimeOrigin::signed(DOCTOR), RuntimeOrigin::signed(OTHER_ADMIN)] {
			assert_noop!(Registry::reinstate_practitioner(origin, DOCTOR), Error::<Test>::NotAdmin);
		}
		assert_ok!(Registry::reinstate_practitioner(RuntimeOrigin::signed(ADMIN), DOCTOR));
		System::assert_last_event(Event::PractitionerReinstated { practitioner: DOCTOR }.into());
		assert!(valid(DOCTOR));
		assert_noop!(
			Registry::suspend_practitioner(RuntimeOrigin::signed(ADMIN), STRANGER),
			Error::<Test>::PractitionerNotFound
		);
	});
}

#[test]
fn revocation_removes_the_credential() {
	test(|| {
		let (org, other) = two_orgs();
		register(org, ADMIN, DOCTOR);
		assert_noop!(
			Registry::revoke_practitioner(RuntimeOrigin::signed(OTHER_ADMIN), DOCTOR),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			Registry::revoke_practitioner(RuntimeOrigin::signed(DOCTOR), DOCTOR),
			Error::<Test>::NotAdmin
		);
		assert_noop!(Registry::revoke_practitioner(RuntimeOrigin::root(), DOCTOR), BadOrigin);
		assert_ok!(Registry::revoke_practitioner(RuntimeOrigin::signed(ADMIN), DOCTOR));
		System::assert_last_event(
			Event::PractitionerRevoked { practitioner: DOCTOR, organization: org }.into(),
		);
		assert!(Registry::credential(&DOCTOR, NOW).is_none());
		assert_eq!(Organizations::<Test>::get(org).unwrap().practitioners, 0);
		assert_noop!(
			Registry::revoke_practitioner(RuntimeOrigin::signed(ADMIN), DOCTOR),
			Error::<Test>::PractitionerNotFound
		);
		// The account may be credentialed again, elsewhere.
		register(other, OTHER_ADMIN, DOCTOR);
		assert_eq!(Registry::credential(&DOCTOR, NOW).unwrap().organization, other);
	});
}

#[test]
fn genesis_admits_organizations_and_practitioners() {
	use sp_runtime::BuildStorage;
	let storage = RuntimeGenesisConfig {
		registry: crate::GenesisConfig {
			organizations: vec![GenesisOrganization {
				name: "General Hospital".into(),
				admins: vec![ADMIN],
			}],
			practitioners: vec![GenesisPractitioner {
				account: DOCTOR,
				organization: 0,
				roles: Role::Physician.into(),
				licence_expiry: NEXT_YEAR,
				break_glass: true,
			}],
		},
		..Default::default()
	}
	.build_storage()
	.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert!(Registry::is_admin(0, &ADMIN));
		let status = Registry::credential(&DOCTOR, NOW).unwrap();
		assert!(status.valid && status.break_glass);
		Registry::do_try_state().unwrap();
	});
}

#[test]
fn an_admin_adds_and_removes_gateways_of_their_own_organization_only() {
	const GATEWAY: u64 = 50;
	test(|| {
		let (org, other) = two_orgs();
		let gateways = || crate::Gateways::<Test>::iter().collect::<Vec<_>>();
		// Refused: no signer, root (governance adds no gateway), a stranger, another
		// organization's admin, an unknown organization.
		for (origin, organization, error) in [
			(RuntimeOrigin::none(), org, BadOrigin),
			(RuntimeOrigin::root(), org, BadOrigin),
			(RuntimeOrigin::signed(STRANGER), org, Error::<Test>::NotAdmin.into()),
			(RuntimeOrigin::signed(OTHER_ADMIN), org, Error::<Test>::NotAdmin.into()),
			(RuntimeOrigin::signed(ADMIN), 7, Error::<Test>::OrganizationNotFound.into()),
		] {
			assert_noop!(Registry::add_gateway(origin, organization, GATEWAY), error);
		}
		assert!(gateways().is_empty());

		assert_ok!(Registry::add_gateway(RuntimeOrigin::signed(ADMIN), org, GATEWAY));
		System::assert_last_event(
			Event::GatewayAdded { organization: org, gateway: GATEWAY }.into(),
		);
		assert_eq!(Registry::gateway_organization(&GATEWAY), Some(org));
		assert_eq!(Registry::gateway_organization(&STRANGER), None);
		// One organization per gateway account.
		assert_noop!(
			Registry::add_gateway(RuntimeOrigin::signed(OTHER_ADMIN), other, GATEWAY),
			Error::<Test>::AlreadyGateway
		);
		// A suspended organization's gateway logs for nobody, and it gets no new one.
		assert_ok!(Registry::suspend_organization(RuntimeOrigin::root(), org));
		assert_eq!(Registry::gateway_organization(&GATEWAY), None);
		assert_noop!(
			Registry::add_gateway(RuntimeOrigin::signed(ADMIN), org, GATEWAY + 1),
			Error::<Test>::OrganizationSuspended
		);
		assert_ok!(Registry::reinstate_organization(RuntimeOrigin::root(), org));
		assert_eq!(Registry::gateway_organization(&GATEWAY), Some(org));

		// Removal: refused to a stranger, the other admin, no signer; an unknown gateway.
		for (origin, error) in [
			(RuntimeOrigin::none(), BadOrigin),
			(RuntimeOrigin::signed(STRANGER), Error::<Test>::NotAdmin.into()),
			(RuntimeOrigin::signed(OTHER_ADMIN), Error::<Test>::NotAdmin.into()),
		] {
			assert_noop!(Registry::remove_gateway(origin, GATEWAY), error);
		}
		assert_noop!(
			Registry::remove_gateway(RuntimeOrigin::signed(ADMIN), STRANGER),
			Error::<Test>::NotGateway
		);
		assert_ok!(Registry::remove_gateway(RuntimeOrigin::signed(ADMIN), GATEWAY));
		System::assert_last_event(
			Event::GatewayRemoved { organization: org, gateway: GATEWAY }.into(),
		);
		assert!(gateways().is_empty());
		// Governance removes one too (e.g. of an organization that left).
		assert_ok!(Registry::add_gateway(RuntimeOrigin::signed(OTHER_ADMIN), other, GATEWAY));
		assert_ok!(Registry::remove_gateway(RuntimeOrigin::root(), GATEWAY));
		assert_noop!(
			Registry::remove_gateway(RuntimeOrigin::root(), GATEWAY),
			Error::<Test>::NotGateway
		);
	});
}

#[test]
fn a_suspended_organizations_admin_may_narrow_but_never_widen_a_credential() {
	test(|| {
		let (hospital, _) = two_orgs();
		register(hospital, ADMIN, DOCTOR);
		register(hospital, ADMIN, NURSE);
		assert_ok!(Registry::set_break_glass(RuntimeOrigin::signed(ADMIN), NURSE, true));
		assert_ok!(Registry::suspend_practitioner(RuntimeOrigin::signed(ADMIN), NURSE));
		assert_ok!(Registry::suspend_organization(RuntimeOrigin::root(), hospital));
		let admin = || RuntimeOrigin::signed(ADMIN);
		// Widening while suspended would take effect the moment the consortium reinstates it.
		let suspended = || Error::<Test>::OrganizationSuspended;
		assert_noop!(Registry::set_break_glass(admin(), DOCTOR, true), suspended());
		assert_noop!(Registry::reinstate_practitioner(admin(), NURSE), suspended());
		assert_noop!(
			Registry::update_practitioner(
				admin(),
				DOCTOR,
				roles(&[Role::Physician, Role::Auditor]),
				NEXT_YEAR,
				H256::zero()
			),
			suspended()
		);
		// Narrowing stays possible: a suspended hospital can still cut a practitioner off.
		assert_ok!(Registry::set_break_glass(admin(), NURSE, false));
		assert_ok!(Registry::suspend_practitioner(admin(), DOCTOR));
		assert_ok!(Registry::revoke_practitioner(admin(), NURSE));
		let doctor = Practitioners::<Test>::get(DOCTOR).expect("still registered");
		assert_eq!((doctor.status, doctor.break_glass), (CredentialState::Suspended, false));
		assert!(!Practitioners::<Test>::contains_key(NURSE));
	});
}

#[test]
fn a_stranger_asking_to_restore_a_barred_privilege_is_told_they_are_not_the_admin() {
	test(|| {
		let (hospital, _) = two_orgs();
		register(hospital, ADMIN, DOCTOR);
		assert_ok!(<Registry as CredentialManage<u64>>::withdraw_break_glass(&DOCTOR));
		assert_noop!(
			Registry::set_break_glass(RuntimeOrigin::signed(STRANGER), DOCTOR, true),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			Registry::set_break_glass(RuntimeOrigin::signed(ADMIN), DOCTOR, true),
			Error::<Test>::PrivilegeBarred
		);
	});
}
