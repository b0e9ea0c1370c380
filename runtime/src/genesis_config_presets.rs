//! Genesis presets: `development` (one validator, sudo, a demo hospital) and `local_testnet`
//! (four validators, one per organization, governed by their council; no sudo key).

use crate::{AccountId, BalancesConfig, RuntimeGenesisConfig, SessionKeys, SudoConfig, UNIT};
use alloc::{vec, vec::Vec};
use consent_primitives::{Moment, Role};
use frame_support::build_struct_json_patch;
use pallet_registry::{GenesisOrganization, GenesisPractitioner};
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Every endowed account starts with this balance.
const ENDOWMENT: u128 = 1_000_000 * UNIT;
/// Licences issued at genesis run until 2100-01-01.
const GENESIS_LICENCE_EXPIRY: Moment = 4_102_444_800_000;

/// A validator: its account (which is its organization's), and its session keys.
struct GenesisValidator {
	account: AccountId,
	aura: AuraId,
	grandpa: GrandpaId,
}

/// The well-known peer ids of the `local` validators: the libp2p identities of the node keys
/// `0x…01` to `0x…04` that `scripts/local-network` and `docker/compose.yaml` give them
/// (`consent-node key inspect-node-key` prints them in base58: 12D3KooWEyop…, 12D3KooWHdiA…,
/// 12D3KooWSCuf…, 12D3KooWSsCh…).
const LOCAL_PEER_IDS: [&str; 4] = [
	"0024080112204cb5abf6ad79fbf5abbccafcc269d85cd2651ed4b885b5869f241aedf0a5ba29",
	"0024080112207422b9887598068e32c4448a949adb290d0f4e35b9e01b0ee5f1a1e600fe2674",
	"002408011220f381626e41e7027ea431bfe3009e94bdd25a746beec468948d6c3c7c5dc9a54b",
	"002408011220fd50b8e3b144ea244fbf7737f550bc8dd0c2650bbc1aada833ca17ff8dbf329b",
];

#[allow(clippy::too_many_arguments)]
fn genesis(
	validators: Vec<GenesisValidator>,
	council: Vec<AccountId>,
	nodes: Vec<(Vec<u8>, AccountId)>,
	endowed: Vec<AccountId>,
	root: Option<AccountId>,
	organizations: Vec<GenesisOrganization<AccountId>>,
	practitioners: Vec<GenesisPractitioner<AccountId>>,
	session_duration: Option<Moment>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.iter().cloned().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		consortium: pallet_consortium::GenesisConfig {
			validators: validators.iter().map(|v| v.account.clone()).collect::<Vec<_>>(),
		},
		session: pallet_session::GenesisConfig {
			keys: validators
				.iter()
				.map(|v| {
					let keys = SessionKeys { aura: v.aura.clone(), grandpa: v.grandpa.clone() };
					(v.account.clone(), v.account.clone(), keys)
				})
				.collect::<Vec<_>>(),
		},
		council_membership: pallet_membership::GenesisConfig {
			members: council.try_into().expect("the council fits MaxMembers"),
		},
		node_authorization: pallet_node_authorization::GenesisConfig {
			nodes: nodes
				.into_iter()
				.map(|(peer, owner)| (sp_core::OpaquePeerId(peer), owner))
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: root },
		registry: pallet_registry::GenesisConfig { organizations, practitioners },
		break_glass: pallet_break_glass::GenesisConfig { session_duration },
	})
}

fn validator(key: Sr25519Keyring, grandpa: Ed25519Keyring) -> GenesisValidator {
	GenesisValidator {
		account: key.to_account_id(),
		aura: key.public().into(),
		grandpa: grandpa.public().into(),
	}
}

/// A practitioner of the development hospital (organization 0).
fn practitioner(
	key: Sr25519Keyring,
	role: Role,
	break_glass: bool,
) -> GenesisPractitioner<AccountId> {
	GenesisPractitioner {
		account: key.to_account_id(),
		organization: 0,
		roles: role.into(),
		licence_expiry: GENESIS_LICENCE_EXPIRY,
		break_glass,
	}
}

fn peer_id(hex: &str) -> Vec<u8> {
	(0..hex.len())
		.step_by(2)
		.map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("a hex peer id"))
		.collect()
}

/// Emergency sessions last 30 s in `development`, so that expiry can be watched (and tested).
pub const DEV_SESSION_DURATION: Moment = 30_000;

/// The `development` preset: Alice validates and holds sudo; Alice, Bob and Charlie form the
/// council. "Dev General Hospital" (org 0) is
/// administered by Alice; Bob is a physician with the break-glass privilege, Charlie a nurse,
/// Ferdie an auditor. Dave and Eve are patients.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		vec![
			Sr25519Keyring::Alice.to_account_id(),
			Sr25519Keyring::Bob.to_account_id(),
			Sr25519Keyring::Charlie.to_account_id(),
		],
		vec![],
		Sr25519Keyring::iter().map(|k| k.to_account_id()).collect(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		vec![GenesisOrganization {
			name: "Dev General Hospital".into(),
			admins: vec![Sr25519Keyring::Alice.to_account_id()],
		}],
		vec![
			practitioner(Sr25519Keyring::Bob, Role::Physician, true),
			practitioner(Sr25519Keyring::Charlie, Role::Nurse, false),
			practitioner(Sr25519Keyring::Ferdie, Role::Auditor, false),
		],
		Some(DEV_SESSION_DURATION),
	)
}

/// The `local_testnet` preset: Alice, Bob, Charlie and Dave validate for four organizations,
/// each the admin of its own, and form the council that governs the chain. There is no sudo
/// key; only their nodes (by peer id) may connect.
pub fn local_config_genesis() -> Value {
	let validators = [
		(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
	];
	let names = ["Alice Hospital", "Bob Clinic", "Charlie Laboratory", "Dave Medical Centre"];
	genesis(
		validators.iter().map(|(key, grandpa)| validator(*key, *grandpa)).collect(),
		validators.iter().map(|(key, _)| key.to_account_id()).collect(),
		validators
			.iter()
			.zip(LOCAL_PEER_IDS)
			.map(|((key, _), peer)| (peer_id(peer), key.to_account_id()))
			.collect(),
		Sr25519Keyring::iter().map(|k| k.to_account_id()).collect(),
		None,
		validators
			.iter()
			.zip(names)
			.map(|((k, _), name)| GenesisOrganization {
				name: name.into(),
				admins: vec![k.to_account_id()],
			})
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
