//! The process's log output: `ptp-agent[<seconds>.<ms>]: [tag] message key=value…` lines,
//! the seconds counted from the agent's start, on stdout (`verbose`) or stderr, at the level
//! of `logging_level` unless `RUST_LOG` is set.
//!
//! The log is the process's, shared by its instances: [`LogControl`] changes its level and
//! where it goes while the agent runs. Each instance logs inside a span whose `tag` field is
//! its `message_tag`; a layer of its own keeps the tag of each span (also when it is recorded again
//! later) and every line logged inside that span carries it.

use std::fmt;
use std::io::{Stderr, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::writer::EitherWriter;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{reload, EnvFilter, Layer, Registry};

use super::LogSettings;

/// Changes the process's log while it runs.
#[derive(Clone, Debug)]
pub struct LogControl {
    /// The level filter; `None` when `RUST_LOG` sets it.
    filter: Option<reload::Handle<EnvFilter, Registry>>,
    /// Whether lines go to stdout (else stderr).
    verbose: Arc<AtomicBool>,
}

impl LogControl {
    /// Logs at `level` (`logging_level`, unless `RUST_LOG` is set) to stdout when `verbose`.
    pub fn apply(&self, level: u8, verbose: bool) {
        self.verbose.store(verbose, Ordering::Relaxed);
        if let Some(filter) = &self.filter {
            if let Err(e) = filter.reload(EnvFilter::new(level_of(level).as_str())) {
                tracing::warn!("cannot change the log level: {e}");
            }
        }
    }
}

/// Installs the process's subscriber, logging as `settings` say; `RUST_LOG`, when set,
/// overrides the level. A second initialisation (tests calling in-process) keeps the first
/// subscriber: the control returned then changes nothing that is logged.
pub fn init(settings: &LogSettings) -> LogControl {
    let verbose = Arc::new(AtomicBool::new(settings.verbose));
    let from_env = EnvFilter::try_from_default_env().ok();
    let fixed = from_env.is_some();
    let filter = from_env.unwrap_or_else(|| EnvFilter::new(level_of(settings.level).as_str()));
    let (filter, reload) = reload::Layer::new(filter);
    let to_stdout = verbose.clone();
    let writer = move || -> EitherWriter<Stdout, Stderr> {
        if to_stdout.load(Ordering::Relaxed) {
            EitherWriter::A(std::io::stdout())
        } else {
            EitherWriter::B(std::io::stderr())
        }
    };
    let _ = subscriber(filter, writer).try_init();
    LogControl {
        filter: (!fixed).then_some(reload),
        verbose,
    }
}

/// The subscriber: `filter`, then the tags, then ptp4l's lines to `writer`.
fn subscriber<W>(filter: reload::Layer<EnvFilter, Registry>, writer: W) -> impl Subscriber
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let output = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .event_format(Ptp4lFormat {
            start: Instant::now(),
        })
        .with_writer(writer);
    tracing_subscriber::registry()
        .with(filter)
        .with(TagLayer)
        .with(output)
}

/// The tracing level of a syslog `logging_level`.
fn level_of(level: u8) -> Level {
    match level {
        0..=3 => Level::ERROR,
        4 => Level::WARN,
        5 | 6 => Level::INFO,
        _ => Level::DEBUG,
    }
}

/// The `message_tag` of a span.
#[derive(Debug)]
struct MessageTag(String);

/// Keeps each span's `tag` field as its [`MessageTag`] (an empty tag is none).
#[derive(Debug)]
struct TagLayer;

/// Reads the `tag` field.
#[derive(Default)]
struct TagVisitor(Option<String>);

impl Visit for TagVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "tag" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "tag" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl TagLayer {
    fn keep<S>(id: &Id, tag: Option<String>, ctx: &Context<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let (Some(tag), Some(span)) = (tag, ctx.span(id)) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        extensions.remove::<MessageTag>();
        if !tag.is_empty() {
            extensions.insert(MessageTag(tag));
        }
    }
}

impl<S> Layer<S> for TagLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut visitor = TagVisitor::default();
        attrs.record(&mut visitor);
        Self::keep(id, visitor.0, &ctx);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut visitor = TagVisitor::default();
        values.record(&mut visitor);
        Self::keep(id, visitor.0, &ctx);
    }
}

/// ptp4l's line format, with the tag of the innermost span that has one.
struct Ptp4lFormat {
    start: Instant,
}

impl<S, N> FormatEvent<S, N> for Ptp4lFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> fmt::Result {
        let t = self.start.elapsed();
        write!(
            writer,
            "ptp-agent[{}.{:03}]: ",
            t.as_secs(),
            t.subsec_millis()
        )?;
        if let Some(scope) = ctx.event_scope() {
            for span in scope {
                if let Some(MessageTag(tag)) = span.extensions().get::<MessageTag>() {
                    write!(writer, "[{tag}] ")?;
                    break;
                }
            }
        }
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::testing::Captured;

    #[test]
    fn lines_carry_their_instance_tag_and_the_level_changes_in_place() {
        let captured = Captured::default();
        let sink = captured.clone();
        let writer = move || sink.clone();
        let (filter, handle) = reload::Layer::new(EnvFilter::new("info"));
        let control = LogControl {
            filter: Some(handle),
            verbose: Arc::default(),
        };
        tracing::subscriber::with_default(subscriber(filter, writer), || {
            let span = tracing::error_span!("instance", tag = tracing::field::Empty);
            span.record("tag", "ptp4l.0.config");
            span.in_scope(|| {
                tracing::info!("tagged");
                tracing::debug!("hidden");
            });
            tracing::info!("untagged");
            span.record("tag", "");
            control.apply(7, false);
            span.in_scope(|| tracing::debug!("shown"));
        });
        let text = captured.text();
        let lines: Vec<&str> = text
            .lines()
            .map(|l| l.split_once("]: ").unwrap().1)
            .collect();
        assert_eq!(lines, ["[ptp4l.0.config] tagged", "untagged", "shown"]);
    }
}
