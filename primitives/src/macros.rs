//! Macros the suite's pallets share: the checks of their `integrity_test` and the declaration of
//! a transaction extension that carries no data.

/// Asserts, in a pallet's `integrity_test`, that each named constant of the configuration `T` is
/// positive, in the order named; the first that is 0 panics with "`Name` is 0".
///
/// `assert_positive!(T: MaxAdmins, MaxNameLength)` checks `T::MaxAdmins::get() > 0`, then
/// `T::MaxNameLength::get() > 0`. `Get` must be in scope (FRAME's `pallet_prelude` brings it).
///
/// ```
/// use sp_core::{ConstU32, Get};
///
/// trait Config {
///     type MaxAdmins: Get<u32>;
///     type MaxNameLength: Get<u32>;
/// }
/// struct Runtime;
/// impl Config for Runtime {
///     type MaxAdmins = ConstU32<3>;
///     type MaxNameLength = ConstU32<0>;
/// }
/// fn integrity_test<T: Config>() {
///     consent_primitives::assert_positive!(T: MaxAdmins, MaxNameLength);
/// }
/// let panic = std::panic::catch_unwind(integrity_test::<Runtime>).unwrap_err();
/// assert_eq!(panic.downcast_ref::<&str>(), Some(&"MaxNameLength is 0"));
/// ```
#[macro_export]
macro_rules! assert_positive {
	($config:ident: $($constant:ident),+ $(,)?) => {
		$(
			assert!(
				$config::$constant::get() > 0,
				concat!(stringify!($constant), " is 0")
			);
		)+
	};
}

/// Declares a transaction extension that carries no data: `pub struct Name<T>` over the runtime
/// configuration `T`, with the given doc comment, `new()`, `Default`, and a `Debug` that writes
/// its name. It encodes as nothing (wallets sign it as an empty extension) and its metadata type
/// is the struct's own path with `T` skipped. The caller writes the `TransactionExtension` impl
/// and depends on `codec` (parity-scale-codec) and `scale-info`, as every pallet does.
///
/// ```
/// use codec::Encode;
///
/// consent_primitives::dataless_extension! {
///     /// What the extension does.
///     pub struct NoteSomething<T>;
/// }
/// assert!(NoteSomething::<u32>::new().encode().is_empty());
/// assert_eq!(format!("{:?}", NoteSomething::<u32>::default()), "NoteSomething");
/// ```
#[macro_export]
macro_rules! dataless_extension {
	($(#[$meta:meta])* $vis:vis struct $name:ident<$t:ident>;) => {
		$(#[$meta])*
		#[derive(
			codec::Encode,
			codec::Decode,
			codec::DecodeWithMemTracking,
			Clone,
			Eq,
			PartialEq,
			scale_info::TypeInfo,
		)]
		#[scale_info(skip_type_params($t))]
		$vis struct $name<$t>(::core::marker::PhantomData<$t>);

		impl<$t> $name<$t> {
			/// The extension (it has no parameters).
			pub fn new() -> Self {
				Self(::core::marker::PhantomData)
			}
		}

		impl<$t> ::core::default::Default for $name<$t> {
			fn default() -> Self {
				Self::new()
			}
		}

		impl<$t> ::core::fmt::Debug for $name<$t> {
			fn fmt(&self, f: &mut ::core::fmt::Formatter) -> ::core::fmt::Result {
				f.write_str(stringify!($name))
			}
		}
	};
}
