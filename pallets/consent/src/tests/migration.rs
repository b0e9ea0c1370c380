//! The migration to storage version 4 on consents that version 3 stored.

use super::*;
use crate::migrations::v4::{v3, MigrateV3ToV4};
use frame_support::traits::{Get, GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

/// Grant as version 4 does, then store each consent back as version 3 stored it and set the
/// on-chain version to 3: the state a chain of the previous runtime holds.
fn version_3_chain() -> Vec<(u64, crate::ConsentOf<Test>)> {
	let by_patient = grant(Grantee::Practitioner(DOCTOR), labs_read_treat(), Some(NOW + 500));
	assert_ok!(Consent::grant_consent(
		RuntimeOrigin::signed(PATIENT),
		Grantee::Organization(HOSPITAL),
		labs_read_treat().into(),
		no_records(),
		None,
		None
	));
	let by_guardian = by_patient + 1;
	Consents::<Test>::mutate(PATIENT, by_guardian, |c| {
		c.as_mut().expect("granted").granted_by = Some(GUARDIAN)
	});
	let mut granted: Vec<_> = Consents::<Test>::iter_prefix(PATIENT).collect();
	granted.sort_by_key(|(id, _)| *id);
	for (id, consent) in &granted {
		let old = v3::Consent {
			grantee: consent.grantee.clone(),
			granted_by: consent.granted_by,
			deposit: consent.deposit.clone(),
		};
		v3::Consents::<Test>::insert(PATIENT, id, old);
	}
	StorageVersion::new(3).put::<Consent>();
	granted
}

#[test]
fn version_4_keeps_every_consent_and_adds_no_grant_time() {
	test(|| {
		let granted = version_3_chain();
		assert!(Consents::<Test>::get(PATIENT, granted[0].0).is_none(), "v3 does not decode as v4");

		let weight = MigrateV3ToV4::<Test>::on_runtime_upgrade();

		assert_eq!(Consent::on_chain_storage_version(), 4);
		for (id, before) in &granted {
			let after = Consents::<Test>::get(PATIENT, id).expect("kept under its key");
			assert_eq!(after, crate::Consent { granted_at: None, ..before.clone() });
		}
		assert_eq!(Consents::<Test>::iter_prefix(PATIENT).count(), granted.len());
		assert!(
			weight.all_gte(
				<<Test as crate::Config>::WeightInfo as crate::WeightInfo>::migrate_to_v4(
					granted.len() as u32
				)
			),
			"charged for every consent it migrated"
		);
		// The decision reads the index, which the migration left alone: the doctor's own consent
		// still permits.
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Permit(PermitReason::Consent(granted[0].0))
		);
		// A consent granted now keeps its time.
		let new = grant(Grantee::Practitioner(NURSE), labs_read_treat(), None);
		assert_eq!(Consents::<Test>::get(PATIENT, new).and_then(|c| c.granted_at), Some(NOW));
	});
}

#[test]
fn version_4_runs_once() {
	test(|| {
		version_3_chain();
		MigrateV3ToV4::<Test>::on_runtime_upgrade();
		let migrated: Vec<_> = Consents::<Test>::iter().collect();
		let again = MigrateV3ToV4::<Test>::on_runtime_upgrade();
		assert_eq!(Consents::<Test>::iter().collect::<Vec<_>>(), migrated);
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		assert_eq!(again, db.reads(1), "a version check only");
	});
}

#[test]
fn a_fresh_chain_is_at_version_4_and_grants_keep_their_time() {
	test(|| {
		assert_eq!(Consent::in_code_storage_version(), 4);
		let id = grant(Grantee::Practitioner(DOCTOR), labs_read_treat(), None);
		assert_eq!(Consents::<Test>::get(PATIENT, id).and_then(|c| c.granted_at), Some(NOW));
	});
}

/// What try-runtime runs before voting: the pre-upgrade snapshot, the migration, the post-upgrade
/// comparison and every invariant (`cargo test -p pallet-consent --features try-runtime`).
#[cfg(feature = "try-runtime")]
#[test]
fn the_try_runtime_checks_pass_and_catch_a_lost_consent() {
	use crate::migrations::v4::InnerMigrateV3ToV4;
	use frame_support::traits::UncheckedOnRuntimeUpgrade;
	test(|| {
		version_3_chain();
		assert_ok!(MigrateV3ToV4::<Test>::try_on_runtime_upgrade(true));
	});
	test(|| {
		let granted = version_3_chain();
		let state = InnerMigrateV3ToV4::<Test>::pre_upgrade().expect("snapshot");
		InnerMigrateV3ToV4::<Test>::on_runtime_upgrade();
		Consents::<Test>::remove(PATIENT, granted[0].0);
		assert!(InnerMigrateV3ToV4::<Test>::post_upgrade(state).is_err());
		// Put it back so that the pallet's invariants hold when the test ends.
		Consents::<Test>::insert(
			PATIENT,
			granted[0].0,
			crate::Consent { granted_at: None, ..granted[0].1.clone() },
		);
	});
}
