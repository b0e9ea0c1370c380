//! Genesis presets: `development` (one validator, sudo, a demo hospital) and `local_testnet`
//! (four validators, one per organization).

use crate::{AccountId, BalancesConfig, RuntimeGenesisConfig, SudoConfig, UNIT};
use alloc::{vec, vec::Vec};
use consent_primitives::{Moment, Role, RoleSet};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_core::H256;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::traits::{BlakeTwo256, Hash as HashT};

/// Every endowed account starts with this balance.
const ENDOWMENT: u128 = 1_000_000 * UNIT;
/// Licences issued at genesis run until 2100-01-01.
const GENESIS_LICENCE_EXPIRY: Moment = 4_102_444_800_000;

/// One organization of a genesis preset: the hash of its name, and its admins.
struct GenesisOrganization {
	name: &'static [u8],
	admins: Vec<AccountId>,
}

fn genesis(
	authorities: Vec<(AuraId, GrandpaId)>,
	endowed: Vec<AccountId>,
	root: Option<AccountId>,
	organizations: Vec<GenesisOrganization>,
	practitioners: Vec<(AccountId, u32, RoleSet, bool)>,
	session_duration: Option<Moment>,
) -> Value {
	let organizations: Vec<(H256, Vec<AccountId>)> = organizations
		.into_iter()
		.map(|org| (<BlakeTwo256 as HashT>::hash(org.name), org.admins))
		.collect();
	let practitioners: Vec<(AccountId, u32, u16, Moment, bool)> = practitioners
		.into_iter()
		.map(|(who, org, roles, bg)| (who, org, roles.bits(), GENESIS_LICENCE_EXPIRY, bg))
		.collect();
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.iter().cloned().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		aura: pallet_aura::GenesisConfig {
			authorities: authorities.iter().map(|(aura, _)| aura.clone()).collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: authorities
				.iter()
				.map(|(_, grandpa)| (grandpa.clone(), 1))
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: root },
		registry: pallet_registry::GenesisConfig { organizations, practitioners },
		break_glass: pallet_break_glass::GenesisConfig { session_duration },
	})
}

fn authority(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(aura.public().into(), grandpa.public().into())
}

/// Emergency sessions last 30 s in `development`, so that expiry can be watched (and tested).
pub const DEV_SESSION_DURATION: Moment = 30_000;

/// The `development` preset: Alice validates and holds sudo. "Dev General Hospital" (org 0) is
/// administered by Alice; Bob is a physician with the break-glass privilege, Charlie a nurse,
/// Ferdie an auditor. Dave and Eve are patients.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		Sr25519Keyring::iter().map(|k| k.to_account_id()).collect(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		vec![GenesisOrganization {
			name: b"Dev General Hospital",
			admins: vec![Sr25519Keyring::Alice.to_account_id()],
		}],
		vec![
			(Sr25519Keyring::Bob.to_account_id(), 0, RoleSet::from(Role::Physician), true),
			(Sr25519Keyring::Charlie.to_account_id(), 0, RoleSet::from(Role::Nurse), false),
			(Sr25519Keyring::Ferdie.to_account_id(), 0, RoleSet::from(Role::Auditor), false),
		],
		Some(DEV_SESSION_DURATION),
	)
}

/// The `local_testnet` preset: Alice, Bob, Charlie and Dave validate for four organizations,
/// each the admin of its own.
pub fn local_config_genesis() -> Value {
	let validators = [
		(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
	];
	let names: [&'static [u8]; 4] =
		[b"Alice Hospital", b"Bob Clinic", b"Charlie Laboratory", b"Dave Medical Centre"];
	genesis(
		validators.iter().map(|(aura, grandpa)| authority(*aura, *grandpa)).collect(),
		Sr25519Keyring::iter().map(|k| k.to_account_id()).collect(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		validators
			.iter()
			.zip(names)
			.map(|((k, _), name)| GenesisOrganization { name, admins: vec![k.to_account_id()] })
			.collect(),
		vec![],
		None,
	)
}

/// The preset named `id`, as JSON.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
