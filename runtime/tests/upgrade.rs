//! The runtime's storage migrations, run the way an upgrade runs them (`Executive`, on the first
//! block of the new code), on the state the previous runtime left: spec 103 takes the consent
//! pallet from storage version 3 to 4.

mod common;

use common::*;
use consent_primitives::{
	AccessControl, AccessQuery, Action, DataCategory, Decision, Grantee, PermitReason, Purpose,
};
use consent_runtime::{Consent, Executive, Runtime};
use frame_support::traits::{GetStorageVersion, StorageVersion};
use pallet_consent::{migrations::v4::v3, Consents};

/// Consents as the spec 102 runtime stored them (storage version 3).
fn previous_runtime_state() -> Vec<(u64, pallet_consent::ConsentOf<Runtime>)> {
	let patient = account(PATIENT);
	grant(&patient, Grantee::Practitioner(account(PHYSICIAN)), labs_read_treat());
	grant(&patient, Grantee::Organization(HOSPITAL), labs_read_treat());
	let mut granted: Vec<_> = Consents::<Runtime>::iter_prefix(&patient).collect();
	granted.sort_by_key(|(id, _)| *id);
	for (id, consent) in &granted {
		let old = v3::Consent {
			grantee: consent.grantee.clone(),
			granted_by: consent.granted_by.clone(),
			deposit: consent.deposit.clone(),
		};
		v3::Consents::<Runtime>::insert(&patient, id, old);
	}
	StorageVersion::new(3).put::<Consent>();
	granted
}

#[test]
fn the_upgrade_to_spec_103_keeps_every_consent_and_its_decision() {
	on_dev_chain(|| {
		let patient = account(PATIENT);
		let granted = previous_runtime_state();

		let weight = Executive::execute_on_runtime_upgrade();

		assert_eq!(Consent::on_chain_storage_version(), 4);
		assert_eq!(Consent::in_code_storage_version(), 4);
		for (id, before) in &granted {
			let after = Consents::<Runtime>::get(&patient, id).expect("kept under its key");
			assert_eq!(after, pallet_consent::Consent { granted_at: None, ..before.clone() });
		}
		let decision = Consent::check_access(&AccessQuery {
			patient: patient.clone(),
			accessor: account(PHYSICIAN),
			category: DataCategory::LabResults,
			action: Action::Read,
			purpose: Purpose::Treat,
			record: None,
		});
		assert_eq!(decision, Decision::Permit(PermitReason::Consent(granted[0].0)));
		let block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		assert!(weight.all_lte(block), "the migration fits in a block: {weight:?}");

		// Run again (the next upgrade): nothing left to do, nothing changed.
		let migrated: Vec<_> = Consents::<Runtime>::iter().collect();
		Executive::execute_on_runtime_upgrade();
		assert_eq!(Consents::<Runtime>::iter().collect::<Vec<_>>(), migrated);

		// The new runtime keeps the time of a new grant.
		let id = grant(&patient, Grantee::Practitioner(account(NURSE)), labs_read_treat());
		assert_eq!(Consents::<Runtime>::get(&patient, id).and_then(|c| c.granted_at), Some(NOW));
	});
}
