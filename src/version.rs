//! What this build is: the tool's version and the IAM catalogue and service-maps snapshot built into it
//! (written by `build.rs`), for `--version` and `--summary-json`.

use serde::Serialize;

pub const TOOL: &str = env!("CARGO_PKG_VERSION");
/// Where the IAM catalogue comes from (packages and versions).
pub const CATALOGUE: &str = env!("POLICYGEN_CATALOGUE");
/// A digest (FNV-1a 64) of every service map built in: two builds with the same digest map alike.
pub const SERVICE_MAPS: &str = env!("POLICYGEN_MAPS_DIGEST");
/// How many services the maps cover.
pub const SERVICES: &str = env!("POLICYGEN_SERVICES");

/// `policygen --version`, as `cargo -vV` writes it.
pub const LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\niam-catalogue: ",
    env!("POLICYGEN_CATALOGUE"),
    "\nservice-maps: ",
    env!("POLICYGEN_SERVICES"),
    " services, digest ",
    env!("POLICYGEN_MAPS_DIGEST"),
);

/// The tool, for machines.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// The catalogue and maps built in, for machines.
#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    /// Where the IAM catalogue comes from.
    pub iam: &'static str,
    /// The service maps' digest.
    pub service_maps: &'static str,
    pub services: usize,
}

pub fn tool() -> Tool {
    Tool {
        name: env!("CARGO_PKG_NAME"),
        version: TOOL,
    }
}

pub fn catalogue() -> Catalogue {
    Catalogue {
        iam: CATALOGUE,
        service_maps: SERVICE_MAPS,
        services: SERVICES.parse().unwrap_or(0),
    }
}
