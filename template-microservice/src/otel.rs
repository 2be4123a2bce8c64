//! OpenTelemetry export of traces (feature `otel`, off by default).
//!
//! When `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, the
//! request, message and request–reply spans are exported over OTLP/HTTP (protobuf, plain HTTP:
//! point it at a local collector), each one a child of the W3C trace context it came with; the
//! `traceparent` sent onwards then names the exported span.

use std::sync::OnceLock;

use opentelemetry::trace::{
    SpanContext, TraceContextExt as _, TraceFlags, TraceState, TracerProvider as _,
};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{SdkTracerProvider, Tracer};
use tracing_opentelemetry::{OpenTelemetryLayer, OpenTelemetrySpanExt as _};
use tracing_subscriber::registry::LookupSpan;

use crate::domain::trace::TraceContext;

/// The exporting provider, kept to flush it at exit.
static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// The layer that exports spans, when an OTLP endpoint is configured.
pub(crate) fn layer<S>() -> Option<OpenTelemetryLayer<S, Tracer>>
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span>,
{
    let configured = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];
    if !configured.iter().any(|name| std::env::var_os(name).is_some()) {
        return None;
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder().with_http().build();
    let exporter = exporter.inspect_err(|error| eprintln!("OpenTelemetry export: {error}")).ok()?;
    let resource = Resource::builder().with_service_name(env!("CARGO_PKG_NAME")).build();
    let provider =
        SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build();
    let tracer = provider.tracer(env!("CARGO_PKG_NAME"));
    let _ = PROVIDER.set(provider);
    Some(tracing_opentelemetry::layer().with_tracer(tracer))
}

/// Makes `span` a child of `parent` in the exported trace; returns this service's position to
/// send onwards (the exported span's id, or a new span id when nothing is exported).
#[must_use]
pub(crate) fn link(span: &tracing::Span, parent: TraceContext) -> TraceContext {
    let (trace_id, span_id, flags) = parent.ids();
    let remote = SpanContext::new(
        trace_id.into(),
        span_id.into(),
        TraceFlags::new(flags),
        true,
        TraceState::default(),
    );
    let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote));
    let own = span.context().span().span_context().clone();
    if !own.is_valid() {
        return parent.child();
    }
    let trace_id = u128::from_be_bytes(own.trace_id().to_bytes());
    let span_id = u64::from_be_bytes(own.span_id().to_bytes());
    TraceContext::from_ids(trace_id, span_id, own.trace_flags().to_u8()).unwrap_or(parent.child())
}

/// Exports what is buffered.
pub(crate) fn shutdown() {
    if let Some(provider) = PROVIDER.get()
        && let Err(error) = provider.shutdown()
    {
        eprintln!("OpenTelemetry export: {error}");
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::link;
    use crate::domain::trace::TraceContext;

    #[test]
    fn a_span_joins_the_callers_trace_and_is_what_is_sent_onwards() {
        let provider = SdkTracerProvider::builder().build();
        let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("test"));
        let subscriber = tracing_subscriber::registry().with(layer);
        let parent = TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            .expect("valid");
        let onwards = tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request");
            link(&span, parent)
        });
        assert_eq!(onwards.trace_id(), parent.trace_id());
        assert_ne!(onwards, parent, "the service's own span id is sent onwards");
    }

    #[test]
    fn without_an_exporting_layer_a_new_span_id_is_made() {
        let parent = TraceContext::new_root();
        let onwards = link(&tracing::Span::none(), parent);
        assert_eq!(onwards.trace_id(), parent.trace_id());
        assert_ne!(onwards, parent);
    }
}
