//! The sans-IO IEEE 1588-2019 engine: one clock ([`Instance`]) with N ports, as an ordinary
//! clock, a boundary clock or a grandmaster.
//!
//! The runtime feeds it inputs — [`Instance::handle_message`] with the receive time stamp,
//! [`Instance::handle_tx_timestamp`] for the event messages it sent, [`Instance::handle_timer`]
//! when a timer it armed expires, management changes such as
//! [`Instance::set_grandmaster_settings`] and new settings ([`Instance::reconfigure`]) — and
//! carries out the [`Action`]s it hands to an [`ActionSink`]: open and close a port's
//! sockets, send bytes, arm or cancel timers, step or slew the clock, report events.
//! The engine reads no clock, opens no socket and allocates nothing on the
//! Sync/Follow_Up/Delay path; every time it needs comes with the input.
//!
//! Modules, by concern: [`action`] (outputs), [`datasets`], [`settings`] (from the
//! configuration), `reconfigure` (live reconfiguration), `port` (per-port exchanges),
//! `selection` (BMCA and the state machine),
//! `master` (Announce, Sync, Delay_Resp), `slave` (offset measurement and the servo),
//! `peer_delay` (P2P, requester and responder), `management` (answers to management
//! messages), `delay_filter`.
//!
//! Unicast: a port with a static unicast table ([`PortSettings::unicast_peers`], from its
//! `[unicast_master_table]`) sends Announce, Sync and Follow_Up to each peer and its Delay_Req
//! to its master by unicast; answers always go back to the sender. Negotiation (signaling
//! REQUEST/GRANT, what ptp4l does with that table) will feed the same per-port peer list.
//!
//! Timescales, as ptp4l: with hardware time stamps the clock (a PHC) keeps the PTP timescale;
//! with software time stamps it keeps UTC and announces an arbitrary timescale as
//! grandmaster. A UTC clock under a PTP-timescale master follows it the UTC offset behind,
//! and as a boundary clock hands TAI on downstream (`Instance::timescale_offset`).
//!
//! Management: GETs of the data sets and their members are answered from the engine's state
//! ([`Instance::management_get`]: the standard IDs and linuxptp's TIME_STATUS_NP,
//! GRANDMASTER_SETTINGS_NP, PORT_DATA_SET_NP, PORT_PROPERTIES_NP and PORT_STATS_NP), from
//! the network and from the local management socket ([`Instance::handle_local_management`]).
//! The local socket also takes SETs of PRIORITY1, PRIORITY2 and GRANDMASTER_SETTINGS_NP;
//! from the network SET and COMMAND are refused with NOT_SUPPORTED, as ptp4l 3.1 does.
//!
//! # Ports and their sockets
//!
//! A port is a slot: [`PortIndex`] is its handle for timers, sockets and metrics, and its
//! portNumber is the index plus one. A live port keeps its index; a removed port leaves its
//! slot empty (a request for its portNumber is answered as for a port that does not exist),
//! and an added one takes the lowest empty slot or a new one at the end
//! ([`Instance::ports`] lists the live ones; numberPorts counts them). The runtime opens a
//! port's sockets on [`Action::OpenPort`] — at start, when the port leaves FAULTY or DISABLED,
//! when it is added or restarted — from [`Instance::port_settings`], and closes them on
//! [`Action::ClosePort`] — when the port goes FAULTY or DISABLED, is removed or restarted.
//! The engine tracks whether each port is open, so each comes once per transition.
//!
//! # Live reconfiguration
//!
//! [`Instance::reconfigure`] compares new settings with those it runs and applies the
//! difference; [`Reconfiguration`] says what it did. Ports are matched by interface name.
//! What each change costs:
//!
//! | class | settings | what happens |
//! |---|---|---|
//! | in place, state decision again | priority1, priority2, clockQuality, slaveOnly, `G.8275.defaultDS.localPriority`, `G.8275.portDS.localPriority`, `dataset_comparison`, maxStepsRemoved, time properties (`utc_offset`, timeSource) | the data sets change and the BMCA runs again; a port changes state only if its result changed |
//! | in place | logAnnounceInterval, logSyncInterval, logMinDelayReqInterval, logMinPdelayReqInterval | each timer takes the new interval when it next expires: nothing fires early, nothing more than one old interval late |
//! | in place | announceReceiptTimeout, `delay_request_variability`, `fault_reset_interval` | used from the next time they are needed |
//! | in place | `delay_filter`, `delay_filter_length`, `tsproc_mode` | the filter keeps the newest samples that fit its new length |
//! | in place | every servo option but `clock_servo` (PI gains, `step_threshold`, `first_step_threshold`, `max_frequency`, `servo_offset_threshold`, `servo_num_offset_values`, the Kalman and statime tuning, the sync interval) | [`crate::servo::Servo::reconfigure`]: the servo keeps its frequency estimate (statime's filter starts over from it) |
//! | in place | delayAsymmetry, ingressLatency, egressLatency, neighborPropDelayThresh, `ignore_transport_specific`, `path_trace_enabled`, `ptp_minor_version`, the clock description texts, the port addresses | used from the next message |
//! | in place | the random seed | the random intervals (Delay_Req) start a new sequence |
//! | port restart | `network_transport`, `udp6_scope`, `udp_ttl`, `dscp_event`, `dscp_general`, `socket_priority`, `ptp_dst_mac`, `p2p_dst_mac` ([`PortTransport`]), `delay_mechanism`, masterOnly, the unicast master table | that port only: ClosePort, DISABLED, new settings, OpenPort, LISTENING; it starts afresh (a port management disabled stays DISABLED) |
//! | port added or removed | an interface appears or goes | added: OpenPort, LISTENING; removed: ClosePort, DISABLED, slot emptied; then the state decision |
//! | instance restart | clockIdentity, domainNumber, transportSpecific, `time_stamping`, `clock_servo`, `free_running` | every port ClosePort and DISABLED, a fresh engine (data sets, foreign masters, servo), every port OpenPort and LISTENING; the new servo starts from the current frequency, so the clock does not jump |
//!
//! Values set at run time through management (SET PRIORITY1, PRIORITY2,
//! GRANDMASTER_SETTINGS_NP) are kept by a reconfiguration, an instance restart included,
//! unless the new configuration changes that same setting: the engine compares the old
//! configured settings with the new ones, so a reload that edits an unrelated option does
//! not undo a GNSS-driven clockClass. Runtime-only options (`tx_timestamp_timeout`,
//! logging, `summary_interval`, `uds_address`, metrics) are not engine settings; the
//! runtime applies them itself.
//!
//! Not yet: unicast negotiation, signaling messages (dropped as [`DropReason::Unsupported`]),
//! SUBSCRIBE_EVENTS_NP notifications, one-step transmission, transparent clocks.

pub mod action;
pub mod datasets;
mod delay_filter;
mod instance;
mod management;
mod master;
mod peer_delay;
mod port;
mod reconfigure;
mod selection;
pub mod settings;
mod slave;

pub use action::{
    Action, ActionLog, ActionSink, ClockAction, Destination, DropReason, Event, Fault,
    MessageClass, OwnedAction, PeerAddress, PortIndex, Timer, TimerKind, TxTag,
};
pub use datasets::{CurrentDs, DefaultDs, DelayMechanism, ParentDs, PortDs, TimePropertiesDs};
pub use instance::{Instance, RxMeta};
pub use reconfigure::{PortChange, Reconfiguration, SettingChange};
pub use settings::{
    ClockDescriptionTexts, InstanceSettings, PortSettings, PortTransport, SettingsError,
};
