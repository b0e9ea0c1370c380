//! The access decision against a reference model: random consents, deny rules, delegates,
//! credentials (suspensions, expiries, organizations) and emergency sessions, made by the calls
//! users sign on the real runtime; at every query `check_access` must answer what SPEC's ordered
//! rules (`consent_fuzz::model_decision`) answer over what the patient signed.
#![no_main]

use arbitrary::Arbitrary;
use consent_fuzz::*;
use consent_primitives::{
	AccessControl, AccessQuery, Action, CredentialInspect, Decision, EmergencyAccess, Grantee,
	PermitReason, Purpose,
};
use consent_runtime::{AccountId, BreakGlass, Consent, Registry, Runtime};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

#[derive(Arbitrary, Debug)]
enum Step {
	Op(Op),
	Query {
		patient: Who,
		accessor: Who,
		category: u8,
		write: bool,
		purpose: u8,
		record: Option<u8>,
	},
	/// Every purpose and action at once, for one patient, accessor, category and record.
	Sweep {
		patient: Who,
		accessor: Who,
		category: u8,
		record: Option<u8>,
	},
}

/// An open request, as the model needs it to know the consent its approval makes.
struct ModelRequest {
	patient: AccountId,
	requester: AccountId,
	scope: (
		consent_primitives::CategorySet,
		consent_primitives::ActionSet,
		consent_primitives::PurposeSet,
	),
	start: u64,
}

#[derive(Default)]
struct Model {
	patients: BTreeMap<AccountId, ModelPatient>,
	requests: BTreeMap<u64, ModelRequest>,
}

impl Model {
	fn patient(&mut self, who: &AccountId) -> &mut ModelPatient {
		self.patients.entry(who.clone()).or_default()
	}

	/// Apply what a successful call changed in what patients signed.
	fn apply(&mut self, op: &Op, before: &Before, now: u64) {
		match op.clone() {
			Op::Grant {
				patient,
				grantee,
				categories: c,
				actions: a,
				purposes: p,
				records,
				start,
				end,
			} => {
				let consent = ModelConsent {
					id: before.next_consent,
					grantee: grantee.grantee(),
					categories: categories(c),
					actions: actions(a),
					purposes: purposes(p),
					records: records.iter().take(4).map(|r| record(*r)).collect(),
					start: start.map_or(now, |m| moment(now, m)),
					end: end.map(|m| moment(now, m)),
				};
				self.patient(&patient.account()).consents.push(consent);
			},
			Op::Revoke { patient, consent } => {
				self.patient(&patient.account()).consents.retain(|c| c.id != u64::from(consent))
			},
			Op::Reap { patient, consent, .. } => {
				self.patient(&patient.account()).consents.retain(|c| c.id != u64::from(consent))
			},
			Op::AddDenyRule { patient, grantee, categories: c, purposes: p } => {
				self.patient(&patient.account()).rules.push(ModelRule {
					id: before.next_rule,
					grantee: grantee.map(GranteeChoice::grantee),
					categories: categories(c),
					purposes: purposes(p),
				})
			},
			Op::RemoveDenyRule { patient, rule } => {
				self.patient(&patient.account()).rules.retain(|r| r.id != u64::from(rule))
			},
			Op::AddDelegate { patient, delegate } => {
				self.patient(&patient.account()).delegates.push(delegate.account())
			},
			Op::RemoveDelegate { patient, delegate } => {
				self.patient(&patient.account()).delegates.retain(|d| *d != delegate.account())
			},
			Op::Request { requester, patient, categories: c, actions: a, purposes: p } => {
				let id = before.request.expect("a request id is known before the call");
				self.requests.insert(
					id,
					ModelRequest {
						patient: patient.account(),
						requester: requester.account(),
						scope: (categories(c), actions(a), purposes(p)),
						start: now,
					},
				);
			},
			Op::Approve { .. } => {
				let id = before.request.expect("the approved request");
				let request = self.requests.remove(&id).expect("the model knows the request");
				let consent = ModelConsent {
					id: before.next_consent_of_request,
					grantee: Grantee::Practitioner(request.requester),
					categories: request.scope.0,
					actions: request.scope.1,
					purposes: request.scope.2,
					records: Vec::new(),
					start: request.start.max(now),
					end: None,
				};
				self.patient(&request.patient).consents.push(consent);
			},
			Op::DenyRequest { .. } | Op::CancelRequest { .. } => {
				self.requests.remove(&before.request.expect("the answered request"));
			},
			_ => {},
		}
	}
}

/// What the model reads before a call: the ids the call will hand out or name.
struct Before {
	next_consent: u64,
	next_rule: u64,
	request: Option<u64>,
	next_consent_of_request: u64,
}

fn before(op: &Op, ids: &Ids) -> Before {
	let pick = |byte: u8| {
		(!ids.requests.is_empty()).then(|| ids.requests[byte as usize % ids.requests.len()])
	};
	let next_request = pallet_consent::NextRequestId::<Runtime>::get();
	let request = match op {
		Op::Request { .. } => Some(next_request),
		Op::Approve { request, .. }
		| Op::DenyRequest { request, .. }
		| Op::CancelRequest { request, .. } => pick(*request).or(Some(0)),
		_ => None,
	};
	let next_consent = match op {
		Op::Grant { patient, .. } => Consent::next_consent_id(&patient.account()),
		_ => 0,
	};
	let next_consent_of_request = request
		.and_then(pallet_consent::Requests::<Runtime>::get)
		.map_or(0, |r| Consent::next_consent_id(&r.patient));
	Before {
		next_consent,
		next_rule: pallet_consent::NextRuleId::<Runtime>::get(),
		request,
		next_consent_of_request,
	}
}

/// `check_access` must answer what the model answers.
fn check(model: &Model, query: AccessQuery<AccountId>) {
	let AccessQuery { patient, accessor, category, action, purpose, record } = &query;
	let now = pallet_timestamp::Now::<Runtime>::get();
	let inputs = Inputs {
		credential: <Registry as CredentialInspect<AccountId>>::credential(accessor, now),
		session: <BreakGlass as EmergencyAccess<AccountId>>::active_session(
			patient, accessor, *category, now,
		),
	};
	let decision = <Consent as AccessControl<AccountId>>::check_access(&query);
	let state = model.patients.get(patient).cloned().unwrap_or_default();
	let expected = model_decision(&query, &state, now, &inputs);
	assert!(
		expected.accepts(&decision),
		"model disagrees: check_access({category:?}, {action:?}, {purpose:?}, {record:?}) at \
		 {now} = {decision:?}, model {expected:?}, state {state:?}"
	);
	if let Decision::Permit(PermitReason::Emergency(_)) = decision {
		assert!(!category.is_sensitive(), "an emergency session reached {category:?}");
	}
}

fuzz_target!(|steps: Vec<Step>| {
	on_chain(|| {
		let mut model = Model::default();
		let mut ids = Ids::default();
		for step in steps.into_iter().take(64) {
			match step {
				Step::Op(Op::Wait { minutes }) => wait(minutes),
				Step::Op(op) => {
					let Some((origin, call)) = call_of(&op, &ids) else { continue };
					let seen = before(&op, &ids);
					let now = pallet_timestamp::Now::<Runtime>::get();
					if dispatch(origin, call).is_ok() {
						model.apply(&op, &seen, now);
					}
					ids.harvest();
				},
				Step::Query { patient, accessor, category: c, write, purpose: p, record: r } => {
					let action = if write { Action::Write } else { Action::Read };
					check(
						&model,
						AccessQuery {
							patient: patient.account(),
							accessor: accessor.account(),
							category: category(c),
							action,
							purpose: purpose(p),
							record: r.map(record),
						},
					);
				},
				Step::Sweep { patient, accessor, category: c, record: r } => {
					for &purpose in Purpose::ALL {
						for action in [Action::Read, Action::Write] {
							let (patient, accessor) = (patient.account(), accessor.account());
							let (category, record) = (category(c), r.map(record));
							check(
								&model,
								AccessQuery {
									patient,
									accessor,
									category,
									action,
									purpose,
									record,
								},
							);
						}
					}
				},
			}
		}
	});
});
