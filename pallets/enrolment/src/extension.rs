//! The transaction extension that counts an enrolled patient's free calls.

use crate::{Config, Pallet, WeightInfo};
use frame_support::{
	dispatch::{CheckIfFeeless, DispatchInfo},
	pallet_prelude::TransactionSource,
	weights::Weight,
};
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, Dispatchable, Implication, PostDispatchInfoOf,
		TransactionExtension, ValidateResult,
	},
	transaction_validity::{InvalidTransaction, TransactionValidityError, ValidTransaction},
	DispatchResult,
};

/// The pool's `InvalidTransaction::Custom` code for a free call refused because the patient's
/// free calls of the current window are spent.
pub const FREE_CALLS_EXHAUSTED: u8 = 42;

consent_primitives::dataless_extension! {
	/// Counts each free call (`#[pallet::feeless_if]` said so for the signer) of an enrolled patient
	/// and refuses it once [`Config::FreeCallsPerWindow`] were made in the current window. Failed
	/// calls count too: the count is written before dispatch and kept whatever the call's outcome.
	/// Calls that pay a fee pass untouched.
	///
	/// Place it before `SkipCheckIfFeeless<ChargeTransactionPayment>` in the runtime's
	/// `TxExtension`. It carries no data: wallets sign it as an empty extension.
	pub struct CountFreeCalls<T>;
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CountFreeCalls<T>
where
	T::RuntimeCall: Dispatchable<Info = DispatchInfo>
		+ CheckIfFeeless<Origin = frame_system::pallet_prelude::OriginFor<T>>,
	<T::RuntimeCall as Dispatchable>::RuntimeOrigin: AsSystemOriginSigner<T::AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "CountFreeCalls";
	type Implicit = ();
	/// The patient whose free call this is.
	type Val = Option<T::AccountId>;
	/// Whether a free call was counted (else the weight is refunded).
	type Pre = bool;

	fn weight(&self, _call: &T::RuntimeCall) -> Weight {
		T::WeightInfo::count_free_call()
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
		let Some(who) = origin.as_system_origin_signer().cloned() else {
			return Ok((ValidTransaction::default(), None, origin));
		};
		if !call.is_feeless(&origin) {
			return Ok((ValidTransaction::default(), None, origin));
		}
		if Pallet::<T>::free_calls_left(&who) == 0 {
			return Err(InvalidTransaction::Custom(FREE_CALLS_EXHAUSTED).into());
		}
		Ok((ValidTransaction::default(), Some(who), origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		_origin: &<T::RuntimeCall as Dispatchable>::RuntimeOrigin,
		_call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		let Some(who) = val else { return Ok(false) };
		Pallet::<T>::count_free_call(&who).map_err(|crate::FreeCallsExhausted| {
			InvalidTransaction::Custom(FREE_CALLS_EXHAUSTED)
		})?;
		Ok(true)
	}

	fn post_dispatch_details(
		counted: Self::Pre,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_post_info: &PostDispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_result: &DispatchResult,
	) -> Result<Weight, TransactionValidityError> {
		Ok(if counted { Weight::zero() } else { T::WeightInfo::count_free_call() })
	}
}
