//! The rows of the option table: one per linuxptp option, grouped as linuxptp's
//! `default.cfg` groups them. See the parent module for what each column means.

use core::net::{Ipv4Addr, Ipv6Addr};

use super::{In31, OptionSpec, Scope, Support};
use crate::config::enums::{
    AsCapable, Bmca, ClockServo, ClockType, DatasetComparison, DelayFilter, DelayMechanism,
    ExttsPolarity, HwtsFilter, NetworkTransport, PowerProfileVersion, TimeStamping, TsprocMode,
};
use crate::config::value::{
    ConfiguredClockIdentity, FaultResetInterval, MacAddress, OptionValue, Oui, Radix, ValueError,
    ValueKind,
};
use crate::time::{Duration, LogInterval, Ppb};

const INT_MIN: i64 = i32::MIN as i64;
const INT_MAX: i64 = i32::MAX as i64;
const FLAG: ValueKind = ValueKind::Flag;
const TEXT: ValueKind = ValueKind::Text;
const OPT_TEXT: ValueKind = ValueKind::OptionalText;
const LOG: ValueKind = ValueKind::LogSecs {
    min: i8::MIN,
    max: i8::MAX,
};
const YES: Support = Support::Yes;
const TS2PHC: Support = Support::Ts2phc;
const SAME: In31 = In31::Same;
const ABSENT: In31 = In31::Absent;

const fn int(min: i64, max: i64) -> ValueKind {
    ValueKind::Int {
        min,
        max,
        radix: Radix::Decimal,
    }
}
const fn hex(min: i64, max: i64) -> ValueKind {
    ValueKind::Int {
        min,
        max,
        radix: Radix::Hex,
    }
}
const fn octal(min: i64, max: i64) -> ValueKind {
    ValueKind::Int {
        min,
        max,
        radix: Radix::Octal,
    }
}
const fn float(min: f64, max: f64) -> ValueKind {
    ValueKind::Float { min, max }
}
const fn ns(min: i64, max: i64) -> ValueKind {
    ValueKind::Nanos { min, max }
}
const fn secs(min: i64, max: i64) -> ValueKind {
    ValueKind::Secs { min, max }
}
const fn ppb(min: i64, max: i64) -> ValueKind {
    ValueKind::PartsPerBillion { min, max }
}
const fn not_yet(why: &'static str) -> Support {
    Support::NotYet(why)
}
const fn mac(b: [u8; 6]) -> MacAddress {
    MacAddress(b)
}

option_table! {
    global {
        // ---- Default data set (IEEE 1588-2019 8.2.1) ----
        /// Two-step clock (IEEE 1588-2019 8.2.1.2.1); 0 asks for one-step (with hardware
        /// time stamping ptp4l then switches time_stamping to onestep).
        ["twoStepFlag", FLAG, not_yet("one-step clocks"), SAME]
        two_step_flag: bool = true;
        /// The clock never becomes master (IEEE 1588-2019 8.2.1.5.4); ptp4l `-s`.
        ["slaveOnly", FLAG, YES, SAME]
        slave_only: bool = false;
        /// SO_PRIORITY of the sockets (L2 traffic classes).
        ["socket_priority", int(0, 15), YES, SAME]
        socket_priority: u8 = 0;
        /// priority1 (IEEE 1588-2019 8.2.1.4.1).
        ["priority1", int(0, 255), YES, SAME]
        priority1: u8 = 128;
        /// priority2 (IEEE 1588-2019 8.2.1.4.2).
        ["priority2", int(0, 255), YES, SAME]
        priority2: u8 = 128;
        /// domainNumber (IEEE 1588-2019 8.2.1.4.3).
        ["domainNumber", int(0, 255), YES, In31::Max(127)]
        domain_number: u8 = 0;
        /// clockQuality.clockClass (IEEE 1588-2019 7.6.2.5); forced to 255 by slaveOnly.
        ["clockClass", int(0, 255), YES, SAME]
        clock_class: u8 = 248;
        /// clockQuality.clockAccuracy (IEEE 1588-2019 7.6.2.6).
        ["clockAccuracy", hex(0, 255), YES, SAME]
        clock_accuracy: u8 = 0xFE;
        /// clockQuality.offsetScaledLogVariance (IEEE 1588-2019 7.6.3).
        ["offsetScaledLogVariance", hex(0, 0xFFFF), YES, SAME]
        offset_scaled_log_variance: u16 = 0xFFFF;
        /// Measure but never adjust the clock.
        ["free_running", FLAG, YES, SAME]
        free_running: bool = false;
        /// DSCP of event messages (UDP).
        ["dscp_event", int(0, 63), YES, SAME]
        dscp_event: u8 = 0;
        /// DSCP of general messages (UDP).
        ["dscp_general", int(0, 63), YES, SAME]
        dscp_general: u8 = 0;
        /// BMCA data set comparison: IEEE 1588 or the G.8275.x alternate BMCA.
        ["dataset_comparison", ValueKind::Enum(DatasetComparison::LABELS), YES, SAME]
        dataset_comparison: DatasetComparison = DatasetComparison::Ieee1588;
        /// G.8275 defaultDS.localPriority (G.8275.1 6.3.2).
        ["G.8275.defaultDS.localPriority", int(1, 255), YES, SAME]
        g8275_default_local_priority: u8 = 128;
        /// Announce messages with stepsRemoved at or above this are ignored
        /// (IEEE 1588-2019 9.3.2.5).
        ["maxStepsRemoved", int(2, 255), YES, SAME]
        max_steps_removed: u8 = 255;
        /// A master with a worse clockClass takes a client out of the locked state.
        ["clock_class_threshold", int(6, 248), not_yet("clock_class_threshold"), ABSENT]
        clock_class_threshold: u8 = 248;
        /// clockIdentity; all zeros derives it from the first port's MAC address.
        ["clockIdentity", ValueKind::ClockIdentity, YES, SAME]
        clock_identity: ConfiguredClockIdentity = ConfiguredClockIdentity([0; 8]);
        /// 802.1AS gmCapable.
        ["gmCapable", FLAG, not_yet("802.1AS gmCapable"), SAME]
        gm_capable: bool = true;

        // ---- Run time options ----
        /// Treat one-step Sync as two-step (802.1AS workaround).
        ["assume_two_step", FLAG, not_yet("assume_two_step"), SAME]
        assume_two_step: bool = false;
        /// Check that a Follow_Up belongs to the Sync received just before.
        ["check_fup_sync", FLAG, not_yet("check_fup_sync"), SAME]
        check_fup_sync: bool = false;
        /// Highest syslog level printed (0 emerg … 7 debug); ptp4l `-l`.
        ["logging_level", int(0, 7), YES, SAME]
        logging_level: u8 = 6;
        /// Print messages to standard output; ptp4l `-m`.
        ["verbose", FLAG, YES, SAME]
        verbose: bool = false;
        /// Send messages to syslog; ptp4l `-q` clears it.
        ["use_syslog", FLAG, YES, SAME]
        use_syslog: bool = true;
        /// Tag prefixed to every log message.
        ["message_tag", OPT_TEXT, YES, SAME]
        message_tag: Option<String> = None;
        /// Log2 seconds between servo statistics summaries; 0 logs every update.
        ["summary_interval", LOG, YES, SAME]
        summary_interval: LogInterval = LogInterval(0);
        /// How long to wait for a transmit time stamp.
        ["tx_timestamp_timeout", ValueKind::Millis { min: 1, max: INT_MAX }, YES, In31::Default("1")]
        tx_timestamp_timeout: Duration = Duration::from_millis(10);
        /// Let the kernel apply announced leap seconds.
        ["kernel_leap", FLAG, YES, SAME]
        kernel_leap: bool = true;
        /// currentUtcOffset announced by a grandmaster (IEEE 1588-2019 8.2.4.2), seconds.
        ["utc_offset", int(0, INT_MAX), YES, SAME]
        utc_offset: i32 = 37;
        /// tzdata leap-seconds.list used for the UTC offset and leap seconds.
        ["leapfile", OPT_TEXT, not_yet("leap second file"), SAME]
        leapfile: Option<String> = None;
        /// Path delay assumed before the first measurement.
        ["initial_delay", ns(0, INT_MAX), not_yet("initial_delay"), SAME]
        initial_delay: Duration = Duration::ZERO;
        /// How to treat the NIC's hardware time stamping filter.
        ["hwts_filter", ValueKind::Enum(HwtsFilter::LABELS), YES, SAME]
        hwts_filter: HwtsFilter = HwtsFilter::Normal;
        /// Transparent clock: increment stepsRemoved on forwarded Announce messages.
        ["tc_spanning_tree", FLAG, not_yet("transparent clocks"), SAME]
        tc_spanning_tree: bool = false;
        /// UDS address that receives slave event monitoring TLVs.
        ["slave_event_monitor", TEXT, not_yet("slave event monitoring"), SAME]
        slave_event_monitor: String = String::new();
        /// Management socket (read-write).
        ["uds_address", TEXT, YES, SAME]
        uds_address: String = "/var/run/ptp4l".into();
        /// Management socket (read-only).
        ["uds_ro_address", TEXT, not_yet("read-only management socket"), ABSENT]
        uds_ro_address: String = "/var/run/ptp4lro".into();
        /// Write phase adjustments (ADJ_OFFSET) instead of frequency.
        ["write_phase_mode", FLAG, not_yet("write_phase_mode"), SAME]
        write_phase_mode: bool = false;
        /// minorVersionPTP sent (IEEE 1588-2019 13.3.2.4). Ours defaults to 0 (upstream: 1):
        /// linuxptp 3.x drops 2.1 messages.
        ["ptp_minor_version", int(0, 1), YES, ABSENT]
        ptp_minor_version: u8 = 0;
        /// Security association file (IEEE 1588-2019 Annex P authentication).
        ["sa_file", OPT_TEXT, not_yet("authentication"), ABSENT]
        sa_file: Option<String> = None;
        /// User to run as once the sockets are open (upstream after 4.4); empty keeps root.
        ["user", TEXT, not_yet("dropping privileges to another user"), ABSENT]
        user: String = String::new();

        // ---- Servo options ----
        /// The servo algorithm. Our default is `kalman`, our own servo (linuxptp's is `pi`,
        /// which a file that says `clock_servo pi` gets exactly); `kalman` and `statime` are
        /// our extensions.
        ["clock_servo", ValueKind::Enum(ClockServo::LABELS), YES, SAME]
        clock_servo: ClockServo = ClockServo::Kalman;
        /// Fixed PI proportional gain; 0 derives it from the sync interval.
        ["pi_proportional_const", float(0.0, f64::MAX), YES, SAME]
        pi_proportional_const: f64 = 0.0;
        /// Fixed PI integral gain; 0 derives it from the sync interval.
        ["pi_integral_const", float(0.0, f64::MAX), YES, SAME]
        pi_integral_const: f64 = 0.0;
        /// PI proportional scale; 0 picks 0.7 (hardware) or 0.1 (software).
        ["pi_proportional_scale", float(0.0, f64::MAX), YES, SAME]
        pi_proportional_scale: f64 = 0.0;
        /// PI proportional exponent of the sync interval.
        ["pi_proportional_exponent", float(-f64::MAX, f64::MAX), YES, SAME]
        pi_proportional_exponent: f64 = -0.3;
        /// Upper bound of the proportional gain times the sync interval.
        ["pi_proportional_norm_max", float(f64::MIN_POSITIVE, 1.0), YES, SAME]
        pi_proportional_norm_max: f64 = 0.7;
        /// PI integral scale; 0 picks 0.3 (hardware) or 0.001 (software).
        ["pi_integral_scale", float(0.0, f64::MAX), YES, SAME]
        pi_integral_scale: f64 = 0.0;
        /// PI integral exponent of the sync interval.
        ["pi_integral_exponent", float(-f64::MAX, f64::MAX), YES, SAME]
        pi_integral_exponent: f64 = 0.4;
        /// Upper bound of the integral gain times the sync interval.
        ["pi_integral_norm_max", float(f64::MIN_POSITIVE, 2.0), YES, SAME]
        pi_integral_norm_max: f64 = 0.3;
        /// Step the clock when the offset exceeds this; 0 never steps after the start.
        ["step_threshold", ValueKind::DecimalSecs, YES, SAME]
        step_threshold: Duration = Duration::ZERO;
        /// Step on the first update when the offset exceeds this; 0 never.
        ["first_step_threshold", ValueKind::DecimalSecs, YES, SAME]
        first_step_threshold: Duration = Duration::from_micros(20);
        /// Largest frequency adjustment the servo applies.
        ["max_frequency", ppb(0, INT_MAX), YES, SAME]
        max_frequency: Ppb = Ppb(900_000_000.0);
        /// Reset the servo when the frequency estimate exceeds this; 0 disables the check.
        ["sanity_freq_limit", ppb(0, INT_MAX), YES, SAME]
        sanity_freq_limit: Ppb = Ppb(200_000_000.0);
        /// Offset below which the servo counts as LOCKED_STABLE; 0 disables that state.
        ["servo_offset_threshold", ns(0, INT_MAX), YES, SAME]
        servo_offset_threshold: Duration = Duration::ZERO;
        /// Consecutive offsets below servo_offset_threshold needed for LOCKED_STABLE.
        ["servo_num_offset_values", int(0, INT_MAX), YES, SAME]
        servo_num_offset_values: u32 = 10;
        /// Seconds of samples the linreg servo ignores after a step.
        ["step_window", int(0, INT_MAX), not_yet("step_window"), ABSENT]
        step_window: u32 = 0;
        /// NTP SHM segment of the ntpshm servo.
        ["ntpshm_segment", int(INT_MIN, INT_MAX), not_yet("the ntpshm servo"), SAME]
        ntpshm_segment: i32 = 0;
        /// chronyd SOCK refclock of the refclock_sock servo.
        ["refclock_sock_address", TEXT, not_yet("the refclock_sock servo"), ABSENT]
        refclock_sock_address: String = "/var/run/refclock.ptp.sock".into();

        // ---- Clock description (IEEE 1588-2019 15.5.3.1.2) and type ----
        /// productDescription: manufacturer;model;instance.
        ["productDescription", TEXT, YES, SAME]
        product_description: String = ";;".into();
        /// revisionData: hardware;firmware;software.
        ["revisionData", TEXT, YES, SAME]
        revision_data: String = ";;".into();
        /// manufacturerIdentity (OUI).
        ["manufacturerIdentity", ValueKind::Oui, YES, SAME]
        manufacturer_identity: Oui = Oui([0; 3]);
        /// userDescription: name;location.
        ["userDescription", TEXT, YES, SAME]
        user_description: String = String::new();
        /// timeSource announced as grandmaster (IEEE 1588-2019 7.6.2.8); 0xA0 is
        /// INTERNAL_OSCILLATOR.
        ["timeSource", hex(0x10, 0xFE), YES, SAME]
        time_source: u8 = 0xA0;
        /// Ordinary, boundary or transparent clock.
        ["clock_type", ValueKind::Enum(ClockType::LABELS), YES, SAME]
        clock_type: ClockType = ClockType::Oc;
        /// Time stamping mode; ptp4l `-H`, `-S`, `-L`.
        ["time_stamping", ValueKind::Enum(TimeStamping::LABELS), YES, SAME]
        time_stamping: TimeStamping = TimeStamping::Hardware;

        // ---- ts2phc (clock-wide) ----
        /// ts2phc: remote NMEA host (instead of a serial port).
        ["ts2phc.nmea_remote_host", TEXT, TS2PHC, SAME]
        ts2phc_nmea_remote_host: String = String::new();
        /// ts2phc: remote NMEA port.
        ["ts2phc.nmea_remote_port", TEXT, TS2PHC, SAME]
        ts2phc_nmea_remote_port: String = String::new();
        /// ts2phc: serial port of the NMEA receiver.
        ["ts2phc.nmea_serialport", TEXT, TS2PHC, SAME]
        ts2phc_nmea_serialport: String = "/dev/ttyS0".into();
        /// ts2phc: pulse width of the PPS signal (for both-edge time stamping).
        ["ts2phc.pulsewidth", ns(1_000_000, 999_000_000), TS2PHC, SAME]
        ts2phc_pulsewidth: Duration = Duration::from_millis(500);
        /// ts2phc: source of the time of day (generic, nmea or a PHC).
        ["ts2phc.tod_source", TEXT, TS2PHC, ABSENT]
        ts2phc_tod_source: String = "generic".into();
        /// ts2phc: the PPS comes from outside, not from a PHC's periodic output.
        ["ts2phc.external_pps", FLAG, TS2PHC, ABSENT]
        ts2phc_external_pps: bool = false;
        /// ts2phc: pulses per second of the input signal (upstream after 4.4).
        ["ts2phc.pulserate", int(1, 128), TS2PHC, ABSENT]
        ts2phc_pulserate: u8 = 1;
    }
    port {
        // ---- Port data set (IEEE 1588-2019 8.2.15) ----
        /// logAnnounceInterval (IEEE 1588-2019 7.7.2.2).
        ["logAnnounceInterval", LOG, YES, SAME]
        log_announce_interval: LogInterval = LogInterval(1);
        /// logSyncInterval (IEEE 1588-2019 7.7.2.3).
        ["logSyncInterval", LOG, YES, SAME]
        log_sync_interval: LogInterval = LogInterval(0);
        /// Sync interval requested once LOCKED_STABLE (with msg_interval_request).
        ["operLogSyncInterval", LOG, not_yet("message interval requests"), SAME]
        oper_log_sync_interval: LogInterval = LogInterval(0);
        /// logMinDelayReqInterval (IEEE 1588-2019 7.7.2.4).
        ["logMinDelayReqInterval", LOG, YES, SAME]
        log_min_delay_req_interval: LogInterval = LogInterval(0);
        /// logMinPdelayReqInterval (IEEE 1588-2019 7.7.2.5).
        ["logMinPdelayReqInterval", LOG, YES, SAME]
        log_min_pdelay_req_interval: LogInterval = LogInterval(0);
        /// Pdelay_Req interval used once LOCKED_STABLE (with msg_interval_request).
        ["operLogPdelayReqInterval", LOG, not_yet("message interval requests"), SAME]
        oper_log_pdelay_req_interval: LogInterval = LogInterval(0);
        /// Spread of the Delay_Req interval: each one is drawn uniformly from
        /// (1 − v … 1 + v) × 2^logMinDelayReqInterval (upstream after 4.4; G.8275.1 asks for
        /// 0.3). 1.0 is IEEE 1588-2019 9.5.11.2's 0 … 2× and linuxptp 3.x's behaviour.
        ["delay_request_variability", float(0.0, 1.0), YES, ABSENT]
        delay_request_variability: f64 = 1.0;
        /// announceReceiptTimeout (IEEE 1588-2019 8.2.15.4.2).
        ["announceReceiptTimeout", int(2, 255), YES, SAME]
        announce_receipt_timeout: u8 = 3;
        /// Missed Syncs before a BMCA election; 0 disables (802.1AS).
        ["syncReceiptTimeout", int(0, 255), not_yet("syncReceiptTimeout"), SAME]
        sync_receipt_timeout: u8 = 0;
        /// delayAsymmetry (IEEE 1588-2019 8.2.15.5.1), positive when master-to-slave is longer.
        ["delayAsymmetry", ns(INT_MIN, INT_MAX), YES, SAME]
        delay_asymmetry: Duration = Duration::ZERO;
        /// Log2 seconds before a faulty port is reset, or ASAP.
        ["fault_reset_interval", ValueKind::FaultReset, YES, SAME]
        fault_reset_interval: FaultResetInterval = FaultResetInterval::Log(LogInterval(4));
        /// Seconds before a bad peer network fault is reset, or ASAP.
        ["fault_badpeernet_interval", ValueKind::BadPeerNet, not_yet("the bad peer network fault"), SAME]
        fault_badpeernet_interval: Duration = Duration::from_secs(16);
        /// Peer delay above which the link is not asCapable (802.1AS).
        ["neighborPropDelayThresh", ns(0, INT_MAX), not_yet("802.1AS asCapable"), SAME]
        neighbor_prop_delay_thresh: Duration = Duration::from_millis(20);
        /// Peer delay below which the link is not asCapable.
        ["min_neighbor_prop_delay", ns(INT_MIN, -1), not_yet("802.1AS asCapable"), SAME]
        min_neighbor_prop_delay: Duration = Duration::from_millis(-20);
        /// The port never becomes slave.
        ["masterOnly", FLAG, YES, SAME]
        master_only: bool = false;
        /// G.8275 portDS.localPriority (G.8275.1 6.3.2).
        ["G.8275.portDS.localPriority", int(1, 255), YES, SAME]
        g8275_port_local_priority: u8 = 128;
        /// 802.1AS asCapable handling.
        ["asCapable", ValueKind::Enum(AsCapable::LABELS), YES, SAME]
        as_capable: AsCapable = AsCapable::Auto;
        /// Port BMCA: IEEE 1588 or none (static roles).
        ["BMCA", ValueKind::Enum(Bmca::LABELS), YES, SAME]
        bmca: Bmca = Bmca::Ptp;
        /// Do not send Announce messages.
        ["inhibit_announce", FLAG, not_yet("inhibit_announce"), SAME]
        inhibit_announce: bool = false;
        /// Do not send Delay_Req messages.
        ["inhibit_delay_req", FLAG, not_yet("inhibit_delay_req"), SAME]
        inhibit_delay_req: bool = false;
        /// Ignore the source port identity of Sync/Follow_Up.
        ["ignore_source_id", FLAG, not_yet("ignore_source_id"), SAME]
        ignore_source_id: bool = false;

        // ---- Run time options ----
        /// Path trace (IEEE 1588-2019 16.2).
        ["path_trace_enabled", FLAG, YES, SAME]
        path_trace_enabled: bool = false;
        /// 802.1AS follow-up information TLV.
        ["follow_up_info", FLAG, not_yet("802.1AS follow_up_info"), SAME]
        follow_up_info: bool = false;
        /// Hybrid E2E: unicast Delay_Req to the master (Enterprise profile).
        ["hybrid_e2e", FLAG, not_yet("hybrid E2E"), SAME]
        hybrid_e2e: bool = false;
        /// Suppress all multicast (unicast only).
        ["inhibit_multicast_service", FLAG, not_yet("inhibit_multicast_service"), SAME]
        inhibit_multicast_service: bool = false;
        /// NetSync Monitor support.
        ["net_sync_monitor", FLAG, not_yet("NetSync monitor"), SAME]
        net_sync_monitor: bool = false;
        /// Grant unicast negotiation requests (IEEE 1588-2019 16.1).
        ["unicast_listen", FLAG, not_yet("the unicast negotiation service"), SAME]
        unicast_listen: bool = false;
        /// The unicast_master_table this port uses; 0 for none. The engine sends to the table's
        /// addresses statically (IEEE 1588-2019 16.1 without negotiation); ptp4l negotiates
        /// with REQUEST/GRANT signaling, which is not implemented yet.
        ["unicast_master_table", int(0, INT_MAX), not_yet("unicast negotiation (the table is used statically)"), SAME]
        unicast_master_table: u32 = 0;
        /// Duration of requested unicast grants.
        ["unicast_req_duration", secs(10, INT_MAX), not_yet("unicast negotiation"), SAME]
        unicast_req_duration: Duration = Duration::from_secs(3600);
        /// Ask the master for operLog* intervals once LOCKED_STABLE.
        ["msg_interval_request", FLAG, not_yet("message interval requests"), SAME]
        msg_interval_request: bool = false;
        /// Log2 seconds of the frequency estimation interval (free_running, TC).
        ["freq_est_interval", LOG, not_yet("the free-running frequency estimate"), SAME]
        freq_est_interval: LogInterval = LogInterval(1);

        // ---- Transport options ----
        /// transportSpecific / majorSdoId nibble (IEEE 1588-2019 13.3.2.2); 1 for gPTP.
        ["transportSpecific", hex(0, 0x0F), YES, SAME]
        transport_specific: u8 = 0;
        /// Accept messages whatever their transportSpecific.
        ["ignore_transport_specific", FLAG, YES, SAME]
        ignore_transport_specific: bool = false;
        /// L2 destination of non-peer messages.
        ["ptp_dst_mac", ValueKind::Mac, YES, SAME]
        ptp_dst_mac: MacAddress = mac([0x01, 0x1B, 0x19, 0, 0, 0]);
        /// L2 destination of peer delay messages.
        ["p2p_dst_mac", ValueKind::Mac, YES, SAME]
        p2p_dst_mac: MacAddress = mac([0x01, 0x80, 0xC2, 0, 0, 0x0E]);
        /// IPv4 destination of non-peer messages.
        ["ptp_dst_ipv4", ValueKind::Ipv4, not_yet("destination addresses other than IEEE 1588's"), ABSENT]
        ptp_dst_ipv4: Ipv4Addr = Ipv4Addr::new(224, 0, 1, 129);
        /// IPv4 destination of peer delay messages.
        ["p2p_dst_ipv4", ValueKind::Ipv4, not_yet("destination addresses other than IEEE 1588's"), ABSENT]
        p2p_dst_ipv4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 107);
        /// IPv6 destination of non-peer messages (udp6_scope sets the scope nibble).
        ["ptp_dst_ipv6", ValueKind::Ipv6, not_yet("destination addresses other than IEEE 1588's (the scope comes from udp6_scope)"), ABSENT]
        ptp_dst_ipv6: Ipv6Addr = Ipv6Addr::new(0xFF0E, 0, 0, 0, 0, 0, 0, 0x181);
        /// IPv6 destination of peer delay messages.
        ["p2p_dst_ipv6", ValueKind::Ipv6, not_yet("destination addresses other than IEEE 1588's"), ABSENT]
        p2p_dst_ipv6: Ipv6Addr = Ipv6Addr::new(0xFF02, 0, 0, 0, 0, 0, 0, 0x6B);
        /// IPv4 TTL / IPv6 hop limit.
        ["udp_ttl", int(1, 255), YES, SAME]
        udp_ttl: u8 = 1;
        /// IPv6 multicast scope nibble (0x0E global).
        ["udp6_scope", hex(0, 0x0F), YES, SAME]
        udp6_scope: u8 = 0x0E;
        /// Network transport; ptp4l `-2`, `-4`, `-6`.
        ["network_transport", ValueKind::Enum(NetworkTransport::LABELS), YES, SAME]
        network_transport: NetworkTransport = NetworkTransport::UdpV4;
        /// Delay mechanism; ptp4l `-A`, `-E`, `-P`.
        ["delay_mechanism", ValueKind::Enum(DelayMechanism::LABELS), YES, SAME]
        delay_mechanism: DelayMechanism = DelayMechanism::E2E;
        /// Time stamp processing mode.
        ["tsproc_mode", ValueKind::Enum(TsprocMode::LABELS), YES, SAME]
        tsproc_mode: TsprocMode = TsprocMode::Filter;
        /// Path delay filter.
        ["delay_filter", ValueKind::Enum(DelayFilter::LABELS), YES, SAME]
        delay_filter: DelayFilter = DelayFilter::MovingMedian;
        /// Samples in the path delay filter.
        ["delay_filter_length", int(1, INT_MAX), YES, SAME]
        delay_filter_length: u32 = 10;
        /// Transmit latency correction (IEEE 1588-2019 7.3.4.1).
        ["egressLatency", ns(INT_MIN, INT_MAX), YES, SAME]
        egress_latency: Duration = Duration::ZERO;
        /// Receive latency correction (IEEE 1588-2019 7.3.4.1).
        ["ingressLatency", ns(INT_MIN, INT_MAX), YES, SAME]
        ingress_latency: Duration = Duration::ZERO;
        /// Allow a boundary clock whose ports are on different PHCs.
        ["boundary_clock_jbod", FLAG, not_yet("boundary clocks over several PHCs"), SAME]
        boundary_clock_jbod: bool = false;
        /// File mode of the management socket. A port option upstream, where the UDS port
        /// reads it; in `[global]` it sets the agent's socket.
        ["uds_file_mode", octal(0, 0o777), YES, ABSENT]
        uds_file_mode: u16 = 0o660;
        /// File mode of the read-only management socket.
        ["uds_ro_file_mode", octal(0, 0o777), not_yet("uds_ro_file_mode"), ABSENT]
        uds_ro_file_mode: u16 = 0o666;
        /// profileIdentity answered in CLOCK_DESCRIPTION (upstream after 4.4); all zeros derives
        /// it from the delay mechanism (and, upstream, the telecom profile).
        ["profileIdentity", ValueKind::Mac, not_yet("an explicit profileIdentity"), ABSENT]
        profile_identity: MacAddress = mac([0; 6]);
        /// PHC (or virtual clock) index to use; -1 picks the interface's.
        ["phc_index", int(-1, INT_MAX), not_yet("phc_index (virtual clocks)"), ABSENT]
        phc_index: i32 = -1;

        // ---- 802.1AS, management, authentication, CMLDS, power profile (linuxptp 4.x) ----
        /// 802.1AS allowedLostResponses.
        ["allowedLostResponses", int(1, 255), not_yet("802.1AS allowedLostResponses"), ABSENT]
        allowed_lost_responses: u8 = 3;
        /// 802.1AS delay response timeout.
        ["delay_response_timeout", int(0, 255), not_yet("802.1AS delay_response_timeout"), ABSENT]
        delay_response_timeout: u8 = 0;
        /// Send the 802.1AS interface rate TLV.
        ["interface_rate_tlv", FLAG, not_yet("interface rate TLV"), ABSENT]
        interface_rate_tlv: bool = false;
        /// Authentication: active key.
        ["active_key_id", int(0, u32::MAX as i64), not_yet("authentication"), ABSENT]
        active_key_id: u32 = 0;
        /// Authentication: accept unauthenticated messages (0, 1, 2).
        ["allow_unauth", int(0, 2), not_yet("authentication"), ABSENT]
        allow_unauth: u8 = 0;
        /// Authentication: security parameter pointer; -1 disables.
        ["spp", int(-1, 255), not_yet("authentication"), ABSENT]
        spp: i16 = -1;
        /// CMLDS client socket.
        ["cmlds.client_address", TEXT, not_yet("CMLDS"), ABSENT]
        cmlds_client_address: String = "/var/run/cmlds_client".into();
        /// CMLDS domain number.
        ["cmlds.domainNumber", int(0, 255), not_yet("CMLDS"), ABSENT]
        cmlds_domain_number: u8 = 0;
        /// CMLDS majorSdoId.
        ["cmlds.majorSdoId", int(0, 0x0F), not_yet("CMLDS"), ABSENT]
        cmlds_major_sdo_id: u8 = 2;
        /// CMLDS port number.
        ["cmlds.port", int(0, 0xFFFF), not_yet("CMLDS"), ABSENT]
        cmlds_port: u16 = 0;
        /// CMLDS server socket.
        ["cmlds.server_address", TEXT, not_yet("CMLDS"), ABSENT]
        cmlds_server_address: String = "/var/run/cmlds_server".into();
        /// IEEE C37.238 power profile version.
        ["power_profile.version", ValueKind::Enum(PowerProfileVersion::LABELS), not_yet("the power profile"), ABSENT]
        power_profile_version: PowerProfileVersion = PowerProfileVersion::None;
        /// C37.238-2011 grandmasterTimeInaccuracy (ns); -1 unknown.
        ["power_profile.2011.grandmasterTimeInaccuracy", int(-1, INT_MAX), not_yet("the power profile"), ABSENT]
        power_profile_2011_grandmaster_time_inaccuracy: i32 = -1;
        /// C37.238-2011 networkTimeInaccuracy (ns); -1 unknown.
        ["power_profile.2011.networkTimeInaccuracy", int(-1, INT_MAX), not_yet("the power profile"), ABSENT]
        power_profile_2011_network_time_inaccuracy: i32 = -1;
        /// C37.238-2017 totalTimeInaccuracy (ns); -1 unknown.
        ["power_profile.2017.totalTimeInaccuracy", int(-1, INT_MAX), not_yet("the power profile"), ABSENT]
        power_profile_2017_total_time_inaccuracy: i32 = -1;
        /// C37.238 grandmasterID.
        ["power_profile.grandmasterID", int(0, 0xFFFF), not_yet("the power profile"), ABSENT]
        power_profile_grandmaster_id: u16 = 0;

        // ---- ts2phc (per clock) ----
        /// ts2phc: EXTTS channel.
        ["ts2phc.channel", int(0, INT_MAX), TS2PHC, SAME]
        ts2phc_channel: u32 = 0;
        /// ts2phc: correction added to every external time stamp.
        ["ts2phc.extts_correction", ns(INT_MIN, INT_MAX), TS2PHC, SAME]
        ts2phc_extts_correction: Duration = Duration::ZERO;
        /// ts2phc: edges to time stamp.
        ["ts2phc.extts_polarity", ValueKind::Enum(ExttsPolarity::LABELS), TS2PHC, SAME]
        ts2phc_extts_polarity: ExttsPolarity = ExttsPolarity::Rising;
        /// ts2phc: seconds of holdover after the time of day is lost; 0 none.
        ["ts2phc.holdover", secs(0, INT_MAX), TS2PHC, ABSENT]
        ts2phc_holdover: Duration = Duration::ZERO;
        /// ts2phc: this PHC is the PPS source (periodic output).
        ["ts2phc.master", FLAG, TS2PHC, SAME]
        ts2phc_master: bool = false;
        /// ts2phc: NMEA serial baud rate.
        ["ts2phc.nmea_baudrate", int(300, INT_MAX), TS2PHC, ABSENT]
        ts2phc_nmea_baudrate: u32 = 9600;
        /// ts2phc: delay of the NMEA sentence after the pulse.
        ["ts2phc.nmea_delay", ns(INT_MIN, INT_MAX), TS2PHC, ABSENT]
        ts2phc_nmea_delay: Duration = Duration::ZERO;
        /// ts2phc: phase of the periodic output; unset (-1) picks the default.
        ["ts2phc.perout_phase", ns(0, 999_999_999), TS2PHC, ABSENT]
        ts2phc_perout_phase: Option<Duration> = None;
        /// ts2phc: pin index of the EXTTS or PEROUT function.
        ["ts2phc.pin_index", int(0, INT_MAX), TS2PHC, SAME]
        ts2phc_pin_index: u32 = 0;
        /// ts2phc: pin name of the EXTTS or PEROUT function, instead of its index (upstream
        /// after 4.4).
        ["ts2phc.pin_name", TEXT, TS2PHC, ABSENT]
        ts2phc_pin_name: String = String::new();
    }
}
