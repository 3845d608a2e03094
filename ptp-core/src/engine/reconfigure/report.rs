//! [`Reconfiguration`]: what [`Instance::reconfigure`](super::super::Instance::reconfigure)
//! did, as lists for the runtime and as one line for its log.

use core::fmt;

use super::super::action::PortIndex;

/// What a reconfiguration did. Empty lists and no instance restart: nothing changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconfiguration {
    /// The clock-wide settings whose change restarted the instance (empty: no restart).
    /// Every port was then closed and opened again; `in_place` and `restarted` are empty.
    pub instance_restart: Vec<&'static str>,
    /// Settings changed in place: clock-wide ones, then the ports'.
    pub in_place: Vec<SettingChange>,
    /// Ports restarted, with the settings that called for it.
    pub restarted: Vec<PortChange>,
    /// Ports added.
    pub added: Vec<PortChange>,
    /// Ports removed (their index is free for a port added later).
    pub removed: Vec<PortChange>,
}

/// A setting changed in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingChange {
    /// The port it belongs to; `None` for a clock-wide setting.
    pub port: Option<PortIndex>,
    /// Its name (the `ptp4l.conf` option's where there is one).
    pub name: &'static str,
}

/// A port restarted, added or removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortChange {
    /// The port.
    pub port: PortIndex,
    /// Its interface.
    pub interface: String,
    /// For a restart: the settings that called for it.
    pub because: Vec<&'static str>,
}

impl Reconfiguration {
    /// Whether the instance was restarted.
    pub fn instance_restarted(&self) -> bool {
        !self.instance_restart.is_empty()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl fmt::Display for SettingChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "port {} {}", port.number(), self.name),
            None => f.write_str(self.name),
        }
    }
}

impl fmt::Display for PortChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "port {} ({})", self.port.number(), self.interface)?;
        if !self.because.is_empty() {
            write!(f, " for {}", self.because.join(", "))?;
        }
        Ok(())
    }
}

/// One line: `instance restarted for clockIdentity; in place: priority2, port 2
/// logSyncInterval; restarted port 1 (eth0) for delay_mechanism; added port 3 (eth2);
/// removed port 4 (eth3)`, or `no change`.
impl fmt::Display for Reconfiguration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("no change");
        }
        let mut parts: Vec<String> = Vec::new();
        if self.instance_restarted() {
            parts.push(format!(
                "instance restarted for {}",
                self.instance_restart.join(", ")
            ));
        }
        if !self.in_place.is_empty() {
            let names: Vec<String> = self.in_place.iter().map(ToString::to_string).collect();
            parts.push(format!("in place: {}", names.join(", ")));
        }
        for (verb, ports) in [
            ("restarted", &self.restarted),
            ("added", &self.added),
            ("removed", &self.removed),
        ] {
            parts.extend(ports.iter().map(|p| format!("{verb} {p}")));
        }
        f.write_str(&parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_for_the_log() {
        assert_eq!(Reconfiguration::default().to_string(), "no change");
        let r = Reconfiguration {
            instance_restart: Vec::new(),
            in_place: vec![
                SettingChange {
                    port: None,
                    name: "priority2",
                },
                SettingChange {
                    port: Some(PortIndex(1)),
                    name: "logSyncInterval",
                },
            ],
            restarted: vec![PortChange {
                port: PortIndex(0),
                interface: "eth0".into(),
                because: vec!["delay_mechanism", "udp_ttl"],
            }],
            added: vec![PortChange {
                port: PortIndex(2),
                interface: "eth2".into(),
                because: Vec::new(),
            }],
            removed: Vec::new(),
        };
        assert_eq!(
            r.to_string(),
            "in place: priority2, port 2 logSyncInterval; \
             restarted port 1 (eth0) for delay_mechanism, udp_ttl; added port 3 (eth2)"
        );
        let restart = Reconfiguration {
            instance_restart: vec!["clockIdentity"],
            ..Reconfiguration::default()
        };
        assert!(restart.instance_restarted());
        assert_eq!(restart.to_string(), "instance restarted for clockIdentity");
    }
}
