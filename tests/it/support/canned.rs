//! A fake HTTP client for the SDK: answers each request with the next canned response and keeps what was
//! asked. For error shapes and retry sequences on the real client types, without a server (a server is
//! kept only where timing or broken connections matter: S3 faults, LookupEvents throttling).

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The canned "status" of a connection reset by the peer before any response (an I/O error in the SDK).
pub const RESET: u16 = 0;

#[derive(Debug, Clone, Default)]
pub struct Canned {
    /// `(status, body)` still to answer, in order.
    pub responses: Arc<Mutex<VecDeque<(u16, String)>>>,
    /// What was asked: the operation (from `X-Amz-Target`) and the body.
    pub requests: Arc<Mutex<Vec<(String, String)>>>,
}

impl Canned {
    pub fn new(responses: Vec<(u16, String)>) -> Canned {
        Canned {
            responses: Arc::new(Mutex::new(responses.into())),
            requests: Arc::default(),
        }
    }

    pub fn left(&self) -> usize {
        self.responses.lock().map(|r| r.len()).unwrap_or_default()
    }

    pub fn requests(&self) -> Vec<(String, String)> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// The sources of a run whose every AWS call this answers.
    pub fn sources(&self) -> policygen::collector::Sources {
        let credentials =
            aws_credential_types::Credentials::new("AKIDTEST", "secret", None, None, "test");
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
            )
            .http_client(self.clone())
            .build();
        policygen::collector::Sources { aws: Some(config) }
    }
}

impl HttpConnector for Canned {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let operation = request
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or_default()
            .to_string();
        let body = request
            .body()
            .bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        if let Ok(mut requests) = self.requests.lock() {
            requests.push((operation, body));
        }
        let next = self.responses.lock().ok().and_then(|mut r| r.pop_front());
        let (status, body) = next.unwrap_or((500, "{}".into()));
        if status == RESET {
            let reset = std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection reset by peer",
            );
            return HttpConnectorFuture::ready(Err(ConnectorError::io(Box::new(reset))));
        }
        let mut response = HttpResponse::new(
            StatusCode::try_from(status).expect("status"),
            SdkBody::from(body),
        );
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.1");
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for Canned {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}
