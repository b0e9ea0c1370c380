//! Every call from random bytes: decoding never panics; a call of the consent suite has exactly
//! one encoding (what decoded re-encodes to the same bytes), and the weight it declares fits in
//! one extrinsic of a block, so no call of the suite the pool accepts can be unincludable
//! (`Consortium::enact` excepted: it declares the weight of the call it wraps).
#![no_main]

use codec::{DecodeLimit, Encode};
use consent_runtime::{Runtime, RuntimeCall};
use frame_support::dispatch::{DispatchClass, GetDispatchInfo};
use libfuzzer_sys::fuzz_target;

/// The depth limit the runtime's extrinsic decoding applies.
const MAX_DEPTH: u32 = 256;

fuzz_target!(|data: &[u8]| {
	let mut input = data;
	let Ok(call) = RuntimeCall::decode_with_depth_limit(MAX_DEPTH, &mut input) else {
		return;
	};
	let consumed = &data[..data.len() - input.len()];
	let info = call.get_dispatch_info();
	if !consent_fuzz::is_suite_call(&call, true) {
		return;
	}
	assert_eq!(call.encode(), consumed, "a suite call with two encodings: {call:?}");
	// `enact` declares the weight of the call it wraps (any call, chosen by the council), which
	// the suite's weights do not decide.
	if matches!(call, RuntimeCall::Consortium(pallet_consortium::Call::enact { .. })) {
		return;
	}
	let limits = <Runtime as frame_system::Config>::BlockWeights::get();
	let max = limits.get(DispatchClass::Normal).max_extrinsic.expect("a normal extrinsic limit");
	assert!(
		info.call_weight.all_lte(max),
		"{call:?} declares {:?}, more than one extrinsic may weigh ({max:?})",
		info.call_weight
	);
});
