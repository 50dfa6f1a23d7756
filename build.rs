//! Embeds every file of `service-maps/` so that adding a service is a data change only, and names the snapshot
//! built in for `--version`: the IAM catalogue's provenance and a digest of the maps.
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
    // The prefixes apart from the texts: a list of `(prefix, text)` pairs placed each prefix beside its map's
    // text, so that reading the prefixes at start-up touched a page of every map (13 MB of resident memory).
    let mut out = String::from(
        "/// The IAM prefix of every service map, sorted; `SERVICE_TEXTS` holds their JSON in the same order.\npub static SERVICE_PREFIXES: &[&str] = &[\n",
    );
    for prefix in &prefixes {
        out.push_str(&format!("    {prefix:?},\n"));
    }
    out.push_str("];\n/// The JSON text of every service map, in the order of `SERVICE_PREFIXES`.\npub static SERVICE_TEXTS: &[&str] = &[\n");
    for prefix in &prefixes {
        out.push_str(&format!(
            "    include_str!({:?}),\n",
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
    snapshot(dir, &prefixes);
}

/// `POLICYGEN_CATALOGUE` (where the IAM catalogue comes from, `_provenance` of `sources/catalogue.json`),
/// `POLICYGEN_MAPS_DIGEST` (FNV-1a 64 of every embedded map, in prefix order, and of `facts/`) and `POLICYGEN_SERVICES`.
fn snapshot(dir: &Path, prefixes: &[String]) {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut facts: Vec<String> = fs::read_dir(dir.join("facts"))
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .map(|name| format!("facts/{name}"))
        .collect();
    facts.sort();
    let files = prefixes
        .iter()
        .map(|p| format!("{p}.json"))
        .chain(["event-sources.json".to_string()])
        .chain(facts);
    for name in files {
        for byte in fs::read(dir.join(&name)).expect("a service map is readable") {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    let catalogue = dir.join("sources/catalogue.json");
    println!("cargo:rerun-if-changed={}", catalogue.display());
    let mut bytes = Vec::new();
    if let Ok(file) = fs::File::open(&catalogue) {
        let _ = std::io::Read::read_to_end(&mut std::io::Read::take(file, 1_000), &mut bytes);
    }
    let head = String::from_utf8_lossy(&bytes);
    let provenance = head
        .split("\"_provenance\":")
        .nth(1)
        .and_then(|rest| rest.split('"').nth(1))
        .unwrap_or("unknown");
    println!("cargo:rustc-env=POLICYGEN_CATALOGUE={provenance}");
    println!("cargo:rustc-env=POLICYGEN_MAPS_DIGEST={hash:016x}");
    println!("cargo:rustc-env=POLICYGEN_SERVICES={}", prefixes.len());
}
