//! Building an instance's runtime from its spec on a host ([`launch`]): the host gives the
//! clock, the clock identity, the addresses each port reports and the ports' I/O
//! ([`Host`]); the engine's settings come from the spec's configuration
//! ([`engine_settings`]).

use ptp_core::engine::{Instance, InstanceSettings, PortSettings, SettingsError};
use ptp_core::wire::ClockIdentity;
use thiserror::Error;

use crate::agent::clock::{ClockSetupError, SteeredClock};
use crate::agent::metrics::MetricsHub;
use crate::agent::port_io::PortIo;
use crate::agent::runtime::{Runtime, StartError};
use crate::agent::spec::InstanceSpec;

/// What the instances run on: the system ([`crate::agent::setup::SystemHost`]) or, in
/// tests, a clock and ports in memory.
pub trait Host: Send + 'static {
    /// The clock an instance steers.
    type Clock: SteeredClock + Send + 'static;
    /// How ports are opened.
    type Io: PortIo;

    /// Opens the clock `spec` steers.
    fn clock(&mut self, spec: &InstanceSpec) -> Result<Self::Clock, ClockSetupError>;

    /// The clock identity ptp4l derives from `interface` (used unless the configuration
    /// sets one).
    fn clock_identity(&self, interface: &str) -> Result<ClockIdentity, HostError>;

    /// Gives `port` the addresses CLOCK_DESCRIPTION reports for it.
    fn describe_port(&self, port: &mut PortSettings);

    /// The port I/O of a new instance.
    fn port_io(&mut self) -> Self::Io;
}

/// What the host could not tell.
#[derive(Debug, Error)]
pub enum HostError {
    /// The MAC address of an interface (for the clock identity), from `path`.
    #[error("read {path}")]
    Mac {
        /// Where the MAC address is read from.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Why an instance could not start.
#[derive(Debug, Error)]
pub enum LaunchError {
    /// The host could not give what the instance needs.
    #[error(transparent)]
    Host(#[from] HostError),
    /// The engine cannot run the configuration.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The clock cannot be used.
    #[error(transparent)]
    Clock(#[from] ClockSetupError),
    /// The runtime could not start.
    #[error(transparent)]
    Start(#[from] StartError),
}

/// The engine's settings of `spec` on `host`: the clock identity is the host's for the
/// first interface unless the configuration sets one, and each port reports the addresses
/// the host gives it.
pub fn engine_settings<H: Host>(
    host: &H,
    spec: &InstanceSpec,
) -> Result<InstanceSettings, LaunchError> {
    let identity = host.clock_identity(spec.clock_source().interface)?;
    let mut settings = InstanceSettings::from_config(spec.config(), identity)?;
    for port in &mut settings.ports {
        host.describe_port(port);
    }
    Ok(settings)
}

/// Builds the runtime of `spec` on `host`, its series in `hub`, and starts it (the ports
/// open, the engine starts); it runs once spawned.
pub fn launch<H: Host>(
    host: &mut H,
    spec: &InstanceSpec,
    hub: &MetricsHub,
) -> Result<Runtime<H::Clock, H::Io>, LaunchError> {
    let instance = Instance::new(engine_settings(host, spec)?)?;
    let clock = host.clock(spec)?;
    let line = format!(
        "clock {} ({}), {} port(s){}",
        instance.default_ds().clock_identity,
        clock.name(),
        instance.ports().count(),
        if spec.config().global.free_running {
            ", free running"
        } else {
            ""
        }
    );
    let mut runtime = Runtime::new(instance, clock, host.port_io(), spec.runtime_options(), hub);
    runtime.span().in_scope(|| tracing::info!("{line}"));
    runtime.start()?;
    Ok(runtime)
}
