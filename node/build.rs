use std::{path::Path, process::Command};

use substrate_build_script_utils::generate_cargo_keys;

fn main() {
	generate_cargo_keys();
	rerun_if_commit_changed();
}

/// Runs this script again when another commit is checked out, so that `consent-node --version`
/// names the commit it was built from: HEAD (a detached HEAD holds the commit itself), the branch
/// it names, and the packed refs. substrate-build-script-utils' `rerun_if_git_head_changed`
/// watches nothing on a detached HEAD, where the version went stale.
fn rerun_if_commit_changed() {
	println!("cargo:rerun-if-changed=build.rs");
	let git = |args: &[&str]| {
		Command::new("git")
			.args(args)
			.output()
			.ok()
			.filter(|out| out.status.success())
			.map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
	};
	// Outside a git checkout (a source archive) the version names no commit: nothing to watch.
	let Some(git_dir) = git(&["rev-parse", "--absolute-git-dir"]) else { return };
	let common_dir = git(&["rev-parse", "--path-format=absolute", "--git-common-dir"])
		.unwrap_or_else(|| git_dir.clone());
	let mut watched = vec![Path::new(&git_dir).join("HEAD")];
	if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
		let loose = Path::new(&common_dir).join(branch);
		// A packed branch has no file of its own until its next commit writes one: its folder.
		match loose.parent() {
			Some(folder) if !loose.exists() => watched.push(folder.to_path_buf()),
			_ => watched.push(loose),
		}
	}
	watched.push(Path::new(&common_dir).join("packed-refs"));
	// A path that does not exist would make cargo run the script on every build.
	for path in watched.into_iter().filter(|path| path.exists()) {
		println!("cargo:rerun-if-changed={}", path.display());
	}
}
