//! Embeds every file of `service-maps/` so that adding a service is a data change only.
use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("service-maps");
    println!("cargo:rerun-if-changed=service-maps");
    let mut prefixes: Vec<String> = fs::read_dir(dir)
        .expect("service-maps/ is readable")
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let prefix = name.strip_suffix(".json")?.to_string();
            // Inputs of the generator live beside the maps; they are not maps.
            (!matches!(prefix.as_str(), "event-sources" | "overrides")).then_some(prefix)
        })
        .collect();
    prefixes.sort();
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut out = String::from("/// `(IAM prefix, JSON text)` of every service map, sorted by prefix.\npub static SERVICE_FILES: &[(&str, &str)] = &[\n");
    for prefix in &prefixes {
        out.push_str(&format!(
            "    ({prefix:?}, include_str!({:?})),\n",
            format!("{root}/service-maps/{prefix}.json")
        ));
    }
    out.push_str("];\n");
    out.push_str(&format!(
        "/// The eventSource host → IAM prefix table.\npub static EVENT_SOURCES: &str = include_str!({:?});\n",
        format!("{root}/service-maps/event-sources.json")
    ));
    let dest =
        Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_maps.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}
