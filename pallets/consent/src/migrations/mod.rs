//! Storage migrations of the consent pallet, one module per storage version they lead to. The
//! runtime lists them in its `Migrations`; each runs once, gated on the on-chain version.

pub mod v4;
