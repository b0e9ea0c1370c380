//! Storage version 4: a consent keeps when it was granted ([`Consent::granted_at`]).
//!
//! Version 3 stored `{ grantee, granted_by, deposit }`. The time of a consent granted before the
//! upgrade is not on chain (only in the `ConsentGranted` event the audit trail kept), so the
//! migration sets `granted_at: None` rather than invent one; every other field and every key is
//! kept as it was. One read and one write per consent, in one block: its weight
//! ([`crate::WeightInfo::migrate_to_v4`]) is measured by a benchmark.

use crate::{Config, Consent, Consents, Pallet, TicketOf, WeightInfo};
use consent_primitives::Grantee;
use frame_support::{
	migrations::VersionedMigration, traits::UncheckedOnRuntimeUpgrade, weights::Weight,
};
use sp_runtime::Saturating;
#[cfg(feature = "try-runtime")]
use {
	alloc::vec::Vec,
	codec::{Decode, Encode},
	consent_primitives::ConsentId,
	frame_support::ensure,
	sp_runtime::TryRuntimeError,
};

/// The storage of version 3.
pub mod v3 {
	use super::*;
	use codec::{Decode, Encode};
	use consent_primitives::ConsentId;
	use frame_support::{storage_alias, Blake2_128Concat, Twox64Concat};

	/// A consent as version 3 stored it.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct Consent<AccountId, Ticket> {
		/// Who may access.
		pub grantee: Grantee<AccountId>,
		/// The delegate who granted it, if not the patient.
		pub granted_by: Option<AccountId>,
		/// The patient's deposit.
		pub deposit: Ticket,
	}

	/// A version 3 consent of the runtime's types.
	pub type ConsentOf<T> = Consent<<T as frame_system::Config>::AccountId, TicketOf<T>>;

	/// [`crate::Consents`] as version 3 stored it.
	#[storage_alias]
	pub type Consents<T: Config> = StorageDoubleMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		Twox64Concat,
		ConsentId,
		ConsentOf<T>,
	>;
}

/// Version 3 to 4, without the version check: use [`MigrateV3ToV4`].
pub struct InnerMigrateV3ToV4<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV3ToV4<T> {
	fn on_runtime_upgrade() -> Weight {
		let mut migrated = 0u32;
		Consents::<T>::translate::<v3::ConsentOf<T>, _>(|_patient, _id, old| {
			migrated.saturating_inc();
			Some(Consent {
				grantee: old.grantee,
				granted_by: old.granted_by,
				deposit: old.deposit,
				granted_at: None,
			})
		});
		log::info!(target: "runtime::consent", "migrated {migrated} consents to storage version 4");
		T::WeightInfo::migrate_to_v4(migrated)
	}

	/// Every version 3 consent, to compare with what the migration left.
	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
		let old: Vec<(T::AccountId, ConsentId, v3::ConsentOf<T>)> =
			v3::Consents::<T>::iter().collect();
		ensure!(
			old.len() == v3::Consents::<T>::iter_keys().count(),
			"a version 3 consent does not decode"
		);
		Ok(old.encode())
	}

	/// The same consents under the same keys, each with its grantee, signer and deposit, and no
	/// grant time; then every invariant of the pallet.
	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
		let old = Vec::<(T::AccountId, ConsentId, v3::ConsentOf<T>)>::decode(&mut &state[..])
			.map_err(|_| "the pre-upgrade state does not decode")?;
		ensure!(Consents::<T>::iter_keys().count() == old.len(), "the number of consents changed");
		for (patient, id, before) in old {
			let after = Consents::<T>::get(&patient, id).ok_or("a consent was lost")?;
			ensure!(
				after
					== Consent {
						grantee: before.grantee,
						granted_by: before.granted_by,
						deposit: before.deposit,
						granted_at: None,
					},
				"a consent changed"
			);
		}
		Pallet::<T>::do_try_state()
	}
}

/// Version 3 to 4, run only on a chain at version 3 (and then at version 4).
pub type MigrateV3ToV4<T> = VersionedMigration<
	3,
	4,
	InnerMigrateV3ToV4<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
