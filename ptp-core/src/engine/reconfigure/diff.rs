//! What a change of settings costs: every field of [`InstanceSettings`], [`PortSettings`]
//! (with its [`PortTransport`]) and [`ServoConfig`] is put in one class here, by destructuring
//! each struct without `..`, so that a field added later does not compile until it is
//! classified. The classes and the reasons for them are the table in the engine's
//! documentation ([`crate::engine`]).

use super::super::settings::{InstanceSettings, PortSettings, PortTransport};
use crate::servo::ServoConfig;

/// What a setting's change costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Applied while running, without a state change (a change the BMCA depends on runs the
    /// state decision again).
    InPlace,
    /// A restart: of the port (closed, DISABLED, new settings, opened, LISTENING) for a
    /// port's setting, of the whole instance for a clock-wide one.
    Restart,
}

/// The settings that changed, by their `ptp4l.conf` names, and what the change costs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// Changed in place.
    pub(crate) in_place: Vec<&'static str>,
    /// Changed, and call for a restart (of the port, or of the instance for clock-wide
    /// settings).
    pub(crate) restart: Vec<&'static str>,
}

impl Changes {
    /// Notes `name` if it `changed`.
    fn note(&mut self, name: &'static str, class: Class, changed: bool) {
        if !changed {
            return;
        }
        match class {
            Class::InPlace => self.in_place.push(name),
            Class::Restart => self.restart.push(name),
        }
    }

    /// Nothing changed.
    pub(crate) fn is_empty(&self) -> bool {
        self.in_place.is_empty() && self.restart.is_empty()
    }
}

/// The clock-wide settings that differ between `old` and `new` (the ports are matched and
/// compared one by one with [`port_changes`]).
pub(crate) fn instance_changes(old: &InstanceSettings, new: &InstanceSettings) -> Changes {
    use Class::{InPlace, Restart};
    let InstanceSettings {
        clock_identity,
        clock_quality,
        priority_1,
        priority_2,
        domain_number,
        slave_only,
        major_sdo_id,
        minor_version_ptp,
        dataset_comparison,
        local_priority,
        max_steps_removed,
        time_properties,
        servo,
        servo_config,
        free_running,
        time_stamping,
        description,
        seed,
        ports: _,
    } = new;
    let mut c = Changes::default();
    c.note(
        "clockIdentity",
        Restart,
        *clock_identity != old.clock_identity,
    );
    c.note("clockQuality", InPlace, *clock_quality != old.clock_quality);
    c.note("priority1", InPlace, *priority_1 != old.priority_1);
    c.note("priority2", InPlace, *priority_2 != old.priority_2);
    c.note("domainNumber", Restart, *domain_number != old.domain_number);
    c.note("slaveOnly", InPlace, *slave_only != old.slave_only);
    c.note(
        "transportSpecific",
        Restart,
        *major_sdo_id != old.major_sdo_id,
    );
    c.note(
        "ptp_minor_version",
        InPlace,
        *minor_version_ptp != old.minor_version_ptp,
    );
    c.note(
        "dataset_comparison",
        InPlace,
        *dataset_comparison != old.dataset_comparison,
    );
    c.note(
        "G.8275.defaultDS.localPriority",
        InPlace,
        *local_priority != old.local_priority,
    );
    c.note(
        "maxStepsRemoved",
        InPlace,
        *max_steps_removed != old.max_steps_removed,
    );
    c.note(
        "timeProperties",
        InPlace,
        *time_properties != old.time_properties,
    );
    c.note("clock_servo", Restart, *servo != old.servo);
    servo_changes(&old.servo_config, servo_config, &mut c);
    c.note("free_running", Restart, *free_running != old.free_running);
    c.note(
        "time_stamping",
        Restart,
        *time_stamping != old.time_stamping,
    );
    c.note("clockDescription", InPlace, *description != old.description);
    c.note("seed", InPlace, *seed != old.seed);
    c
}

/// The servo options that differ: all taken in place by the servo
/// ([`crate::servo::Servo::reconfigure`]).
fn servo_changes(old: &ServoConfig, new: &ServoConfig, c: &mut Changes) {
    let ServoConfig {
        pi_proportional_const,
        pi_integral_const,
        pi_proportional_scale,
        pi_proportional_exponent,
        pi_proportional_norm_max,
        pi_integral_scale,
        pi_integral_exponent,
        pi_integral_norm_max,
        step_threshold,
        first_step_threshold,
        max_frequency,
        servo_offset_threshold,
        servo_num_offset_values,
        time_stamping,
        sync_interval,
        kalman,
        statime,
    } = new;
    let mut note = |name, changed| c.note(name, Class::InPlace, changed);
    note(
        "pi_proportional_const",
        *pi_proportional_const != old.pi_proportional_const,
    );
    note(
        "pi_integral_const",
        *pi_integral_const != old.pi_integral_const,
    );
    note(
        "pi_proportional_scale",
        *pi_proportional_scale != old.pi_proportional_scale,
    );
    note(
        "pi_proportional_exponent",
        *pi_proportional_exponent != old.pi_proportional_exponent,
    );
    note(
        "pi_proportional_norm_max",
        *pi_proportional_norm_max != old.pi_proportional_norm_max,
    );
    note(
        "pi_integral_scale",
        *pi_integral_scale != old.pi_integral_scale,
    );
    note(
        "pi_integral_exponent",
        *pi_integral_exponent != old.pi_integral_exponent,
    );
    note(
        "pi_integral_norm_max",
        *pi_integral_norm_max != old.pi_integral_norm_max,
    );
    note("step_threshold", *step_threshold != old.step_threshold);
    note(
        "first_step_threshold",
        *first_step_threshold != old.first_step_threshold,
    );
    note("max_frequency", *max_frequency != old.max_frequency);
    note(
        "servo_offset_threshold",
        *servo_offset_threshold != old.servo_offset_threshold,
    );
    note(
        "servo_num_offset_values",
        *servo_num_offset_values != old.servo_num_offset_values,
    );
    // The servo's copy of time_stamping: the clock-wide one restarts the instance.
    note("servo time stamping", *time_stamping != old.time_stamping);
    note("servo sync interval", *sync_interval != old.sync_interval);
    note("kalman tuning", *kalman != old.kalman);
    note("statime tuning", *statime != old.statime);
}

/// The settings of one port (matched by name) that differ between `old` and `new`.
pub(crate) fn port_changes(old: &PortSettings, new: &PortSettings) -> Changes {
    use Class::{InPlace, Restart};
    let PortSettings {
        name: _,
        transport,
        delay_mechanism,
        log_announce_interval,
        announce_receipt_timeout,
        log_sync_interval,
        log_min_delay_req_interval,
        log_min_pdelay_req_interval,
        delay_request_variability,
        delay_asymmetry,
        ingress_latency,
        egress_latency,
        master_only,
        local_priority,
        fault_reset_interval,
        delay_filter_median,
        delay_filter_length,
        neighbor_prop_delay_thresh,
        raw_delay,
        ignore_transport_specific,
        path_trace_enabled,
        unicast_peers,
        physical_address,
        protocol_address,
    } = new;
    let mut c = Changes::default();
    transport_changes(&old.transport, transport, &mut c);
    c.note(
        "delay_mechanism",
        Restart,
        *delay_mechanism != old.delay_mechanism,
    );
    c.note(
        "logAnnounceInterval",
        InPlace,
        *log_announce_interval != old.log_announce_interval,
    );
    c.note(
        "announceReceiptTimeout",
        InPlace,
        *announce_receipt_timeout != old.announce_receipt_timeout,
    );
    c.note(
        "logSyncInterval",
        InPlace,
        *log_sync_interval != old.log_sync_interval,
    );
    c.note(
        "logMinDelayReqInterval",
        InPlace,
        *log_min_delay_req_interval != old.log_min_delay_req_interval,
    );
    c.note(
        "logMinPdelayReqInterval",
        InPlace,
        *log_min_pdelay_req_interval != old.log_min_pdelay_req_interval,
    );
    c.note(
        "delay_request_variability",
        InPlace,
        *delay_request_variability != old.delay_request_variability,
    );
    c.note(
        "delayAsymmetry",
        InPlace,
        *delay_asymmetry != old.delay_asymmetry,
    );
    c.note(
        "ingressLatency",
        InPlace,
        *ingress_latency != old.ingress_latency,
    );
    c.note(
        "egressLatency",
        InPlace,
        *egress_latency != old.egress_latency,
    );
    c.note("masterOnly", Restart, *master_only != old.master_only);
    c.note(
        "G.8275.portDS.localPriority",
        InPlace,
        *local_priority != old.local_priority,
    );
    c.note(
        "fault_reset_interval",
        InPlace,
        *fault_reset_interval != old.fault_reset_interval,
    );
    c.note(
        "delay_filter",
        InPlace,
        *delay_filter_median != old.delay_filter_median,
    );
    c.note(
        "delay_filter_length",
        InPlace,
        *delay_filter_length != old.delay_filter_length,
    );
    c.note(
        "neighborPropDelayThresh",
        InPlace,
        *neighbor_prop_delay_thresh != old.neighbor_prop_delay_thresh,
    );
    c.note("tsproc_mode", InPlace, *raw_delay != old.raw_delay);
    c.note(
        "ignore_transport_specific",
        InPlace,
        *ignore_transport_specific != old.ignore_transport_specific,
    );
    c.note(
        "path_trace_enabled",
        InPlace,
        *path_trace_enabled != old.path_trace_enabled,
    );
    c.note(
        "unicast_master_table",
        Restart,
        *unicast_peers != old.unicast_peers,
    );
    c.note(
        "physical address",
        InPlace,
        *physical_address != old.physical_address,
    );
    c.note(
        "protocol address",
        InPlace,
        *protocol_address != old.protocol_address,
    );
    c
}

/// The socket options that differ: every one restarts the port (its sockets are opened
/// again with them).
fn transport_changes(old: &PortTransport, new: &PortTransport, c: &mut Changes) {
    let PortTransport {
        network_transport,
        udp6_scope,
        udp_ttl,
        dscp_event,
        dscp_general,
        socket_priority,
        ptp_dst_mac,
        p2p_dst_mac,
    } = new;
    let mut note = |name, changed| c.note(name, Class::Restart, changed);
    note(
        "network_transport",
        *network_transport != old.network_transport,
    );
    note("udp6_scope", *udp6_scope != old.udp6_scope);
    note("udp_ttl", *udp_ttl != old.udp_ttl);
    note("dscp_event", *dscp_event != old.dscp_event);
    note("dscp_general", *dscp_general != old.dscp_general);
    note("socket_priority", *socket_priority != old.socket_priority);
    note("ptp_dst_mac", *ptp_dst_mac != old.ptp_dst_mac);
    note("p2p_dst_mac", *p2p_dst_mac != old.p2p_dst_mac);
}
