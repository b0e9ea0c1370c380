#[cfg(feature = "std")]
fn main() {
	// Builds the runtime to wasm and embeds its metadata hash for `CheckMetadataHash`.
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("UNIT", 12)
		.build();
}

#[cfg(not(feature = "std"))]
fn main() {}
