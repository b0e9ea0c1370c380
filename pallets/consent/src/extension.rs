//! The transaction extension that records who signed a delegated call.

use crate::{Config, Signer, WeightInfo};
use frame_support::{
	dispatch::DispatchInfo, pallet_prelude::TransactionSource, traits::Contains, weights::Weight,
};
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, Dispatchable, Implication, PostDispatchInfoOf,
		TransactionExtension, ValidateResult,
	},
	transaction_validity::{TransactionValidityError, ValidTransaction},
	DispatchResult,
};

consent_primitives::dataless_extension! {
	/// For a delegated call ([`Config::DelegatedCalls`]: a guardian acting through pallet-proxy),
	/// records the extrinsic's signer in [`Signer`] for the length of the dispatch, so that the
	/// consent pallet's events and consents name the delegate as well as the patient whose origin
	/// the call carries. Other calls pass untouched and have the weight refunded.
	///
	/// It carries no data: wallets sign it as an empty extension.
	pub struct NoteSigner<T>;
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for NoteSigner<T>
where
	T::RuntimeCall: Dispatchable<Info = DispatchInfo>,
	<T::RuntimeCall as Dispatchable>::RuntimeOrigin: AsSystemOriginSigner<T::AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "NoteSigner";
	type Implicit = ();
	/// The signer of a delegated call.
	type Val = Option<T::AccountId>;
	/// Whether the signer was recorded (and must be removed after dispatch).
	type Pre = bool;

	fn weight(&self, call: &T::RuntimeCall) -> Weight {
		if T::DelegatedCalls::contains(call) {
			T::WeightInfo::note_signer()
		} else {
			Weight::zero()
		}
	}

	fn validate(
		&self,
		origin: <T::RuntimeCall as Dispatchable>::RuntimeOrigin,
		call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Implication,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		let signer =
			origin.as_system_origin_signer().filter(|_| T::DelegatedCalls::contains(call)).cloned();
		Ok((ValidTransaction::default(), signer, origin))
	}

	fn prepare(
		self,
		signer: Self::Val,
		_origin: &<T::RuntimeCall as Dispatchable>::RuntimeOrigin,
		_call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		let Some(signer) = signer else { return Ok(false) };
		Signer::<T>::put(signer);
		Ok(true)
	}

	fn post_dispatch_details(
		recorded: Self::Pre,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_post_info: &PostDispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_result: &DispatchResult,
	) -> Result<Weight, TransactionValidityError> {
		if recorded {
			Signer::<T>::kill();
		}
		Ok(Weight::zero())
	}
}
