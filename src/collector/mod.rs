//! Sources of CloudTrail records. Each turns its input into CloudTrail records through the shared
//! [`decode::Decoder`], which keeps the records of one principal in one window, each event once, and hands
//! them to a [`sink::Sink`]: decoding never maps.
//!
//! `s3`, `lookup`, `athena`, `lake`, `iam` and `aws` are the only modules that see AWS SDK types. `iam` is no
//! trail source: it reads the principal's current policies for `--current iam`.

pub mod athena;
pub mod aws;
pub mod decode;
pub mod files;
pub mod iam;
pub mod inflate;
pub mod lake;
pub mod lookup;
pub mod progress;
pub mod query;
pub mod s3;
pub mod seen;
pub mod shape;
pub mod sink;
pub mod source;
pub mod split;

pub use aws::{AwsError, SourceReport};
pub use decode::{Decoder, Scope};
pub use files::LogInput;
pub use sink::{Collected, Decoded, Origin, Sink, Weight};
pub use source::Source;

/// The connections a run's sources need: the loaded AWS configuration when an AWS source or `--current iam`
/// is used, none for local files.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub aws: Option<aws_config::SdkConfig>,
}

impl Sources {
    /// Loads the AWS configuration when `needed` and checks, once, that credentials resolve: a machine
    /// without any says so at once, in one line.
    pub async fn connect(options: &source::AwsOptions, needed: bool) -> Result<Sources, AwsError> {
        if !needed {
            return Ok(Sources::default());
        }
        let config = aws::load_config(options).await;
        aws::check_credentials(&config, options)
            .await
            .map_err(AwsError::Credentials)?;
        Ok(Sources { aws: Some(config) })
    }
}

/// Reads `source` for `scope` into `sink`: local files on the blocking pool, AWS sources with the
/// configuration in `sources`.
pub async fn collect<S: Sink + 'static>(
    scope: &Scope,
    source: &Source,
    sources: &Sources,
    sink: S,
) -> Result<(Collected<S>, SourceReport), AwsError> {
    match (source, &sources.aws) {
        (Source::Logs { inputs, progress }, _) => {
            let (scope, inputs, progress) = (scope.clone(), inputs.clone(), *progress);
            let collected = tokio::task::spawn_blocking(move || {
                let decoder = Decoder::new(scope, sink);
                let mut collected = files::collect(&inputs, &decoder, progress);
                collected.decoded.stopped = decoder.stopped();
                collected
            })
            .await
            .map_err(|e| AwsError::Worker(e.to_string()))?;
            Ok((collected, SourceReport::Logs))
        }
        (_, Some(config)) => aws::collect(scope, source, config, sink).await,
        (_, None) => Err(AwsError::Credentials(
            "an AWS source needs the AWS configuration".to_string(),
        )),
    }
}
