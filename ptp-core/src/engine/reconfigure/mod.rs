//! Live reconfiguration ([`Instance::reconfigure`]): the running settings are compared with
//! new ones and only the difference is applied — in place where possible, by restarting one
//! port where its sockets or identity change, by restarting the whole instance for
//! clock-wide identity. The classes are the table in the engine's documentation
//! ([`crate::engine`]); `diff` puts every setting in one, `report` is what the caller is
//! told.
//!
//! Ports are matched by interface name. A port keeps its [`PortIndex`] while it lives; a
//! removed port leaves its slot empty and an added one takes the lowest empty slot, or a new
//! one at the end ([`layout`], which [`Instance::new`] uses too).

mod diff;
mod report;

pub use report::{PortChange, Reconfiguration, SettingChange};

use super::action::{cancel_all_timers, ActionSink, PortIndex};
use super::datasets::TimePropertiesDs;
use super::instance::Instance;
use super::port::Port;
use super::settings::{InstanceSettings, PortSettings, SettingsError};
use crate::rng::Rng;
use crate::servo::Servo;
use crate::time::{Ppb, Time};
use crate::wire::{ClockQuality, PortState};

/// Where each port goes: for every slot, the position in `ports` of the port it holds
/// (`None`: empty). `running` names the ports in the current slots (`None`: empty slot).
/// A running port keeps its slot when `ports` has a port of its name; the other ports of
/// `ports` take the lowest empty slots, then new ones at the end.
pub(crate) fn layout(
    running: &[Option<&str>],
    ports: &[PortSettings],
) -> Result<Vec<Option<usize>>, SettingsError> {
    if ports.is_empty() {
        return Err(SettingsError::NoPorts);
    }
    let mut placed = vec![false; ports.len()];
    let mut slots: Vec<Option<usize>> = running
        .iter()
        .map(|name| {
            let name = (*name)?;
            let (i, done) = placed
                .iter_mut()
                .zip(ports)
                .enumerate()
                .find_map(|(i, (done, p))| (!*done && p.name == name).then_some((i, done)))?;
            *done = true;
            Some(i)
        })
        .collect();
    for (i, _) in placed.iter().enumerate().filter(|(_, done)| !**done) {
        match slots.iter_mut().find(|s| s.is_none()) {
            Some(free) => *free = Some(i),
            None => slots.push(Some(i)),
        }
    }
    // portNumber is the index plus one, and 0xFFFF means "all ports".
    if slots.len() > 0xfffe {
        return Err(SettingsError::TooManyPorts(ports.len()));
    }
    Ok(slots)
}

/// The clock-wide values that both the configuration and management set: a
/// reconfiguration keeps the value management set unless the configuration changed that
/// same setting (a reload that edits an unrelated option must not undo a GNSS-driven
/// clockClass set through GRANDMASTER_SETTINGS_NP).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Managed {
    priority_1: u8,
    priority_2: u8,
    clock_quality: ClockQuality,
    gm_time_properties: TimePropertiesDs,
}

impl Managed {
    /// The values `instance` runs with.
    fn of(instance: &Instance) -> Self {
        let d = instance.default_ds();
        Self {
            priority_1: d.priority_1,
            priority_2: d.priority_2,
            clock_quality: d.clock_quality,
            gm_time_properties: instance.gm_time_properties,
        }
    }

    /// The values `settings` configure.
    fn configured(settings: &InstanceSettings) -> Self {
        Self {
            priority_1: settings.priority_1,
            priority_2: settings.priority_2,
            clock_quality: settings.clock_quality,
            gm_time_properties: settings.time_properties,
        }
    }

    /// The values to run with after going from the configuration `old` to `new`: `self`'s
    /// where the configuration did not change, `new`'s where it did.
    fn merge(self, old: Self, new: Self) -> Self {
        fn pick<T: PartialEq>(live: T, old: T, new: T) -> T {
            if old == new {
                live
            } else {
                new
            }
        }
        Self {
            priority_1: pick(self.priority_1, old.priority_1, new.priority_1),
            priority_2: pick(self.priority_2, old.priority_2, new.priority_2),
            clock_quality: pick(self.clock_quality, old.clock_quality, new.clock_quality),
            gm_time_properties: pick(
                self.gm_time_properties,
                old.gm_time_properties,
                new.gm_time_properties,
            ),
        }
    }

    /// Runs `instance` with these values.
    fn apply(self, instance: &mut Instance) {
        instance.default_ds.priority_1 = self.priority_1;
        instance.default_ds.priority_2 = self.priority_2;
        instance.default_ds.clock_quality = self.clock_quality;
        instance.gm_time_properties = self.gm_time_properties;
    }
}

/// What happens to one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SlotPlan {
    /// The port stays (same name); `new` is its position in the new settings.
    Keep { new: usize },
    /// The port goes, and `add` (a position in the new settings) takes its slot, if any.
    Replace { add: Option<usize> },
    /// An empty slot gets the port at `new`.
    Add { new: usize },
    /// Empty, and stays so.
    Empty,
}

impl Instance {
    /// Takes `settings` while running: compares them with the settings it runs
    /// ([`Instance::settings`]) and applies the difference, as the table in the engine's
    /// documentation says. Ports are matched by interface name; a live port keeps its
    /// index. Values set through management (priority1, priority2, the grandmaster
    /// settings) are kept unless `settings` changes the same setting.
    ///
    /// Refused, with nothing changed: settings without ports, or with more than a
    /// portNumber can count.
    pub fn reconfigure(
        &mut self,
        settings: InstanceSettings,
        now: Time,
        sink: &mut dyn ActionSink,
    ) -> Result<Reconfiguration, SettingsError> {
        let running: Vec<Option<&str>> = (0..self.slot_count())
            .map(|i| {
                self.port_settings(PortIndex::from_usize(i))
                    .map(|p| p.name.as_str())
            })
            .collect();
        let layout = layout(&running, &settings.ports)?;
        let plans = self.plan(&layout, &settings.ports);
        let clock = diff::instance_changes(&self.settings, &settings);
        if !clock.restart.is_empty() {
            let mut report = Reconfiguration {
                instance_restart: clock.restart,
                ..Reconfiguration::default()
            };
            self.report_added_and_removed(&plans, &settings.ports, &mut report);
            self.restart_instance(settings, &layout, now, sink);
            return Ok(report);
        }
        let mut report = Reconfiguration {
            in_place: in_place(None, &clock.in_place),
            ..Reconfiguration::default()
        };
        self.report_added_and_removed(&plans, &settings.ports, &mut report);
        // A port restarted, added or removed needs a state decision, and so does a change
        // of what the BMCA compares or this clock announces: clock-wide, any change runs
        // it (where the BMCA's inputs did not change, it changes nothing).
        let mut decide = !clock.is_empty();
        self.apply_clock(&settings);
        for (slot, plan) in plans.iter().enumerate() {
            let port = PortIndex::from_usize(slot);
            match *plan {
                SlotPlan::Keep { new } => {
                    let Some(new) = settings.ports.get(new) else {
                        continue;
                    };
                    let Some(old) = self.port(port) else {
                        continue;
                    };
                    let changes = diff::port_changes(&old.settings, new);
                    if !changes.restart.is_empty() {
                        report.restarted.push(PortChange {
                            port,
                            interface: new.name.clone(),
                            because: changes.restart,
                        });
                        self.restart_port(port, new.clone(), sink);
                        decide = true;
                    } else if !changes.in_place.is_empty() {
                        report
                            .in_place
                            .extend(in_place(Some(port), &changes.in_place));
                        decide |= old.ds.local_priority != new.local_priority;
                        self.apply_port(port, new.clone());
                    }
                }
                SlotPlan::Replace { add } => {
                    self.remove_port(port, sink);
                    if let Some(new) = add.and_then(|i| settings.ports.get(i)) {
                        self.add_port(port, new.clone(), sink);
                    }
                    decide = true;
                }
                SlotPlan::Add { new } => {
                    if let Some(new) = settings.ports.get(new) {
                        self.add_port(port, new.clone(), sink);
                    }
                    decide = true;
                }
                SlotPlan::Empty => {}
            }
        }
        self.default_ds.number_ports = u16::try_from(self.ports().count()).unwrap_or(u16::MAX);
        self.settings = settings;
        if decide {
            self.state_decision(now, sink);
        }
        Ok(report)
    }

    /// What happens to each slot, the current ones and those `layout` adds.
    fn plan(&self, layout: &[Option<usize>], ports: &[PortSettings]) -> Vec<SlotPlan> {
        layout
            .iter()
            .enumerate()
            .map(|(slot, new)| {
                let old = self.port(PortIndex::from_usize(slot));
                let new_name = new.and_then(|i| ports.get(i)).map(|p| p.name.as_str());
                match (old, *new) {
                    (Some(p), Some(new)) if Some(p.settings.name.as_str()) == new_name => {
                        SlotPlan::Keep { new }
                    }
                    (Some(_), add) => SlotPlan::Replace { add },
                    (None, Some(new)) => SlotPlan::Add { new },
                    (None, None) => SlotPlan::Empty,
                }
            })
            .collect()
    }

    /// Lists the ports `plans` add and remove in `report`.
    fn report_added_and_removed(
        &self,
        plans: &[SlotPlan],
        ports: &[PortSettings],
        report: &mut Reconfiguration,
    ) {
        for (slot, plan) in plans.iter().enumerate() {
            let port = PortIndex::from_usize(slot);
            let (removed, added) = match *plan {
                SlotPlan::Replace { add } => (self.port(port), add),
                SlotPlan::Add { new } => (None, Some(new)),
                SlotPlan::Keep { .. } | SlotPlan::Empty => (None, None),
            };
            let change = |name: &str| PortChange {
                port,
                interface: name.to_owned(),
                because: Vec::new(),
            };
            if let Some(p) = removed {
                report.removed.push(change(&p.settings.name));
            }
            if let Some(p) = added.and_then(|i| ports.get(i)) {
                report.added.push(change(&p.name));
            }
        }
    }

    /// Applies the clock-wide settings of `new` that are taken in place (the caller has
    /// checked that none calls for a restart), keeping what management set where the
    /// configuration did not change it.
    fn apply_clock(&mut self, new: &InstanceSettings) {
        let old = &self.settings;
        let managed = Managed::of(self).merge(Managed::configured(old), Managed::configured(new));
        if old.time_properties.current_utc_offset != new.time_properties.current_utc_offset {
            // ptp4l's rule starts again from the configured offset; the state decision
            // takes a master's again if it announces a better one.
            self.utc_offset = new.time_properties.current_utc_offset;
        }
        if old.servo_config != new.servo_config {
            self.servo.reconfigure(&new.servo_config);
        }
        if old.seed != new.seed {
            self.rng = Rng::seed_from_u64(new.seed);
        }
        managed.apply(self);
        self.default_ds.slave_only = new.slave_only;
        self.default_ds.local_priority = new.local_priority;
        self.default_ds.max_steps_removed = new.max_steps_removed;
        for p in self.live_ports_mut() {
            p.foreign.set_max_steps_removed(new.max_steps_removed);
        }
    }

    /// Applies a port's settings that are taken in place. Interval changes take effect
    /// when each timer next expires (the next Announce, Sync or Delay_Req goes out on the
    /// old schedule, the ones after on the new: never early, at most one old interval
    /// late); the delay filter keeps the samples that fit its new length.
    fn apply_port(&mut self, port: PortIndex, new: PortSettings) {
        let Some(p) = self.port_mut(port) else {
            return;
        };
        let old = &p.settings;
        if old.log_min_delay_req_interval != new.log_min_delay_req_interval {
            // A slave's interval is its master's once a Delay_Resp has told it.
            p.ds.log_min_delay_req_interval = new.log_min_delay_req_interval;
        }
        let filter_changed = (
            old.delay_filter_median,
            old.delay_filter_length,
            old.raw_delay,
        ) != (
            new.delay_filter_median,
            new.delay_filter_length,
            new.raw_delay,
        );
        if filter_changed {
            p.delay_filter.reconfigure(
                new.delay_filter_median,
                new.delay_filter_length,
                new.raw_delay,
            );
            if let Some(delay) = p.delay_filter.value().filter(|_| !new.raw_delay) {
                if p.mean_path_delay.is_some() {
                    p.mean_path_delay = Some(delay);
                    if p.is_p2p() {
                        p.ds.peer_mean_path_delay = delay;
                    }
                }
            }
        }
        p.ds.log_announce_interval = new.log_announce_interval;
        p.ds.announce_receipt_timeout = new.announce_receipt_timeout;
        p.ds.log_sync_interval = new.log_sync_interval;
        p.ds.log_min_pdelay_req_interval = new.log_min_pdelay_req_interval;
        p.ds.local_priority = new.local_priority;
        p.settings = new;
    }

    /// Restarts `port` with `settings`: its sockets are closed, it goes DISABLED, starts
    /// afresh (nothing measured, no foreign masters, counters at zero), and is opened and
    /// LISTENING again — unless management had disabled it, when it stays DISABLED.
    fn restart_port(&mut self, port: PortIndex, settings: PortSettings, sink: &mut dyn ActionSink) {
        let disabled = self
            .port(port)
            .is_some_and(|p| p.state() == PortState::Disabled);
        cancel_all_timers(sink, port);
        self.set_state(port, PortState::Disabled, sink);
        let mut fresh = Port::new(port, &self.default_ds, settings);
        fresh.ds.port_state = PortState::Disabled;
        self.set_slot(port, Some(fresh));
        if !disabled {
            self.initialize_port(port, sink);
        }
    }

    /// Takes `port` out: timers cancelled, sockets closed, DISABLED, its slot empty.
    fn remove_port(&mut self, port: PortIndex, sink: &mut dyn ActionSink) {
        cancel_all_timers(sink, port);
        self.set_state(port, PortState::Disabled, sink);
        self.set_slot(port, None);
    }

    /// Puts a new port with `settings` in the empty slot `port`, opened and LISTENING.
    fn add_port(&mut self, port: PortIndex, settings: PortSettings, sink: &mut dyn ActionSink) {
        let fresh = Port::new(port, &self.default_ds, settings);
        self.set_slot(port, Some(fresh));
        self.initialize_port(port, sink);
    }

    /// Restarts the instance with `settings` laid out as `layout`: every port is closed and
    /// DISABLED, the engine starts afresh (data sets, foreign masters, servo), and every
    /// port is opened again. The new servo starts from the frequency the clock runs at, so
    /// the clock does not jump; the values management set are kept as
    /// [`Instance::reconfigure`] says.
    fn restart_instance(
        &mut self,
        settings: InstanceSettings,
        layout: &[Option<usize>],
        now: Time,
        sink: &mut dyn ActionSink,
    ) {
        for port in self.ports().collect::<Vec<_>>() {
            cancel_all_timers(sink, port);
            self.set_state(port, PortState::Disabled, sink);
        }
        let managed = Managed::of(self).merge(
            Managed::configured(&self.settings),
            Managed::configured(&settings),
        );
        // A free-running clock was never adjusted: it runs at the frequency it started at.
        let frequency = if self.settings.free_running {
            Ppb::ZERO
        } else {
            self.frequency
        };
        let kept: Vec<String> = self
            .live_ports()
            .map(|(_, p)| p.settings.name.clone())
            .collect();
        let mut fresh = Instance::build(settings, layout, frequency);
        fresh.next_tag = self.next_tag;
        managed.apply(&mut fresh);
        fresh.parent_ds = super::datasets::ParentDs::of_self(&fresh.default_ds);
        // The ports that were running continue from DISABLED; the added ones start from
        // INITIALIZING.
        for p in fresh.live_ports_mut() {
            if kept.contains(&p.settings.name) {
                p.ds.port_state = PortState::Disabled;
            }
        }
        *self = fresh;
        self.start(now, sink);
    }
}

/// The in-place changes `names` of `port` (`None`: clock-wide) for the report.
fn in_place(port: Option<PortIndex>, names: &[&'static str]) -> Vec<SettingChange> {
    names
        .iter()
        .map(|&name| SettingChange { port, name })
        .collect()
}

#[cfg(test)]
mod tests;
