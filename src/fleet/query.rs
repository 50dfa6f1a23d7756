//! `policygen fleet --athena/--lake`: ONE query for the whole fleet, grouped by principal, instead of one per
//! principal. Each principal is what the single query of `policygen --role NAME --account ID` selects, and
//! its rows are read as that run reads them, so each policy is byte-identical to the single command's.

use super::{finish, read_currents, FleetError, FleetReport, FleetSettings, Gathered};
use crate::collector::aws::collect_by_principal;
use crate::collector::query::{by_principal, keys_from_maps};
use crate::collector::Sources;
use crate::pipeline::run_sink;

/// The fleet's one query, as `--athena` or `--lake` would run it (`None` for another source).
pub(super) fn sql(settings: &FleetSettings) -> Option<String> {
    let (engine, regions) = settings.base.source.engine()?;
    Some(by_principal::build(
        &engine,
        &settings.selection.grouping(),
        &settings.scope().window,
        regions,
        &keys_from_maps(),
    ))
}

/// Runs the fleet's query and concludes each principal as its single run does.
pub(super) async fn from_query(
    settings: &FleetSettings,
    sources: &Sources,
) -> Result<FleetReport, FleetError> {
    let Some(config) = &sources.aws else {
        return Err(FleetError::Usage(
            "`--athena` and `--lake` need the AWS configuration".into(),
        ));
    };
    let (rows, source) = collect_by_principal(
        &settings.scope(),
        &settings.base.source,
        config,
        &settings.selection.grouping(),
        run_sink(&settings.base),
    )
    .await?;
    let (principals, unattributed_rows) = rows.finish();
    let gathered = Gathered {
        principals,
        unattributed_rows,
        ..Gathered::default()
    };
    let currents = read_currents(settings, sources, &gathered).await?;
    let mut report = finish(settings, gathered, currents, &source)?;
    report.source = source.summary();
    Ok(report)
}
